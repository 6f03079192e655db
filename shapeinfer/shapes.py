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


# ---------------------------------------------------------------- indexing

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
        f"In slice with non-constant elements the {which} ({dims.fmt_dim(d)}) must be resolved "
        "statically if it is >= 0."))
    return 1 if nonnegative else -1


class ArrayIndex:
    """An integer array used as an index; only its shape matters. A 0-d one
    is a static int for the shape (as inside ``jit``). ``batch``: the vmaps
    the index depends on (the result depends on them too)."""

    def __init__(self, shape: tuple, batch: frozenset = frozenset()):
        self.shape = tuple(shape)
        self.batch = batch


class BoolMask:
    """A boolean array used as an index (``x[x > 0]``)."""

    def __init__(self, shape: tuple):
        self.shape = tuple(shape)


class ConcreteMask:
    """A list of Python bools used as an index: its values are known, so it
    picks ``count`` elements of an axis of ``length`` (JAX's np.where)."""

    def __init__(self, length: int, count: int):
        self.length = length
        self.count = count


class TracedBound:
    """A slice bound that is an array: its value is not known while JAX traces."""

    def __init__(self, which: str, shape: tuple):
        self.which = which
        self.shape = tuple(shape)


def _consumed(item) -> int:
    """How many axes of the array an index item uses up (JAX's _parse_indices)."""
    if isinstance(item, (Newaxis, EllipsisIndex, bool)):
        return 0  # a Python bool adds an axis, as None does
    if isinstance(item, BoolMask):
        return len(item.shape)
    return 1


def _is_advanced(item) -> bool:
    """Ints and integer arrays: the items JAX gathers with when any of them
    is an array of rank >= 1 (Python bools join them later, see below)."""
    return isinstance(item, ArrayIndex) or dims.is_dim(item)


def index_shape(shape: tuple, items: list, spans: list | None = None) -> tuple:
    """The shape of ``x[items]``, in the order JAX checks an index.

    Items are dims (an int index), ``(start, stop, step)`` slices,
    :class:`Newaxis`, :class:`EllipsisIndex`, Python bools, and the arrays
    :class:`ArrayIndex` and :class:`BoolMask`. JAX clamps integer indices
    rather than failing, so out-of-range ints raise nothing here. ``spans``
    (one per item) lets an error about one item point at it.
    """
    spans = spans or [None] * len(items)
    if sum(isinstance(i, EllipsisIndex) for i in items) > 1:
        raise ShapeError("index", "IndexError", "an index can only have a single ellipsis ('...')")
    used = sum(_consumed(i) for i in items)
    if used > len(shape):
        raise ShapeError("index", "IndexError",
                         f"Too many indices: array is {len(shape)}-dimensional, but "
                         f"{used} were indexed (its shape is {dims.fmt_shape(shape)})")
    items = _expand_masks(shape, items, spans)
    for item, span in zip(items, spans):
        if isinstance(item, tuple):
            for bound in item:
                if isinstance(bound, TracedBound):
                    raise _traced_bound(bound).with_span(span)
    # Without an index array of rank >= 1 (or a Python bool, which becomes
    # one) every item is basic: ints remove their axis where they stand.
    if not any(isinstance(i, bool) or (isinstance(i, ArrayIndex) and i.shape) for i in items):
        return _basic_index_shape(shape, items)
    return _advanced_index_shape(shape, items)


def _expand_masks(shape: tuple, items: list, spans: list) -> list:
    """JAX's expand_bool_indices: a boolean array is refused while tracing
    (its values, and so the result's size, are unknown); a list of Python
    bools must match its axis and becomes the index array of its True places."""
    rest = len(shape) - sum(_consumed(i) for i in items)  # the axes `...` stands for
    out: list = []
    axis = 0
    for position, (item, span) in enumerate(zip(items, spans)):
        if isinstance(item, BoolMask):
            raise _nonconcrete_mask(item).with_span(span)
        if isinstance(item, ConcreteMask):
            size = shape[axis]
            same = dims.decide_eq(size, item.length)
            if same is Decision.FALSE:
                raise ShapeError("index", "IndexError",
                                 "boolean index did not match shape of indexed array in index "
                                 f"{position}: got ({item.length},), expected [{size}]", span)
            if same is Decision.UNKNOWN:
                raise ShapeError("inconclusive", "InconclusiveDimensionOperation",
                                 f"a boolean index of length {item.length} on axis {axis} of "
                                 f"size {size}: whether they are equal is inconclusive", span)
            item = ArrayIndex((dims.const(item.count),))
        out.append(item)
        axis += rest if isinstance(item, EllipsisIndex) else _consumed(item)
    return out


def _expand_ellipsis(shape: tuple, items: list) -> list:
    """Items with ``...`` (and the implicit trailing one) as full slices."""
    rest = len(shape) - sum(_consumed(i) for i in items)
    full = (None, None, None)
    if not any(isinstance(i, EllipsisIndex) for i in items):
        return list(items) + [full] * rest
    out: list = []
    for item in items:
        out.extend([full] * rest if isinstance(item, EllipsisIndex) else [item])
    return out


def _basic_index_shape(shape: tuple, items: list) -> tuple:
    out: list = []
    axis = 0
    for item in _expand_ellipsis(shape, items):
        if isinstance(item, Newaxis):
            out.append(dims.const(1))
        elif isinstance(item, tuple):
            out.append(slice_size(*item, shape[axis]))
            axis += 1
        else:  # an int (or a 0-d integer array) removes its axis, which must have an element
            _check_int_index(item, shape[axis], axis)
            axis += 1
    return tuple(out)


def _advanced_index_shape(shape: tuple, items: list) -> tuple:
    """NumPy's advanced indexing as JAX's ``_index_to_gather`` does it.

    The int and array items broadcast together; the broadcast dims take the
    place of the first of them when they are adjacent in the index as
    written, and go first when a slice, None or ``...`` separates them.
    """
    written = [p for p, item in enumerate(items) if _is_advanced(item)]
    adjacent = all(b - a == 1 for a, b in zip(written, written[1:]))
    for item in items:
        if dims.is_dim(item):
            _require_static(item)
    items = _expand_ellipsis(shape, items)
    # JAX turns a Python bool into an index array of shape (1,) (True) or
    # (0,) (False) over a new axis of size 1, inserted at the bool's position
    # in the index (counting None items too: JAX's own quirk).
    shape = list(shape)
    bools = [p for p, item in enumerate(items) if isinstance(item, bool)]
    for p in bools:
        shape.insert(p, dims.const(1))
        items[p] = ArrayIndex((dims.const(int(items[p])),))
    positions = [p for p, item in enumerate(items) if _is_advanced(item)]
    broadcast = broadcast_shapes([i.shape if isinstance(i, ArrayIndex) else () for i in
                                  (items[p] for p in positions)])
    out: list = []
    gathered_axes = []
    axis = 0
    for p, item in enumerate(items):
        if p == (positions[0] if adjacent else 0):
            out.extend(broadcast)
        if p in positions:
            gathered_axes.append(axis)
            axis += 1
        elif isinstance(item, Newaxis):
            out.append(dims.const(1))
        else:
            out.append(slice_size(*item, shape[axis]))
            axis += 1
    for p in bools:  # lax.expand_dims makes those axes: only where the array has room
        if p >= len(shape):
            raise ShapeError("index", "ValueError",
                             f"axis {p} is out of bounds for array of dimension {len(shape)} "
                             "(JAX inserts the axis of a True or False index at its position "
                             "in the index)")
    if not any(dims.decide_eq(d, 0) is Decision.TRUE for d in out):
        for axis in gathered_axes:  # an empty result needs no gather, and no element
            _check_gathered_axis(shape[axis], axis)
    return tuple(out)


def _check_gathered_axis(size, axis: int):
    """A gather takes one element of each indexed axis: XLA's TypeError on an empty one."""
    has_element = dims.decide_nonnegative(size - 1)
    if has_element is Decision.FALSE:
        raise ShapeError("index", "TypeError",
                         f"Slice size at index {axis} in gather op is out of range, must be "
                         f"within [0, 0 + 1), got 1 (axis {axis} is empty, so an index "
                         "array has nothing to pick)")
    if has_element is Decision.UNKNOWN:
        raise ShapeError("inconclusive", "InconclusiveDimensionOperation",
                         f"gathering from axis {axis} of size {size}: whether it is >= 1 is "
                         "inconclusive")


def _nonconcrete_mask(mask: BoolMask) -> ShapeError:
    return ShapeError(
        "index", "NonConcreteBooleanIndexError",
        f"Array boolean indices must be concrete; got bool{list(mask.shape)}: the size of "
        "x[mask] is the number of True values, which JAX does not know while it traces. "
        "Keep the shape with jnp.where(mask, x, 0), or use jnp.nonzero(mask, size=...)")


def _traced_bound(bound: TracedBound) -> ShapeError:
    return ShapeError(
        "index", "IndexError",
        f"Slice entries must be static integers: the slice {bound.which} is an array of shape "
        f"{dims.fmt_shape(bound.shape)}, whose value JAX does not know while it traces (a "
        "jit argument is traced). Pass it as a static argument (jit(f, static_argnums=...)), "
        "or use lax.dynamic_slice for a slice of fixed size at a traced position")


def _require_static(index):
    """A symbolic size is no index: JAX takes integer indices as static values."""
    if dims.as_int(index) is None:
        raise ShapeError("index", "IndexError",
                         f"the symbolic size {index} is not a valid index (JAX takes integer "
                         "indices as static values)")


def _check_int_index(index, size, axis: int):
    """JAX clamps an integer index (or a 0-d integer array) into range, but
    there is no element to clamp to on an empty axis."""
    if not isinstance(index, ArrayIndex):
        _require_static(index)
    shown = "an index" if isinstance(index, ArrayIndex) else f"index {index}"
    scope.require(
        dims.relation(">=", size, 1),
        lambda: ShapeError("index", "IndexError",
                           f"{shown} is out of bounds for axis {axis} with size 0"),
        lambda: ShapeError("inconclusive", "InconclusiveDimensionOperation",
                           f"indexing axis {axis} of size {size}: whether it is >= 1 is "
                           "inconclusive"))
