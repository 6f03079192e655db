"""The polynomial fast path of the decision procedure (dims._polynomial)
must decide exactly as the general procedure does: random sums of sizes,
products of sizes and constants, decided both ways."""
import random

import pytest
import sympy

from shapeinfer import dims


def general(fn, d, monkeypatch):
    """fn's decision with the fast path switched off (and its caches cold)."""
    with monkeypatch.context() as m:
        m.setattr(dims, "_polynomial", lambda d: None)
        dims._decide_eq_zero_cached.cache_clear()
        dims._decide_nonnegative_cached.cache_clear()
        try:
            return fn(d)
        finally:
            dims._decide_eq_zero_cached.cache_clear()
            dims._decide_nonnegative_cached.cache_clear()


def random_dims(seed, n=60):
    rng = random.Random(seed)
    a, b, c = (dims.symbol(x) for x in "abc")
    monomials = [a, b, c, a * b, b * c, a * a, a * b * c]
    out = []
    for _ in range(n):
        d = sympy.Integer(rng.randint(-6, 6))
        for m in rng.sample(monomials, rng.randint(1, 3)):
            d += rng.choice([-3, -2, -1, 1, 1, 2, 3]) * m
        out.append(sympy.expand(d))
    return out


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("seed", range(4))
def test_fast_path_decides_as_the_general_procedure(seed, strict, monkeypatch):
    # strict: jax.export's term-by-term bounds, which the fast path must not outdo
    with dims.as_jax(strict):
        for d in random_dims(seed):
            if d.is_number:
                continue
            assert dims._decide_eq_zero(d) == general(dims._decide_eq_zero, d, monkeypatch), d
            assert dims._decide_nonnegative(d) == \
                general(dims._decide_nonnegative, d, monkeypatch), d


def test_fast_path_covers_what_it_should():
    a, b = dims.symbol("a"), dims.symbol("b")
    assert dims._polynomial(a - 1) == (-1, [1], True)
    assert dims._polynomial(2 * a * b + 3) == (3, [2], False)
    assert dims._polynomial(sympy.floor(a / 2)) is None
    assert dims._polynomial(sympy.Symbol("x") + 1) is None  # not a size symbol


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_size_questions_are_decided_as_the_general_procedure(strict, monkeypatch):
    # decide_eq's shortcut (dims._decide_size_eq) for a size or a product of
    # sizes against a constant, and for two sizes, against the general
    # procedure on their difference
    a, b, c = (dims.symbol(x) for x in "abc")
    left = [a, b, a * b, a * a, a * b * c, a ** 3]
    right = [sympy.Integer(k) for k in range(-2, 5)] + [-1, 0, 1, 2] + [a, b, c]
    decided = 0
    with dims.as_jax(strict):
        for x in left:
            for y in right:
                for p, q in ((x, y), (y, x)):
                    fast = dims._decide_size_eq(p, q)
                    if fast is None or p is q:
                        continue
                    decided += 1
                    diff = sympy.expand(sympy.sympify(p) - sympy.sympify(q))
                    assert fast == general(dims._decide_eq_zero, diff, monkeypatch), (p, q)
    assert decided > 100
