"""Table tests: expressions with their expected results, each confirmed by JAX.

Every row is checked three ways:

1. ``str(shapeinfer.infer(expr))`` (or the error's code / exception / span)
   equals what the row says;
2. ``shapeinfer.check(expr, samples=3)`` agrees, and every sampled case has a
   real ``jax.eval_shape`` outcome (nothing skipped as unsupported);
3. the row's expected result, evaluated at each sampled size assignment, is
   exactly the list of leaves JAX produced (so the expected strings are not
   just typed in), and for error rows JAX raised the row's exception class.

Rows where the engine and JAX disagree stay in the table, marked
``xfail(strict=True)`` with the reason, so the bug stays visible.
"""
from __future__ import annotations


import pytest

import shapeinfer
from shapeinfer import ShapeError

SAMPLES = 3


def bug(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def ok(expr: str, expected: str, id: str | None = None, marks=()):
    return pytest.param(expr, expected, id=id or expr, marks=marks)


def err(expr: str, code: str, exception: str, blame: str | None = None,
        id: str | None = None, marks=()):
    """An error row; ``blame`` (optional) is the text the error's span must cover."""
    return pytest.param(expr, code, exception, blame, id=id or expr, marks=marks)


# ---------------------------------------------------------------- helpers

_PRINTED_DIM_FUNCS = {"max": max, "min": min}


def _leaves(value):
    """Leaves of a printed result evaluated as Python: a tuple of ints is a shape."""
    if isinstance(value, tuple) and all(isinstance(d, int) for d in value):
        yield value
    elif isinstance(value, dict):
        for k in sorted(value):
            yield from _leaves(value[k])
    elif isinstance(value, (tuple, list)):
        for child in value:
            yield from _leaves(child)
    elif value is not None:
        raise TypeError(f"unexpected leaf {value!r} in an expected result")


def expected_leaves(expected: str, sizes: dict) -> tuple:
    """The leaves an expected result string stands for at concrete sizes.

    ``(a, a, b, c)`` with a=2, b=3, c=4 is ``((2, 2, 3, 4),)``; dims print as
    Python (``n // 2``, ``n % 3``, ``max(a, b)``), so Python evaluates them.
    """
    value = eval(expected, {"__builtins__": {}}, {**_PRINTED_DIM_FUNCS, **sizes})  # noqa: S307
    return tuple(tuple(int(d) for d in leaf) for leaf in _leaves(value))


def checked(expr: str):
    """Run the JAX checker; it must agree and have a JAX outcome for every case."""
    report = shapeinfer.check(expr, samples=SAMPLES)
    assert report.cases, f"the checker ran no case for {expr!r}"
    details = "\n".join(f"  sizes {c.sizes}: shapeinfer {c.engine} / jax {c.oracle}"
                        for c in report.disagreements)
    assert report.agreed, f"shapeinfer and jax.eval_shape disagree on {expr!r}:\n{details}"
    assert not report.unsupported, f"the checker skipped {expr!r} as unsupported"
    assert all(c.oracle is not None for c in report.cases)
    return report


def assert_ok_row(expr: str, expected: str):
    result = shapeinfer.infer(expr)
    assert str(result) == expected
    for case in checked(expr).cases:
        assert case.oracle.ok, f"JAX raised {case.oracle} at {case.sizes}"
        assert case.oracle.leaves == expected_leaves(expected, case.sizes), case.sizes


def assert_error_row(expr: str, code: str, exception: str, blame: str | None):
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(expr)
    e = info.value
    assert (e.code, e.exception) == (code, exception), e.message
    assert e.message
    assert e.span is not None, "an error must point somewhere"
    start, end = e.span
    assert isinstance(start, int) and isinstance(end, int)
    assert 0 <= start <= end <= len(expr)
    if blame is not None:
        assert expr[start:end] == blame, f"span {e.span} covers {expr[start:end]!r}"
    for case in checked(expr).cases:
        assert not case.oracle.ok, f"JAX accepted {expr!r} at {case.sizes}: {case.oracle}"
        assert exception in case.oracle.exception_mro, case.oracle
        assert case.engine.code == code


def assert_dtype_row(expr: str, dtype: str, weak: bool):
    """The result's dtype and weakness; JAX agrees, and since weakness shows
    only in promotion, it agrees on the result added to an int8 array too."""
    value = shapeinfer.infer(expr).value
    assert (value.dtype, value.weak) == (dtype, weak)
    report = shapeinfer.check(f"({expr}) + i8[a]", samples=2)
    assert report.agreed and not report.unsupported, report.to_json()


# ---------------------------------------------------------------- valid programs

SHAPES = [
    ok("(a, b)", "(a, b)"),
    ok("(n,)", "(n,)"),
    ok("()", "()"),
    ok("f32[a,b]", "(a, b)"),
    ok("i32[]", "()"),
    ok("bool[3]", "(3,)"),
    ok("bf16[2, n]", "(2, n)"),
    ok("u8[n, 1]", "(n, 1)"),
    ok("(2*n, n + 1, 3)", "(2*n, n + 1, 3)"),
    ok("(n // 2, n % 3)", "(n // 2, n % 3)"),
    ok("(max(a, b), min(a, 2))", "(max(a, b), min(a, 2))"),
    ok("(a*b, (a + 1) * 2)", "(a*b, 2*a + 2)"),
    ok("(a, b,)", "(a, b)", id="trailing comma"),
    ok("(\n  a,\n  b\n)", "(a, b)", id="newlines inside a shape"),
]

PYTREES = [
    ok("((a, b), (c,))", "((a, b), (c,))"),
    ok("((), (a,))", "((), (a,))"),
    ok("[(a,), (b, c)]", "[(a,), (b, c)]"),
    ok('{"w": (a, b), "b": (b,)}', "{'b': (b,), 'w': (a, b)}"),  # JAX sorts dict keys
    ok('((a,), [(b,), {"k": (c,)}])', "((a,), [(b,), {'k': (c,)}])"),
    ok("[f32[a], i32[b, c], bool[]]", "[(a,), (b, c), ()]"),
    ok("{1: (a,)}", "{1: (a,)}", id="int dict key"),
    ok("vmap(lambda d: d)({1: (b,), 2: (b, n)})", "{1: (b,), 2: (b, n)}"),
]

BINDINGS = [
    ok("x = (b, n); add(x, x)", "(b, n)"),
    ok("x = (b, n)\ny = (n,)\nadd(x, y)", "(b, n)", id="newline-separated statements"),
    ok("x = (b, n);\ny = sin(x)\n\nexp(y)", "(b, n)", id="mixed separators"),
    ok("f = vmap(add, (0, None)); f((b, n), (n,))", "(b, n)"),
    ok("f = lambda x: sin(x); f((a,))", "(a,)"),
    ok("g = jnp.multiply; h = vmap(g, (1, None)); h((n, b), (n,))", "(b, n)"),
]

LAMBDAS = [
    ok("(lambda x, y: x + y * 2)((a, b), (b,))", "(a, b)"),
    ok("(lambda x: -x - 1.5)((n,))", "(n,)"),
    ok("(lambda x: 2 * x + 1)((a,))", "(a,)"),
    ok("(lambda x, y: x - y)((a, 1), (b,))", "(a, b)"),
    ok("(lambda x: x * x * 0.5)(i32[n])", "(n,)"),
    ok("vmap(lambda x, y: x * y - x)((b, n), (b, n))", "(b, n)"),
    ok("(lambda x, y: (y, x))((a,), (b, c))", "((b, c), (a,))"),
    ok("(lambda x: lambda y: x + y)((n,))((m, n))", "(m, n)", id="curried lambda"),
    # ** and comparisons are power and less, equal, ...; methods are the operations
    ok("(lambda x: x ** 2)(i8[a])", "(a,)"),
    ok("(lambda x: -x ** 2 + 2 ** x)((a, b))", "(a, b)"),
    ok("(lambda x, y: x < y)((a, b), (b,))", "(a, b)"),
    ok("(lambda x: (x == 0, x != 1.5, x >= x))((a,))", "((a,), (a,), (a,))"),
    ok("(lambda x: x.shape[0] ** 2 + x.size)((a, b))", "()"),
    ok("(lambda x: x.reshape(x.shape[0], -1))((b, h, w))", "(b, h*w)"),
    ok("(lambda x: x.reshape((-1,)))((b, h))", "(b*h,)"),
    ok("(lambda x: x.transpose(1, 0, 2).flatten())((a, b, c))", "(a*b*c,)"),
    ok("(lambda x: x.transpose((2, 0, 1)).swapaxes(0, -1))((a, b, c))", "(b, a, c)"),
    ok("(lambda x: x.squeeze(0).ravel())((1, b))", "(b,)"),
    ok("vmap(lambda x: x.reshape(2, -1))((n, 4, a))", "(n, 2, 2*a)"),
]

KEYWORDS = [
    ok("vmap(add, in_axes=(0, None), out_axes=1)((a, b), (b,))", "(b, a)"),
    ok("vmap(fun=sin)((a,))", "(a,)"),
    ok("clip((a,), min=(), max=(a,))", "(a,)"),
    ok("clip((a, 1), max=(b,))", "(a, b)"),
    ok("round((a, b), decimals=2)", "(a, b)"),
    ok("gelu((a,), approximate=False)", "(a,)"),
    ok("jax.nn.relu(x=(a,))", "(a,)"),
    ok("(lambda x, y: x - y)(y=(a,), x=(b, a))", "(b, a)"),
    ok("vmap(sin, sum_match=False)((b,))", "(b,)"),
]

DOTTED = [
    ok("jnp.add((a, b), (b,))", "(a, b)"),
    ok("jax.numpy.sin((a,))", "(a,)"),
    ok("jax.numpy.where(bool[a], (a,), ())", "(a,)"),
    ok("jax.vmap(jnp.sin, 1)((a, b))", "(b, a)"),
    ok("jax.nn.relu((a, b))", "(a, b)"),
    ok("jax.jit(jax.nn.sigmoid)((n,))", "(n,)"),
    ok("functools.partial(jnp.add, (a,))((a,))", "(a,)"),
]

JIT_PARTIAL = [
    ok("jit(add)((a, b), (b,))", "(a, b)"),
    ok("jit(vmap(sin))((n, m))", "(n, m)"),
    ok("jit(lambda x, y: (x, y * 2))((a,), (b,))", "((a,), (b,))"),
    ok("partial(add, (a, b))((b,))", "(a, b)"),
    ok("vmap(partial(add, (n,)))((b, n))", "(b, n)"),
    ok("partial(clip, min=(), max=())((a,))", "(a,)"),
    ok("partial(vmap, in_axes=1)(sin)((a, b))", "(b, a)"),
    ok("vmap(jit(add), (0, None))((b, n), (n,))", "(b, n)"),
    ok("jit(vmap(lambda x: vmap(sin)(x)))((a, b))", "(a, b)"),
]

UNARY = [
    ok("negative((a, b))", "(a, b)"),
    ok("positive(i32[n])", "(n,)"),
    ok("abs((n,))", "(n,)"),
    ok("sign((a, 1))", "(a, 1)"),
    ok("exp(())", "()"),
    ok("exp2((n,))", "(n,)"),
    ok("expm1(i32[n])", "(n,)"),
    ok("log((n,))", "(n,)"),
    ok("log1p((n,))", "(n,)"),
    ok("log2((n,))", "(n,)"),
    ok("sqrt((n, m))", "(n, m)"),
    ok("square(i32[n])", "(n,)"),
    ok("reciprocal((n,))", "(n,)"),
    ok("sin((n,))", "(n,)"),
    ok("cos((n,))", "(n,)"),
    ok("tan((n,))", "(n,)"),
    ok("sinh((n,))", "(n,)"),
    ok("cosh((n,))", "(n,)"),
    ok("tanh((n,))", "(n,)"),
    ok("arcsin((n,))", "(n,)"),
    ok("arccos((n,))", "(n,)"),
    ok("arctan((n,))", "(n,)"),
    ok("floor((n,))", "(n,)"),
    ok("ceil((n,))", "(n,)"),
    ok("round((a,))", "(a,)"),
    ok("logical_not(bool[n])", "(n,)"),
    ok("isnan((n,))", "(n,)"),
    ok("isfinite((n,))", "(n,)"),
    ok("relu((n,))", "(n,)"),
    ok("sigmoid((n,))", "(n,)"),
    ok("gelu((a, b))", "(a, b)"),
    ok("silu((n,))", "(n,)"),
    ok("softplus((n,))", "(n,)"),
    ok("jax.nn.silu((a, b))", "(a, b)"),
]

BINARY = [
    ok("add((a, 1), (1, b))", "(a, b)"),
    ok("subtract((a, b), (b,))", "(a, b)"),
    ok("multiply((), (a, b))", "(a, b)"),
    ok("divide((a, b), (a, 1))", "(a, b)"),
    ok("true_divide((n,), ())", "(n,)"),
    ok("floor_divide(i32[n], i32[1])", "(n,)"),
    ok("power((a, 1, c), (b, 1))", "(a, b, c)"),
    ok("mod((n,), (n,))", "(n,)"),
    ok("maximum((a, b), (1, b))", "(a, b)"),
    ok("minimum((1,), (n,))", "(n,)"),
    ok("arctan2((n,), (n,))", "(n,)"),
    ok("hypot((a, 1), (b,))", "(a, b)"),
    ok("equal((n,), ())", "(n,)"),
    ok("not_equal((n,), (n,))", "(n,)"),
    ok("less((a, 1), (1, b))", "(a, b)"),
    ok("less_equal((n,), (n,))", "(n,)"),
    ok("greater((n,), ())", "(n,)"),
    ok("greater_equal((a, b), (b,))", "(a, b)"),
    ok("logical_and(bool[n], bool[n])", "(n,)"),
    ok("logical_or(bool[a, 1], bool[b])", "(a, b)"),
    ok("where(bool[a, 1], (b,), ())", "(a, b)"),
    ok("where((2, 1), (3,), (3,))", "(2, 3)"),
    ok("clip((a, b), (b,), ())", "(a, b)"),
    ok("clip((a, b))", "(a, b)"),
    ok("add((n,), 1)", "(n,)", id="python int scalar"),
    ok("multiply((n,), 2.5)", "(n,)", id="python float scalar"),
    ok("add((n,), True)", "(n,)", id="python bool scalar"),
    ok("add(1, 2)", "()"),
    ok("subtract(bool[2], (2,))", "(2,)", id="bool minus f32 promotes"),
]

VMAP = [
    # int / None / negative in_axes
    ok("vmap(sin)((a, b))", "(a, b)"),
    ok("vmap(sin, 1)((a, b))", "(b, a)"),
    ok("vmap(sin, -2)((a, b, c))", "(b, a, c)"),
    ok("vmap(add, (None, 0))((a,), (b, a))", "(b, a)"),
    ok("vmap(add, (-1, 0))((a, b), (b, a))", "(b, a)"),
    ok("vmap(add, 1, 2)((a, b, c), (a, b, c))", "(a, c, b)"),
    ok("vmap(sin, 0)((0, n))", "(0, n)", id="zero-size mapped axis"),
    # tuple and list in_axes
    ok("vmap(add, (0, 1))((b, n), (n, b))", "(b, n)"),
    ok("vmap(add, [0, 1])((b, n), (n, b))", "(b, n)"),
    ok("vmap(add, [None, -1])((n,), (n, b))", "(b, n)"),
    # pytree-prefix in_axes
    ok('vmap(lambda p: p, ({"w": 1, "b": 0},))({"w": (n, b), "b": (b,)})',
       "{'b': (b,), 'w': (b, n)}"),
    ok("vmap(lambda t: t, ((0, 1),))(((b, n), (n, b)))", "((b, n), (b, n))"),
    ok("vmap(lambda x, y: (x, y), ((0, None), 1))(((b,), (n,)), (n, b))",
       "(((b,), (b, n)), (b, n))"),
    ok("vmap(lambda x, y: (x, y), (0, [None, 0]))((b, n), [(n,), (b, n)])",
       "((b, n), [(b, n), (b, n)])"),
    ok('vmap(lambda d: d, ({"w": 0, "b": None},), {"w": 0, "b": None})({"w": (b, n), "b": (m,)})',
       "{'b': (m,), 'w': (b, n)}"),
    ok("vmap(lambda x: x, 0, 0)([(b, n), (b,)])", "[(b, n), (b,)]"),
    ok('vmap(lambda x: x)({"a": (b,), "z": (b, n)})', "{'a': (b,), 'z': (b, n)}"),
    # out_axes: positive, negative, tuple, list, None
    ok("vmap(sin, 0, 1)((b, n))", "(n, b)"),
    ok("vmap(sin, 0, -1)((b, n, m))", "(n, m, b)"),
    ok("vmap(sin, 0, -2)((b, n, m))", "(n, b, m)"),
    ok("vmap(lambda x: (x, x), 0, (0, 1))((b, n))", "((b, n), (n, b))"),
    ok("vmap(lambda x: [x, x], 0, [0, -1])((b, n))", "[(b, n), (n, b)]"),
    ok("vmap(lambda x, y: (x, y), (0, None), (0, None))((2, 3), (4,))", "((2, 3), (4,))"),
    ok("vmap(lambda x, y: y, (0, None), None)((b, n), (m,))", "(m,)"),
    ok("vmap(lambda x, y: (x, y), (0, None), (1, None))((b, n), (m,))", "((n, b), (m,))"),
    # axis_size
    ok("vmap(lambda x: x, None, 0, axis_size=5)((2, 3))", "(5, 2, 3)"),
    ok("vmap(sin, None, axis_size=n)((a,))", "(n, a)"),
    ok("vmap(add, (0, None), axis_size=b)((b, n), (n,))", "(b, n)"),
    ok("vmap(lambda x: x, (None,), axis_size=0)((2,))", "(0, 2)"),
    # nested vmap, 2 and 3 levels
    ok("vmap(vmap(add, (0, None), 1), (1, None), 0)((b, a, c), (c,))", "(a, c, b)"),
    ok("vmap(vmap(add, (0, None)), (None, 0))((a, n), (b, n))", "(b, a, n)"),
    ok("vmap(vmap(sin, 1, 1), 2, 0)((a, b, c))", "(c, a, b)"),
    ok("vmap(vmap(vmap(sin)))((a, b, c, d))", "(a, b, c, d)"),
    ok("vmap(vmap(vmap(sin, 0, 1), 0, 2), 0, 0)((a, b, c, d))", "(a, d, c, b)"),
    ok("vmap(vmap(vmap(multiply, (0, None)), (None, 0)), (0, 0))((k, a, n), (k, b, n))",
       "(k, b, a, n)"),
    ok("vmap(lambda x: vmap(lambda y: x * y)((c, n)))((b, n))", "(b, c, n)"),
    ok("vmap(lambda x: vmap(lambda y: x * y, 1)((n, c)), 1)((n, b))", "(b, c, n)"),
    # unmapped outputs are broadcast when out_axes is an int
    ok("vmap(lambda x, y: y, (0, None))((b, n), (m,))", "(b, m)"),
    ok("vmap(lambda x, y: y, (0, None), 1)((b, n), (m, k))", "(m, b, k)"),
    ok("vmap(lambda x, y: (x, y), (0, None))((b, n), (m,))", "((b, n), (b, m))"),
    ok("vmap(lambda x: (3,), 0)((b,))", "(b, 3)"),  # SPEC 1: a tuple of dims is an array
    # keyword arguments to a vmapped function are mapped on axis 0
    ok("vmap(lambda x, y: x + y, (1,))((n, b), y=(b, n))", "(b, n)"),
    ok("vmap(lambda x, y: x + y, None)((n,), y=(b, n))", "(b, n)"),
    ok("vmap(lambda x, y: x * y, 0)(x=(b, n), y=(b, n))", "(b, n)"),
    ok("vmap(lambda x, y: x * y, 1)((n, b), y=(b, n))", "(b, n)"),
    # other functions under vmap
    ok("vmap(where, (0, None, 1))(bool[b, n], (n,), (n, b))", "(b, n)"),
    ok("vmap(clip, (0, None, None))((b, n), (), (n,))", "(b, n)"),
    ok("vmap(add, (0, None), 1)((a, b, c), (a, b, c))", "(a, a, b, c)"),
]

INDEXING = [
    ok("(b, n)[0]", "(n,)"),
    ok("(b, n)[-1]", "(n,)"),
    ok("(b, n)[:4]", "(min(b, 4), n)"),
    ok("(b, n)[1:]", "(b - 1, n)"),
    ok("(b, n)[1:-1]", "(max(b - 2, 0), n)"),
    ok("(b, n)[::-1]", "(b, n)"),
    ok("(b, n)[:, None]", "(b, 1, n)"),
    ok("(b, n)[None, ..., 0]", "(1, b)"),
    ok("(b, n)[..., 1:]", "(b, n - 1)"),
    ok("(b, n)[:n]", "(min(b, n), n)"),
    ok("(b, n)[(0, 1)]", "()", id="a tuple index is several indices"),
    ok("(5, 3)[::2]", "(3, 3)"),
    ok("(5, 3)[7]", "(3,)", id="an int index is clamped, as in JAX"),
    ok("vmap(lambda x: x[1:] - x[:-1])((b, n))", "(b, n - 1)"),
    ok("vmap(lambda x: x[0], 1)((b, n, c))", "(n, c)"),
    ok("x = f32[b, n]; x[:, 0]", "(b,)"),
    # subscripts of pytrees are Python's
    ok('vmap(lambda p: p["w"] * p["b"])({"w": (k, n), "b": (k, n)})', "(k, n)"),
    ok("vmap(lambda p: p[0] + p[1])(((k, n), (k, n)))", "(k, n)"),
    ok("value_and_grad(lambda x: x * x)(())[1:]", "((),)"),
    ok("[(a,), (b,), (c,)][::2]", "[(a,), (c,)]"),
    # x.shape is a tuple of sizes: its items are sizes, + concatenates
    ok("x = (a, b); (x.shape[0],)", "(a,)"),
    ok("vmap(lambda x: x.shape[0])((n, a, b))", "(n,)"),
    ok("vmap(lambda x: x[:x.shape[0] - 1])((n, a, b))", "(n, a - 1, b)"),
    ok("(lambda x: x.shape + x.shape)((a, b))", "(a, b, a, b)"),
    # == and != of a shape compare tuples, as Python does: a bool, not an array
    ok("(lambda x: x.shape == x.shape)((a, b))", "()"),
    ok("(lambda x: x.shape != (a, b))((a, b))", "()"),
    ok("(lambda x, y: x.shape == y.shape)((a, b), (a,))", "()"),
    ok("(0, 3)[:, 0]", "(0,)"),
]

AUTODIFF = [
    ok("grad(sin)(())", "()"),
    ok("jax.grad(lambda x, y: x * y, argnums=1)((), f32[])", "()"),
    ok("grad(lambda x, y: x * y, argnums=(0, 1))((), ())", "((), ())"),
    ok("grad(lambda x, y: x * y, argnums=-1)((), ())", "()"),
    ok("grad(lambda x: (sin(x), (x, x)), has_aux=True)(())", "((), ((), ()))"),
    ok("value_and_grad(lambda x: x * x)(())", "((), ())"),
    ok("value_and_grad(lambda x: (x * x, x), has_aux=True)(())", "(((), ()), ())"),
    ok("jacfwd(sin)((a, b))", "(a, b, a, b)"),
    ok("jacrev(lambda x, y: x * y, argnums=(0, 1))((n,), (n,))", "((n, n), (n, n))"),
    ok("jax.jacobian(lambda x: (x, 2 * x))((n,))", "((n, n), (n, n))"),
    ok("hessian(lambda x: sin(x) * x)((n,))", "(n, n, n)"),
    ok("checkpoint(sin)((a, b))", "(a, b)"),
    ok("jax.remat(lambda x: x * 2)((a,))", "(a,)"),
    # per-example gradients, and whether the derivative is batched
    ok("vmap(grad(lambda x: sin(x) * x))((b,))", "(b,)"),
    ok("vmap(grad(lambda x, y: x * y), (0, None), None)((b,), ())", "()", id="d(x*y)/dx = y: unbatched"),
    ok("vmap(grad(lambda x, y: x + y, argnums=1), (0, None), None)((b,), ())", "()"),
    ok("vmap(grad(lambda x, y: floor(x) * y), (None, 0), None)((), (b,))", "()",
       id="floor has a zero derivative"),
    ok("vmap(jacfwd(lambda x, y: x * y), (0, None), None)((b, n), (n,))", "(n, n)"),
    ok("vmap(hessian(lambda x: sin(x)), 0, 0)((b, n))", "(b, n, n, n)"),
    ok("vmap(lambda y: grad(lambda x: x + y)(2.0), 0, None)((b,))", "()"),
    ok('grad(lambda p: p["w"] * p["b"])({"w": (), "b": ()})', "{'b': (), 'w': ()}"),
    ok("grad(lambda x, k: (x, (k,)), has_aux=True)((), 3)", "((), (3,))",
       id="an argument not differentiated passes through"),
    ok("grad(lambda x, y: x * y, argnums=True)((), ())", "()"),
    ok("grad(lambda x: x * x, holomorphic=True)(c64[])", "()"),
    ok("jacrev(lambda x: x, holomorphic=True)(c64[n])", "(n, n)"),
]

PASS_THROUGH = [
    ok("vmap(lambda x, k: (k,), (0, None))((n,), 3)", "(n, 3)", id="an unmapped int stays an int"),
    ok("vmap(lambda x, f: f(x), (0, None))((n, a), sin)", "(n, a)", id="an unmapped function"),
    ok("jit(lambda x, k: (k,), static_argnums=1)((a,), 3)", "(3,)"),
    ok('jit(lambda x, k: (k,), static_argnames="k")((a,), k=3)', "(3,)"),
    ok("jit(lambda x, k: (k,))((a,), 3)", "((),)", id="a traced int is a scalar array"),
    ok("checkpoint(lambda x, k: (k,), static_argnums=1)((a,), 3)", "(3,)"),
    ok("jit(sin, donate_argnums=0)((a,))", "(a,)"),
    ok("jit(lambda x, k: (k,), static_argnums=1)((a,), k=3)", "(3,)",
       id="static_argnums names a parameter, by position or keyword"),
    ok("checkpoint(lambda x, k: x * k, static_argnums=1)((a,), (a,))", "(a,)",
       id="checkpoint's static arguments need not be hashable"),
]

VALID = (SHAPES + PYTREES + BINDINGS + LAMBDAS + KEYWORDS + DOTTED + JIT_PARTIAL + UNARY + BINARY
         + VMAP + INDEXING + AUTODIFF + PASS_THROUGH)


@pytest.mark.parametrize("expr, expected", VALID)
def test_valid(expr, expected):
    assert_ok_row(expr, expected)


# ---------------------------------------------------------------- programs JAX rejects

VMAP_ERRORS = [
    # vmap-in-axes-spec, TypeError: not an int / None / tuple, or a bad leaf
    err('vmap(sin, {"a": 0})((n,))', "vmap-in-axes-spec", "TypeError", '{"a": 0}'),
    err('vmap(lambda p: p, {"w": 1, "b": 0})({"w": (n, b), "b": (b,)})',
        "vmap-in-axes-spec", "TypeError"),
    err("vmap(sin, 0.5)((n,))", "vmap-in-axes-spec", "TypeError", "0.5"),
    err('vmap(sin, "x")((n,))', "vmap-in-axes-spec", "TypeError"),
    err("vmap(sin, (0.5,))((n,))", "vmap-in-axes-spec", "TypeError"),
    err("vmap(sin, (add,))((n,))", "vmap-in-axes-spec", "TypeError"),
    err("vmap(sin, ((0.5, 0),))((n,))", "vmap-in-axes-spec", "TypeError"),
    # vmap-in-axes-spec, ValueError: wrong length, or not a tree prefix
    err("vmap(add, (0, 0, 0))((n,), (n,))", "vmap-in-axes-spec", "ValueError", "(0, 0, 0)"),
    err("vmap(add, (0,))((n,), (n,))", "vmap-in-axes-spec", "ValueError"),
    err("vmap(lambda x, y: x, (0, 1))((b, n), y=(n, b))", "vmap-in-axes-spec", "ValueError",
        id="in_axes tuple counts positional arguments only"),
    err('vmap(lambda p: p, ({"w": 0},))({"v": (n,)})', "vmap-in-axes-spec", "ValueError"),
    err("vmap(lambda p: p, ((0, 0),))(((n,), (n,), (n,)))", "vmap-in-axes-spec", "ValueError"),
    err("vmap(lambda p: p, ([0, 0],))(((n,), (n,)))", "vmap-in-axes-spec", "ValueError"),
    err("vmap(lambda p: p, ((0, 0),))((n,))", "vmap-in-axes-spec", "ValueError"),
    # vmap-axis-out-of-range
    err("vmap(sin, 2)((a, b))", "vmap-axis-out-of-range", "ValueError", "(a, b)"),
    err("vmap(sin, -3)((a, b))", "vmap-axis-out-of-range", "ValueError", "(a, b)"),
    err("vmap(sin)(())", "vmap-axis-out-of-range", "ValueError", "()"),
    err("vmap(add, (0, 3))((a, b), (c, d))", "vmap-axis-out-of-range", "ValueError", "(c, d)"),
    # vmap-no-mapped-axis
    err("vmap(add, (None, None))((a,), (a,))", "vmap-no-mapped-axis", "ValueError"),
    err("vmap(sin, None)((a,))", "vmap-no-mapped-axis", "ValueError"),
    err("vmap(sin)()", "vmap-no-mapped-axis", "ValueError"),
    err("vmap(lambda x: x)(None)", "vmap-no-mapped-axis", "ValueError"),
    # vmap-inconsistent-sizes
    err("vmap(add, (0, 1), 0)((2,3,5,7,9), (2,3,5,7,9))", "vmap-inconsistent-sizes",
        "ValueError"),
    err("vmap(add)((n, a), (n + 1, a))", "vmap-inconsistent-sizes", "ValueError",
        "(n + 1, a)"),
    err("vmap(add)((2,), (3,))", "vmap-inconsistent-sizes", "ValueError", "(3,)"),
    err("vmap(lambda x, y, z: x, (0, 0, 1))((2,), (2,), (4, 3))", "vmap-inconsistent-sizes",
        "ValueError", "(4, 3)"),
    err("vmap(sin, axis_size=3)((2,))", "vmap-inconsistent-sizes", "ValueError", "(2,)"),
    err("vmap(sin, axis_size=3)(x=(2,))", "vmap-inconsistent-sizes", "ValueError"),
    err("vmap(add, (0, None), axis_size=n + 1)((n, a), (a,))", "vmap-inconsistent-sizes",
        "ValueError", "(n, a)"),
    err("vmap(lambda x, y: x, 1)((n, b), y=(b + 1, n))", "vmap-inconsistent-sizes",
        "ValueError"),
    # vmap-out-axes-none
    err("vmap(sin, 0, None)((b, n))", "vmap-out-axes-none", "ValueError", "None"),
    err("vmap(lambda x, y: (x, y), (0, None), None)((b, n), (m,))", "vmap-out-axes-none",
        "ValueError"),
    err("vmap(lambda x, y: (x, y), (0, None), (None, 0))((b, n), (m,))",
        "vmap-out-axes-none", "ValueError", "(None, 0)"),
    # vmap-out-axis-out-of-range
    err("vmap(sin, 0, 2)((b,))", "vmap-out-axis-out-of-range", "ValueError", "2"),
    err("vmap(sin, 0, 3)((b, n))", "vmap-out-axis-out-of-range", "ValueError"),
    err("vmap(sin, 0, -3)((b, n))", "vmap-out-axis-out-of-range", "ValueError", "-3"),
    err("vmap(lambda x: (x, x), 0, (0, 2))((b,))", "vmap-out-axis-out-of-range", "ValueError"),
    # vmap-out-axes-spec: not a tree prefix (ValueError) / bad leaf (TypeError)
    err("vmap(lambda x: (x, x), 0, (0, 0, 0))((b,))", "vmap-out-axes-spec", "ValueError",
        "(0, 0, 0)"),
    err("vmap(lambda x: (x, x), 0, [0, 1])((b, n))", "vmap-out-axes-spec", "ValueError"),
    err("vmap(lambda x: x, 0, (0, 1))((b, n))", "vmap-out-axes-spec", "ValueError"),
    err('vmap(lambda x: x, 0, {"a": 0})((b, n))', "vmap-out-axes-spec", "ValueError"),
    err("vmap(sin, 0, 0.5)((b,))", "vmap-out-axes-spec", "TypeError", "0.5"),
    err("vmap(sin, 0, (0.5,))((b,))", "vmap-out-axes-spec", "TypeError"),
    err('vmap(sin, 0, "a")((b,))', "vmap-out-axes-spec", "TypeError"),
]

BROADCAST_ERRORS = [
    # different ranks: jnp's rank promotion (lax.broadcast_shapes) raises ValueError
    err("add((a, 2), (3,))", "broadcast", "ValueError", "add"),
    err("add((2, 3), (4,))", "broadcast", "ValueError"),
    err("multiply((a, 2, 3), (4, 3))", "broadcast", "ValueError"),
    err("where((2,), (3,), (3,))", "broadcast", "ValueError"),
    err("clip((2, 3), max=(4,))", "broadcast", "ValueError"),
    err("vmap(add, (None, 1), 0)((2,3,5,7,9), (2,3,5,7,9))", "broadcast", "ValueError", "add"),
    # equal ranks: the lax primitive raises TypeError
    err("add((2, 3), (2, 4))", "broadcast", "TypeError", "add"),
    err("add((n, 2), (n, 3))", "broadcast", "TypeError"),
    err("add((2, n), (3, n))", "broadcast", "TypeError"),
    err("subtract((2, 3), (3, 2))", "broadcast", "TypeError"),
    err("less((n, 2), (n, 3))", "broadcast", "TypeError"),
    err("clip((3,), (4,))", "broadcast", "TypeError"),
    err("vmap(add, (0, 0))((b, 2), (b, 3))", "broadcast", "TypeError", "add"),
    err("(lambda x, y: x + y)((2,), (3,))", "broadcast", "TypeError", "x + y"),
]

OTHER_ERRORS = [
    # arity
    err("sin((a,), (a,))", "arity", "TypeError", "(a,)"),
    err("add((a,))", "arity", "TypeError"),
    err("sin()", "arity", "TypeError"),
    err("add(x=(a,), y=(a,))", "arity", "TypeError", "x=(a,)", id="jnp.add is positional-only"),
    err("sin(z=(a,))", "arity", "TypeError", "z=(a,)"),
    err("(lambda x: x)((a,), (b,))", "arity", "TypeError", "(b,)"),
    err("(lambda x: x.reshape(5))((2, 3))", "reshape-size", "TypeError", "x.reshape"),
    err("(lambda x, y: x <= y)((2,), (3,))", "broadcast", "TypeError", "x <= y"),
    err("(lambda x, y: x)((a,))", "arity", "TypeError"),
    err("(lambda x: x)(y=(a,))", "arity", "TypeError", "y=(a,)"),
    err("(lambda x: x)((a,), x=(a,))", "arity", "TypeError", "x=(a,)"),
    err("vmap()", "arity", "TypeError"),
    err("vmap(sin, foo=1)((b,))", "arity", "TypeError", "foo=1"),
    err("jit()", "arity", "TypeError"),
    err("partial()", "arity", "TypeError"),
    err("vmap(add)(x=(b,), y=(b,))", "arity", "TypeError"),
    # unknown-name
    err("jnp.nonexistent((a,))", "unknown-name", "AttributeError", "jnp.nonexistent"),
    err("jax.nn.sine((a,))", "unknown-name", "AttributeError", "jax.nn.sine"),
    err("foo((a,))", "unknown-name", "NameError", "foo"),
    # a typo is not a size: a bare name where a value is wanted must be bound
    err("W = (d, h); vmap(lambda x: x * w)((n, d))", "unknown-name", "NameError", "w"),
    err("sin(w)", "unknown-name", "NameError", "w"),
    err("(lambda x: x)(k)", "unknown-name", "NameError", "k"),
    err("[(a,), b]", "unknown-name", "NameError", "b"),
    err("(lambda x: y[0])((a,))", "unknown-name", "NameError", "y"),
    # not-callable
    err("(a,)((b,))", "not-callable", "TypeError", "(a,)"),
    err("x = (a,); x((b,))", "not-callable", "TypeError", "x"),
    err("3((a,))", "not-callable", "TypeError", "3"),
    # dtype
    err("negative(bool[3])", "dtype", "TypeError"),
    err("negative(bool[])", "dtype", "TypeError"),
    err("sign(bool[n])", "dtype", "TypeError"),
    err("subtract(bool[2], bool[2])", "dtype", "TypeError"),
    err("sigmoid(i32[3])", "dtype", "TypeError"),
    err("silu(u8[n])", "dtype", "TypeError"),
    err("round(bool[2])", "dtype", "ValueError"),
    err("(lambda x: -x)(bool[n])", "dtype", "TypeError"),
    err("vmap(negative)(bool[b, n])", "dtype", "TypeError"),
    # bad-argument
    err("(a, -3)", "bad-argument", "TypeError"),
    err("i32[-1]", "bad-argument", "TypeError"),
    err("(-a,)", "bad-argument", "TypeError", id="negative for every size"),
    err('"str"', "bad-argument", "TypeError"),
    err("sin", "bad-argument", "TypeError", "sin", id="a function is not a result"),
    err("(lambda x: x.foo)((a,))", "bad-argument", "AttributeError", "x.foo"),
    err('{1: (a,), "b": (b,)}', "bad-argument", "ValueError", id="mixed dict key types"),
]

PASS_THROUGH_ERRORS = [
    err("vmap(lambda x, y: x, (0, 0))((n, a), sin)", "bad-argument", "TypeError", "sin",
        id="a mapped function"),
    err("jit(lambda x: x, static_argnums=0)((a,))", "bad-argument", "ValueError",
        id="an array is not hashable"),
    err("jit(lambda x: x, foo=1)((a,))", "arity", "TypeError"),
    err("jit(sin, 1)((a,))", "arity", "TypeError"),
    err("jit(fun=sin)((a,))", "arity", "TypeError"),
    err("jit(lambda x, k: x, static_argnums=2)((a,), 1)", "bad-argument", "ValueError"),
    err('jit(lambda x, k: x, static_argnames="z")((a,), 1)', "bad-argument", "ValueError"),
    err("foo(add((a,), (b,)))", "unknown-name", "NameError", "foo",
        id="the callee is looked up before the arguments"),
]

INDEX_ERRORS = [
    err("(b, n)[0, 0, 0]", "index", "IndexError"),
    err("(b, n)[..., 0, ...]", "index", "IndexError"),
    err("(b, n)[::0]", "index", "ValueError"),
    err("(b, n)[1.5]", "index", "TypeError"),
    err("vmap(lambda x: x[0])((b,))", "index", "IndexError", id="a per-example scalar"),
    err("sin[0]", "bad-argument", "TypeError"),
    err("f32[1:2]", "bad-argument", "TypeError"),
    err("((a,), (b,))[2]", "index", "IndexError"),
    err('{"w": (a,)}["v"]', "index", "KeyError"),
    err('((a,), (b,))["x"]', "index", "TypeError"),
    err("(0, 3)[0]", "index", "IndexError", id="no element on an empty axis"),
    err("{'w': ()}[:1]", "index", "TypeError", id="slicing a dict"),
    err("jit(lambda x, k: x, static_argnames=1)((a,), 1)", "bad-argument", "TypeError"),
]

AUTODIFF_ERRORS = [
    err("grad(lambda x, y: x * y, argnums=())((), ())", "bad-argument", "ValueError"),
    err("jacrev(lambda: 1.0)()", "bad-argument", "ValueError"),
    err("jacfwd(lambda x, y: x, argnums=2)((n,), (n,))", "bad-argument", "ValueError"),
    err("grad(lambda x: x, holomorphic=True)(())", "dtype", "TypeError"),
    err("grad(lambda x: x)(c64[])", "dtype", "TypeError"),
    err("grad(sin)((n,))", "grad-non-scalar", "TypeError", "sin"),
    err("grad(lambda x: (x, x))(())", "grad-non-scalar", "TypeError"),
    err("grad(sin)(i32[])", "dtype", "TypeError"),
    err("grad(lambda x: greater(x, 0.0))(())", "dtype", "TypeError"),
    err("jacfwd(sin)(i32[n])", "dtype", "TypeError"),
    err("jacrev(lambda x: less(x, 1.0))((n,))", "dtype", "TypeError"),
    err("grad(lambda x, y: x * y, argnums=2)((), ())", "bad-argument", "TypeError", "argnums=2"),
    err("grad(lambda x, y: x * y, argnums=-3)((), ())", "bad-argument", "ValueError"),
    err("grad(lambda x: x, has_aux=True)(())", "bad-argument", "TypeError"),
    err("vmap(grad(lambda x, y: x * y, argnums=1), (0, None), None)((b,), ())",
        "vmap-out-axes-none", "ValueError", "None", id="d(x*y)/dy = x: batched"),
    err("vmap(grad(lambda x, y: maximum(x, y), argnums=1), (0, None), None)((b,), ())",
        "vmap-out-axes-none", "ValueError"),
    err("vmap(jacrev(lambda x, y: (y * x, x), argnums=1), (0, None), (0, None))((b,), ())",
        "vmap-out-axes-none", "ValueError", id="jacrev pulls all outputs back together"),
]

ERRORS = (VMAP_ERRORS + BROADCAST_ERRORS + OTHER_ERRORS + INDEX_ERRORS + AUTODIFF_ERRORS
          + PASS_THROUGH_ERRORS)


@pytest.mark.parametrize("expr, code, exception, blame", ERRORS)
def test_error(expr, code, exception, blame):
    assert_error_row(expr, code, exception, blame)


@pytest.mark.parametrize("expr", [
    "(a - 2,)",
    "(1 - a,)",
    "f32[a - b]",
    "vmap(exp, None, 0, axis_size=a - 2)((a,))",
])
def test_sizes_that_may_be_negative_are_inconclusive_as_in_jax(expr):
    """Whether these are errors depends on the sizes: strict mode is compared
    with JAX's symbolic shapes; default mode answers under a guard."""
    assert shapeinfer.infer(expr).guards
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(expr, strict=True)
    assert (info.value.code, info.value.exception) == ("inconclusive",
                                                       "InconclusiveDimensionOperation")
    (case,) = shapeinfer.check(expr, symbolic=True).cases
    assert case.oracle is not None and not case.oracle.ok and case.agreed, case.oracle


def test_error_codes_are_documented():
    codes = {p.values[1] for p in ERRORS}
    assert codes <= set(shapeinfer.CODES)


# ---------------------------------------------------------------- messages

def test_broadcast_message_names_both_shapes():
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer("add((a, 2), (3,))")
    assert "(a, 2)" in info.value.message and "(3,)" in info.value.message


def test_inconsistent_sizes_message_names_both_arguments():
    expr = "vmap(lambda x, y, z: x, (0, 0, 1))((2,), (2,), (4, 3))"
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(expr)
    m = info.value.message
    assert "size 2" in m and "size 3" in m
    assert "axis 1 of argument z" in m


def test_an_undefined_name_suggests_a_close_one():
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer("W = (d, h); vmap(lambda x: x * w)((n, d))")
    assert "did you mean 'W'?" in info.value.message


@pytest.mark.parametrize("expr, expected", [
    ("reshape((n, 2), n * 2)", "(2*n,)"),     # a static size argument: n is a size
    ("reshape((n,), n)", "(n,)"),
    ("vmap(sin, axis_size=n, in_axes=None)(())", "(n,)"),
    ("(lambda x: x[:k])((n,))", "(min(k, n),)"),
    ("(a + 1, 2 * b)", "(a + 1, 2*b)"),
])
def test_sizes_stay_sizes_where_a_size_is_wanted(expr, expected):
    assert_ok_row(expr, expected)
