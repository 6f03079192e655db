"""Error messages as a user reads them (issue 11, item 5): for every error
code, a program that raises it, and what its message must name: the shapes
(or dtypes, axes, sizes) involved and the culprit, with the span on the
culprit. Rows JAX can run are confirmed by it (``assert_error_row``: same
exception class); the rest are text JAX never sees or strict-mode and
modelling limits, checked against the engine only.

Concrete sizes keep each JAX check to one case.
"""
from __future__ import annotations

import pytest

import shapeinfer
from shapeinfer import CODES, ShapeError, cli
from shapeinfer.syntax import MAX_DEPTH
from test_table import assert_error_row

ATTENTION = "rule attention: (*b, q, d), (*b, k, d), (*b, k, v) -> (*b, q, v)"
PATCHIFY = ("rule patchify (p: int):\n    (*b, h, w, c) -> (*b, h // p, w // p, p * p * c)\n"
            "    requires h % p == 0, w % p == 0")


def row(code, program, exception, blame, *names, jax=True, rules=None, strict=False):
    return pytest.param(code, program, exception, blame, names, jax, rules, strict,
                        id=f"{code}: {program}")


ROWS = [
    row("syntax", "vmap(add, (0 None))", "SyntaxError", "None", "unexpected 'None'", jax=False),
    row("empty", "  # only a comment", "SyntaxError", "  # only a comment", "empty",
        jax=False),
    row("unknown-name", "W = (3, 4); vmap(lambda x: x * w)((2, 3))", "NameError", "w",
        "name 'w'", "did you mean 'W'"),
    row("arity", "add((3,))", "TypeError", "add((3,))", "add()", "'y'"),
    row("bad-argument", "add((3,), 'x')", "TypeError", "'x'", "the string 'x'"),
    row("not-callable", "f32[2](1)", "TypeError", "f32[2]", "shape (2,)", "not callable"),
    row("broadcast", "add((4, 2), (4, 3))", "TypeError", "add", "add", "(4, 2)", "(4, 3)"),
    row("dim-mismatch", "concatenate([(2, 3), (2, 4)])", "TypeError", "concatenate",
        "(2, 3)", "(2, 4)", "dimension 0"),
    row("axis-out-of-range", "sum((2, 3), axis=2)", "ValueError", "sum", "axis 2",
        "dimension 2", "shape (2, 3)"),
    row("index", "(2, 3)[0, 0, 0]", "IndexError", "(2, 3)[0, 0, 0]", "(2, 3)",
        "2-dimensional", "3 were indexed"),
    row("reshape-size", "reshape((2, 3), (4,))", "TypeError", "reshape", "(2, 3)", "(4,)",
        "size 6", "size 4"),
    row("dtype", "sigmoid(i32[3])", "TypeError", "sigmoid", "int32",
        "Accepted dtypes are subtypes of floating, complexfloating"),
    row("dtype", "subtract(bool[3], bool[3])", "TypeError", "subtract", "bool",
        "Accepted dtypes at position 0 are subtypes of integer, floating, complexfloating"),
    row("vmap-in-axes-spec", "vmap(add, (0,))((2, 3), (2, 3))", "ValueError", "(0,)",
        "len(in_axes)=1", "len(args)=2"),
    row("vmap-out-axes-spec", "vmap(add, 0, 'x')((3,), (3,))", "TypeError", "'x'",
        "out_axes", "'x'"),
    row("vmap-axis-out-of-range", "vmap(add, 2)((2, 3), (2, 3))", "ValueError", "(2, 3)",
        "axis 2", "(2, 3)"),
    row("vmap-no-mapped-axis", "vmap(add, None)((3,), (3,))", "ValueError", "None",
        "non-None value in in_axes", "axis_size"),
    row("vmap-inconsistent-sizes", "vmap(add, (0, 0))((2, 3), (4, 3))", "ValueError",
        "(4, 3)", "size 2", "size 4", "argument x", "f32[2,3]", "argument y", "f32[4,3]"),
    row("vmap-out-axes-none", "vmap(lambda x, y: x, (0, None), None)((2, 3), (4,))",
        "ValueError", "None", "axis spec None", "shape (3,)"),
    row("vmap-out-axis-out-of-range", "vmap(exp, 0, 2)((2, 3))", "ValueError", "2",
        "axis 2", "shape (3,)"),
    row("grad-non-scalar", "grad(sin)((3,))", "TypeError", "sin", "scalar-output",
        "shape: (3,)"),
    row("rule-no-match", "attention((2, 5, 8), (2, 7, 9), (2, 7, 4))", "TypeError",
        "attention((2, 5, 8), (2, 7, 9), (2, 7, 4))", "(2, 5, 8)", "(2, 7, 9)",
        "d = 8 from argument 0 axis 2, but argument 1 axis 2 is 9", jax=False,
        rules=ATTENTION),
    row("requires-failed", "patchify((8, 32, 32, 3), p=5)", "TypeError",
        "patchify((8, 32, 32, 3), p=5)", "h % p == 0", "h = 32", "p = 5", jax=False,
        rules=PATCHIFY),
    row("inconclusive", "(a - 2,)", "InconclusiveDimensionOperation", "(a - 2,)", "a - 2",
        "assume a >= 2", jax=False, strict=True),
    row("contradictory-facts", "assume a == 1, a >= 2; (a,)", "ValueError", "a >= 2",
        "a == 1", "a >= 2", jax=False),
    row("unsupported", "jnp.cross((2, 3), (2, 3))", "NotImplementedError", "jnp.cross",
        "jnp.cross", "no shape rule", jax=False),
    # the innermost brackets past the limit are the culprit
    row("too-deep", "[" * (MAX_DEPTH + 1) + "(a,)" + "]" * (MAX_DEPTH + 1), "SyntaxError",
        "[[(a,)]]", f"more than {MAX_DEPTH} levels", "brackets", jax=False),
]


@pytest.mark.parametrize("code, program, exception, blame, names, jax, rules, strict", ROWS)
def test_message_names_the_shapes_and_the_culprit(code, program, exception, blame, names,
                                                  jax, rules, strict):
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(program, rules=rules, strict=strict)
    e = info.value
    assert (e.code, e.exception) == (code, exception), e.message
    assert e.span is not None and program[e.span[0]:e.span[1]] == blame, e.span
    for name in names:
        assert name in e.message, f"{name!r} not in {e.message!r}"
    if jax:
        assert_error_row(program, code, exception, blame)


def test_internal_names_the_exception_and_asks_for_a_report(monkeypatch, capsys):
    """The command line turns a bug into code ``internal``, exit status 3."""
    def broken(*args, **kwargs):
        raise KeyError("boom")
    monkeypatch.setattr(cli, "infer", broken)
    assert cli.main(["eval", "(a,)"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("KeyError: internal error: 'boom'")
    assert "please report it" in err and err.rstrip().endswith("[internal]")


def test_every_code_has_a_message_test():
    assert {p.values[0] for p in ROWS} | {"internal"} == set(CODES)


# ---------------------------------------------------------------- the caret excerpt

def _rendered(program: str) -> list[str]:
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(program)
    return info.value.render(program).splitlines()


def test_a_tab_keeps_the_caret_under_its_column():
    """Tabs are expanded (to multiples of 8) in the excerpt, so the caret
    lines up whatever the terminal's tab stops."""
    _, excerpt, carets = _rendered("add((a,\t2),\t(a, 3),\t(b,))")
    assert "\t" not in excerpt and "\t" not in carets
    assert excerpt[carets.index("^"):].startswith("(b,)")
    assert carets.strip() == "^^^^"


def test_a_tab_on_a_later_line_keeps_the_caret_under_its_column():
    _, excerpt, carets = _rendered("x = (a,)\n\tadd(x,\tx, (b, 2))")
    assert excerpt.startswith("  2 | ")
    assert excerpt[carets.index("^"):].startswith("(b, 2)")


def test_a_long_line_shows_a_window_around_the_span():
    program = "[" + ", ".join(["(a,)"] * 5_000) + ", foo, " + ", ".join(["(a,)"] * 5_000) + "]"
    _, excerpt, carets = _rendered(program)
    assert excerpt.startswith("  ...") and excerpt.endswith("...")
    assert len(excerpt) <= 110
    assert excerpt[carets.index("^"):].startswith("foo,") and carets.strip() == "^^^"


@pytest.mark.parametrize("fun, shown", [("sin", "<function sin>"),
                                         ("lambda x: x", "<function <lambda>>"),
                                         ("vmap(sin)", "<function vmap(sin)>")])
def test_a_function_in_a_message_is_named_not_addressed(fun, shown):
    # JAX prints a callable given as axis_size by its repr; ours must not be
    # a memory address, which differs from run to run.
    with pytest.raises(ShapeError) as caught:
        shapeinfer.infer(f"vmap(sin, axis_size={fun})((a,))")
    assert f"the `axis_size` argument was {shown};" in caught.value.message
    assert " at 0x" not in caught.value.message
