"""The examples in docs/ are answers shapeinfer gives, and JAX agrees with them.

Three conventions mark an example in a Markdown file under docs/:

1. A fenced ``console`` block of shell sessions. A line ``$ shapeinfer eval
   [--sizes a=2,b=3] EXPR`` (EXPR quoted for the shell) is followed by what
   the command prints. A one-line output is the result, compared exactly with
   ``str(shapeinfer.infer(EXPR, sizes=...))``. An output whose last line is
   ``[code]`` is an error: its first line starts with ``ExceptionClass:``,
   (``--strict`` before EXPR asks for strict mode; a result with guards
   prints them after it, ``(a,)  if a == b``, and the answer is compared
   with JAX at sizes that satisfy them),
   and the class and the code are compared with the ShapeError's (the
   message and the caret lines are shown for the reader, not compared, so
   that rewording a message does not break the docs). A line
   ``$ shapeinfer check ...`` is run through the CLI and its whole output is
   compared.

2. A Markdown table right after an HTML comment
   ``<!-- template: vmap(add, {in_axes}, {out_axes})(...) -->``: the columns
   named like the placeholders fill the template; the last column is the
   expected result (a shape, or ``ExceptionClass [code]`` for an error).

3. A Markdown grid right after ``<!-- grid: vmap(exp, {row}, {col})(...) -->``:
   the first column holds the row values, the header the column values, and
   each cell the expected result.

4. A fenced block right after ``<!-- file: NAME -->`` is a file (a rule file,
   a Python module) that the console examples after it in the same page can
   use: each example runs in a directory holding the page's files so far, so
   ``$ shapeinfer eval --rules attention.rules EXPR`` and ``check --rules``
   read exactly what the reader sees. A line ``$ shapeinfer lint ...`` is
   run the same way (in the page's directory, its whole output compared).

5. In a console block, ``$ shapeinfer table|solve|explain ...`` and
   ``$ printf '...' | shapeinfer repl`` (the REPL's scripted mode) are run
   through the CLI and their whole output is compared; every expression
   they show (each table row, each solution, the explained program, each
   REPL input's program) is also run through the JAX checker.

6. Any other fenced block must say why it is not run, in a comment
   ``<!-- not-executed: why -->`` just before it (tests/test_docsite.py
   checks that no block escapes these conventions, and builds the site).

Every example is also run through the JAX checker
(``shapeinfer.check(EXPR, samples=2)``), which must agree. Finally the
doctests of the public modules, and any ``>>>`` examples in docs/, are run.

Run ``python tests/test_docs.py`` to print every example with the engine's
answer, which is handy when writing docs.
"""
from __future__ import annotations

import contextlib
import doctest
import io
import random
import re
import shlex
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

import shapeinfer
from shapeinfer import dims
from shapeinfer.scope import satisfying_sizes

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DOC_FILES = sorted(DOCS.glob("*.md"))

_ERROR_CELL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*) \[([a-z-]+)\]$")
_CODE_LINE = re.compile(r"^\[([a-z-]+)\]$")


@dataclass
class Example:
    source: str                 # file:line, for test ids and messages
    command: str                # "eval", "check", "lint", or a teaching command (convention 5)
    argv: list                  # for "check": the CLI arguments
    expr: str
    sizes: dict
    expected: str               # the result, or the full output of `check`
    exception: str | None = None
    code: str | None = None
    rules: tuple = ()           # --rules FILE arguments
    files: tuple = ()           # (name, text) of the page's files so far
    strict: bool = False        # eval --strict

    @property
    def is_error(self) -> bool:
        return self.code is not None


# ---------------------------------------------------------------- extraction

def _parse_sizes(text: str) -> dict:
    sizes = {}
    for item in text.split(","):
        name, _, value = item.partition("=")
        sizes[name.strip()] = int(value)
    return sizes


# The teaching tools (docs/repl.md): whole outputs compared, see convention 5.
TEACHING_COMMANDS = ("table", "solve", "explain")
_REPL_LINE = re.compile(r"^printf '(.*)' \| shapeinfer repl$")


def _teaching_example(source: str, command_line: str, output: list[str],
                      files: tuple) -> Example | None:
    m = _REPL_LINE.match(command_line)
    if m:
        stdin = m.group(1).encode().decode("unicode_escape")
        return Example(source, "repl", ["repl"], stdin, {}, "\n".join(output), files=files)
    argv = shlex.split(command_line)
    if argv[:1] == ["shapeinfer"] and argv[1:2] and argv[1] in TEACHING_COMMANDS:
        positional = [a for i, a in enumerate(argv[2:]) if not a.startswith("--")
                      and not (i and argv[2:][i - 1] in ("--want", "--sizes", "--rules"))]
        return Example(source, argv[1], argv[1:], positional[0], {}, "\n".join(output),
                       files=files)
    return None


def _console_example(source: str, command_line: str, output: list[str],
                     files: tuple = ()) -> Example:
    teaching = _teaching_example(source, command_line, output, files)
    if teaching is not None:
        return teaching
    argv = shlex.split(command_line)
    if argv[:1] != ["shapeinfer"] or len(argv) < 3 or argv[1] not in ("eval", "check", "lint"):
        raise ValueError(f"{source}: only `shapeinfer eval`, `check` and `lint` "
                         f"commands are checked, got {command_line!r}")
    if argv[1] == "lint":  # a linted file is one of the page's files; no JAX involved
        return Example(source, "lint", argv[1:], command_line, {}, "\n".join(output),
                       files=files)
    sizes, rest = {}, [a for a in argv[2:] if a != "--"]  # `eval -- "-(a,)"`
    rules = []
    while len(rest) > 2 and rest[0] == "--rules":
        rules.append(rest[1])
        rest = rest[2:]
    if argv[1] == "eval":
        strict = "--strict" in rest
        rest = [a for a in rest if a != "--strict"]
        if len(rest) == 3 and rest[0] == "--sizes":
            sizes, rest = _parse_sizes(rest[1]), rest[2:]
        if len(rest) != 1:
            raise ValueError(f"{source}: expected `shapeinfer eval [--rules F] [--sizes S] EXPR`")
        expr = rest[0]
        if output and _CODE_LINE.match(output[-1]):
            exception = output[0].split(":", 1)[0]
            code = _CODE_LINE.match(output[-1]).group(1)
            return Example(source, "eval", argv[1:], expr, sizes, "\n".join(output),
                           exception, code, tuple(rules), files, strict)
        if len(output) != 1:
            raise ValueError(f"{source}: a result is one line, got {output!r}")
        return Example(source, "eval", argv[1:], expr, sizes, output[0], rules=tuple(rules),
                       files=files, strict=strict)
    # check: the expression is the one positional argument
    positional = [a for i, a in enumerate(rest)
                  if not a.startswith("--") and not (i and rest[i - 1] in
                                                     ("--sizes", "--samples", "--seed"))]
    if "--sizes" in rest:
        sizes = _parse_sizes(rest[rest.index("--sizes") + 1])
    return Example(source, "check", argv[1:], positional[0], sizes, "\n".join(output),
                   rules=tuple(rules), files=files)


def _table_rows(lines: list[str], start: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and body rows of the Markdown table at or after ``start``."""
    i = start
    while i < len(lines) and not lines[i].lstrip().startswith("|"):
        if lines[i].strip():
            raise ValueError(f"line {i + 1}: a table must follow the template comment")
        i += 1
    table = []  # (1-based line number, cells)
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        cells = [c.strip().strip("`").strip() for c in lines[i].strip().strip("|").split("|")]
        table.append((i + 1, cells))
        i += 1
    if len(table) < 3:
        raise ValueError(f"line {start + 1}: expected a table with a header and rows")
    return table[0][1], table[2:]  # table[1] is the |---| line


def _table_example(source: str, expr: str, cell: str) -> Example:
    m = _ERROR_CELL.match(cell)
    if m:
        return Example(source, "eval", [], expr, {}, cell, m.group(1), m.group(2))
    return Example(source, "eval", [], expr, {}, cell)


def _fill(template: str, values: dict) -> str:
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
    if re.search(r"\{[a-z_]+\}", out):
        raise ValueError(f"unfilled placeholder in {out!r}")
    return out


def extract(path: Path) -> list[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    name = path.relative_to(ROOT).as_posix()
    examples: list[Example] = []
    in_console = False
    pending = None  # (line number, command line, output lines, files)
    files: dict[str, str] = {}
    file_name, file_lines = None, None  # a <!-- file: NAME --> block being read
    for i, line in enumerate(lines):
        stripped = line.strip()
        if file_lines is not None:
            if stripped.startswith("```"):
                if file_lines and file_lines[0] is None:
                    file_lines = []  # the opening fence
                    continue
                files[file_name] = "\n".join(file_lines) + "\n"
                file_name, file_lines = None, None
            else:
                file_lines.append(line)
            continue
        m = re.match(r"^<!--\s*file:\s*(\S+)\s*-->$", stripped)
        if m:
            file_name, file_lines = m.group(1), [None]
            continue
        if stripped.startswith("```"):
            if pending:
                examples.append(_console_example(*pending))
                pending = None
            in_console = (not in_console) and stripped[3:].strip() == "console"
            continue
        if in_console:
            if stripped.startswith("$ "):
                if pending:
                    examples.append(_console_example(*pending))
                pending = (f"{name}:{i + 1}", stripped[2:], [], tuple(files.items()))
            elif pending is not None and stripped:
                pending[2].append(line.rstrip())
            continue
        m = re.match(r"^<!--\s*(template|grid):\s*(.*?)\s*-->$", stripped)
        if not m:
            continue
        kind, template = m.groups()
        header, rows = _table_rows(lines, i + 1)
        for lineno, row in rows:
            source = f"{name}:{lineno}"
            if kind == "template":
                values = {h.lower(): v for h, v in zip(header[:-1], row[:-1])}
                examples.append(_table_example(source, _fill(template, values), row[-1]))
            else:
                for col, cell in zip(header[1:], row[1:]):
                    expr = _fill(template, {"row": row[0], "col": col})
                    examples.append(_table_example(source, expr, cell))
    return examples


EXAMPLES = [ex for path in DOC_FILES for ex in extract(path)]


# ---------------------------------------------------------------- checking

@contextlib.contextmanager
def in_page_dir(ex: Example):
    """Run in a directory holding the page's files (see convention 4)."""
    import os
    import tempfile
    if not ex.files:
        yield
        return
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in ex.files:
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        old = os.getcwd()
        os.chdir(tmp)
        try:
            yield
        finally:
            os.chdir(old)
            for name, _ in ex.files:  # a module the checker imported from here
                sys.modules.pop(Path(name).stem, None)


def library(ex: Example):
    return list(ex.rules) or None


def engine_answer(ex: Example) -> str:
    """What the engine says, in the example's own terms."""
    with in_page_dir(ex):
        try:
            return shapeinfer.infer(ex.expr, sizes=ex.sizes or None, rules=library(ex),
                                    strict=ex.strict).describe()
        except shapeinfer.ShapeError as e:
            return f"{e.exception} [{e.code}]"


def engine_error_output(ex: Example) -> str:
    """What ``shapeinfer eval`` prints for an error example."""
    with in_page_dir(ex):
        try:
            shapeinfer.infer(ex.expr, sizes=ex.sizes or None, rules=library(ex),
                             strict=ex.strict)
        except shapeinfer.ShapeError as e:
            return f"{e.render(ex.expr)}\n[{e.code}]"
    return "no error"


def expected_answer(ex: Example) -> str:
    return f"{ex.exception} [{ex.code}]" if ex.is_error else ex.expected


def run_cli(argv: list[str]) -> str:
    from shapeinfer.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(list(argv))
    return (out.getvalue() + err.getvalue()).rstrip("\n")


def checker_agrees(ex: Example) -> tuple[bool, str]:
    """``shapeinfer.check`` agrees, and so does the documented answer itself.

    The checker compares JAX with the engine run at each sampled assignment;
    the docs show the symbolic answer, so it is also instantiated at each
    sampled assignment and compared with what JAX said there.
    """
    with in_page_dir(ex):
        rules = library(ex) and shapeinfer.library.resolve(library(ex))
        try:
            report = shapeinfer.check(ex.expr, sizes=ex.sizes or None, samples=2, rules=rules)
        except shapeinfer.ShapeSyntaxError:
            return ex.code in ("syntax", "empty"), "the checker refuses text that does not parse"
    if ex.strict:  # strict mode's oracle is JAX's symbolic shapes
        with in_page_dir(ex):
            sym = shapeinfer.check(ex.expr, symbolic=True, rules=rules)
        return sym.agreed, "differs from JAX symbolically"
    if rules and any(c.oracle is None for c in report.cases):
        # a rule without a callable: only its own check example says what happens
        return True, "unchecked"
    problems = [f"{c.sizes}: shapeinfer {c.engine}; jax {c.oracle}" for c in report.disagreements]
    try:
        symbolic = shapeinfer.infer(ex.expr, sizes=ex.sizes or None, rules=rules)
    except shapeinfer.ShapeError as e:
        symbolic = e
    if isinstance(symbolic, shapeinfer.ShapeError) and symbolic.code == "inconclusive":
        # An answer that depends on the sizes: compare with JAX's symbolic shapes.
        with in_page_dir(ex):
            sym = shapeinfer.check(ex.expr, symbolic=True, rules=rules)
        return not problems and sym.agreed, "\n".join(problems) or "differs from JAX symbolically"
    cases = [(c.sizes, c.oracle) for c in report.cases if c.oracle is not None]
    guards = [] if isinstance(symbolic, shapeinfer.ShapeError) else symbolic.guards
    if guards:  # exact where the guards hold: there, and at sizes drawn to satisfy them
        cases = [(sizes, oracle) for sizes, oracle in cases
                 if all(g.xreplace({dims.symbol(k): v for k, v in sizes.items()})
                        for g in guards)]
        drawn = satisfying_sizes(guards, sorted(symbolic.symbols), random.Random(0))
        if drawn is None:
            return False, f"no sizes satisfy the guards {guards}"
        from shapeinfer.oracle import jax_outcome
        with in_page_dir(ex):
            oracle = jax_outcome(ex.expr, drawn, library=rules or None)
        if oracle is not None:
            cases.append((drawn, oracle))
    for sizes, oracle in cases:
        case = types.SimpleNamespace(sizes=sizes, oracle=oracle)
        if isinstance(symbolic, shapeinfer.ShapeError):
            if case.oracle.ok or symbolic.exception not in case.oracle.exception_mro:
                problems.append(f"{case.sizes}: the symbolic answer is {symbolic.exception}, "
                                f"jax says {case.oracle}")
            continue
        subs = {dims.symbol(k): v for k, v in case.sizes.items()}
        leaves = tuple(tuple(int(d.subs(subs)) for d in shape) for shape in symbolic.leaves)
        if not case.oracle.ok or leaves != case.oracle.leaves:
            problems.append(f"{case.sizes}: the symbolic answer {symbolic} gives {leaves}, "
                            f"jax says {case.oracle}")
    return not problems, "\n".join(problems)


def test_docs_have_examples():
    assert DOC_FILES, "docs/*.md are missing"
    assert len(EXAMPLES) >= 50


@pytest.mark.parametrize("ex", [e for e in EXAMPLES if e.command == "eval"],
                         ids=lambda e: f"{e.source} {e.expr}")
def test_eval_example(ex: Example):
    assert engine_answer(ex) == expected_answer(ex), ex.source
    if ex.is_error and ex.argv:  # a console block: the whole output, excerpt and caret
        assert engine_error_output(ex) == ex.expected, ex.source
    agreed, why = checker_agrees(ex)
    assert agreed, f"{ex.source}: jax.eval_shape disagrees with {ex.expr!r}:\n{why}"


@pytest.mark.parametrize("ex", [e for e in EXAMPLES if e.command == "check"],
                         ids=lambda e: f"{e.source} {e.expr}")
def test_check_example(ex: Example):
    with in_page_dir(ex):
        assert run_cli(ex.argv) == ex.expected, ex.source


def _shown_programs(ex: Example) -> list[str]:
    """The programs a teaching example's output stands for (convention 5)."""
    from shapeinfer.repl import Session
    from shapeinfer.teach import Table
    if ex.command == "explain":
        return [ex.expr]
    if ex.command == "repl":  # each input evaluated after the bindings before it
        session, programs = Session(), []
        for line in ex.expr.splitlines():
            if line.strip() and not line.startswith(":"):
                answer = session.handle(line)
                if answer.text and not answer.binding and not answer.error:
                    programs.append(session.program(line)[0])
        return programs
    table = Table(ex.expr)
    if ex.command == "solve":  # the rows the output lists
        from shapeinfer.teach import solve
        want = shapeinfer.infer(ex.argv[ex.argv.index("--want") + 1]).shape
        solution = solve(table, want)
        return [r.expr for r in solution.matches or solution.closest]
    return [r.expr for r in table.rows]


@pytest.mark.parametrize("ex", [e for e in EXAMPLES if e.command in TEACHING_COMMANDS + ("repl",)],
                         ids=lambda e: f"{e.source} {e.command}")
def test_teaching_example(ex: Example, monkeypatch):
    if ex.command == "repl":
        monkeypatch.setattr(sys, "stdin", io.StringIO(ex.expr))
    assert run_cli(ex.argv) == ex.expected, ex.source
    programs = _shown_programs(ex)
    assert programs, f"{ex.source}: the example shows no program"
    for program in programs:
        report = shapeinfer.check(program, samples=2)
        assert report.agreed and not report.unsupported, f"{ex.source}: {program!r}"


@pytest.mark.parametrize("ex", [e for e in EXAMPLES if e.command == "lint"],
                         ids=lambda e: f"{e.source} {e.expr}")
def test_lint_example(ex: Example):
    with in_page_dir(ex):
        assert run_cli(ex.argv) == ex.expected, ex.source


def test_every_error_code_is_documented():
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### `([a-z-]+)`", text, flags=re.M))
    assert headings == set(shapeinfer.CODES)


def test_every_error_code_has_an_example_and_a_fix():
    """Each code's entry in errors.md shows it happening (an executed
    ``console`` example under its heading) and says how to fix it; only
    ``internal``, a bug, and ``too-deep``, whose program would be 2,500
    levels long (tests/test_messages.py and tests/test_fuzz.py raise it),
    have no example."""
    text = (DOCS / "errors.md").read_text(encoding="utf-8")
    shown = {ex.code for ex in EXAMPLES if ex.source.startswith("docs/errors.md") and ex.is_error}
    assert shown == set(shapeinfer.CODES) - {"internal", "too-deep"}
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    assert len(sections) == len(shapeinfer.CODES)
    for section in sections:
        assert "**Fix:**" in section, section.splitlines()[0]


def test_error_examples_sit_under_their_code():
    """In errors.md, an example shown under ``### `code``` raises that code."""
    text = (DOCS / "errors.md").read_text(encoding="utf-8").splitlines()
    section = {}
    current = None
    for i, line in enumerate(text, start=1):
        m = re.match(r"^### `([a-z-]+)`", line)
        if m:
            current = m.group(1)
        section[i] = current
    for ex in EXAMPLES:
        path, line = ex.source.rsplit(":", 1)
        if path == "docs/errors.md" and ex.is_error and section[int(line)] is not None:
            assert ex.code == section[int(line)], ex.source


@pytest.mark.parametrize("module", ["shapeinfer", "shapeinfer.api", "shapeinfer.dims",
                                    "shapeinfer.syntax", "shapeinfer.library", "shapeinfer.errors",
                                    "shapeinfer.substitute"])
def test_module_doctests(module):
    import importlib
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS, report=False)
    assert result.failed == 0, f"{module}: {result.failed} doctest(s) failed"


def python_blocks(path: Path) -> str:
    """The file with everything outside ```python blocks blanked (line numbers kept)."""
    out, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            inside = (not inside) and line.strip()[3:].strip() == "python"
            out.append("")
        else:
            out.append(line if inside else "")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.name)
def test_doc_doctests(path):
    """``>>>`` examples in ```python blocks of docs/*.md run and print what they show."""
    test = doctest.DocTestParser().get_doctest(
        python_blocks(path), {"shapeinfer": shapeinfer}, path.name, str(path), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{path.name}: {runner.failures} doctest(s) failed"


if __name__ == "__main__":  # a report for doc writers: every example, and whether it holds
    bad = 0
    for ex in EXAMPLES:
        if ex.command in ("check", "lint"):
            with in_page_dir(ex):
                got = run_cli(ex.argv)
            ok, why = got == ex.expected, got
        else:
            got = engine_answer(ex)
            agreed, why = checker_agrees(ex)
            ok = got == expected_answer(ex) and agreed
            why = why if got == expected_answer(ex) else f"engine says {got}"
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {ex.source:24} {ex.expr}  ->  "
              f"{expected_answer(ex) if ex.command == 'eval' else '(check output)'}")
        if not ok:
            print("    " + why.replace("\n", "\n    "))
    print(f"{len(EXAMPLES) - bad} of {len(EXAMPLES)} examples hold")
    sys.exit(1 if bad else 0)
