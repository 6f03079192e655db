"""Symbolic reasoning (SPEC section 4, docs/symbolic.md): one decision policy,
guards, facts, strict mode.

Each row of the tables is checked against JAX: a default-mode answer at sizes
that satisfy its guards (``satisfying_sizes``) and where it has guards, also
that strict mode raises what ``jax.eval_shape`` raises on
``jax.export.symbolic_shape`` inputs.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import sympy

import shapeinfer
from shapeinfer import dims
from shapeinfer.oracle import agree, engine_outcome, jax_outcome, size_symbols, symbolic_sizes
from shapeinfer.scope import parse_condition, satisfying_sizes
from shapeinfer.syntax import parse

ROOT = Path(__file__).resolve().parent.parent


def test_sympy_sign_assumptions_are_only_used_in_dims():
    """Signs are decided by dims (under the scope's facts), never by asking
    sympy directly: sympy does not know the facts, nor that sizes are >= 1."""
    pattern = re.compile(r"\.is_(positive|nonnegative|negative|nonpositive)\b|"
                         r"['\"]is_(positive|nonnegative|negative|nonpositive)['\"]")
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in sorted((ROOT / "shapeinfer").rglob("*.py"))
                 if path.name != "dims.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert not offenders, "\n".join(offenders)


# ---------------------------------------------------------------- default mode: guards

def answer_at(result, sizes: dict):
    """What a symbolic answer says at ``sizes``, as the oracle's Outcome:
    ``Result.at``'s leaves and dtypes, or its error."""
    from shapeinfer.oracle import Outcome
    try:
        at = result.at(sizes)
    except shapeinfer.ShapeError as e:
        return Outcome(exception=e.exception, message=e.message)
    return Outcome(leaves=tuple(at.leaves), dtypes=tuple(at.dtypes))


def _fmt(r) -> list[str]:
    return [shapeinfer.scope.fmt_condition(g) for g in r.guards]


def assert_guarded_row(expr: str, result: str, guards: list[str], assume=None):
    """The answer and its guards; at sizes satisfying the guards, JAX agrees."""
    r = shapeinfer.infer(expr, assume=assume)
    assert (str(r), _fmt(r)) == (result, guards)
    names = sorted(size_symbols(parse(expr)))
    facts = [parse_condition(f) for f in (assume or [])]
    rng = random.Random(0)
    for _ in range(2):
        sizes = satisfying_sizes(list(r.guards) + facts, names, rng)
        assert sizes is not None
        subs = {dims.symbol(k): v for k, v in sizes.items()}
        leaves = tuple(tuple(int(d.xreplace(subs)) for d in shape) for shape in r.leaves)
        oracle = jax_outcome(expr, sizes)
        assert oracle is not None and oracle.ok and oracle.leaves == leaves, (sizes, oracle)


def assert_strict_row(expr: str):
    """Strict mode agrees with JAX's symbolic shapes (shape or exception class)."""
    engine = engine_outcome(expr, {}, strict=True)
    oracle = jax_outcome(expr, symbolic_sizes(size_symbols(parse(expr))))
    assert oracle is not None and agree(engine, oracle), (engine, oracle)


GUARDED = [
    # broadcasting: equality of the non-1 dims keeps the most information
    ("add((a,), (b,))", "(a,)", ["a == b"]),
    ("add((a, b), (b,))", "(a, b)", []),
    ("add((a, 1), (c, b))", "(a, b)", ["a == c"]),
    ("multiply((a, b, c), (d, 1, e))", "(a, b, c)", ["a == d", "c == e"]),
    ("add(add((a,), (b,)), (b,))", "(a,)", ["a == b"]),  # the guard decides the second add
    # vmap: the mapped sizes, then the per-example broadcast
    ("vmap(add, (0, 1))((a, b), (c, d))", "(a, b)", ["a == d", "b == c"]),
    # the seed article's in_axes=(1, None): per example (a1, c1) meets (a2, b2, c2)
    ("vmap(add, (1, None))((a1, b1, c1), (a2, b2, c2))", "(b1, a2, a1, c1)",
     ["a1 == b2", "c1 == c2"]),
    ("vmap(exp, None, 0, axis_size=a - 2)((a,))", "(a - 2, a)", ["a >= 2"]),
    # products and joins
    ("matmul((a, b), (c, d))", "(a, d)", ["b == c"]),
    ("matmul((a,), (b,))", "()", ["a == b"]),
    ("concatenate([(a, b), (c, d)], 1)", "(a, b + d)", ["a == c"]),
    ("jnp.stack([(a,), (b,)])", "(2, a)", ["a == b"]),
    ("jnp.einsum('ij,jk->ik', (a, b), (c, d))", "(a, d)", ["b == c"]),
    # shapes from sizes that may not be sizes
    ("(a - 2,)", "(a - 2,)", ["a >= 2"]),
    ("reshape((a,), (2, -1))", "(2, a // 2)", ["a % 2 == 0"]),
    ("reshape((a, b), (c, d))", "(c, d)", ["c*d == a*b"]),
    ("(2*(n // 2) - n,)", "(2*(n // 2) - n,)", ["n % 2 == 0"]),  # not 2*(n // 2) >= n
    ("broadcast_to((c,), (a, b))", "(a, b)", ["c == b"]),
    ("squeeze((a, b), 0)", "(b,)", ["a == 1"]),
    ("squeeze((a, 1, b))", "(a, b)", ["a >= 2", "b >= 2"]),
    ("(lambda: jnp.zeros((a - 2,)))()", "(a - 2,)", ["a >= 2"]),
    ("(lambda: jnp.eye(n - 3))()", "(n - 3, n - 3)", ["n >= 3"]),
    ("broadcast_to((1,), (a - 1, b - 2))", "(a - 1, b - 2)", ["b >= 2"]),
    ("jnp.max((n - 1,))", "()", ["n >= 2"]),
    ("(lambda: jnp.arange(0, n, a - 2))()", "(max((a + n - 3) // (a - 2), 0),)", ["a >= 3"]),
    # comparisons of sizes: == is JAX's "unequal" when undecided, an order is guarded
    ("(lambda x: x.shape[0] == 3)((a,))", "()", ["a != 3"]),
    ("(lambda x: x.shape[0] >= 3)((a,))", "()", ["a >= 3"]),
    # slicing and indexing: the sign JAX needs decided
    ("(lambda x: x[a + b - 2:])((n,))", "(n - min(n, a + b - 2),)", []),
    ("(lambda x: x[n - a:])((n,))", "(a,)", ["n >= a"]),
    # proved for every size, though JAX's term-by-term bounds do not prove it
    ("(lambda x: x[a*b - a:])((n,))", "(n - min(n, a*b - a),)", []),
    ("(lambda x: x[0])((n - a,))", "()", ["n >= a + 1"]),
    ("tensordot((c, a), (b, e), axes=((0,), (-1,)))", "(a, b)", ["c == e"]),
    ("lax.dynamic_slice((a, 3), [0, 0], (b, 2))", "(b, 2)", ["a >= b"]),
    ("lax.dynamic_slice((a,), [1], (2,))", "(2,)", ["a >= 2"]),
    ("lax.dot_general((n, a, b), (m, b, c), (((2,), (1,)), ((0,), (0,))))", "(n, a, c)",
     ["n == m"]),
    # division: a divisor that may be 0, a remainder with the divisor's sign
    ("(n // (n - b),)", "(n // (n - b),)", ["n != b", "n // (n - b) >= 0"]),
    ("(2 % (n - b), b).sum(0)", "(b,)", ["n != b", "2 % (n - b) >= 0"]),
    ("(a % b, n % (n - 1))", "(a % b, n % (n - 1))", ["n >= 2"]),
    # a product of sizes no sizes make 3 or 2: broadcasting needs it to be 1
    ("add((b**3,), (3,))", "(3,)", ["b**3 == 1"]),
    ("add((a**2*c**2, 5), (2, 5))", "(2, 5)", ["a**2*c**2 == 1"]),
    ("add((a**2,), (4,))", "(a**2,)", ["a**2 == 4"]),  # (a == 2)
    # control flow: branches and carries keep their types
    ("lax.cond(True, lambda: (a,), lambda: (b,))", "(b,)", ["b == a"]),
    ("lax.fori_loop(0, 3, lambda i, c: add(c, (b,)), (a,))", "(a,)", ["a == b"]),
]


@pytest.mark.parametrize("expr, result, guards", GUARDED)
def test_guarded(expr, result, guards):
    assert_guarded_row(expr, result, guards)


# where JAX's symbolic dims prove less than default mode, strict mode does too
WEAKER_IN_JAX = ["(a*b - a,)", "jnp.zeros((a*b - a,))", "(lambda x: x[a*b - a:])((n,))",
                 "(a - a*b - 1,)", "(a*b - a - b + 2,)",
                 # "possible division by 0", though max(..., 0) >= 0 needs no bound
                 "(max((a + n - 3) // (a - 2), 0),)"]
# and where both prove it: a remainder by a negative divisor lies in [k + 1, 0]
BOTH_PROVE = ["(n % (1 - n - b) + n + b,)"]
# einsum's labels of undecided sizes: opt_einsum plans with 8 for a symbolic
# dim (its ValueError against 3), then JAX's own assertion (a against c)
EINSUM_LABELS = ["einsum('ii', (c, 3))", "einsum('ij,jk', (a, c), (3, b))",
                 "einsum('ij,jk', (a, 8), (c, b))", "einsum('ij,jk', (a, c), (a, b))",
                 # a label repeated in one operand: its diagonal, the last size
                 "einsum('ii', (c, a))", "einsum('ii->i', (c, a))",
                 "einsum('ij,jj->i', (b, c), (c, a))", "einsum('ii,i->', (c, a), (a,))",
                 # ... and in a later operand than the label's first: its diagonal
                 # first, then the last size against the earlier operand's
                 "einsum('i,ii->', (a,), (c, a))", "einsum('i,ii->', (a,), (c, b))",
                 "einsum('i,ii->', (a,), (c, 3))", "einsum('i,ii->', (a,), (3, c))",
                 # (its last size 1: JAX squeezes it, then compares a with 8)
                 "einsum('i,ii->', (8,), (a, 1))", "einsum('ij,jj->i', (3, b), (a, 1))",
                 # '...' dims opt_einsum takes as equal meet as dot_general's batch dims
                 "einsum('...i,...i->...', (3, a, 2), (3, b, 2))",
                 "einsum('...i,...i->...', (3, a, 2), (3, 4, 2))"]
# jnp.trace never needs its diagonal's length min(a, b); tensordot's sizes
# are JAX's definitely_equal_shape (a guard each in default mode)
OPERATIONS = ["jnp.trace((a, b, c))", "jnp.diagonal((a, b))",
              "tensordot((c, a), (b, e), axes=((0,), (-1,)))"]


@pytest.mark.parametrize("expr", [e for e, _, g in GUARDED if g] + WEAKER_IN_JAX + BOTH_PROVE
                         + EINSUM_LABELS + OPERATIONS)
def test_strict_mode_is_jax_symbolic(expr):
    assert_strict_row(expr)


@pytest.mark.parametrize("expr", WEAKER_IN_JAX[:3])
def test_default_mode_proves_what_jax_does_not(expr):
    assert shapeinfer.infer(expr).guards == []
    with pytest.raises(shapeinfer.ShapeError) as e:
        shapeinfer.infer(expr, strict=True)
    assert e.value.exception == "InconclusiveDimensionOperation"
    assert "`assume a*b >= a` would" in e.value.message


# Loop carries whose types depend on a guard: the weak type of the carry
# (a Python scalar's init) is JAX's, where the guards hold. (The checker
# compares dtypes, not weak types, so this is checked here directly.)
WEAK_CARRIES = [
    ("lax.fori_loop(0, 3, lambda i, c: c + jnp.sum(add(i32[a], i32[b])), 0)", [False]),
    ("lax.scan(lambda c, x: (c + 1.0, add(x, (b,))), 0.0, (n, a))", [True, False]),
    ("lax.while_loop(lambda c: c < 3, lambda c: c + jnp.sum(add(i32[a], i32[b])), 0)", [False]),
    ("lax.fori_loop(0, 3, lambda i, c: (c[0] + jnp.sum(add(f32[a], f32[b])), c[1] + 1), "
     "(0.0, 1))", [False, True]),
]


@pytest.mark.parametrize("expr, weak", WEAK_CARRIES)
def test_weak_types_of_guarded_loop_carries_are_jax(expr, weak):
    import jax
    from shapeinfer.oracle import _Interpreter
    r = shapeinfer.infer(expr)
    assert r.guards and [x.weak for x in r.arrays] == weak
    sizes = satisfying_sizes(r.guards, sorted(size_symbols(parse(expr))), random.Random(0))
    out = jax.eval_shape(lambda: _Interpreter(sizes, None).run(parse(expr)))
    assert [leaf.weak_type for leaf in jax.tree.leaves(out)] == weak


FACTS = [
    ("add((a,), (b,))", ["a == 1"], "(b,)", []),
    ("add((a,), (b,))", ["a == b"], "(a,)", []),
    ("add((a,), (b,))", ["a != b"], "(a,)", ["b == 1"]),
    ("(a - 2,)", ["a >= 2"], "(a - 2,)", []),
    ("(a - 2,)", ["a > 2"], "(a - 2,)", []),
    ("reshape((n,), (2, -1))", ["n % 2 == 0"], "(2, n // 2)", []),
    ("(lambda x: x[n - a:])((n,))", ["n >= a"], "(a,)", []),
    ("(lambda x: x[:n - n % 2])((n,))", ["n % 2 == 0"], "(n - n % 2,)", []),
    ("vmap(add, (0, 1))((a, b), (c, d))", ["a == d", "b == c"], "(a, b)", []),
    ("(a - b,)", ["a >= b"], "(a - b,)", []),
    ("(5 - n,)", ["n <= 5"], "(5 - n,)", []),
    ("reshape((a - 1,), (3, -1))", ["a % 3 == 1"], "(3, (a - 1) // 3)", []),
    ("add((a,), (b,))", ["a >= b", "b >= a"], "(a,)", []),
    ("add((a - 1,), (b,))", ["a == b + 1"], "(a - 1,)", []),
]


@pytest.mark.parametrize("expr, assume, result, guards", FACTS)
def test_facts_turn_guards_into_proofs(expr, assume, result, guards):
    assert_guarded_row(expr, result, guards, assume=assume)
    # the same facts as assume statements in the program
    r = shapeinfer.infer(f"assume {', '.join(assume)}; {expr}")
    assert (str(r), _fmt(r)) == (result, guards)


@pytest.mark.parametrize("program, code, exception", [
    # facts turn a guard into an error
    ("assume a >= 2, b >= 2, a != b; add((a,), (b,))", "broadcast", "TypeError"),
    ("assume a != b; matmul((a,), (b,))", "rule-no-match", "TypeError"),
    ("assume a == 3; (a - 4,)", "bad-argument", "TypeError"),
    ("assume n <= 3; (n - 4,)", "bad-argument", "TypeError"),
    # contradictory facts
    ("assume a == 1, a >= 2; (a,)", "contradictory-facts", "ValueError"),
    ("assume a == b, a != b; (a,)", "contradictory-facts", "ValueError"),
    ("assume a == b, b == c, a != c; (a,)", "contradictory-facts", "ValueError"),
    ("assume n % 2 == 0, n == 3; (n,)", "contradictory-facts", "ValueError"),
    ("assume a % 3 == 2, a % 3 == 1; (a,)", "contradictory-facts", "ValueError"),
    ("assume a > b, b > a; (a,)", "contradictory-facts", "ValueError"),
])
def test_facts_turn_guards_into_errors(program, code, exception):
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer(program)
    assert (info.value.code, info.value.exception) == (code, exception)


def test_contradictory_facts_point_at_the_fact():
    text = "assume a == 1, a >= 2; (a,)"
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer(text)
    assert text[slice(*info.value.span)] == "a >= 2"


def test_facts_contradicting_the_sizes_are_an_error():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("assume a == b; add((a,), (b,))", sizes={"a": 2, "b": 3})
    assert info.value.code == "contradictory-facts"


def test_assume_of_non_sizes_is_a_type_error():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("x = (a,); assume x == 1; x")
    assert info.value.exception == "TypeError"


def test_guards_are_minimal():
    """None is implied by another (nor repeated), none by the facts."""
    r = shapeinfer.infer("(lambda x: x[0])((n - a,))")  # n >= a is implied by n >= a + 1
    assert _fmt(r) == ["n >= a + 1"]
    r = shapeinfer.infer("add(add((a,), (b,)), add((b,), (a,)))")
    assert _fmt(r) == ["a == b"]
    r = shapeinfer.infer("add((a,), (b,))", assume=["b == a"])
    assert r.guards == []


def test_guards_in_json_parse_back_with_sympy():
    r = shapeinfer.infer("add(reshape((a,), (2, -1)), (2, b))")
    data = r.to_json()
    assert data["guards"] == ["a % 2 == 0", "a // 2 == b"]
    for text, guard in zip(data["guards"], r.guards):
        assert parse_condition(text) == guard or sympy.simplify(
            parse_condition(text).lhs - parse_condition(text).rhs - (guard.lhs - guard.rhs)) == 0


@pytest.mark.parametrize("expr", [e for e, _, g in GUARDED if g] + [
    "add((lambda x: x[:n - n % 2])((n,)), (m,))", "add((a - a // 2,), (max(a, b) - a,))"])
def test_printed_guards_are_facts_the_language_reads_back(expr):
    """Each printed guard, given back as an ``assume``, holds there: the result
    is the same and needs no guard."""
    r = shapeinfer.infer(expr)
    printed = r.to_json()["guards"]
    assert printed
    again = shapeinfer.infer(expr, assume=printed)
    assert (str(again), again.guards) == (str(r), [])


def test_cli_prints_guards_after_the_result(capsys):
    from shapeinfer.cli import main
    assert main(["eval", "vmap(add, (0, 1))((a, b), (c, d))"]) == 0
    assert capsys.readouterr().out == "(a, b)  if a == d and b == c\n"


def test_cli_json_carries_the_guards(capsys):
    import json
    from shapeinfer.cli import main
    assert main(["eval", "--json", "matmul((a, b), (c, d))"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["result"], data["guards"]) == ("(a, d)", ["b == c"])
    assert [parse_condition(g) for g in data["guards"]] == \
        shapeinfer.infer("matmul((a, b), (c, d))").guards


def test_cli_strict(capsys):
    from shapeinfer.cli import main
    assert main(["eval", "--strict", "add((a,), (b,))"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("TypeError: add got incompatible shapes") and "assume a == b" in err


def test_strict_mode_has_no_guards():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("add((a,), (b,))", strict=True)
    assert "`assume a == b` would" in info.value.message
    assert shapeinfer.infer("add((a,), (b,))", strict=True, assume=["a == b"]).guards == []


def test_rule_clauses_prefer_a_match_without_guards(tmp_path):
    """A clause that needs no guard wins over an earlier one that would."""
    rules = "rule square_or_not (x, /):\n    (n, n) -> (1)\n  | (n, m) -> (2)\n"
    assert shapeinfer.infer("square_or_not((a, b))", rules=rules).describe() == "(2,)"
    assert shapeinfer.infer("square_or_not((a, a))", rules=rules).describe() == "(1,)"


def test_requires_takes_a_guard(tmp_path):
    rules = ("rule patchify (x, /, p: int):\n    (*b, h, w, c) -> (*b, h // p, w // p, p * p * c)\n"
             "    requires h % p == 0, w % p == 0\n")
    r = shapeinfer.infer("patchify((b, h, w, c), p=4)", rules=rules)
    assert _fmt(r) == ["h % 4 == 0", "w % 4 == 0"]
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("patchify((b, h, w, c), p=4)", rules=rules, strict=True)
    assert info.value.code == "inconclusive"
    assert shapeinfer.infer("patchify((b, h, w, c), p=4)", rules=rules,
                            assume=["h % 4 == 0", "w % 4 == 0"]).guards == []


def test_a_guard_with_floor_division_prints_as_assume_reads_it():
    r = shapeinfer.infer("(n // (n // 2 - b),)")
    assert _fmt(r)[0] == "n // 2 != b"
    # an assume of the printed guard is accepted and proves it
    assert shapeinfer.infer(f"assume {_fmt(r)[0]}; (n // (n // 2 - b),)").guards != r.guards


@pytest.mark.parametrize("text", [
    "arange(0.5, n)", "arange(n, 7.5)", "arange(n, 7.5, 2)", "arange(0, n, 2.5)",
    "arange(0.5, n, 0.25)", "arange(1, n, 2)", "reshape((a, n - 1), (-1, n - 1))"])
def test_symbolic_answers_with_floats_and_divisions_are_jaxs_at_every_size(text):
    # a float bound of arange was taken for an integer (arange(0.5, n) was
    # n - 1 long); the -1 of reshape divided by n - 1 with no guard that it
    # is not 0. Result.at against jax.eval_shape at n = 1..9
    r = shapeinfer.infer(text)
    for n in range(1, 10):
        sizes = {"n": n, "a": 3} if "a" in text else {"n": n}
        mine = answer_at(r, sizes)
        theirs = jax_outcome(text, sizes)
        assert agree(mine, theirs), (text, sizes, str(mine), str(theirs))


def test_arange_of_a_float_step_rounding_decides_at_symbolic_sizes_is_unsupported():
    with pytest.raises(shapeinfer.ShapeError) as e:
        shapeinfer.infer("arange(0, n, 0.1)")
    assert e.value.code == "unsupported"
    for n in (1, 3, 7):  # (at sizes, numpy's float arithmetic, as JAX)
        mine = engine_outcome("arange(0, n, 0.1)", {"n": n})
        assert agree(mine, jax_outcome("arange(0, n, 0.1)", {"n": n})), n


@pytest.mark.parametrize("text", ["jnp.linalg.eigh((a, b))", "jnp.linalg.slogdet((a, b))",
                                  "jnp.linalg.eigh((c, a, b), symmetrize_input=False)",
                                  "jnp.linalg.eigvalsh((a, b))", "jnp.linalg.cholesky((a, b))",
                                  "jnp.linalg.cholesky((c, a, b), symmetrize_input=False)",
                                  "jnp.linalg.svd((a, b), hermitian=True)"])
def test_square_matrix_operations_take_a_guard_where_the_sizes_are_symbolic(text):
    # (a, b) is square where a == b: a guard, as det and inv take, not an
    # error at every size; at a == b the answer is JAX's
    r = shapeinfer.infer(text)
    assert r.describe().endswith("  if a == b")
    for n in (1, 2, 3):
        sizes = {"a": n, "b": n, "c": 2} if "c" in text else {"a": n, "b": n}
        mine = answer_at(r, sizes)
        assert mine.ok and agree(mine, jax_outcome(text, sizes)), (text, sizes)


@pytest.mark.parametrize("text", ["lax.dynamic_slice_in_dim((c,), 0, c - a)",
                                  "lax.dynamic_slice((c, 3), [0, 0], (c - a, 2 - c))",
                                  "lax.dynamic_slice((c,), [0], (a - c - 1,))"])
def test_a_slice_size_that_may_be_negative_is_a_guard(text):
    # lax's `slice_size >= 0`: a guard where the sizes do not decide it
    # (c - a at c >= a), an error only where no size satisfies it; the
    # answer is JAX's at every assignment, and strict mode's is JAX's
    # symbolic error (inconclusive comparison)
    import itertools

    result = shapeinfer.infer(text)  # an answer, not an error at every size
    for a, c in itertools.product((1, 2, 3, 4), repeat=2):
        mine = answer_at(result, {"a": a, "c": c})
        theirs = jax_outcome(text, {"a": a, "c": c})
        assert agree(mine, theirs), (a, c, str(mine), str(theirs))
    strict = shapeinfer.check(text, symbolic=True, strict=True)
    assert strict.agreed, strict


@pytest.mark.parametrize("text", ["sum((a, b), axis=c)", "transpose((a, b), (c, 0))",
                                  "moveaxis((a, b), c, 0)", "diagonal((a, b), offset=c)",
                                  "expand_dims((a,), c)"])
def test_a_size_where_jax_wants_a_static_int_is_unsupported_not_jaxs_error(text):
    # at every assignment the size is an int, which JAX takes: claiming
    # JAX's TypeError would be wrong, so default mode declines (infer at
    # concrete sizes, which agree with JAX); strict mode gives JAX's own
    # symbolic refusal
    with pytest.raises(shapeinfer.ShapeError) as e:
        shapeinfer.infer(text)
    assert (e.value.code, e.value.exception) == ("unsupported", "NotImplementedError")
    assert "infer at concrete sizes" in e.value.message
    assert shapeinfer.check(text).agreed
    strict = shapeinfer.check(text, symbolic=True, strict=True)
    assert strict.agreed, strict


@pytest.mark.parametrize("text", ["pad((a,), b)", "pad((a, c), ((b, 1), (0, b - 2)))",
                                  "pad((a,), b - 3)", "pad((a,), (b, c))"])
def test_pad_widths_may_be_sizes_as_in_jaxs_symbolic_shapes(text):
    # JAX's symbolic shapes pad by a size; one that may be negative is a
    # guard. The answer is JAX's at each assignment, and strict mode's is
    # JAX's symbolic one (an answer, or its inconclusive comparison)
    import itertools

    result = shapeinfer.infer(text)
    names = [n for n in "abc" if re.search(rf"\b{n}\b", text)]
    for values in itertools.product((1, 2, 4), repeat=len(names)):
        sizes = dict(zip(names, values))
        mine = answer_at(result, sizes)
        theirs = jax_outcome(text, sizes)
        assert agree(mine, theirs), (sizes, str(mine), str(theirs))
    assert shapeinfer.check(text, symbolic=True, strict=True).agreed


@pytest.mark.parametrize("text", ["pad((2,), True)", "pad((a,), 2.5)", "pad((2,), ((1, 2.0),))",
                                  "pad((2, 3), ((1, 2), (3, -4)))",
                                  # no axes: no pairs, nothing checked but the form
                                  "pad(f32[], (-1, 0))", "pad(f32[], 2.5)",
                                  "pad(f32[], ((1, 2), (3, 4)))"])
def test_pad_widths_that_are_not_ints_are_jaxs_errors(text):
    assert shapeinfer.check(text).agreed


def test_an_error_that_holds_under_a_guard_says_so():
    # solve((b, 3, 3), (b, 3)): JAX refuses a b that looks like a batched
    # vector unless b's rows are 3 long: the error holds where b != 3, and
    # at b == 3 the answer is JAX's
    text = "jnp.linalg.solve((b, 3, 3), (b, 3))"
    with pytest.raises(shapeinfer.ShapeError) as e:
        shapeinfer.infer(text)
    assert [str(g) for g in e.value.guards] == ["Ne(b, 3)"]
    for b in (1, 2, 3, 4):
        assert agree(engine_outcome(text, {"b": b}), jax_outcome(text, {"b": b})), b
    assert jax_outcome(text, {"b": 3}).ok and not jax_outcome(text, {"b": 2}).ok
