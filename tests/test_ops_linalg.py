"""Products (shapeinfer/rules/builtin/linalg.rules): matmul / @, dot, vdot,
inner, outer; each row confirmed by jax.eval_shape as in test_table.py."""
from __future__ import annotations

import pytest

from test_table import assert_dtype_row, assert_error_row, assert_ok_row, err, ok

VALID = [
    ok("matmul((a, n), (n, m))", "(a, m)"),
    ok("(a, n) @ (n, m)", "(a, m)"),
    ok("matmul((n,), (n,))", "()"),
    ok("matmul((n,), (b, n, m))", "(b, m)"),
    ok("matmul((b, n, k), (k,))", "(b, n)"),
    ok("jnp.matmul((2, 1, a, k), (5, k, c))", "(2, 5, a, c)"),
    ok("dot((), (a, b))", "(a, b)"),
    ok("dot((a, n), (n,))", "(a,)"),
    ok("dot((n,), (c, n, m))", "(c, m)"),
    ok("jax.numpy.dot((a, b, n), (c, n, m))", "(a, b, c, m)"),
    ok("vdot((a, b), (a*b,))", "()"),
    ok("inner((a, n), (b, c, n))", "(a, b, c)"),
    ok("inner((), (a,))", "(a,)"),
    ok("outer((a, b), (c,))", "(a*b, c)"),
    # the examples: a layer under vmap, and its gradient
    ok("vmap(lambda W, x: tanh(W @ x), (None, 0))((h, d), (n, d))", "(n, h)"),
    ok("vmap(grad(lambda w, x: sum(tanh(x @ w))), (None, 0))((d,), (n, d))", "(n, d)"),
    ok("(lambda x, w: x @ w.T)((b, d), (h, d))", "(b, h)"),
]

ERRORS = [
    err("matmul((), (n,))", "bad-argument", "ValueError"),
    err("matmul((n, 2), ())", "bad-argument", "ValueError"),
    err("matmul((3,), (4,))", "rule-no-match", "TypeError"),
    err("matmul((2, n, k), (3, k, m))", "broadcast", "ValueError"),
    err("(lambda x, w: x @ w)((b, 3), (4, h))", "rule-no-match", "TypeError", "x @ w"),
    err("dot((a, 4), (c, 3, m))", "rule-no-match", "TypeError"),
    err("dot((4,), (3,))", "rule-no-match", "TypeError"),
    err("vdot((2, 3), (5,))", "requires-failed", "TypeError"),
    err("inner((2, 3), (4,))", "rule-no-match", "TypeError"),
    err("vmap(grad(lambda w, x: sum(x @ w)), (None, 0), None)((d,), (n, d))",
        "vmap-out-axes-none", "ValueError"),
]


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr, dtype, weak", [
    ("matmul(i8[3, 3], i8[3])", "i8", False),
    ("matmul(i8[3, 3], (3,))", "f32", False),
    ("dot(bool[a], bool[a])", "bool", False),
    ("dot(2.0, 3.0)", "f32", True),
    ("outer(u8[a], i8[b])", "i16", False),
])
def test_dtypes(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)


@pytest.mark.parametrize("shape", [(m, n) for m in (1, 2, 3) for n in (1, 2, 3)]
                         + [(2, 1, 3), (2, 3, 1)])
@pytest.mark.parametrize("extra", ["", ", symmetrize_input=False"])
@pytest.mark.parametrize("op", ["eigh", "eigvalsh", "cholesky"])
def test_symmetrizing_operations_broadcast_as_jax(op, shape, extra):
    # (a + a^H) / 2 first: (3, 1) broadcasts with (1, 3) to (3, 3);
    # unsymmetrized, the primitive wants square matrices
    from test_ops_arrays import assert_jaxs
    text = f"jnp.linalg.{op}({shape}{extra})"
    assert_jaxs(text)


@pytest.mark.parametrize("shape", [(m, n) for m in (1, 2, 3) for n in (1, 2, 3)]
                         + [(3,), (2, 1, 3), (2, 3, 1)])
@pytest.mark.parametrize("extra", ["", ", compute_uv=False", ", full_matrices=False"])
def test_hermitian_svd_is_the_symmetrized_eigh_as_jax(shape, extra):
    # JAX's svd(hermitian=True) is eigh of (a + a^H) / 2: n-sized outputs
    # whatever full_matrices says, (3, 1) is (3, 3)
    from test_ops_arrays import assert_jaxs
    text = f"jnp.linalg.svd(i8[{', '.join(map(str, shape))}], hermitian=True{extra})"
    assert_jaxs(text)


@pytest.mark.parametrize("a, b", [
    ((2, 2, 3), (3, 2, 2)), ((2, 2, 3), (2, 3, 2)), ((2, 3), (4, 5)), ((2, 2, 3), (3, 4, 2)),
    ((2, 2, 3), (1, 4, 2)), ((5, 2, 2, 3), (3, 4, 2)), ((2, 1, 2, 3), (3, 3, 2)),
    ((3,), (2, 4, 2)), ((2, 2, 3), (4,)), ((2, 2, 3), (3, 3, 2))])
def test_matmul_checks_batch_dims_before_contracting_as_jax(a, b):
    # JAX compares the batch dims first: where they do not broadcast its
    # error is a ValueError, even if the contracting dims differ as well
    from test_ops_arrays import assert_jaxs
    assert_jaxs(f"matmul({a}, {b})")
    assert_jaxs(f"(lambda x, y: x @ y)({a}, {b})")


def test_matmul_batch_mismatch_message_names_the_dims():
    import shapeinfer
    with pytest.raises(shapeinfer.ShapeError) as e:
        shapeinfer.infer("matmul((2, 2, 3), (3, 2, 2))")
    assert e.value.exception == "ValueError"
    assert "batch dims 2 and 3 do not broadcast" in e.value.message
