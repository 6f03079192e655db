"""Operations: a rule per jax.numpy / jax.nn function, as data.

An :class:`Operation` is a signature (parameters, which of them are arrays)
plus a shape rule. The elementwise library below is declared in tables; the
rule-DSL issue replaces these Python rules with rule files, keeping the
:class:`Operation` interface.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from . import dims, dtypes, shapes
from .autodiff import merge, propagate, scaled
from .engine import bind_arguments
from .errors import ShapeError
from .values import Array, Function, describe, to_array

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    name: str
    array: bool = True              # an array argument (else a static one)
    default: object = REQUIRED
    positional_only: bool = True
    # The JAX function is jitted with this argument static (static_argnames),
    # so JAX hashes it before the function runs.
    jit_static: bool = False


class Operation(Function):
    """A jax.numpy / jax.nn function with a shape rule.

    ``rule(op, bound, site)`` gets the bound arguments (array parameters
    already turned into :class:`Array`; ``bound.written`` has them as the
    program wrote them) and returns the result value.
    ``jax_name`` is the JAX callable it stands for (the checker calls it).
    """

    def __init__(self, name: str, params: tuple[Param, ...], rule: Callable,
                 jax_name: str, lax_name: str | None = None, **info):
        self.name = name
        self.params = params
        self.rule = rule
        self.jax_name = jax_name
        self.lax_name = lax_name or name
        self.info = info

    def param_names(self):
        return [p.name for p in self.params]

    def array_params(self) -> set[str]:
        return {p.name for p in self.params if p.array}

    def call(self, ev, args, kwargs, site):
        names = [p.name for p in self.params]
        defaults = {p.name: p.default for p in self.params if p.default is not REQUIRED}
        posonly = [p.name for p in self.params if p.positional_only]
        written = bind_arguments(self.name, names, args, kwargs, site, defaults, posonly)
        bound = Arguments(written)
        for i, p in enumerate(self.params):
            if p.array and not (p.default is None and written[p.name] is None):
                bound[p.name] = to_array(written[p.name], site.param(i, p.name))
        for i, p in enumerate(self.params):  # jit looks at the arrays first
            if p.jit_static and not _hashable(written[p.name]):
                raise ShapeError("bad-argument", "ValueError",
                                 f"Non-hashable static arguments are not supported: {p.name} is "
                                 f"{describe(written[p.name])}", site.param(i, p.name))
        return self.rule(self, bound, site)


class Arguments(dict):
    """An operation's bound arguments, array parameters as :class:`Array`.

    ``written`` keeps every argument as the program wrote it: JAX functions
    branch on concrete Python scalars, which their weak arrays no longer show
    (``power(x, 2)`` is ``lax.integer_pow(x, 2)``, and ``power(i32[n], -1)``
    is an error there, while ``power(i32[n], i32[])`` is neither).
    """

    def __init__(self, written: dict):
        super().__init__(written)
        self.written = dict(written)


def _hashable(value) -> bool:
    """Can JAX hash this value (as a static argument)? Arrays, lists and dicts not."""
    if isinstance(value, (Array, list, dict)):
        return False
    return not isinstance(value, tuple) or all(map(_hashable, value))


def _batch(*arrays) -> frozenset:
    return frozenset().union(*(a.batch for a in arrays if a is not None))


def _uncertain(*arrays) -> bool:
    return any(a.uncertain for a in arrays if a is not None)


# ---------------------------------------------------------------- elementwise

@dataclass(frozen=True)
class DtypeRule:
    """How an elementwise JAX function turns its operands' dtypes into its
    result's. Each field is a step of the function's source (jax/_src/numpy/
    ufuncs.py, jax/_src/nn/functions.py):

    - ``promote``: the promotion helper it calls on its operands: ``args``
      (``promote_args``: the lattice alone), ``inexact``
      (``promote_args_inexact``: bool and ints become f32) or ``numeric``
      (``promote_dtypes_numeric``: bool becomes i32); see dtypes.py;
    - ``scalar``: the kind of a Python scalar the function mixes in before
      promoting: ``relu`` is ``jnp.maximum(x, 0)``, so ``relu(bool)`` is a
      weak i32;
    - ``rejects``: kind of the promoted dtype -> the exception JAX raises;
    - ``early``: jax.numpy raises the rejection itself (with ``message``),
      before it broadcasts the operands; otherwise the lax primitive does,
      after its shape check;
    - ``out``: ``same``, ``bool`` (comparisons, predicates) or ``real``
      (``abs``: complex to float);
    - ``weak``: what becomes of a weak promoted dtype: ``keep``; ``strong``,
      where the function mixes in strong constants (``log2`` divides by
      ``log(2)``); ``all``, weak only when every operand is weak.
    """
    promote: str = "args"
    scalar: str | None = None
    rejects: dict = field(default_factory=dict)
    early: bool = False
    message: str | None = None
    out: str = "same"
    weak: str = "keep"


_INTEGRAL = ("bool", "int", "uint")
_REJECTS_BOOL = {"bool": "TypeError"}
_REJECTS_COMPLEX = {"complex": "TypeError"}


def _promoted(rule: DtypeRule, arrays) -> tuple[str, bool]:
    """(dtype, weak) of the operands as the primitive receives them."""
    operands = [(a.dtype, a.weak) for a in arrays]
    if rule.scalar is not None:
        operands.append(dtypes.WEAK_SCALAR[rule.scalar])
    return dtypes.convert(*dtypes.result_type(*operands), rule.promote)


def _check_dtype(op: Operation, rule: DtypeRule, dtype: str, site):
    exception = rule.rejects.get(dtypes.kind(dtype))
    if exception is not None:
        message = rule.message or (f"{op.lax_name} does not accept dtype "
                                   f"{dtypes.NUMPY_NAME[dtype]}")
        raise ShapeError("dtype", exception, message, site.func_span)


def _result(rule: DtypeRule, dtype: str, weak: bool, arrays) -> tuple[str, bool]:
    if rule.out == "bool":
        return "bool", False
    if rule.out == "real":
        dtype, weak = dtypes.convert(dtype, weak, "real")
    if rule.weak == "strong":
        weak = False
    elif rule.weak == "all":
        weak = weak and all(a.weak for a in arrays)
    return dtype, weak


def elementwise_rule(op, bound, site, rule: DtypeRule | None = None):
    """Unary and binary elementwise operations (NumPy broadcasting); ``rule``
    defaults to the operation's."""
    arrays = [bound[p.name] for p in op.params if p.array]
    rule = rule or op.info["dtype"]
    dtype, weak = _promoted(rule, arrays)
    if rule.early:
        _check_dtype(op, rule, dtype, site)
    if len(arrays) == 1:
        shape = arrays[0].shape
    else:
        # jnp's rank promotion, then the lax primitive's shape rule (before its dtype rule)
        shape = shapes.broadcast_elementwise([a.shape for a in arrays], op.lax_name, site.func_span)
    if not rule.early:
        _check_dtype(op, rule, dtype, site)
    dtype, weak = _result(rule, dtype, weak, arrays)
    return Array(shape, dtype, weak, _batch(*arrays),
                 propagate(op.info.get("deriv", "nonlinear"), arrays), _uncertain(*arrays))


def _provably_negative(value) -> bool:
    """A literal integer (a dim or a bool) that is < 0 for every size.

    A dim whose sign depends on the sizes (``n - 2``) is let through: JAX
    raises only at sizes where it is negative (a guard, once guards exist).
    """
    if isinstance(value, int):  # a Python default, or a bool
        return value < 0
    return dims.is_dim(value) and dims.decide_nonnegative(value) is dims.Decision.FALSE


def power_rule(op, bound, site):
    """jnp.power: which lax primitive it uses depends on the exponent as written."""
    x, y = bound["x"], bound["y"]
    shape = shapes.broadcast_elementwise([x.shape, y.shape], op.lax_name, site.func_span)
    exponent = bound.written["y"]
    if dims.is_dim(exponent) or isinstance(exponent, bool):
        # A concrete integer exponent: lax.integer_pow(x, n). Only the base is
        # promoted (to numeric), and integers cannot take negative powers.
        dtype, weak = dtypes.convert(*dtypes.promote([x]), "numeric")
        if dtypes.kind(dtype) in _INTEGRAL and _provably_negative(exponent):
            raise ShapeError("dtype", "TypeError",
                             "Integers cannot be raised to negative powers, got "
                             f"integer_pow({replace(x, dtype=dtype).typed_str()}, {exponent})",
                             site.param(1, "y"))
    else:
        dtype, weak = dtypes.convert(*dtypes.promote([x, y]), "numeric")
        if dtypes.kind(dtype) in _INTEGRAL:
            weak = False  # integer powers are built from strong constants (_pow_int_int)
        elif dtypes.is_inexact(x.dtype) and dtypes.kind(y.dtype) in ("int", "uint"):
            # a float base with an integer exponent: lax.pow(x, y), unpromoted
            dtype, weak = dtypes.canonical(x.dtype), x.weak and y.weak
    return Array(shape, dtype, weak, _batch(x, y), propagate("nonlinear", [x, y]),
                 _uncertain(x, y))


def round_rule(op, bound, site):
    """jnp.round: ``decimals`` goes through operator.index; integers are
    returned as they are, but not for decimals < 0."""
    decimals = bound["decimals"]
    if not (dims.is_dim(decimals) or isinstance(decimals, int)):  # bool is an int here
        raise ShapeError("bad-argument", "TypeError",
                         f"round: decimals must be an integer, got {describe(decimals)}",
                         site.param(1, "decimals"))
    x = bound["a"]
    if dtypes.kind(x.dtype) in ("int", "uint") and _provably_negative(decimals):
        raise ShapeError("bad-argument", "NotImplementedError",
                         "integer np.round not implemented for decimals < 0",
                         site.param(1, "decimals"))
    return elementwise_rule(op, bound, site)


def gelu_rule(op, bound, site):
    """jax.nn.gelu chooses its formula with a Python ``if approximate``."""
    approximate = bound["approximate"]
    if isinstance(approximate, Array):
        raise ShapeError("bad-argument", "TypeError",
                         "gelu: approximate must be a Python value; the truth value of an "
                         "array is not known while JAX traces", site.param(1, "approximate"))
    if dims.is_dim(approximate):
        approximate = dims.decide_eq(approximate, 0) is not dims.Decision.TRUE
    return elementwise_rule(op, bound, site, _GELU if approximate else _GELU_EXACT)


def where_rule(op, bound, site):
    cond, x, y = bound["condition"], bound["x"], bound["y"]
    if x is None or y is None:
        raise ShapeError("unsupported", "NotImplementedError",
                         "where(condition) with one argument has a data-dependent shape",
                         site.span)
    shape = shapes.broadcast_shapes([cond.shape, x.shape, y.shape], site.func_span)
    dtype, weak = dtypes.promote([x, y])  # any condition dtype is tested against 0
    # select(cond, x, y): each branch's path is masked by cond
    deriv = merge(scaled(x.deriv, cond.batch), scaled(y.deriv, cond.batch))
    return Array(shape, dtype, weak, _batch(cond, x, y), deriv, _uncertain(cond, x, y))


def clip_rule(op, bound, site):
    x, lo, hi = bound["arr"], bound["min"], bound["max"]
    if x is None:
        raise ShapeError("bad-argument", "ValueError",
                         "No input was provided to the clip function.", site.span)
    # jnp.clip refuses complex values first, then it is maximum(min, x) and
    # then minimum(max, x): the same errors, in that order.
    for i, (name, a) in enumerate((("arr", x), ("min", lo), ("max", hi))):
        if a is not None and dtypes.kind(a.dtype) == "complex":
            raise ShapeError("dtype", "ValueError",
                             "Clip received a complex value either through the input or the "
                             "min/max keywords. Complex values have no ordering and cannot be "
                             "clipped.", site.param(i, name))
    dtype, weak = dtypes.promote([x])  # jnp.asarray(x): canonical
    x = replace(x, dtype=dtype, weak=weak)
    for limit, lax_name in ((lo, "max"), (hi, "min")):
        if limit is not None:
            shape = shapes.broadcast_elementwise([limit.shape, x.shape], lax_name, site.func_span)
            dtype, weak = dtypes.promote([limit, x])
            x = Array(shape, dtype, weak, _batch(x, limit), propagate("nonlinear", [x, limit]),
                      _uncertain(x, limit))
    return x


# Dtype rules shared by several functions.
_SAME = DtypeRule()
_INEXACT = DtypeRule(promote="inexact")                 # promote_args_inexact
_PREDICATE = DtypeRule(out="bool")
_LOGISTIC = DtypeRule(rejects=dict.fromkeys(_INTEGRAL, "TypeError"))  # lax.logistic: floats only
_GELU = DtypeRule(promote="inexact", weak="strong")
_GELU_EXACT = replace(_GELU, rejects=_REJECTS_COMPLEX)  # lax.erfc: floats only


# name -> (lax primitive named in JAX's messages, dtype rule, derivative rule)
_UNARY = {
    "negative": ("neg", DtypeRule(rejects=_REJECTS_BOOL), "linear"),
    "positive": ("positive", _SAME, "linear"),
    "abs": ("abs", DtypeRule(out="real"), "nonlinear"),
    "sign": ("sign", DtypeRule(rejects=_REJECTS_BOOL), "none"),
    "exp": ("exp", _INEXACT, "nonlinear"),
    "exp2": ("exp2", _INEXACT, "nonlinear"),
    "expm1": ("expm1", _INEXACT, "nonlinear"),
    "log": ("log", _INEXACT, "nonlinear"),
    "log1p": ("log1p", _INEXACT, "nonlinear"),
    "log2": ("log2", DtypeRule(promote="inexact", weak="strong"), "nonlinear"),
    "sqrt": ("sqrt", _INEXACT, "nonlinear"),
    "square": ("square", DtypeRule(promote="numeric"), "nonlinear"),
    "reciprocal": ("reciprocal", _INEXACT, "nonlinear"),
    "sin": ("sin", _INEXACT, "nonlinear"),
    "cos": ("cos", _INEXACT, "nonlinear"),
    "tan": ("tan", _INEXACT, "nonlinear"),
    "sinh": ("sinh", _INEXACT, "nonlinear"),
    "cosh": ("cosh", _INEXACT, "nonlinear"),
    "tanh": ("tanh", _INEXACT, "nonlinear"),
    "arcsin": ("asin", _INEXACT, "nonlinear"),
    "arccos": ("acos", _INEXACT, "nonlinear"),
    "arctan": ("atan", _INEXACT, "nonlinear"),
    # bool and ints are returned as they are; lax.floor takes floats only
    "floor": ("floor", DtypeRule(rejects=_REJECTS_COMPLEX), "none"),
    "ceil": ("ceil", DtypeRule(rejects=_REJECTS_COMPLEX), "none"),
    "logical_not": ("not", _PREDICATE, "none"),
    "isnan": ("isnan", _PREDICATE, "none"),
    "isfinite": ("is_finite", _PREDICATE, "none"),
}

_NN_UNARY = {
    "relu": ("relu", DtypeRule(scalar="int"), "nonlinear"),  # jnp.maximum(x, 0)
    "sigmoid": ("logistic", _LOGISTIC, "nonlinear"),
    "gelu": ("gelu", _GELU, "nonlinear"),  # see gelu_rule
    "silu": ("logistic", _LOGISTIC, "nonlinear"),  # x * sigmoid(x)
    # jnp.logaddexp(x, 0)
    "softplus": ("softplus", DtypeRule(promote="inexact", scalar="int"), "nonlinear"),
}

_BINARY = {
    "add": ("add", _SAME, "linear"),
    "subtract": ("sub", DtypeRule(rejects=_REJECTS_BOOL), "linear"),
    "multiply": ("mul", _SAME, "multiply"),
    "divide": ("div", _INEXACT, "divide"),
    "true_divide": ("div", _INEXACT, "divide"),
    "floor_divide": ("rem", DtypeRule(promote="numeric", rejects=_REJECTS_COMPLEX, early=True,
                                      message="floor_divide does not support complex-valued "
                                              "inputs"), "none"),
    "mod": ("rem", DtypeRule(promote="numeric", rejects=_REJECTS_COMPLEX),
            "nonlinear"),  # jnp.mod selects on both operands: nonlinear
    "maximum": ("max", _SAME, "nonlinear"),
    "minimum": ("min", _SAME, "nonlinear"),
    "arctan2": ("atan2", _INEXACT, "nonlinear"),
    # hypot's own where/abs arithmetic leaves its result weak only for weak operands
    "hypot": ("or", DtypeRule(promote="inexact", rejects={"complex": "ValueError"}, early=True,
                              message="jnp.hypot is not well defined for complex-valued "
                                      "inputs. Please convert to real values first, such as "
                                      "by using abs(x)",
                              weak="all"), "nonlinear"),
    "equal": ("eq", _PREDICATE, "none"),
    "not_equal": ("ne", _PREDICATE, "none"),
    "less": ("lt", _PREDICATE, "none"),
    "less_equal": ("le", _PREDICATE, "none"),
    "greater": ("gt", _PREDICATE, "none"),
    "greater_equal": ("ge", _PREDICATE, "none"),
    "logical_and": ("and", _PREDICATE, "none"),
    "logical_or": ("or", _PREDICATE, "none"),
}


def elementwise_operations() -> dict[str, Operation]:
    """The elementwise library, keyed by bare name."""
    ops: dict[str, Operation] = {}
    for name, (lax_name, dtype, deriv) in _UNARY.items():
        ops[name] = Operation(name, (Param("x"),), elementwise_rule, f"jax.numpy.{name}",
                              lax_name, dtype=dtype, deriv=deriv)
    ops["round"] = Operation(
        "round", (Param("a", positional_only=False),
                  Param("decimals", array=False, default=0, positional_only=False,
                        jit_static=True)),
        round_rule, "jax.numpy.round", "round",
        # jnp.round's finfo(bool) fails (ValueError), before any lax primitive
        dtype=DtypeRule(rejects={"bool": "ValueError"}, early=True),
        deriv="none")
    for name, (lax_name, dtype, deriv) in _NN_UNARY.items():
        params, rule = (Param("x", positional_only=False),), elementwise_rule
        if name == "gelu":
            params += (Param("approximate", array=False, default=True, positional_only=False),)
            rule = gelu_rule
        ops[name] = Operation(name, params, rule, f"jax.nn.{name}", lax_name,
                              nn=True, dtype=dtype, deriv=deriv)
    for name, (lax_name, dtype, deriv) in _BINARY.items():
        ops[name] = Operation(name, (Param("x"), Param("y")), elementwise_rule,
                              f"jax.numpy.{name}", lax_name, dtype=dtype, deriv=deriv)
    ops["power"] = Operation("power", (Param("x"), Param("y")), power_rule,
                             "jax.numpy.power", "pow", deriv="nonlinear")
    ops["where"] = Operation(
        "where", (Param("condition"), Param("x", default=None), Param("y", default=None)),
        where_rule, "jax.numpy.where")
    ops["clip"] = Operation(
        "clip", (Param("arr", default=None), Param("min", default=None, positional_only=False),
                 Param("max", default=None, positional_only=False)),
        clip_rule, "jax.numpy.clip")
    # `x.T`; reachable only through the attribute (jnp.transpose with axes
    # arrives with the structure operations of the rule library).
    ops[".T"] = Operation(
        ".T", (Param("a"),),
        lambda op, b, site: replace(b["a"], shape=tuple(reversed(b["a"].shape)),
                                    dtype=dtypes.canonical(b["a"].dtype)),
        "jax.numpy.transpose")
    return ops
