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

import collections
import math
from dataclasses import dataclass
from typing import Callable

import sympy

from . import dims, dtypes, scope
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
    if n is None and dims.is_dim(value):
        scope.refuse_symbolic_int(fname, what, value)
    if n is None:
        raise ShapeError("bad-argument", "TypeError",
                         f"{fname}: {what} must be an integer, got {value}")
    return n


def _axis(axis: int, shape: tuple, added: int = 0) -> int:
    """numpy's canonicalize_axis for an array of ``shape`` plus ``added`` new axes (stack,
    expand_dims, ...): ValueError when out of range, in JAX's words plus the shape."""
    rank = len(shape) + added
    pos = normalize_axis(axis, rank)
    if pos is None or rank == 0:
        plus = {0: "", 1: " plus the new axis"}.get(added, f" plus {added} new axes")
        raise ShapeError("axis-out-of-range", "ValueError",
                         f"axis {axis} is out of bounds for array of dimension {rank} "
                         f"(shape {dims.fmt_shape(shape)}{plus})")
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
        axes = [_axis(a, x) for a in wanted]
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
    return _transpose(x, [_axis(a, x) for a in wanted])


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
    unknown = [i for i, d in enumerate(shape) if dims.as_int(d) == -1]

    def shown() -> str:  # (a function: printed only for an error)
        return (f"cannot reshape array of shape {dims.fmt_shape(x)} (size {size}) into shape "
                f"{dims.fmt_shape(shape)}")
    if len(unknown) > 1:
        raise ShapeError("reshape-size", "TypeError",
                         "can only specify one unknown axis size with a `-1` value, got "
                         f"{dims.fmt_shape(shape)}")
    if not unknown and dims.same_product(x, shape):
        return tuple(shape)  # (what the checks below conclude, without sympy's products)
    size = sympy.Mul(*x)
    if any(dims.decide_nonnegative(d) is Decision.FALSE
           for i, d in enumerate(shape) if i not in unknown):
        raise ShapeError("reshape-size", "TypeError",
                         f"reshape new_sizes must all be positive, got {dims.fmt_shape(shape)}")
    known = sympy.Mul(*(d for i, d in enumerate(shape) if i not in unknown))
    if unknown:
        # JAX divides by the known product: 0 is its ZeroDivisionError, and a
        # product that may be 0 (b - 1) a guard
        scope.require(dims.relation("!=", known, 0), lambda: ShapeError(
            "reshape-size", "ZeroDivisionError",
            f"{shown()}: the size of the -1 axis is a division by zero"),
            scope.JAX_ACCEPTS)  # (JAX's symbolic shapes divide by it unchecked)
        rest = dims.floordiv(size, known)
        scope.require_eq(
            rest * known, size,
            lambda: ShapeError("reshape-size", "TypeError",
                               f"{shown()} because the product of specified axis sizes ({known}) "
                               f"does not evenly divide {size}"),
            lambda: ShapeError("inconclusive", "InconclusiveDimensionOperation",
                               f"Cannot divide evenly the sizes of shapes {dims.fmt_shape(x)} "
                               f"and {dims.fmt_shape(shape)}"))
        return tuple(rest if i in unknown else d for i, d in enumerate(shape))
    # JAX's symbolic shapes accept a size they cannot compare (it is checked
    # when the program runs), so strict mode accepts it too
    scope.require_eq(known, size,
                     lambda: ShapeError("reshape-size", "TypeError", f"{shown()} (size {known})"),
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


def join_shapes(shapes, pos: int) -> tuple:
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
    scope.require_all_eq([(a, b) for s in shapes[1:] for i, (a, b) in enumerate(zip(first, s))
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
        pos = _axis(_int_arg(axis, "concatenate", "axis"), x[1:])
        return x[1:pos + 1] + (x[0] * x[pos + 1],) + x[pos + 2:]
    if axis is None:
        return (sympy.Add(*(sympy.Mul(*s) for s in arrays)),)
    if not arrays[0]:
        raise ShapeError("bad-argument", "ValueError",
                         "Zero-dimensional arrays cannot be concatenated.")
    return join_shapes(arrays, _axis(_int_arg(axis, "concatenate", "axis"), arrays[0]))


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
        pos = _axis(_int_arg(axis, "stack", "axis"), x[1:], added=1)
        return x[1:pos + 1] + (x[0],) + x[pos + 1:]
    pos = _axis(_int_arg(axis, "stack", "axis"), arrays[0], added=1)
    if len({len(s) for s in arrays}) != 1:
        raise ShapeError("dim-mismatch", "ValueError",
                         "Cannot stack arrays with different numbers of dimensions: got "
                         f"{_fmt_shapes(arrays)}.")
    scope.require_all_eq([(a, b) for s in arrays[1:] for a, b in zip(arrays[0], s)],
                         lambda: ShapeError("dim-mismatch", "ValueError",
                                            "All input arrays must have the same shape. "
                                            f"Got {_fmt_shapes(arrays)}."))
    first = arrays[0]
    return first[:pos] + (dims.const(len(arrays)),) + first[pos:]


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


# jnp.einsum plans the contraction with opt_einsum on the operands' shapes
# with every symbolic dim written as 8 (_default_poly_einsum_handler)
_OPT_EINSUM_SYMBOLIC_DIM = 8


def _planned(d) -> int:
    """A dim as opt_einsum sees it when JAX plans an einsum."""
    n = dims.as_int(d)
    return n if n is not None else _OPT_EINSUM_SYMBOLIC_DIM


def _planned_broadcast(shapes: list) -> bool:
    """Do ``shapes`` broadcast as opt_einsum sees them, with 8 for every
    symbolic dim?"""
    planned = [tuple(map(_planned, shape)) for shape in shapes]
    rank = max(map(len, planned))
    for column in zip(*[(1,) * (rank - len(p)) + p for p in planned]):
        if len(set(column) - {1}) > 1:
            return False
    return True


def _symbolic_diagonal(known, d) -> bool:
    """A label repeated in one operand with sizes that are not decided, which
    opt_einsum (planning with 8 for a symbolic dim) takes as equal."""
    return dims.decide_eq(known, d) is Decision.UNKNOWN and _planned(known) == _planned(d)


def _symbolic_einsum_error(label: str, number: int, d, known, message: str) -> ShapeError:
    """Strict mode's error where a label's sizes are not decided equal: as
    JAX's symbolic einsum, opt_einsum's ValueError where its stand-in sizes
    differ (``c`` is 8 there, so ``c`` against 3 fails), else JAX's failed
    assertion (``a`` against ``c``: both 8 to opt_einsum)."""
    mine, theirs = _planned(d), _planned(known)
    if mine != theirs and 1 not in (mine, theirs):
        return _planned_mismatch(label, number, known, d)
    return ShapeError("dim-mismatch", "AssertionError", message)


def _planned_mismatch(label: str, number: int, known, d) -> ShapeError:
    """opt_einsum's error for a label whose sizes differ as it plans (8 for
    a symbolic dim): the size seen before first, then this operand's."""
    return _einsum_error(f"Size of label {label!r} for operand {number} ({_planned(known)}) "
                         f"does not match previous terms ({_planned(d)}).")


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
    origin: dict = {}  # label -> the operand its size came from
    ellipses = []      # the dims each operand's ``...`` covers
    labelled = []      # each operand's (labels, the dims they label)
    concrete = all(dims.as_int(d) is not None for shape in operands for d in shape)
    # a label repeated in one of two operands meets size-1 dims otherwise
    # than opt_einsum's broadcasting says: JAX's own contraction decides,
    # once opt_einsum has checked the sizes as it plans (symbolic ones as 8)
    jax_contracts = ((concrete or scope.strict_mode()) and len(operands) == 2
                     and not any("..." in t for t in terms)
                     and any(len(set(t)) < len(t) for t in terms))
    for number, (term, shape) in enumerate(zip(terms, operands)):
        labels = term.replace("...", "")
        if len(labels) > len(shape) or ("..." not in term and len(labels) != len(shape)):
            raise _einsum_error(f"Einstein sum subscript {term!r} does not contain the correct "
                                f"number of indices for operand {number}.")
        before = term.index("...") if "..." in term else len(labels)
        after = len(labels) - before
        ellipses.append(shape[before:len(shape) - after])
        own = shape[:before] + shape[len(shape) - after:]
        labelled.append((labels, own))
        for position, (label, d) in enumerate(zip(labels, own)):
            known = sizes.get(label)
            if known is None or is_one(known):
                sizes[label], origin[label] = d, number
            elif jax_contracts:
                if _planned(d) not in (1, _planned(known)):
                    raise _planned_mismatch(label, number, known, d)
            elif (origin[label] != number and label in labels[position + 1:]
                  and not is_one(own[labels.rindex(label)]) and scope.strict_mode()):
                # a label of an earlier operand, repeated in this one: JAX's
                # symbolic einsum takes this operand's diagonal first (a mask,
                # comparing nothing) and compares the last occurrence only;
                # opt_einsum's plan (8 for a symbolic dim) still sees each
                if 1 not in (_planned(known), _planned(d)) and _planned(known) != _planned(d):
                    raise _planned_mismatch(label, number, known, d)
            elif origin[label] == number and scope.strict_mode() and _symbolic_diagonal(known, d):
                # a label repeated in this operand only: JAX's symbolic einsum
                # takes its diagonal with a mask, comparing nothing, and the
                # label keeps the last size (compared with other operands' later)
                sizes[label] = d
            elif not is_one(d):
                def message(label=label, number=number, d=d, known=known) -> str:
                    # opt_einsum's words, with its order: the size seen before
                    # first, then this operand's (jnp.einsum raises it as is)
                    return (f"Size of label {label!r} for operand {number} "
                            f"({dims.fmt_dim(known)}) does not match previous terms "
                            f"({dims.fmt_dim(d)}).")

                def error(message=message) -> ShapeError:
                    return _einsum_error(message())

                if not scope.strict_mode() and dims.decide_eq(known, d) is Decision.FALSE:
                    # equal sizes are impossible ((a + 1,) against (a,)), but
                    # a size 1 broadcasts (opt_einsum): the guard is that
                    # one is 1, this operand's if it can be, as broadcasting
                    # keeps the first size that can stay (docs/symbolic.md)
                    if dims.decide_eq(d, 1) is not Decision.FALSE:
                        scope.require_eq(d, 1, error)
                        continue
                    if dims.decide_eq(known, 1) is not Decision.FALSE:
                        scope.require_eq(known, 1, error)
                        sizes[label], origin[label] = d, number
                        continue
                scope.require_eq(known, d, error,
                                 lambda label=label, number=number, d=d, known=known:
                                 _symbolic_einsum_error(label, number, d, known, message()))
    for labels, own in labelled:
        for label in set(labels):
            if labels.count(label) > 1 and sum(label in t for t in terms) == 1:
                # a label repeated in this operand only: JAX takes the
                # diagonal and keeps the last axis ((a, 1) is 1 long)
                sizes[label] = own[labels.rindex(label)]
    if not jax_contracts and (concrete or not scope.strict_mode()):
        _require_equal_shared_diagonals(labelled)
    try:
        broadcast = broadcast_shapes(ellipses) if ellipses else ()
    except ShapeError:
        if scope.strict_mode() and len(ellipses) == 2 and _planned_broadcast(ellipses):
            # opt_einsum, planning with 8 for every symbolic dim, saw nothing
            # wrong: the '...' dims meet as dot_general's batch dims
            raise ShapeError(
                "bad-argument", "TypeError",
                "dot_general requires lhs batch dimensions and rhs batch dimensions to have "
                f"the same shape, got {dims.fmt_shape(ellipses[0])} and "
                f"{dims.fmt_shape(ellipses[1])}.") from None
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
    if jax_contracts:
        return _jax_contraction(terms, output.replace("...", ""), operands)
    before, _, after = output.partition("...")
    middle = broadcast if "..." in output else ()
    return tuple(sizes[c] for c in before) + middle + tuple(sizes[c] for c in after)


def _require_equal_shared_diagonals(labelled: list) -> None:
    """A label repeated in one operand and found in another: JAX squeezes a
    size-1 axis of it where the other operand's is not 1, then takes the
    diagonal, pair by pair in opt_einsum's order, which opt_einsum's
    broadcasting of 1 does not describe (``_jax_contraction`` follows it for
    two operands, concrete or in strict mode). Elsewhere the label's sizes
    must all be equal: a guard where they are symbolic; two different
    literal sizes are past what this follows."""
    occurrences = collections.defaultdict(list)  # label -> its dims, in order
    for labels, own in labelled:
        for label, d in zip(labels, own):
            occurrences[label].append(d)
    for label, found in occurrences.items():
        if not (sum(label in labels for labels, _ in labelled) > 1
                and any(labels.count(label) > 1 for labels, _ in labelled)):
            continue
        if len({dims.as_int(d) for d in found} - {None}) > 1:
            raise ShapeError("unsupported", "NotImplementedError",
                             f"einsum with label {label!r} repeated in an operand and "
                             f"shared with another at sizes {', '.join(map(dims.fmt_dim, found))}"
                             ": give every size of two operands to infer it")
        for d in found[1:]:
            scope.require_eq(found[0], d, lambda d=d, label=label: _einsum_error(
                f"Size of label {label!r} does not match: {dims.fmt_dim(found[0])} "
                f"and {dims.fmt_dim(d)}."))


def _jax_contraction(terms: list[str], output: str, shapes: list) -> tuple:
    """The shape of JAX's contraction of two operands (``_einsum`` in
    jax/_src/numpy/einsum.py, on shapes): opt_einsum hands the operands over
    last first; a size-1 axis goes where the other operand's first axis of
    that label is not 1; a label repeated in an operand becomes its
    diagonal, of the last size; the labels both keep must then agree (JAX's
    assertion; dot_general's TypeError for the batch labels). Symbolic dims
    (strict mode) are 1 or equal only where that is decided, as JAX's
    ``definitely_equal``."""
    def one(d) -> bool:
        return dims.as_int(d) == 1

    def same(x, y) -> bool:
        return dims.decide_eq(x, y) is Decision.TRUE

    def filter_singletons(shape, names, other, other_names):
        keep = [not one(d) or other_names.find(n) == -1 or one(other[other_names.find(n)])
                for d, n in zip(shape, names)]
        return ([d for d, k in zip(shape, keep) if k],
                "".join(n for n, k in zip(names, keep) if k))

    def remove(shape, names, gone):
        return ([d for d, n in zip(shape, names) if n not in gone],
                "".join(n for n in names if n not in gone))

    def diagonals(shape, names, counts, keep):
        for name, count in counts.items():
            if count > 1:
                last = names.rindex(name)
                kept = [i for i, n in enumerate(names)
                        if n != name or (i == last and name in keep)]
                shape, names = [shape[i] for i in kept], "".join(names[i] for i in kept)
        return shape, names

    (rhs_names, lhs_names), (rhs, lhs) = terms, shapes
    contracted = sorted(set(lhs_names + rhs_names) - set(output))
    lhs, lhs_names = filter_singletons(lhs, lhs_names, rhs, rhs_names)
    rhs, rhs_names = filter_singletons(rhs, rhs_names, lhs, lhs_names)
    lhs_counts, rhs_counts = collections.Counter(lhs_names), collections.Counter(rhs_names)
    lhs, lhs_names = remove(lhs, lhs_names, [n for n in contracted
                                             if lhs_counts[n] == 1 and rhs_counts[n] == 0])
    rhs, rhs_names = remove(rhs, rhs_names, [n for n in contracted
                                             if rhs_counts[n] == 1 and lhs_counts[n] == 0])
    lhs, lhs_names = diagonals(lhs, lhs_names, lhs_counts, output + rhs_names)
    rhs, rhs_names = diagonals(rhs, rhs_names, rhs_counts, output + lhs_names)
    contracted = [n for n in contracted if n in lhs_names or n in rhs_names]
    if not all(n in lhs_names and n in rhs_names
               and same(lhs[lhs_names.index(n)], rhs[rhs_names.index(n)]) for n in contracted):
        raise ShapeError("dim-mismatch", "AssertionError",
                         f"Incompatible reduction dimensions: lhs.shape={dims.fmt_shape(lhs)} "
                         f"lhs_names={lhs_names} rhs.shape={dims.fmt_shape(rhs)} "
                         f"rhs_names={rhs_names}")
    batch = [n for n in output if n in lhs_names and n in rhs_names]
    lb, rb = [lhs[lhs_names.find(n)] for n in batch], [rhs[rhs_names.find(n)] for n in batch]
    if not all(map(same, lb, rb)):
        gone = set(batch) | set(contracted)
        rest = ("".join(batch) + "".join(n for n in rhs_names if n not in gone)
                + "".join(n for n in lhs_names if n not in gone))
        if rest == output:  # JAX then calls dot_general(rhs, lhs)
            lb, rb = rb, lb
        raise ShapeError("bad-argument", "TypeError",
                         "dot_general requires lhs batch dimensions and rhs batch dimensions to "
                         f"have the same shape, got {dims.fmt_shape(lb)} and {dims.fmt_shape(rb)}.")
    size = {**dict(zip(rhs_names, rhs)), **dict(zip(lhs_names, lhs))}
    return tuple(size[n] for n in output)


@shape_function("insert", "shape", "value", "dim?")
def _insert(ctx, x, axis, size=1):
    """``x`` with a new axis of ``size`` (default 1) at ``axis`` (of the result, as jnp.expand_dims)."""
    x = _shape_arg(x, "insert", 0)
    pos = _axis(_int_arg(axis, "insert", "axis"), x, added=1)
    return x[:pos] + (size if dims.is_dim(size) else dims.const(size),) + x[pos:]


@shape_function("remove", "shape", "value")
def _remove(ctx, x, axis):
    """``x`` without the axis ``axis``."""
    x = _shape_arg(x, "remove", 0)
    pos = _axis(_int_arg(axis, "remove", "axis"), x)
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
    src = [_axis(a, x) for a in src]
    dst = [_axis(a, x) for a in dst]
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
    positions = [_axis(a, x, added=len(wanted)) for a in wanted]
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
    positions = [_axis(a, x) for a in wanted]
    if len(set(positions)) != len(positions):
        raise ShapeError("axis-out-of-range", "ValueError",
                         f"dimensions are not unique: {tuple(wanted)}")
    not_one = tuple(p for p in positions if not is_one(x[p]))

    def error():
        return ShapeError("dim-mismatch", "ValueError",
                          "cannot select an axis to squeeze out which has size not equal to "
                          f"one, got shape={dims.fmt_shape(x)} and dimensions={not_one}")
    scope.require_all_eq([(x[p], 1) for p in not_one], error)
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
    positions = tuple(_axis(a, x) for a in wanted)
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
    if any(not v.is_number for v in values) and any(v.is_number and not v.is_Integer
                                                    for v in values):
        # a float with a symbolic bound: numpy's ceil((stop - start) / step) in
        # floats is the exact one where the floats are multiples of a small
        # power of 2 (0.5, 2.5: the quotient rounds to an integer only where it
        # is one), so all three scaled to integers give the same length
        exact = [sympy.Rational(float(v)) if v.is_Float else v for v in values]
        scale = math.lcm(*(v.q for v in exact if v.is_Rational))
        if scale > 2 ** 10:
            floats = ", ".join(str(float(v)) for v in values if v.is_Float)
            raise ShapeError("unsupported", "NotImplementedError",
                             f"arange with {floats} "
                             "and a symbolic bound: float rounding decides its length; give "
                             "the sizes")
        start, stop, step = (sympy.expand(v * scale) for v in exact)
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
    wanted = range(len(x)) if axis is None else [_axis(a, x) for a in _axes_arg(axis, "reduce")]
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
        _axis(_int_arg(axis, ctx.primitive, "axis"), x)
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
        positions = [_axis(a, x) for a in wanted]
        if len(set(positions)) != len(positions):
            raise ShapeError("axis-out-of-range", "ValueError", "repeated axis")
        gathered = len(x) - len(positions)
        if keepdims:
            out = tuple(dims.const(1) if i in positions else d for i, d in enumerate(x)) \
                if x else (dims.const(1),)
        else:
            out = tuple(d for i, d in enumerate(x) if i not in positions)
    else:
        pos = _axis(_int_arg(axis, ctx.primitive, "axis"), x)
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


# ---------------------------------------------------------------- contractions and dynamic slices
#
# jnp.tensordot and lax.dot_general take their axes as (nested) tuples of
# ints, lax.dynamic_slice its start indices as a sequence of scalars: rules
# pass them as `value` parameters and sequences, and these functions check
# them with JAX's messages (jax/_src/numpy/tensor_contractions.py,
# jax/_src/lax/lax.py and slicing.py).

def _int_tuple(value) -> tuple | None:
    """A list or tuple of Python ints as a tuple, or None."""
    if isinstance(value, (tuple, list)) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    return None


def _contract(x, y, lhs_contract, rhs_contract, lhs_batch=(), rhs_batch=()) -> tuple:
    """dot_general's result: batch dims, then lhs free, then rhs free; its
    checks in JAX's order (_dot_general_shape_rule)."""
    def dimension_error(side, shape, batch, contract):
        raise ShapeError("bad-argument", "TypeError",
                         f"dot_general requires {side} dimension numbers to be nonnegative and "
                         f"less than the number of axes of the {side} value, got {side}_batch of "
                         f"{batch} and {side}_contracting of {contract} for {side} of rank "
                         f"{len(shape)}")
    for side, shape, batch, contract in (("lhs", x, lhs_batch, lhs_contract),
                                         ("rhs", y, rhs_batch, rhs_contract)):
        if not all(0 <= d < len(shape) for d in batch + contract):
            dimension_error(side, shape, batch, contract)
    if len(lhs_batch) != len(rhs_batch):
        raise ShapeError("bad-argument", "TypeError",
                         f"dot_general requires equal numbers of lhs_batch and rhs_batch "
                         f"dimensions, got lhs_batch {lhs_batch} and rhs_batch {rhs_batch}.")
    for side, batch, contract in (("lhs", lhs_batch, lhs_contract),
                                  ("rhs", rhs_batch, rhs_contract)):
        if len(set(batch)) != len(batch):
            raise ShapeError("bad-argument", "TypeError",
                             f"dot_general requires lhs batch dimensions and rhs batch "
                             f"dimensions to be distinct, got {side}_batch {batch}.")
        if len(set(contract)) != len(contract):
            raise ShapeError("bad-argument", "TypeError",
                             f"dot_general requires {side} contracting dimensions to be "
                             f"distinct, got {side}_contracting {contract}.")
        if set(batch) & set(contract):
            raise ShapeError("bad-argument", "TypeError",
                             f"dot_general requires {side} batch dimensions to be disjoint from "
                             f"contracting dimensions, got {side}_batch {batch} and "
                             f"{side}_contracting {contract}.")
    # (JAX's definitely_equal_shape: a guard for each pair the sizes do not decide)
    lb, rb = tuple(x[d] for d in lhs_batch), tuple(y[d] for d in rhs_batch)
    scope.require_all_eq(list(zip(lb, rb)), lambda: ShapeError(
        "bad-argument", "TypeError",
        f"dot_general requires lhs batch dimensions and rhs batch dimensions to "
        f"have the same shape, got {dims.fmt_shape(lb)} and {dims.fmt_shape(rb)}."))
    lc, rc = tuple(x[d] for d in lhs_contract), tuple(y[d] for d in rhs_contract)

    def contract_error() -> ShapeError:
        return ShapeError("bad-argument", "TypeError",
                          f"dot_general requires contracting dimensions to have the same shape, "
                          f"got {dims.fmt_shape(lc)} and {dims.fmt_shape(rc)}.")
    if len(lc) != len(rc):
        raise contract_error()
    scope.require_all_eq(list(zip(lc, rc)), contract_error)
    lfree = tuple(d for i, d in enumerate(x) if i not in lhs_batch + lhs_contract)
    rfree = tuple(d for i, d in enumerate(y) if i not in rhs_batch + rhs_contract)
    return lb + lfree + rfree


@shape_function("dot_general", "shape", "shape", "value")
def _dot_general(ctx, x, y, dimension_numbers):
    """``lax.dot_general``: ``(((lc...), (rc...)), ((lb...), (rb...)))``; batch dims, then lhs free, then rhs free."""
    dimension_numbers = dims.plain(dimension_numbers)
    # JAX unpacks the nesting as we do: a wrong length is its ValueError, a
    # non-sequence its TypeError
    exception = "TypeError"
    try:
        (lc, rc), (lb, rb) = dimension_numbers
        parts = [_int_tuple(p) for p in (lc, rc, lb, rb)]
    except (TypeError, ValueError) as e:
        exception, parts = type(e).__name__, None
    if parts is None or None in parts:
        raise ShapeError("bad-argument", exception,
                         "dot_general: dimension_numbers must be "
                         "(((lhs_contracting...), (rhs_contracting...)), "
                         f"((lhs_batch...), (rhs_batch...))) of ints, got {dimension_numbers!r}")
    lc, rc, lb, rb = parts
    return _contract(x, y, lc, rc, lb, rb)


@shape_function("tensordot", "shape", "shape", "value")
def _tensordot(ctx, x, y, axes):
    """``jnp.tensordot``: ``axes`` an int (the last of ``x`` with the first of ``y``), a pair of ints, or a pair of sequences of ints."""
    axes = dims.plain(axes)
    if isinstance(axes, int) and not isinstance(axes, bool):
        if axes > min(len(x), len(y)):
            raise ShapeError("bad-argument", "TypeError",
                             f"Number of tensordot axes (axes {axes}) exceeds input ranks "
                             f"({dims.fmt_shape(x)} and {dims.fmt_shape(y)})")
        # x's last `axes` axes with y's first (none when axes <= 0)
        return _contract(x, y, tuple(range(len(x) - axes, len(x))), tuple(range(axes)))
    pair = (axes if isinstance(axes, (tuple, list)) and len(axes) == 2 else None)
    if pair is not None and all(isinstance(a, int) and not isinstance(a, bool) for a in pair):
        return _contract(x, y, (_axis(pair[0], x),), (_axis(pair[1], y),))
    sides = None if pair is None else [_int_tuple(a) for a in pair]
    if sides is None or None in sides:
        raise ShapeError("bad-argument", "TypeError",
                         "tensordot axes argument must be an int, a pair of ints, or a pair of "
                         "lists/tuples of ints.")
    if len(sides[0]) != len(sides[1]):
        raise ShapeError("bad-argument", "TypeError",
                         f"tensordot requires axes lists to have equal length, got "
                         f"{sides[0]} and {sides[1]}.")
    return _contract(x, y, tuple(_axis(a, x) for a in sides[0]),
                     tuple(_axis(a, y) for a in sides[1]))


def _start_count(starts, fname: str) -> int:
    """How many start indices: a sequence's length, or a 1-D index array's size."""
    starts = _sequence_arg(starts, fname)
    if isinstance(starts, Rows):
        if len(starts.shape) != 1:
            raise ShapeError("bad-argument", "ValueError",
                             f"Slice indices must be a 1D sequence, got {dims.fmt_shape(starts.shape)}")
        n = dims.as_int(starts.shape[0])
        if n is None:
            raise ShapeError("bad-argument", "TypeError",
                             f"{fname}: the number of start indices must be known")
        return n
    for shape in starts:
        if shape != ():
            raise ShapeError("bad-argument", "TypeError",
                             f"start_indices arguments to {fname} must be scalars, got an index "
                             f"of shape {dims.fmt_shape(shape)}")
    return len(starts)


def _check_starts(x, starts, fname: str):
    n = _start_count(starts, fname)
    if n != len(x):
        raise ShapeError("bad-argument", "ValueError",
                         f"Length of slice indices must match number of operand dimensions "
                         f"({n} vs {dims.fmt_shape(x)})")


def _require_fits(sizes: tuple, bounds: tuple, error) -> None:
    """``sizes[i] <= bounds[i]`` for each axis, as lax's shape rules check
    them: an error if one is larger (before any guard), else a guard for each
    the sizes do not decide (in strict mode jax.export's inconclusive
    comparison, as lax's ``>=`` on symbolic dims raises)."""
    if any(dims.decide_nonnegative(b - s) is Decision.FALSE for s, b in zip(sizes, bounds)):
        raise error()
    for s, b in zip(sizes, bounds):
        scope.require(dims.relation(">=", b, s), error, lambda s=s, b=b: ShapeError(
            "inconclusive", "InconclusiveDimensionOperation",
            f"Symbolic dimension comparison '{dims.fmt_dim(b)}' >= '{dims.fmt_dim(s)}' "
            "is inconclusive."))


@shape_function("dynamic_slice", "shape", "arrays", "shape")
def _dynamic_slice(ctx, x, starts, sizes):
    """``lax.dynamic_slice``: ``sizes``, once the start indices (scalars, or a 1-D array) and the sizes are checked against ``x``."""
    _check_starts(x, starts, "dynamic_slice")
    if len(sizes) != len(x):
        raise ShapeError("bad-argument", "ValueError",
                         f"dynamic_slice slice_sizes must have the same length as operand's rank, "
                         f"got slice_sizes {dims.fmt_shape(sizes)} for operand shape "
                         f"{dims.fmt_shape(x)}.")
    # lax's shape rule: no larger than the operand, then not negative (a
    # size such as c - a is a guard c - a >= 0, decided at each assignment)
    _require_fits(tuple(sizes), tuple(x), lambda: ShapeError(
        "bad-argument", "TypeError",
        f"slice slice_sizes must be less than or equal to operand shape, got "
        f"slice_sizes {dims.fmt_shape(sizes)} for operand shape {dims.fmt_shape(x)}."))
    _require_fits((0,) * len(sizes), tuple(sizes), lambda: ShapeError(
        "bad-argument", "TypeError",
        f"slice slice_sizes must be greater than or equal to zero, got "
        f"slice_sizes of {dims.fmt_shape(sizes)}."))
    return tuple(sizes)


@shape_function("dynamic_update_slice", "shape", "shape", "arrays")
def _dynamic_update_slice(ctx, x, update, starts):
    """``lax.dynamic_update_slice``: ``x``, once the start indices and ``update`` (same rank, no larger) are checked."""
    _check_starts(x, starts, "dynamic_update_slice")  # first, as lax's wrapper does
    if len(update) != len(x):
        raise ShapeError("bad-argument", "TypeError",
                         f"dynamic_update_slice update must have the same rank as operand, got "
                         f"update shape {dims.fmt_shape(update)} for operand shape "
                         f"{dims.fmt_shape(x)}.")
    _require_fits(tuple(update), tuple(x), lambda: ShapeError(
        "bad-argument", "TypeError",
        f"dynamic_update_slice update shape must be smaller than operand shape, "
        f"got update shape {dims.fmt_shape(update)} for operand shape {dims.fmt_shape(x)}."))
    return tuple(x)


@shape_function("norm", "shape", "value", "value", "value")
def _norm(ctx, x, ord, axis, keepdims):
    """``jnp.linalg.norm``: a reduction over ``axis`` (one axis: a vector norm, two: a matrix norm), once ``ord`` is checked for it."""
    ord, axis = dims.plain(ord), dims.plain(axis)
    if axis is None:
        if ord is None:  # any rank: the 2-norm of every element
            return _reduce(ctx, x, None, keepdims)
        axis = tuple(range(len(x)))
    axes = tuple(axis) if isinstance(axis, tuple) else (axis,)
    positions = tuple(_axis(a, x) for a in _axes_arg(axes, "norm"))
    if len(positions) == 1 and isinstance(ord, str):
        hint = {"inf": "Use 'jax.numpy.inf' instead.", "-inf": "Use '-jax.numpy.inf' instead."}
        raise ShapeError("bad-argument", "ValueError",
                         f"Invalid order '{ord}' for vector norm.{hint.get(ord, '')}")
    if len(positions) == 2 and ord not in (None, "f", "fro", "nuc", 1, -1, 2, -2,
                                           math.inf, -math.inf):
        raise ShapeError("bad-argument", "ValueError", f"Invalid order '{ord}' for matrix norm.")
    if len(positions) not in (1, 2):
        raise ShapeError("bad-argument", "ValueError",
                         f"Improper number of axes for norm: axis={positions}. Pass one axis to "
                         "compute a vector-norm, or two axes to compute a matrix-norm.")
    if len(positions) == 2 and positions[0] == positions[1] and ord not in (None, "f", "fro"):
        return _norm_one_axis_twice(ctx, x, ord, positions[0], keepdims)
    return _reduce(ctx, x, positions, keepdims)


def _norm_one_axis_twice(ctx, x, ord, axis, keepdims):
    """A matrix norm whose two axes are one: JAX's arithmetic for ``ord``
    runs as written. 1 and inf sum over the axis, then take the max over
    the same index of what is left (out of range for the last axis: JAX
    shifts the index only for two different axes); 'nuc' and 2 move both
    axes to the end, a transpose with a repeated axis (TypeError)."""
    if ord in ("nuc", 2, -2):
        if len(x) < 2:  # (moveaxis to (-2, -1) fails first)
            raise ShapeError("axis-out-of-range", "ValueError",
                             f"axis -2 is out of bounds for array of dimension {len(x)}")
        perm = [i for i in range(len(x)) if i != axis] + [axis, axis]
        raise ShapeError("bad-argument", "TypeError",
                         "transpose permutation isn't a permutation of operand dimensions, got "
                         f"permutation {tuple(perm)} for operand shape {dims.fmt_shape(x)}: "
                         "norm's two axes are the same axis")
    return _reduce(ctx, _reduce(ctx, x, axis, keepdims), axis, keepdims)


@shape_function("slice_in_dim", "shape", "value", "dim", "value?")
def _slice_in_dim(ctx, x, axis, size, keepdims=True):
    """``lax.dynamic_slice_in_dim`` / ``dynamic_index_in_dim``: ``x`` with the axis ``axis`` (a Python list index: IndexError out of range) of ``size``, dropped when not ``keepdims``."""
    axis = _int_arg(axis, "slice_in_dim", "axis")
    if not -len(x) <= axis < len(x):
        raise ShapeError("axis-out-of-range", "IndexError", "list assignment index out of range")
    sizes = list(x)
    sizes[axis] = size
    result = _dynamic_slice(ctx, x, Rows((dims.const(len(x)),)), tuple(sizes))
    return result if keepdims else result[:axis % len(x)] + result[axis % len(x) + 1:]


# ---------------------------------------------------------------- arrays: sort, roll, tile, repeat, pad, take, diagonal, split

@shape_function("flat_or_along", "shape", "value", "value?", "value?")
def _flat_or_along(ctx, x, axis, kind=None, order=None):
    """``x`` flattened when ``axis`` is None, else ``x`` once the int ``axis`` is checked (jnp.sort, argsort; their NumPy ``kind`` and ``order`` are refused)."""
    if kind is not None:
        raise ShapeError("bad-argument", "TypeError",
                         f"'kind' argument to {ctx.primitive} is not supported. Use stable=True "
                         "or stable=False to specify sort stability.")
    if order is not None:
        raise ShapeError("bad-argument", "TypeError",
                         f"'order' argument to {ctx.primitive} is not supported.")
    x = _shape_arg(x, "flat_or_along", 0)
    if axis is None:
        return (sympy.Mul(*x),)
    _axis(_int_arg(axis, ctx.primitive, "axis"), x)
    return x


@shape_function("roll", "shape", "shape", "value")
def _roll(ctx, x, shift, axis):
    """jnp.roll: ``x`` itself; ``shift`` (a scalar or 1-D) and ``axis`` broadcast together."""
    x, shift = _shape_arg(x, "roll", 0), _shape_arg(shift, "roll", 1)
    if axis is None:  # (JAX rolls x flattened along its axis 0)
        axes = [0]
    else:
        axes = _axes_arg(axis, "roll")
        for a in axes:
            _axis(a, x)
    count = (dims.const(len(axes)),)  # (JAX makes the axis a tuple first)
    both = broadcast_shapes([shift, count, (dims.const(1),)])
    if len(both) != 1:
        raise ShapeError("bad-argument", "ValueError",
                         "roll: shift and axis must be scalars or 1D arrays")
    return x


@shape_function("tile", "shape", "shape")
def _tile(ctx, x, reps):
    """jnp.tile: ``x`` and ``reps`` padded with 1s on the left to one length, multiplied."""
    x, reps = _shape_arg(x, "tile", 0), _shape_arg(reps, "tile", 1)
    n = max(len(x), len(reps))
    one = dims.const(1)
    x, reps = (one,) * (n - len(x)) + x, (one,) * (n - len(reps)) + reps
    return tuple(d * r for d, r in zip(x, reps))


@shape_function("repeat", "shape", "shape", "value", "value")
def _repeat(ctx, x, repeats, axis, total):
    """jnp.repeat: a static int ``repeats`` multiplies the axis (None: of ``x`` flattened); an array needs ``total_repeat_length``."""
    x, repeats = _shape_arg(x, "repeat", 0), _shape_arg(repeats, "repeat", 1)
    written = ctx.written["repeats"]
    if isinstance(written, (list, tuple)) and not all(dims.is_dim(d) for d in written):
        written = None  # an array literal: an array
    if isinstance(written, (list, tuple)) or isinstance(written, dict):
        raise ShapeError("bad-argument", "TypeError",
                         f"repeat requires ndarray or scalar arguments, got "
                         f"{type(written).__name__} at position 1.")
    if axis is None or not x:  # a 0-d array is repeated flat, whatever the axis
        x, pos = (sympy.Mul(*x),), 0
    else:
        pos = _axis(_int_arg(axis, "repeat", "axis"), x)
    if total is not None:
        length = dims.const(total) if isinstance(total, int) else total
    elif dims.is_dim(written) or isinstance(written, int):
        length = x[pos] * (dims.const(written) if isinstance(written, int) else written)
    else:
        raise ShapeError("bad-argument", "ConcretizationTypeError",
                         "Abstract tracer value encountered where concrete value is expected: "
                         "the repeats of jnp.repeat are an array, so the result's length depends "
                         "on its values; pass total_repeat_length=")
    if len(repeats) > 1 or (repeats and not (is_one(repeats[0])
                                            or dims.definitely_equal(repeats[0], x[pos]))):
        raise ShapeError("bad-argument", "ValueError",
                         f"repeats has shape {dims.fmt_shape(repeats)}; it must be a scalar or "
                         f"have the length of the axis, {dims.fmt_dim(x[pos])}")
    if dims.provably_negative(length):
        raise ShapeError("bad-argument", "TypeError",
                         "broadcast_in_dim shape must have every element be nonnegative, got "
                         f"{dims.fmt_dim(length)}.")
    return x[:pos] + (length,) + x[pos + 1:]


# jnp.pad's modes; each keeps the shape pad_width gives
_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
              "reflect", "symmetric", "wrap", "empty")


@shape_function("pad", "shape", "value", "value?")
def _pad(ctx, x, pad_width, mode="constant"):
    """jnp.pad: each axis grows by its (before, after); ``pad_width`` is an int, a pair, or a pair per axis."""
    if isinstance(mode, str) and mode not in _PAD_MODES:  # a callable mode is not modelled
        raise ShapeError("bad-argument", "NotImplementedError",
                         f"Unimplemented padding mode '{mode}' for np.pad.")
    x = _shape_arg(x, "pad", 0)

    def shape_of(v):
        if isinstance(v, (tuple, list)):
            inner = {shape_of(i) for i in v}
            return (len(v),) + (inner.pop() if len(inner) == 1 else ())
        return ()
    widths = shape_of(pad_width)
    valid = [(len(x), 2), (1, 2), (2,), (1,), ()]
    if widths not in valid:
        raise ShapeError("bad-argument", "ValueError",
                         f"jnp.pad: pad_width with nd={len(x)} has unsupported shape {widths}. "
                         f"Valid shapes are ({len(x)}, 2), (1, 2), (2,), (1,), or ().")
    if not x:  # no axes: JAX broadcasts pad_width to no pairs, and checks none
        return ()
    flat = list(pad_width) if isinstance(pad_width, (tuple, list)) else [pad_width]
    while flat and isinstance(flat[0], (tuple, list)):
        flat = [v for pair in flat for v in pair]
    # widths may be sizes (JAX's symbolic shapes take them too): one that
    # may be negative (b - 3) is a guard; a bool or a float is JAX's TypeError
    if not all(dims.is_dim(v) or (isinstance(v, int) and not isinstance(v, bool))
               for v in flat):  # (True, 2.5)
        raise ShapeError("bad-argument", "TypeError", "`pad_width` must be of integral type.")
    ints = [v if dims.is_dim(v) else dims.const(v) for v in flat]
    _require_fits((dims.const(0),) * len(ints), tuple(ints), lambda: ShapeError(
        "bad-argument", "ValueError", "index can't contain negative values"))
    pairs = ([(ints[2 * i], ints[2 * i + 1]) for i in range(len(x))] if widths == (len(x), 2)
             else [(ints[0], ints[1])] * len(x) if len(ints) == 2 else [(ints[0], ints[0])] * len(x))
    return tuple(d + before + after for d, (before, after) in zip(x, pairs))


@shape_function("take", "shape", "shape", "value")
def _take(ctx, x, indices, axis):
    """jnp.take: the indices' shape in place of ``axis`` (None: of ``x`` flattened)."""
    x, indices = _shape_arg(x, "take", 0), _shape_arg(indices, "take", 1)
    pos = 0 if axis is None else _axis(_int_arg(axis, "take", "axis"), x)
    mode = ctx.params.get("mode")
    if mode == "raise":
        raise ShapeError("bad-argument", "NotImplementedError",
                         "The 'raise' mode to jnp.take is not supported.")
    if mode not in (None, "fill", "wrap", "clip"):
        raise ShapeError("bad-argument", "ValueError", f"Invalid mode '{mode}' for np.take")
    if axis is None:
        x = (sympy.Mul(*x),)  # (x flattened)
    no_indices = dims.decide_eq(sympy.Mul(*indices), 0) is Decision.TRUE
    if dims.decide_eq(x[pos], 0) is Decision.TRUE:  # JAX gives x itself, or:
        if not no_indices:
            raise ShapeError("index", "IndexError",
                             "Cannot do a non-empty jnp.take() from an empty axis.")
        return x
    # lax.gather wants integer indices, checked last (no indices: no gather);
    # modes fill and wrap have made bool indices ints by then (where / mod)
    kind = dtypes.kind(ctx.bound["indices"].dtype)
    if (kind not in ("int", "uint") and not (kind == "bool" and mode != "clip")
            and not no_indices):
        raise ShapeError("dtype", "ValueError", "indices must have an integer type")
    return x[:pos] + indices + x[pos + 1:]


@shape_function("take_along", "shape", "shape", "value")
def _take_along(ctx, x, indices, axis):
    """jnp.take_along_axis: the indices' size along ``axis``, the other dims broadcast (None: 1-D indices into ``x`` flattened)."""
    x, indices = _shape_arg(x, "take_along", 0), _shape_arg(indices, "take_along", 1)
    index_dtype = ctx.bound["indices"].dtype
    if dtypes.kind(index_dtype) not in ("int", "uint"):
        raise ShapeError("dtype", "TypeError", "take_along_axis indices must be of integer type, "
                         f"got {dtypes.NUMPY_NAME[index_dtype]}")
    if axis is None:
        if len(indices) != 1:
            raise ShapeError("bad-argument", "ValueError",
                             "take_along_axis indices must be 1D if axis=None, got shape "
                             f"{dims.fmt_shape(indices)}")
        return indices
    if len(indices) != len(x):
        raise ShapeError("bad-argument", "ValueError",
                         "indices and arr must have the same number of dimensions; "
                         f"{len(indices)} vs. {len(x)}")
    pos = _axis(_int_arg(axis, "take_along_axis", "axis"), x)
    others = broadcast_shapes([x[:pos] + x[pos + 1:], indices[:pos] + indices[pos + 1:]])
    return others[:pos] + (indices[pos],) + others[pos:]


def _diagonal_length(n, m, offset: int):
    """The length of the ``offset`` diagonal of an (n, m) matrix, as jnp.diagonal computes it."""
    length = dims.simplify(sympy.Max(0, sympy.Min(n + min(offset, 0), m - max(offset, 0))))
    if length.has(sympy.Min, sympy.Max) and scope.strict_mode():
        # JAX computes it with Python's min and max, which compare the sizes
        raise ShapeError("inconclusive", "InconclusiveDimensionOperation",
                         f"the diagonal's length {dims.fmt_dim(length)} needs a comparison of "
                         "sizes that the sizes do not decide")
    return length


@shape_function("diagonal", "shape", "value", "value", "value")
def _diagonal(ctx, x, offset, axis1, axis2):
    """jnp.diagonal: ``x`` without ``axis1`` and ``axis2``, and the diagonal's length last."""
    x = _shape_arg(x, "diagonal", 0)
    if len(x) < 2:
        raise ShapeError("bad-argument", "ValueError",
                         "diagonal requires an array of at least two dimensions.")
    i = _axis(_int_arg(axis1, "diagonal", "axis1"), x)
    j = _axis(_int_arg(axis2, "diagonal", "axis2"), x)
    if i == j:
        perm = [k for k in range(len(x)) if k not in (i, j)] + [i, j]
        raise ShapeError("axis-out-of-range", "TypeError",
                         "transpose permutation isn't a permutation of operand dimensions, got "
                         f"permutation {tuple(perm)} for operand shape {dims.fmt_shape(x)}.")
    rest = tuple(d for k, d in enumerate(x) if k not in (i, j))
    return rest + (_diagonal_length(x[i], x[j], _int_arg(offset, "diagonal", "offset")),)


@shape_function("diag", "shape", "value")
def _diag(ctx, v, k):
    """jnp.diag: a 1-D ``v`` on the ``k`` diagonal of a square matrix, or the ``k`` diagonal of a 2-D ``v``."""
    v = _shape_arg(v, "diag", 0)
    k = _int_arg(k, "diag", "k")
    if len(v) == 1:
        side = v[0] + abs(k)
        return (side, side)
    if len(v) == 2:
        return (_diagonal_length(v[0], v[1], k),)
    raise ShapeError("bad-argument", "ValueError", "diag input must be 1d or 2d")


@shape_function("trace", "shape", "value", "value")
def _trace(ctx, x, axis1, axis2):
    """jnp.trace: ``x`` without ``axis1`` and ``axis2`` (their diagonal is summed)."""
    # (not jnp.diagonal's: JAX masks the two axes with an eye and sums them,
    # so it never needs the diagonal's length, which strict mode could not
    # decide, and its checks are its own)
    x = _shape_arg(x, "trace", 0)
    a1, a2 = _int_arg(axis1, "trace", "axis1"), _int_arg(axis2, "trace", "axis2")
    i, j = _axis(a1, x), _axis(a2, x)
    if i == j:
        raise ShapeError("bad-argument", "ValueError",
                         f"axis1 and axis2 can not be same. axis1={a1} and axis2={a2}")
    return tuple(d for k, d in enumerate(x) if k not in (i, j))


@shape_function("one_hot", "shape", "value", "value")
def _one_hot(ctx, x, num_classes, axis):
    """jax.nn.one_hot: a new axis of ``num_classes`` at ``axis`` (of the result)."""
    x = _shape_arg(x, "one_hot", 0)
    if ctx.bound["x"].dtype == "bool":  # x is compared with lax.iota of its own dtype
        raise ShapeError("dtype", "TypeError", "iota does not accept dtype bool. Accepted "
                         "dtypes are subtypes of integer, floating, complexfloating.")
    n = dims.const(num_classes) if isinstance(num_classes, int) else num_classes
    if not dims.is_dim(n):
        raise ShapeError("bad-argument", "TypeError",
                         f"one_hot: num_classes must be an integer, got {num_classes!r}")
    if dims.provably_negative(n):
        raise ShapeError("bad-argument", "TypeError",
                         "iota shape must have every element be nonnegative, got "
                         f"{dims.fmt_shape((dims.const(1),) * len(x) + (n,))}.")
    pos = _axis(_int_arg(axis, "one_hot", "axis"), x, added=1)
    return x[:pos] + (n,) + x[pos:]


@shape_function("at_least", "shape", "value")
def _at_least_rank(ctx, x, ndmin):
    """``x`` with size-1 axes in front up to ``ndmin`` axes, as jnp.array's ``ndmin``."""
    x = _shape_arg(x, "at_least", 0)
    return _at_least(x, _int_arg(ndmin, "array", "ndmin"))
