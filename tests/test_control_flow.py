"""lax.cond, lax.switch, lax.fori_loop, lax.while_loop, lax.scan
(shapeinfer/control_flow.py): shapes, dtypes and JAX's checks, every row
confirmed by jax.eval_shape as in test_table.py."""
from __future__ import annotations

import pytest

import shapeinfer
from test_table import assert_dtype_row, assert_error_row, assert_ok_row, err, ok

VALID = [
    # cond / switch
    ok("lax.cond(True, lambda x: x, lambda x: -x, (n, m))", "(n, m)"),
    ok("jax.lax.cond(bool[], lambda x, y: x + y, lambda x, y: x * y, (a, b), (b,))", "(a, b)"),
    ok("lax.cond(i32[], lambda: (a,), lambda: (a,))", "(a,)"),
    ok("lax.cond(f32[], lambda x: (x, x[0]), lambda x: (-x, x[1]), (n, m))", "((n, m), (m,))"),
    ok("lax.cond(True, lambda x: 1.0, lambda x: x[0], (a,))", "()",
       id="a weak branch output meets a strong one"),
    ok("lax.switch(1, [lambda x: x, lambda x: x * 2, sin], (a,))", "(a,)"),
    ok("lax.switch(i32[], (lambda x: x.T, lambda x: x.T), (a, b))", "(b, a)"),
    # loops
    ok("lax.fori_loop(0, 10, lambda i, c: c + i, (n,))", "(n,)"),
    ok("lax.fori_loop(0, n, lambda i, c: (c[0] * 2, c[1]), ((a,), (b,)))", "((a,), (b,))"),
    ok("lax.fori_loop(0, 3, lambda i, c: c + f32[], 0)", "()",
       id="a weak initial carry is promoted"),
    ok("lax.while_loop(lambda c: c[0] < 3, lambda c: c + 1, (n,))", "(n,)"),
    ok("lax.while_loop(lambda c: c[1] > 0, lambda c: (c[0] * c[0].T, c[1] - 1), ((n, n), i32[]))",
       "((n, n), ())"),
    ok("lax.scan(lambda c, x: (c + x, c * x), (n,), (t, n))", "((n,), (t, n))"),
    ok("lax.scan(lambda c, x: (c, x[0] + x[1]), (n,), ((t, n), (t, n)))", "((n,), (t, n))"),
    ok("lax.scan(lambda c, x: (c, c), (n,), None, length=t)", "((n,), (t, n))"),
    ok("lax.scan(lambda c, x: (c, None), (n,), (t, n), reverse=True)", "((n,), None)"),
    ok("lax.scan(lambda c, x: (c + x[0], x), f32[], (t, n))", "((), (t, n))"),
    # under vmap: a batched predicate, a carry the body batches
    ok("vmap(lambda p, x: lax.cond(p, lambda x: x, lambda x: -x, x))(bool[b], (b, n))",
       "(b, n)"),
    ok("vmap(lambda x: lax.scan(lambda c, y: (c + y, y), f32[], x))((b, t))", "((b,), (b, t))"),
    ok("vmap(lambda x: lax.fori_loop(0, 3, lambda i, c: c + x, f32[]), 0, 0)((b,))", "(b,)"),
    ok("vmap(lambda x: lax.while_loop(lambda c: c[0] < x, lambda c: c + 1, (n,)))((b,))",
       "(b, n)"),
    ok("vmap(lambda x: lax.cond(True, lambda: f32[], lambda: f32[]), 0, None)((b,))", "()",
       id="unbatched branches stay unbatched under out_axes=None"),
]

ERRORS = [
    err("lax.cond(bool[], lambda x: x, lambda x: x[0], (n, m))", "dim-mismatch", "TypeError"),
    err("lax.cond(True, lambda x: x, lambda x: i32[n], (n,))", "dim-mismatch", "TypeError"),
    err("lax.cond(True, lambda x: (x, x), lambda x: x, (n,))", "dim-mismatch", "TypeError"),
    err("lax.cond(bool[n], lambda x: x, lambda x: x, (n,))", "bad-argument", "TypeError"),
    err("lax.cond(c64[], lambda: 1, lambda: 2)", "dtype", "TypeError"),
    err("lax.cond(True, 1, lambda: 2)", "bad-argument", "TypeError"),
    err("lax.cond(True, lambda: 1, lambda: 1.5)", "dim-mismatch", "TypeError"),
    err("lax.switch(1, [lambda x: x, lambda x: x[0]], (a,))", "dim-mismatch", "TypeError"),
    err("lax.switch(f32[], [sin], (a,))", "dtype", "TypeError"),
    err("lax.switch(True, [sin, cos], (a,))", "dtype", "TypeError"),
    err("lax.switch(i32[2], [sin, cos], (a,))", "bad-argument", "TypeError"),
    err("lax.switch(0, [], (a,))", "bad-argument", "ValueError"),
    err("lax.fori_loop(0, 10, lambda i, c: c[0], (n,))", "dim-mismatch", "TypeError"),
    err("lax.fori_loop(0, 10, lambda i, c: c + 1.5, i32[n])", "dim-mismatch", "TypeError"),
    err("lax.while_loop(lambda c: c < 3, lambda c: c + 1, (n,))", "bad-argument", "TypeError"),
    err("lax.while_loop(lambda c: True, lambda c: (c, c), (n,))", "dim-mismatch", "TypeError"),
    err("lax.while_loop(lambda c: 1, lambda c: c, 0.0)", "bad-argument", "TypeError"),
    err("lax.scan(lambda c, x: (c[None] + x, c * x), (n,), (t, n))", "dim-mismatch", "TypeError"),
    err("lax.scan(lambda c, x: (i32[n], x), (n,), (t, n))", "dim-mismatch", "TypeError"),
    err("lax.scan(lambda c, x: c, (n,), (t, n))", "bad-argument", "TypeError"),
    err("lax.scan(lambda c, x: (c, x), (n,), ((5, n), (4, n)))", "dim-mismatch", "ValueError"),
    err("lax.scan(lambda c, x: (c, c), (n,), None)", "bad-argument", "ValueError"),
    err("lax.scan(lambda c, x: (c, x), (n,), (5, n), length=4)", "dim-mismatch", "ValueError"),
]


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


def test_messages_name_both_types():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("lax.cond(bool[], lambda x: x, lambda x: x[0], (n, m))")
    assert "f32[m]" in info.value.message and "f32[n,m]" in info.value.message
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("lax.scan(lambda c, x: (c[None] + x, c * x), (n,), (t, n))")
    assert "f32[n]" in info.value.message and "f32[1,n]" in info.value.message


@pytest.mark.parametrize("expr, dtype, weak", [
    ("lax.fori_loop(0, 3, lambda i, c: c + f32[], 0)", "f32", False),
    ("lax.fori_loop(0, 3, lambda i, c: 1.0, f32[])", "f32", True),
    ("lax.while_loop(lambda c: c < 1, lambda c: c + 1, 0)", "i32", True),
    ("lax.cond(True, lambda: i32[], lambda: 2)", "i32", True),
    ("lax.cond(True, lambda: 2, lambda: i32[])", "i32", False),
])
def test_weak_types_follow_jax(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)


def test_differentiating_through_while_loop_is_not_guessed():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("grad(lambda x: lax.while_loop(lambda c: c < 1, lambda c: c * 2, x))"
                         "(f32[])")
    assert info.value.code == "unsupported"


TREE_MAP = [
    ok('jax.tree.map(lambda x: x * 2, {"a": (2,), "b": ((a,), (b, c))})',
       "{'a': (2,), 'b': ((a,), (b, c))}"),
    ok("jax.tree.map(lambda x, y: x + y, ((a,), (b,)), ((a,), (b,)))", "((a,), (b,))"),
    ok("jax.tree.map(lambda x, y: x, ((a,), (b,)), (((a,), (1,)), (b,)))", "((a,), (b,))",
       id="the other trees may be deeper"),
    ok("jax.tree.map(lambda x: x, ((a,), None))", "((a,), None)"),
    ok("jax.tree_util.tree_map(lambda x: x.T, [(a, b)])", "[(b, a)]"),
    ok("vmap(lambda p: jax.tree.map(sin, p))(((n, a), (n,)))", "((n, a), (n,))"),
]


@pytest.mark.parametrize("expr, expected", TREE_MAP)
def test_tree_map(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", [
    err("jax.tree.map(lambda x, y: x + y, ((a,), (b,)), ((a,),))", "dim-mismatch", "ValueError"),
    err("jax.tree.map(lambda x, y: x + y, ((a,), (b,)), [(a,), (b,)])", "dim-mismatch",
        "ValueError"),
    err("jax.tree.map(lambda x: x[0], ((a,), ()))", "index", "IndexError"),
])
def test_tree_map_errors(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


VECTORIZE = [
    ok('jnp.vectorize(lambda x, y: (x * y)[0], signature="(n),(n)->()")((b, n), (n,))', "(b,)"),
    ok('vectorize(lambda x, y: x * y, signature="(n),(n)->(n)")((5, 1, 3), (4, 3))',
       "(5, 4, 3)"),
    ok('vectorize(lambda x: (x, x[0]), signature="(n)->(n),()")((a, 3))', "((a, 3), (a,))"),
    ok('vectorize(lambda x: zeros((4,)), signature="(n)->(m)")((a, 3))', "(a, 4)"),
    ok("vectorize(lambda x, y: x + y)((a, 3), (3,))", "(a, 3)"),
    ok('vmap(vectorize(lambda x: x.T, signature="(p,q)->(q,p)"))((n, k, 2, 3))',
       "(n, k, 3, 2)"),
]


@pytest.mark.parametrize("expr, expected", VECTORIZE)
def test_vectorize(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, code, exception, blame", [
    err('vectorize(lambda x, y: x[0], signature="(n),(n)->()")((5, 3), (4,))', "dim-mismatch",
        "ValueError"),
    err('vectorize(lambda x, y: x[0], signature="(n),(n)->()")((5, 3), ())', "dim-mismatch",
        "ValueError"),
    err('vectorize(lambda x, y: x[0], signature="(n),(n)->()")((5, 3), (4, 3))', "broadcast",
        "ValueError"),
    err('vectorize(lambda x: x, signature="(n)->()")((5, 3))', "dim-mismatch", "ValueError"),
    err('vectorize(lambda x: x, signature="(n->()")((5, 3))', "bad-argument", "ValueError"),
    err('vectorize(lambda x, y: x[0], signature="(n),(n)->()")((5, 3))', "arity", "TypeError"),
])
def test_vectorize_errors(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("text", [
    "jnp.vectorize(lambda x: (x, x), signature='(n)->()')((3,))",
    "jnp.vectorize(lambda x: x, signature='(n)->(),()')((3,))",
    "jnp.vectorize(lambda x: (x, x, x), signature='(n)->(),()')((3,))",
    "jnp.vectorize(lambda x: (x,), signature='(n)->(n)')((2, 3))",
    "jnp.vectorize(lambda x: (x, x), signature='(n)->(n),()')((2, 3))",
    "jnp.vectorize(lambda x: (x, x.sum()), signature='(n)->(n),()')((2, 3))",
    "jnp.vectorize(lambda x: [x, x], signature='(n)->()')((3,))",
    "jnp.vectorize(lambda x: ((x, x), x), signature='(n)->(),()')((3,))"])
def test_vectorize_counts_outputs_before_core_dims_as_jax(text):
    # a wrong number of outputs (or no tuple where several are expected) is
    # JAX's TypeError; an output of the wrong rank its ValueError after that
    from test_ops_arrays import assert_jaxs
    assert_jaxs(text)


@pytest.mark.parametrize("text", [
    "jax.tree.map(lambda x, y: x, None, (3,))",
    "jax.tree.map(lambda x, y: x, (None, (3,)), ((3,), (3,)))",
    "jax.tree.map(lambda x, y: x, (None, (3,)), (None, (3,)))",
    "jax.tree.map(lambda x, y: x, [None, (3,)], [[], (3,)])",
    "jax.tree.map(lambda x, y: x + y, {'a': (3,), 'b': None}, {'a': (3,), 'b': None})",
    "jax.tree.map(lambda x, y: x + y, {'a': (3,), 'b': None}, {'a': (3,), 'b': (2,)})",
    "jax.tree.map(lambda x: x, (3,), is_leaf=None)",
    "jax.tree_util.tree_map(lambda x: x, ((3,), None), is_leaf=None)",
    "jax.tree.map(lambda x: x, (3,), foo=None)"])
def test_tree_map_none_nodes_and_is_leaf_as_jax(text):
    # None in the first tree is a node without children: the other trees
    # must have None there too (JAX's ValueError); is_leaf=None is the default
    from test_ops_arrays import assert_jaxs
    assert_jaxs(text)


def test_tree_map_with_an_is_leaf_function_is_unsupported():
    import shapeinfer
    with pytest.raises(shapeinfer.ShapeError) as e:
        shapeinfer.infer("jax.tree.map(lambda x: x, (3,), is_leaf=lambda x: True)")
    assert e.value.code == "unsupported"
