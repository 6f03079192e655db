"""Operations: a rule per jax.numpy / jax.nn function, as data.

An :class:`Operation` is a signature (parameters, which of them are arrays)
plus a shape rule. The elementwise library below is declared in tables; the
rule-DSL issue replaces these Python rules with rule files, keeping the
:class:`Operation` interface.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from . import dtypes, shapes
from .autodiff import merge, propagate, scaled
from .engine import bind_arguments
from .errors import ShapeError
from .values import Array, Function, to_array

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    name: str
    array: bool = True              # an array argument (else a static one)
    default: object = REQUIRED
    positional_only: bool = True


class Operation(Function):
    """A jax.numpy / jax.nn function with a shape rule.

    ``rule(op, bound, site)`` gets the bound arguments (array parameters
    already turned into :class:`Array`) and returns the result value.
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
        bound = bind_arguments(self.name, names, args, kwargs, site, defaults, posonly)
        for i, p in enumerate(self.params):
            if p.array and not (p.default is None and bound[p.name] is None):
                bound[p.name] = to_array(bound[p.name], site.param(i, p.name))
        return self.rule(self, bound, site)


def _batch(*arrays) -> frozenset:
    return frozenset().union(*(a.batch for a in arrays if a is not None))


def _uncertain(*arrays) -> bool:
    return any(a.uncertain for a in arrays if a is not None)


# ---------------------------------------------------------------- elementwise

def _check_dtype(op: Operation, dtype: str, site):
    """JAX rejects some dtypes outright (``-x`` on bool, ``sigmoid`` on ints).

    For several operands JAX promotes them first, so ``dtype`` is the
    promoted one: bool - f32 is fine, bool - bool is not.
    """
    if dtypes.kind(dtype) in op.info.get("rejects", ()):
        raise ShapeError("dtype", op.info.get("reject_exception", "TypeError"),
                         f"{op.lax_name} does not accept dtype {dtypes.NUMPY_NAME[dtype]}",
                         site.func_span)


def _result_dtype(op: Operation, dtype: str) -> str:
    out = op.info.get("out", "same")
    if out == "bool":
        return "bool"
    if out == "inexact":
        return dtypes.to_inexact(dtype)
    return dtype


def unary_rule(op, bound, site):
    x = bound[op.params[0].name]
    _check_dtype(op, x.dtype, site)
    return Array(x.shape, _result_dtype(op, x.dtype), x.weak, _batch(x),
                 propagate(op.info.get("deriv", "nonlinear"), [x]), x.uncertain)


def binary_rule(op, bound, site):
    arrays = [bound[p.name] for p in op.params if p.array]
    # JAX checks shapes (jnp's rank promotion, then lax's shape rule) before dtypes.
    shape = shapes.broadcast_elementwise([a.shape for a in arrays], op.lax_name, site.func_span)
    dtype, weak = dtypes.promote(arrays)
    _check_dtype(op, dtype, site)
    return Array(shape, _result_dtype(op, dtype), weak, _batch(*arrays),
                 propagate(op.info.get("deriv", "nonlinear"), arrays), _uncertain(*arrays))


def where_rule(op, bound, site):
    cond, x, y = bound["condition"], bound["x"], bound["y"]
    if x is None or y is None:
        raise ShapeError("unsupported", "NotImplementedError",
                         "where(condition) with one argument has a data-dependent shape",
                         site.span)
    shape = shapes.broadcast_shapes([cond.shape, x.shape, y.shape], site.func_span)
    dtype, weak = dtypes.promote([x, y])
    # select(cond, x, y): each branch's path is masked by cond
    deriv = merge(scaled(x.deriv, cond.batch), scaled(y.deriv, cond.batch))
    return Array(shape, dtype, weak, _batch(cond, x, y), deriv, _uncertain(cond, x, y))


def clip_rule(op, bound, site):
    # jnp.clip is maximum(min, x) then minimum(max, x): the same errors, in that order.
    x, lo, hi = bound["arr"], bound["min"], bound["max"]
    for limit, lax_name in ((lo, "max"), (hi, "min")):
        if limit is not None:
            shape = shapes.broadcast_elementwise([limit.shape, x.shape], lax_name, site.func_span)
            dtype, weak = dtypes.promote([x, limit])
            x = Array(shape, dtype, weak, _batch(x, limit), propagate("nonlinear", [x, limit]),
                      _uncertain(x, limit))
    return x


# name -> (lax primitive name used in JAX's messages, info)
_UNARY = {
    "negative": ("neg", {"rejects": ("bool",), "deriv": "linear"}),
    "positive": ("positive", {"deriv": "linear"}),
    "abs": ("abs", {}),
    "sign": ("sign", {"rejects": ("bool",), "deriv": "none"}),
    "exp": ("exp", {"out": "inexact"}),
    "exp2": ("exp2", {"out": "inexact"}),
    "expm1": ("expm1", {"out": "inexact"}),
    "log": ("log", {"out": "inexact"}),
    "log1p": ("log1p", {"out": "inexact"}),
    "log2": ("log2", {"out": "inexact"}),
    "sqrt": ("sqrt", {"out": "inexact"}),
    "square": ("square", {}),
    "reciprocal": ("reciprocal", {"out": "inexact"}),
    "sin": ("sin", {"out": "inexact"}),
    "cos": ("cos", {"out": "inexact"}),
    "tan": ("tan", {"out": "inexact"}),
    "sinh": ("sinh", {"out": "inexact"}),
    "cosh": ("cosh", {"out": "inexact"}),
    "tanh": ("tanh", {"out": "inexact"}),
    "arcsin": ("asin", {"out": "inexact"}),
    "arccos": ("acos", {"out": "inexact"}),
    "arctan": ("atan", {"out": "inexact"}),
    "floor": ("floor", {"deriv": "none"}),
    "ceil": ("ceil", {"deriv": "none"}),
    "logical_not": ("not", {"out": "bool", "deriv": "none"}),
    "isnan": ("isnan", {"out": "bool", "deriv": "none"}),
    "isfinite": ("is_finite", {"out": "bool", "deriv": "none"}),
}

_NN_UNARY = {
    "relu": ("relu", {}),
    "sigmoid": ("logistic", {"out": "inexact", "rejects": ("bool", "int", "uint")}),
    "gelu": ("gelu", {"out": "inexact"}),
    "silu": ("logistic", {"out": "inexact", "rejects": ("bool", "int", "uint")}),
    "softplus": ("softplus", {"out": "inexact"}),
}

_BINARY = {
    "add": ("add", {"deriv": "linear"}),
    "subtract": ("sub", {"rejects": ("bool",), "deriv": "linear"}),
    "multiply": ("mul", {"deriv": "multiply"}),
    "divide": ("div", {"out": "inexact", "deriv": "divide"}),
    "true_divide": ("div", {"out": "inexact", "deriv": "divide"}),
    "floor_divide": ("rem", {"deriv": "none"}),
    "power": ("pow", {}),
    "mod": ("rem", {}),  # jnp.mod selects on both operands: nonlinear
    "maximum": ("max", {}),
    "minimum": ("min", {}),
    "arctan2": ("atan2", {"out": "inexact"}),
    "hypot": ("or", {"out": "inexact"}),
    "equal": ("eq", {"out": "bool", "deriv": "none"}),
    "not_equal": ("ne", {"out": "bool", "deriv": "none"}),
    "less": ("lt", {"out": "bool", "deriv": "none"}),
    "less_equal": ("le", {"out": "bool", "deriv": "none"}),
    "greater": ("gt", {"out": "bool", "deriv": "none"}),
    "greater_equal": ("ge", {"out": "bool", "deriv": "none"}),
    "logical_and": ("and", {"out": "bool", "deriv": "none"}),
    "logical_or": ("or", {"out": "bool", "deriv": "none"}),
}


def elementwise_operations() -> dict[str, Operation]:
    """The elementwise library, keyed by bare name."""
    ops: dict[str, Operation] = {}
    for name, (lax_name, info) in _UNARY.items():
        ops[name] = Operation(name, (Param("x"),), unary_rule, f"jax.numpy.{name}", lax_name, **info)
    ops["round"] = Operation(
        "round", (Param("a", positional_only=False),
                  Param("decimals", array=False, default=0, positional_only=False)),
        unary_rule, "jax.numpy.round", "round",
        rejects=("bool",), reject_exception="ValueError", deriv="none")
    for name, (lax_name, info) in _NN_UNARY.items():
        params = (Param("x", positional_only=False),)
        if name == "gelu":
            params += (Param("approximate", array=False, default=True, positional_only=False),)
        ops[name] = Operation(name, params, unary_rule, f"jax.nn.{name}", lax_name, nn=True, **info)
    for name, (lax_name, info) in _BINARY.items():
        ops[name] = Operation(name, (Param("x"), Param("y")), binary_rule,
                              f"jax.numpy.{name}", lax_name, **info)
    ops["where"] = Operation(
        "where", (Param("condition"), Param("x", default=None), Param("y", default=None)),
        where_rule, "jax.numpy.where")
    ops["clip"] = Operation(
        "clip", (Param("arr"), Param("min", default=None, positional_only=False),
                 Param("max", default=None, positional_only=False)),
        clip_rule, "jax.numpy.clip")
    # `x.T`; reachable only through the attribute (jnp.transpose with axes
    # arrives with the structure operations of the rule library).
    ops[".T"] = Operation(
        ".T", (Param("a"),),
        lambda op, b, site: replace(b["a"], shape=tuple(reversed(b["a"].shape))),
        "jax.numpy.transpose")
    return ops
