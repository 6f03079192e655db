"""Shape rules of broadcasting and indexing, as JAX applies them (the named
shape functions rule files call are in :mod:`shapeinfer.shape_functions`).

Each takes shapes (tuples of dims) and returns a shape or raises a
:class:`ShapeError` with JAX's exception class. What a shape needs goes
through ``scope.require`` (a guard in default mode, JAX's error in strict
mode); questions (is this dim 1?) through ``dims.decide_eq``.
"""
from __future__ import annotations

import sympy

from . import dims, scope
from .dims import Decision
from .errors import ShapeError


def is_one(d) -> bool:
    return dims.decide_eq(d, 1) is Decision.TRUE


def _broadcast_equal_rank(shapes, error):
    """lax's rule for operands of one rank; ``error`` (a function making the
    ShapeError) where a dim fails."""
    return tuple(_broadcast_dim(ds, error) for ds in zip(*shapes))


def _broadcast_dim(ds, error):
    """One output dim: the dims that are not 1 must agree. Which are 1 is a
    question (a dim not proved 1 is taken as it is); that the others agree is
    a requirement. Where equal non-1 dims are impossible, some dims must be 1
    instead: the first dim that can stay is kept (docs/symbolic.md)."""
    non_1s = [d for d in ds if not is_one(d)]
    if not non_1s:
        return ds[0]
    if len(non_1s) == 1:
        return non_1s[0]
    for keep in non_1s:
        others = [d for d in non_1s if d is not keep]
        if all(dims.decide_eq(keep, d) is not Decision.FALSE
               or dims.decide_eq(d, 1) is not Decision.FALSE for d in others):
            for d in others:
                if dims.decide_eq(keep, d) is not Decision.FALSE:
                    scope.require_eq(keep, d, error)
                else:
                    scope.require_eq(d, 1, error)
            return keep
    raise error()


def require_broadcastable(d, target, error):
    """``d`` broadcasts to ``target``: it is 1 or equal to it. Which one is a
    question while it is proved; otherwise equality is the guard (it keeps
    ``d``), unless it is impossible, then ``d == 1``."""
    if is_one(d):
        return
    if dims.decide_eq(d, target) is not Decision.FALSE:
        scope.require_eq(d, target, error)
    else:
        scope.require_eq(d, 1, error)


def _fmt_list(shapes) -> str:
    return "[" + ", ".join(dims.fmt_shape(s) for s in shapes) + "]"


def broadcast_shapes(shapes, span=None):
    """``jax.lax.broadcast_shapes``: NumPy broadcasting, ValueError on failure."""
    shapes = [tuple(s) for s in shapes]
    ndim = max(len(s) for s in shapes)
    padded = [(dims.const(1),) * (ndim - len(s)) + s for s in shapes]
    return _broadcast_equal_rank(padded, lambda: ShapeError(
        "broadcast", "ValueError",
        f"Incompatible shapes for broadcasting: shapes={_fmt_list(shapes)}", span))


def broadcast_elementwise(shapes, lax_name: str, span=None):
    """The shape of a jax.numpy elementwise operation on ``shapes``.

    jax.numpy first promotes ranks with ``lax.broadcast_shapes`` (ValueError)
    when operands of two different non-zero ranks meet; otherwise the lax
    primitive broadcasts and raises TypeError naming itself.
    """
    shapes = [tuple(s) for s in shapes]
    nonscalar_ranks = {len(s) for s in shapes if s}
    if len({len(s) for s in shapes}) == 1 or len(nonscalar_ranks) < 2:
        ndim = max(len(s) for s in shapes)
        padded = [s if len(s) == ndim else (dims.const(1),) * ndim for s in shapes]
        return _broadcast_equal_rank(padded, lambda: ShapeError(
            "broadcast", "TypeError",
            f"{lax_name} got incompatible shapes for broadcasting: "
            f"{', '.join(dims.fmt_shape(s) for s in shapes)}.", span))
    return broadcast_shapes(shapes, span)


def normalize_axis(axis: int, rank: int) -> int | None:
    """``axis`` in ``[-rank, rank)`` as a non-negative index, or None if out of range."""
    if -rank <= axis < rank:
        return axis % rank if rank else 0
    return None


# ---------------------------------------------------------------- basic indexing

class Newaxis:
    """``None`` in an index."""


class EllipsisIndex:
    """``...`` in an index."""


def slice_size(start, stop, step, size):
    """The length of ``x[start:stop:step]`` on an axis of ``size``.

    JAX's ``core.canonicalize_slice``, with sympy Min / Max for its
    min_dim / max_dim, so that symbolic sizes give JAX's formulas
    (``x[:4]`` on ``b`` is ``min(b, 4)``).
    """
    step = dims.const(1) if step is None else step
    if dims.decide_eq(step, 0) is Decision.TRUE:
        raise ShapeError("index", "ValueError", "slice step cannot be zero")
    step_gt_0 = _sign(step, "step") > 0

    def clamp(i, which):
        if _sign(i, which) >= 0:
            return sympy.Min(size, i) if step_gt_0 else sympy.Min(size - 1, i)
        return sympy.Max(0, size + i) if step_gt_0 else sympy.Max(-1, size + i)

    start = (dims.const(0) if step_gt_0 else size - 1) if start is None else clamp(start, "start")
    stop = (size if step_gt_0 else dims.const(-1)) if stop is None else clamp(stop, "stop")
    gap = step if step_gt_0 else -step
    distance = (stop - start) if step_gt_0 else (start - stop)
    return dims.simplify(dims.floordiv(sympy.Max(0, distance + gap - 1), gap))


def _sign(d, which: str) -> int:
    """1 if ``d >= 0`` (0 if ``d == 0``), -1 if ``d < 0``; JAX needs it decided
    (default mode: ``d >= 0`` under a guard)."""
    if d.is_number:
        n = int(d)
        return (n > 0) - (n < 0)
    nonnegative = scope.holds(dims.relation(">=", d, 0), lambda: ShapeError(
        "inconclusive", "InconclusiveDimensionOperation",
        f"In slice with non-constant elements the {which} ({d}) must be resolved "
        "statically if it is >= 0."))
    return 1 if nonnegative else -1


def index_shape(shape: tuple, items: list) -> tuple:
    """The shape of ``x[items]`` for NumPy basic indexing.

    Items are dims (an int index: the axis goes), ``(start, stop, step)``
    slices, :class:`Newaxis` and :class:`EllipsisIndex`. JAX clamps integer
    indices rather than failing, so they raise nothing here.
    """
    ellipses = sum(isinstance(i, EllipsisIndex) for i in items)
    if ellipses > 1:
        raise ShapeError("index", "IndexError", "an index can only have a single ellipsis ('...')")
    regular = [i for i in items if not isinstance(i, (Newaxis, EllipsisIndex))]
    if len(regular) > len(shape):
        raise ShapeError("index", "IndexError",
                         f"Too many indices: array is {len(shape)}-dimensional, but "
                         f"{len(regular)} were indexed")
    if not ellipses:
        items = list(items) + [EllipsisIndex()]
    out: list = []
    axis = 0
    for item in items:
        if isinstance(item, Newaxis):
            out.append(dims.const(1))
        elif isinstance(item, EllipsisIndex):
            rest = len(shape) - len(regular)
            out.extend(shape[axis:axis + rest])
            axis += rest
        elif isinstance(item, tuple):
            out.append(slice_size(*item, shape[axis]))
            axis += 1
        else:  # an integer index removes its axis, which must have an element
            _check_int_index(item, shape[axis], axis)
            axis += 1
    return tuple(out)


def _check_int_index(index, size, axis: int):
    """JAX clamps an integer index into range, but there is no element to
    clamp to on an empty axis; and a symbolic size is no index at all."""
    if dims.as_int(index) is None:
        raise ShapeError("index", "IndexError",
                         f"the symbolic size {index} is not a valid index (JAX takes integer "
                         "indices as static values)")
    scope.require(
        dims.relation(">=", size, 1),
        lambda: ShapeError("index", "IndexError",
                           f"index {index} is out of bounds for axis {axis} with size 0"),
        lambda: ShapeError("inconclusive", "InconclusiveDimensionOperation",
                           f"indexing axis {axis} of size {size}: whether it is >= 1 is "
                           "inconclusive"))
