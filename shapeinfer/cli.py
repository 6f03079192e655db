"""The ``shapeinfer`` command.

Exit codes (every command): 0 success; 1 the program has a shape error (or
the checker found a disagreement); 2 usage error or unparseable input (or,
for ``check``, JAX not installed); 3 an internal error of shapeinfer (a bug:
please report it); 5 ``check`` compared nothing: every case was unchecked
(as pytest exits 5 when no test ran).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__, dims
from .api import UnusedSizeError, check_size_names, deep_recursion, error_json, infer
from .errors import RuleError, ShapeError, is_syntax_error
from .library import Library, builtins, load_rules
from .syntax import is_blank, parse

EXIT_OK, EXIT_SHAPE_ERROR, EXIT_USAGE, EXIT_INTERNAL, EXIT_NOTHING_CHECKED = 0, 1, 2, 3, 5


class _UsageError(Exception):
    def __init__(self, message: str, bare: bool = False):
        super().__init__(message)
        self.bare = bare  # printed as it is (FILE:LINE:COL: ...), without "shapeinfer: error:"


def parse_sizes(text: str | None) -> dict[str, int]:
    """``a=2,b=3`` -> ``{"a": 2, "b": 3}``."""
    sizes: dict[str, int] = {}
    if not text:
        return sizes
    for item in text.split(","):
        name, sep, value = item.strip().partition("=")
        if sep and value.strip().startswith("-") and value.strip()[1:].isdigit():
            raise _UsageError(f"--sizes: a size is a non-negative integer, got {item!r}")
        if not sep or not name.strip().isidentifier() or not value.strip().isdigit():
            raise _UsageError(f"--sizes wants NAME=INT pairs separated by commas, got {item!r}")
        if len(value.strip().lstrip("0")) > dims.MAX_INT_DIGITS:
            raise _UsageError(f"--sizes: {name.strip()} has more than {dims.MAX_INT_DIGITS} digits")
        sizes[name.strip()] = int(value)
    return sizes


def load_library(paths: list[str] | None) -> Library:
    """The built-ins with each ``--rules FILE`` on top, in order; a file that
    does not load is a usage error (``FILE:LINE:COL: message``)."""
    library = builtins()
    for path in paths or ():
        try:
            library = load_rules(Path(path), library)
        except RuleError as e:
            raise _UsageError(str(e), bare=True) from None
    return library


def _json_line(value) -> str:
    """``value`` as one line of JSON (imported here: only ``--json`` needs it)."""
    import json
    return json.dumps(value)


def _exit_code(err: ShapeError) -> int:
    return EXIT_USAGE if is_syntax_error(err) else EXIT_SHAPE_ERROR


def _eval_one(text: str, sizes: dict, as_json: bool, out, err, library=None,
              strict: bool = False, line: int | None = None) -> int:
    """Evaluate one expression and print the answer; its exit status.
    ``line``: the standard-input line number, for ``eval -`` (JSON carries it)."""
    e: ShapeError | None = None
    try:
        result = _infer_for_cli(text, sizes, library, strict)
    except ShapeError as raised:
        e = raised
    except Exception as bug:  # noqa: BLE001 - one bad line must not stop a stream
        e = ShapeError("internal", type(bug).__name__,
                       f"internal error: {bug}; this is a bug in shapeinfer, please report it",
                       (0, len(text)))
    numbered = {} if line is None else {"line": line}
    if e is not None:
        if as_json:
            print(_json_line({**numbered, **error_json(text, e)}), file=out)
        else:
            print(f"{e.render(text)}\n[{e.code}]", file=err)
        return EXIT_INTERNAL if e.code == "internal" else _exit_code(e)
    print(_json_line({**numbered, **result.to_json()}) if as_json else result.describe(), file=out)
    return EXIT_OK


def _infer_for_cli(text: str, sizes: dict, library, strict: bool):
    """:func:`infer`; in a stream (``eval -``) each line takes the sizes it uses
    (a single EXPR was checked by :func:`_refuse_unused_sizes` first)."""
    try:
        return infer(text, sizes=sizes, rules=library, strict=strict)
    except UnusedSizeError as e:
        used = {k: v for k, v in sizes.items() if k not in e.unused}
        return infer(text, sizes=used, rules=library, strict=strict)


def _refuse_unused_sizes(text: str, sizes: dict, library) -> None:
    """``--sizes`` naming a size ``text`` does not use: a usage error, as for
    ``eval``. Text that does not parse is left to the command to report."""
    try:
        with deep_recursion(text):
            check_size_names(sizes, parse(text), library)
    except ShapeError:
        pass
    except UnusedSizeError as e:
        raise _UsageError(f"--sizes {e.problem}") from None


def cmd_eval(args, out, err) -> int:
    sizes = parse_sizes(args.sizes)
    library = load_library(args.rules)
    if args.expr != "-":
        if sizes:  # (none given, none unused: no walk over the program)
            _refuse_unused_sizes(args.expr, sizes, library)
        return _eval_one(args.expr, sizes, args.json, out, err, library, args.strict)
    # One expression per line; a bad line never stops the stream. With --json
    # every line gets exactly one answer (a blank or comment-only line is the
    # error `empty`, which does not change the exit status), numbered from 1.
    worst = EXIT_OK
    for number, line in enumerate(sys.stdin, start=1):
        text = line.rstrip("\r\n")
        if is_blank(text):
            if args.json:
                _eval_one(text, sizes, True, out, err, library, args.strict, number)
            continue
        worst = max(worst, _eval_one(text, sizes, args.json, out, err, library, args.strict,
                                     number))
        out.flush()
    return worst


def cmd_check(args, out, err) -> int:
    sizes = parse_sizes(args.sizes)
    if args.samples < 1:
        raise _UsageError(f"--samples wants a positive number of cases, got {args.samples}")
    library = load_library(args.rules)
    from . import JAX_MISSING, check
    try:
        from . import oracle
    except ImportError as e:  # the checker is the one command that needs JAX
        if (e.name or "").split(".")[0] not in ("jax", "jaxlib"):
            raise
        raise _UsageError(JAX_MISSING) from None
    try:
        report = check(args.expr, sizes=sizes, samples=args.samples, seed=args.seed,
                       symbolic=args.symbolic, rules=library, strict=args.strict,
                       violate=args.violate)
    except ShapeError as e:
        print(f"{e.render(args.expr)}\n[{e.code}]", file=err)
        return _exit_code(e)
    except oracle.CheckOptionError as e:
        raise _UsageError(str(e)) from None
    if args.json:
        print(_json_line(report.to_json()), file=out)
    else:
        for case in report.cases:
            sizes_txt = ", ".join(f"{k}={v}" for k, v in case.sizes.items()) or (
                "symbolic" if args.symbolic else "(no sizes)")
            if case.note:  # where the answer's guards hold, or not (--violate)
                sizes_txt += f" ({case.note})"
            if case.oracle is None:
                print(f"unchecked  {sizes_txt}: {case.unchecked} ({case.engine})", file=out)
            elif not case.disagreed:
                print(f"agree      {sizes_txt}: {case.engine}", file=out)
            else:
                print(f"DISAGREE   {sizes_txt}:\n  shapeinfer: {case.engine}\n"
                      f"  jax:        {case.oracle}", file=out)
        n, bad = len(report.cases), len(report.disagreements)
        unchecked = n - report.checked
        summary = f"{n - bad - unchecked} of {n} cases agree with jax.eval_shape"
        if unchecked:  # never counted as agreeing: JAX did not run them
            summary += f"; {unchecked} unchecked"
        print(summary, file=out)
    return check_status(report)


def check_status(report) -> int:
    """1 if a case disagrees; 5 if JAX ran no case (all unchecked), since
    nothing was verified; 0 if every case JAX ran agreed."""
    if report.disagreements:
        return EXIT_SHAPE_ERROR
    if not report.checked:
        return EXIT_NOTHING_CHECKED
    return EXIT_OK


def _add_rules_option(p):
    p.add_argument("--rules", action="append", metavar="FILE",
                   help="load operation rules from FILE on top of the built-ins "
                        "(repeatable; later rules override earlier ones)")


def _add_strict_option(p):
    p.add_argument("--strict", action="store_true",
                   help="answer as JAX's symbolic shapes do: a size condition that cannot be "
                        "decided is an error, not a guard (docs/symbolic.md)")


def cmd_rules(args, out, err) -> int:
    from .rules import catalog

    library = load_library(args.rules)
    if args.markdown:
        print(catalog.operations_markdown(library), file=out, end="")
        return EXIT_OK
    if args.name:
        rule = library.rule(args.name)
        if rule is None:
            kind = "a transformation" if args.name in library else "not a known operation"
            raise _UsageError(f"{args.name!r} is {kind}; `shapeinfer rules` lists the rules")
        also = catalog.aliases_in(library, rule)
        print(catalog.rule_text(rule), file=out)
        if also:
            print(f"  also reachable as {', '.join(also)}", file=out)
        print(f"  from {rule.source}:{rule.loc[0]}", file=out)
        return EXIT_OK
    for rule in catalog.current_rules(library):
        print(catalog.signature(rule), file=out)
    return EXIT_OK


def cmd_explain(args, out, err) -> int:
    from .explain import explain

    sizes = parse_sizes(args.sizes)
    library = load_library(args.rules)
    _refuse_unused_sizes(args.expr, sizes, library)
    try:
        explanation = explain(args.expr, sizes=sizes, rules=library)
    except ShapeError as e:  # text that does not parse
        print(f"{e.render(args.expr)}\n[{e.code}]", file=err)
        return _exit_code(e)
    print(_json_line(explanation.to_json()) if args.json else explanation.render(), file=out)
    return EXIT_OK if explanation.error is None else _exit_code(explanation.error)


def _table(args):
    """The rows of EXPR's ? placeholders, or a usage error."""
    from .teach import Table, TableError

    sizes = parse_sizes(args.sizes)
    library = load_library(args.rules)
    try:
        return Table(args.expr, sizes=sizes, rules=library)
    except TableError as e:
        raise _UsageError(str(e)) from None


def cmd_table(args, out, err) -> int:
    table = _table(args)
    if args.json:
        for row in table.rows:
            print(_json_line(row.to_json()), file=out)
    else:
        print(table.render_grouped() if args.group else table.render(), file=out)
    return EXIT_OK


def cmd_solve(args, out, err) -> int:
    from .teach import TableError, solve, wanted_shape

    try:
        want = wanted_shape(args.want)
    except TableError as e:
        raise _UsageError(f"--want: {e}") from None
    table = _table(args)
    solution = solve(table, want)
    print(_json_line(solution.to_json()) if args.json else solution.render(), file=out)
    return EXIT_OK if solution.matches else EXIT_SHAPE_ERROR


def cmd_repl(args, out, err) -> int:
    from .repl import main as repl_main

    return repl_main(rules=args.rules, out=out, err=err)


def cmd_lint(args, out, err) -> int:
    """``shapeinfer lint PATH...``: exit 0 clean, 1 findings, 2 usage error."""
    from .lint import cli as lint_cli

    problem = lint_cli.apply_config(args)
    if problem:
        raise _UsageError(problem)
    load_library(args.rules)  # a rule file that does not load is a usage error, up front
    result = lint_cli.run(args, out)
    if isinstance(result, str):
        raise _UsageError(result)
    return result


def cmd_completion(args, out, err) -> int:
    from .completion import script

    print(script(build_parser(), args.shell), file=out, end="")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shapeinfer",
        description="Symbolic shape inference for JAX programs.")
    parser.add_argument("--version", action="version", version=f"shapeinfer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("eval", help="infer the shape of an expression",
                       description="Infer the shapes an expression produces. "
                                   "EXPR '-' reads one expression per line from standard input.")
    p.add_argument("expr", metavar="EXPR")
    p.add_argument("--json", action="store_true", help="print one JSON object per expression")
    p.add_argument("--sizes", metavar="a=2,b=3", help="substitute concrete sizes first")
    _add_strict_option(p)
    _add_rules_option(p)
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("check", help="compare the answer with jax.eval_shape",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Run the expression through jax.eval_shape at concrete "
                                   "sizes and compare with shapeinfer's answer.\n"
                                   "Needs JAX: pip install \"shapeinfer[jax]\".",
                       epilog="exit status: 0 every case JAX ran agreed (some may be "
                              "unchecked); 1 a case disagrees;\n"
                              "2 usage error, unparseable expression or JAX not installed; "
                              "3 internal error;\n"
                              "5 nothing was checked: JAX ran no case (all unchecked).")
    p.add_argument("expr", metavar="EXPR")
    p.add_argument("--sizes", metavar="a=2,b=3", help="check at these sizes only")
    p.add_argument("--samples", type=int, default=8, metavar="N",
                   help="check N size assignments when --sizes does not fix every "
                        "symbol (default 8; seeded, see --seed)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="sampling seed")
    p.add_argument("--violate", action="store_true",
                   help="also try sizes that violate the answer's guards, and show what JAX "
                        "does there (the engine's answer at those sizes is compared as usual)")
    p.add_argument("--symbolic", action="store_true",
                   help="compare with jax.eval_shape on jax.export.symbolic_shape sizes")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_strict_option(p)
    _add_rules_option(p)
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("rules", help="list the operation rules, or print one",
                       description="List every operation's signature, or print the rule of "
                                   "NAME (its clauses, dtype and derivative rules, callable).")
    p.add_argument("name", metavar="NAME", nargs="?")
    p.add_argument("--markdown", action="store_true",
                   help="print the operations reference page (docs/operations.md)")
    _add_rules_option(p)
    p.set_defaults(run=cmd_rules)

    p = sub.add_parser("explain", help="print the derivation of an answer, step by step",
                       description="Evaluate EXPR and print each step: every call with its "
                                   "arguments and result, each vmap's mapped axes, per-example "
                                   "shapes and out_axes, the rule clause each operation "
                                   "matched and how its dims were bound, what grad and jit did, "
                                   "and the step that failed.")
    p.add_argument("expr", metavar="EXPR")
    p.add_argument("--json", action="store_true", help="print the steps as one JSON object")
    p.add_argument("--sizes", metavar="a=2,b=3", help="substitute concrete sizes first")
    _add_rules_option(p)
    p.set_defaults(run=cmd_explain)

    p = sub.add_parser("table", help="fill ? placeholders with every in_axes / out_axes",
                       description="Fill each ? of EXPR that stands for a vmap's in_axes or "
                                   "out_axes (or a part of one, in nested vmaps too) or an "
                                   "operation's axis with every valid value and print one row "
                                   "per combination: the shape, or the error's code.")
    p.add_argument("expr", metavar="EXPR")
    p.add_argument("--group", action="store_true", help="group the rows with the same answer")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per row: the filled-in expr, the fields of "
                        "eval --json, and fill (the placeholders' values)")
    p.add_argument("--sizes", metavar="a=2,b=3", help="substitute concrete sizes first")
    _add_rules_option(p)
    p.set_defaults(run=cmd_table)

    p = sub.add_parser("solve", help="find the in_axes / out_axes that give a shape",
                       description="List the settings of EXPR's ? placeholders (see table) "
                                   "whose result has the wanted shape; if none has, say so "
                                   "and list the closest. Exit 0 found, 1 none, 2 usage.")
    p.add_argument("expr", metavar="EXPR")
    p.add_argument("--want", required=True, metavar="SHAPE", help="the wanted shape, e.g. '(a, b)'")
    p.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    p.add_argument("--sizes", metavar="a=2,b=3", help="substitute concrete sizes first")
    _add_rules_option(p)
    p.set_defaults(run=cmd_solve)

    p = sub.add_parser("repl", help="an interactive shape calculator",
                       description="Read expressions and bindings and answer each. With "
                                   "standard input not a terminal, read and answer line by "
                                   "line (scripted mode; see docs/repl.md).")
    _add_rules_option(p)
    p.set_defaults(run=cmd_repl)

    from .lint_options import add_arguments as add_lint_arguments
    p = sub.add_parser("lint", help="check jaxtyping shape annotations in Python files",
                       description="Prove the jaxtyping shape annotations of Python files "
                                   "for all sizes, without importing or running them "
                                   "(docs/lint.md lists the finding codes).")
    add_lint_arguments(p)
    _add_rules_option(p)
    p.set_defaults(run=cmd_lint)

    p = sub.add_parser("completion", help="print a shell completion script (bash or zsh)",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Print the completion script for SHELL. To use it:\n"
                                   "  bash: source <(shapeinfer completion bash)   "
                                   "(e.g. in ~/.bashrc)\n"
                                   "  zsh:  source <(shapeinfer completion zsh)    "
                                   "(e.g. in ~/.zshrc)")
    p.add_argument("shell", choices=("bash", "zsh"), metavar="SHELL", help="bash or zsh")
    p.set_defaults(run=cmd_completion)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse already printed the usage message
        return EXIT_USAGE if e.code else EXIT_OK
    if not getattr(args, "run", None):
        if not argv and sys.stdin.isatty() and sys.stdout.isatty():
            return cmd_repl(argparse.Namespace(rules=None), sys.stdout, sys.stderr)
        parser.print_help(sys.stderr)  # not a terminal: scripts get the usage, as before
        return EXIT_USAGE
    try:
        return args.run(args, sys.stdout, sys.stderr)
    except _UsageError as e:
        print(str(e) if e.bare else f"shapeinfer: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `shapeinfer rules | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - the last guard against a traceback
        print(f"shapeinfer: internal error: {type(e).__name__}: {e}\n"
              "This is a bug in shapeinfer; please report it with the expression.",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
