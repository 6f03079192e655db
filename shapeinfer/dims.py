"""Dimensions: sympy integer expressions over positive size symbols.

Invariants: a dim is a ``sympy.Expr``; size symbols are integer and positive
(a size symbol stands for a size >= 1); constants are ``sympy.Integer``.

Every comparison of dims goes through :func:`decide_eq`, which answers with
one of three :class:`Decision` values, as JAX's ``shape_poly`` does: proved,
disproved, or unknown. What callers do with "unknown" is their policy: for
now it behaves as JAX's own symbolic shapes (a symbolic dim matches only
itself, or 1 where broadcasting allows it).

>>> a, b = symbol("a"), symbol("b")
>>> decide_eq(a + a, 2 * a)
<Decision.TRUE: 'true'>
>>> decide_eq(a + 1, a)
<Decision.FALSE: 'false'>
>>> decide_eq(a, b)
<Decision.UNKNOWN: 'unknown'>
"""
from __future__ import annotations

import enum
import functools
from typing import Iterable

import sympy

Dim = sympy.Expr
Shape = tuple  # tuple[Dim, ...]


class Decision(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@functools.lru_cache(maxsize=None)
def symbol(name: str) -> sympy.Symbol:
    """The size symbol ``name`` (an integer >= 1)."""
    return sympy.Symbol(name, integer=True, positive=True)


def const(n: int) -> Dim:
    return sympy.Integer(n)


def is_dim(value) -> bool:
    """A dim value (not a Python bool, which is a separate literal)."""
    return isinstance(value, sympy.Expr)


def as_int(d: Dim) -> int | None:
    """The Python int a dim is, or None if it is symbolic."""
    return int(d) if isinstance(d, sympy.Integer) else None


def plain(value):
    """A static value with its concrete dims as Python ints, through nested
    tuples and lists (tensordot's ``((1, 2), (0, 1))``)."""
    if isinstance(value, (tuple, list)):
        return type(value)(plain(v) for v in value)
    if is_dim(value) and as_int(value) is not None:
        return as_int(value)
    return value


def decide_eq(a: Dim, b: Dim) -> Decision:
    """Is ``a == b`` for every assignment of the size symbols?"""
    diff = sympy.expand(sympy.sympify(a) - sympy.sympify(b))
    if diff == 0:
        return Decision.TRUE
    if diff.is_number:
        return Decision.FALSE
    return _decide_eq_zero(diff)


@functools.lru_cache(maxsize=4096)
def _decide_eq_zero(diff: Dim) -> Decision:
    normal = _normal(diff)
    if normal == 0 or (_at_least(normal, 0) and _at_least(-normal, 0)):
        return Decision.TRUE  # 2*(n//2) + n%2 - n, min(a, a + 1) - a
    if _at_least(normal, 1) or _at_least(-normal, 1):
        return Decision.FALSE
    return Decision.UNKNOWN


@functools.lru_cache(maxsize=4096)
def decide_nonnegative(d: Dim) -> Decision:
    """Is ``d >= 0`` for every assignment of the size symbols?"""
    d = sympy.sympify(d)
    if d.is_number:
        return Decision.TRUE if d >= 0 else Decision.FALSE
    normal = _normal(d)
    if _at_least(normal, 0):
        return Decision.TRUE
    if _at_least(-normal, 1):
        return Decision.FALSE
    return Decision.UNKNOWN


# ---------------------------------------------------------------- the decision procedure
#
# As jax.export's symbolic dims do, floor division and mod by a constant are
# related (``e // k`` is ``(e - e % k) / k``), ``e % k`` lies in [0, k - 1]
# and below ``e``, and ``min`` / ``max`` are split into their cases: each
# step replaces one such term by a bound, in the direction that keeps the
# inequality sufficient, until a polynomial in the sizes remains, which
# sympy decides. Only proofs come out: a failure to prove is UNKNOWN.

_MAX_CASES = 64  # bound the case splits of a decision (min/max nest multiplicatively)


def _normal(d: Dim) -> Dim:
    """``d`` with each ``floor(e / k)`` (k a positive integer) written as
    ``(e - Mod(e, k)) / k``, so that equal things cancel."""
    def rewrite(f):
        num, den = f.args[0].as_numer_denom()
        if den.is_Integer and den > 0:
            return (num - sympy.Mod(num, den)) / den
        return f
    if not d.has(sympy.floor):
        return d
    return sympy.expand(d.replace(lambda e: isinstance(e, sympy.floor), rewrite))


def _at_least(d: Dim, bound: int) -> bool:
    """A proof that ``d >= bound`` for every assignment of the sizes."""
    return _proves(sympy.expand(d - bound), [_MAX_CASES])


def _proves(d: Dim, budget: list) -> bool:
    """A proof that ``d >= 0``: by sympy for a polynomial in the sizes, by
    bounding one min / max / mod / floor term of ``d`` at a time otherwise."""
    if d.is_number:
        return bool(d >= 0)
    term = next((t for t in sympy.preorder_traversal(d)
                 if isinstance(t, (sympy.Min, sympy.Max, sympy.Mod, sympy.floor))), None)
    if term is None:
        return _holds(d, "is_nonnegative")
    budget[0] -= 1
    if budget[0] < 0:
        return False
    unknown = sympy.Dummy()
    with_unknown = sympy.expand(d.xreplace({term: unknown}))
    slope = sympy.expand(with_unknown.as_independent(unknown, as_Add=True)[1] / unknown)
    if not slope.is_number or slope == 0:
        return False  # not linear in the term with a constant coefficient
    rising = slope > 0

    def holds_with(value) -> bool:
        return _proves(sympy.expand(with_unknown.xreplace({unknown: value})), budget)

    if isinstance(term, (sympy.Min, sympy.Max)):
        # d grows with the term: replacing it by something it is never
        # below keeps a proof (min: its smallest case, so each; max: any)
        every = isinstance(term, sympy.Min) == rising
        cases = (holds_with(arg) for arg in term.args)
        return all(cases) if every else any(cases)
    if isinstance(term, sympy.Mod):
        e, k = term.args
        if rising:
            return holds_with(0)  # e % k >= 0
        bounds = [e] if _proves(e, budget) else []  # e % k <= e for e >= 0
        if k.is_Integer and k > 0:
            bounds.append(k - 1)
        return any(holds_with(b) for b in bounds)
    num, den = term.args[0].as_numer_denom()  # floor(num / den), den a size expression
    if not (_proves(num, budget) and _proves(den - 1, budget)):
        return False
    return holds_with(0) if rising else holds_with(num)  # 0 <= num // den <= num


def simplify(d: Dim) -> Dim:
    """``d`` without the cases of its min / max that can never be chosen:
    ``max(0, n - n % 2)`` is ``n - n % 2``, as jax.export prints it."""
    if not d.has(sympy.Min, sympy.Max):
        return d

    def prune(f):
        args = list(dict.fromkeys(f.args))
        smaller_wins = isinstance(f, sympy.Min)
        kept = [x for i, x in enumerate(args)
                if not any(decide_nonnegative((x - y) if smaller_wins else (y - x))
                           is Decision.TRUE for j, y in enumerate(args)
                           if j != i and (j < i or decide_eq(x, y) is not Decision.TRUE))]
        return type(f)(*kept) if kept else args[0]
    return d.replace(lambda e: isinstance(e, (sympy.Min, sympy.Max)), prune)


def _holds(d: Dim, prop: str) -> bool:
    """Sympy's assumption ``prop`` of ``d``, helped along: sympy does not see
    that ``a + b - 2 >= 0`` for sizes >= 1, but it does see ``a' + b' >= 0``
    once each size is written as ``s' + 1`` with ``s' >= 0``."""
    if getattr(d, prop):
        return True
    return bool(getattr(_shifted(d), prop))


def _shifted(d: Dim) -> Dim:
    return sympy.expand(d.xreplace({s: _offset_symbol(s.name) + 1 for s in d.free_symbols}))


@functools.lru_cache(maxsize=None)
def _offset_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name + "'", integer=True, nonnegative=True)


def provably_negative(value) -> bool:
    """An integer argument (a dim, or a Python int or bool) that is < 0 for
    every size. One whose sign depends on the sizes (``n - 2``) is not: JAX
    raises only at sizes where it is negative."""
    if isinstance(value, int):
        return value < 0
    return is_dim(value) and decide_nonnegative(value) is Decision.FALSE


def definitely_equal(a: Dim, b: Dim) -> bool:
    return decide_eq(a, b) is Decision.TRUE


def floordiv(a: Dim, b: Dim) -> Dim:
    return sympy.floor(a / b) if not (a.is_Integer and b.is_Integer) else sympy.Integer(int(a) // int(b))


def mod(a: Dim, b: Dim) -> Dim:
    return sympy.Mod(a, b)


def fmt_dim(d: Dim) -> str:
    """Sympy's ``str()`` form: ``a*b``, ``n + 1``, ``2``."""
    return str(d)


def fmt_shape(shape: Iterable[Dim]) -> str:
    """Python tuple form: ``(a, b)``, ``(n,)``, ``()``."""
    items = [fmt_dim(d) for d in shape]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"
