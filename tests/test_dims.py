"""The decision procedure for dims (shapeinfer/dims.py): floor division,
mod, min and max are related as jax.export's symbolic dims relate them, and
every decision is sound: a proof holds at every size, a disproof at none."""
from __future__ import annotations

import fractions
import itertools
import math
import random

import pytest
import sympy

from shapeinfer import dims
from shapeinfer.dims import Decision

a, b, n = dims.symbol("a"), dims.symbol("b"), dims.symbol("n")
fd, md = dims.floordiv, dims.mod
TRUE, FALSE, UNKNOWN = Decision.TRUE, Decision.FALSE, Decision.UNKNOWN


@pytest.mark.parametrize("d, decision", [
    (a - fd(a, 2), TRUE), (a - sympy.Min(a, 3), TRUE), (sympy.Max(a, b) - a, TRUE),
    (n - md(n, 2), TRUE), (a + b - 2, TRUE), (a - md(a, b), TRUE), (a - fd(a, b), TRUE),
    (fd(a, b), TRUE), (md(a, 3) - 3, FALSE), (-md(a, 2) - 1, FALSE),
    (sympy.Min(a, b) - a - 1, FALSE), (a - b, UNKNOWN), (sympy.Min(a, b) - a, UNKNOWN),
    (md(a, 3) - 1, UNKNOWN), (sympy.Max(a - 5, 0), TRUE), (2 * fd(a, 2) - a, UNKNOWN),
    (a - 2 * fd(a, 2), TRUE), (a * b - a, TRUE),
    # true, but as for jax.export it needs a case split on a the bounds do not make
    (sympy.Min(a, 4) - sympy.Min(a, 3), UNKNOWN),
])
def test_nonnegative(d, decision):
    assert dims.decide_nonnegative(d) is decision


@pytest.mark.parametrize("x, y, decision", [
    (2 * fd(n, 2) + md(n, 2), n, TRUE), (3 * fd(n, 3) + md(n, 3), n, TRUE),
    (sympy.Min(a, a + 1), a, TRUE), (sympy.Max(a, a - 1), a, TRUE), (fd(2 * a, 2), a, TRUE),
    (md(2 * a, 2), 0, TRUE), (md(a, 2), 2, FALSE), (sympy.Min(a, 3), 4, FALSE),
    (a + 1, a, FALSE), (a, b, UNKNOWN), (md(a, 2), 0, UNKNOWN), (fd(a, 2), a, UNKNOWN),
])
def test_equal(x, y, decision):
    assert dims.decide_eq(x, y) is decision


@pytest.mark.parametrize("d, simplified", [
    (sympy.Max(0, n - md(n, 2)), n - md(n, 2)), (sympy.Min(a, a + 3), a),
    (sympy.Max(0, a - sympy.Min(a, b)), a - sympy.Min(a, b)), (sympy.Min(a, b), sympy.Min(a, b)),
    (sympy.Max(0, b - 3), sympy.Max(0, b - 3)),
])
def test_simplify_drops_cases_that_are_never_chosen(d, simplified):
    assert dims.simplify(d) == simplified


# ---------------------------------------------------------------- soundness, by sampling

def _random_dim(rng: random.Random, depth: int = 0):
    leaves = [a, b, sympy.Integer(rng.randint(0, 4))]
    if depth > 2 or rng.random() < 0.3:
        return rng.choice(leaves)
    x, y = _random_dim(rng, depth + 1), _random_dim(rng, depth + 1)
    k = sympy.Integer(rng.randint(1, 4))
    return rng.choice([x + y, x - y, x * k, fd(x, k), md(x, k), sympy.Min(x, y),
                       sympy.Max(x, y), x - fd(x, k), x - md(x, k), k * fd(x, k) + md(x, k)])


def _compiled(d):
    """``d`` as a Python function of the sizes a and b (exact integer arithmetic)."""
    if d.is_Symbol:
        return (lambda va, vb: va) if d == a else (lambda va, vb: vb)
    if d.is_Number:
        return lambda va, vb: fractions.Fraction(str(d))
    parts = [_compiled(arg) for arg in d.args]
    combine = {sympy.Add: sum, sympy.Mul: math.prod, sympy.Min: min, sympy.Max: max,
               sympy.Mod: lambda xs: xs[0] % xs[1], sympy.floor: lambda xs: math.floor(xs[0]),
               sympy.Pow: lambda xs: xs[0] ** xs[1]}[type(d)]
    return lambda va, vb: combine([p(va, vb) for p in parts])


def _values(d) -> list[int]:
    f = _compiled(d)
    return [int(f(va, vb)) for va, vb in itertools.product(range(1, 13), repeat=2)]


def test_decisions_are_sound_at_every_sampled_size():
    rng = random.Random(7)
    decided = 0
    for _ in range(150):
        x, y = _random_dim(rng), _random_dim(rng)
        sign, eq = dims.decide_nonnegative(x - y), dims.decide_eq(x, y)
        values = _values(x - y)
        if sign is TRUE:
            assert min(values) >= 0, (x, y)
        if sign is FALSE:
            assert max(values) < 0, (x, y)
        if eq is TRUE:
            assert set(values) == {0}, (x, y)
        if eq is FALSE:
            assert 0 not in values, (x, y)
        decided += (sign is not UNKNOWN) + (eq is not UNKNOWN)
    assert decided >= 100  # most comparisons of such dims are decided


# ---------------------------------------------------------------- printing

c = dims.symbol("c")


@pytest.mark.parametrize("d, text", [
    (a - fd(a, 2), "a - a // 2"), (n - md(n, 2), "n - n % 2"),
    (sympy.Max(a, b) - a, "max(a, b) - a"), (a - sympy.Min(a, 3), "a - min(a, 3)"),
    (fd(a + 1, 2), "(a + 1) // 2"), (2 * fd(n, 2), "2*(n // 2)"), (md(a + b, 3), "(a + b) % 3"),
    (-md(n, 2), "-(n % 2)"), (-2 * fd(a, 3), "-2*(a // 3)"), (fd(a, 2 * b), "a // (2*b)"),
    (fd(a * b, 3), "a*b // 3"), (fd(fd(a, 2), 3), "a // 2 // 3"), (fd(-a, 2), "(-a) // 2"),
    (1 - a, "1 - a"), (a - b - 1 + c, "a + c - b - 1"), (sympy.Integer(3), "3"),
    (a * b + 2 - a - b, "a*b - a - b + 2"), (-a - 1, "-a - 1"),
    (sympy.Max(0, b - 3), "max(b - 3, 0)"),
    # floor of a sum with fractions is the division it came from
    (sympy.floor(a / 2 + b / 3), "(3*a + 2*b) // 6"),
])
def test_dims_print_in_the_language_forms(d, text):
    assert dims.fmt_dim(d) == text
    assert dims.parse_dim(text) == d


def _random_text(rng: random.Random, depth: int = 0) -> str:
    """A dim expression as a program writes it: sizes, ints, + - * // % max min."""
    if depth > 2 or rng.random() < 0.25:
        return rng.choice(["a", "b", "n", str(rng.randint(0, 5))])
    x, y = _random_text(rng, depth + 1), _random_text(rng, depth + 1)
    k = rng.choice(["1", "2", "3", "4", "a", "b"])  # never 0: x // 0 is an error
    return rng.choice([f"({x} + {y})", f"({x} - {y})", f"({x} * {y})", f"-{x}",
                       f"({x} // {k})", f"({x} % {k})", f"max({x}, {y})", f"min({x}, {y})",
                       f"{k}*({x} // {k}) + {x} % {k}"])


def _in_the_language(text: str):
    """The dim the language's evaluator makes of ``text``."""
    from shapeinfer.engine import Evaluator
    from shapeinfer.library import resolve
    from shapeinfer.syntax import parse
    return Evaluator(resolve(None)).eval(parse(text).expr, {})


def test_printing_round_trips_through_the_parsers():
    """For random dims built by the language: the printed text parses back,
    through the language and through sympy (dims.parse_dim), to the same dim,
    and Python's own // % max min on it give the dim's values."""
    rng = random.Random(11)
    sizes = [dict(zip("abn", v)) for v in itertools.product((1, 2, 3, 7), repeat=3)]
    for _ in range(150):
        d = _in_the_language(_random_text(rng))
        printed = dims.fmt_dim(d)
        assert _in_the_language(printed) == d, printed
        assert dims.parse_dim(printed) == d, printed
        for values in sizes:
            expected = d.xreplace({dims.symbol(s): v for s, v in values.items()})
            python = eval(printed, {"__builtins__": {}, "max": max, "min": min}, values)  # noqa: S307
            assert python == expected, (printed, values)


def test_size_symbols_are_sympys_own():
    # dims.symbol copies a template's assumptions instead of calling sympy's
    # constructor (issue 10): the symbol must be the one sympy would make
    import pickle
    assert dims._new_size_symbol is dims._copy_size_symbol  # the copy is in use here
    mine = dims.symbol("sym_copy_n")
    theirs = sympy.Symbol("sym_copy_n", integer=True, positive=True)
    assert mine == theirs and hash(mine) == hash(theirs)
    assert mine != sympy.Symbol("sym_copy_n", integer=True, nonnegative=True)
    assert sympy.expand((mine + 1) ** 2 - (theirs + 1) ** 2) == 0
    assert {mine: 1}[theirs] == 1
    assert mine.is_integer and mine.is_positive and (mine - 1).is_nonnegative
    assert pickle.loads(pickle.dumps(mine)) == theirs
    assert dims._fresh("sym_copy_n").is_positive


@pytest.mark.parametrize("before, left, right", [
    ([], "a", "b"), ([], "b", "a"), ([], "n", 3), ([], 3, "n"), ([], "n", 1),
    ([("c", "a")], "a", "b"), ([("b", 2)], "a", "c"), ([("a", "z")], "z", "y"),
])
def test_size_equalities_bind_as_the_general_path_does(before, left, right):
    # Facts._bind_sizes binds the commonest guards (a == b, n == 3) without
    # sympy's algebra (issue 10); _substitute_zero, the general path, must
    # have bound them the same way
    def value(v):
        return dims.symbol(v) if isinstance(v, str) else sympy.Integer(v)

    fast, slow = dims.Facts(), dims.Facts()
    for x, y in before:
        fast.add(dims.relation("==", value(x), value(y)))
        slow.add(dims.relation("==", value(x), value(y)))
    condition = dims.relation("==", value(left), value(right))
    assert fast.add(condition) is Decision.UNKNOWN  # taken (through the fast path)
    diff = slow.rewrite(sympy.expand(value(left) - value(right)))
    assert slow._substitute_zero(diff)
    assert fast.subs == slow.subs
    assert fast.decide(condition) is Decision.TRUE


# -- plain products (reshape's and plainly_nonnegative's shortcut)

_A, _B, _C = dims.symbol("pa"), dims.symbol("pb"), dims.symbol("pc")


@pytest.mark.parametrize("xs, ys, same", [
    ((_A, _B, _C), (_A * _B, _C), True),
    ((_A, 6), (2, _A, 3), True),
    ((_A ** 2, _B), (_A, _A * _B), True),
    ((_A, _B), (_B, _A), True),
    ((_A, _B), (_A, _C), False),
    ((_A, 2), (_A, 3), False),
    ((_A, _A), (_A,), False),
    ((0, _A), (0, _B), False),        # both 0, but this shortcut does not say so
    ((_A - 1,), (_A - 1,), False),     # not a product of sizes: ask decide_eq
    ((6,), (-2, -3), False),           # negative sizes are reshape's error
])
def test_same_product(xs, ys, same):
    xs, ys = tuple(map(sympy.sympify, xs)), tuple(map(sympy.sympify, ys))
    assert dims.same_product(xs, ys) is same


def test_same_product_agrees_with_decide_eq_on_random_products():
    rng = random.Random(7)
    parts = [_A, _B, _C, _A * _B, _B ** 2, sympy.Integer(1), sympy.Integer(2), sympy.Integer(3)]
    for _ in range(400):
        xs = tuple(rng.choice(parts) for _ in range(rng.randint(1, 4)))
        ys = tuple(rng.choice(parts) for _ in range(rng.randint(1, 4)))
        if dims.same_product(xs, ys):
            assert dims.decide_eq(sympy.Mul(*xs), sympy.Mul(*ys)) is Decision.TRUE, (xs, ys)
        elif sympy.expand(sympy.Mul(*xs) - sympy.Mul(*ys)) == 0:
            raise AssertionError(f"equal products not seen: {xs} {ys}")


@pytest.mark.parametrize("d, plain", [
    (_A * _B, True), (_A ** 3, True), (_A * _B ** 2, True),
    (2 * _A, False),          # (true, but decided the general way)
    (_A - _B, False), (sympy.Integer(-1), False), (sympy.Integer(0), True),
])
def test_plainly_nonnegative(d, plain):
    assert dims.plainly_nonnegative(d) is plain
    if plain:
        assert dims.decide_nonnegative(d) is Decision.TRUE


# -- a product of sizes against a constant no sizes reach (default mode)

def test_a_product_of_sizes_never_reaching_a_constant_is_decided_in_default_mode_only():
    b = dims.symbol("pb")
    assert dims.decide_eq(b ** 3, sympy.Integer(3)) is Decision.FALSE
    assert dims.decide_eq(b ** 3 - 3, sympy.Integer(0)) is Decision.FALSE
    assert dims.decide_eq(b ** 3, sympy.Integer(8)) is Decision.UNKNOWN
    with dims.as_jax(True):  # jax.export's bounds leave it inconclusive
        assert dims.decide_eq(b ** 3, sympy.Integer(3)) is Decision.UNKNOWN
        assert dims.decide_eq(b ** 3 - 3, sympy.Integer(0)) is Decision.UNKNOWN


def test_never_a_product_against_every_size_up_to_the_constant():
    a, b = dims.symbol("pa"), dims.symbol("pb")
    monomials = {a ** 2: (2,), a ** 3: (3,), a ** 2 * b ** 2: (2, 2), a ** 2 * b ** 3: (2, 3),
                 a ** 4 * b ** 6: (4, 6), a * b ** 2: (1, 2)}
    for monomial, powers in monomials.items():
        for n in range(1, 130):
            reachable = any(
                math.prod(x ** p for x, p in zip(xs, powers)) == n
                for xs in itertools.product(range(1, n + 1), repeat=len(powers)))
            assert dims._never_a_product(monomial, n) is (not reachable), (monomial, n)
