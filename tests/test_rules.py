"""The rule DSL (SPEC section 3): tables of rules and the programs that use them.

A rule's answer is confirmed by ``jax.eval_shape`` wherever the rule stands
for a real callable: the default ``jax.numpy.NAME``, ``jax "..."``, or
``python "layers:NAME"``, a user's own function in ``rules_fixture/layers.py``
(the checker imports it from the rule file's directory). Such rows are checked
three ways, as in ``test_table.py``: the engine's answer is the row's; the
checker agrees at every sampled size with nothing unchecked; and the row's
expected shape, evaluated at each sampled size, is exactly what JAX produced.
Rules with no callable (the SPEC's own attention and patchify) are checked
against the engine only, and the checker must call their cases unchecked.

Rows that show a bug in the core stay in the tables, marked
``xfail(strict=True)`` with the reason.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import shapeinfer
from shapeinfer import RuleError, ShapeError, ShapeSyntaxError, load_rules
from shapeinfer.cli import main
from shapeinfer.library import builtins

FIXTURE = Path(__file__).resolve().parent / "rules_fixture"
SAMPLES = 3


def bug(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def ok(expr: str, expected: str, id: str | None = None, marks=()):
    return pytest.param(expr, expected, id=id or expr, marks=marks)


def err(expr: str, code: str, exception: str, *fragments: str, id: str | None = None,
        marks=()):
    """An error row; each of ``fragments`` must appear in the engine's message."""
    return pytest.param(expr, code, exception, fragments, id=id or expr, marks=marks)


def src(*lines: str) -> str:
    """A rule file from its lines."""
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- helpers

def expected_leaves(expected: str, sizes: dict) -> tuple:
    """The one leaf an expected single-array result stands for at concrete sizes."""
    value = eval(expected, {"__builtins__": {}}, dict(sizes))  # noqa: S307
    return (tuple(int(d) for d in value),)


def checked(expr: str, library):
    """The checker's report: it must agree, with JAX's outcome for every case."""
    report = shapeinfer.check(expr, rules=library, samples=SAMPLES)
    assert report.cases, f"the checker ran no case for {expr!r}"
    details = "\n".join(f"  sizes {c.sizes}: shapeinfer {c.engine} / jax {c.oracle}"
                        for c in report.disagreements)
    assert report.agreed, f"shapeinfer and jax.eval_shape disagree on {expr!r}:\n{details}"
    assert not report.unsupported, [c.unchecked for c in report.cases]
    return report


def assert_shape(expr: str, expected: str, library, jax: bool = True):
    assert str(shapeinfer.infer(expr, rules=library)) == expected
    if jax:
        for case in checked(expr, library).cases:
            assert case.oracle.ok, f"JAX raised {case.oracle} at {case.sizes}"
            assert case.oracle.leaves == expected_leaves(expected, case.sizes), case.sizes


def assert_error(expr: str, code: str, exception: str, fragments, library,
                 jax: bool = True) -> ShapeError:
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(expr, rules=library)
    e = info.value
    assert (e.code, e.exception) == (code, exception), e.message
    for fragment in fragments:
        assert fragment in e.message
    if jax:
        for case in checked(expr, library).cases:
            assert not case.oracle.ok, f"JAX accepted {expr!r} at {case.sizes}: {case.oracle}"
            assert exception in case.oracle.exception_mro, case.oracle
    return e


def assert_unchecked(expr: str, library, reason: str):
    """Every case is unchecked, with ``reason`` in why; none counts as JAX's verdict."""
    report = shapeinfer.check(expr, rules=library, samples=SAMPLES)
    assert report.cases and report.unsupported
    for case in report.cases:
        assert case.oracle is None, case
        assert reason in case.unchecked, case.unchecked
    assert not report.disagreements


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err_text = capsys.readouterr()
    assert "Traceback" not in out + err_text, err_text
    return code, out, err_text


# ================================================================ 1. the SPEC's examples

# SPEC section 3, verbatim.
SPEC_RULES = """\
# one rule names one or more functions and lists clauses; first match wins
rule add, subtract, multiply, maximum:
    (*x), (*y) -> broadcast(x, y)

rule matmul:
    (n), (n)                 -> ()
  | (n), (*b, n, m)          -> (*b, m)
  | (*b, n, k), (k)          -> (*b, n)
  | (*b1, n, k), (*b2, k, m) -> (*broadcast(b1, b2), n, m)
  raises TypeError "matmul: contracting dimensions differ for shapes {0} and {1}"

rule sum, mean, prod (axis: axes = None, keepdims: bool = False):
    (*x) -> reduce(x, axis, keepdims)

rule attention:
    (*b, q, d), (*b, k, d), (*b, k, v) -> (*b, q, v)

rule patchify (p: int):
    (*b, h, w, c) -> (*b, h // p, w // p, p * p * c)
    requires h % p == 0, w % p == 0
"""
SPEC = load_rules(SPEC_RULES)

# Checked against jax.numpy.NAME (the inputs are f32, so the sum rule's
# missing dtype rule does not matter: jnp.sum of f32 is f32).
SPEC_VALID = [
    ok("add((a, b), (b,))", "(a, b)"),
    ok("subtract((a, 1), (b,))", "(a, b)"),
    ok("multiply((), (n,))", "(n,)"),
    ok("maximum((c, 1, b), (a, 1))", "(c, a, b)"),
    ok("jnp.maximum((a, b), (a, 1))", "(a, b)"),
    ok("matmul((a, n), (n, m))", "(a, m)"),
    ok("matmul((n,), (n,))", "()"),
    ok("matmul((n,), (b, n, m))", "(b, m)"),
    ok("matmul((b, n, k), (k,))", "(b, n)"),
    ok("matmul((c, 1, n, k), (b, k, m))", "(c, b, n, m)"),
    ok("matmul((n, k), (b, k, m))", "(b, n, m)"),
    ok("(lambda x, y: x @ y)((a, n), (n, m))", "(a, m)", id="infix @ uses the user's matmul"),
    ok("(lambda x, y: x @ y)((n,), (n,))", "()"),
    ok("vmap(matmul, (0, None))((b, a, n), (n, m))", "(b, a, m)"),
    ok("sum((a, b))", "()"),
    ok("sum((a, b), axis=0)", "(b,)"),
    ok("sum((a, b), 1)", "(a,)", id="axis given positionally"),
    ok("mean((a, b, c), axis=-1)", "(a, b)"),
    ok("prod((a, b, c), axis=(0, 2))", "(b,)"),
    ok("sum((a, b, c), axis=(-1, 0), keepdims=True)", "(1, b, 1)"),
    ok("mean((a, b), keepdims=True)", "(1, 1)"),
    ok("prod((a, b), axis=None, keepdims=False)", "()"),
    ok("sum(())", "()"),
]

SPEC_INVALID = [
    err("add((2,), (3,))", "broadcast", "TypeError"),
    err("maximum((a, 2), (a, 3))", "broadcast", "TypeError"),
    err("matmul((3,), (4,))", "rule-no-match", "TypeError",
        "matmul: contracting dimensions differ for shapes (3,) and (4,)"),
    err("matmul((a, 3), (4, b))", "rule-no-match", "TypeError",
        "matmul: contracting dimensions differ for shapes (a, 3) and (4, b)"),
    err("matmul((2, 3), (4,))", "rule-no-match", "TypeError"),
    err("(lambda x, y: x @ y)((a, 3), (4, b))", "rule-no-match", "TypeError"),
    err("sum((a, b), axis=2)", "axis-out-of-range", "ValueError", "axis 2"),
    # (not mean: jnp.mean raises IndexError for an out-of-range axis, which the
    # SPEC's shared rule, using reduce(), cannot say)
    err("prod((a, b), axis=-3)", "axis-out-of-range", "ValueError", "axis -3"),
    err("prod((a, b), axis=(0, 0))", "axis-out-of-range", "ValueError", "duplicate"),
    err("sum((a, b), axis=(1, -1))", "axis-out-of-range", "ValueError", "duplicate",
        id="duplicate axis after normalising"),
    err("sum((), axis=0)", "axis-out-of-range", "ValueError"),
    err("sum((a, b), axis=1.5)", "bad-argument", "TypeError", "axis"),
]


@pytest.mark.parametrize("expr,expected", SPEC_VALID)
def test_spec_rules_valid(expr, expected):
    assert_shape(expr, expected, SPEC)


@pytest.mark.parametrize("expr,code,exception,fragments", SPEC_INVALID)
def test_spec_rules_invalid(expr, code, exception, fragments):
    assert_error(expr, code, exception, fragments, SPEC)


def test_spec_matmul_no_match_lists_every_clause():
    e = assert_error("matmul((3,), (4,))", "rule-no-match", "TypeError", (), SPEC, jax=False)
    head, *reasons = e.message.splitlines()
    assert head == "matmul: contracting dimensions differ for shapes (3,) and (4,)"
    assert [r.split(",")[0].strip() for r in reasons] == [
        "clause 1", "clause 2", "clause 3", "clause 4"]
    # each clause says why it failed: the dim that disagreed, or the rank
    assert "n = 3" in reasons[0] and "4" in reasons[0]
    assert all("rank" in r for r in reasons[1:])


# The SPEC's attention and patchify name no callable (jax.numpy has neither):
# the engine answers, and the checker must say the cases are unchecked.
SPEC_NO_CALLABLE = [
    ok("attention((2,5,8), (2,7,8), (2,7,4))", "(2, 5, 4)"),
    ok("vmap(attention, (0, None, None))((h,5,8), (7,8), (7,4))", "(h, 5, 4)"),
    ok("attention((q, d), (k, d), (k, v))", "(q, v)"),
    ok("patchify((8,32,32,3), p=4)", "(8, 8, 8, 48)"),
    ok("patchify((b, 4*n, 4*m, c), p=4)", "(b, n, m, 16*c)"),
    ok("patchify((6, 6, c), 3)", "(2, 2, 9*c)"),
]


@pytest.mark.parametrize("expr,expected", SPEC_NO_CALLABLE)
def test_spec_rules_without_a_callable(expr, expected):
    assert_shape(expr, expected, SPEC, jax=False)
    name = "attention" if "attention" in expr else "patchify"
    assert_unchecked(expr, SPEC, f"no callable for {name}")


@pytest.mark.parametrize("expr,code,exception,fragments", [
    err("patchify((8,32,32,3), p=5)", "requires-failed", "TypeError",
        "h % p == 0", "h = 32, p = 5"),
    err("patchify((8,32,30,3), p=4)", "requires-failed", "TypeError", "w % p == 0", "w = 30"),
    err("patchify((32,32), p=4)", "rule-no-match", "TypeError", "rank 2"),
    err("attention((2,5,8), (2,7,9), (2,7,4))", "rule-no-match", "TypeError", "d = 8"),
    err("attention((2,5,8), (3,7,8), (3,7,4))", "rule-no-match", "TypeError"),
])
def test_spec_rules_without_a_callable_errors(expr, code, exception, fragments):
    assert_error(expr, code, exception, fragments, SPEC, jax=False)


# The SPEC's reductions with a dtype rule, so that integer and bool inputs
# are compared with JAX, dtypes included.
REDUCTIONS = load_rules(src(
    "rule sum, prod (a, axis: axes = None, keepdims: bool = False):",
    "    (*x) -> reduce(x, axis, keepdims)",
    "    dtype sum",
    "rule mean (a, axis: axes = None, keepdims: bool = False):",
    "    (*x) -> reduce(x, axis, keepdims)",
    "    dtype mean",
))


@pytest.mark.parametrize("expr,expected,dtype", [
    ("sum(bool[a, b], axis=0)", "(b,)", "i32"),
    ("prod(i8[a])", "()", "i32"),
    ("sum(u8[a, b], axis=(-1, -2), keepdims=True)", "(1, 1)", "u32"),
    ("sum(f16[a])", "()", "f16"),
    ("mean(i32[a, b], 1)", "(a,)", "f32"),
    ("mean(bool[a], keepdims=True)", "(1,)", "f32"),
    ("sum(a=i32[a, b])", "()", "i32"),
])
def test_reductions_with_a_dtype_rule(expr, expected, dtype):
    assert_shape(expr, expected, REDUCTIONS)  # the checker compares dtypes too
    assert shapeinfer.infer(expr, rules=REDUCTIONS).dtypes == [dtype]


# ================================================================ 2. rule files that do not load

LOAD_ERRORS = [
    pytest.param(src("rule broken:", "    (*x -> (x)"), 2, 9, "unexpected '->'",
                 id="syntax: unclosed pattern"),
    pytest.param("rule f:\n    (n) ->", 2, 11, "unexpected end of file", id="syntax: end of file"),
    pytest.param(src("rule f:", "    (n) -> (n) $"), 2, 16, "unexpected character '$'",
                 id="syntax: bad character"),
    pytest.param(src("rule f (x, k: int = 1", "    (n) -> (n)"), 2, 5, "unexpected",
                 id="syntax: unclosed parameters"),
    pytest.param(src("rule f:", "    (*x) -> frob(x)"), 2, 13, "unknown shape function 'frob'",
                 id="unknown shape function"),
    pytest.param(src("rule f:", "    (frob(n)) -> (n)"), 2, 6, "unknown shape function 'frob'",
                 id="unknown shape function in a pattern"),
    pytest.param(src("rule f:", "    (*x), (*y) -> concat(x)"), 2, 19,
                 "concat() takes 2 to 3 arguments, got 1", id="arity: too few"),
    pytest.param(src("rule f:", "    (*x) -> remove(x, 0, 1)"), 2, 13,
                 "remove() takes 2 arguments, got 3", id="arity: too many"),
    pytest.param(src("rule f:", "    (*x) -> reduce(x, None, True, None)"), 2, 13,
                 "reduce() takes 1 to 3 arguments, got 4", id="arity: too many, with None"),
    pytest.param(src("rule f:", "    (*a, n, *b) -> (n)"), 2, 5,
                 "at most one variadic", id="two variadics in one pattern"),
    pytest.param(src("rule f:", "    (n) -> (n, m)"), 2, 16,
                 "'m' is bound by no pattern of this clause", id="template dim bound by nothing"),
    pytest.param(src("rule f:", "    (*x) -> (*x, *y)"), 2, 19,
                 "'y' is bound by no pattern", id="splice bound by nothing"),
    pytest.param(src("rule f:", "    (n) -> (n)", "    requires n % q == 0"), 3, 18,
                 "'q' is bound by no pattern", id="requires names nothing"),
    pytest.param(src("rule f:", "    (n) -> (n)", "  | (m) -> (n)"), 3, 13,
                 "'n' is bound by no pattern", id="a name bound by another clause only"),
    pytest.param(src("rule f:", "    (n) -> n"), 2, 12, "'n' is a dim, not a shape",
                 id="dim as a shape"),
    pytest.param(src("rule f:", "    (*x) -> (x)"), 2, 14,
                 "'x' is a shape, not a dim; splice it with *x", id="shape as a dim"),
    pytest.param(src("rule f:", "    (*x) -> prod(x)"), 2, 13, "prod(x) is not a shape",
                 id="dim function as a shape"),
    pytest.param(src("rule f:", "    (*x) -> (broadcast(x, x))"), 2, 14,
                 "broadcast() gives a shape, not a dim", id="shape function as a dim"),
    pytest.param(src("rule f:", "    (_) -> (_)"), 2, 13, "'_' matches any dim in a pattern",
                 id="_ in a template"),
    pytest.param(src("rule f:", "    (*n), (n) -> (n)"), 2, 5,
                 "'n' is used both as a dim and as a variadic", id="dim and variadic"),
    pytest.param(src("rule f (x, k: float):", "    (n) -> (n)"), 1, 12,
                 "unknown parameter type 'float'", id="unknown parameter type"),
    pytest.param(src("rule f (x, k: int = True):", "    (n) -> (n)"), 1, 12,
                 "the default of 'k' (True) is not of type int", id="default: bool for int"),
    pytest.param(src("rule f (x, flag: bool = 1):", "    (n) -> (n)"), 1, 12,
                 "the default of 'flag' (1) is not of type bool", id="default: int for bool"),
    pytest.param(src('rule f (x, axis: axes = "0"):', "    (n) -> (n)"), 1, 12,
                 "is not of type axes", id="default: str for axes"),
    pytest.param(src("rule f (x, sh: shape = 3):", "    (n) -> (n)"), 1, 12,
                 "the default of 'sh' (3) is not of type shape", id="default: int for shape"),
    pytest.param(src("rule f (x, mode: str = 3):", "    (n) -> (n)"), 1, 12,
                 "the default of 'mode' (3) is not of type str", id="default: int for str"),
    pytest.param(src("rule f (x, y = 2):", "    (n), (m) -> (n)"), 1, 12,
                 "the default of 'y' (2) is not of type array", id="default: int for an array"),
    pytest.param(src("rule f (x, k: int, k: int):", "    (n) -> (n)"), 1, 20,
                 "duplicate parameter 'k'", id="duplicate parameter"),
    pytest.param(src("rule f (x, k: int = 1, j: int):", "    (n) -> (n)"), 1, 24,
                 "parameter 'j' without a default follows one with a default",
                 id="required after default"),
    pytest.param(src("rule f (x, *, k: int = 1, /):", "    (n) -> (n)"), 1, 27,
                 "'/' must come before '*'", id="/ after *"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    raises FooError "x"'), 3, 12,
                 "unknown exception class 'FooError'", id="raises: unknown exception"),
    pytest.param(src("rule f:", '    (n) -> raise Frob "x"'), 2, 18,
                 "unknown exception class 'Frob'", id="raise output: unknown exception"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    requires n > 1 else Frob "x"'), 3, 25,
                 "unknown exception class 'Frob'", id="requires else: unknown exception"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    raises TypeError "bad {m}"'), 3, 5,
                 "placeholder {m} names nothing", id="raises: placeholder names nothing"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    raises TypeError "bad {1}"'), 3, 5,
                 "placeholder {1} names argument 1, but the rule takes 1 array",
                 id="raises: placeholder beyond the arrays"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    requires n > 1 else ValueError "x {q}"'),
                 3, 5, "placeholder {q} names nothing", id="requires else: placeholder"),
    pytest.param(src("rule f:", '    (n) -> raise ValueError "x {k}"'), 2, 5,
                 "placeholder {k} names nothing", id="raise output: placeholder"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    raises TypeError "bad {0"'), 3, 5,
                 "bad message", id="raises: malformed placeholder"),
    pytest.param(src("rule f:", "    (n) -> (n)", "    dtype frob"), 3, 11,
                 "unknown dtype rule 'frob'", id="unknown dtype base"),
    pytest.param(src("rule f:", "    (n) -> (n)", "    dtype promote rejects frob"), 3, 19,
                 "rejects wants dtype kinds", id="dtype rejects: unknown kind"),
    pytest.param(src("rule f:", "    (n) -> (n)", "    derivative frob"), 3, 16,
                 "unknown derivative rule 'frob'", id="unknown derivative"),
    pytest.param(src("rule f:", "    (n) -> (n)", "    hook frob"), 3, 10,
                 "unknown hook 'frob'", id="unknown hook"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    python "layers.attention"'), 3, 5,
                 'python wants "module:function"', id="python: no colon"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    python "layers:"'), 3, 5,
                 'python wants "module:function"', id="python: no function"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    jax "jax nn.relu"'), 3, 5,
                 "dotted name such as", id="jax: not a dotted name"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    jax "numpy.add"'), 3, 5,
                 "dotted name such as", id="jax: not a JAX function"),
    pytest.param(src("rule f:", "    (n) -> (n)", '    jax "jax.nn.relu"', '    python "a:b"'),
                 1, 1, "one callable", id="both jax and python"),
    pytest.param(src("rule f:", "    (n) -> (n)", "    derivative linear",
                     "    derivative none"), 4, 5, "a rule has one 'derivative' line",
                 id="two derivative lines"),
    pytest.param(src("rule f (x, y):", "    (n) -> (n)"), 2, 5,
                 "this clause has 1 pattern but the rule takes 2 arrays (x, y)",
                 id="clause pattern count vs declared arrays"),
    pytest.param(src("rule f (x):", "    (n) -> (n)", "  | (n), (m) -> (n)"), 3, 5,
                 "this clause has 2 patterns but the rule takes 1 array (x)",
                 id="second clause pattern count"),
    pytest.param(src("rule f:", "    (n) -> (n)", "  | (n), (m) -> (n)"), 1, 1,
                 "the clauses take different numbers of arrays", id="implicit arrays differ"),
    pytest.param(src("rule f (x, y):", "    (n), None -> (n)"), 2, 5,
                 "'y' has no default None", id="None pattern for a required array"),
    pytest.param(src("rule f:", "    dtype promote"), 1, 1, "a rule needs at least one clause",
                 id="no clause"),
    pytest.param(src("rule f (x, flag: bool = False):", "    (*x) -> (*x, flag)"), 2, 18,
                 "'flag' is a parameter of type bool, not a dim", id="bool parameter as a dim"),
    pytest.param(src("rule f (x, k: int):", "    (*k) -> k"), 2, 5,
                 "'k' is a parameter of type int", id="int parameter as a variadic"),
    pytest.param(src("rule f:", "    (*x) -> x", "    requires x > 1"), 3, 14,
                 "'x' is a shape, not a dim", id="a shape in a condition"),
    pytest.param(src("rule f (x, *):", "    (n) -> (n)"), 1, 12,
                 "named parameters must follow a bare '*'", id="bare * at the end"),
    pytest.param(src("rule f (/, x):", "    (n) -> (n)"), 1, 9,
                 "at least one parameter must come before '/'", id="/ first"),
    pytest.param(src("rule lambda:", "    (n) -> (n)"), 1, 6,
                 "'lambda' is a keyword of the expression language", id="rule named lambda"),
    pytest.param(src("rule myround (x, decimals: int = 0):", "    (*x) -> x", "    hook round"),
                 1, 1, "round reads the parameters a, decimals; this rule has no a",
                 id="hook without the parameters it reads"),
]


@pytest.mark.parametrize("text,line,column,fragment", LOAD_ERRORS)
def test_load_errors(tmp_path, text, line, column, fragment):
    path = tmp_path / "bad.rules"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(path)
    e = info.value
    assert isinstance(e, ShapeSyntaxError) and isinstance(e, ShapeError)
    assert (e.code, e.exception) == ("syntax", "SyntaxError")
    assert (e.path, e.line, e.column) == (str(path), line, column), str(e)
    assert fragment in e.reason
    assert str(e) == f"{path}:{line}:{column}: {e.reason}"
    # The same text given as text: the file is called <rules>.
    with pytest.raises(RuleError) as info:
        load_rules(text)
    assert str(info.value) == f"<rules>:{line}:{column}: {e.reason}"


def test_load_error_through_infer_rules_argument():
    with pytest.raises(RuleError) as info:
        shapeinfer.infer("f((a,))", rules=src("rule f:", "    (n) -> (m)"))
    assert (info.value.line, info.value.column) == (2, 13)


def test_unreadable_rule_file(tmp_path):
    path = tmp_path / "missing.rules"
    with pytest.raises(RuleError) as info:
        load_rules(path)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: cannot read the rule file")


def test_a_bad_rule_after_a_good_one_loads_nothing(tmp_path):
    base = load_rules(src("rule double:", "    (n) -> (2 * n)"))
    names, rules = dict(base), base.rules
    path = tmp_path / "half.rules"
    path.write_text(src(
        "rule add (x, y, /):",         # good: would override the built-in add
        "    (*x), (*x) -> x",
        "rule newop:",                 # good
        "    (n) -> (n)",
        "rule broken:",                # bad
        "    (n) -> (m)",
    ), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(path, base)
    assert info.value.line == 6
    # the library passed in is unchanged; nothing of the file is anywhere
    assert dict(base) == names and base.rules is rules
    assert "newop" not in base and base.rule("add") is builtins().rule("add")
    assert str(shapeinfer.infer("add((a, b), (b,))", rules=base)) == "(a, b)"
    assert str(shapeinfer.infer("double((n,))", rules=base)) == "(2*n,)"
    with pytest.raises(RuleError):
        shapeinfer.infer("newop((n,))", rules=[base, path])


@pytest.mark.parametrize("text,expr,expected", [
    pytest.param(src("rule f (x, sh: shape = ()):", "    (*x) -> (*x, *sh)"), "f((a,))", "(a,)",
                 id="shape = ()"),
    pytest.param(src("rule f (x, axis: axes = ()):", "    (*x) -> reduce(x, axis)"),
                 "f((a, b))", "(a, b)", id="axes = ()"),
    pytest.param(src("rule f (x, sh: shape = (2, 3)):", "    (*x) -> (*x, *sh)"), "f((a,))",
                 "(a, 2, 3)", id="shape = (2, 3)"),
    pytest.param(src("rule f (x, axis: axes = (0, -1)):", "    (*x) -> reduce(x, axis)"),
                 "f((a, b, c))", "(b,)", id="axes = (0, -1)"),
    pytest.param(src("rule f (x, axis: axes = -1):", "    (*x) -> reduce(x, axis)"),
                 "f((a, b))", "(a,)", id="axes = -1"),
    pytest.param(src('rule f (x, mode: str = "same"):', "    (*x) -> x"), "f((a,))", "(a,)",
                 id="str default"),
    pytest.param(src("rule f (x, d: dtype = None):", "    (*x) -> x"), "f((a,))", "(a,)",
                 id="None default for any type"),
])
def test_parameter_defaults_load(text, expr, expected):
    assert str(shapeinfer.infer(expr, rules=load_rules(text))) == expected


def test_rule_files_allow_comments_crlf_and_a_path_string():
    text = "# a comment\r\nrule f: # after a rule\r\n    (n) -> (n, n)  # and a clause\r\n"
    assert str(shapeinfer.infer("f((a,))", rules=load_rules(text))) == "(a, a)"
    path = str(FIXTURE / "layers.rules")  # a one-line string is a path
    assert load_rules(path).sources[-1] == path


# ================================================================ 3. the command line

BAD_FILE = src("rule broken:", "    (*x -> (x)")


@pytest.mark.parametrize("command", ["eval", "check"])
def test_cli_refuses_a_bad_rule_file(tmp_path, capsys, command):
    path = tmp_path / "bad.rules"
    path.write_text(BAD_FILE, encoding="utf-8")
    code, out, err_text = run_cli(capsys, command, "--rules", path, "add((a,), (a,))")
    assert code == 2
    assert out == ""
    lines = err_text.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:2:9: unexpected '->'"), err_text


def test_cli_refuses_a_missing_rule_file(tmp_path, capsys):
    path = tmp_path / "missing.rules"
    code, out, err_text = run_cli(capsys, "eval", "--rules", path, "(a,)")
    assert (code, out) == (2, "")
    assert err_text.startswith(f"{path}: cannot read the rule file")


def test_cli_good_file_then_bad_file(tmp_path, capsys):
    good, bad = tmp_path / "good.rules", tmp_path / "bad.rules"
    good.write_text(src("rule newop:", "    (n) -> (n)"), encoding="utf-8")
    bad.write_text(BAD_FILE, encoding="utf-8")
    code, out, err_text = run_cli(capsys, "eval", "--rules", good, "--rules", bad, "newop((a,))")
    assert (code, out) == (2, "")
    assert err_text.startswith(f"{bad}:2:9: ")


@pytest.fixture
def two_adds(tmp_path):
    """Two rule files that both define add: one never broadcasts, one answers (7,)."""
    strict, seven = tmp_path / "strict.rules", tmp_path / "seven.rules"
    strict.write_text(src("rule add (x, y, /):", "    (*x), (*x) -> x"), encoding="utf-8")
    seven.write_text(src("rule add (x, y, /):", "    (*x), (*y) -> (7)"), encoding="utf-8")
    return strict, seven


def test_cli_later_rules_file_overrides_earlier(capsys, two_adds):
    strict, seven = two_adds
    code, out, err_text = run_cli(capsys, "eval", "--rules", strict, "--rules", seven,
                                  "add((a,), (b,))")
    assert (code, out, err_text) == (0, "(7,)\n", "")
    code, out, err_text = run_cli(capsys, "eval", "--strict", "--rules", seven, "--rules",
                                  strict, "add((a,), (b,))")
    assert (code, out) == (1, "")
    assert "rule-no-match" in err_text


def test_api_later_rules_override_earlier(two_adds):
    strict, seven = two_adds
    assert str(shapeinfer.infer("add((a,), (b,))", rules=[strict, seven])) == "(7,)"
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer("add((a,), (b,))", rules=[seven, strict], strict=True)
    assert info.value.code == "rule-no-match"
    # default mode: the names bound twice agree under a guard
    assert shapeinfer.infer("add((a,), (b,))", rules=[seven, strict]).describe() == \
        "(a,)  if a == b"


def test_cli_check_with_rules_agrees(capsys):
    code, out, _ = run_cli(capsys, "check", "--rules", FIXTURE / "layers.rules",
                           "patchify((b, 4*n, 4*m, c), p=4)", "--samples", "3")
    assert code == 0, out
    assert out.splitlines()[-1] == "3 of 3 cases agree with jax.eval_shape"
    assert "DISAGREE" not in out and "unchecked" not in out


def test_cli_check_catches_a_wrong_rule(capsys):
    code, out, _ = run_cli(capsys, "check", "--rules", FIXTURE / "wrong.rules",
                           "patchify((b, 4*n, 4*m, c), p=4)", "--samples", "3")
    assert code == 1
    assert "DISAGREE" in out
    assert out.splitlines()[-1] == "0 of 3 cases agree with jax.eval_shape"


def test_cli_check_never_says_a_rule_without_callable_agrees(capsys):
    code, out, _ = run_cli(capsys, "check", "--rules", FIXTURE / "nocallable.rules",
                           "attention((b, q, d), (b, k, d), (b, k, v))", "--samples", "3")
    lines = out.splitlines()
    assert lines[-1] == "0 of 3 cases agree with jax.eval_shape; 3 unchecked"
    assert all(line.startswith("unchecked") for line in lines[:-1]), out
    assert all("no callable for attention" in line for line in lines[:-1])
    assert code == 5  # docs/checker.md: 5 when JAX ran no case (nothing was checked)


# ================================================================ 4. overriding a built-in

NO_BROADCAST_ADD = load_rules(src(
    "rule add (x, y, /):",
    "    (*x), (*x) -> x",
    '    raises TypeError "add: {0} and {1} differ; this add never broadcasts"',
    "    derivative linear",
))

OVERRIDDEN_ADD = [  # (broadcasting program, its built-in answer, a program without broadcasting)
    pytest.param("add((a, b), (b,))", "(a, b)", "add((a, b), (a, b))", id="add"),
    pytest.param("jnp.add((a, b), (b,))", "(a, b)", "jnp.add((a, b), (a, b))", id="jnp.add"),
    pytest.param("jax.numpy.add((a, b), (b,))", "(a, b)", "jax.numpy.add((a, b), (a, b))",
                 id="jax.numpy.add"),
    pytest.param("(lambda u, v: u + v)((a, b), (b,))", "(a, b)",
                 "(lambda u, v: u + v)((a, b), (a, b))", id="infix +"),
    pytest.param("(lambda u, v: jnp.add(u, v))((a, b), (1,))", "(a, b)",
                 "(lambda u, v: jnp.add(u, v))((a, b), (a, b))", id="jnp.add in a lambda"),
    pytest.param("vmap(lambda u, v: u + v, (0, None))((c, a, b), (b,))", "(c, a, b)",
                 "vmap(lambda u, v: u + v, (0, None))((c, b), (b,))", id="+ under vmap"),
]


@pytest.mark.parametrize("broadcasting,builtin,same", OVERRIDDEN_ADD)
def test_user_add_overrides_every_spelling(broadcasting, builtin, same):
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(broadcasting, rules=NO_BROADCAST_ADD)
    assert (info.value.code, info.value.exception) == ("rule-no-match", "TypeError")
    assert "this add never broadcasts" in info.value.message
    assert str(shapeinfer.infer(same, rules=NO_BROADCAST_ADD)) == str(shapeinfer.infer(same))
    # without rules= the built-in add is used, and it broadcasts
    assert str(shapeinfer.infer(broadcasting)) == builtin


def test_overriding_leaves_the_builtin_library_alone():
    library = builtins()
    add, jnp_add = library["add"], library["jnp.add"]
    user = load_rules(src("rule add (x, y, /):", "    (*x), (*x) -> x"), library)
    assert user.rule("add") is not library.rule("add")
    assert user["jnp.add"] is user["add"] and user["jax.numpy.add"] is user["add"]
    assert user["sin"] is library["sin"]  # other names untouched
    assert builtins() is library
    assert library["add"] is add and library["jnp.add"] is jnp_add
    assert str(library.rule("add").clauses[0]) == "(*x), (*y) -> broadcast(x, y)"
    assert str(shapeinfer.infer("add((a, b), (b,))")) == "(a, b)"


def test_checker_runs_jnp_add_against_the_user_add():
    # The user's add refuses what jnp.add accepts: the checker must say so.
    report = shapeinfer.check("add((a, b), (b,))", rules=NO_BROADCAST_ADD, samples=SAMPLES)
    assert report.disagreements and len(report.disagreements) == len(report.cases)
    assert all(c.oracle.ok and not c.engine.ok for c in report.cases)
    checked("add((a, b), (a, b))", NO_BROADCAST_ADD)


# ================================================================ 5. user rules, checked against user code

LAYERS = load_rules(FIXTURE / "layers.rules")

LAYERS_VALID = [
    ok("attention((2,5,8), (2,7,8), (2,7,4))", "(2, 5, 4)"),
    ok("attention((b, q, d), (b, k, d), (b, k, v))", "(b, q, v)"),
    ok("attention((q, d), (k, d), (k, v))", "(q, v)"),
    ok("vmap(attention, (0, None, None))((h,5,8), (7,8), (7,4))", "(h, 5, 4)"),
    ok("attention((2,5,8), k=(2,7,8), v=(2,7,4))", "(2, 5, 4)", id="arrays by keyword"),
    ok("attention(v=(k, v), q=(q, d), k=(k, d))", "(q, v)", id="arrays by keyword, any order"),
    ok("patchify((8,32,32,3), p=4)", "(8, 8, 8, 48)"),
    ok("patchify((b, 4*n, 4*m, c), p=4)", "(b, n, m, 16*c)"),
    ok("patchify((b, 4*n, 4*m, c), 4)", "(b, n, m, 16*c)", id="p positionally"),
    ok("patchify((6, 6, c), p=3)", "(2, 2, 9*c)"),
    ok("patchify(x=(2, 3, 6, 6, 1), p=2)", "(2, 3, 3, 3, 4)"),
    ok("vmap(lambda x: patchify(x, p=2))((n, 4, 4, 3))", "(n, 2, 2, 12)"),
    ok("vmap(patchify, (0, None))((n, 8, 8, 3), 2)", "(n, 4, 4, 12)"),
    ok("vmap(partial(patchify, p=2))((n, 8, 8, 3))", "(n, 4, 4, 12)"),
    ok("jit(patchify, static_argnums=1)((8, 8, 3), 2)", "(4, 4, 12)"),
    ok("vmap(halve)((n, 6))", "(n, 3)"),
    ok("vmap(pairs, 1)((4, n))", "(n, 2, 2)"),
    ok("grad(lambda x: sum_all_keepdims(x)[0, 0])((a, b))", "(a, b)"),
    ok("halve((6,))", "(3,)"),
    ok("halve((2*a,))", "(a,)"),
    ok("halve((2*a + 4,))", "(a + 2,)"),
    ok("pairs((b, 2*n))", "(b, n, 2)"),
    ok("pairs((6,))", "(3, 2)"),
    ok("scale((a, b))", "(a, b)", id="None pattern: y omitted"),
    ok("scale((a, b), (b,))", "(a, b)"),
    ok("scale((a, b), y=(a, 1))", "(a, b)"),
    ok("sum_all_keepdims((a, b))", "(1, 1)", id="shape function with literal None, True"),
]

LAYERS_INVALID = [
    err("patchify((8,32,32,3), p=5)", "requires-failed", "TypeError",
        "h % p == 0", "h = 32, p = 5"),
    err("patchify((8,32,30,3), p=4)", "requires-failed", "TypeError", "w % p == 0", "w = 30"),
    err("patchify((8,32,32,3), p=0)", "bad-argument", "ZeroDivisionError"),
    err("patchify((8,32,32,3), p=(4,))", "bad-argument", "TypeError", "p must be an integer"),
    err("attention((2,5,8), (2,7,9), (2,7,4))", "rule-no-match", "ValueError",
        "attention: shapes (2, 5, 8), (2, 7, 9) and (2, 7, 4) do not fit"),
    err("attention((2,5,8), (2,7,8), (2,6,4))", "rule-no-match", "ValueError"),
    err("halve((7,))", "rule-no-match", "TypeError", "not 2 * n for an integer n"),
    err("halve((2, 4))", "rule-no-match", "TypeError", "rank 2"),
    err("pairs((b, 7))", "requires-failed", "ValueError", "pairs: odd last dim 7"),
    err("scale((2, 3), (4, 3))", "broadcast", "TypeError"),
]


@pytest.mark.parametrize("expr,expected", LAYERS_VALID)
def test_user_rules_valid(expr, expected):
    assert_shape(expr, expected, LAYERS)


@pytest.mark.parametrize("expr,code,exception,fragments", LAYERS_INVALID)
def test_user_rules_invalid(expr, code, exception, fragments):
    assert_error(expr, code, exception, fragments, LAYERS)


def test_a_wrong_rule_is_caught():
    wrong = load_rules(FIXTURE / "wrong.rules")
    report = shapeinfer.check("patchify((b, 4*n, 4*m, c), p=4)", rules=wrong, samples=SAMPLES)
    assert not report.unsupported
    assert report.disagreements and len(report.disagreements) == len(report.cases)
    for case in report.disagreements:
        (engine,), (jax,) = case.engine.leaves, case.oracle.leaves
        assert engine[:3] == jax[:3] and 4 * engine[3] == jax[3]  # p * c, not p * p * c


NO_CALLABLE = load_rules(FIXTURE / "nocallable.rules")


@pytest.mark.parametrize("expr,reason", [
    ("attention((b, q, d), (b, k, d), (b, k, v))", "no callable for attention"),
    ("vmap(attention, (0, None, None))((h,5,8), (7,8), (7,4))", "no callable for attention"),
    ("attention((2,5,8), (2,7,9), (2,7,4))", "no callable for attention"),  # an engine error
    ("missing_jax((a,))", "no callable for missing_jax"),
    ("missing_module((a,))", "cannot import no_such_module_for_shapeinfer_tests:f"),
    ("missing_function((a,))", "cannot import layers:no_such_function"),
    ("not_callable((a,))", "layers:not_a_function for not_callable is not callable"),
])
def test_a_rule_without_callable_is_unchecked(expr, reason):
    assert_unchecked(expr, NO_CALLABLE, reason)


# ================================================================ 6. the conservative derivative

DERIVATIVES = load_rules(FIXTURE / "derivatives.rules")


@pytest.mark.parametrize("expr,expected", [
    ok("vmap(plain, (None, None), None, axis_size=2)((c, b), (b,))", "(c, b)"),
    ok("vmap(smooth, (None, None), None, axis_size=2)((c, b), (b,))", "(c, b)"),
    ok("vmap(plain, (0, None), 0)((c, b), (b,))", "(c, b)"),
    ok("vmap(plain, (0, None), 1)((c, b), (b,))", "(b, c)"),
    ok("vmap(pick_second, (None, 0), 0)((b,), (c, b))", "(c, b)"),
])
def test_derivative_rule_not_needed(expr, expected):
    assert_shape(expr, expected, DERIVATIVES)


@pytest.mark.parametrize("expr", [
    "vmap(plain, (0, None), None)((c, b), (b,))",
    "vmap(plain, (None, 0), None)((b,), (c, b))",
    "vmap(lambda x, y: plain(x, y) * 2, (0, None), None)((c, b), (b,))",
    # JAX accepts this one (the output is y, unbatched): refusing it would be wrong
    "vmap(pick_second, (0, None), None)((c, b), (b,))",
])
def test_no_derivative_rule_is_unsupported_not_a_wrong_error(expr):
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(expr, rules=DERIVATIVES)
    assert (info.value.code, info.value.exception) == ("unsupported", "NotImplementedError")
    assert_unchecked(expr, DERIVATIVES, "does not model")  # never a disagreement with JAX


def test_no_derivative_rule_message():
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer("vmap(plain, (0, None), None)((c, b), (b,))", rules=DERIVATIVES)
    assert "out_axes" in info.value.message


def test_no_derivative_rule_message_does_not_blame_a_second_derivative():
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer("vmap(plain, (0, None), None)((c, b), (b,))", rules=DERIVATIVES)
    assert "second derivative" not in info.value.message


def test_derivative_nonlinear_is_vmap_out_axes_none():
    assert_error("vmap(smooth, (0, None), None)((c, b), (b,))", "vmap-out-axes-none",
                 "ValueError", ("out_axes",), DERIVATIVES)


# ================================================================ 7. matching details

# Rules for real jax.numpy / jax.nn / jax.lax functions, so JAX checks them.
JAX_RULES = load_rules(src(
    "# integer literals in patterns; several clauses; raises with JAX's class",
    "rule cross (a, b):",
    "    (*x, 3), (*y, 3) -> (*broadcast(x, y), 3)",
    "  | (*x, 2), (*y, 2) -> broadcast(x, y)",
    '  raises ValueError "Dimension must be either 2 or 3 for cross product"',
    "",
    "# `_`, `*_` and a clause that matches and raises",
    "rule trace (a):",
    "    (_, _, *rest) -> rest",
    '  | (*_) -> raise ValueError "trace wants at least 2 dims, got {0}"',
    "",
    "# named dims that must agree across the arguments",
    "rule dot (a, b):",
    "    (n, k), (k, m) -> (n, m)",
    "  | (n), (n) -> ()",
    "",
    "rule argmax (a):",
    "    (*_) -> ()",
    "    dtype index",
    "",
    "# positional-only",
    "rule cbrt (x, /):",
    "    (*x) -> x",
    "    dtype inexact",
    "",
    "# keyword-only after *, an int parameter used as a dim",
    "rule one_hot (x, num_classes: int, *, axis: int = -1):",
    "    (*b) -> insert(b, axis, num_classes)",
    '    jax "jax.nn.one_hot"',
    "    dtype inexact",
    "",
    "# a shape parameter",
    "rule reshape (a, shape: shape):",
    "    (*x) -> reshape(x, shape)",
    "",
    "# matmul with JAX's ValueError for batch dims that do not broadcast",
    "rule matmul:",
    "    (*b1, n, k), (*b2, k, m) -> (*broadcast_shapes(b1, b2), n, m)",
    "",
    "# a dotted name",
    "rule lax.stop_gradient (x):",
    "    (*x) -> x",
    "    derivative none",
))

JAX_RULES_VALID = [
    ok("cross((a, 3), (3,))", "(a, 3)"),
    ok("cross((a, 2), (b, 1, 2))", "(b, a)"),
    ok("cross(a=(3,), b=(n, 3))", "(n, 3)", id="cross arrays by keyword"),
    ok("trace((a, b))", "()"),
    ok("trace((a, b, c, d))", "(c, d)"),
    ok("dot((n, k), (k, m))", "(n, m)"),
    ok("dot((n,), (n,))", "()"),
    ok("dot(a=(n, k), b=(k, m))", "(n, m)", id="dot arrays by keyword"),
    ok("dot(b=(k, m), a=(n, k))", "(n, m)", id="dot keywords in any order"),
    ok("argmax(())", "()"),
    ok("argmax(i32[a, b, c])", "()"),
    ok("cbrt((a, b))", "(a, b)"),
    ok("one_hot(i32[a, b], 5)", "(a, b, 5)"),
    ok("one_hot(i32[a], n, axis=0)", "(n, a)"),
    ok("one_hot(i32[a], num_classes=4, axis=-2)", "(4, a)"),
    ok("reshape((a, b), (b, a))", "(b, a)"),
    ok("reshape((a, b), (-1,))", "(a*b,)"),
    ok("reshape((a, b), a*b)", "(a*b,)", id="an int for a shape"),
    ok("reshape((2, a, 3), (3, -1))", "(3, 2*a)"),
    ok("matmul((c, 1, n, k), (b, k, m))", "(c, b, n, m)"),
    ok("lax.stop_gradient((a, b))", "(a, b)"),
    ok("jax.lax.stop_gradient((a, b))", "(a, b)"),
]

JAX_RULES_INVALID = [
    err("cross((2, 4), (4,))", "rule-no-match", "ValueError", "either 2 or 3"),
    err("cross((2, 3), (3, 3))", "broadcast", "TypeError", "incompatible shapes"),
    err("cross((2, 3), (4, 3, 3))", "broadcast", "ValueError", id="cross: ranks differ"),
    err("trace((3,))", "bad-argument", "ValueError", "trace wants at least 2 dims, got (3,)"),
    err("trace(())", "bad-argument", "ValueError", "got ()"),
    err("dot((2, 3), (4, 5))", "rule-no-match", "TypeError", "k = 3", "4"),
    err("dot((2,), (2, 3, 4))", "rule-no-match", "TypeError"),
    err("cbrt(x=(a,))", "arity", "TypeError", id="positional-only by keyword"),
    err("one_hot(i32[a], 5, 0)", "arity", "TypeError", id="keyword-only positionally"),
    err("one_hot(i32[a])", "arity", "TypeError", "num_classes"),
    err("one_hot(i32[a], 1.5)", "bad-argument", "TypeError", "num_classes must be an integer"),
    err("one_hot(i32[a], num_classes=(5,))", "bad-argument", "TypeError"),
    err("one_hot(i32[a, b], 5, axis=3)", "axis-out-of-range", "ValueError"),
    err("reshape((a, b), \"ab\")", "bad-argument", "TypeError", "shape must be a shape"),
    err("reshape((2, 3), (4,))", "reshape-size", "TypeError"),
    err("reshape((2, 3), (-1, -1))", "reshape-size", "TypeError"),
    err("matmul((2, n, k), (3, k, m))", "broadcast", "ValueError"),
    err("matmul((n, 2), (3, m))", "rule-no-match", "TypeError"),
]


@pytest.mark.parametrize("expr,expected", JAX_RULES_VALID)
def test_matching_checked_by_jax(expr, expected):
    assert_shape(expr, expected, JAX_RULES)


@pytest.mark.parametrize("expr,code,exception,fragments", JAX_RULES_INVALID)
def test_matching_errors_checked_by_jax(expr, code, exception, fragments):
    assert_error(expr, code, exception, fragments, JAX_RULES)


def test_dotted_rule_name_stands_for_the_jax_lax_function():
    rule = JAX_RULES.rule("lax.stop_gradient")
    assert (rule.callable.kind, rule.callable.target) == ("jax", "jax.lax.stop_gradient")
    assert JAX_RULES["jax.lax.stop_gradient"] is JAX_RULES["lax.stop_gradient"]
    assert "stop_gradient" not in JAX_RULES  # the bare name stays unbound


def test_one_hot_dtype_from_the_rule():
    assert shapeinfer.infer("one_hot(i32[a], 5)", rules=JAX_RULES).dtypes == ["f32"]
    assert shapeinfer.infer("argmax((a,))", rules=JAX_RULES).dtypes == ["i32"]


# Rules with no JAX counterpart: the engine's answer only.
ENGINE_RULES = load_rules(src(
    "rule halve2:",
    "    (2*n) -> (n)",
    "rule lit:",
    "    (3, n) -> (n, 3)",
    "rule first:",
    "    (n, n) -> (1)",
    "  | (n, m) -> (2)",
    "  | (*_) -> (3)",
    "rule split_by (x, y):",
    "    (n*m), (n) -> (m)",
    "  | (2*n + 1), (n - 1) -> (n)",
    "rule two, three:",
    "    (n) -> (n, n)",
    "rule opt (x, y = None):",
    "    (*x), None -> (*x, 0)",
    "  | (*x), (*y) -> (*x, *y)",
    "rule kwonly (x, *, k: int):",
    "    (*x) -> (*x, k)",
    "rule posonly (x, /, k: int = 2):",
    "    (*x) -> (*x, k)",
    'rule typed (x, k: int = 1, axis: axes = 0, sh: shape = (2, 3), keep: bool = False,',
    '             mode: str = "same"):',
    "    (*x) -> (*x, k, *sh)",
    "rule bounded (x, k: int = 2):",
    "    (n) -> (n // k)",
    '    requires k > 0, k <= n else ValueError "k = {k} does not fit n = {n}"',
    "rule shout:",
    "    (n, m) -> (n)",
    '  | (*x) -> raise ValueError "shout wants 2 dims, got {0}"',
))

ENGINE_VALID = [
    ok("halve2((6,))", "(3,)"),
    ok("halve2((2*a,))", "(a,)"),
    ok("halve2((0,))", "(0,)"),
    ok("lit((3, n))", "(n, 3)"),
    ok("first((a, a))", "(1,)", id="first clause wins over the second"),
    ok("first((2, 2))", "(1,)"),
    ok("first((a, b))", "(2,)"),
    ok("first((a,))", "(3,)"),
    ok("split_by((6,), (2,))", "(3,)"),
    ok("split_by((a*b,), (a,))", "(b,)"),
    ok("split_by((7,), (2,))", "(3,)", id="the second clause solves n from 2*n + 1"),
    ok("split_by((2*a + 1,), (a - 1,))", "(a,)"),
    ok("two((a,))", "(a, a)"),
    ok("three((a,))", "(a, a)"),
    ok("jnp.three((a,))", "(a, a)"),
    ok("opt((a, b))", "(a, b, 0)"),
    ok("opt((a,), None)", "(a, 0)"),
    ok("opt((a,), (b,))", "(a, b)"),
    ok("opt((a,), y=(b,))", "(a, b)"),
    ok("opt(y=(b,), x=(a,))", "(a, b)"),
    ok("kwonly((a,), k=3)", "(a, 3)"),
    ok("posonly((a,), 3)", "(a, 3)"),
    ok("posonly((a,), k=n)", "(a, n)"),
    ok("typed((a,))", "(a, 1, 2, 3)"),
    ok("typed((a,), 4)", "(a, 4, 2, 3)"),
    ok("typed((a,), k=n, sh=(b,))", "(a, n, b)"),
    ok("typed((a,), sh=())", "(a, 1)"),
    ok('typed((a,), axis=(0, -1), keep=True, mode="valid")', "(a, 1, 2, 3)"),
    ok("bounded((6,))", "(3,)"),
    ok("bounded((n,), k=1)", "(n,)"),
    ok("shout((a, b))", "(a,)"),
]

ENGINE_INVALID = [
    err("halve2((7,))", "rule-no-match", "TypeError", "not 2 * n for an integer n"),
    err("halve2((a,))", "rule-no-match", "TypeError"),
    err("lit((4, n))", "rule-no-match", "TypeError", "axis 0 is 4, the pattern wants 3"),
    err("lit((a, n))", "rule-no-match", "TypeError", "the pattern wants 3"),
    err("split_by((7,), (3,))", "rule-no-match", "TypeError"),
    err("three((a, b))", "rule-no-match", "TypeError", "three: no clause matches"),
    err("jnp.two((a, b))", "rule-no-match", "TypeError", "two: no clause matches"),
    err("kwonly((a,), 3)", "arity", "TypeError", "positional"),
    err("kwonly((a,))", "arity", "TypeError", "'k'"),
    err("posonly(x=(a,))", "arity", "TypeError", "'x'"),
    err("opt()", "arity", "TypeError"),
    err("typed((a,), k=(1,))", "bad-argument", "TypeError", "k must be an integer"),
    err("typed((a,), k=1.5)", "bad-argument", "TypeError", "k must be an integer"),
    err('typed((a,), axis="x")', "bad-argument", "TypeError", "axis must be an int or a tuple"),
    err('typed((a,), sh="ab")', "bad-argument", "TypeError", "sh must be a shape"),
    err("(lambda f: typed((a,), keep=f))(())", "bad-argument", "TypeError",
        "the truth value of an array"),
    err("typed((a,), mode=1)", "bad-argument", "TypeError", "mode must be a string"),
    err("typed((a,), nope=1)", "arity", "TypeError", "nope"),
    err("bounded((6,), k=0)", "requires-failed", "ValueError", "k = 0 does not fit n = 6"),
    err("bounded((2,), k=3)", "requires-failed", "ValueError", "k = 3 does not fit n = 2",
        "k <= n"),
    err("shout((a,))", "bad-argument", "ValueError", "shout wants 2 dims, got (a,)"),
    err("shout((1, 2, 3))", "bad-argument", "ValueError", "got (1, 2, 3)"),
]


@pytest.mark.parametrize("expr,expected", ENGINE_VALID)
def test_matching_engine_only(expr, expected):
    assert_shape(expr, expected, ENGINE_RULES, jax=False)


@pytest.mark.parametrize("expr,code,exception,fragments", ENGINE_INVALID)
def test_matching_errors_engine_only(expr, code, exception, fragments):
    assert_error(expr, code, exception, fragments, ENGINE_RULES, jax=False)


@pytest.mark.parametrize("expr,blame", [
    ("typed((a,), k=(1,))", "k=(1,)"),
    ('typed((a,), mode=1)', "mode=1"),
    ("kwonly((a,), 3)", "3"),
])
def test_static_argument_errors_point_at_the_argument(expr, blame):
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(expr, rules=ENGINE_RULES)
    start, end = info.value.span
    assert expr[start:end] == blame


# ================================================================ 8. from a second reading

def test_a_list_of_libraries_keeps_each_ones_rules():
    first = load_rules(src("rule f: (n) -> (n)"))
    second = load_rules(src("rule g: (n) -> (n, n)"))
    both = [first, second]
    assert str(shapeinfer.infer("f((2,))", rules=both)) == "(2,)"
    assert str(shapeinfer.infer("g((2,))", rules=both)) == "(2, 2)"


def test_a_later_library_in_a_list_overrides_an_earlier_one():
    first = load_rules(src("rule f: (n) -> (n)"))
    second = load_rules(src("rule f: (n) -> (n, 1)"))
    assert str(shapeinfer.infer("f((2,))", rules=[first, second])) == "(2, 1)"
    assert str(shapeinfer.infer("add((2,), (2,))", rules=[first, second])) == "(2,)"


def test_a_pattern_solved_to_a_negative_size_does_not_match():
    lib = load_rules(src("rule neg: (3 - n) -> (n)"))
    assert str(shapeinfer.infer("neg((1,))", rules=lib)) == "(2,)"
    e = assert_error("neg((5,))", "rule-no-match", "TypeError", ("n = -2, not a size",), lib,
                     jax=False)
    assert "3 - n" in e.message


@pytest.mark.parametrize("name", ["vmap", "jax.grad", "partial", "jit"])
def test_a_rule_cannot_replace_a_transformation(name):
    with pytest.raises(RuleError) as info:
        load_rules(src(f"rule {name}:", "    (*x) -> x"))
    assert "transformation" in info.value.reason
    assert info.value.line == 1


@pytest.mark.parametrize("expr,expected", [
    ('sum_as(f32[a], dtype="int8")', "i8"),
    ('sum_as(f32[a], dtype="float16")', "f16"),
    ("sum_as(bool[a])", "i32"),
])
def test_an_explicit_dtype_argument_is_the_result_dtype(expr, expected):
    lib = load_rules(src(
        "rule sum_as (a, axis: axes = None, dtype: dtype = None):",
        "    (*x) -> reduce(x, axis)",
        "    dtype sum",
        '    jax "jax.numpy.sum"'))
    assert shapeinfer.infer(expr, rules=lib).dtypes == [expected]
    checked(expr, lib)  # JAX gives the same dtype


@pytest.mark.parametrize("expr, expected", [
    ('sum_as(f32[a], dtype="i8")', "i32"),     # NumPy's type code for int64, canonically i32
    ('sum_as(f32[a], dtype="u2")', "u16"),
    ("sum_as(f32[a], dtype=jnp.int8)", "i8"),
])
def test_dtype_arguments_are_read_as_numpy_reads_them(expr, expected):
    lib = load_rules(src(
        "rule sum_as (a, axis: axes = None, dtype: dtype = None):",
        "    (*x) -> reduce(x, axis)",
        "    dtype sum",
        '    jax "jax.numpy.sum"'))
    assert shapeinfer.infer(expr, rules=lib).dtypes == [expected]
    checked(expr, lib)


def test_a_dtype_argument_numpy_does_not_know_is_refused():
    lib = load_rules(src("rule f (a, dtype: dtype = None):", "    (*x) -> x"))
    assert_error('f(f32[a], dtype="f7")', "bad-argument", "TypeError", ("dtype name",), lib,
                 jax=False)


@pytest.mark.parametrize("text,shown", [
    ("rule f: (2*n + 1) -> (n)", "(2*n + 1)"),
    ("rule f: (a - (b - c)), (a), (b), (c) -> ()", "(a - (b - c))"),
    ("rule f: ((a + b) * c), (a), (b), (c) -> ()", "((a + b) * c)"),
])
def test_pattern_expressions_print_as_written(text, shown):
    rule = load_rules(text).rule("f")
    assert str(rule.clauses[0].patterns[0]).replace(" * ", "*") == shown.replace(" * ", "*")
