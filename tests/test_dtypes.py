"""Dtype tests: result dtypes and dtype errors of the elementwise library.

Each row is a call and what it gives: a dtype (``i32~`` is a weak i32, the
dtype of a Python scalar) or JAX's exception class. Every row is checked
three ways:

1. shapeinfer's result dtype and weakness (``shapeinfer.infer(...).arrays``),
   or the exception class of its error, is the row's;
2. ``jax.eval_shape`` of the same call, made here directly from the row, gives
   the row's dtype and weakness, or raises the row's exception class (or a
   subclass of it);
3. ``shapeinfer.check`` agrees (it compares shapes and exception classes).

The rows are a sample of the sweep the rules in shapeinfer/rules/builtin/elementwise.rules were
checked with (every operation on every dtype and Python scalar, and on every
pair of them). The promotion lattice itself is tested exhaustively against
``jax.dtypes.result_type`` at the end.
"""
from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import shapeinfer
from shapeinfer import ShapeError, dtypes
from shapeinfer.dtypes import NUMPY_NAME

SHORT_NAME = {v: k for k, v in NUMPY_NAME.items()}

# i64[3] and friends are truncated to 32 bits with x64 disabled; JAX says so each time.
pytestmark = pytest.mark.filterwarnings("ignore:Explicitly requested dtype:UserWarning")


class Lit:
    """An argument written verbatim: ``text`` for shapeinfer, ``value`` for JAX."""

    def __init__(self, text: str, value):
        self.text, self.value = text, value


class Call:
    """``op(*args, **kwargs)`` as shapeinfer text and as a JAX call.

    Arguments: a dtype name (``"i8"``, an array of shape (3,)) or a typed
    shape (``"c64[2]"``, ``"i32[]"``); a Python int, float, bool or None
    (a literal); a :class:`Lit`; a nested :class:`Call`.
    """

    def __init__(self, op: str, *args, **kwargs):
        self.op, self.args, self.kwargs = op, args, kwargs

    def text(self) -> str:
        parts = [_text(a) for a in self.args] + [f"{k}={_text(v)}" for k, v in self.kwargs.items()]
        return f"{self.op}({', '.join(parts)})"

    def jax(self):
        fun = getattr(jnp, self.op, None) or getattr(jax.nn, self.op)
        return fun(*map(_jax, self.args), **{k: _jax(v) for k, v in self.kwargs.items()})


def _typed(arg: str) -> tuple[str, tuple]:
    name, bracket, dims = arg.partition("[")
    if not bracket:
        return name, (3,)
    return name, tuple(int(d) for d in dims.rstrip("]").split(",") if d.strip())


def _text(arg) -> str:
    if isinstance(arg, Call):
        return arg.text()
    if isinstance(arg, Lit):
        return arg.text
    if isinstance(arg, str):
        name, shape = _typed(arg)
        return f"{name}[{', '.join(map(str, shape))}]"
    return repr(arg)


def _jax(arg):
    if isinstance(arg, Call):
        return arg.jax()
    if isinstance(arg, Lit):
        return arg.value
    if isinstance(arg, str):
        name, shape = _typed(arg)
        return jnp.zeros(shape, getattr(jnp, NUMPY_NAME[name]))
    return arg


def row(op: str, *args, expect: str, **kwargs):
    """A table row: ``op(*args, **kwargs)`` and the dtype or exception class it gives."""
    call = Call(op, *args, **kwargs)
    return pytest.param(call, expect, id=call.text())


def engine_outcome(text: str) -> str:
    try:
        (array,) = shapeinfer.infer(text).arrays
    except ShapeError as e:
        return e.exception
    return array.dtype + ("~" if array.weak else "")


def jax_outcome(call: Call) -> tuple[str, tuple]:
    """JAX's dtype (``~`` when weak; no bool is weak for JAX's promotion) or
    the exception's class names (the class and its bases)."""
    try:
        out = jax.eval_shape(call.jax)
    except Exception as e:  # noqa: BLE001 - JAX's verdict, whatever its class
        return "error", tuple(c.__name__ for c in type(e).__mro__)
    dtype = SHORT_NAME[str(out.dtype)]
    return dtype + ("~" if out.weak_type and dtype != "bool" else ""), ()


ROWS = [
    # the promotion lattice, through add
    row('add', 'i8', 'u8', expect='i16'),
    row('add', 'i8', 'u32', expect='i32'),
    row('add', 'i16', 'u16', expect='i32'),
    row('add', 'u8', 'u16', expect='u16'),
    row('add', 'u32', 'i32', expect='i32'),
    row('add', 'u64', 'i8', expect='i32'),
    row('add', 'i64', 'u64', expect='i32'),
    row('add', 'i16', 'i64', expect='i32'),
    row('add', 'f16', 'bf16', expect='f32'),
    row('add', 'bf16', 'i32', expect='bf16'),
    row('add', 'f16', 'u8', expect='f16'),
    row('add', 'f64', 'f16', expect='f32'),
    row('add', 'f64', 'c64', expect='c64'),
    row('add', 'c128', 'f16', expect='c64'),
    row('add', 'bool', 'bool', expect='bool'),
    row('add', 'bool', 'u8', expect='u8'),
    row('add', 'bool', 'bf16', expect='bf16'),
    row('add', 'u16', 'c64', expect='c64'),
    # weak Python scalars
    row('add', 'i8', 1, expect='i8'),
    row('add', 'u8', 1, expect='u8'),
    row('add', 'u32', 1, expect='u32'),
    row('add', 'i8', 1.5, expect='f32~'),
    row('add', 'u32', 1.5, expect='f32~'),
    row('add', 'f16', 1.5, expect='f16'),
    row('add', 'bf16', 1, expect='bf16'),
    row('add', 'c64', 1.5, expect='c64'),
    row('add', 'bool', 1, expect='i32~'),
    row('add', 'bool', 1.5, expect='f32~'),
    row('add', 1, 1, expect='i32~'),
    row('add', 1, 1.5, expect='f32~'),
    row('add', True, True, expect='bool'),
    row('add', True, 1, expect='i32~'),
    row('add', True, 'i8', expect='i8'),
    row('add', 'i64', 1, expect='i32'),
    row('add', 'f64', 1.5, expect='f32'),
    row('add', Call('add', 1, 1), 'i8', expect='i8'),
    row('add', Call('add', 1, 1), 'bool', expect='i32~'),
    row('add', Call('sin', 1), 'u8', expect='f32~'),
    row('add', Call('sin', 1), 'bf16', expect='bf16'),
    # unary operations
    row('negative', 'bool', expect='TypeError'),
    row('negative', 'u16', expect='u16'),
    row('negative', 'c128', expect='c64'),
    row('negative', 1, expect='i32~'),
    row('negative', True, expect='TypeError'),
    row('positive', 'bool', expect='bool'),
    row('positive', 'i64', expect='i32'),
    row('positive', 1.5, expect='f32~'),
    row('abs', 'bool', expect='bool'),
    row('abs', 'u16', expect='u16'),
    row('abs', 'c64', expect='f32'),
    row('abs', 'c128', expect='f32'),
    row('abs', 1, expect='i32~'),
    row('sign', 'bool', expect='TypeError'),
    row('sign', 'u16', expect='u16'),
    row('sign', 'c64', expect='c64'),
    row('sign', True, expect='TypeError'),
    row('exp', 'bool', expect='f32'),
    row('exp', 'i8', expect='f32'),
    row('exp', 'f16', expect='f16'),
    row('exp', 'c64', expect='c64'),
    row('exp', 1, expect='f32~'),
    row('exp', True, expect='f32'),
    row('exp2', 'u16', expect='f32'),
    row('exp2', 'bf16', expect='bf16'),
    row('expm1', 'i64', expect='f32'),
    row('expm1', 1.5, expect='f32~'),
    row('log', 'bool', expect='f32'),
    row('log', 'c128', expect='c64'),
    row('log1p', 'u16', expect='f32'),
    row('log1p', 'f16', expect='f16'),
    row('log2', 'i8', expect='f32'),
    row('log2', 'c64', expect='c64'),
    row('log2', 1, expect='f32'),
    row('log2', 1.5, expect='f32'),
    row('sqrt', 'i8', expect='f32'),
    row('sqrt', 'bf16', expect='bf16'),
    row('sqrt', 1, expect='f32~'),
    row('square', 'bool', expect='i32'),
    row('square', 'i8', expect='i8'),
    row('square', 'u16', expect='u16'),
    row('square', 'c64', expect='c64'),
    row('square', 1, expect='i32~'),
    row('square', True, expect='i32'),
    row('reciprocal', 'bool', expect='f32'),
    row('reciprocal', 'i64', expect='f32'),
    row('reciprocal', 1, expect='f32~'),
    row('sin', 'i8', expect='f32'),
    row('sin', 'c64', expect='c64'),
    row('sin', 1.5, expect='f32~'),
    row('cos', 'bool', expect='f32'),
    row('cos', 'f16', expect='f16'),
    row('tan', 'u16', expect='f32'),
    row('tan', 'c128', expect='c64'),
    row('sinh', 'i8', expect='f32'),
    row('cosh', 'bf16', expect='bf16'),
    row('tanh', 'bool', expect='f32'),
    row('tanh', 'c64', expect='c64'),
    row('arcsin', 'i64', expect='f32'),
    row('arccos', 'f16', expect='f16'),
    row('arctan', 'u16', expect='f32'),
    row('arctan', 'c64', expect='c64'),
    row('floor', 'bool', expect='bool'),
    row('floor', 'i8', expect='i8'),
    row('floor', 'u16', expect='u16'),
    row('floor', 'bf16', expect='bf16'),
    row('floor', 'c64', expect='TypeError'),
    row('floor', 'c128', expect='TypeError'),
    row('floor', 1, expect='i32~'),
    row('floor', 1.5, expect='f32~'),
    row('ceil', 'bool', expect='bool'),
    row('ceil', 'i64', expect='i32'),
    row('ceil', 'f16', expect='f16'),
    row('ceil', 'c64', expect='TypeError'),
    row('ceil', True, expect='bool'),
    row('round', 'bool', expect='ValueError'),
    row('round', 'i8', expect='i8'),
    row('round', 'bf16', expect='bf16'),
    row('round', 'c64', expect='c64'),
    row('round', 1, expect='i32~'),
    row('round', 1.5, expect='f32~'),
    row('round', True, expect='ValueError'),
    row('logical_not', 'i8', expect='bool'),
    row('logical_not', 'c64', expect='bool'),
    row('logical_not', 1.5, expect='bool'),
    row('isnan', 'bool', expect='bool'),
    row('isnan', 'u16', expect='bool'),
    row('isnan', 'c64', expect='bool'),
    row('isfinite', 'i8', expect='bool'),
    row('isfinite', 'c128', expect='bool'),
    row('isfinite', 1, expect='bool'),
    row('relu', 'bool', expect='i32~'),
    row('relu', 'i8', expect='i8'),
    row('relu', 'u16', expect='u16'),
    row('relu', 'c64', expect='c64'),
    row('relu', 1, expect='i32~'),
    row('relu', True, expect='i32~'),
    row('sigmoid', 'bool', expect='TypeError'),
    row('sigmoid', 'i8', expect='TypeError'),
    row('sigmoid', 'u16', expect='TypeError'),
    row('sigmoid', 'f16', expect='f16'),
    row('sigmoid', 'c64', expect='c64'),
    row('sigmoid', 1, expect='TypeError'),
    row('sigmoid', 1.5, expect='f32~'),
    row('gelu', 'bool', expect='f32'),
    row('gelu', 'i8', expect='f32'),
    row('gelu', 'bf16', expect='bf16'),
    row('gelu', 'c64', expect='c64'),
    row('gelu', 1, expect='f32'),
    row('gelu', 1.5, expect='f32'),
    row('silu', 'bool', expect='TypeError'),
    row('silu', 'u16', expect='TypeError'),
    row('silu', 'bf16', expect='bf16'),
    row('silu', 'c64', expect='c64'),
    row('silu', 1, expect='TypeError'),
    row('silu', 1.5, expect='f32~'),
    row('softplus', 'bool', expect='f32~'),
    row('softplus', 'i8', expect='f32'),
    row('softplus', 'f16', expect='f16'),
    row('softplus', 'c64', expect='c64'),
    row('softplus', 1, expect='f32~'),
    row('softplus', True, expect='f32~'),
    # binary operations
    row('subtract', 'bool', 'bool', expect='TypeError'),
    row('subtract', True, 'bool', expect='TypeError'),
    row('subtract', 'bool', 1, expect='i32~'),
    row('subtract', 'i8', 'u8', expect='i16'),
    row('subtract', 'c64', 'f16', expect='c64'),
    row('multiply', 'bool', 'bool', expect='bool'),
    row('multiply', 'u8', 1.5, expect='f32~'),
    row('multiply', 'c128', 'i8', expect='c64'),
    row('divide', 'bool', 'bool', expect='f32'),
    row('divide', 'i8', 'u8', expect='f32'),
    row('divide', 'f16', 'bf16', expect='f32'),
    row('divide', 1, 'i8', expect='f32'),
    row('divide', 1, 1, expect='f32~'),
    row('divide', 'u16', 1.5, expect='f32~'),
    row('divide', 'c64', 1, expect='c64'),
    row('true_divide', 'i64', 'i64', expect='f32'),
    row('true_divide', 'bf16', 1, expect='bf16'),
    row('floor_divide', 'bool', 'bool', expect='i32'),
    row('floor_divide', 'bool', 1, expect='i32~'),
    row('floor_divide', 'i8', 'u8', expect='i16'),
    row('floor_divide', 'f16', 1, expect='f16'),
    row('floor_divide', 'c64', 'c64', expect='TypeError'),
    row('floor_divide', 'c64', 1, expect='TypeError'),
    row('floor_divide', 'f32', 'c64', expect='TypeError'),
    row('mod', 'bool', 'bool', expect='i32'),
    row('mod', 'u8', 'i8', expect='i16'),
    row('mod', 'bf16', 1.5, expect='bf16'),
    row('mod', 'c64', 1, expect='TypeError'),
    row('mod', 'i8', 'c128', expect='TypeError'),
    row('power', 'bool', 'bool', expect='i32'),
    row('power', 'bool', Call('add', 1, 1), expect='i32'),
    row('power', 'i8', 'u8', expect='i16'),
    row('power', 'c64', 'c64', expect='c64'),
    row('power', 1, 'bool', expect='i32'),
    row('power', 1.5, 'i8', expect='f32'),
    row('power', 1.5, 'bool', expect='f32~'),
    row('power', 'i8', 1.5, expect='f32~'),
    row('power', 1.5, Call('add', 1, 1), expect='f32~'),
    row('maximum', 'bool', 'bool', expect='bool'),
    row('maximum', 'i8', 'u16', expect='i32'),
    row('maximum', 'c64', 'f16', expect='c64'),
    row('maximum', 'bool', 1, expect='i32~'),
    row('minimum', 'u8', 'i64', expect='i32'),
    row('minimum', 'c128', 'c64', expect='c64'),
    row('minimum', 'f16', 1.5, expect='f16'),
    row('arctan2', 'bool', 'bool', expect='f32'),
    row('arctan2', 'i8', 'u8', expect='f32'),
    row('arctan2', 'c64', 'c64', expect='c64'),
    row('arctan2', 'bf16', 1, expect='bf16'),
    row('arctan2', 1, 1, expect='f32~'),
    row('hypot', 'bool', 'bool', expect='f32'),
    row('hypot', 'i8', 'u8', expect='f32'),
    row('hypot', 'c64', 'c64', expect='ValueError'),
    row('hypot', 'f32', 'c64', expect='ValueError'),
    row('hypot', 'c64', 1, expect='ValueError'),
    row('hypot', 1, 'i8', expect='f32'),
    row('hypot', 1, 1.5, expect='f32~'),
    row('hypot', 1.5, 'bf16', expect='bf16'),
    row('equal', 'c64', 'c64', expect='bool'),
    row('equal', 'i8', 1.5, expect='bool'),
    row('not_equal', 'bool', 'u8', expect='bool'),
    row('less', 'c64', 'c64', expect='bool'),
    row('less', 'c64', 1, expect='bool'),
    row('less_equal', 'u8', 'i8', expect='bool'),
    row('greater', 'c128', 'f16', expect='bool'),
    row('greater', 'bool', True, expect='bool'),
    row('greater_equal', 'bf16', 'f16', expect='bool'),
    row('logical_and', 'c64', 'i8', expect='bool'),
    row('logical_and', 1.5, 'bool', expect='bool'),
    row('logical_or', 'c64', 'c64', expect='bool'),
    row('logical_or', 1, 1, expect='bool'),
    row('logical_xor', 'f16', 'i8', expect='bool'),
    row('bitwise_and', 'bool', 'bool', expect='bool'),
    row('bitwise_and', 'i8', 'u8', expect='i16'),
    row('bitwise_or', 'u8', 1, expect='u8'),
    row('bitwise_or', 1, 1, expect='i32~'),
    row('bitwise_xor', 'bool', 1, expect='i32~'),
    row('bitwise_xor', 'f32', 'i8', expect='TypeError'),
    row('bitwise_and', 'i8', 1.5, expect='TypeError'),
    row('invert', 'u16', expect='u16'),
    row('invert', 'bool', expect='bool'),
    row('bitwise_not', 1, expect='i32~'),
    row('invert', 'bf16', expect='TypeError'),
    row('left_shift', 'bool', 'bool', expect='i32'),
    row('left_shift', 'u8', 1, expect='u8'),
    row('left_shift', 'i8', 1.5, expect='TypeError'),
    row('right_shift', 'u32', 'i8', expect='i32'),
    row('right_shift', 'i16', 'u8', expect='i16'),
    row('right_shift', 'c64', 1, expect='TypeError'),
    # shapes before dtypes, except where jax.numpy checks the dtype itself
    row('subtract', 'bool[3]', 'bool[2]', expect='TypeError'),
    row('mod', 'c64[3]', 'c64[2]', expect='TypeError'),
    row('floor_divide', 'c64[3]', 'c64[2]', expect='TypeError'),
    row('hypot', 'c64[3]', 'c64[2]', expect='ValueError'),
    row('hypot', 'f32[3]', 'f32[2]', expect='TypeError'),
    row('clip', 'c64[3]', 'f32[2]', expect='ValueError'),
    row('clip', 'f32[3]', 'f32[2]', expect='TypeError'),
    row('power', 'i32[3]', 'f32[2]', expect='TypeError'),
    # power: a concrete integer exponent is lax.integer_pow
    row('power', 'i32', -1, expect='TypeError'),
    row('power', 'u8', -2, expect='TypeError'),
    row('power', 1, -1, expect='TypeError'),
    row('power', True, -1, expect='TypeError'),
    row('power', 'bool', -1, expect='TypeError'),
    row('power', 'i64', Lit('0 - 3', -3), expect='TypeError'),
    row('power', 'f16', -1, expect='f16'),
    row('power', 'c64', -2, expect='c64'),
    row('power', 1.5, -1, expect='f32~'),
    row('power', 'bool', 2, expect='i32'),
    row('power', 'i8', 2, expect='i8'),
    row('power', 'u16', True, expect='u16'),
    row('power', 1, 2, expect='i32~'),
    row('power', 1, True, expect='i32~'),
    row('power', 1.5, 2, expect='f32~'),
    row('power', 'bf16', 0, expect='bf16'),
    row('power', 'i8', 'i32[]', expect='i32'),
    # round: decimals
    row('round', 'f32', decimals=1.5, expect='TypeError'),
    row('round', 'f32', decimals=None, expect='TypeError'),
    row('round', 'f32', decimals=Lit("'x'", 'x'), expect='TypeError'),
    row('round', 'f32', Lit('(3,)', (3,)), expect='TypeError'),
    row('round', 'f32', decimals=Lit('[1]', [1]), expect='ValueError'),
    row('round', 'f32', 'i32[]', expect='ValueError'),
    row('round', Lit("'x'", 'x'), Lit('[1]', [1]), expect='TypeError'),
    row('round', 'i32', -1, expect='NotImplementedError'),
    row('round', 'u8', decimals=-2, expect='NotImplementedError'),
    row('round', 1, -1, expect='NotImplementedError'),
    row('round', 'i8', 2, expect='i8'),
    row('round', 'i32', True, expect='i32'),
    row('round', 'bool', -1, expect='ValueError'),
    row('round', 'bool', 1.5, expect='TypeError'),
    row('round', 'f16', -1, expect='f16'),
    row('round', 'c64', 2, expect='c64'),
    # clip
    row('clip', expect='ValueError'),
    row('clip', None, expect='ValueError'),
    row('clip', None, 1, 2, expect='ValueError'),
    row('clip', Lit("'x'", 'x'), expect='TypeError'),
    row('clip', 'i64', expect='i32'),
    row('clip', 'c64', expect='ValueError'),
    row('clip', 'f32', 'c64', expect='ValueError'),
    row('clip', 'f32', None, 'c64', expect='ValueError'),
    row('clip', 'i8', 1, 1.5, expect='f32~'),
    row('clip', 'i8', 'u8', expect='i16'),
    row('clip', 'i8', None, 'u8', expect='i16'),
    row('clip', 'bool', 1, expect='i32~'),
    row('clip', 1, 1.5, expect='f32~'),
    row('clip', 1, expect='i32~'),
    row('clip', 'u8', 'i8', 'bf16', expect='bf16'),
    row('clip', 'f16', 1, 2, expect='f16'),
    # where
    row('where', 'c64', 'f32', 'i8', expect='f32'),
    row('where', 'i8', 'bool', 'bool', expect='bool'),
    row('where', 'bool', 'i8', 'u8', expect='i16'),
    row('where', 'bool', 1, 1.5, expect='f32~'),
    row('where', True, 1, 1, expect='i32~'),
    row('where', 'bool', 'f16', 1.5, expect='f16'),
    row('where', 'f32', 'c128', 'i64', expect='c64'),
    # gelu: the exact form has no complex kernel
    row('gelu', 'c64', approximate=False, expect='TypeError'),
    row('gelu', 'c64', approximate=0, expect='TypeError'),
    row('gelu', 'c64', approximate=None, expect='TypeError'),
    row('gelu', 'f16', approximate=False, expect='f16'),
    row('gelu', 'i8', approximate=False, expect='f32'),
    row('gelu', 1.5, approximate=False, expect='f32'),
    row('gelu', 'f32', approximate='f32[]', expect='TypeError'),
    # `if approximate:` takes any Python value's truth
    row('gelu', 'c64', approximate=Lit('(1,)', (1,)), expect='c64'),
    row('gelu', 'c64', approximate=Lit('()', ()), expect='TypeError'),
    row('gelu', 'c64', approximate=Lit('"no"', "no"), expect='c64'),
    # results flow on: dtypes and weakness
    row('negative', Call('square', 'bool'), expect='i32'),
    row('negative', Call('relu', 'bool'), expect='i32~'),
    row('negative', Call('floor_divide', 'bool', 'bool'), expect='i32'),
    row('negative', Call('mod', 'bool', 'bool'), expect='i32'),
    row('negative', Call('power', 'bool', 'bool'), expect='i32'),
    row('negative', Call('power', 'bool', 2), expect='i32'),
    row('sigmoid', Call('relu', 'bool'), expect='TypeError'),
    row('sigmoid', Call('softplus', 'bool'), expect='f32~'),
    row('add', Call('relu', True), 'i8', expect='i8'),
    row('add', Call('softplus', True), 'bf16', expect='bf16'),
    row('add', Call('log2', 1), 'f16', expect='f32'),
    row('add', Call('gelu', 1.5), 'f16', expect='f32'),
    row('add', Call('hypot', 1, 'i8'), 'f16', expect='f32'),
    row('add', Call('hypot', 1, 1), 'f16', expect='f16'),
    row('add', Call('power', 1, 2), 'i8', expect='i8'),
    row('add', Call('power', 1, Call('add', 1, 1)), 'i8', expect='i32'),
    row('add', Call('power', 1.5, 'i8'), 'f16', expect='f32'),
    row('add', Call('abs', 1), 'u8', expect='u8'),
    row('add', Call('floor', 1.5), 'bf16', expect='bf16'),
    row('add', Call('clip', 1, 2), 'i8', expect='i8'),
    row('add', Call('where', 'bool', 1, 2), 'u8', expect='u8'),
    row('subtract', Call('logical_not', 'i8'), Call('isnan', 'f16'), expect='TypeError'),
]


@pytest.mark.parametrize("call, expect", ROWS)
def test_dtype(call: Call, expect: str):
    text = call.text()
    assert engine_outcome(text) == expect, f"shapeinfer on {text}"
    jax_dtype, jax_exceptions = jax_outcome(call)
    if jax_exceptions:
        assert expect in jax_exceptions, f"jax raised {jax_exceptions[0]} on {text}"
    else:
        assert jax_dtype == expect, f"jax on {text}"
    report = shapeinfer.check(text, samples=1)
    assert report.agreed and not report.unsupported, report.to_json()


# ---------------------------------------------------------------- the lattice

# Every dtype, as JAX sees it (an array of that dtype is canonicalized with x64
# disabled), and the weak Python scalar types.
_LATTICE_OPERANDS = [(d, False) for d in NUMPY_NAME] + [("i32", True), ("f32", True)]


def _jax_operand(dtype: str, weak: bool):
    if weak:
        return {"i32": int, "f32": float}[dtype]
    return jax.ShapeDtypeStruct((), getattr(jnp, NUMPY_NAME[dtype]))


def _jax_result_type(*operands) -> tuple[str, bool]:
    dtype, weak = jax.dtypes.result_type(*(_jax_operand(*o) for o in operands),
                                         return_weak_type_flag=True)
    return SHORT_NAME[str(np.dtype(dtype))], weak


@pytest.mark.parametrize("arity", [1, 2, 3])
def test_promotion_lattice_is_jax(arity: int):
    """dtypes.result_type is jax.dtypes.result_type on every combination."""
    wrong = [(ops, dtypes.result_type(*ops), _jax_result_type(*ops))
             for ops in itertools.product(_LATTICE_OPERANDS, repeat=arity)
             if dtypes.result_type(*ops) != _jax_result_type(*ops)]
    assert not wrong, wrong[:10]


_HYPOT_OPERANDS = ["2.0", "2", "True", "full((), 2.0)", "full((2,), 2.0)", "full((2,), 2)",
                   "i32[]", "i32[2]", "f16[]", "bool[2]"]


@pytest.mark.parametrize("x", _HYPOT_OPERANDS)
@pytest.mark.parametrize("y", _HYPOT_OPERANDS)
def test_hypot_is_weak_only_for_a_weak_0d_result_as_jax(x, y):
    # hypot's last where mixes in inf through lax._const, a weak Python
    # scalar for a weak 0-d example and a strong array otherwise
    from test_ops_arrays import assert_jaxs
    text = f"hypot({x}, {y})"
    assert_jaxs(text)


@pytest.mark.parametrize("text, ok", [
    ("jnp.int8(1)", True), ("jnp.float32(2.5)", True), ("multiply((3,), jnp.float16(2))", True),
    ("jnp.int32(i8[3, 2])", True), ("jnp.bool_(0)", True), ("jnp.float64(1.0)", True),
    ("jnp.float32(1) + 1", True), ("vmap(lambda x: jnp.float16(x))((a, b))", True),
    ("vmap(jnp.float16)((a, b))", True), ("jit(jnp.int8)((a,))", True),  # a function too
    ("grad(jnp.float32)(1.0)", True), ("zeros((a,), jnp.int8)", True),
    ("jnp.float32()", False), ("jnp.float32(1, 2)", False),
    ("x = i8[3]; x.dtype(1)", False)])  # a dtype object is not callable
def test_a_scalar_type_converts_when_called_as_jax(text, ok):
    # jnp.float32(x) is asarray(x, dtype=jnp.float32): a strong array of
    # x's shape; it takes one value only
    report = shapeinfer.check(text)
    assert report.agreed, report
    assert all(case.engine.ok == ok for case in report.cases)
