"""Array methods and attributes in lambda bodies (SPEC section 1), each the
jax.numpy function of the same name applied to the array, and each row
confirmed by jax.eval_shape as in test_table.py. Methods JAX arrays have
but the library does not model are `unsupported`; names they do not have
are JAX's AttributeError."""
from __future__ import annotations

import pytest

import shapeinfer

from test_table import assert_dtype_row, assert_error_row, assert_ok_row, err, ok


def on(x: str, body: str) -> str:
    return f"(lambda x: {body})({x})"


VALID = [ok(on("(a, b)", body), expected) for body, expected in [
    ("x.reshape((a*b,))", "(a*b,)"), ("x.reshape(a*b)", "(a*b,)"),
    ("x.reshape(b, a)", "(b, a)"), ("x.reshape(-1)", "(a*b,)"),
    ("x.sum(axis=0)", "(b,)"), ("x.sum(0, keepdims=True)", "(1, b)"),
    ("x.mean(axis=-1, keepdims=True)", "(a, 1)"), ("x.max()", "()"), ("x.min(0)", "(b,)"),
    ("x.max(axis=(0, 1))", "()"), ("x.prod(axis=1)", "(a,)"), ("x.argmax(axis=0)", "(b,)"),
    ("x.argmin()", "()"), ("x.all(axis=0)", "(b,)"), ("x.any()", "()"),
    ("x.var(axis=0)", "(b,)"), ("x.std()", "()"), ("x.cumsum(axis=0)", "(a, b)"),
    ("x.cumprod()", "(a*b,)"), ("x.astype(jnp.int8)", "(a, b)"),
    ("x.astype('float16')", "(a, b)"), ("x.transpose()", "(b, a)"),
    ("x.transpose(1, 0)", "(b, a)"), ("x.transpose((1, 0))", "(b, a)"),
    ("x.swapaxes(0, 1)", "(b, a)"), ("x[None].squeeze(0)", "(a, b)"),
    ("x.ravel()", "(a*b,)"), ("x.flatten()", "(a*b,)"), ("x.flatten().shape[0]", "()"),
    ("x.T", "(b, a)"), ("x.ndim", "()"), ("x.size", "()"), ("x.shape", "(a, b)"),
    ("x.clip(0, 1)", "(a, b)"), ("x.clip(max=x)", "(a, b)"), ("x.round()", "(a, b)"),
    ("x.round(2)", "(a, b)"), ("x.dot(x.T)", "(a, a)"), ("x.conj()", "(a, b)"),
    ("x.conjugate()", "(a, b)"), ("x.real", "(a, b)"), ("x.imag", "(a, b)"),
    ("x.T.real.sum(0)", "(a,)"),
]] + [
    ok(on("c64[a, b]", "x.real"), "(a, b)"),
    ok(on("c64[a, b]", "jnp.imag(x) + jnp.real(x)"), "(a, b)"),
    ok("vmap(lambda x: x.reshape(-1).sum())((n, a, b))", "(n,)"),
    ok("vmap(lambda x: x.T.dot(x))((n, a, b))", "(n, b, b)"),
    ok("grad(lambda x: x.conj().real.sum())((a,))", "(a,)"),
]

ERRORS = [
    err(on("(a, b)", "x.foo"), "bad-argument", "AttributeError", "x.foo"),
    err(on("(a, b)", "x.foo()"), "bad-argument", "AttributeError", "x.foo"),
    err(on("(a, b)", "x.reshape(a, 3 * b)"), "reshape-size", "TypeError"),
    err(on("(a, b)", "x.sum(axis=2)"), "axis-out-of-range", "ValueError"),
    err(on("(2, 3)", "x.dot(x)"), "rule-no-match", "TypeError"),
]


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("body, attr", [
    ("x.sort()", "sort"), ("x.at[0].set(1.0)", "at"), ("x.nbytes", "nbytes"),
])
def test_what_jax_arrays_have_but_the_library_does_not_model_is_unsupported(body, attr):
    import jax
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer(on("(a, b)", body))
    assert (info.value.code, info.value.exception) == ("unsupported", "NotImplementedError")
    assert f".{attr} has no shape rule yet" in info.value.message
    assert hasattr(jax.Array, attr)


@pytest.mark.parametrize("expr, dtype, weak", [
    (on("c64[a]", "x.real"), "f32", False),
    (on("c128[a]", "jnp.imag(x)"), "f32", False),  # x64 is off: c128 is c64
    (on("f16[a]", "x.real"), "f16", False),
    (on("i8[a]", "x.conj()"), "i8", False),
    (on("c64[a]", "x.conjugate()"), "c64", False),
    (on("1.0", "jnp.real(x)"), "f32", True),
    (on("i8[a, b]", "x.sum(0)"), "i32", False),
    (on("f32[a]", "x.round(1)"), "f32", False),
])
def test_dtypes(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)
