"""The named shape functions that rule files call (SPEC section 3):
``broadcast(x, y)``, ``reduce(x, axis, keepdims)``, ``reshape(x, shape)``, ...

Each is
registered with the kind of each argument and what it returns (a shape or a
dim), so that a rule file calling an unknown function, with the wrong
number of arguments or with a dim where a shape goes, is refused when it
loads. Each gets a ``ctx`` first (the rule being applied: ``ctx.primitive``
names the lax primitive in JAX's messages) and then the evaluated
arguments: shapes are tuples of dims, parameters arrive as Python values
(None, bools, tuples of ints).

Argument kinds: ``shape`` (a variadic, a shape parameter or a function
giving a shape), ``dim`` (a dim expression) and ``value`` (a dim, a
parameter of any type, or None / True / False). A trailing ``?`` marks an
optional argument, ``*`` one that repeats.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import sympy

from . import dims, scope
from .dims import Decision
from .errors import ShapeError
from .shapes import (is_one, broadcast_elementwise, broadcast_shapes, normalize_axis,
                     require_broadcastable)

@dataclass(frozen=True)
class ShapeFunction:
    name: str
    fn: Callable
    kinds: tuple               # the kind of each argument, "?" / "*" suffixes as written
    returns: str               # "shape" or "dim"
    doc: str

    @property
    def min_args(self) -> int:
        return sum(1 for k in self.kinds if not k.endswith(("?", "*")))

    @property
    def max_args(self) -> int | None:
        return None if self.kinds[-1].endswith("*") else len(self.kinds)

    def kind_of(self, index: int) -> str:
        kind = self.kinds[min(index, len(self.kinds) - 1)]
        return kind.rstrip("?*")

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            return f"{self.min_args}"
        if self.max_args is None:
            return f"at least {self.min_args}"
        return f"{self.min_args} to {self.max_args}"


SHAPE_FUNCTIONS: dict[str, ShapeFunction] = {}


def shape_function(name: str, *kinds: str, returns: str = "shape"):
    """Register ``fn`` as the shape function ``name`` taking arguments of ``kinds``."""
    def register(fn):
        SHAPE_FUNCTIONS[name] = ShapeFunction(
            name, fn, kinds, returns, (fn.__doc__ or "").strip().splitlines()[0])
        return fn
    return register


def _shape_arg(value, fname: str, position: int) -> tuple:
    if isinstance(value, tuple) and all(dims.is_dim(d) for d in value):
        return value
    raise ShapeError("bad-argument", "TypeError",
                     f"{fname}: argument {position + 1} must be a shape, got {value!r}")


def _int_arg(value, fname: str, what: str) -> int:
    n = dims.as_int(value) if dims.is_dim(value) else (
        int(value) if isinstance(value, int) else None)
    if n is None:
        raise ShapeError("bad-argument", "TypeError",
                         f"{fname}: {what} must be an integer, got {value}")
    return n


def _axis(axis: int, rank: int) -> int:
    """numpy's canonicalize_axis: ValueError when out of range."""
    pos = normalize_axis(axis, rank)
    if pos is None or rank == 0:
        raise ShapeError("axis-out-of-range", "ValueError",
                         f"axis {axis} is out of bounds for array of dimension {rank}")
    return pos


@shape_function("broadcast", "shape", "shape*")
def _broadcast(ctx, *shapes):
    """NumPy broadcasting as jax.numpy's elementwise functions do it (TypeError naming the primitive, or ValueError when ranks differ)."""
    return broadcast_elementwise([_shape_arg(s, "broadcast", i) for i, s in enumerate(shapes)],
                                 ctx.primitive)


@shape_function("broadcast_shapes", "shape", "shape*")
def _broadcast_shapes(ctx, *shapes):
    """lax.broadcast_shapes: NumPy broadcasting, ValueError on failure."""
    return broadcast_shapes([_shape_arg(s, "broadcast_shapes", i) for i, s in enumerate(shapes)])


@shape_function("reduce", "shape", "value?", "value?")
def _reduce(ctx, x, axis=None, keepdims=False):
    """A reduction over ``axis`` (None: every axis; an int or a tuple), keeping size-1 axes when ``keepdims``."""
    x = _shape_arg(x, "reduce", 0)
    if axis is None:
        axes = list(range(len(x)))
    else:
        wanted = list(axis) if isinstance(axis, (tuple, list)) else [axis]
        wanted = [_int_arg(a, "reduce", "axis") for a in wanted]
        axes = [_axis(a, len(x)) for a in wanted]
        if len(set(axes)) != len(axes):
            raise ShapeError("axis-out-of-range", "ValueError",
                             f"duplicate value in 'axis': {tuple(wanted)}")
    if keepdims:
        return tuple(dims.const(1) if i in axes else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in axes)


@shape_function("permute", "shape", "value?")
def _permute(ctx, x, axes=None):
    """The axes of ``x`` in the order ``axes`` (None: reversed), as jnp.transpose."""
    x = _shape_arg(x, "permute", 0)
    if axes is None:
        return tuple(reversed(x))
    if not isinstance(axes, (tuple, list)):
        kind = "int" if dims.is_dim(axes) or isinstance(axes, int) else type(axes).__name__
        raise ShapeError("bad-argument", "TypeError",
                         f"'{kind}' object is not iterable: the axes of a transpose are a "
                         "tuple")
    wanted = [_int_arg(a, "permute", "axes") for a in axes]
    return _transpose(x, [_axis(a, len(x)) for a in wanted])


def _transpose(x: tuple, perm: list) -> tuple:
    """``x``'s axes in the order ``perm``, which lax.transpose requires to be a permutation."""
    if sorted(perm) != list(range(len(x))):
        raise ShapeError("axis-out-of-range", "TypeError",
                         "transpose permutation isn't a permutation of operand dimensions, got "
                         f"permutation {tuple(perm)} for operand shape {dims.fmt_shape(x)}.")
    return tuple(x[i] for i in perm)


@shape_function("reshape", "shape", "shape")
def _reshape(ctx, x, shape):
    """``x`` reshaped to ``shape`` (one entry may be -1), with jnp.reshape's TypeError when sizes differ."""
    x, shape = _shape_arg(x, "reshape", 0), _shape_arg(shape, "reshape", 1)
    size = sympy.Mul(*x)
    unknown = [i for i, d in enumerate(shape) if dims.as_int(d) == -1]
    shown = f"cannot reshape array of shape {dims.fmt_shape(x)} (size {size}) into shape " \
            f"{dims.fmt_shape(shape)}"
    if len(unknown) > 1:
        raise ShapeError("reshape-size", "TypeError",
                         "can only specify one unknown axis size with a `-1` value, got "
                         f"{dims.fmt_shape(shape)}")
    if any(dims.decide_nonnegative(d) is Decision.FALSE
           for i, d in enumerate(shape) if i not in unknown):
        raise ShapeError("reshape-size", "TypeError",
                         f"reshape new_sizes must all be positive, got {dims.fmt_shape(shape)}")
    known = sympy.Mul(*(d for i, d in enumerate(shape) if i not in unknown))
    if unknown and dims.decide_eq(known, 0) is Decision.TRUE:
        raise ShapeError("reshape-size", "ZeroDivisionError",
                         f"{shown}: the size of the -1 axis is a division by zero")
    if unknown:
        rest = dims.floordiv(size, known)
        scope.require_eq(
            rest * known, size,
            lambda: ShapeError("reshape-size", "TypeError",
                               f"{shown} because the product of specified axis sizes ({known}) "
                               f"does not evenly divide {size}"),
            lambda: ShapeError("inconclusive", "InconclusiveDimensionOperation",
                               f"Cannot divide evenly the sizes of shapes {dims.fmt_shape(x)} "
                               f"and {dims.fmt_shape(shape)}"))
        return tuple(rest if i in unknown else d for i, d in enumerate(shape))
    # JAX's symbolic shapes accept a size they cannot compare (it is checked
    # when the program runs), so strict mode accepts it too
    scope.require_eq(known, size,
                     lambda: ShapeError("reshape-size", "TypeError", f"{shown} (size {known})"),
                     scope.JAX_ACCEPTS)
    return tuple(shape)


# ---------------------------------------------------------------- joining (concatenate, stack, ...)

@dataclass(frozen=True)
class Rows:
    """An array given where a sequence of arrays goes: JAX reads it as the
    sequence of its rows (``concatenate(x)`` joins ``x[0], x[1], ...``)."""
    shape: tuple


def _sequence_arg(value, fname: str):
    """A sequence parameter's value: a tuple of shapes, or :class:`Rows`."""
    if isinstance(value, Rows) or (isinstance(value, tuple)
                                   and all(isinstance(s, tuple) for s in value)):
        return value
    raise ShapeError("bad-argument", "TypeError",
                     f"{fname}: the arrays must be a sequence of arrays, got {value!r}")


def _need_one(shapes, what: str):
    """JAX's ValueError for joining no arrays at all (an array with no rows too)."""
    empty = (not shapes) if isinstance(shapes, tuple) else (
        not shapes.shape or dims.decide_eq(shapes.shape[0], 0) is Decision.TRUE)
    if empty:
        raise ShapeError("bad-argument", "ValueError", f"Need at least one array to {what}.")


def _fmt_shapes(shapes) -> str:
    return ", ".join(dims.fmt_shape(s) for s in shapes)


def _join(shapes: tuple, pos: int) -> tuple:
    """lax.concatenate's shape rule: equal ranks, equal dims off ``pos``."""
    if len({len(s) for s in shapes}) != 1:
        raise ShapeError("dim-mismatch", "TypeError",
                         "Cannot concatenate arrays with different numbers of dimensions: got "
                         f"{_fmt_shapes(shapes)}.")
    first = shapes[0]

    def differ():
        return ShapeError("dim-mismatch", "TypeError",
                          "Cannot concatenate arrays with shapes that differ in dimensions "
                          f"other than the one being concatenated: concatenating along "
                          f"dimension {pos} for shapes {_fmt_shapes(shapes)}.")
    _require_all_equal([(a, b) for s in shapes[1:] for i, (a, b) in enumerate(zip(first, s))
                        if i != pos], differ)
    return first[:pos] + (sympy.Add(*(s[pos] for s in shapes)),) + first[pos + 1:]


@shape_function("concatenate", "arrays", "value?")
def _concatenate(ctx, arrays, axis=0):
    """The arrays joined along an existing ``axis`` (None: each flattened first), as jnp.concatenate."""
    arrays = _sequence_arg(arrays, "concatenate")
    _need_one(arrays, "concatenate")
    if isinstance(arrays, Rows):  # joining an array's rows: a reshape
        x = arrays.shape
        if axis is None:
            return (sympy.Mul(*x),)
        if len(x) == 1:
            raise ShapeError("bad-argument", "ValueError",
                             "Zero-dimensional arrays cannot be concatenated.")
        pos = _axis(_int_arg(axis, "concatenate", "axis"), len(x) - 1)
        return x[1:pos + 1] + (x[0] * x[pos + 1],) + x[pos + 2:]
    if axis is None:
        return (sympy.Add(*(sympy.Mul(*s) for s in arrays)),)
    if not arrays[0]:
        raise ShapeError("bad-argument", "ValueError",
                         "Zero-dimensional arrays cannot be concatenated.")
    return _join(arrays, _axis(_int_arg(axis, "concatenate", "axis"), len(arrays[0])))


@shape_function("concat", "shape", "shape", "value?")
def _concat(ctx, x, y, axis=0):
    """``x`` and ``y`` joined along ``axis``, as jnp.concatenate (the other dims must agree)."""
    x, y = _shape_arg(x, "concat", 0), _shape_arg(y, "concat", 1)
    return _concatenate(ctx, (x, y), axis)


@shape_function("stack", "arrays", "value?")
def _stack(ctx, arrays, axis=0):
    """The arrays (of one shape) joined along a new ``axis``, as jnp.stack."""
    arrays = _sequence_arg(arrays, "stack")
    _need_one(arrays, "stack")
    if isinstance(arrays, Rows):  # an array's rows, stacked again: axis 0 moves to ``axis``
        x = arrays.shape
        pos = _axis(_int_arg(axis, "stack", "axis"), len(x))
        return x[1:pos + 1] + (x[0],) + x[pos + 1:]
    pos = _axis(_int_arg(axis, "stack", "axis"), len(arrays[0]) + 1)
    if len({len(s) for s in arrays}) != 1:
        raise ShapeError("dim-mismatch", "ValueError",
                         "Cannot stack arrays with different numbers of dimensions: got "
                         f"{_fmt_shapes(arrays)}.")
    _require_all_equal([(a, b) for s in arrays[1:] for a, b in zip(arrays[0], s)],
                       lambda: ShapeError("dim-mismatch", "ValueError",
                                          "All input arrays must have the same shape. "
                                          f"Got {_fmt_shapes(arrays)}."))
    first = arrays[0]
    return first[:pos] + (dims.const(len(arrays)),) + first[pos:]


def _require_all_equal(pairs, error):
    """Each pair of dims must be equal: any pair proved unequal is the error
    (before a guard is taken for the others)."""
    if any(dims.decide_eq(a, b) is Decision.FALSE for a, b in pairs):
        raise error()
    for a, b in pairs:
        scope.require_eq(a, b, error)


def _at_least(shape: tuple, rank: int) -> tuple:
    """jnp.atleast_1d / atleast_2d: a 0-d array is (1,) / (1, 1), a 1-d (n,) is (1, n)."""
    if len(shape) >= rank:
        return shape
    return (dims.const(1),) * (rank - len(shape)) + shape


@shape_function("hstack", "arrays")
def _hstack(ctx, arrays):
    """The arrays (at least 1-d) joined along axis 0 if 1-d, else axis 1, as jnp.hstack."""
    arrays = _sequence_arg(arrays, "hstack")
    if isinstance(arrays, Rows):  # vmap(atleast_1d) over the rows
        rows = Rows(arrays.shape[:1] + _at_least(arrays.shape[1:], 1)) if arrays.shape else arrays
        return _concatenate(ctx, rows, 0 if len(rows.shape) == 2 else 1)
    if not arrays:  # jnp.hstack looks at the first array's rank first
        raise ShapeError("bad-argument", "IndexError", "list index out of range")
    arrays = tuple(_at_least(s, 1) for s in arrays)
    return _concatenate(ctx, arrays, 0 if len(arrays[0]) == 1 else 1)


@shape_function("vstack", "arrays")
def _vstack(ctx, arrays):
    """The arrays (at least 2-d: (n,) is (1, n)) joined along axis 0, as jnp.vstack."""
    arrays = _sequence_arg(arrays, "vstack")
    if isinstance(arrays, Rows):  # vmap(atleast_2d) over the rows
        rows = Rows(arrays.shape[:1] + _at_least(arrays.shape[1:], 2)) if arrays.shape else arrays
        return _concatenate(ctx, rows, 0)
    return _concatenate(ctx, tuple(_at_least(s, 2) for s in arrays), 0)


# ---------------------------------------------------------------- einsum

def _einsum_error(message: str):
    return ShapeError("bad-argument", "ValueError", message)


def _einsum_terms(subscripts: str, count: int) -> tuple[list[str], str | None]:
    """The input terms and the output term (None when implicit) of an einsum
    specification, checked as opt_einsum's parser checks them."""
    spec = subscripts.replace(" ", "")
    if spec.count("->") > 1:
        raise _einsum_error("Subscripts can only contain one '->'.")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    for term in terms + ([output] if arrow else []):
        if term.count(".") not in (0, 3) or (term.count(".") == 3 and "..." not in term):
            raise _einsum_error("Invalid Ellipses.")
        for char in term.replace("...", ""):
            if not char.isalnum() or not char.isascii():
                raise _einsum_error(f"Character {char!r} is not a valid symbol.")
    if len(terms) != count:
        raise _einsum_error(f"Number of einsum subscripts, {len(terms)}, must be equal to the "
                            f"number of operands, {count}.")
    return terms, (output if arrow else None)


@shape_function("einsum", "value", "arrays")
def _einsum(ctx, subscripts, operands):
    """The shape of ``jnp.einsum(subscripts, *operands)``: labels agree in size (or are 1), ``...`` broadcasts, an implicit output is the labels seen once, sorted."""
    if not isinstance(subscripts, str):
        raise ShapeError("unsupported", "NotImplementedError",
                         "einsum with interleaved operands and axis lists is not supported; "
                         "write the subscripts as a string")
    operands = _sequence_arg(operands, "einsum")
    terms, output = _einsum_terms(subscripts, len(operands))
    sizes: dict = {}   # label -> its size (a size-1 occurrence broadcasts)
    ellipses = []      # the dims each operand's ``...`` covers
    for number, (term, shape) in enumerate(zip(terms, operands)):
        labels = term.replace("...", "")
        if len(labels) > len(shape) or ("..." not in term and len(labels) != len(shape)):
            raise _einsum_error(f"Einstein sum subscript {term!r} does not contain the correct "
                                f"number of indices for operand {number}.")
        before = term.index("...") if "..." in term else len(labels)
        after = len(labels) - before
        ellipses.append(shape[before:len(shape) - after])
        for label, d in zip(labels, shape[:before] + shape[len(shape) - after:]):
            known = sizes.get(label)
            if known is None or is_one(known):
                sizes[label] = d
            elif not is_one(d):
                message = (f"Size of label {label!r} for operand {number} ({dims.fmt_dim(d)}) "
                           f"does not match previous terms ({dims.fmt_dim(known)}).")
                # JAX's symbolic einsum fails an assertion where sizes are not comparable
                scope.require_eq(known, d, lambda: _einsum_error(message),
                                 lambda: ShapeError("dim-mismatch", "AssertionError", message))
    try:
        broadcast = broadcast_shapes(ellipses) if ellipses else ()
    except ShapeError:
        raise _einsum_error("operands could not be broadcast together with the shapes of "
                            "their '...' dims: " + _fmt_shapes(ellipses)) from None
    if output is None:  # implicit: '...' first, then the labels that appear once
        seen = "".join(t.replace("...", "") for t in terms)
        output = "..." + "".join(sorted(c for c in set(seen) if seen.count(c) == 1))
    for char in output.replace("...", ""):
        if char not in sizes:
            raise _einsum_error(f"Output character {char!r} did not appear in the input")
        if output.count(char) > 1:
            raise _einsum_error(f"Output character {char!r} appeared more than once in the "
                                "output.")
    before, _, after = output.partition("...")
    middle = broadcast if "..." in output else ()
    return tuple(sizes[c] for c in before) + middle + tuple(sizes[c] for c in after)


@shape_function("insert", "shape", "value", "dim?")
def _insert(ctx, x, axis, size=1):
    """``x`` with a new axis of ``size`` (default 1) at ``axis`` (of the result, as jnp.expand_dims)."""
    x = _shape_arg(x, "insert", 0)
    pos = _axis(_int_arg(axis, "insert", "axis"), len(x) + 1)
    return x[:pos] + (size if dims.is_dim(size) else dims.const(size),) + x[pos:]


@shape_function("remove", "shape", "value")
def _remove(ctx, x, axis):
    """``x`` without the axis ``axis``."""
    x = _shape_arg(x, "remove", 0)
    pos = _axis(_int_arg(axis, "remove", "axis"), len(x))
    return x[:pos] + x[pos + 1:]


@shape_function("prod", "shape", returns="dim")
def _prod(ctx, x):
    """The number of elements of a shape."""
    return sympy.Mul(*_shape_arg(x, "prod", 0))


@shape_function("rank", "shape", returns="dim")
def _rank(ctx, x):
    """The number of dims of a shape."""
    return dims.const(len(_shape_arg(x, "rank", 0)))


@shape_function("max", "dim", "dim", "dim*", returns="dim")
def _max(ctx, *ds):
    """The largest of some dims."""
    return sympy.Max(*ds)


@shape_function("min", "dim", "dim", "dim*", returns="dim")
def _min(ctx, *ds):
    """The smallest of some dims."""
    return sympy.Min(*ds)


# ---------------------------------------------------------------- structure (jnp.swapaxes, ...)

def _axes_arg(axes, fname: str) -> list[int]:
    """An int or a sequence of ints, as a list."""
    items = list(axes) if isinstance(axes, (tuple, list)) else [axes]
    return [_int_arg(a, fname, "axis") for a in items]


@shape_function("swap", "shape", "value", "value")
def _swap(ctx, x, axis1, axis2):
    """``x`` with two axes exchanged, as jnp.swapaxes (IndexError when one is out of range)."""
    x = _shape_arg(x, "swap", 0)
    out = list(x)
    positions = []
    for a in (_int_arg(axis1, "swap", "axis1"), _int_arg(axis2, "swap", "axis2")):
        pos = normalize_axis(a, len(x))
        if pos is None:
            raise ShapeError("axis-out-of-range", "IndexError",
                             f"index {a} is out of bounds for axis 0 with size {len(x)}")
        positions.append(pos)
    i, j = positions
    out[i], out[j] = x[j], x[i]
    return tuple(out)


@shape_function("move", "shape", "value", "value")
def _move(ctx, x, source, destination):
    """``x`` with the axes ``source`` moved to ``destination``, as jnp.moveaxis."""
    x = _shape_arg(x, "move", 0)
    src, dst = _axes_arg(source, "move"), _axes_arg(destination, "move")
    if len(src) != len(dst):
        raise ShapeError("bad-argument", "ValueError",
                         f"Inconsistent number of elements: {len(src)} vs {len(dst)}")
    src = [_axis(a, len(x)) for a in src]
    dst = [_axis(a, len(x)) for a in dst]
    perm = [i for i in range(len(x)) if i not in src]
    for dest, s in sorted(zip(dst, src)):
        perm.insert(dest, s)
    return _transpose(x, perm)


@shape_function("expand", "shape", "value")
def _expand(ctx, x, axis):
    """``x`` with new size-1 axes at ``axis`` (an int or a tuple, axes of the result), as jnp.expand_dims."""
    x = _shape_arg(x, "expand", 0)
    wanted = _axes_arg(axis, "expand")
    rank = len(x) + len(wanted)
    positions = [_axis(a, rank) for a in wanted]
    if len(set(positions)) != len(positions):
        raise ShapeError("axis-out-of-range", "ValueError",
                         f"repeated axis in lax.expand_dims: {tuple(wanted)}")
    rest = iter(x)
    return tuple(dims.const(1) if i in positions else next(rest) for i in range(rank))


@shape_function("squeeze", "shape", "value?")
def _squeeze(ctx, x, axis=None):
    """``x`` without the size-1 axes ``axis`` (None: every axis known to be 1), as jnp.squeeze."""
    x = _shape_arg(x, "squeeze", 0)
    if axis is None:
        if scope.strict_mode() and not all(d.is_Integer for d in x):
            raise ShapeError("bad-argument", "ValueError",  # what JAX's symbolic shapes say
                             "jnp.squeeze with axis=None is not supported with shape "
                             "polymorphism")
        kept = tuple(d for d in x if not is_one(d))
        for d in kept:  # the result keeps them: exact where they are not 1
            scope.require(dims.relation("!=", d, 1), None)
        return kept
    wanted = _axes_arg(axis, "squeeze")
    positions = [_axis(a, len(x)) for a in wanted]
    if len(set(positions)) != len(positions):
        raise ShapeError("axis-out-of-range", "ValueError",
                         f"dimensions are not unique: {tuple(wanted)}")
    not_one = tuple(p for p in positions if not is_one(x[p]))

    def error():
        return ShapeError("dim-mismatch", "ValueError",
                          "cannot select an axis to squeeze out which has size not equal to "
                          f"one, got shape={dims.fmt_shape(x)} and dimensions={not_one}")
    _require_all_equal([(x[p], 1) for p in not_one], error)
    return tuple(d for i, d in enumerate(x) if i not in positions)


@shape_function("broadcast_to", "shape", "shape")
def _broadcast_to(ctx, x, shape):
    """``x`` broadcast to ``shape``, as jnp.broadcast_to (each dim of ``x`` is 1 or the target's)."""
    x, shape = _shape_arg(x, "broadcast_to", 0), _shape_arg(shape, "broadcast_to", 1)
    _require_sizes(shape, lambda: ShapeError(
        "bad-argument", "TypeError",
        "broadcast_in_dim shape must have every element be nonnegative, got "
        f"{dims.fmt_shape(shape)}."))
    if len(x) > len(shape):
        raise ShapeError("broadcast", "ValueError",
                         "Cannot broadcast to shape with fewer dimensions: "
                         f"arr_shape={dims.fmt_shape(x)} shape={dims.fmt_shape(shape)}")
    tail = shape[len(shape) - len(x):]
    for d, t in zip(x, tail):
        require_broadcastable(d, t, lambda: ShapeError(
            "broadcast", "ValueError",
            f"Incompatible types for broadcasting: input shape={dims.fmt_shape(x)} "
            f"and requested shape={dims.fmt_shape(shape)}"))
    return tuple(shape)


@shape_function("check_axes", "shape", "value")
def _check_axes(ctx, x, axis):
    """``x`` itself, once ``axis`` (None, an int or a tuple) is checked against its rank, as jnp.flip does (duplicates are TypeError)."""
    x = _shape_arg(x, "check_axes", 0)
    if axis is None:
        return x
    wanted = _axes_arg(axis, "check_axes")
    positions = tuple(_axis(a, len(x)) for a in wanted)
    if len(set(positions)) != len(positions):
        raise ShapeError("axis-out-of-range", "TypeError",
                         f"rev dimensions must be unique, got {positions}.")
    return x


@shape_function("broadcast_in_dim", "shape", "shape", "value")
def _broadcast_in_dim(ctx, x, shape, dimensions):
    """``x`` placed in ``shape``, its axis i at ``dimensions[i]``, as lax.broadcast_in_dim."""
    x, shape = _shape_arg(x, "broadcast_in_dim", 0), _shape_arg(shape, "broadcast_in_dim", 1)
    dims_ = tuple(_axes_arg(dimensions, "broadcast_in_dim"))
    if len(dims_) != len(x):
        raise ShapeError("dim-mismatch", "TypeError",
                         "broadcast_in_dim broadcast_dimensions must have length equal to "
                         f"operand ndim; got broadcast_dimensions {dims_} for operand ndim "
                         f"{len(x)}.")
    if any(not 0 <= d < len(shape) for d in dims_):
        raise ShapeError("axis-out-of-range", "TypeError",
                         "broadcast_in_dim broadcast_dimensions must be a subset of output "
                         f"dimensions, got {dims_} for operand ndim {len(x)} and shape "
                         f"{dims.fmt_shape(shape)}.")
    for d, i in zip(x, dims_):
        require_broadcastable(d, shape[i], lambda: ShapeError(
            "broadcast", "TypeError",
            "broadcast_in_dim operand dimension sizes must either be 1, or be equal "
            "to their corresponding dimensions in the target broadcast shape; got "
            f"operand of shape {dims.fmt_shape(x)}, target broadcast shape "
            f"{dims.fmt_shape(shape)}, broadcast_dimensions {dims_}"))
    if list(dims_) != sorted(set(dims_)):
        raise ShapeError("axis-out-of-range", "TypeError",
                         "broadcast_in_dim broadcast_dimensions must be strictly increasing; "
                         f"got broadcast_dimensions {dims_}")
    return tuple(shape)


# ---------------------------------------------------------------- constructors (jnp.zeros, ...)

@shape_function("new", "shape")
def _new(ctx, shape):
    """A new array's shape, whose sizes must be >= 0 (jnp.zeros, jnp.full)."""
    shape = _shape_arg(shape, "new", 0)
    _require_sizes(shape, lambda: ShapeError(
        "bad-argument", "TypeError",
        f"broadcast_in_dim shape must have every element be nonnegative, got "
        f"{dims.fmt_shape(shape)}."))
    return shape


def _require_sizes(shape, error):
    """Each dim of a requested shape is >= 0: a negative one is ``error``; one
    the sizes do not decide a guard (strict mode: JAX's inconclusive comparison)."""
    if any(dims.decide_nonnegative(d) is Decision.FALSE for d in shape):
        raise error()
    for d in shape:
        if not (d.is_Symbol or d.is_Integer):
            scope.require(dims.relation(">=", d, 0), error, lambda: ShapeError(
                "inconclusive", "InconclusiveDimensionOperation",
                f"the size {dims.fmt_dim(d)} in {dims.fmt_shape(shape)} may be negative: "
                "whether it is >= 0 is inconclusive"))


@shape_function("like", "shape", "value")
def _like(ctx, x, shape):
    """``x``, or ``shape`` when one is given (jnp.zeros_like's shape=)."""
    return _shape_arg(x, "like", 0) if shape is None else _new(ctx, shape)


@shape_function("eye", "value", "value")
def _eye(ctx, n, m):
    """(N, M) of jnp.eye, M defaulting to N; negative sizes are ValueError."""
    m = n if m is None else m
    _require_sizes((n, m), lambda: ShapeError(
        "bad-argument", "ValueError", f"negative dimensions are not allowed, got {n} and {m}"))
    return (n, m)


@shape_function("arange", "value", "value", "value")
def _arange(ctx, start, stop, step):
    """The length of jnp.arange(start, stop, step): ceil((stop - start) / step), at least 0."""
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    values = [sympy.sympify(v) for v in (start, stop, step)]
    start, stop, step = values
    if step == 0:
        raise ShapeError("bad-argument", "ZeroDivisionError", "division by zero")
    if all(v.is_Integer for v in values) or not all(v.is_number for v in values):
        if scope.holds(dims.relation(">", step, 0), lambda: ShapeError(
                "inconclusive", "InconclusiveDimensionOperation",
                f"arange: the sign of the step {step} depends on the sizes")):
            length = dims.floordiv(stop - start + step - 1, step)
        else:
            length = dims.floordiv(start - stop - step - 1, -step)
        return (sympy.Max(0, length),)
    return (sympy.Integer(max(0, math.ceil((float(stop) - float(start)) / float(step)))),)


# ---------------------------------------------------------------- reductions (jnp.max, jnp.argmax, jnp.mean)

@shape_function("reduce_nonempty", "shape", "value", "value")
def _reduce_nonempty(ctx, x, axis, keepdims):
    """``reduce`` for reductions with no identity (max, min): the reduced axes must not be empty."""
    out = _reduce(ctx, x, axis, keepdims)
    x = _shape_arg(x, "reduce_nonempty", 0)
    wanted = range(len(x)) if axis is None else [_axis(a, len(x)) for a in _axes_arg(axis, "reduce")]
    for i in wanted:  # JAX's symbolic shapes need each reduced axis proved >= 1
        scope.require(dims.relation(">=", x[i], 1), lambda: ShapeError(
            "dim-mismatch", "ValueError",
            f"zero-size array to reduction operation {ctx.primitive} which has no identity"),
            lambda: ShapeError("inconclusive", "InconclusiveDimensionOperation",
                               f"{ctx.primitive}: whether the reduced axis of size {x[i]} is "
                               "empty is inconclusive"))
    return out


@shape_function("mean_axes", "shape", "value")
def _mean_axes(ctx, x, axis):
    """``x`` itself, once jnp.mean has counted the elements along ``axis``
    (which indexes the shape first: IndexError when an axis is out of range)."""
    x = _shape_arg(x, "mean_axes", 0)
    if axis is not None:
        for a in _axes_arg(axis, "mean_axes"):
            if not -len(x) <= a < len(x):
                raise ShapeError("axis-out-of-range", "IndexError", "tuple index out of range")
    return x


@shape_function("argreduce", "shape", "value", "value")
def _argreduce(ctx, x, axis, keepdims):
    """jnp.argmax / argmin: one int axis (or None: all of them), none empty."""
    x = _shape_arg(x, "argreduce", 0)
    if isinstance(axis, (tuple, list)):
        raise ShapeError("bad-argument", "TypeError",
                         "'tuple' object cannot be interpreted as an integer")
    if axis is not None and normalize_axis(_int_arg(axis, ctx.primitive, "axis"), len(x)) is None:
        raise ShapeError("axis-out-of-range", "IndexError", "tuple index out of range")
    reduced = range(len(x)) if axis is None else [normalize_axis(int(axis), len(x))]
    if any(dims.decide_eq(x[i], 0) is Decision.TRUE for i in reduced):
        raise ShapeError("dim-mismatch", "ValueError",
                         f"attempt to get {ctx.primitive} of an empty sequence")
    return _reduce(ctx, x, axis, bool(keepdims))


@shape_function("along", "shape", "value")
def _along(ctx, x, axis):
    """``x`` itself, once ``axis`` is checked as a reduction checks it (softmax normalises along it)."""
    _reduce(ctx, x, axis, False)
    return _shape_arg(x, "along", 0)


# ---------------------------------------------------------------- reductions: cumsum, median, var / std

def _unhashable_axis(ctx):
    """jnp.cumsum and jnp.median are jitted with ``axis`` static, so a list
    there is refused as unhashable (jnp.sum and the others make it a tuple)."""
    written = ctx.written.get("axis")
    if isinstance(written, list):
        raise ShapeError("bad-argument", "ValueError",
                         "Non-hashable static arguments are not supported: axis is the list "
                         f"{written}; jnp.{ctx.primitive} wants an int or a tuple")


def _weak_scalar(ctx) -> bool:
    """The first array argument is a weakly typed scalar (``cumsum(3)``, or a
    Python number passed in), which jnp.cumsum flattens even with an axis."""
    return bool(ctx.arrays) and ctx.arrays[0].weak and not ctx.arrays[0].shape


@shape_function("cumulate", "shape", "value")
def _cumulate(ctx, x, axis):
    """jnp.cumsum's shape: ``x`` along one int ``axis``, or flattened when it is None or ``x`` is a weak scalar."""
    x = _shape_arg(x, "cumulate", 0)
    _unhashable_axis(ctx)
    if isinstance(axis, (tuple, list)):
        raise ShapeError("bad-argument", "TypeError",
                         "'tuple' object cannot be interpreted as an integer")
    if axis is None or _weak_scalar(ctx):
        x = (sympy.Mul(*x),)
    if axis is not None:
        _axis(_int_arg(axis, ctx.primitive, "axis"), len(x))
    return x


@shape_function("quantile", "shape", "value", "value", "value?")
def _quantile(ctx, x, axis, keepdims, overwrite_input=False):
    """jnp.median's shape: reduced over ``axis`` (None: flattened; an int; a tuple), whose elements must not be empty."""
    x = _shape_arg(x, "quantile", 0)
    _unhashable_axis(ctx)
    if overwrite_input:
        raise ShapeError("bad-argument", "ValueError",
                         "jax.numpy.quantile does not support overwrite_input=True or out != None")
    if axis is None:  # flattened; keepdims gives rank-many 1s, or (1,) for a scalar
        positions, gathered = list(range(len(x))), 0
        out = (dims.const(1),) * max(len(x), 1) if keepdims else ()
    elif isinstance(axis, (tuple, list)):  # the axes are moved last and merged into one
        wanted = _axes_arg(axis, "quantile")
        positions = [_axis(a, len(x)) for a in wanted]
        if len(set(positions)) != len(positions):
            raise ShapeError("axis-out-of-range", "ValueError", "repeated axis")
        gathered = len(x) - len(positions)
        if keepdims:
            out = tuple(dims.const(1) if i in positions else d for i, d in enumerate(x)) \
                if x else (dims.const(1),)
        else:
            out = tuple(d for i, d in enumerate(x) if i not in positions)
    else:
        pos = _axis(_int_arg(axis, ctx.primitive, "axis"), len(x))
        positions, gathered = [pos], pos
        out = x[:pos] + ((dims.const(1),) if keepdims else ()) + x[pos + 1:]
    if dims.decide_eq(sympy.Mul(*(x[p] for p in positions)), 0) is Decision.TRUE:
        raise ShapeError("dim-mismatch", "TypeError",
                         f"Slice size at index {gathered} in gather op is out of range, must be "
                         "within [0, 0 + 1), got 1.")
    return out


@shape_function("variance_axes", "shape", "value", "value", "value")
def _variance_axes(ctx, x, axis, ddof, correction):
    """``x`` itself, once jnp.var has refused ``ddof`` with ``correction`` and counted the elements along ``axis`` (as ``mean_axes``)."""
    if correction is not None and (isinstance(ddof, float) or ddof != 0):
        raise ShapeError("bad-argument", "ValueError",
                         "ddof and correction can't be provided simultaneously.")
    return _mean_axes(ctx, x, axis)
