"""jnp.tensordot, jnp.linalg (inv, det, solve, cholesky, eigvalsh, pinv,
matrix_power, qr, svd, eigh, slogdet, norm) and lax.dot_general /
dynamic_slice / dynamic_update_slice / dynamic_slice_in_dim /
dynamic_index_in_dim (shapeinfer/rules/builtin/linalg.rules and lax.rules);
every row confirmed by jax.eval_shape as in test_table.py."""
from __future__ import annotations

import pytest

from test_table import assert_dtype_row, assert_error_row, assert_ok_row, err, ok

VALID = [
    ok("tensordot((a, b, c), (b, c, d))", "(a, d)"),
    ok("jnp.tensordot((a, b), (b, c), 1)", "(a, c)"),
    ok("jax.numpy.tensordot((a, b), (c, d), 0)", "(a, b, c, d)"),
    ok("tensordot((a, b), (c, d), axes=-1)", "(a, b, c, d)"),
    ok("tensordot((), (a, b), 0)", "(a, b)"),
    ok("tensordot((a, b), (b, c), axes=(1, 0))", "(a, c)"),
    ok("tensordot((a, b), (c, a), axes=(0, 1))", "(b, c)"),
    ok("tensordot((a, b), (b, c), axes=(-1, 0))", "(a, c)"),
    ok("tensordot((a, b, c), (b, c, d), axes=((1, 2), (0, 1)))", "(a, d)"),
    ok("tensordot((a, b, c), (c, b, d), axes=((2, 1), (0, 1)))", "(a, d)"),
    ok("tensordot((a, b, c), (c, d, b), axes=[[1, 2], [2, 0]])", "(a, d)"),
    ok("tensordot((a, b), (b, c), axes=((1,), (0,)))", "(a, c)"),
    ok("tensordot((a, b), (c, d), axes=((), ()))", "(a, b, c, d)"),
    ok("tensordot((2, 3, 4), (4, 3, 5), axes=((1, 2), (1, 0)))", "(2, 5)"),
    ok("tensordot((a, b), (a, b), 2)", "()"),
    ok("vmap(lambda x, y: tensordot(x, y, 1))((n, a, b), (n, b, c))", "(n, a, c)"),
    ok("vmap(lambda x, y: tensordot(x, y, 1), (0, None))((n, a, b), (b, c))", "(n, a, c)"),
    ok("grad(lambda x, y: sum(tensordot(x, y, 1)))((a, b), (b, c))", "(a, b)"),
    ok("vmap(grad(lambda x, y: sum(tensordot(x, y, 1))), (0, None))((n, a, b), (b, c))", "(n, a, b)"),
    ok("jit(lambda x, y: jnp.tensordot(x, y, axes=((0,), (0,))))((a, b), (a, c))", "(b, c)"),
    ok("jnp.linalg.inv((n, n))", "(n, n)"),
    ok("jnp.linalg.inv((b, c, n, n))", "(b, c, n, n)"),
    ok("jax.numpy.linalg.inv((3, 3))", "(3, 3)"),
    ok("linalg.inv((2, n, n))", "(2, n, n)"),
    ok("jnp.linalg.inv((0, 0))", "(0, 0)"),
    ok("vmap(jnp.linalg.inv)((b, n, n))", "(b, n, n)"),
    ok("grad(lambda x: sum(jnp.linalg.inv(x)))((n, n))", "(n, n)"),
    ok("vmap(grad(lambda x: sum(jnp.linalg.inv(x))))((b, n, n))", "(b, n, n)"),
    ok("jnp.linalg.det((n, n))", "()"),
    ok("jnp.linalg.det((b, c, n, n))", "(b, c)"),
    ok("jax.numpy.linalg.det((1, 1))", "()"),
    ok("vmap(jnp.linalg.det)((b, n, n))", "(b,)"),
    ok("grad(jnp.linalg.det)((n, n))", "(n, n)"),
    ok("vmap(grad(jnp.linalg.det))((b, n, n))", "(b, n, n)"),
    ok("jnp.linalg.solve((n, n), (n,))", "(n,)"),
    ok("jnp.linalg.solve((b, n, n), (n,))", "(b, n)"),
    ok("jnp.linalg.solve((n, n), (n, k))", "(n, k)"),
    ok("jnp.linalg.solve((b, n, n), (n, k))", "(b, n, k)"),
    ok("jnp.linalg.solve((b, n, n), (b, n, k))", "(b, n, k)"),
    ok("jnp.linalg.solve((b, 1, n, n), (c, n, k))", "(b, c, n, k)"),
    ok("jnp.linalg.solve((n, n), (b, c, n, k))", "(b, c, n, k)"),
    ok("jnp.linalg.solve((3, 3), (2, 3, 3))", "(2, 3, 3)"),
    ok("jnp.linalg.solve((2, 3, 3), (2, 3, 3))", "(2, 3, 3)"),
    ok("jax.numpy.linalg.solve((4, 3, 3), (4, 3, 1))", "(4, 3, 1)"),
    ok("vmap(jnp.linalg.solve)((b, n, n), (b, n))", "(b, n)"),
    ok("vmap(jnp.linalg.solve, (None, 0))((n, n), (b, n))", "(b, n)"),
    ok("grad(lambda a, y: sum(jnp.linalg.solve(a, y)), (0, 1))((n, n), (n,))", "((n, n), (n,))"),
    ok("jnp.linalg.cholesky((n, n))", "(n, n)"),
    ok("jnp.linalg.cholesky((b, n, n), upper=True)", "(b, n, n)"),
    ok("jax.numpy.linalg.cholesky((b, c, 2, 2), symmetrize_input=False)", "(b, c, 2, 2)"),
    ok("vmap(jnp.linalg.cholesky)((b, n, n))", "(b, n, n)"),
    ok("grad(lambda x: sum(jnp.linalg.cholesky(x)))((n, n))", "(n, n)"),
    ok("jnp.linalg.eigvalsh((n, n))", "(n,)"),
    ok("jnp.linalg.eigvalsh((b, n, n), 'U')", "(b, n)"),
    ok("jnp.linalg.pinv((m, n))", "(n, m)"),
    ok("jnp.linalg.pinv((b, m, n))", "(b, n, m)"),
    ok("jnp.linalg.pinv((b, 3, 5), hermitian=False)", "(b, 5, 3)"),
    ok("vmap(jnp.linalg.pinv)((b, m, n))", "(b, n, m)"),
    ok("jnp.linalg.qr((m, n))", "((m, min(m, n)), (min(m, n), n))"),
    ok("jnp.linalg.qr((b, m, n))", "((b, m, min(m, n)), (b, min(m, n), n))"),
    ok("jnp.linalg.qr((5, 3))", "((5, 3), (3, 3))"),
    ok("jnp.linalg.qr((3, 5))", "((3, 3), (3, 5))"),
    ok("jnp.linalg.qr((b, m, n), mode='complete')", "((b, m, m), (b, m, n))"),
    ok("jnp.linalg.qr((3, 5), mode='complete')", "((3, 3), (3, 5))"),
    ok("jnp.linalg.qr((b, m, n), mode='r')", "(b, min(m, n), n)"),
    ok("jnp.linalg.qr((b, m, n), 'raw')", "((b, n, m), (b, min(m, n)))"),
    ok("jnp.linalg.qr((n, n), mode='reduced')", "((n, n), (n, n))"),
    ok("vmap(jnp.linalg.qr)((b, m, n))", "((b, m, min(m, n)), (b, min(m, n), n))"),
    ok("vmap(lambda x: jnp.linalg.qr(x, mode='r'))((b, m, n))", "(b, min(m, n), n)"),
    ok("jnp.linalg.svd((m, n))", "((m, m), (min(m, n),), (n, n))"),
    ok("jnp.linalg.svd((b, m, n))", "((b, m, m), (b, min(m, n)), (b, n, n))"),
    ok("jnp.linalg.svd((b, m, n), full_matrices=False)", "((b, m, min(m, n)), (b, min(m, n)), (b, min(m, n), n))"),
    ok("jnp.linalg.svd((5, 3), False)", "((5, 3), (3,), (3, 3))"),
    ok("jnp.linalg.svd((3, 5), False)", "((3, 3), (3,), (3, 5))"),
    ok("jnp.linalg.svd((b, m, n), compute_uv=False)", "(b, min(m, n))"),
    ok("jnp.linalg.svd((n, n), False, False)", "(n,)"),
    ok("jax.numpy.linalg.svd((2, 3, 4), full_matrices=True, compute_uv=True)", "((2, 3, 3), (2, 3), (2, 4, 4))"),
    ok("vmap(jnp.linalg.svd)((b, m, n))", "((b, m, m), (b, min(m, n)), (b, n, n))"),
    ok("vmap(lambda x: jnp.linalg.svd(x, compute_uv=False))((b, m, n))", "(b, min(m, n))"),
    ok("jnp.linalg.eigh((n, n))", "((n,), (n, n))"),
    ok("jnp.linalg.eigh((b, n, n))", "((b, n), (b, n, n))"),
    ok("jnp.linalg.eigh((b, n, n), UPLO='U')", "((b, n), (b, n, n))"),
    ok("jnp.linalg.eigh((n, n), 'L', symmetrize_input=False)", "((n,), (n, n))"),
    ok("vmap(jnp.linalg.eigh)((b, n, n))", "((b, n), (b, n, n))"),
    ok("jnp.linalg.slogdet((n, n))", "((), ())"),
    ok("jnp.linalg.slogdet((b, c, n, n))", "((b, c), (b, c))"),
    ok("vmap(jnp.linalg.slogdet)((b, n, n))", "((b,), (b,))"),
    ok("jnp.linalg.norm((a,))", "()"),
    ok("jnp.linalg.norm((a, b))", "()"),
    ok("jnp.linalg.norm((a, b, c))", "()"),
    ok("jnp.linalg.norm((a, b, c), keepdims=True)", "(1, 1, 1)"),
    ok("jnp.linalg.norm((a, b), 'fro')", "()"),
    ok("jnp.linalg.norm((a, b), 'nuc')", "()"),
    ok("jnp.linalg.norm((a, b), jnp.inf)", "()"),
    ok("jnp.linalg.norm((a, b), 1)", "()"),
    ok("jnp.linalg.norm((a, b), -1)", "()"),
    ok("jnp.linalg.norm((a, b), 2)", "()"),
    ok("jnp.linalg.norm((a, b), -2)", "()"),
    ok("jnp.linalg.norm((a,), 1)", "()"),
    ok("jnp.linalg.norm((a,), 0)", "()"),
    ok("jnp.linalg.norm((a,), 3)", "()"),
    ok("jnp.linalg.norm((a,), jnp.inf)", "()"),
    ok("jnp.linalg.norm((a, b), axis=0)", "(b,)"),
    ok("jnp.linalg.norm((a, b), axis=-1)", "(a,)"),
    ok("jnp.linalg.norm((a, b, c), axis=1, keepdims=True)", "(a, 1, c)"),
    ok("jnp.linalg.norm((a, b, c), 3, axis=2)", "(a, b)"),
    ok("jnp.linalg.norm((a, b, c), axis=(1, 2))", "(a,)"),
    ok("jnp.linalg.norm((a, b, c), 'fro', (0, 2), True)", "(1, b, 1)"),
    ok("jnp.linalg.norm((a, b, c), 'nuc', axis=(2, 0))", "(b,)"),
    ok("jnp.linalg.norm((a, b, c), 'nuc', axis=(0, 2), keepdims=True)", "(1, b, 1)"),
    ok("jnp.linalg.norm((a, b, c), 1, axis=(2, 1))", "(a,)"),
    ok("jnp.linalg.norm((a, b, c), jnp.inf, axis=(0, 1), keepdims=True)", "(1, 1, c)"),
    ok("jax.numpy.linalg.norm((a, b), 2, axis=(-2, -1))", "()"),
    ok("vmap(jnp.linalg.norm)((n, a))", "(n,)"),
    ok("vmap(lambda x: jnp.linalg.norm(x, axis=0))((n, a, b))", "(n, b)"),
    ok("grad(jnp.linalg.norm)((a, b))", "(a, b)"),
    ok("vmap(grad(jnp.linalg.norm))((n, a))", "(n, a)"),
    ok("jnp.linalg.matrix_power((b, n, n), 3)", "(b, n, n)"),
    ok("jnp.linalg.matrix_power((n, n), 0)", "(n, n)"),
    ok("jnp.linalg.matrix_power((b, 2, 2), -2)", "(b, 2, 2)"),
    ok("lax.dot_general((a, k), (k, b), (((1,), (0,)), ((), ())))", "(a, b)"),
    ok("lax.dot_general((n, a, k), (n, k, b), (((2,), (1,)), ((0,), (0,))))", "(n, a, b)"),
    ok("jax.lax.dot_general((a, k, n), (k, b, n), (((1,), (0,)), ((2,), (2,))))", "(n, a, b)"),
    ok("lax.dot_general((a, b), (c, d), (((), ()), ((), ())))", "(a, b, c, d)"),
    ok("lax.dot_general((a, b, c), (c, d, b), (((1, 2), (2, 0)), ((), ())))", "(a, d)"),
    ok("lax.dot_general((2, 3, 4), (4, 6, 3), (((1,), (2,)), ((2,), (0,))))", "(4, 2, 6)"),
    ok("lax.dot_general((a, k), (k, b), [[[1], [0]], [[], []]])", "(a, b)"),
    ok("lax.dot_general(i8[a, k], i8[k, b], (((1,), (0,)), ((), ())), preferred_element_type=jnp.int32)", "(a, b)"),
    ok("vmap(lambda x, y: lax.dot_general(x, y, (((1,), (0,)), ((), ()))))((n, a, k), (n, k, b))", "(n, a, b)"),
    ok("vmap(lambda x, y: lax.dot_general(x, y, (((1,), (0,)), ((), ()))), (0, None))((n, a, k), (k, b))", "(n, a, b)"),
    ok("grad(lambda x, y: sum(lax.dot_general(x, y, (((1,), (0,)), ((), ())))))((a, k), (k, b))", "(a, k)"),
    ok("vmap(grad(lambda x, y: sum(lax.dot_general(x, y, (((1,), (0,)), ((), ()))))), (0, None))((n, a, k), (k, b))", "(n, a, k)"),
    ok("lax.dynamic_slice((a, b), [0, 1], (1, 1))", "(1, 1)"),
    ok("lax.dynamic_slice((5, 6), [0, 1], (2, 2))", "(2, 2)"),
    ok("lax.dynamic_slice((5, 6), i32[2], (5, 0))", "(5, 0)"),
    ok("lax.dynamic_slice((a, 6), [i32[], 0], (a, 3))", "(a, 3)"),
    ok("lax.dynamic_slice((), [], ())", "()"),
    ok("jax.lax.dynamic_slice((a, b, c), [0, 0, 0], (a, 1, c))", "(a, 1, c)"),
    ok("lax.dynamic_slice(operand=(a, 4), start_indices=[1, 2], slice_sizes=(1, 2))", "(1, 2)"),
    ok("vmap(lambda x: lax.dynamic_slice(x, [0, 1], (2, 2)))((n, 5, 6))", "(n, 2, 2)"),
    ok("vmap(lambda x, i: lax.dynamic_slice(x, [i, 0], (1, 3)))((n, 4, 3), i32[n])", "(n, 1, 3)"),
    ok("grad(lambda x: sum(lax.dynamic_slice(x, [1], (2,))))((5,))", "(5,)"),
    ok("vmap(grad(lambda x: sum(lax.dynamic_slice(x, [0, 1], (1, 2)))))((n, 3, 4))", "(n, 3, 4)"),
    ok("jit(lambda x, i: lax.dynamic_slice(x, i, (2, 2)))((3, 3), i32[2])", "(2, 2)"),
    ok("lax.dynamic_update_slice((a, b), (1, 1), [0, 0])", "(a, b)"),
    ok("lax.dynamic_update_slice((5, 6), (2, 6), [1, 0])", "(5, 6)"),
    ok("lax.dynamic_update_slice((a, b), (a, b), i32[2])", "(a, b)"),
    ok("jax.lax.dynamic_update_slice((a, b, c), (1, b, 1), [0, 0, i32[]])", "(a, b, c)"),
    ok("vmap(lambda x, u: lax.dynamic_update_slice(x, u, [0, 0]))((n, 4, 4), (n, 2, 2))", "(n, 4, 4)"),
    ok("vmap(lambda x, u: lax.dynamic_update_slice(x, u, [0, 0]), (0, None))((n, 4, 4), (2, 2))", "(n, 4, 4)"),
    ok("grad(lambda x, u: sum(lax.dynamic_update_slice(x, u, [0])), (0, 1))((a,), (1,))", "((a,), (1,))"),
    ok("lax.dynamic_slice_in_dim((5, 6), 1, 2)", "(2, 6)"),
    ok("lax.dynamic_slice_in_dim((5, 6), 1, 2, axis=1)", "(5, 2)"),
    ok("lax.dynamic_slice_in_dim((a, b), 0, b, -1)", "(a, b)"),
    ok("jax.lax.dynamic_slice_in_dim((a, b), i32[], 1, axis=0)", "(1, b)"),
    ok("lax.dynamic_index_in_dim((5, 6), 1)", "(1, 6)"),
    ok("lax.dynamic_index_in_dim((a, b), 1, axis=1)", "(a, 1)"),
    ok("lax.dynamic_index_in_dim((a, b), i32[], 0, False)", "(b,)"),
    ok("lax.dynamic_index_in_dim((a, b, c), 0, axis=-2, keepdims=False)", "(a, c)"),
    ok("vmap(lambda x, i: lax.dynamic_index_in_dim(x, i, keepdims=False))((n, a, b), i32[n])", "(n, b)"),
    ok("vmap(grad(lambda x: sum(jnp.linalg.svd(x, compute_uv=False))))((b, m, n))", "(b, m, n)"),
    ok("vmap(grad(lambda x: sum(jnp.linalg.eigh(x)[0])))((b, n, n))", "(b, n, n)"),
    ok("vmap(grad(lambda x, y: sum(jnp.linalg.solve(x, y))), (None, 0))((n, n), (b, n))", "(b, n, n)"),
    ok("vmap(grad(lambda x: jnp.linalg.slogdet(x)[1]))((b, n, n))", "(b, n, n)"),
    ok("vmap(grad(lambda x: sum(jnp.linalg.qr(x)[1])))((b, m, n))", "(b, m, n)"),
    ok("jit(lambda x: jnp.linalg.svd(x, full_matrices=False))((m, n))",
       "((m, min(m, n)), (min(m, n),), (min(m, n), n))"),
    # -jnp.inf is a negated constant, which the language makes an array
    ok("lax.dynamic_slice((5, 6), [i16[], i16[]], (2, 2))", "(2, 2)"),
    ok("lax.dynamic_slice((a, b), u8[2], (1, 1))", "(1, 1)"),
    ok("jnp.linalg.eigh((b, n, n), symmetrize_input=False)", "((b, n), (b, n, n))"),
    ok("jnp.linalg.norm((a, b), -jnp.inf)", "()"),  # (-jnp.inf is a Python float)
]

ERRORS = [
    err("tensordot((2, 3, 4), (4, 4, 5))", "bad-argument", "TypeError"),
    err("tensordot((a, b), (b, c), 3)", "bad-argument", "TypeError"),
    err("tensordot((2, 3), (3, 5), axes=((1,), (0, 1)))", "bad-argument", "TypeError"),
    err("tensordot((2, 3), (3, 5), axes=((2,), (0,)))", "axis-out-of-range", "ValueError"),
    err("tensordot((2, 3), (3, 5), axes=((0,), (0,)))", "bad-argument", "TypeError"),
    err("tensordot((2, 2), (2, 2), axes=((0, 0), (0, 1)))", "bad-argument", "TypeError"),
    err("tensordot((2, 3), (3, 5), axes=(1, 0, 1))", "bad-argument", "TypeError"),
    err("tensordot((2, 3), (3, 5), axes=1.0)", "bad-argument", "TypeError"),
    err("tensordot((2, 3), (3, 5), axes=(1, 2))", "axis-out-of-range", "ValueError"),
    err("tensordot((a, 2), (3, d), 1)", "bad-argument", "TypeError"),
    err("jnp.linalg.inv((3, 4))", "rule-no-match", "ValueError"),
    err("jnp.linalg.inv((3,))", "rule-no-match", "ValueError"),
    err("jnp.linalg.inv(())", "rule-no-match", "ValueError"),
    err("jnp.linalg.inv((n, n + 1))", "rule-no-match", "ValueError"),
    err("jnp.linalg.det((3, 4))", "rule-no-match", "ValueError"),
    err("jnp.linalg.det((3,))", "rule-no-match", "ValueError"),
    err("jnp.linalg.solve((3, 3), (4,))", "rule-no-match", "ValueError"),
    err("jnp.linalg.solve((2, 3, 3), (2, 3))", "bad-argument", "ValueError"),
    err("jnp.linalg.solve((n, n), ())", "bad-argument", "ValueError"),
    err("jnp.linalg.solve((3,), (3,))", "bad-argument", "ValueError"),
    err("jnp.linalg.solve((3, 4), (3,))", "rule-no-match", "ValueError"),
    err("jnp.linalg.solve((2, 3, 3), (4, 3, 1))", "broadcast", "ValueError"),
    err("jnp.linalg.solve((3, 3), (4, 2))", "rule-no-match", "ValueError"),
    err("jnp.linalg.cholesky((3, 4))", "broadcast", "TypeError"),  # (symmetrized: a + a^H)
    err("jnp.linalg.cholesky((3,))", "rule-no-match", "TypeError"),
    err("jnp.linalg.eigvalsh((3, 4))", "broadcast", "TypeError"),
    err("jnp.linalg.pinv((3,))", "rule-no-match", "ValueError"),
    err("jnp.linalg.qr((3,))", "rule-no-match", "TypeError"),
    err("jnp.linalg.qr((3, 3), mode='bad')", "bad-argument", "ValueError"),
    err("jnp.linalg.svd((3,))", "rule-no-match", "TypeError"),
    err("jnp.linalg.eigh((3, 4))", "broadcast", "TypeError"),  # (symmetrized: a + a^H)
    err("jnp.linalg.eigh((3,))", "rule-no-match", "TypeError"),
    err("jnp.linalg.eigh((3, 3), UPLO='X')", "bad-argument", "ValueError"),
    err("jnp.linalg.slogdet((3, 4))", "rule-no-match", "ValueError"),
    err("jnp.linalg.norm((a, b), 'fro', axis=0)", "bad-argument", "ValueError"),
    err("jnp.linalg.norm((a,), 'nuc')", "bad-argument", "ValueError"),
    err("jnp.linalg.norm((a, b), 3)", "bad-argument", "ValueError"),
    err("jnp.linalg.norm((a, b), 'x')", "bad-argument", "ValueError"),
    err("jnp.linalg.norm((a, b, c), 2)", "bad-argument", "ValueError"),
    err("jnp.linalg.norm((a, b, c), axis=(0, 1, 2))", "bad-argument", "ValueError"),
    err("jnp.linalg.norm((a, b), axis=2)", "axis-out-of-range", "ValueError"),
    err("jnp.linalg.norm((a,), 'inf')", "bad-argument", "ValueError"),
    err("jnp.linalg.inv((3, 3), (3, 3))", "arity", "TypeError"),
    err("inv((3, 3))", "unknown-name", "NameError"),
    err("jnp.inv((3, 3))", "unknown-name", "AttributeError"),
    err("lax.dot_general((2, 3), (4, 5), (((1,), (0,)), ((), ())))", "bad-argument", "TypeError"),
    err("lax.dot_general((7, 2, 3), (6, 3, 5), (((2,), (1,)), ((0,), (0,))))", "bad-argument", "TypeError"),
    err("lax.dot_general((2, 3), (3, 5), (((1, 1), (0, 0)), ((), ())))", "bad-argument", "TypeError"),
    err("lax.dot_general((2, 3), (3, 5), (((2,), (0,)), ((), ())))", "bad-argument", "TypeError"),
    err("lax.dot_general((2, 3), (3, 5), (((-1,), (0,)), ((), ())))", "bad-argument", "TypeError"),
    err("lax.dot_general((2, 3), (3, 5), (((1,), (0,)), ((0,), ())))", "bad-argument", "TypeError"),
    err("lax.dot_general((3, 3), (3, 5), (((0,), (0,)), ((0,), (0,))))", "bad-argument", "TypeError"),
    err("lax.dot_general((2, 3), (3, 5), ((1,), (0,)))", "bad-argument", "ValueError"),
    err("lax.dot_general((a, 2), (3, k), (((1,), (0,)), ((), ())))", "bad-argument", "TypeError"),
    err("lax.dynamic_slice((5, 6), [0, 1], (6, 2))", "bad-argument", "TypeError"),
    err("lax.dynamic_slice((5, 6), [0, 1], (-1, 2))", "bad-argument", "TypeError"),
    err("lax.dynamic_slice((5, 6), [0], (2, 2))", "bad-argument", "ValueError"),
    err("lax.dynamic_slice((5, 6), [0, 1], (2,))", "bad-argument", "ValueError"),
    err("lax.dynamic_slice((5, 6), i32[2, 1], (2, 2))", "bad-argument", "ValueError"),
    err("lax.dynamic_slice((5, 6), [i32[2], 0], (2, 2))", "bad-argument", "TypeError"),
    err("lax.dynamic_slice((a, b), [0, 0], (a + 1, b))", "bad-argument", "TypeError"),
    err("lax.dynamic_update_slice((5, 6), (6, 2), [0, 1])", "bad-argument", "TypeError"),
    err("lax.dynamic_update_slice((5, 6), (2,), [0, 1])", "bad-argument", "TypeError"),
    # the start indices are counted first, as lax's wrapper does
    err("lax.dynamic_update_slice((5,), f32[], [0, 0])", "bad-argument", "ValueError"),
    err("lax.dynamic_update_slice((5, 6), (2, 6), [0])", "bad-argument", "ValueError"),
    err("lax.dynamic_update_slice((5, 6), (2, 2), [0])", "bad-argument", "ValueError"),
    err("lax.dynamic_update_slice((5, 6), i32[2, 2], [0, 1])", "dtype", "TypeError"),
    err("lax.dynamic_update_slice((5, 6), f16[2, 2], [0, 1])", "dtype", "TypeError"),
    err("lax.dynamic_slice_in_dim((5, 6), 1, 7, axis=1)", "bad-argument", "TypeError"),
    err("lax.dynamic_slice_in_dim((5, 6), 1, 2, axis=2)", "axis-out-of-range", "IndexError"),
    err("lax.dynamic_index_in_dim((5, 6), 1, axis=-3)", "axis-out-of-range", "IndexError"),
    err("vmap(tensordot, (0, None))((n, 2, 3), (3, 4))", "bad-argument", "TypeError"),
    err("jnp.linalg.matrix_power((3, 4), 2)", "bad-argument", "TypeError"),
    err("jnp.linalg.matrix_power((3,), 2)", "bad-argument", "TypeError"),
    err("jnp.linalg.solve((2, 3, 3), (5, 4, 3))", "requires-failed", "ValueError"),
    err("jnp.linalg.eigh((3, 4), symmetrize_input=False)", "rule-no-match", "ValueError"),
    err("lax.dynamic_slice((5, 6), [f32[], 0], (2, 2))", "dtype", "TypeError"),
    err("lax.dynamic_slice((5, 6), [i16[], 0], (2, 2))", "dtype", "TypeError"),
    err("lax.dynamic_slice((5, 6), f32[2], (2, 2))", "dtype", "TypeError"),
    err("lax.dynamic_update_slice((5, 6), (2, 2), [0, u8[]])", "dtype", "TypeError"),
    err("lax.dynamic_index_in_dim((5, 6), 1.0)", "dtype", "TypeError"),
    # unsymmetrized, the cholesky primitive refuses a non-square operand
    err("jnp.linalg.cholesky((3, 4), symmetrize_input=False)", "rule-no-match", "ValueError"),
]

DTYPES = [
    ("tensordot(i8[a, b], i8[b, c], 1)", "i8", False),
    ("tensordot(i8[a, b], (b, c), 1)", "f32", False),
    ("jnp.tensordot(bool[a], bool[a], 1)", "bool", False),
    ("jnp.linalg.inv(i32[n, n])", "f32", False),
    ("jnp.linalg.inv(c64[n, n])", "c64", False),
    ("jnp.linalg.inv(f16[n, n])", "f16", False),
    ("jnp.linalg.det(i8[n, n])", "f32", False),
    ("jnp.linalg.det(c64[n, n])", "c64", False),
    ("jnp.linalg.solve(i32[n, n], f16[n])", "f16", False),
    ("jnp.linalg.solve(c64[n, n], (n,))", "c64", False),
    ("jnp.linalg.cholesky(bool[n, n])", "f32", False),
    ("jnp.linalg.eigvalsh(c64[n, n])", "f32", False),
    ("jnp.linalg.eigvalsh(i32[n, n])", "f32", False),
    ("jnp.linalg.pinv(i32[m, n])", "f32", False),
    ("jnp.linalg.svd(c64[m, n], compute_uv=False)", "f32", False),
    ("jnp.linalg.svd(i32[m, n], compute_uv=False)", "f32", False),
    ("jnp.linalg.qr(i32[m, n], mode='r')", "f32", False),
    ("jnp.linalg.qr(c64[m, n], mode='r')", "c64", False),
    ("jnp.linalg.norm(c64[a, b])", "f32", False),
    ("jnp.linalg.norm(i32[a])", "f32", False),
    ("jnp.linalg.norm(c64[a], 0)", "f32", False),
    ("jnp.linalg.norm(f16[a, b], 'nuc')", "f16", False),
    ("lax.dot_general(i8[a, k], i8[k, b], (((1,), (0,)), ((), ())))", "i8", False),
    ("lax.dot_general(i32[a, k], (k, b), (((1,), (0,)), ((), ())))", "f32", False),
    ("lax.dynamic_slice(i8[a, b], [0, 0], (1, 1))", "i8", False),
    ("lax.dynamic_slice(bool[a], i32[1], (1,))", "bool", False),
    ("lax.dynamic_slice(c64[a], [i32[]], (1,))", "c64", False),
    ("lax.dynamic_update_slice(i8[a, b], i8[1, 1], [0, 0])", "i8", False),
    ("lax.dynamic_index_in_dim(u8[a, b], 0)", "u8", False),
    ("lax.dynamic_slice_in_dim(f16[a, b], 0, 1)", "f16", False),
    ("jnp.linalg.eigh(c64[n, n])[0]", "f32", False),
    ("jnp.linalg.eigh(c64[n, n])[1]", "c64", False),
    ("jnp.linalg.svd(c64[m, n])[0]", "c64", False),
    ("jnp.linalg.svd(c64[m, n])[1]", "f32", False),
    ("jnp.linalg.svd(i8[m, n])[2]", "f32", False),
    ("jnp.linalg.slogdet(c64[n, n])[0]", "c64", False),
    ("jnp.linalg.slogdet(c64[n, n])[1]", "f32", False),
    ("jnp.linalg.qr(i32[m, n])[0]", "f32", False),
    ("jnp.linalg.matrix_power(i32[n, n], 2)", "i32", False),
    ("jnp.linalg.matrix_power(i32[n, n], -1)", "f32", False),  # (n < 0 inverts)
]


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr, dtype, weak", DTYPES)
def test_dtypes(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)


@pytest.mark.parametrize("text", [
    "jnp.linalg.inv(full((2, 2), 2.0))", "jnp.linalg.inv(full((1, 1), 2))",
    "jnp.linalg.inv(f16[3, 3])", "jnp.linalg.pinv(full((2, 3), 2.0))",
    "jnp.linalg.pinv(full((2, 2), 2), hermitian=True)", "jnp.linalg.pinv(i8[3, 2])"])
def test_inv_and_pinv_of_a_weak_operand_are_strong_as_jax(text):
    # (JAX's own arithmetic mixes in strong constants: inv solves against eye)
    from test_ops_arrays import assert_jaxs
    assert_jaxs(text)


@pytest.mark.parametrize("call", [
    "jnp.linalg.eigh(X)", "jnp.linalg.eigh(X, symmetrize_input=False)", "jnp.linalg.eigvalsh(X)",
    "jnp.linalg.qr(X)", "jnp.linalg.qr(X, mode='r')", "jnp.linalg.qr(X, mode='raw')",
    "jnp.linalg.svd(X)", "jnp.linalg.svd(X, compute_uv=False)", "jnp.linalg.svd(X, hermitian=True)",
    "jnp.linalg.svd(X, hermitian=True, compute_uv=False)", "jnp.linalg.slogdet(X)",
    "jnp.linalg.cholesky(X)", "jnp.linalg.cholesky(X, symmetrize_input=False)"])
@pytest.mark.parametrize("x", ["full((2, 2), 2.0)", "full((3, 3), 2)", "f16[2, 2]"])
def test_decompositions_keep_a_weak_type_as_jax(call, x):
    # the decomposition primitives keep their operand's weak type; a
    # hermitian svd's Vh is made with astype, strong
    from test_ops_arrays import assert_jaxs
    assert_jaxs(call.replace("X", x))


@pytest.mark.parametrize("text", ["jnp.linalg.eigh((3,), symmetrize_input=False)",
                                  "jnp.linalg.eigh(2.0, symmetrize_input=False)",
                                  "jnp.linalg.eigvalsh((2, 3), symmetrize_input=False)"])
def test_unsymmetrized_eigh_checks_rank_then_squareness_as_jax(text):
    # the primitive: rank below 2 is a TypeError, non-square a ValueError
    from test_ops_arrays import assert_jaxs
    assert_jaxs(text)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("call", ["jnp.linalg.det(X)", "jnp.linalg.slogdet(X)",
                                  "jnp.linalg.slogdet(X, method='qr')"])
@pytest.mark.parametrize("fill", ["2.0", "2"])
def test_det_and_slogdet_keep_a_weak_type_only_in_closed_forms_as_jax(n, call, fill):
    # det's 2x2 and 3x3 formulas and slogdet's 1x1 and 2x2 (LU) keep a weak
    # type; the general paths mix in strong constants
    from test_ops_arrays import assert_jaxs
    assert_jaxs(call.replace("X", f"full(({n}, {n}), {fill})"))
    assert_jaxs(call.replace("X", f"full((2, {n}, {n}), {fill})"))


def test_slogdet_checks_its_method_as_jax():
    from test_ops_arrays import assert_jaxs
    assert_jaxs("jnp.linalg.slogdet((3, 3), method='bad')")
    assert_jaxs("jnp.linalg.slogdet((3, 3), method='lu')")


@pytest.mark.parametrize("n", [-2, -1, 0, 1, 2, 3])
@pytest.mark.parametrize("x", ["i32[2, 2]", "full((2, 2), 2.0)", "full((2, 2), 2)", "bool[2, 2]",
                               "f16[2, 2]", "i8[3, 2, 2]"])
def test_matrix_power_dtype_follows_the_exponent_as_jax(x, n):
    # n < 0 inverts first (inexact, strong), n == 0 is an eye of the
    # operand's dtype (strong), n > 0 multiplies (a weak type kept)
    from test_ops_arrays import assert_jaxs
    assert_jaxs(f"jnp.linalg.matrix_power({x}, {n})")


@pytest.mark.parametrize("text", [
    "lax.dynamic_slice((5,6), [f32[]], (2,2,2))",
    "lax.dynamic_slice((5,6), [f32[]], (2,2))",
    "lax.dynamic_slice((5,6), [f32[], 0], (2,2,2))",
    "lax.dynamic_slice((5,6), [f32[], 0], (2,))",
    "lax.dynamic_slice((5,6), f32[1], (2,2))",
    "lax.dynamic_slice((5,6), f32[3], (2,2))",
    "lax.dynamic_slice((5,6), [f32[], 0, 0], (2,2))",
    "lax.dynamic_slice((5,6), [i16[], 0], (2,2,2))",
    "lax.dynamic_slice((5,6), [i16[]], (2,2))",
    "lax.dynamic_slice((5,6), [0, 0], (2,2,2))",
    "lax.dynamic_slice((5,6), [f32[], 0], (6,2))",
    "lax.dynamic_slice((5,6), [f32[], 0], (2,2))",
    "lax.dynamic_slice((5,6), f32[2], (2,2))",
    "lax.dynamic_slice((5,6), [i16[], 0], (2,2))",
    "lax.dynamic_slice((5,6), [u8[], u8[]], (2,2))",
    "lax.dynamic_update_slice((5,6), (2,2), [f32[]])",
    "lax.dynamic_update_slice((5,6), (2,2,2), [f32[], 0])",
    "lax.dynamic_update_slice((5,6), f16[2,2], [0])",
    "lax.dynamic_update_slice((5,6), f16[2,2], [0, 0])",
    "lax.dynamic_update_slice((5,6), f16[7,2], [0, 0])",
    "lax.dynamic_update_slice((5,6), (2,2), [0, f32[]])",
    "lax.dynamic_update_slice((5,6), f16[2,2], [0, f32[]])",
    "lax.dynamic_slice_in_dim((5,6), f32[], 2, axis=3)",
    "lax.dynamic_index_in_dim((5,6), 1.0, axis=3)",
    "lax.dynamic_index_in_dim((5,6), 1.0)",
    "lax.dynamic_slice_in_dim((5,6), f32[], 7, axis=1)",
])
def test_dynamic_slices_check_lengths_and_shapes_before_dtypes_as_jax(text):
    # lax's wrapper counts the start indices (ValueError), the shape rule
    # runs next (slice_sizes, update shape: TypeError, an axis: IndexError),
    # the dtype rule last
    from test_ops_arrays import assert_jaxs
    assert_jaxs(text)


@pytest.mark.parametrize("x", ["(3, 3)", "(2, 3, 4)", "(3,)"])
@pytest.mark.parametrize("axis", ["(0, 0)", "(1, 1)", "(-1, -1)", "(2, 2)", "(0, 1)"])
@pytest.mark.parametrize("ord", ["None", "jnp.inf", "-jnp.inf", "1", "-1", "2", "'nuc'", "'fro'"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_norm_with_one_axis_twice_as_jax(x, axis, ord, keepdims):
    # JAX's matrix-norm arithmetic runs with the repeated axis: 1 and inf
    # reduce it twice (the second time possibly out of range), 'nuc' and 2
    # transpose with a repeated axis, 'fro' reduces a duplicate axis
    from test_ops_arrays import assert_jaxs
    assert_jaxs(f"jnp.linalg.norm({x}, ord={ord}, axis={axis}, keepdims={keepdims})")
