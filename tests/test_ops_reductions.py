"""Reductions (shapeinfer/rules/builtin/reductions.rules): sum, prod, mean,
max, min, argmax, argmin, all, any; each row confirmed by jax.eval_shape as
in test_table.py."""
from __future__ import annotations

import pytest

from test_table import assert_dtype_row, assert_error_row, assert_ok_row, err, ok

VALID = [
    ok("sum((a, b))", "()"),
    ok("sum((a, b), axis=0)", "(b,)"),
    ok("jnp.sum((a, b, c), axis=(0, 2))", "(b,)"),
    ok("sum((a, b, c), axis=(-1, 0), keepdims=True)", "(1, b, 1)"),
    ok("sum((a, 2), axis=())", "(a, 2)"),
    ok("prod((a, b), 1)", "(a,)"),
    ok("mean((a, b), axis=-1, keepdims=True)", "(a, 1)"),
    ok("jax.numpy.mean(i8[a, b])", "()"),
    ok("max((a, b), axis=(0, 1))", "()"),
    ok("min((a, b, c), axis=1, keepdims=True)", "(a, 1, c)"),
    ok("argmax((a, b))", "()"),
    ok("argmax((a, b), axis=1, keepdims=True)", "(a, 1)"),
    ok("argmin((a, b), keepdims=True)", "(1, 1)"),
    ok("all((a, b), axis=0)", "(b,)"),
    ok("any(i8[a])", "()"),
    # methods, and under transformations
    ok("(lambda x: x.sum(axis=0) + x.mean())((a, b))", "(b,)"),
    ok("(lambda x: x.max(axis=-1, keepdims=True) - x)((a, b))", "(a, b)"),
    ok("(lambda x: x.argmax(axis=0))((a, b))", "(b,)"),
    ok("vmap(lambda x: sum(x, axis=0))((n, a, b))", "(n, b)"),
    ok("vmap(grad(lambda x, y: sum(x * y)), (0, None))((n, a), (a,))", "(n, a)"),
    ok("vmap(grad(lambda x, y: sum(x * y)), (0, None), None)((n, a), (a,))", "(a,)",
       id="d sum(x*y)/dx is y, unbatched"),
    ok("vmap(lambda x: argmax(x), 0, 0)((n, a))", "(n,)"),
    # max / min of sizes stay dimension arithmetic
    ok("(max(a, b), min(a, 3))", "(Max(a, b), Min(3, a))"),
    ok("(lambda x: max(x, 0))((a, b))", "(b,)", id="max of an array is jnp.max"),
]

ERRORS = [
    err("sum((a, b), axis=2)", "axis-out-of-range", "ValueError"),
    err("sum((), axis=0)", "axis-out-of-range", "ValueError"),
    err("prod((a, b), axis=(0, 0))", "axis-out-of-range", "ValueError"),
    err("mean((a, b), axis=2)", "axis-out-of-range", "IndexError"),
    err("max((a, b), axis=-3)", "axis-out-of-range", "ValueError"),
    err("max((0, 3), axis=0)", "dim-mismatch", "ValueError"),
    err("min((2, 0))", "dim-mismatch", "ValueError"),
    err("argmax((a, b), axis=(0,))", "bad-argument", "TypeError"),
    err("argmax((a, b), axis=2)", "axis-out-of-range", "IndexError"),
    err("argmin((0, 3), axis=0)", "dim-mismatch", "ValueError"),
    err("all((a, b), axis=(1, -1))", "axis-out-of-range", "ValueError"),
]


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr, dtype, weak", [
    ("sum(bool[a])", "i32", False),
    ("sum(i8[a])", "i32", False),
    ("prod(u8[a])", "u32", False),
    ("sum(f16[a])", "f16", False),
    ("sum(1.0)", "f32", False),
    ("sum((a,), dtype=jnp.int8)", "i8", False),
    ("mean(i8[a])", "f32", False),
    ("mean(c64[a])", "c64", False),
    ("mean(i8[a], dtype=jnp.float16)", "f16", False),
    ("max(bool[a])", "bool", False),
    ("max(1.0)", "f32", False),
    ("min(i8[a])", "i8", False),
    ("argmax(f16[a])", "i32", False),
    ("all((a,))", "bool", False),
    ("any(i8[a])", "bool", False),
])
def test_dtypes(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)


@pytest.mark.parametrize("expr, expected", [
    ok("softmax((b, q, k), axis=-1)", "(b, q, k)"),
    ok("jax.nn.softmax((a, b), axis=(0, 1))", "(a, b)"),
    ok("softmax((a, b), axis=None)", "(a, b)"),
    ok("nn.log_softmax(i32[a, b])", "(a, b)"),
    ok("vmap(softmax)((n, a))", "(n, a)"),
    ok("vmap(grad(lambda x: sum(log_softmax(x) * x)))((n, a))", "(n, a)"),
])
def test_softmax(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", [
    err("softmax((a, b), axis=2)", "axis-out-of-range", "ValueError"),
    err("softmax((a, b), axis=(0, 0))", "axis-out-of-range", "ValueError"),
    err("softmax(1.0)", "axis-out-of-range", "ValueError"),
    err("softmax(bool[a])", "dtype", "TypeError"),
])
def test_softmax_errors(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr, dtype, weak", [
    ("softmax(i8[a, b])", "f32", False),
    ("log_softmax(f16[a])", "f16", False),
])
def test_softmax_dtypes(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)


@pytest.mark.parametrize("expr, expected", [
    ok("cumsum((a, b))", "(a*b,)"),
    ok("cumsum((a, b), axis=-1)", "(a, b)"),
    ok("jnp.cumprod((a, b), 0)", "(a, b)"),
    ok("var((a, b), axis=0)", "(b,)"),
    ok("std((a, b), axis=1, keepdims=True)", "(a, 1)"),
    ok("std((a, b), ddof=1)", "()"),
    ok("vmap(lambda x: cumsum(x))((n, a, b))", "(n, a*b)"),
    ok("vmap(grad(lambda x, y: sum(cumsum(x) * y)), (0, None), None)((n, a), (a,))", "(a,)",
       id="cumsum is linear"),
])
def test_cumulative_and_variance(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", [
    err("cumsum((a, b), axis=2)", "axis-out-of-range", "ValueError"),
    err("cumsum((a, b), axis=(0,))", "bad-argument", "TypeError"),
    err("cumsum((), axis=0)", "axis-out-of-range", "ValueError"),
    err("var((a, b), axis=2)", "axis-out-of-range", "IndexError"),
])
def test_cumulative_and_variance_errors(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr, dtype, weak", [
    ("cumsum(bool[a])", "i32", False),
    ("cumsum(i8[a])", "i8", False),
    ("cumprod(u8[a])", "u8", False),
    ("cumsum(1.0)", "f32", False),
    ("var(i8[a])", "f32", False),
    ("var(c64[a])", "f32", False),
    ("std(f16[a])", "f16", False),
])
def test_cumulative_and_variance_dtypes(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)
