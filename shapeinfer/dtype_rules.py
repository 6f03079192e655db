"""Dtype rules: how an operation turns its operands' dtypes into its result's.

A rule file names one with ``dtype BASE [options]`` (a
:class:`~shapeinfer.rules.model.DtypeSpec`). Each part is a step of the JAX
function's source (jax/_src/numpy/ufuncs.py, reductions.py, jax/_src/nn/):

- the *base*, the promotion the function does:

  ======== ==============================================================
  promote  the operands meet on JAX's lattice (``promote_args``)
  inexact  then bool and ints become f32 (``promote_args_inexact``)
  numeric  then bool becomes i32 (``promote_dtypes_numeric``)
  bool     the result is bool (comparisons, predicates)
  real     complex becomes its real dtype (``abs``)
  select   the operands but the first (``where``: the condition is only tested)
  sum      reductions that add or multiply: bool and small ints become i32 / u32
  mean     reductions that divide: bool and ints become f32 (a ``dtype=bool``
           fails: ``div`` takes no bool)
  index    the result is i32 (``argmax``)
  cast     the rule's dtype argument, or f32 when it is None (``astype``)
  arange   i32, or f32 when a bound or the step is a float (``jnp.arange``)
  softmax  ``inexact``, but a bool operand fails first (softmax subtracts the max)
  variance ``inexact`` and real: complex becomes its real dtype (``var``); a real
           ``dtype=`` for complex operands is a ValueError, ``dtype=bool`` a TypeError
  std      ``variance``, and a ``dtype=`` that is not inexact is a ValueError (``std``)
  lax_select  ``lax.select``: a bool or integer predicate, and cases of one
           dtype (lax does not promote), weak only if both are
  operand  the first operand's dtype and weakness (``jnp.roll``, ``take``: the
           others are shifts, indices)
  slice    ``operand``; the others are start indices, integers of one dtype
           (``lax.dynamic_slice``)
  update   ``slice``, and the second operand must have the first's dtype
           (``lax.dynamic_update_slice``: lax does not promote)
  power    ``jnp.power``: depends on the exponent as the program wrote it
  matrix_power  ``jnp.linalg.matrix_power``: ``promote``; n == 0 is an eye of
           the operand's dtype (strong), n < 0 inverts first (inexact, strong)
  gelu     ``jax.nn.gelu``: its exact form (``approximate=False``) refuses complex
  ======== ==============================================================

- ``scalar int|float``: a Python scalar the function mixes in before
  promoting (``relu`` is ``jnp.maximum(x, 0)``, so ``relu(bool)`` is a weak i32);
- ``rejects KIND... [EXCEPTION]``: the kinds of promoted dtype the function
  refuses (TypeError unless named), raised by jax.numpy itself before the
  shapes are looked at with ``early``, else by the lax primitive after its
  shape check; ``message "..."`` replaces "PRIMITIVE does not accept dtype D";
- ``weak keep|strong|all|scalars|square``: what becomes of a weak result: kept;
  made strong (the function mixes in strong constants: ``log2`` divides by
  ``log(2)``); weak only when every operand is weak; weak only when every
  operand is 0-d (``hypot``'s ``lax._const`` is a weak Python scalar for a
  weak 0-d example, a strong array otherwise); strong for one square matrix
  at offset 0 (``jnp.diagonal`` multiplies it by a strong ``eye`` there,
  and gathers, keeping the weak type, elsewhere).

A ``dtype`` parameter of the rule, when the caller gives it, is the result
dtype (see :mod:`shapeinfer.operation`).
"""
from __future__ import annotations

from dataclasses import replace

from . import dims, dtypes
from .errors import ShapeError

BASES = ("promote", "inexact", "numeric", "bool", "real", "select", "sum", "mean", "index",
         "power", "matrix_power", "gelu", "cast", "lax_select", "arange", "softmax", "variance", "std",
         "operand", "slice", "update")
# The parameters a base reads, which a rule naming it must have.
BASE_PARAMS = {"power": ("x", "y"), "matrix_power": ("n",)}
KINDS = ("bool", "int", "uint", "float", "complex")
WEAKNESS = ("keep", "strong", "all", "scalars", "square")
SCALARS = ("int", "float")

_INTEGRAL = ("bool", "int", "uint")
_CONVERSION = {"inexact": "inexact", "numeric": "numeric", "gelu": "inexact",
               "softmax": "inexact"}
# jnp.sum's promote_integers: bool and narrow ints widen to the default int
_SUM_WIDENS = {"bool": "i32", "i8": "i32", "i16": "i32", "u8": "u32", "u16": "u32"}


def promoted(spec, ctx) -> tuple[str, bool]:
    """(dtype, weak) of the operands as the function's primitive receives them;
    raises the rejections jax.numpy makes before it looks at shapes."""
    if spec.base == "lax_select":
        return _lax_select(ctx)
    if spec.base in ("operand", "slice", "update"):
        return _operand(ctx)
    arrays = ctx.arrays[1:] if spec.base == "select" else ctx.arrays
    operands = [(a.dtype, a.weak) for a in arrays]
    if spec.scalar is not None:
        operands.append(dtypes.WEAK_SCALAR[spec.scalar])
    if not operands:
        return dtypes.canonical("f32"), False
    dtype, weak = dtypes.convert(*dtypes.result_type(*operands),
                                 _CONVERSION.get(spec.base, "args"))
    if spec.early:
        _check(spec, ctx, dtype)
    if spec.base in ("variance", "std"):
        _check_variance_dtype(spec, ctx, dtype)
    return dtype, weak


def result(spec, ctx, dtype: str, weak: bool) -> tuple[str, bool]:
    """The result's (dtype, weak), after the shape rule; raises the rejections
    the lax primitive makes after its shape check."""
    if spec.base == "power":
        return _power(ctx)
    if spec.base in ("slice", "update"):
        _check_slice_dtypes(spec, ctx)
    if spec.base == "matrix_power":
        n = ctx.params["n"]
        if dims.provably_negative(n):  # inv(a) first: inexact, and strong as inv is
            return dtypes.convert(dtype, False, "inexact")
        if dims.decide_eq(n, 0) is dims.Decision.TRUE:
            return dtype, False  # eye(dtype=a.dtype)
    if spec.base == "softmax" and any(a.dtype == "bool" for a in ctx.arrays):
        raise ShapeError("dtype", "TypeError",
                         not_accepted("sub", "bool", ("bool",), operands=2), ctx.site.func_span)
    if not spec.early:
        _check(spec, ctx, dtype)
    if spec.base == "gelu" and not _approximate(ctx):
        _check(replace(spec, rejects=(("complex", "TypeError"),)), ctx, dtype)
    if spec.base == "bool":
        return "bool", False
    if spec.base == "index":
        return "i32", False
    if spec.base == "cast":  # an explicit dtype= wins in Operation.call; None is f32
        if ctx.primitive == "convert_element_type" and ctx.params.get("new_dtype") is None:
            # (lax's needs one)
            raise ShapeError("dtype", "ValueError", "dtype must be specified.",
                             ctx.site.func_span)
        return "f32", False
    if spec.base == "arange":
        floats = any(isinstance(v, float) for v in ctx.params.values())
        return ("f32" if floats else "i32"), False
    if spec.base == "real":
        dtype, weak = dtypes.convert(dtype, weak, "real")
    if spec.base == "sum":
        return _SUM_WIDENS.get(dtype, dtype), False
    if spec.base in ("mean", "variance", "std") and ctx.params.get("dtype") == "bool":
        raise ShapeError("dtype", "TypeError", "div does not accept dtype bool at position 0. "
                         "Accepted dtypes at position 0 are subtypes of integer, floating, "
                         "complexfloating.", ctx.site.func_span)
    if spec.base == "mean":
        return dtypes.convert(dtype, False, "inexact")
    if spec.base in ("variance", "std"):
        return dtypes.convert(dtypes.convert(dtype, False, "inexact")[0], False, "real")
    if spec.weak == "strong" or spec.base == "gelu":
        weak = False
    elif spec.weak == "all":
        weak = weak and all(a.weak for a in ctx.arrays)
    elif spec.weak == "scalars":
        weak = weak and all(not a.shape for a in ctx.arrays)
    elif spec.weak == "square" and _one_square_matrix(ctx):
        weak = False
    return dtype, weak


def explicit(spec, name: str) -> tuple[str, bool]:
    """The result's (dtype, weak) where the caller names it (``dtype=``,
    ``new_dtype=``): that dtype, strong; but jnp.var casts to an integer
    dtype and then answers ``where(normalizer > 0, result, nan)``, whose
    Python nan makes it a weak f32."""
    dtype = dtypes.canonical(name)
    if spec is not None and spec.base == "variance" and dtypes.kind(dtype) in ("int", "uint"):
        return dtypes.canonical("f32"), True
    return dtype, False


def _one_square_matrix(ctx) -> bool:
    """jnp.diagonal's (and a 2-D jnp.diag's) test for its eye-multiplying
    path: a 2-D operand whose sides are equal (where undecided, JAX's
    symbolic != is true, the gathering path) and offset 0."""
    shape = ctx.arrays[0].shape
    offset = ctx.params.get("offset", ctx.params.get("k", 0))
    return (len(shape) == 2 and dims.decide_eq(shape[0], shape[1]) is dims.Decision.TRUE
            and dims.decide_eq(offset, 0) is dims.Decision.TRUE)


def _operand(ctx) -> tuple[str, bool]:
    """The first operand's dtype (and weak type)."""
    first = ctx.arrays[0]
    return dtypes.canonical(first.dtype), first.weak


def _check_slice_dtypes(spec, ctx):
    """``slice`` and ``update`` check the start indices, ``update`` wants the
    second operand's dtype equal: lax's dtype rule, which runs after the
    wrapper counts the start indices and after the shape rule (their
    ValueErrors and TypeErrors come first)."""
    dtype = dtypes.canonical(ctx.arrays[0].dtype)
    if spec.base == "update":
        other = dtypes.canonical(ctx.arrays[1].dtype)
        if other != dtype:
            raise ShapeError("dtype", "TypeError",
                             f"lax.{ctx.primitive} requires arguments to have the same dtypes, "
                             f"got {dtypes.NUMPY_NAME[dtype]}, {dtypes.NUMPY_NAME[other]}.",
                             ctx.site.func_span)
    _check_indices(ctx, ctx.arrays[2 if spec.base == "update" else 1:])


def _check_indices(ctx, indices):
    """Start indices are integers of one dtype (a literal 0 is an i32)."""
    names = [dtypes.canonical(a.dtype) for a in indices]
    if any(dtypes.kind(d) not in ("int", "uint") for d in names) or len(set(names)) > 1:
        raise ShapeError("dtype", "TypeError",
                         f"index arguments to {ctx.primitive} must be integers of the same type, "
                         f"got: {', '.join(dtypes.NUMPY_NAME[d] for d in names)}",
                         ctx.site.func_span)


def _check_variance_dtype(spec, ctx, dtype: str):
    """jnp.std wants an inexact ``dtype=``; jnp.var refuses a real one for
    complex operands (both before they look at shapes)."""
    explicit = ctx.params.get("dtype")
    if explicit is None:
        return
    if spec.base == "std" and not dtypes.is_inexact(explicit):
        raise ShapeError("dtype", "ValueError", "dtype argument to jnp.std must be inexact; got "
                         f"{dtypes.NUMPY_NAME[explicit]}", ctx.site.func_span)
    if dtypes.kind(dtype) == "complex" and dtypes.kind(explicit) != "complex":
        raise ShapeError("dtype", "ValueError", "jax.numpy.var does not yet support real dtype "
                         "parameters when computing the variance of an array of complex values.",
                         ctx.site.func_span)


def _lax_select(ctx) -> tuple[str, bool]:
    pred, *cases = ctx.arrays
    if dtypes.kind(pred.dtype) not in ("bool", "int", "uint"):
        raise ShapeError("dtype", "TypeError", "select `which` must be boolean or integer type, "
                         f"got {dtypes.NUMPY_NAME[pred.dtype]}.", ctx.site.func_span)
    kinds = [dtypes.canonical(c.dtype) for c in cases]
    if len(set(kinds)) > 1:
        raise ShapeError("dtype", "TypeError",
                         "lax.select requires arguments to have the same dtypes, got "
                         f"{', '.join(dtypes.NUMPY_NAME[k] for k in kinds)}.", ctx.site.func_span)
    return kinds[0], all(c.weak for c in cases)


def _check(spec, ctx, dtype: str):
    rejected = dict(spec.rejects)
    exception = rejected.get(dtypes.kind(dtype))
    if exception is not None:
        message = spec.message or not_accepted(ctx.primitive, dtypes.NUMPY_NAME[dtype],
                                               tuple(rejected), len(ctx.arrays))
        raise ShapeError("dtype", exception, message, ctx.site.func_span)


def not_accepted(primitive: str, dtype: str, rejected: tuple[str, ...], operands: int) -> str:
    """JAX's message for a dtype a lax primitive refuses, with its hint: the
    kinds it accepts, by numpy's abstract type names (``neg does not accept
    dtype bool. Accepted dtypes are subtypes of integer, floating,
    complexfloating.``). JAX names position 0 for a primitive of several
    operands: they were promoted to one dtype, so the first is refused."""
    accepted = [k for k in KINDS if k not in rejected]
    names = [_ABSTRACT_NAME[k] for k in accepted if k not in ("int", "uint")]
    integers = [k for k in accepted if k in ("int", "uint")]
    if integers:
        names.insert(1 if "bool" in accepted else 0,
                     "integer" if len(integers) == 2 else _ABSTRACT_NAME[integers[0]])
    where = " at position 0" if operands > 1 else ""
    return (f"{primitive} does not accept dtype {dtype}{where}. "
            f"Accepted dtypes{where} are subtypes of {', '.join(names)}.")


_ABSTRACT_NAME = {"bool": "bool", "int": "signedinteger", "uint": "unsignedinteger",
                  "float": "floating", "complex": "complexfloating"}


def _approximate(ctx) -> bool:
    approximate = ctx.params.get("approximate", True)
    if dims.is_dim(approximate):
        return dims.decide_eq(approximate, 0) is not dims.Decision.TRUE
    return bool(approximate)


def _power(ctx) -> tuple[str, bool]:
    """jnp.power: which lax primitive it uses depends on the exponent as written."""
    x, y = ctx.bound["x"], ctx.bound["y"]
    exponent = ctx.written["y"]
    if dims.is_dim(exponent) or isinstance(exponent, bool):
        # A concrete integer exponent: lax.integer_pow(x, n). Only the base is
        # promoted (to numeric), and integers cannot take negative powers.
        dtype, weak = dtypes.convert(*dtypes.promote([x]), "numeric")
        if dtypes.kind(dtype) in _INTEGRAL and dims.provably_negative(exponent):
            raise ShapeError("dtype", "TypeError",
                             "Integers cannot be raised to negative powers, got "
                             f"integer_pow({replace(x, dtype=dtype).typed_str()}, {exponent})",
                             ctx.site.param(1, "y"))
        return dtype, weak
    dtype, weak = dtypes.convert(*dtypes.promote([x, y]), "numeric")
    if dtypes.kind(dtype) in _INTEGRAL:
        return dtype, False  # integer powers are built from strong constants (_pow_int_int)
    if dtypes.is_inexact(x.dtype) and dtypes.kind(y.dtype) in ("int", "uint"):
        # a float base with an integer exponent: lax.pow(x, y), unpromoted
        return dtypes.canonical(x.dtype), x.weak and y.weak
    return dtype, weak
