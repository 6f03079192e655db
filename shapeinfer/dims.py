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


def decide_eq(a: Dim, b: Dim) -> Decision:
    """Is ``a == b`` for every assignment of the size symbols?"""
    diff = sympy.expand(sympy.sympify(a) - sympy.sympify(b))
    if diff == 0:
        return Decision.TRUE
    if diff.is_number:
        return Decision.FALSE
    if _holds(diff, "is_positive") or _holds(diff, "is_negative"):
        return Decision.FALSE
    return Decision.UNKNOWN


def decide_nonnegative(d: Dim) -> Decision:
    """Is ``d >= 0`` for every assignment of the size symbols?"""
    if _holds(d, "is_nonnegative"):
        return Decision.TRUE
    if _holds(d, "is_negative"):
        return Decision.FALSE
    return Decision.UNKNOWN


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
