"""Named shape functions that operation rules call.

Each takes shapes (tuples of dims) and returns a shape or raises a
:class:`ShapeError` with JAX's exception class. Dim comparisons go through
``dims.decide_eq``; an undecidable comparison fails, as in JAX's symbolic
shapes.
"""
from __future__ import annotations

from . import dims
from .dims import Decision
from .errors import ShapeError


def _is_one(d) -> bool:
    return dims.decide_eq(d, 1) is Decision.TRUE


def _broadcast_equal_rank(shapes, lax_name: str):
    """lax's rule for operands of one rank; None where a dim fails."""
    out = []
    for ds in zip(*shapes):
        non_1s = [d for d in ds if not _is_one(d)]
        if not non_1s:
            out.append(ds[0])
        elif all(dims.definitely_equal(non_1s[0], d) for d in non_1s[1:]):
            out.append(non_1s[0])
        else:
            return None
    return tuple(out)


def _fmt_list(shapes) -> str:
    return "[" + ", ".join(dims.fmt_shape(s) for s in shapes) + "]"


def broadcast_shapes(shapes, span=None):
    """``jax.lax.broadcast_shapes``: NumPy broadcasting, ValueError on failure."""
    shapes = [tuple(s) for s in shapes]
    ndim = max(len(s) for s in shapes)
    padded = [(dims.const(1),) * (ndim - len(s)) + s for s in shapes]
    result = _broadcast_equal_rank(padded, "broadcast_shapes")
    if result is None:
        raise ShapeError("broadcast", "ValueError",
                         f"Incompatible shapes for broadcasting: shapes={_fmt_list(shapes)}", span)
    return result


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
        result = _broadcast_equal_rank(padded, lax_name)
        if result is None:
            raise ShapeError(
                "broadcast", "TypeError",
                f"{lax_name} got incompatible shapes for broadcasting: "
                f"{', '.join(dims.fmt_shape(s) for s in shapes)}.", span)
        return result
    return broadcast_shapes(shapes, span)


def normalize_axis(axis: int, rank: int) -> int | None:
    """``axis`` in ``[-rank, rank)`` as a non-negative index, or None if out of range."""
    if -rank <= axis < rank:
        return axis % rank if rank else 0
    return None
