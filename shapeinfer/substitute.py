"""Concrete sizes into a symbolic answer, fast: the 1,000-sizes path.

A symbolic result is exact wherever its guards hold, so the answer at many
concrete size assignments is one symbolic inference plus, per assignment,
evaluating each dim and guard. sympy's ``subs`` would cost tens of
microseconds per dim; instead each expression is compiled once into a small
Python function of a dict of sizes, computing exactly with ints and
:class:`fractions.Fraction` (``floor(a/2)`` is ``a // 2`` and never a
float). Anything the compiler does not know falls back to sympy's
``xreplace``, which is slow but exact.

>>> import sympy
>>> a, b = sympy.symbols("a b", integer=True, positive=True)
>>> value(sympy.floor(a / 2) + b, {"a": 7, "b": 1})
4
>>> holds(sympy.Eq(a, b), {"a": 2, "b": 2})
True
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import sympy

_RELATIONS = {sympy.Eq: "==", sympy.Ne: "!=", sympy.Ge: ">=", sympy.Gt: ">",
              sympy.Le: "<=", sympy.Lt: "<"}


class _Unknown(Exception):
    """An expression the compiler does not translate (sympy evaluates it)."""


def _source(e) -> str:
    """Python source computing ``e`` from the dict ``s`` of sizes."""
    if isinstance(e, sympy.Integer):
        return f"({int(e)})"
    if isinstance(e, sympy.Rational):
        return f"Fraction({e.p}, {e.q})"
    if isinstance(e, sympy.Symbol):
        return f"s[{e.name!r}]"
    args = [_source(x) for x in e.args]
    if isinstance(e, sympy.Add):
        return "(" + " + ".join(args) + ")"
    if isinstance(e, sympy.Mul):
        return "(" + " * ".join(args) + ")"
    if isinstance(e, sympy.Pow) and isinstance(e.exp, sympy.Integer):
        return f"(Fraction({args[0]}) ** {int(e.exp)})"
    if isinstance(e, sympy.floor):
        return f"floor({args[0]})"
    if isinstance(e, sympy.ceiling):
        return f"ceil({args[0]})"
    if isinstance(e, sympy.Mod):
        return f"({args[0]} % {args[1]})"
    if isinstance(e, sympy.Max):
        return f"max({', '.join(args)})"
    if isinstance(e, sympy.Min):
        return f"min({', '.join(args)})"
    if type(e) in _RELATIONS:
        return f"({args[0]} {_RELATIONS[type(e)]} {args[1]})"
    if isinstance(e, sympy.And):
        return "(" + " and ".join(args) + ")"
    if isinstance(e, sympy.Or):
        return "(" + " or ".join(args) + ")"
    if e is sympy.true or e is sympy.false:
        return str(bool(e))
    raise _Unknown(type(e).__name__)


@functools.lru_cache(maxsize=4096)
def _compiled(e):
    """``e`` as a function of the sizes dict (sympy expressions are hashable
    values, so each distinct one is compiled once per process)."""
    try:
        code = f"lambda s: {_source(e)}"
    except _Unknown:
        symbols = sorted(e.free_symbols, key=lambda x: x.name)
        return lambda s: e.xreplace({x: sympy.Integer(s[x.name]) for x in symbols})
    return eval(code, {"Fraction": Fraction, "floor": math.floor, "ceil": math.ceil})  # noqa: S307 - our own source


def value(dim, sizes: dict[str, int]) -> int:
    """The integer a dim takes at ``sizes`` (every symbol in it must be given)."""
    if isinstance(dim, int):
        return dim
    if isinstance(dim, sympy.Integer):
        return int(dim)
    v = _compiled(dim)(sizes)
    if isinstance(v, Fraction):
        if v.denominator != 1:
            raise ValueError(f"{dim} is not an integer at {sizes}")
        return v.numerator
    return int(v)


def holds(condition, sizes: dict[str, int]) -> bool:
    """Whether a guard (a sympy relation) is true at ``sizes``."""
    return bool(_compiled(condition)(sizes))


def _int(v) -> int:
    """An exact integer dim value (a Fraction with a denominator is not)."""
    if type(v) is int:
        return v
    if isinstance(v, Fraction) and v.denominator != 1:
        raise ValueError(f"{v} is not an integer")
    return int(v)


class Plan:
    """A symbolic answer compiled for substitution: ``shapes(sizes)`` gives
    every leaf's concrete shape, or None where the answer does not carry
    over to ``sizes`` (a symbol missing or below 1, a guard false, a dim not
    an integer); then the caller infers afresh."""

    def __init__(self, guards, shapes):
        symbols = set()
        for e in list(guards) + [d for shape in shapes for d in shape]:
            if isinstance(e, sympy.Basic):
                symbols |= e.free_symbols
        self.names = sorted(x.name for x in symbols)
        try:
            conditions = [f"s[{n!r}] >= 1" for n in self.names] + [_source(g) for g in guards]
            leaves = ["(" + "".join(f"_int({_source(sympy.sympify(d))}), " for d in shape) + ")"
                      for shape in shapes]
        except _Unknown:  # sympy evaluates, one expression at a time
            self._fast = None
            self._guards, self._shapes = list(guards), [tuple(s) for s in shapes]
            return
        # (each leaf with its comma: a value with no leaves is `()`, not `(,)`)
        code = (f"lambda s: ({''.join(leaf + ', ' for leaf in leaves)}) "
                f"if ({' and '.join(conditions) or 'True'}) "
                f"else None")
        self._fast = eval(code, {"Fraction": Fraction, "floor": math.floor,  # noqa: S307
                                 "ceil": math.ceil, "_int": _int})

    def shapes(self, sizes: dict[str, int]) -> list[tuple[int, ...]] | None:
        try:
            if self._fast is not None:
                return self._fast(sizes)
            if any(sizes[n] < 1 for n in self.names) or not all(holds(g, sizes)
                                                                for g in self._guards):
                return None
            return [tuple(value(d, sizes) for d in shape) for shape in self._shapes]
        except (KeyError, ValueError, ZeroDivisionError):
            return None
