"""The REPL: the session (every command), the interactive front end driven
through prompt_toolkit's pipe input, and the scripted mode in a subprocess."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import shapeinfer
from shapeinfer.repl import (Session, completions_for, history_path, make_completer,
                             make_lexer, make_prompt, open_brackets, run_interactive, token_classes)

FIXTURES = Path(__file__).parent / "rules_fixture"


def answers(*inputs):
    session = Session()
    return session, [session.handle(text) for text in inputs]


# ---------------------------------------------------------------- the session

def test_bindings_are_kept_and_agree_with_the_whole_program():
    session, (x, f, out) = answers("x = (b, n)", "f = vmap(add, (0, None))", "f(x, x)")
    assert (x.text, f.text, out.text) == ("x = (b, n)", "f = vmap(add)", "(b, b, n)")
    assert session.names == ["x", "f"]
    # the same program in one piece gives the same answer, and JAX agrees
    program = "x = (b, n)\nf = vmap(add, (0, None))\nf(x, x)"
    assert str(shapeinfer.infer(program)) == "(b, b, n)"
    assert shapeinfer.check(program, samples=2).agreed


def test_errors_put_the_caret_under_the_input():
    _, (_, bad) = answers("x = (b, n)", "sum(x, axis=5)")
    assert bad.status == 1
    assert bad.error == ("ValueError: axis 5 is out of bounds for array of dimension 2 "
                         "(shape (b, n))\n"
                         "  sum(x, axis=5)\n  ^^^\n[axis-out-of-range]")
    _, (syntax,) = answers("sum((a,), axis=")
    assert syntax.status == 2 and syntax.error.endswith("[syntax]")


def test_a_failed_binding_is_not_kept():
    session, (bad, good) = answers("y = sum((a,), axis=3)", "y = (a,)")
    assert bad.error.endswith("[axis-out-of-range]") and good.text == "y = (a,)"
    assert session.statements == ["y = (a,)"]


def test_assume_is_a_fact_of_the_session():
    _, answered = answers("assume a == 1", "add((a,), (b,))")
    assert answered[-1].text == "(b,)"
    _, answered = answers("add((a,), (b,))")
    assert answered[-1].text == "(a,)  if a == b"


def test_commands():
    session = Session()
    assert ":sizes a=2" in session.handle(":help").text
    assert session.handle(":rules").text.count("\n") > 100
    assert "rule matmul" in session.handle(":rules matmul").text
    assert session.handle(":rules nosuch").status == 2
    assert session.handle(":sizes n=3").text == "sizes: n=3"
    assert session.handle("(n, m)").text == "(3, m)"
    assert session.handle(":sizes -").text == "sizes: none (answers are symbolic)"
    assert session.handle(":sizes n=x").status == 2
    strict = session.handle(":strict on")
    assert "strict mode on" in strict.text and strict.status == 0
    assert session.handle("add((a,), (b,))").error.endswith("[broadcast]")
    assert session.handle(":strict off").text.startswith("strict mode off")
    assert session.handle("add((a,), (b,))").text == "(a,)  if a == b"
    assert session.handle(":nosuch").status == 2
    assert session.handle(":quit").quit


def test_load_rules_file(tmp_path):
    session = Session()
    assert session.handle("plain((a,), (a,))").error.endswith("[unknown-name]")
    assert session.handle(f":load {FIXTURES / 'derivatives.rules'}").text.startswith("loaded")
    assert session.handle("plain((a,), (a,))").text == "(a,)"
    broken = tmp_path / "broken.rules"
    broken.write_text("rule f:\n    (n -> (n,)\n")
    wrong = session.handle(f":load {broken}")
    assert wrong.status == 2 and "broken.rules:2:" in wrong.error, wrong.error
    assert session.handle(":load /no/such/file.rules").status == 2


def test_check_explain_and_table_use_the_bindings():
    session, _ = answers("x = (a, b, c)", "vmap(add, (0, None), 1)(x, x)")
    check = session.handle(":check")
    assert check.status == 0 and check.text.endswith("3 of 3 cases agree with jax.eval_shape")
    explained = session.handle(":explain").text
    assert "per-example arguments: (b, c), (a, b, c)" in explained
    assert explained.endswith("result: (a, a, b, c)")
    table = session.handle(":table vmap(add, ?, 0)(x, x)").text
    assert table.splitlines()[0].split() == ["in_axes", "result"]
    assert "(a, a, b, c)" in table
    assert session.handle(":table (a,)").status == 2
    guarded = session.handle(":explain vmap(add, (0, 1))(x, x)")  # x = (a, b, c)
    assert guarded.text.endswith("result: (a, b, c)  if a == b")
    failed = session.handle(":explain vmap(add, (0, 1))((2, 3), (2, 3))")
    assert "fails: ValueError" in failed.text and failed.error.endswith("[vmap-inconsistent-sizes]")
    assert Session().handle(":check").status == 2


def test_solve_and_grouped_table_use_the_bindings():
    session, _ = answers("x = (a, b, c)")
    solved = session.handle(":solve vmap(add, ?, ?)(x, x) --want (a, a, b, c)")
    assert solved.status == 0
    assert "  in_axes=(0, None), out_axes=1  ->  (a, a, b, c)" in solved.text.splitlines()
    for line in solved.text.splitlines():  # each listed setting gives the shape, JAX agrees
        fill = line.split("  ->  ")[0].strip()
        in_axes, out_axes = fill[len("in_axes="):].split(", out_axes=")
        program = f"x = (a, b, c)\nvmap(add, {in_axes}, {out_axes})(x, x)"
        assert str(shapeinfer.infer(program)) == "(a, a, b, c)"
    assert shapeinfer.check("x = (a, b, c)\nvmap(add, (0, None), 1)(x, x)", samples=2).agreed
    none = session.handle(":solve vmap(add, (0, ?), 0)(x, x) --want (c,)")
    assert none.status == 1 and none.text.startswith("none of the")
    assert session.handle(":solve vmap(add, ?, 0)(x, x)").status == 2  # no --want
    assert session.handle(":solve vmap(add, ?, 0)(x, x) --want add").status == 2
    grouped = session.handle(":table --group vmap(add, (0, None), ?)(x, x)").text
    assert grouped.startswith("vmap-out-axes-none  (1 row)")
    # a ? the table cannot fill is pointed at in the input, not in the bindings
    wrong = session.handle(":table reshape(x, ?)")
    assert wrong.status == 2 and "\n  reshape(x, ?)\n             ^\n" in wrong.error


def test_an_internal_error_is_an_answer_not_a_traceback(monkeypatch):
    session = Session()
    monkeypatch.setattr(session, "evaluate", lambda text: 1 / 0)
    answer = session.handle("(a,)")
    assert answer.status == 3 and answer.error.startswith("internal error: ZeroDivisionError")
    assert session.handle(":sizes").text.startswith("sizes")  # the session goes on


def test_open_brackets():
    assert open_brackets("vmap(add, (0,") == 2
    assert open_brackets("f('(', # (\n)") == 0


def test_completion_words():
    session, _ = answers("weights = (a, b)")
    assert completions_for("vma", session)[:1] == ["vmap"]
    assert "weights" in completions_for("sum(wei", session)
    assert completions_for("lamb", session) == ["lambda"]
    assert completions_for(":ex", session) == [":exp" "lain"]
    assert "matmul" in completions_for(":rules mat", session)
    assert "jnp.matmul" in completions_for("jnp.matm", session)
    completer = make_completer(session)
    found = [c.text for c in completer.get_completions(Document(":ta"), None)]
    assert found == [":table"]


def test_highlighting():
    session, _ = answers("w = (a,)")
    pieces = token_classes("vmap(lambda x: w, 0)  # hi", session)
    assert ("class:operation", "vmap") in pieces and ("class:keyword", "lambda") in pieces
    assert ("class:bound", "w") in pieces and ("class:number", "0") in pieces
    assert ("class:comment", "# hi") in pieces
    assert token_classes(":help", session) == [("class:command", ":help")]
    lexer = make_lexer(session)
    lines = lexer.lex_document(Document("vmap(add,\n  (0, None))"))
    assert lines(0)[0] == ("class:operation", "vmap")
    assert ("class:keyword", "None") in lines(1) and lines(2) == []


def test_history_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert history_path() == tmp_path / "shapeinfer" / "history"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert history_path() == tmp_path / ".local" / "share" / "shapeinfer" / "history"


# ---------------------------------------------------------------- interactive

def drive(*chunks: str, history=None, session=None) -> str:
    """Type ``chunks`` into the interactive REPL, a little apart (completion
    runs asynchronously, so a Tab needs a moment before the next key); what
    it printed. A last Ctrl-D makes sure the session ends."""
    session = session or Session()
    out = io.StringIO()

    def typist(pipe):
        for chunk in chunks + ("\x04",):
            for i, piece in enumerate(chunk.split("\t")):
                if i:  # a Tab, with time to complete before and after it
                    time.sleep(0.3)
                    pipe.send_text("\t")
                    time.sleep(0.3)
                pipe.send_text(piece)
            time.sleep(0.05)

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompt = make_prompt(session, input=pipe, output=DummyOutput(),
                             history=history or InMemoryHistory())
        thread = threading.Thread(target=typist, args=(pipe,), daemon=True)
        thread.start()
        status = run_interactive(session, prompt=prompt, out=out)
        thread.join()
    assert status == 0
    return out.getvalue().split("\n", 1)[1]  # after the banner


def test_interactive_bindings_and_commands():
    printed = drive("x = (b, n)\rsum(x, axis=0)\r:sizes b=2\rx\r:strict off\r:quit\r")
    assert printed.splitlines()[:4] == ["x = (b, n)", "(n,)", "sizes: b=2", "(2, n)"]
    assert "strict mode off" in printed


def test_interactive_multiline_while_brackets_are_open():
    printed = drive("vmap(add, (0,\r None), 1)(\r(a,b,c),\r (a,b,c))\r\x04")
    assert printed == "(a, a, b, c)\n"


def test_interactive_caret_errors_ctrl_c_and_ctrl_d():
    printed = drive("sum((a,b), axis=7)\rmatmul(\x03(a,)\r\x04")
    lines = printed.splitlines()
    assert lines[:4] == ["ValueError: axis 7 is out of bounds for array of dimension 2 "
                         "(shape (a, b))",
                         "  sum((a,b), axis=7)", "  ^^^", "[axis-out-of-range]"]
    assert lines[4:] == ["(a,)"]  # Ctrl-C dropped `matmul(`; Ctrl-D left


def test_interactive_tab_completion_and_history(tmp_path):
    from prompt_toolkit.history import FileHistory
    history = FileHistory(str(tmp_path / "history"))
    printed = drive("weights = (a, b)\rsum(wei\t, axis=1)\r:qu\t\r", history=history)
    assert printed.splitlines() == ["weights = (a, b)", "(a,)"]
    assert "sum(weights, axis=1)" in (tmp_path / "history").read_text()


def test_interactive_every_command():
    printed = drive(":help\r:rules add\r:load " + str(FIXTURES / "derivatives.rules")
                    + "\r(a,)\r:check\r:explain\r:table vmap(exp, ?)((2,))\r:bindings\r"
                    ":solve vmap(exp, ?)((2,)) --want (2,)\r:sizes a=1\r:strict on\r:quit\r")
    for expected in (":explain [EXPR]", ":solve EXPR --want SHAPE", "rule add", "loaded", "(a,)",
                     "cases agree with jax.eval_shape", "result: (a,)", "in_axes  result",
                     "  in_axes=(0,)  ->  (2,)",
                     "no bindings yet", "sizes: a=1", "strict mode"):
        assert expected in printed


# ---------------------------------------------------------------- scripted

def run_cli(stdin: str, *args):
    return subprocess.run([sys.executable, "-m", "shapeinfer", "repl", *args], input=stdin,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TERM": "xterm-256color"})


def test_scripted_mode_the_issue_example():
    done = run_cli("x = (b, n)\nsum(x, axis=0)\n")
    assert (done.stdout, done.stderr, done.returncode) == ("(n,)\n", "", 0)


def test_scripted_mode_errors_go_on_and_set_the_status():
    done = run_cli("x = (b, n)\nsum(x, axis=2)\nvmap(add, (0,\n None))(x,\n x)\n:sizes n=2\nx\n")
    assert done.stdout == "(b, b, n)\nsizes: n=2\n(b, 2)\n"
    assert done.stderr == ("ValueError: axis 2 is out of bounds for array of dimension 2 "
                           "(shape (b, n))\n"
                           "  sum(x, axis=2)\n  ^^^\n[axis-out-of-range]\n")
    assert done.returncode == 1
    assert "\x1b" not in done.stdout + done.stderr
    assert run_cli("(a,\n").returncode == 2  # an input left open at the end
    assert run_cli(":quit\n(a,)\n").stdout == ""


def test_bare_shapeinfer_without_a_terminal_prints_usage():
    done = subprocess.run([sys.executable, "-m", "shapeinfer"], input="", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "usage: shapeinfer" in done.stderr


def test_bare_shapeinfer_in_a_terminal_starts_the_repl(tmp_path):
    """A real pseudo-terminal: the prompt appears, an answer comes back, :quit leaves."""
    pty = pytest.importorskip("pty")
    pid, fd = pty.fork()
    if pid == 0:  # the child: shapeinfer alone, its history in tmp_path
        os.environ.update(XDG_DATA_HOME=str(tmp_path), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
        os.execv(sys.executable, [sys.executable, "-m", "shapeinfer"])
    seen = b""

    def read_until(marker: bytes, timeout: float = 60):
        nonlocal seen
        deadline = time.time() + timeout
        import select
        while marker not in seen and time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        return marker in seen

    try:
        assert read_until(b">>>"), seen
        os.write(fd, b"sum((a, b), axis=1)\r")
        assert read_until(b"(a,)"), seen
        os.write(fd, b":quit\r")
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
        assert "sum((a, b), axis=1)" in (tmp_path / "shapeinfer" / "history").read_text()
    finally:
        os.close(fd)
