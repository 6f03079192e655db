"""Bitwise and logical operations (shapeinfer/rules/builtin/elementwise.rules)
and the operators that stand for them (&, |, ^, ~, <<, >>), each row confirmed
by jax.eval_shape as in test_table.py. Their dtype rows are in test_dtypes.py."""
from __future__ import annotations

import pytest

import shapeinfer

from test_table import assert_error_row, assert_ok_row, err, ok

VALID = [
    ok("jnp.bitwise_and(i32[a], u8[b, 1])", "(b, a)"),
    ok("bitwise_or(bool[a], True)", "(a,)"),
    ok("bitwise_xor(i8[a, b], i8[b])", "(a, b)"),
    ok("jnp.invert(u8[a, b])", "(a, b)"), ok("bitwise_not(bool[a])", "(a,)"),
    ok("left_shift(i32[a], 2)", "(a,)"), ok("right_shift(u8[a], u8[b, 1])", "(b, a)"),
    ok("logical_xor(f32[a], i32[1])", "(a,)"),
    ok("vmap(lambda x, y: bitwise_and(x, y), (0, None))(i32[n, a], i32[a])", "(n, a)"),
    # the operators, with Python's precedence: | < ^ < & < shifts < + -
    ok("x = i32[a]; y = bool[b, 1]; x & y | ~y ^ x", "(b, a)"),
    ok("x = i32[a]; (x << 2 >> 1) | 1 ^ 2 & 3 << 1 + 1", "(a,)"),
    ok("x = f32[a]; (x > 0) & (x < 1) | ~(x == 2)", "(a,)"),
    ok("x = u8[a]; (x >> i32[b, 1]) <= 3", "(b, a)"),
    ok("x = i32[a]; -~x", "(a,)"),
    # on concrete sizes, the operators are Python's
    ok("(5 >> 1, 6 & 3, 4 | 1, 5 ^ 1, 1 << 3, ~(-4))", "(2, 2, 5, 4, 8, 3)"),
    # on symbolic ones, ~ and shifts by a constant are arithmetic
    ok("(~(-n), n << 2, (4 * n + 8) >> 2)", "(n - 1, 4*n, n + 2)"),
]

ERRORS = [
    err("bitwise_and(i32[a, 2], i32[3])", "broadcast", "ValueError"),
    err("x = f32[a]; x & x", "dtype", "TypeError", blame="x & x"),
    err("x = f32[a]; ~x", "dtype", "TypeError", blame="~x"),
    err("left_shift(bool[a], 1.5)", "dtype", "TypeError"),
    err("x = i32[a]; x >> f32[a]", "dtype", "TypeError"),
    err("5 >> -1", "bad-argument", "ValueError", blame="-1"),
]


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


def test_other_bitwise_operators_of_symbolic_sizes_are_unsupported():
    """``n & 1`` is an int for every n, but not one a dim expression can say."""
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("(n & 1,)")
    assert (info.value.code, info.value.exception) == ("unsupported", "NotImplementedError")


def test_a_huge_shift_of_a_size_is_refused_quickly():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("(1 << 1000000000,)")
    assert info.value.code == "unsupported"
