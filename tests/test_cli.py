"""The ``shapeinfer`` command, run as a real subprocess (SPEC sections 5 and 6).

Exit codes: 0 success, 1 a shape error (or a disagreement), 2 usage error or
unparseable input. No output ever contains a Python traceback.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import shapeinfer
from shapeinfer import cli, completion

ROOT = Path(__file__).resolve().parent.parent
OK_KEYS = {"ok", "expr", "result", "leaves", "guards"}
ERROR_KEYS = {"ok", "expr", "error"}
ERROR_FIELDS = {"code", "exception", "message", "span"}


def _spawn(argv: tuple, stdin: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), input=stdin, capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**os.environ, "PYTHONUNBUFFERED": "1"})


# Each command starts a Python (and `check` imports JAX), so the slow ones
# are started together in the background when the module's first test runs;
# `run` picks up a started result or runs the command itself.
_started: dict = {}
SLOW = [  # (args, stdin)
    (("check", "vmap(add, (0, None), 1)((a,b), (a,b))", "--sizes", "a=2,b=3"), None),
    (("check", "--json", "vmap(vmap(add, (0, None), 1), (1, None), 0)((b,a,c), (c,))",
      "--samples", "2", "--seed", "1"), None),
    (("check", "vmap(add, (0, 1), 0)((2,3,5,7,9), (2,3,5,7,9))"), None),
    (("check", "vmap(add,, 0)"), None),
]


@pytest.fixture(scope="module", autouse=True)
def _start_slow_commands():
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for args, stdin in SLOW:
            argv = (sys.executable, "-m", "shapeinfer", *args)
            _started[argv, stdin] = pool.submit(_spawn, argv, stdin)
        yield
        _started.clear()


def run(*args: str, stdin: str | None = None, command=None) -> subprocess.CompletedProcess:
    argv = (*(command or (sys.executable, "-m", "shapeinfer")), *args)
    started = _started.get((argv, stdin))
    proc = started.result() if started is not None else _spawn(argv, stdin)
    assert "Traceback" not in proc.stdout and "Traceback" not in proc.stderr, proc.stderr
    return proc


# ---------------------------------------------------------------- eval

def test_eval_prints_the_shape():
    p = run("eval", "vmap(add, (0, None), 1)((a,b,c), (a,b,c))")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "(a, a, b, c)"
    assert p.stderr == ""


def test_eval_with_sizes():
    p = run("eval", "vmap(add, (0, None), 1)((a,b,c), (a,b,c))", "--sizes", "a=2,b=3,c=4")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "(2, 2, 3, 4)"


def test_eval_shape_error_exits_1_with_a_caret():
    expr = "vmap(add, (None, 1), 0)((2,3,5,7,9), (2,3,5,7,9))"
    p = run("eval", expr)
    assert p.returncode == 1
    assert p.stdout == ""
    err = p.stderr.splitlines()
    assert err[0].startswith("ValueError:")
    assert "(2, 5, 7, 9)" in err[0]
    # the expression, then carets under `add`
    src = next(i for i, line in enumerate(err) if line.endswith(expr))
    carets = err[src + 1]
    assert carets.strip() == "^^^"
    assert carets.index("^") == err[src].index(expr) + expr.index("add")
    assert "broadcast" in p.stderr  # the error code is shown


def test_eval_syntax_error_exits_2():
    p = run("eval", "vmap(add,, 0)")
    assert p.returncode == 2
    assert p.stdout == ""
    assert "SyntaxError" in p.stderr
    assert "^" in p.stderr


def test_eval_json_success():
    expr = "vmap(add, (0, None), 1)((a,b,c), (a,b,c))"
    p = run("eval", "--json", expr)
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == OK_KEYS
    assert obj == {"ok": True, "expr": expr, "result": "(a, a, b, c)",
                   "leaves": [["a", "a", "b", "c"]], "guards": []}


def test_eval_json_error():
    expr = "vmap(add, (0, 1), 0)((2,3,5,7,9), (2,3,5,7,9))"
    p = run("eval", "--json", expr)
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == ERROR_KEYS and obj["ok"] is False and obj["expr"] == expr
    error = obj["error"]
    assert set(error) == ERROR_FIELDS
    assert error["code"] == "vmap-inconsistent-sizes"
    assert error["exception"] == "ValueError"
    start, end = error["span"]
    assert 0 <= start <= end <= len(expr)
    assert "size 2" in error["message"] and "size 3" in error["message"]


def test_eval_json_stream_never_stops():
    exprs = [
        "sin((a,))",
        "add((2,), (3,))",                      # shape error
        "(a b",                                 # does not parse
        "vmap(sin)((n, m))",
        "vmap(add, (0, 1))((2, 3), (2, 3))",    # vmap error
        ")))(((",                               # does not parse
        "x = (b, n); add(x, x)",
        "jnp.nonexistent((a,))",                # unknown name
        "vmap(lambda x, y: (x, y), (0, None), (0, None))((2,3), (4,))",
        "((2*n, n + 1), (a*b,))",
    ]
    p = run("eval", "--json", "-", stdin="\n".join(exprs) + "\n")
    lines = p.stdout.splitlines()
    assert len(lines) == len(exprs), p.stdout
    objs = [json.loads(line) for line in lines]
    assert [o["expr"] for o in objs] == exprs
    assert [o["ok"] for o in objs] == [True, False, False, True, False, False, True, False,
                                       True, True]
    assert [o["line"] for o in objs] == list(range(1, len(exprs) + 1))
    for o in objs:
        assert set(o) == {"line"} | (OK_KEYS if o["ok"] else ERROR_KEYS)
        if not o["ok"]:
            assert set(o["error"]) == ERROR_FIELDS
    assert [o["error"]["code"] for o in objs if not o["ok"]] == [
        "broadcast", "syntax", "vmap-inconsistent-sizes", "syntax", "unknown-name"]
    assert objs[0]["result"] == "(a,)"
    assert objs[3]["result"] == "(n, m)"
    assert objs[6]["result"] == "(b, n)"
    assert objs[8]["result"] == "((2, 3), (4,))"
    assert objs[8]["leaves"] == [[2, 3], [4]]  # concrete dims are JSON integers
    # symbolic dims are their text
    assert objs[9]["leaves"] == [["2*n", "n + 1"], ["a*b"]]
    # the unparseable line's span points at the offending token
    assert objs[2]["error"]["exception"] == "SyntaxError"
    assert objs[2]["error"]["span"] == [3, 4]
    assert p.returncode == 2  # the worst line was unparseable


def test_eval_json_stream_with_a_shape_error_exits_1():
    lines = ["sin((a,))", "add((2,), (3,))", "(b, c)"]
    p = run("eval", "--json", "-", stdin="\n".join(lines) + "\n")
    assert p.returncode == 1
    assert len(p.stdout.splitlines()) == len(lines)


def test_eval_json_stream_answers_every_line():
    """Blank and comment-only lines get an answer too (code ``empty``), so
    output line N answers input line N; they leave the exit status alone."""
    lines = ["sin((a,))", "", "   # a comment", "(b, c)", "\t"]
    p = run("eval", "--json", "-", stdin="\n".join(lines) + "\n")
    objs = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o["line"] for o in objs] == [1, 2, 3, 4, 5]
    assert [o["expr"] for o in objs] == lines
    assert [o["ok"] for o in objs] == [True, False, False, True, False]
    for o in (objs[1], objs[2], objs[4]):
        assert o["error"]["code"] == "empty" and o["error"]["exception"] == "SyntaxError"
    assert p.returncode == 0


def test_eval_stream_sizes_apply_to_the_lines_that_use_them():
    p = run("eval", "--json", "--sizes", "n=2", "-", stdin="(n, a)\n(a,)\n")
    assert [json.loads(line)["leaves"] for line in p.stdout.splitlines()] == [[[2, "a"]],
                                                                             [["a"]]]
    assert p.returncode == 0


def test_eval_sizes_naming_an_unused_size_is_a_usage_error():
    p = run("eval", "(n, a)", "--sizes", "m=2")
    assert p.returncode == 2
    assert "--sizes gives m, which the program does not use as a size" in p.stderr
    assert "its size names: n, a" in p.stderr


def test_explain_sizes_naming_an_unused_size_is_a_usage_error(capsys):
    assert cli.main(["explain", "--sizes", "m=2", "(n, a)"]) == 2
    assert "--sizes gives m, which the program does not use" in capsys.readouterr().err
    assert cli.main(["explain", "--sizes", "n=2", "(n, a)"]) == 0


def test_eval_double_dash_takes_an_expression_that_starts_with_a_minus():
    p = run("eval", "--", "-(a,)")
    assert (p.returncode, p.stdout) == (0, "(a,)\n")
    assert run("eval", "--json", "--", "-(a,)").stdout.startswith('{"ok": true')


def test_a_huge_failing_program_echoes_a_window_not_the_program():
    program = "[" + ", ".join(["(a,)"] * 20_000) + ", foo]"  # about 120 KB
    p = run("eval", program)
    assert p.returncode == 1
    assert len(p.stderr) < 1000, len(p.stderr)
    excerpt, carets = p.stderr.splitlines()[1:3]
    assert excerpt.startswith("  ...") and excerpt.endswith(", foo]")
    assert carets.strip() == "^^^" and carets.index("^") == excerpt.index("foo")


def test_eval_plain_stream():
    p = run("eval", "-", stdin="sin((a,))\nadd((2,), (3,))\n(b, c)\n")
    assert p.stdout.splitlines() == ["(a,)", "(b, c)"]
    assert "TypeError" in p.stderr
    assert p.returncode == 1


# ---------------------------------------------------------------- check

def test_check_with_sizes_agrees():
    p = run("check", "vmap(add, (0, None), 1)((a,b), (a,b))", "--sizes", "a=2,b=3")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "agree" in p.stdout
    assert "DISAGREE" not in p.stdout
    assert "(2, 2, 3)" in p.stdout
    assert "1 of 1 cases agree" in p.stdout


def test_check_with_samples():
    p = run("check", "--json", "vmap(vmap(add, (0, None), 1), (1, None), 0)((b,a,c), (c,))",
            "--samples", "2", "--seed", "1")
    assert p.returncode == 0, p.stdout + p.stderr
    report = json.loads(p.stdout)
    assert report["agreed"] is True
    assert len(report["cases"]) == 2
    assert all(case["agreed"] and case["jax"] for case in report["cases"])
    assert len({tuple(sorted(case["sizes"].items())) for case in report["cases"]}) == 2


def test_check_agrees_on_an_error():
    # both sides reject the program with the same exception class: that is agreement
    p = run("check", "vmap(add, (0, 1), 0)((2,3,5,7,9), (2,3,5,7,9))")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ValueError" in p.stdout
    assert "1 of 1 cases agree" in p.stdout


def test_check_syntax_error_exits_2():
    p = run("check", "vmap(add,, 0)")
    assert p.returncode == 2
    assert "SyntaxError" in p.stderr


# ---------------------------------------------------------------- usage errors

@pytest.mark.parametrize("args", [
    pytest.param((), id="no command"),
    pytest.param(("frobnicate",), id="unknown command"),
    pytest.param(("eval",), id="eval without EXPR"),
    pytest.param(("eval", "(a,)", "--sizes", "a=x"), id="sizes not an int"),
    pytest.param(("eval", "(a,)", "--sizes", "a"), id="sizes without ="),
    pytest.param(("eval", "(a,)", "--sizes", "a=2,,b"), id="sizes with an empty item"),
    pytest.param(("check", "(a,)", "--samples", "many"), id="samples not an int"),
])
def test_usage_errors_exit_2(args):
    p = run(*args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.strip()


def test_version_and_help_exit_0():
    p = run("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"shapeinfer {shapeinfer.__version__}"
    p = run("--help")
    assert p.returncode == 0 and "eval" in p.stdout and "check" in p.stdout


def _commands() -> list[str]:
    return sorted(completion._subcommands(cli.build_parser()))


def test_the_command_list_is_complete():
    assert _commands() == sorted(["eval", "check", "rules", "explain", "table", "solve",
                                  "repl", "lint", "completion"])


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command, capsys):
    """In-process (a subprocess per command would cost seconds)."""
    assert cli.main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: shapeinfer {command}")
    assert "options:" in out and "-h, --help" in out


# ---------------------------------------------------------------- completion

def _complete(shell_script: str, *words: str) -> list[str]:
    """What bash offers for the command line ``words`` (the last one is
    being completed), with ``shell_script`` sourced."""
    driver = (f"{shell_script}\n"
              'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _shapeinfer\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    p = subprocess.run(["bash", "-c", driver, "bash", *words], capture_output=True,
                       text=True, timeout=30, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    return [w for w in p.stdout.splitlines() if w]


def test_bash_completion():
    p = run("completion", "bash")
    assert p.returncode == 0
    script = p.stdout
    assert "complete -o default -F _shapeinfer shapeinfer" in script
    assert _complete(script, "shapeinfer", "e") == ["eval", "explain"]
    assert _complete(script, "shapeinfer", "eval", "--s") == ["--sizes", "--strict"]
    assert _complete(script, "shapeinfer", "check", "(a,)", "--v") == ["--violate"]
    assert _complete(script, "shapeinfer", "lint", "--format", "s") == ["sarif"]
    assert _complete(script, "shapeinfer", "completion", "") == ["bash", "zsh"]
    assert "README.md" in _complete(script, "shapeinfer", "eval", "--rules", "READ")


def test_zsh_completion_wraps_the_bash_function():
    """zsh runs the same function through bashcompinit (zsh itself is not
    installed here, so this checks the script's shape)."""
    script = cli_output("completion", "zsh")
    assert script.startswith("#compdef shapeinfer\n")
    assert "bashcompinit" in script
    assert cli_output("completion", "bash") in script


def cli_output(*args: str) -> str:
    out = io.StringIO()
    assert cli.cmd_completion(cli.build_parser().parse_args(args), out, out) == 0
    return out.getvalue()


# ---------------------------------------------------------------- the installed script

def test_console_script():
    exe = Path(sys.executable).parent / ("shapeinfer.exe" if os.name == "nt" else "shapeinfer")
    if not exe.exists():
        pytest.skip(f"no console script next to {sys.executable}")
    p = run("eval", "vmap(lambda x: x, None, 0, axis_size=5)((2,3))", command=[str(exe)])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "(5, 2, 3)"


# ---------------------------------------------------------------- JAX stays out

def test_import_does_not_import_jax():
    code = (
        "import sys\n"
        "import shapeinfer, shapeinfer.cli\n"
        "assert 'jax' not in sys.modules, 'import'\n"
        "str(shapeinfer.infer('vmap(add, (0, None), 1)((a,b,c), (a,b,c))'))\n"
        "try:\n"
        "    shapeinfer.infer('vmap(add, (0, 1))((2, 3), (2, 3))')\n"
        "except shapeinfer.ShapeError:\n"
        "    pass\n"
        "assert 'jax' not in sys.modules, 'infer'\n"
        "assert not any(m == 'jax' or m.startswith('jax.') for m in sys.modules)\n"
        "from shapeinfer.cli import main\n"
        "assert main(['eval', 'sin((a,))']) == 0\n"
        "assert 'jax' not in sys.modules, 'cli eval'\n"
        "print('clean')\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines() == ["(a,)", "clean"]
