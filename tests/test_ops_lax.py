"""jax.lax functions (shapeinfer/rules/builtin/lax.rules), each row confirmed
by jax.eval_shape as in test_table.py."""
from __future__ import annotations

import pytest

from test_table import assert_dtype_row, assert_error_row, assert_ok_row, err, ok

VALID = [
    ok("lax.stop_gradient((a, b))", "(a, b)"),
    ok("jax.lax.stop_gradient(i8[a])", "(a,)"),
    ok("lax.rsqrt(f16[a, b])", "(a, b)"),
    ok("lax.rsqrt(1.0)", "()"),
    ok("lax.select(bool[a], (a,), (a,))", "(a,)"),
    ok("lax.select(True, (a, b), (a, b))", "(a, b)"),
    ok("jax.lax.select(i32[a], i8[a], i8[a])", "(a,)"),
    ok("lax.convert_element_type((a,), jnp.int8)", "(a,)"),
    ok("lax.convert_element_type((a, b), 'int16')", "(a, b)"),
    ok("lax.broadcast_in_dim((a,), (b, a), (1,))", "(b, a)"),
    ok("lax.broadcast_in_dim((1, a), (4, 2, a), (0, 2))", "(4, 2, a)"),
    ok("lax.broadcast_in_dim(1.0, (2,), ())", "(2,)"),
    ok("vmap(lambda x: lax.broadcast_in_dim(x, (3, 2), (1,)))((n, 2))", "(n, 3, 2)"),
    ok("vmap(lambda p, x: lax.select(p, x, -x))(bool[n, a], (n, a))", "(n, a)"),
    ok("vmap(grad(lambda x: lax.stop_gradient(x) * x))((n,))", "(n,)"),
]

ERRORS = [
    err("lax.rsqrt(i32[a])", "dtype", "TypeError"),
    err("lax.rsqrt(bool[a])", "dtype", "TypeError"),
    err("lax.select(bool[3], (3,), (4,))", "rule-no-match", "TypeError"),
    err("lax.select(bool[2], (3,), (3,))", "bad-argument", "TypeError"),
    err("lax.select(bool[3], (1,), (3,))", "rule-no-match", "TypeError"),
    err("lax.select((a,), (a,), (a,))", "dtype", "TypeError"),
    err("lax.select(bool[a], (a,), i32[a])", "dtype", "TypeError"),
    err("lax.broadcast_in_dim((3,), (2, 3), (0,))", "broadcast", "TypeError"),
    err("lax.broadcast_in_dim((3,), (2, 3), (0, 1))", "dim-mismatch", "TypeError"),
    err("lax.broadcast_in_dim((3,), (3,), (1,))", "axis-out-of-range", "TypeError"),
    err("lax.broadcast_in_dim((3, 1), (3, 2, 4), (2, 0))", "broadcast", "TypeError"),
]


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr, dtype, weak", [
    ("lax.stop_gradient(1.0)", "f32", True),
    ("lax.select(True, 1.0, 2.0)", "f32", True),
    ("lax.select(True, f32[], 2.0)", "f32", False),
    ("lax.convert_element_type(1, jnp.float32)", "f32", False),
    ("lax.convert_element_type(f32[a], jnp.uint8)", "u8", False),
    ("lax.broadcast_in_dim(1.0, (2,), ())", "f32", True),
])
def test_dtypes_and_weakness(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)
