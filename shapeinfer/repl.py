"""``shapeinfer repl``: a shape calculator for learning and debugging vmap.

A :class:`Session` holds what is kept between inputs (bindings, sizes, the
loaded rules, the last expression) and answers one input at a time; it
knows nothing of terminals. Two front ends drive it:

- :func:`run_interactive`: prompt_toolkit, with history in the user's data
  directory, completion, highlighting and multi-line input while brackets
  are open;
- :func:`run_scripted`: standard input that is not a terminal, read and
  answered input by input (an input whose brackets are open continues on
  the next line), with no prompts and no escape codes. Answers (and the
  output of commands; bindings are not echoed) go to standard output and
  errors, as ``eval`` prints them, to standard error;
  the session goes on after an error. The exit status is the worst input's:
  0 all answered, 1 some input had a shape error, 2 some input did not
  parse or was a bad command, 3 an internal error (a bug in shapeinfer).

Bindings are kept as the text of the statements that defined them: each
input is evaluated after them, as one program, so that ``f = vmap(add, (0,
None))`` then ``f(x, x)`` is exactly the program ``f = ...; f(x, x)``.
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from . import scope
from .api import deep_recursion, infer_parsed
from .engine import Evaluator
from .errors import RuleError, ShapeError, is_syntax_error
from .library import Library, builtins, load_rules
from .syntax import Assign, Name, Program, code_characters, parse

EXIT_OK, EXIT_SHAPE_ERROR, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

KEYWORDS = ("lambda", "assume", "None", "True", "False")

COMMANDS = {
    ":help": "this list",
    ":rules [NAME]": "list the operation rules, or print NAME's rule",
    ":load FILE": "load a rule file on top of the rules so far",
    ":sizes a=2,b=3": "answer at these sizes from now on (:sizes alone shows them, "
                      ":sizes - forgets them)",
    ":check [EXPR]": "compare the last expression (or EXPR) with jax.eval_shape",
    ":explain [EXPR]": "the derivation of the last expression (or EXPR), step by step",
    ":table [--group] EXPR": "fill EXPR's ? placeholders with every in_axes / out_axes "
                             "(--group: rows with the same answer together)",
    ":solve EXPR --want SHAPE": "the settings of EXPR's ? placeholders that give SHAPE",
    ":bindings": "the bindings so far",
    ":strict on|off": "strict mode: undecided size conditions are JAX's errors, not guards",
    ":quit": "leave (so does Ctrl-D; Ctrl-C cancels the current input)",
}
COMMAND_NAMES = [c.split()[0] for c in COMMANDS]

HELP = "\n".join(
    ["Type an expression to get its shape, e.g. vmap(add, (0, None), 1)((a,b,c), (a,b,c)).",
     "Bind names with  x = (b, n)  or  f = vmap(add, (0, None));  they are kept.",
     "Commands:"]
    + [f"  {c:<26} {what}" for c, what in COMMANDS.items()])


@dataclass
class Answer:
    """What one input gives: text for standard output, or an error."""
    text: str = ""
    error: str = ""
    status: int = EXIT_OK
    quit: bool = False
    binding: bool = False  # the text only echoes a binding (scripted mode omits it)


def open_brackets(text: str) -> int:
    """How many brackets are still open at the end of ``text`` (strings and
    comments skipped): an input with open brackets continues on the next line."""
    return sum((ch in "([{") - (ch in ")]}") for _, ch in code_characters(text))


def _shifted(err: ShapeError, offset: int) -> ShapeError:
    """The error with its span counted from ``offset`` (the input's start)."""
    span = None if err.span is None else (err.span[0] - offset, err.span[1] - offset)
    return ShapeError(err.code, err.exception, err.message, span)


class Session:
    """What is kept between inputs, and the answer to each (see the module docstring)."""

    def __init__(self, library: Library | None = None):
        self.library = library if library is not None else builtins()
        self.statements: list[str] = []  # the text of each accepted binding input
        self.n_statements = 0            # how many statements those hold
        self.names: list[str] = []       # the names they bind, in order
        self.sizes: dict[str, int] = {}
        self.last: str | None = None     # the last expression that was evaluated
        self.strict = False

    # -- inputs

    def handle(self, text: str) -> Answer:
        text = text.strip()
        if not text or text.startswith("#"):
            return Answer()
        try:
            return self.command(text) if text.startswith(":") else self.evaluate(text)
        except KeyboardInterrupt:  # Ctrl-C during a long :table or :check
            return Answer(error="interrupted", status=EXIT_USAGE)
        except Exception as bug:  # noqa: BLE001 - no traceback reaches the user
            return Answer(error=f"internal error: {type(bug).__name__}: {bug}\nThis is a bug "
                                "in shapeinfer; please report it with the input.",
                          status=EXIT_INTERNAL)

    def program(self, text: str) -> tuple[str, int]:
        """The bindings followed by ``text``, and where ``text`` starts in it."""
        prefix = "".join(s + "\n" for s in self.statements)
        return prefix + text, len(prefix)

    def error(self, err: ShapeError, text: str, offset: int) -> Answer:
        """An error as ``eval`` prints it, the caret under the input's own text
        (or under the binding it came from, which cannot happen for bindings
        that were accepted, but is shown whole rather than hidden)."""
        full, _ = self.program(text)
        if err.span is not None and err.span[0] >= offset:
            shown = _shifted(err, offset).render(text)
        else:
            shown = err.render(full)
        status = EXIT_USAGE if is_syntax_error(err) else EXIT_SHAPE_ERROR
        return Answer(error=f"{shown}\n[{err.code}]", status=status)

    def evaluate(self, text: str) -> Answer:
        full, offset = self.program(text)
        try:
            with deep_recursion(full):
                try:
                    program = parse(full)
                except ShapeError as first:
                    # Statements alone (`x = (b, n)`) are not a program: a final
                    # expression is wanted. Try again with one.
                    try:
                        program = parse(full + "\nNone")
                    except ShapeError:
                        return self.error(first, text, offset)
                    return self.bind(text, program)
                self.last = text  # :explain and :check take it, error or not
                result = infer_parsed(program, full, sizes=self.sizes, library=self.library,
                                      strict=self.strict)
        except ShapeError as e:
            return self.error(e, text, offset)
        return Answer(result.describe())

    def bind(self, text: str, program) -> Answer:
        """Statements: run them, keep them, and show what each name is now."""
        from .explain import show

        new = program.statements[self.n_statements:]
        offset = self.program(text)[1]
        ev = Evaluator(self.library, sizes=self.sizes)
        shown = []
        try:
            with deep_recursion(text), scope.active(scope.Scope(strict=self.strict)):
                ev.run(program)  # the statements run; the final None is nothing
                for stmt in (s for s in new if isinstance(s, Assign)):
                    # each name's value: the program again, ending with the name
                    ending = Program(program.statements, Name(stmt.name, span=stmt.span),
                                     span=program.span)
                    value = Evaluator(self.library, sizes=self.sizes).run(ending)
                    shown.append(f"{stmt.name} = {show(value)}")
        except ShapeError as e:
            return self.error(e, text, offset)
        self.statements.append(text)
        self.n_statements = len(program.statements)
        self.names.extend(s.name for s in new if isinstance(s, Assign) and s.name not in self.names)
        return Answer("\n".join(shown), binding=True)

    # -- commands

    def command(self, text: str) -> Answer:
        name, _, rest = text.partition(" ")
        rest = rest.strip()
        handler = getattr(self, "cmd_" + name[1:], None)
        if handler is None:
            return Answer(error=f"unknown command {name}; :help lists the commands",
                          status=EXIT_USAGE)
        return handler(rest)

    def cmd_help(self, rest: str) -> Answer:
        return Answer(HELP)

    def cmd_quit(self, rest: str) -> Answer:
        return Answer(quit=True)

    cmd_exit = cmd_q = cmd_quit

    def cmd_bindings(self, rest: str) -> Answer:
        return Answer("\n".join(self.statements) or "no bindings yet")

    def cmd_rules(self, rest: str) -> Answer:
        from .rules import catalog

        if not rest:
            return Answer("\n".join(catalog.signature(r)
                                    for r in catalog.current_rules(self.library)))
        rule = self.library.rule(rest)
        if rule is None:
            kind = "a transformation" if rest in self.library else "not a known operation"
            return Answer(error=f"{rest!r} is {kind}; :rules lists the rules", status=EXIT_USAGE)
        lines = [catalog.rule_text(rule)]
        also = catalog.aliases_in(self.library, rule)
        if also:
            lines.append(f"  also reachable as {', '.join(also)}")
        lines.append(f"  from {rule.source}:{rule.loc[0]}")
        return Answer("\n".join(lines))

    def cmd_load(self, rest: str) -> Answer:
        if not rest:
            return Answer(error=":load wants a rule file, e.g. :load my.rules", status=EXIT_USAGE)
        path = Path(os.path.expanduser(rest))
        if not path.is_file():
            return Answer(error=f"{rest}: no such file", status=EXIT_USAGE)
        try:
            self.library = load_rules(path, self.library)
        except RuleError as e:
            return Answer(error=str(e), status=EXIT_USAGE)
        return Answer(f"loaded {rest}")

    def cmd_sizes(self, rest: str) -> Answer:
        if rest == "-":
            self.sizes = {}
        elif rest:
            sizes = {}
            for item in rest.replace(" ", ",").split(","):
                if not item:
                    continue
                key, sep, value = item.partition("=")
                if not sep or not key.isidentifier() or not value.isdigit():
                    return Answer(error=f":sizes wants NAME=INT pairs such as a=2,b=3, "
                                        f"got {item!r}", status=EXIT_USAGE)
                sizes[key] = int(value)
            self.sizes.update(sizes)
        shown = ", ".join(f"{k}={v}" for k, v in self.sizes.items())
        return Answer(f"sizes: {shown}" if shown else "sizes: none (answers are symbolic)")

    def cmd_strict(self, rest: str) -> Answer:
        if rest not in ("on", "off", ""):
            return Answer(error=":strict wants on or off", status=EXIT_USAGE)
        if rest:
            self.strict = rest == "on"
        return Answer("strict mode " + ("on: what JAX's symbolic shapes cannot decide is JAX's "
                                        "error" if self.strict else
                                        "off: undecided size conditions are guards (if ...)"))

    def cmd_check(self, rest: str) -> Answer:
        text = rest or self.last
        if text is None:
            return Answer(error=":check checks the last expression; there is none yet",
                          status=EXIT_USAGE)
        try:
            from .oracle import check
            import jax  # noqa: F401 - only to say so when it is missing
        except ImportError:
            return Answer(error=":check needs JAX: pip install 'shapeinfer[jax]'",
                          status=EXIT_USAGE)
        full, offset = self.program(text)
        try:
            report = check(full, sizes=self.sizes or None, samples=3, rules=self.library)
        except ShapeError as e:
            return self.error(e, text, offset)
        lines = []
        for case in report.cases:
            at = ", ".join(f"{k}={v}" for k, v in case.sizes.items()) or "(no sizes)"
            if case.oracle is None:
                lines.append(f"unchecked  {at}: {case.unchecked}")
            elif case.agreed:
                lines.append(f"agree      {at}: {case.engine}")
            else:
                lines.append(f"DISAGREE   {at}: shapeinfer {case.engine}, jax {case.oracle}")
        good = sum(c.oracle is not None and c.agreed for c in report.cases)
        lines.append(f"{good} of {len(report.cases)} cases agree with jax.eval_shape")
        return Answer("\n".join(lines), status=EXIT_OK if report.agreed else EXIT_SHAPE_ERROR)

    def cmd_explain(self, rest: str) -> Answer:
        from .explain import explain

        text = rest or self.last
        if text is None:
            return Answer(error=":explain explains the last expression; there is none yet",
                          status=EXIT_USAGE)
        full, offset = self.program(text)
        try:
            explanation = explain(full, sizes=self.sizes, rules=self.library)
        except ShapeError as e:
            return self.error(e, text, offset)
        if explanation.error is not None:
            steps = "\n".join("  " * s.depth + s.text for s in explanation.steps)
            failed = self.error(explanation.error, text, offset)
            return Answer(steps, error=failed.error, status=failed.status)
        return Answer(explanation.render())

    def cmd_table(self, rest: str) -> Answer:
        from .teach import TableError

        group = rest.startswith("--group")
        if group:
            rest = rest[len("--group"):].strip()
        if not rest:
            return Answer(error=":table wants an expression with ? placeholders, e.g. "
                                ":table vmap(add, ?, ?)((2,2), (2,2))", status=EXIT_USAGE)
        try:
            table = self._table(rest)
        except TableError as e:
            return Answer(error=str(e), status=EXIT_USAGE)
        return Answer(table.render_grouped() if group else table.render())

    def cmd_solve(self, rest: str) -> Answer:
        from .teach import TableError, solve, wanted_shape

        expr, sep, want = rest.rpartition("--want")
        if not sep or not expr.strip() or not want.strip():
            return Answer(error=":solve wants an expression with ? placeholders and the wanted "
                                "shape, e.g. :solve vmap(add, ?, ?)((a,b), (a,b)) --want (a, a, b)",
                          status=EXIT_USAGE)
        try:
            shape = wanted_shape(want.strip())
            table = self._table(expr.strip())
        except TableError as e:
            return Answer(error=str(e), status=EXIT_USAGE)
        solution = solve(table, shape)
        return Answer(solution.render(),
                      status=EXIT_OK if solution.matches else EXIT_SHAPE_ERROR)

    def _table(self, text: str):
        """The table of ``text`` after the bindings (raises TableError)."""
        from .teach import Table

        full, _ = self.program(text)
        return Table(full, sizes=self.sizes, rules=self.library)


# ---------------------------------------------------------------- scripted

def run_scripted(session: Session, lines, out, err) -> int:
    """Answer each input read from ``lines`` (see the module docstring)."""
    worst = EXIT_OK
    pending = ""
    for line in lines:
        pending += line if line.endswith("\n") else line + "\n"
        if open_brackets(pending) > 0:
            continue  # brackets are open: the input continues on the next line
        answer = session.handle(pending)
        pending = ""
        worst = max(worst, _emit(answer, out, err))
        if answer.quit:
            return worst
    if pending.strip():
        worst = max(worst, _emit(session.handle(pending), out, err))
    return worst


def _emit(answer: Answer, out, err) -> int:
    if answer.text and not answer.binding:  # a script gets answers, not echoes
        print(answer.text, file=out)
    if answer.error:
        print(answer.error, file=err)
    out.flush()
    return answer.status


# ---------------------------------------------------------------- interactive

def history_path() -> Path:
    """``$XDG_DATA_HOME/shapeinfer/history``, by default under ~/.local/share."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"),
                                                           ".local", "share")
    return Path(base) / "shapeinfer" / "history"


_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>"[^"\n]*"?|'[^'\n]*'?)
  | (?P<number>\d+(\.\d*)?)
  | (?P<command>^\s*:[a-z]+)
  | (?P<name>[A-Za-z_][A-Za-z_0-9.]*)
  | (?P<placeholder>\?)
""", re.VERBOSE)

STYLE = {
    "keyword": "bold #aa22ff",
    "operation": "#0066cc",
    "bound": "#008800 bold",
    "number": "#aa5500",
    "string": "#ba2121",
    "comment": "italic #888888",
    "command": "bold #cc0066",
    "placeholder": "bold #ff6600",
}


def token_classes(line: str, session: Session, first_line: bool = True) -> list[tuple[str, str]]:
    """``line`` cut into (style class, text) pieces: the highlighting."""
    pieces, last = [], 0
    for m in _TOKEN.finditer(line):
        kind = m.lastgroup
        if kind == "command" and not first_line:
            kind = None
        word = m.group()
        if kind == "name":
            kind = ("keyword" if word in KEYWORDS else "bound" if word in session.names
                    else "operation" if word in session.library else None)
        pieces.append(("", line[last:m.start()]))
        pieces.append((f"class:{kind}" if kind else "", word))
        last = m.end()
    pieces.append(("", line[last:]))
    return [p for p in pieces if p[1]]


def make_lexer(session: Session):
    from prompt_toolkit.lexers import Lexer

    class ShapeLexer(Lexer):
        """Highlights keywords, operations, bound names, numbers, strings, comments."""

        def lex_document(self, document):
            lines = document.lines

            def get_line(i):
                return token_classes(lines[i], session, i == 0) if i < len(lines) else []
            return get_line

    return ShapeLexer()


def completions_for(before: str, session: Session) -> list[str]:
    """The words that complete the text before the cursor."""
    stripped = before.lstrip()
    if stripped.startswith(":") and " " not in stripped:
        return [c for c in COMMAND_NAMES if c.startswith(stripped)]
    if stripped.startswith(":rules "):
        word = stripped[len(":rules "):]
        return sorted(n for n in session.library if n.startswith(word) and "." not in n)
    m = re.search(r"[A-Za-z_][A-Za-z_0-9.]*$", before)
    word = m.group() if m else ""
    if not word:
        return []
    candidates = set(KEYWORDS) | set(session.names) | set(session.library)
    if "." not in word:
        candidates = {c for c in candidates if "." not in c}
    return sorted(c for c in candidates if c.startswith(word) and c != word)


def make_completer(session: Session):
    from prompt_toolkit.completion import Completer, Completion

    class ShapeCompleter(Completer):
        def get_completions(self, document, complete_event):
            before = document.text_before_cursor
            stripped = before.lstrip()
            if stripped.startswith(":") and " " not in stripped:
                start = -len(stripped)
            else:
                m = re.search(r"[A-Za-z_][A-Za-z_0-9.]*$", before)
                start = -len(m.group()) if m else 0
            for word in completions_for(before, session):
                yield Completion(word, start_position=start)

    return ShapeCompleter()


def make_prompt(session: Session, input=None, output=None, history=None):
    """The prompt_toolkit session: Enter submits unless brackets are open."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.styles import Style

    if history is None:
        path = history_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            history = FileHistory(str(path))
        except OSError:  # a read-only home: history for this session only
            history = InMemoryHistory()
    keys = KeyBindings()

    @keys.add("enter")
    def _(event):
        buffer = event.current_buffer
        if open_brackets(buffer.text) > 0:
            buffer.insert_text("\n")  # an open bracket continues the input
        else:
            buffer.validate_and_handle()

    return PromptSession(
        history=history, completer=make_completer(session), lexer=make_lexer(session),
        style=Style.from_dict(STYLE), key_bindings=keys, multiline=True,
        prompt_continuation=lambda width, line, wrap: "... ".rjust(width),
        input=input, output=output)


def run_interactive(session: Session, prompt=None, out=None) -> int:
    out = out or sys.stdout
    prompt = prompt or make_prompt(session)
    print(f"shapeinfer {__version__}: shapes of JAX programs. :help lists the commands, "
          ":quit (or Ctrl-D) leaves.", file=out)
    while True:
        try:
            text = prompt.prompt(">>> ")
        except KeyboardInterrupt:  # Ctrl-C: cancel this input, not the session
            continue
        except EOFError:  # Ctrl-D
            return EXIT_OK
        answer = session.handle(text)
        for part in (answer.text, answer.error):
            if part:
                print(part, file=out)
        if answer.quit:
            return EXIT_OK


def main(rules=None, out=None, err=None) -> int:
    """``shapeinfer repl``: interactive in a terminal, scripted otherwise."""
    out, err = out or sys.stdout, err or sys.stderr
    library = builtins()
    for path in rules or ():
        try:
            library = load_rules(Path(path), library)
        except RuleError as e:
            print(str(e), file=err)
            return EXIT_USAGE
    session = Session(library)
    if sys.stdin.isatty() and out.isatty():
        return run_interactive(session, out=out)
    return run_scripted(session, sys.stdin, out, err)
