"""Advanced indexing in lambda bodies (integer index arrays, boolean masks,
Python bools, 0-d arrays, arrays as slice bounds), and the fidelity fixes
found with JAX's test suite: Python ints outside int32, jit's non-hashable
static arguments, dict keys.

Rows are checked as in test_table.py: the engine's answer is the row's, the
checker agrees with ``jax.eval_shape`` at sampled sizes with nothing
unchecked, and the expected shape evaluated at those sizes is what JAX gave
(for error rows: JAX raised the row's class).
"""
from __future__ import annotations

import pytest

import shapeinfer
from test_table import assert_dtype_row, assert_error_row, assert_ok_row, bug, err, ok

# x has three axes of sizes a, b, d; the index arrays are i (c,) and j (k, 1),
# which broadcast to (k, c).
X = "(a, b, d)"
I = "i32[c]"
J = "i32[k, 1]"


def one(body: str, index: str = I, x: str = X) -> str:
    return f"(lambda x, i: {body})({x}, {index})"


def two(body: str, i: str = I, j: str = J, x: str = X) -> str:
    return f"(lambda x, i, j: {body})({x}, {i}, {j})"


GATHER = [
    # one index array
    ok(one("x[i]"), "(c, b, d)"),
    ok(one("x[:, i]"), "(a, c, d)"),
    ok(one("x[:, :, i]"), "(a, b, c)"),
    ok(one("x[..., i]"), "(a, b, c)"),
    ok(one("x[i, ...]"), "(c, b, d)"),
    ok(one("x[i, :]"), "(c, b, d)"),
    ok(one("x[(i,)]"), "(c, b, d)", id="a one-tuple index"),
    ok(one("x[i]", "i32[k, c]"), "(k, c, b, d)"),
    ok(one("x[:, i]", "i32[k, c]"), "(a, k, c, d)"),
    ok(one("x[i]", "i32[]"), "(b, d)", id="a 0-d index array is an int"),
    ok(one("x[:, i]", "i32[]"), "(a, d)"),
    ok(one("x[i, :, i]", "i32[]"), "(b,)"),
    ok(one("x[i]", "u8[c]"), "(c, b, d)", id="unsigned index"),
    ok(one("x[i]", "i8[c]"), "(c, b, d)"),
    ok(one("x[i]", "i16[c]"), "(c, b, d)"),
    ok(one("x[i]", "u32[c]"), "(c, b, d)"),
    ok(one("x[i]", "i32[0]"), "(0, b, d)", id="an empty index array"),
    ok(one("x[i]", I, "(n,)"), "(c,)"),
    ok(one("x[i]", I, "i32[n, m]"), "(c, m)"),
    ok(one("x[i]", I, "bool[n, m]"), "(c, m)"),
    # several index arrays broadcast together
    ok(two("x[i, j]"), "(k, c, d)"),
    ok(two("x[:, i, j]"), "(a, k, c)"),
    ok(two("x[..., i, j]"), "(a, k, c)"),
    ok(two("x[i, j, :]"), "(k, c, d)"),
    ok(two("x[(i, j)]"), "(k, c, d)", id="a tuple of arrays"),
    ok(two("x[i, j]", I, "i32[c]"), "(c, d)"),
    ok(two("x[i, j]", "i32[1]", "i32[c]"), "(c, d)"),
    ok(two("x[i, j]", "i32[]", "i32[k, c]"), "(k, c, d)"),
    ok(two("x[i, j, i]"), "(k, c)"),
    # separated by a slice, None or ...: the broadcast dims go first
    ok(two("x[i, :, j]"), "(k, c, b)"),
    ok(two("x[i, ..., j]"), "(k, c, b)"),
    ok(two("x[i, None, j]"), "(k, c, 1, d)"),
    ok(two("x[None, i, j]"), "(1, k, c, d)"),
    ok(two("x[i, j, None]"), "(k, c, 1, d)"),
    ok(two("x[:, None, i, j]"), "(a, 1, k, c)"),
    ok(two("x[i, 1:, j]"), "(k, c, b - 1)"),
    ok(two("x[i, ::2, j]"), "(k, c, (b + 1) // 2)"),
    ok(two("x[j, :, i]", "i32[c]", "i32[k, 1]", "(a, b, d, e)"), "(k, c, b, e)"),
    ok(two("x[:, i, :, j]", I, J, "(a, b, d, e)"), "(k, c, a, d)"),
    ok(two("x[:, i, j, :]", I, J, "(a, b, d, e)"), "(a, k, c, e)"),
    # Python ints beside index arrays are advanced indices (0-d)
    ok(one("x[0, i]"), "(c, d)"),
    ok(one("x[i, 0]"), "(c, d)"),
    ok(one("x[-1, i]"), "(c, d)"),
    ok(one("x[i, -2]"), "(c, d)"),
    ok(one("x[0, :, i]"), "(c, b)", id="an int separated from the array: dims go first"),
    ok(one("x[:, i, 0]"), "(a, c)"),
    ok(one("x[0, i, 0]"), "(c,)"),
    ok(one("x[i, :, -1]"), "(c, b)"),
    ok(one("x[:, 0, :, i]", I, "(a, b, d, e)"), "(c, a, d)"),
    ok(one("x[5, i]"), "(c, d)", id="an int out of range is clamped"),
    ok(one("x[0, :, i]", "i32[]"), "(b,)", id="only 0-d indices: basic indexing"),
    # mixed with slices, None and ...
    ok(one("x[i, 1:]"), "(c, b - 1, d)"),
    ok(one("x[i, :2]"), "(c, min(b, 2), d)"),
    ok(one("x[1:, i]"), "(a - 1, c, d)"),
    ok(one("x[::-1, i]"), "(a, c, d)"),
    ok(one("x[None, i]"), "(1, c, b, d)"),
    ok(one("x[i, None]"), "(c, 1, b, d)"),
    ok(one("x[..., None, i]"), "(a, b, 1, c)"),
    ok(one("x[None, ..., i]"), "(1, a, b, c)"),
    ok(one("x[i][0]"), "(b, d)"),
    ok(one("x[i][:, i]"), "(c, c, d)"),
    ok(one("x[:, i][i]"), "(c, c, d)"),
    ok(one("x[i].T"), "(d, b, c)"),
    # a list of ints inside an index is an int32 array
    ok("(lambda x: x[[0, 1], 0])((a, b))", "(2,)"),
    ok("(lambda x: x[[0, 1, 1], :])((a, b))", "(3, b)"),
    ok("(lambda x: x[:, [0, 0]])((a, b))", "(a, 2)"),
    ok("(lambda x: x[[], 0])((a, b))", "(0,)"),
    ok("(lambda x: x[(0, 1), 0])((a, b))", "(2,)", id="a nested tuple is an array too"),
    ok(one("x[i, [0, 1, 2]]", "i32[3]"), "(3, d)"),
    ok("(lambda x: x[[True, 1], 0])((a, b))", "(2,)", id="bools among ints are ints"),
    # a list of Python bools is a concrete mask: it picks its True places
    ok("(lambda x: x[[True, False, True], 0])((3, b))", "(2,)"),
    ok("(lambda x: x[0, [True, False, True, True]])((a, 4))", "(3,)"),
    ok("(lambda x: x[[False, False, False], 0])((3, b))", "(0,)"),
    ok("(lambda x: x[..., [True, False, True, True]])((a, 4))", "(a, 3)"),
    ok(one("x[[True, False, True], :, i]", "i32[2]", "(3, b, d)"), "(2, b)"),
    err("(lambda x: x[[True, False], 0])((3, b))", "index", "IndexError"),
    # Python bools: an index array of shape (1,) or (0,) over a new axis
    ok("(lambda x: x[True])((a, b))", "(1, a, b)"),
    ok("(lambda x: x[False])((a, b))", "(0, a, b)"),
    ok("(lambda x: x[:, True])((a, b))", "(a, 1, b)"),
    ok("(lambda x: x[..., True])((a, b))", "(a, b, 1)"),
    ok("(lambda x: x[True, 0])((a, b))", "(1, b)"),
    ok(one("x[True, i]"), "(c, b, d)"),
    ok(one("x[:, i, :, True]"), "(a, c, d)"),
    ok("(lambda x: x[None, True])((a, b, d))", "(1, 1, 1, b, d)",
       id="JAX inserts a bool's axis at its place in the index, counting None"),
    err("(lambda x: x[None, False])(f32[])", "index", "ValueError",
        id="a bool's place in the index is past the array's axes"),
    err("(lambda x: x[::2, None, ::-1, False])((a, b))", "index", "ValueError"),
    ok("(lambda x: x[::2, ::-1, False])((a, b))", "((a + 1) // 2, b, 0)"),
    # arithmetic on index arrays, and index arrays made in the body
    ok(one("x[i + 1]"), "(c, b, d)"),
    ok(one("x[argmax(x, axis=0)]"), "(b, d, b, d)"),
    ok("(lambda x: x[arange(3)])((a, b))", "(3, b)"),
    ok("(lambda x: x[zeros((c,), jnp.int32)])((a, b))", "(c, b)"),
    ok(one("x[i.astype(jnp.int32)]", "u8[c]"), "(c, b, d)"),
    ok(one("x[i] * 2.0"), "(c, b, d)"),
    ok(one("sum(x[i], axis=0)"), "(b, d)"),
    ok(one("(x[i], x[:, i])"), "((c, b, d), (a, c, d))"),
    # jit: arguments are traced, and a 0-d one is an index like an int
    ok("jit(lambda x, k: x[k])((a, b), 3)", "(b,)"),
    ok("jit(lambda x, k: x[k, :])((a, b), 0)", "(b,)"),
    ok("jit(lambda x, i: x[i])((a, b), i32[c])", "(c, b)"),
    ok("jit(lambda x, k: x[:k], static_argnums=1)((n,), 3)", "(min(n, 3),)"),
    ok("jit(lambda x, k: x[:k], static_argnames='k')((n,), k=3)", "(min(n, 3),)"),
    ok("(lambda x, k: x[:k])((n,), 3)", "(min(n, 3),)", id="a Python int bound outside jit"),
]

UNDER_TRANSFORMS = [
    # batched index arrays
    ok("vmap(lambda x, i: x[i], (None, 0))((n, m), i32[b])", "(b, m)"),
    ok("vmap(lambda x, i: x[i], (None, 0))((n, m), i32[b, c])", "(b, c, m)"),
    ok("vmap(lambda x, i: x[:, i], (None, 0))((n, m), i32[b])", "(b, n)"),
    ok("vmap(lambda x, i: x[i], (0, 0))((b, n, m), i32[b, c])", "(b, c, m)"),
    ok("vmap(lambda x, i: x[i], (0, None))((b, n, m), i32[c])", "(b, c, m)"),
    ok("vmap(lambda x, i: x[i], (None, 1))((n, m), i32[c, b])", "(b, c, m)"),
    ok("vmap(lambda x, i: x[i], (None, 0), 1)((n, m), i32[b, c])", "(c, b, m)"),
    ok("vmap(lambda x, i, j: x[i, :, j], (None, 0, None))((n, m, p), i32[b, c], i32[c])",
       "(b, c, m)"),
    ok("vmap(lambda x, i: x[0, i], (None, 0))((n, m), i32[b, c])", "(b, c)"),
    # nested vmap
    ok("vmap(vmap(lambda x, i: x[i], (None, 0)), (None, 0))((n, m), i32[b, c])", "(b, c, m)"),
    ok("vmap(vmap(lambda x, i: x[i], (0, None)), (None, 0))((a, n, m), i32[b, c])",
       "(b, a, c, m)"),
    ok("vmap(vmap(lambda x, i: x[i]), (0, None))((b, a, n), i32[a, c])", "(b, a, c)"),
    # out_axes=None is fine when neither the array nor the index is batched
    ok("vmap(lambda x, i, y: x[i], (None, None, 0), None)((n, m), i32[c], (b,))", "(c, m)"),
    # derivatives through a gather: the gradient has x's shape
    ok("grad(lambda x, i: sum(x[i]))((n, m), i32[k])", "(n, m)"),
    ok("grad(lambda x, i: sum(x[i, :, i]))((n, m, p), i32[k])", "(n, m, p)"),
    ok("grad(lambda x: sum(x[[0, 1], ...]))((n,))", "(n,)"),
    ok("grad(lambda x, k: x[k])((n,), 0)", "(n,)"),
    ok("jacfwd(lambda x, i: x[i])((n,), i32[k])", "(k, n)"),
    ok("jacrev(lambda x, i: x[i])((n, m), i32[k])", "(k, m, n, m)"),
    ok("value_and_grad(lambda x, i: sum(x[:, i]))((n, m), i32[k])", "((), (n, m))"),
    ok("vmap(grad(lambda x, i: sum(x[i])), (None, 0))((n,), i32[b, k])", "(b, n)"),
    ok("vmap(grad(lambda x, i: sum(x[i])), (0, None))((b, n), i32[k])", "(b, n)"),
    ok("jit(grad(lambda x, i: sum(x[i])))((n, m), i32[k])", "(n, m)"),
    ok("checkpoint(lambda x, i: x[i])((n, m), i32[k])", "(k, m)"),
    ok("vmap(lambda x, i: x[i].sum(), (None, 0))((n, m), i32[b, k])", "(b,)"),
    ok("vmap(lambda x: x[argmax(x)])((b, n))", "(b,)"),
    # the gradient of a gather is a scatter at the indices: batched with
    # them, not with x (its values do not matter)
    ok("vmap(grad(lambda x, i: sum(x[i])), (0, None), None)((b, n), i32[k])", "(n,)"),
    err("vmap(grad(lambda x, i: sum(x[i])), (None, 0), None)((n,), i32[b, k])",
        "vmap-out-axes-none", "ValueError"),
    err("vmap(lambda x, i: x[i], (None, 0), None)((n, m), i32[b])", "vmap-out-axes-none",
        "ValueError", id="a gather at batched indices is batched"),
    ok("lax.scan(lambda c, i: (c, c[i]), (n,), i32[t, k])", "((n,), (t, k))"),
]

ERRORS = [
    # index dtypes: integer or bool only
    err(one("x[i]", "f32[c]"), "index", "TypeError", "i"),
    err(one("x[i]", "bf16[c]"), "index", "TypeError"),
    err(one("x[i]", "f32[]"), "index", "TypeError", id="a 0-d float array"),
    err(one("x[0, i]", "c64[c]"), "index", "TypeError"),
    err(one("x[i, 1.5]"), "index", "TypeError"),
    err(one("x[i, 'a']"), "index", "TypeError"),
    err("(lambda x: x['a'])((a,))", "index", "TypeError"),
    err("(lambda x: x[sin])((a,))", "index", "IndexError", "sin"),
    err("(lambda x: x[jnp.float32])((a,))", "index", "IndexError"),
    err("(lambda x: x[0, {}])((a, b))", "index", "IndexError"),
    err("(lambda x: x[lambda: 0])((a,))", "index", "IndexError"),
    # index arrays must broadcast
    err(two("x[i, j]", "i32[3]", "i32[4]"), "broadcast", "ValueError"),
    err(two("x[i, :, j]", "i32[3]", "i32[2, 4]"), "broadcast", "ValueError"),
    err("(lambda x: x[False, [0, 1]])((a, b))", "broadcast", "ValueError",
        id="False is an index array of shape (0,)"),
    # too many indices, two ellipses
    err(one("x[i, i, i, i]"), "index", "IndexError"),
    err(one("x[i]", I, "f32[]"), "index", "IndexError", id="indexing a 0-d array"),
    err(one("x[i, ..., ...]"), "index", "IndexError"),
    err(one("x[i, ::0]"), "index", "ValueError"),
    # gathering from an empty axis: XLA's TypeError, unless the result is empty
    err(one("x[i]", "i32[3]", "(0, b)"), "index", "TypeError"),
    err(one("x[0, i]", "i32[3]", "(0, b)"), "index", "TypeError"),
    ok(one("x[i, :0]", "i32[3]", "(0, b)"), "(3, 0)"),
    ok(one("x[i]", "i32[0]", "(0, b)"), "(0, b)"),
    err(one("x[i]", "i32[]", "(0, b)"), "index", "IndexError", id="a 0-d index is an int"),
    # a non-tuple sequence
    err("(lambda x: x[[0, 1]])((a, b))", "index", "TypeError"),
    err("(lambda x: x[[]])((a, b))", "index", "TypeError"),
    # boolean masks: the result's size depends on the values
    err("(lambda x: x[x > 0])((a, b))", "index", "NonConcreteBooleanIndexError", "x > 0"),
    err("(lambda x, m: x[m])((a, b), bool[a])", "index", "NonConcreteBooleanIndexError"),
    err("(lambda x, m: x[m])((a, b), bool[a, b])", "index", "NonConcreteBooleanIndexError"),
    err("(lambda x, m: x[m])((a, b), bool[])", "index", "NonConcreteBooleanIndexError",
        id="a 0-d mask"),
    err("(lambda x, m: x[:, m])((a, b), bool[b])", "index", "NonConcreteBooleanIndexError"),
    err("(lambda x, m: x[m, 0])((a, b), bool[a])", "index", "NonConcreteBooleanIndexError"),
    err("(lambda x: x[zeros((a,), jnp.bool_)])((a, b))", "index", "NonConcreteBooleanIndexError"),
    err("jit(lambda x: x[x > 0])((a,))", "index", "NonConcreteBooleanIndexError"),
    err("vmap(lambda x: x[x > 0])((b, n))", "index", "NonConcreteBooleanIndexError"),
    err("(lambda x, m: x[m])((a, b), bool[a, b, 1])", "index", "IndexError",
        id="a mask with too many axes is too many indices first"),
    err("(lambda x, m: x[m, 1.5])((a, b), bool[a])", "index", "TypeError",
        id="a float index is rejected before the mask"),
    # an array as a slice bound: JAX's IndexError, with a static_argnums hint
    err("jit(lambda x, k: x[:k])((n,), 3)", "index", "IndexError", ":k"),
    err("jit(lambda x, k: x[k:])((n,), 3)", "index", "IndexError"),
    err("jit(lambda x, k: x[::k])((n,), 2)", "index", "IndexError"),
    err("(lambda x, k: x[:k])((n,), i32[])", "index", "IndexError"),
    err("(lambda x, i, k: x[i, :k])((n, m), i32[c], i32[])", "index", "IndexError"),
    err("vmap(lambda x, k: x[:k])((b, n), i32[b])", "index", "IndexError"),
    err("(lambda x, w, k: x[w, :k])((n, m), bool[n], i32[])", "index",
        "NonConcreteBooleanIndexError", id="the mask is rejected before the slice"),
    # out of int32 (x64 is off)
    err("(lambda x: x[2147483648])((a,))", "bad-argument", "OverflowError"),
    err("(lambda x: x[-2147483649])((a,))", "bad-argument", "OverflowError"),
    err(one("x[i, 2147483648]"), "bad-argument", "OverflowError"),
    err("(lambda x: x[[0, 2147483648], 0])((a, b))", "bad-argument", "OverflowError"),
    ok("(lambda x: x[2147483647])((a,))", "()"),
    ok("(lambda x: x[-2147483648])((a,))", "()"),
    ok("(lambda x: x[:2147483648])((a,))", "(min(a, 2147483648),)", id="slice bounds stay static"),
]

# Python ints outside int32 are JAX's OverflowError where JAX converts them
# to arrays, and fine where it reads them as static values.
INT32 = [
    err("add(i32[a], 2147483648)", "bad-argument", "OverflowError", "2147483648"),
    err("add(f32[a], 2147483648)", "bad-argument", "OverflowError"),
    err("add(f32[a], -2147483649)", "bad-argument", "OverflowError"),
    err("(lambda x: x * 2147483648)((a,))", "bad-argument", "OverflowError"),
    err("ones((a,)) + 2147483648", "bad-argument", "OverflowError"),
    err("jit(lambda x: x)(2147483648)", "bad-argument", "OverflowError"),
    err("jit(lambda x: x)(-2147483649)", "bad-argument", "OverflowError"),
    err("vmap(lambda x, k: x + k, (0, None))((b,), 2147483648)", "bad-argument",
        "OverflowError"),
    err("grad(lambda x, k: x * k)(f32[], 2147483648)", "bad-argument", "OverflowError"),
    err("where(bool[a], (a,), 2147483648)", "bad-argument", "OverflowError"),
    err("maximum((a,), 2147483648)", "bad-argument", "OverflowError"),
    err("clip((a,), 0, 2147483648)", "bad-argument", "OverflowError"),
    err("sin(2147483648)", "bad-argument", "OverflowError"),
    err("sum(2147483648)", "bad-argument", "OverflowError"),
    err("lax.cond(True, lambda x: x, lambda x: x, 2147483648)", "bad-argument",
        "OverflowError"),
    err("(lambda x: (x, 2147483648))((a,))", "bad-argument", "OverflowError",
        id="an output"),
    ok("add(f32[a], -2147483648)", "(a,)"),
    ok("add(f32[a], 2147483647)", "(a,)"),
    ok("add(f32[a], 2147483648.0)", "(a,)", id="a float literal"),
    ok("jit(lambda x: x)(2147483647)", "()"),
    ok("zeros((2147483648,))", "(2147483648,)", id="a static shape"),
    ok("arange(2147483648)", "(2147483648,)"),
    ok("jit(lambda x, k: x, static_argnums=1)((a,), 2147483648)", "(a,)",
       id="a static argument"),
    ok("(lambda x: x ** 2147483648)((a,))", "(a,)", id="an integer exponent"),
    ok("power((a,), 2147483648)", "(a,)"),
    ok("full((a,), 2147483648)", "(a,)", id="full's fill_value"),
    ok("jnp.full((a,), 2147483648, jnp.float32)", "(a,)"),
    ok("zeros_like(2147483648)", "()"),
    ok("lax.convert_element_type(2147483648, jnp.float32)", "()"),
    ok("lax.switch(2147483648, [lambda x: x, lambda x: x], (a,))", "(a,)",
       id="a Python int picks a branch in Python"),
    ok("lax.cond(2147483648, lambda x: x, lambda x: -x, (a,))", "(a,)"),
    ok("lax.fori_loop(0, 2147483648, lambda i, c: c, (a,))", "(a,)", id="a trip count"),
    err("lax.fori_loop(-2147483649, 0, lambda i, c: c, (a,))", "bad-argument", "OverflowError",
        id="the loop index starts at lower"),
    ok("triu((a, a), 2147483648)", "(a, a)", id="triu takes k - 1"),
    err("tril((a, a), 2147483648)", "bad-argument", "OverflowError",
        marks=bug("tril converts k to an int32 array; a rule's int parameter cannot say so")),
]

STATIC = [
    err("jit(lambda x, s: x, static_argnums=1)((n,), [1])", "bad-argument", "ValueError", "[1]"),
    err("jit(lambda x, s: x, static_argnums=1)((n,), [])", "bad-argument", "ValueError"),
    err("jit(lambda x, s: x, static_argnums=1)((n,), {'a': 1})", "bad-argument", "ValueError"),
    err("jit(lambda x, s: x, static_argnums=1)((n,), (1, [2]))", "bad-argument", "ValueError"),
    err("jit(lambda x, s: x, static_argnames='s')((n,), s=[1])", "bad-argument", "ValueError"),
    err("jit(lambda x, s: x, static_argnames='s')((n,), [1])", "bad-argument", "ValueError",
        id="static_argnames given positionally"),
    err("jit(lambda x, s: x, static_argnums=1)((n,), s={})", "bad-argument", "ValueError",
        id="static_argnums given by keyword"),
    err("partial(jit(lambda x, k: x, static_argnames='k'), k=[1])((n,))", "bad-argument",
        "ValueError"),
    err("partial(jit(lambda x, k: x, static_argnums=1), (n,))([1])", "bad-argument",
        "ValueError"),
    ok("jit(partial(lambda x, k: x, k=[1]), static_argnames='k')((n,))", "(n,)",
       id="a partial's list is not a jit argument"),
    ok("jit(lambda x, s: x, static_argnums=1)((n,), (1, 2.5, 'a', None))", "(n,)"),
    ok("checkpoint(lambda x, s: x, static_argnums=1)((n,), [1])", "(n,)",
       id="checkpoint does not hash"),
]

DICT_KEYS = [
    ok("(lambda d: d)({(1, 2): (a,), (0, 5): (b,)})", "{(0, 5): (b,), (1, 2): (a,)}"),
    ok("(lambda d: d)({None: (a,)})", "{None: (a,)}"),
    ok("(lambda d: d)({1.5: (a,), 2: (b,)})", "{1.5: (a,), 2: (b,)}"),
    ok("(lambda d: d)({True: (a,), 0: (b,)})", "{0: (b,), True: (a,)}"),
    ok("{1: (a,), 'a': (b,)}[1]", "(a,)", id="a mixed dict that is never flattened"),
    ok("vmap(lambda d: d[None], ({None: 0},))({None: (b, a)})", "(b, a)"),
    ok("jit(lambda d: d[(1, 2)])({(1, 2): (a,), (0, 5): (b,)})", "(a,)"),
    err('(lambda d: d)({1: (a,), "b": (b,)})', "bad-argument", "ValueError"),
    err("(lambda d: d)({None: (a,), 'b': (b,)})", "bad-argument", "ValueError"),
    err("(lambda d: d)({(1,): (a,), 2: (b,)})", "bad-argument", "ValueError"),
    err("jit(lambda d: d)({1: (a,), 'a': (b,)})", "bad-argument", "ValueError"),
    err("vmap(lambda d: d)({1: (a,), 'a': (a,)})", "bad-argument", "ValueError"),
    err("(lambda x: {1: x, 'a': x})((a,))", "bad-argument", "ValueError", id="an output"),
    err("{[1]: (a,)}", "bad-argument", "TypeError", id="an unhashable key"),
]


def _rows(rows, kind):
    return [r for r in rows if (len(r.values) == 2) == (kind == "ok")]


@pytest.mark.parametrize("expr,expected",
                         _rows(GATHER + UNDER_TRANSFORMS + ERRORS + INT32 + STATIC + DICT_KEYS,
                               "ok"))
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr,code,exception,blame",
                         _rows(GATHER + UNDER_TRANSFORMS + ERRORS + INT32 + STATIC + DICT_KEYS,
                               "err"))
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr,dtype,weak", [
    (one("x[i]", I, "i8[a, b]"), "i8", False),
    (one("x[i]", I, "bool[a]"), "bool", False),
    (one("x[i, 0]", I, "u8[a, b]"), "u8", False),
    ("jit(lambda x, k: x[k])((a, b), 3)", "f32", False),
    ("full((a,), 2147483648)", "i32", True),
])
def test_index_keeps_the_dtype(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)


def test_mask_message_suggests_where():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("(lambda x: x[x > 0])((a, b))")
    assert "jnp.where" in info.value.message and "True values" in info.value.message


def test_slice_bound_message_suggests_static_argnums():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("jit(lambda x, k: x[:k])((n,), 3)")
    assert "static_argnums" in info.value.message


@pytest.mark.parametrize("expr", [
    "(lambda x: x[(True, False), 0])((2, c))",  # a tuple of bools: JAX's own AssertionError
    "(lambda x, i: x[[i, i], 0])((a, b), i32[c])",  # a list of arrays is stacked
    "(lambda x: x[[[0, 1]], 0])((a, b))",  # a nested list
])
def test_index_forms_not_modelled_are_unchecked_not_agreed(expr):
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer(expr)
    assert info.value.code == "unsupported"
    report = shapeinfer.check(expr, samples=1)
    assert report.unsupported and all(c.oracle is None for c in report.cases)
