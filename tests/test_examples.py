"""The examples that must hold, and the vmap tables of the seed article
("Learning about JAX: axes in vmap()", /work/shared/seed/000_27c6438a1d9fbc41.txt).

Every example is checked twice: against the shape written here and, through
``shapeinfer.check``, against ``jax.eval_shape``.
"""
from __future__ import annotations

import pytest

import shapeinfer
from shapeinfer import ShapeError

SAMPLES = 3


def checked(expr: str):
    """The checker must agree with JAX on every sampled case and skip none."""
    report = shapeinfer.check(expr, samples=SAMPLES)
    assert report.cases
    details = "\n".join(f"  sizes {c.sizes}: shapeinfer {c.engine} / jax {c.oracle}"
                        for c in report.disagreements)
    assert report.agreed, f"shapeinfer and jax.eval_shape disagree on {expr!r}:\n{details}"
    assert all(c.oracle is not None for c in report.cases), "the checker skipped a case"
    return report


def assert_shape(expr: str, expected: str, concrete: tuple | None = None):
    """``expected`` is the printed result; ``concrete`` (for programs without size
    symbols) the leaves JAX must produce."""
    assert str(shapeinfer.infer(expr)) == expected
    report = checked(expr)
    for case in report.cases:
        assert case.oracle.ok, case.oracle
        if concrete is not None:
            assert case.oracle.leaves == concrete


def assert_error(expr: str, code: str, exception: str) -> ShapeError:
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(expr)
    e = info.value
    assert (e.code, e.exception) == (code, exception), e.message
    assert e.span is not None and 0 <= e.span[0] <= e.span[1] <= len(expr)
    for case in checked(expr).cases:
        assert not case.oracle.ok and exception in case.oracle.exception_mro, case.oracle
    return e


# ---------------------------------------------------------------- examples that must hold

def test_vmap_add_unmapped_second_argument_out_axis_1():
    expr = "vmap(add, (0, None), 1)((a,b,c), (a,b,c))"
    assert_shape(expr, "(a, a, b, c)")
    r = shapeinfer.infer(expr)
    assert [str(d) for d in r.shape] == ["a", "a", "b", "c"]
    assert r.leaves == [r.shape]
    assert r.guards == []


def test_vmap_add_none_1_is_a_broadcast_error():
    expr = "vmap(add, (None, 1), 0)((2,3,5,7,9), (2,3,5,7,9))"
    e = assert_error(expr, "broadcast", "ValueError")
    assert "(2, 3, 5, 7, 9)" in e.message
    assert "(2, 5, 7, 9)" in e.message
    assert expr[slice(*e.span)] == "add"


def test_vmap_add_0_1_has_inconsistent_sizes():
    expr = "vmap(add, (0, 1), 0)((2,3,5,7,9), (2,3,5,7,9))"
    e = assert_error(expr, "vmap-inconsistent-sizes", "ValueError")
    lines = e.message.splitlines()
    size2 = [line for line in lines if "size 2" in line]
    size3 = [line for line in lines if "size 3" in line]
    assert len(size2) == 1 and len(size3) == 1, e.message
    # each size says which argument and which axis it came from
    assert "axis 0 of argument x" in size2[0], e.message
    assert "axis 1 of argument y" in size3[0], e.message
    # the span blames the second argument, whose size differs from the first
    start, end = e.span
    assert start == expr.index("(2,3,5,7,9), (2,3,5,7,9))") + len("(2,3,5,7,9), ")
    assert expr[start:end] == "(2,3,5,7,9)"


def test_nested_vmap_moves_axes():
    assert_shape("vmap(vmap(add, (0, None), 1), (1, None), 0)((b,a,c), (c,))", "(a, c, b)")


def test_out_axes_none_for_an_unmapped_output():
    assert_shape("vmap(lambda x, y: (x, y), (0, None), (0, None))((2,3), (4,))",
                 "((2, 3), (4,))", ((2, 3), (4,)))


def test_axis_size_without_mapped_arguments():
    assert_shape("vmap(lambda x: x, None, 0, axis_size=5)((2,3))", "(5, 2, 3)", ((5, 2, 3),))


# ---------------------------------------------------------------- the article: two (2, 2) matrices

M22 = "((2,2), (2,2))"

# in_axes all ints: the mapped axis of size 2 comes back as out_axes, shape (2, 2)
ALL_INTS = [(i, j, o) for i in (0, 1, -1, -2) for j in (0, 1, -1, -2) for o in (0, 1, -1)]


@pytest.mark.parametrize("i, j, out", [pytest.param(i, j, o, id=f"in=({i},{j}) out={o}")
                                       for i, j, o in ALL_INTS[::5] + [(0, 1, 1), (-1, -2, -2)]])
def test_2x2_all_mapped(i, j, out):
    assert_shape(f"vmap(add, ({i}, {j}), {out}){M22}", "(2, 2)", ((2, 2),))


# one argument unmapped: it is added to every slice of the other, shape (2, 2, 2)
WITH_NONE = [("None", "0", 0), ("None", "1", 0), ("None", "-1", 1), ("None", "0", 2),
             ("0", "None", 0), ("1", "None", 1), ("-2", "None", -1), ("1", "None", 2),
             ("None", "1", -3)]


@pytest.mark.parametrize("i, j, out", [pytest.param(i, j, o, id=f"in=({i},{j}) out={o}")
                                       for i, j, o in WITH_NONE])
def test_2x2_one_unmapped(i, j, out):
    assert_shape(f"vmap(add, ({i}, {j}), {out}){M22}", "(2, 2, 2)", ((2, 2, 2),))


@pytest.mark.parametrize("expr, code", [
    pytest.param(f"vmap(add, (None, None), 0){M22}", "vmap-no-mapped-axis", id="no mapped axis"),
    pytest.param(f"vmap(add, (0, 0), 2){M22}", "vmap-out-axis-out-of-range",
                 id="out_axes 2 on a rank-2 result"),
    pytest.param(f"vmap(add, (None, 0), 3){M22}", "vmap-out-axis-out-of-range",
                 id="out_axes 3 on a rank-3 result"),
    pytest.param(f"vmap(add, (2, 0), 0){M22}", "vmap-axis-out-of-range", id="in_axes 2"),
    pytest.param(f"vmap(add, (0, -3), 0){M22}", "vmap-axis-out-of-range", id="in_axes -3"),
    pytest.param(f"vmap(add, (0, 0), None){M22}", "vmap-out-axes-none", id="out_axes None"),
])
def test_2x2_errors(expr, code):
    assert_error(expr, code, "ValueError")


def test_2x2_symbolic_rows_and_columns():
    # with distinct sizes the article's "which axis is mapped" becomes visible
    assert_shape("vmap(add, (None, 0), 0)((r, c), (k, c))", "(k, r, c)")
    assert_shape("vmap(add, (None, 1), 1)((r, c), (c, k))", "(r, k, c)")
    assert_shape("vmap(add, (0, 1), 0)((k, c), (c, k))", "(k, c)")


# ---------------------------------------------------------------- the article: two (2,3,5,7,9) arrays

A5 = "((2,3,5,7,9), (2,3,5,7,9))"


def test_5d_in_axes_0_1_fails_with_sizes_2_and_3():
    e = assert_error(f"vmap(jnp.add, in_axes=(0, 1), out_axes=0){A5}",
                     "vmap-inconsistent-sizes", "ValueError")
    assert "size 2" in e.message and "size 3" in e.message


@pytest.mark.parametrize("i, j, out, expected", [
    pytest.param(0, 0, 0, (2, 3, 5, 7, 9), id="in=(0,0) out=0"),
    pytest.param(1, 1, 0, (3, 2, 5, 7, 9), id="in=(1,1) out=0"),
    pytest.param(4, 4, 2, (2, 3, 9, 5, 7), id="in=(4,4) out=2"),
    pytest.param(-1, 4, -1, (2, 3, 5, 7, 9), id="in=(-1,4) out=-1"),
])
def test_5d_both_mapped(i, j, out, expected):
    assert_shape(f"vmap(add, ({i}, {j}), {out}){A5}", str(expected), (expected,))


# The article's "swap" table: in_axes (None, 0) -- the second array's rows are
# added to the whole first array -- and out_axes 0..5. The mapped size 2 is
# inserted at position out_axes, so out_axes=n is out_axes=n-1 with the
# entries at n-1 and n swapped.
SWAP = {
    0: (2, 2, 3, 5, 7, 9),
    1: (2, 2, 3, 5, 7, 9),
    2: (2, 3, 2, 5, 7, 9),
    3: (2, 3, 5, 2, 7, 9),
    4: (2, 3, 5, 7, 2, 9),
    5: (2, 3, 5, 7, 9, 2),
}


@pytest.mark.parametrize("in_axes", ["(None, 0)", "(None, -5)", "(0, None)"])
@pytest.mark.parametrize("out", sorted(SWAP))
def test_5d_swap_table(in_axes, out):
    assert_shape(f"vmap(add, {in_axes}, {out}){A5}", str(SWAP[out]), (SWAP[out],))


@pytest.mark.parametrize("out, same_as", [(-1, 5), (-2, 4), (-6, 0)])
def test_5d_swap_table_negative_out_axes(out, same_as):
    assert_shape(f"vmap(add, (None, 0), {out}){A5}", str(SWAP[same_as]), (SWAP[same_as],))


def test_5d_swap_rule_symbolically():
    """The swap rule, with a distinct symbol for every axis so that positions show."""
    shapes = []
    for out in range(6):
        expr = f"vmap(add, (None, 0), {out})((p, q, r, s, t), (m, q, r, s, t))"
        r = shapeinfer.infer(expr)
        checked(expr)
        shapes.append([str(d) for d in r.shape])
    assert shapes[0] == ["m", "p", "q", "r", "s", "t"]
    for n in range(1, 6):
        swapped = list(shapes[n - 1])
        swapped[n - 1], swapped[n] = swapped[n], swapped[n - 1]
        assert shapes[n] == swapped


def test_5d_out_axes_6_is_out_of_range():
    assert_error(f"vmap(add, (None, 0), 6){A5}", "vmap-out-axis-out-of-range", "ValueError")


@pytest.mark.parametrize("k, per_example", [
    (1, "(2, 5, 7, 9)"), (2, "(2, 3, 7, 9)"), (3, "(2, 3, 5, 9)"), (4, "(2, 3, 5, 7)"),
    (-1, "(2, 3, 5, 7)"),
])
def test_5d_none_k_does_not_broadcast(k, per_example):
    """(None, k) for k != 0: the second array's slices no longer line up with the first."""
    expr = f"vmap(add, (None, {k}), 0){A5}"
    e = assert_error(expr, "broadcast", "ValueError")
    assert "(2, 3, 5, 7, 9)" in e.message and per_example in e.message
    assert expr[slice(*e.span)] == "add"
