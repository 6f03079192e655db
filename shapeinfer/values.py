"""The values a program evaluates to.

A value is one of:

- an :class:`Array` (shape of dims, dtype, and which vmaps it depends on);
- a dim (``sympy.Expr``): integer literals, size symbols, dim arithmetic;
- a Python ``None``, ``bool``, ``float`` or ``str`` literal;
- a Python ``tuple``, ``list`` or ``dict`` of values;
- a :class:`Function`.

Literals stay neutral until something consumes them: a tuple of dims is an
array shape for an operation, an axis spec for vmap. :func:`to_array` and
:func:`to_pytree` are the one place that turns neutral values into arrays.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import dims, dtypes, pytree, scope
from .dims import Dim
from .errors import ShapeError

DTYPES = ("bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64",
          "f16", "bf16", "f32", "f64", "c64", "c128")
DEFAULT_DTYPE = "f32"


@dataclass(frozen=True)
class Array:
    """An abstract array.

    ``batch`` holds the ids of the enclosing vmap calls whose mapped inputs
    this array depends on; vmap needs it to know which outputs are batched
    (out_axes=None is only allowed for the others). ``weak`` marks Python
    scalars, which take the dtype of the array they meet.
    """
    shape: tuple[Dim, ...]
    dtype: str = DEFAULT_DTYPE
    weak: bool = False
    batch: frozenset = field(default=frozenset(), compare=False)
    # Differentiated inputs this array depends on -> batch tags of the
    # derivative's coefficients (see autodiff.py).
    deriv: dict = field(default_factory=dict, compare=False)
    # True when `batch` is only an upper bound (second derivatives).
    uncertain: bool = field(default=False, compare=False)

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __str__(self) -> str:
        return dims.fmt_shape(self.shape)

    def typed_str(self) -> str:
        """JAX's short form, e.g. ``f32[a,3]``."""
        return f"{self.dtype}[{','.join(dims.fmt_dim(d) for d in self.shape)}]"


class Function:
    """Anything callable in a program: operations, lambdas, transformed functions.

    ``name`` is used in messages; ``param_names`` names the positional
    parameters where known (vmap's error messages name arguments by them).
    """
    name: str = "function"

    def param_names(self) -> list[str] | None:
        return None

    def __repr__(self) -> str:
        # Messages that print a value (JAX prints its callable's repr, e.g. an
        # axis_size that is a function) show this, not a memory address.
        return f"<function {self.name}>"

    def call(self, ev, args: list, kwargs: dict, site) -> object:  # pragma: no cover - abstract
        raise NotImplementedError


class Transform(Function):
    """A built-in transformation (vmap, jit, grad, ...): takes a function as its
    first argument and stands for the JAX callable ``jax_name``."""

    jax_name: str


class Transformed(Function):
    """What a transformation returns: a function made from ``fun``, whose
    parameter names are ``fun``'s."""

    def __init__(self, fun: Function, name: str):
        self.fun = fun
        self.name = name

    def param_names(self):
        return self.fun.param_names()


def check_callable(fun, transform: str, span) -> None:
    if not isinstance(fun, Function):
        raise ShapeError("bad-argument", "TypeError",
                         f"{transform}: expected a callable value, got {describe(fun)}", span)


@dataclass(frozen=True, eq=False)
class DType:
    """A dtype as a value: ``x.dtype``, and jax.numpy's scalar types
    (:class:`ScalarType`). ``name`` is the language's short name (f32, i8,
    bool, ...); dtypes of one name are equal, whichever the class."""
    name: str

    def __eq__(self, other) -> bool:
        return isinstance(other, DType) and other.name == self.name

    def __hash__(self) -> int:
        return hash((DType, self.name))

    def __str__(self) -> str:
        return dtypes.NUMPY_NAME[self.name]


@dataclass(frozen=True, eq=False)
class ScalarType(DType, Function):
    """``jnp.float32`` and the other scalar types of jax.numpy: a dtype, and
    a function that converts, as ``asarray(x, dtype=jnp.float32)``, one value
    only (a transformation takes it as any function). A dtype object such
    as ``x.dtype`` is not callable."""

    def call(self, ev, args: list, kwargs: dict, site) -> object:
        if len(args) != 1 or kwargs:
            raise ShapeError("arity", "TypeError",
                             f"{self} takes one argument, the value to convert "
                             f"({len(args) + len(kwargs)} given)", site.span)
        return ev.call(ev.builtins["asarray"], args, {"dtype": self}, site)


class ShapeTuple(tuple):
    """The value of ``x.shape``: a Python tuple of ints. Like any tuple of
    dims it is an array where a function receives it, but subscripts and
    ``+`` are the tuple's own (``x.shape[0]`` is a size)."""


def is_shape_tuple(value) -> bool:
    """A tuple whose items are all dims: an array shape where an array is wanted."""
    return isinstance(value, tuple) and all(dims.is_dim(v) for v in value)


def hashable(value) -> bool:
    """Can JAX hash this value (a static argument)? Arrays, lists and dicts not."""
    if isinstance(value, (Array, list, dict)):
        return False
    return not isinstance(value, tuple) or all(map(hashable, value))


def describe(value) -> str:
    """A short description for messages."""
    if isinstance(value, Array):
        return f"an array of shape {value}"
    if isinstance(value, DType):  # (a scalar type too, though it is callable)
        return f"the dtype {value}"
    if isinstance(value, Function):
        return f"the function {value.name}"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"the literal {value}"
    if dims.is_dim(value):
        return f"the integer {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, tuple):
        return "a tuple"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a dict"
    return type(value).__name__


def to_array(value, span=None, int32: bool = True) -> Array:
    """The array a value stands for where an operation wants an array.

    ``int32=False`` where JAX reads only a Python int's type, not its value
    as an int32 array (so any size is fine there)."""
    if isinstance(value, Array):
        return value
    if is_shape_tuple(value):
        return shape_array(value, span=span)
    if isinstance(value, bool):
        return Array((), "bool")  # JAX never treats a Python bool as weak
    if dims.is_dim(value):
        if int32:
            check_int32(value, span)
        return Array((), "i32", weak=True)
    if isinstance(value, float):
        return Array((), "f32", weak=True)
    raise ShapeError("bad-argument", "TypeError",
                     f"expected an array, got {describe(value)}", span)


INT32_MIN, INT32_MAX = -2**31, 2**31 - 1


def check_int32(value, span=None) -> None:
    """A Python int becomes a weak int32 array wherever JAX converts it to
    one (an operand, a jit argument, an index): x64 is off, so one outside
    int32 is JAX's OverflowError. Where an int stays static (a shape, an
    axis, a slice bound, a static argument) it may be any size."""
    n = dims.as_int(value)
    if n is not None and not INT32_MIN <= n <= INT32_MAX:
        raise ShapeError("bad-argument", "OverflowError",
                         f"Python int {n} too large to convert to int32 (x64 is off, so "
                         "JAX makes Python ints int32 arrays)", span)


def shape_array(shape: tuple, dtype: str = DEFAULT_DTYPE, span=None) -> Array:
    """An array literal ``(a, b)`` / ``f32[a, b]``; sizes must be >= 0.

    A size that is negative for every assignment is JAX's TypeError; one
    whose sign depends on the sizes (``a - 2``) takes the guard ``a >= 2``
    (in strict mode it is, as in JAX's symbolic shapes, inconclusive).
    """
    for d in shape:
        if dims.plainly_nonnegative(d):
            continue  # a size or a constant (the common cases, kept cheap)
        scope.require(
            dims.relation(">=", d, 0),
            lambda: ShapeError("bad-argument", "TypeError",
                               f"array sizes must be non-negative, got {dims.fmt_shape(shape)}",
                               span),
            lambda: ShapeError("inconclusive", "InconclusiveDimensionOperation",
                               f"the size {dims.fmt_dim(d)} in {dims.fmt_shape(shape)} may be "
                               "negative: whether it is >= 0 is inconclusive", span))
    return Array(tuple(shape), dtypes.canonical(dtype))  # x64 is off: i64 is i32


def to_pytree(value, span=None):
    """Turn a value into a pytree of arrays (JAX's view of a function argument).

    Shape tuples become arrays; Python scalars become weak scalar arrays;
    None stays None (an empty subtree, as in JAX).
    """
    def leaf(v):
        if isinstance(v, Array) or v is None:
            return v
        if isinstance(v, (Function, str, DType)):
            raise ShapeError("bad-argument", "TypeError",
                             f"{describe(v)} is not a valid JAX type", span)
        return to_array(v, span)
    return _convert(value, leaf, span)


def arrayify(value, span=None):
    """Like :func:`to_pytree` but leaves non-array leaves (functions, ints) alone.

    Used for the arguments of lambdas and other user functions: a shape tuple
    passed to a lambda is an array, an int stays an int.
    """
    return _convert(value, lambda v: v, span)


def _convert(value, leaf, span):
    """Shape tuples become arrays; containers are walked (dicts in JAX's sorted
    key order); every other leaf goes to ``leaf``."""
    if is_shape_tuple(value):
        return shape_array(value, span=span)
    if isinstance(value, tuple):
        return tuple(_convert(v, leaf, span) for v in value)
    if isinstance(value, list):
        return [_convert(v, leaf, span) for v in value]
    if isinstance(value, dict):
        try:
            keys = pytree.sorted_keys(value)
        except ShapeError as e:
            raise e.with_span(span)
        return {k: _convert(value[k], leaf, span) for k in keys}
    return leaf(value)


def fmt_value(value) -> str:
    """Print a result: arrays as shapes, containers in Python syntax."""
    if isinstance(value, Array):
        return str(value)
    if isinstance(value, tuple):
        inner = [fmt_value(v) for v in value]
        return "(" + inner[0] + ",)" if len(inner) == 1 else "(" + ", ".join(inner) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(fmt_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {fmt_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "None"
    return str(value)
