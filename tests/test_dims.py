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
