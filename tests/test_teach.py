"""table, solve and explain (issue 9): every answer is checked against JAX.

The seed article (../shared/seed/) built its in_axes / out_axes tables by
hand for two (2,2) arrays and two (2,3,5,7,9) arrays; here every row of
both goes through the JAX checker.
"""
from __future__ import annotations

import json

import pytest

import shapeinfer
from shapeinfer import cli
from shapeinfer.explain import explain
from shapeinfer.teach import (Table, TableError, axis_choices, fmt_axes, placeholder_offsets,
                              solve)

from test_table import checked


def assert_row_agrees(row, concrete=True):
    """The row's answer is the engine's, and JAX agrees (shape or exception
    class). With size symbols, the checker compares at sampled sizes, where a
    symbolic error such as broadcasting (a,) with (a, b) may not be one."""
    report = checked(row.expr)
    if not concrete:
        return report
    for case in report.cases:
        if row.result is not None:
            assert case.oracle.ok, f"{row.expr}: JAX raised {case.oracle}"
        else:
            assert not case.oracle.ok, f"{row.expr}: JAX accepted it: {case.oracle}"
            assert row.error.exception in case.oracle.exception_mro
    return report


# ---------------------------------------------------------------- placeholders

def test_placeholders_skip_strings_and_comments():
    assert placeholder_offsets('f(?, "?", \'a?\') # ?\n ?') == [2, 21]


def test_axis_choices_are_none_then_every_axis_positive_and_negative():
    assert axis_choices(2) == [None, 0, 1, -2, -1]
    assert axis_choices(0) == [None]


# ---------------------------------------------------------------- the (2,2) table

SMALL = "vmap(add, ?, ?)((2,2),(2,2))"


@pytest.fixture(scope="module")
def small():
    return Table(SMALL)


def test_small_table_is_complete(small):
    in_axes = {row.values[0] for row in small.rows}
    entries = ["None", "0", "1", "-2", "-1"]
    assert in_axes == {f"({x}, {y})" for x in entries for y in entries}
    for row in small.rows:
        if row.result is not None:  # every position of the output, and None
            rank = len(row.result.leaves[0])
            outs = {r.values[1] for r in small.rows if r.values[0] == row.values[0]}
            assert outs == {"None"} | {str(i) for i in range(-rank, rank)}
    answers = {row.answer for row in small.rows}
    # the issue's examples
    assert "(2, 2, 2)" in answers and "vmap-no-mapped-axis" in answers
    # the article's observations: all ints keep (2, 2); one None adds an axis
    assert small.rows[[r.values for r in small.rows].index(("(0, 1)", "0"))].answer == "(2, 2)"
    assert small.rows[[r.values for r in small.rows].index(("(None, 1)", "1"))].answer == \
        "(2, 2, 2)"


def test_every_row_of_the_small_table_agrees_with_jax(small):
    assert len(small.rows) == 143
    for row in small.rows:
        assert_row_agrees(row)


# ---------------------------------------------------------------- the (2,3,5,7,9) table

BIG = "vmap(add, ?, ?)((2,3,5,7,9),(2,3,5,7,9))"


def test_every_row_of_the_big_table_agrees_with_jax():
    table = Table(BIG)
    assert len({row.values[0] for row in table.rows}) == 11 * 11
    assert len(table.rows) == 1533
    for row in table.rows:
        assert_row_agrees(row)
    by_fill = {row.values: row.answer for row in table.rows}
    # the article: (0, 1) maps a size-2 axis against a size-3 one
    assert by_fill[("(0, 1)", "0")] == "vmap-inconsistent-sizes"
    assert by_fill[("(0, None)", "0")] == "(2, 2, 3, 5, 7, 9)"
    assert by_fill[("(1, None)", "0")] == "broadcast"  # (2,5,7,9) against (2,3,5,7,9)


def test_symbolic_table_and_grouping():
    table = Table("vmap(add, in_axes=(?, None), out_axes=?)((a,b),(a,b))")
    assert table.labels == ["in_axes[0]", "out_axes"]
    for row in table.rows[::3]:
        assert_row_agrees(row, concrete=False)
    grouped = table.render_grouped()
    assert "(a, b, a)  (4 rows)\n    in_axes[0]=0, out_axes=2\n" in grouped


def test_nested_vmap_placeholders_are_found():
    table = Table("vmap(vmap(add, ?, 0), ?)((a,b),(a,b))")
    assert table.labels == ["vmap1 in_axes", "vmap2 in_axes"]
    ok = [r for r in table.rows if r.result is not None]
    assert ok
    for row in ok[:4] + table.rows[:2]:
        assert_row_agrees(row, concrete=False)


def test_nested_vmap_inner_axes_follow_the_outer_setting():
    """The inner vmap's arguments are the outer one's per-example arguments:
    an outer None keeps an argument's rank, so the inner ? gets more axes."""
    table = Table("vmap(vmap(add, ?), ?)((2,3),(2,3))")
    assert table.labels == ["vmap1 in_axes", "vmap2 in_axes"]
    inner = {}
    for row in table.rows:
        inner.setdefault(row.values[1], set()).add(row.values[0])
    # outer (0, None): the inner vmap gets (3,) and (2, 3)
    assert inner["(0, None)"] == {fmt_axes((x, y)) for x in axis_choices(1)
                                  for y in axis_choices(2)}
    assert inner["(0, 0)"] == {fmt_axes((x, y)) for x in axis_choices(1)
                               for y in axis_choices(1)}
    # outer (None, None) fails before the inner vmap: every inner value any row has
    assert inner["(None, None)"] == set().union(*inner.values())
    for row in table.rows:
        if row.values[1] == "(0, None)":  # 15 rows the old table missed some of
            assert_row_agrees(row)


@pytest.mark.parametrize("expr, labels, count", [
    # a dict entry of an in_axes tuple
    ("vmap(lambda d: d['a'] + d['b'], ({'a': ?, 'b': 0},))({'a': (2,3), 'b': (2,3)})",
     ["in_axes[0]['a']"], 5),
    # an operation's axis, as a keyword and as a method's positional argument
    ("sum((2,3), axis=?)", ["sum axis"], 5),
    ("jnp.concatenate(((2,3), (2,3)), axis=?)", ["concatenate axis"], 5),
    # stack's axis is a position of the result, which has one more axis
    ("jnp.stack(((2,3), (2,3)), axis=?)", ["stack axis"], 7),
    ("vmap(lambda x: x.sum(?), ?)((2,3,4))", ["sum axis", "in_axes"], 5 + 6 * 5),
    # the entries of an out_axes tuple, each with its output's axes
    ("vmap(lambda x: (x, x.sum(0)), 0, (?, ?))((2,3))", ["out_axes[0]", "out_axes[1]"], 15),
])
def test_placeholders_in_dicts_tuples_and_axis_arguments(expr, labels, count):
    table = Table(expr)
    assert table.labels == labels
    assert len(table.rows) == count
    for row in table.rows:
        assert_row_agrees(row)


@pytest.mark.parametrize("expr", [
    "add((a,), (a,))", "sum(?, axis=0)", "vmap(add, ?)((a,)",
    # too many settings: refused after a few runs, not after 20000
    "vmap(vmap(add, ?, ?), ?, ?)((2,3,4,5),(2,3,4,5))"])
def test_table_refuses_what_it_cannot_fill(expr):
    with pytest.raises(TableError):
        Table(expr)


def test_table_cli_json_rows_are_eval_json(capsys):
    assert cli.main(["table", "--json", SMALL]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 143
    for row in rows[:10]:
        fill = row.pop("fill")
        assert len(fill) == 2
        assert cli.main(["eval", "--json", row["expr"]]) in (0, 1)
        assert json.loads(capsys.readouterr().out) == row


def test_table_cli_text_and_usage(capsys):
    assert cli.main(["table", "--group", SMALL]) == 0
    out = capsys.readouterr().out
    assert out.startswith("vmap-no-mapped-axis  (7 rows)")
    assert cli.main(["table", "add((a,), (a,))"]) == 2
    assert "no ? placeholder" in capsys.readouterr().err


# ---------------------------------------------------------------- solve

def test_solve_the_issue_example():
    want = shapeinfer.infer("(a, a, b, c)").shape
    solution = solve("vmap(add, ?, ?)((a,b,c),(a,b,c))", want)
    fills = [r.values for r in solution.matches]
    assert ("(0, None)", "1") in fills
    for row in solution.matches:
        report = assert_row_agrees(row)
        assert all(case.oracle.ok for case in report.cases)
        assert str(row.result) == "(a, a, b, c)"


def test_solve_compares_symbolic_dims_as_expressions():
    want = shapeinfer.infer("(b*a, c)").shape
    solution = solve("vmap(lambda x: x.reshape(a*b), ?, ?)((c,a,b))", want)
    # c mapped (axis 0 or -3), its axis put last
    assert [r.values for r in solution.matches] == [
        ("(0,)", "1"), ("(0,)", "-1"), ("(-3,)", "1"), ("(-3,)", "-1")]
    for row in solution.matches:
        assert_row_agrees(row, concrete=False)


def test_solve_none_gives_the_closest(capsys):
    solution = solve("vmap(add, ?, ?)((a,b),(a,b))", shapeinfer.infer("(a, b, d)").shape)
    assert not solution.matches and len(solution.closest) == 5
    for row in solution.closest:  # the closest answers are JAX's too
        assert_row_agrees(row)
    assert cli.main(["solve", "vmap(add, ?, ?)((a,b),(a,b))", "--want", "(a, b, d)"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("none of the")
    # same rank, two dims in place: (a, b, a) is the closest
    assert out.split("closest:\n")[1].startswith("  in_axes=(None, 0), out_axes=2  ->  (a, b, a)")
    assert cli.main(["solve", "vmap(add, ?, ?)((a,b),(a,b))", "--want", "(b, a)"]) == 0
    assert "in_axes=(0, 0), out_axes=1  ->  (b, a)" in capsys.readouterr().out
    assert cli.main(["solve", "vmap(add, ?, ?)((a,b),(a,b))", "--want", "add"]) == 2
    capsys.readouterr()
    assert cli.main(["solve", "--json", "vmap(add, (0, ?), 0)((a,b),(a,b))", "--want", "(a,b)"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] and data["labels"] == ["in_axes[1]"]
    assert [m["fill"] for m in data["matches"]] == [["0"], ["-2"]]
    assert all(m["result"] == "(a, b)" and m["ok"] for m in data["matches"])


# ---------------------------------------------------------------- explain

def test_explain_the_issue_example():
    expr = "vmap(add, (0, None), 1)((a,b,c),(a,b,c))"
    e = explain(expr)
    assert str(e.result) == "(a, a, b, c)"
    kinds = {s.kind: s for s in e.steps}
    assert kinds["vmap-examples"].data["examples"] == ["(b, c)", "(a, b, c)"]
    assert kinds["vmap-inner"].data["inner"] == "(a, b, c)"
    assert kinds["vmap-out"].data["position"] == 1
    assert e.steps[-1].text == "= (a, a, b, c)"
    text = e.render()
    assert "per-example arguments: (b, c), (a, b, c)" in text
    assert "rule add, clause 1" in text and "x = (b, c) from argument 0" in text
    checked(expr)


def test_explain_grad_jit_and_errors(capsys):
    e = explain("jit(grad(lambda x: sum(x * x)))((n,))")
    assert [s.kind for s in e.steps].count("transform") == 2
    assert str(e.result) == "(n,)"
    bad = "vmap(add, (0, 1))((2,b),(a,3))"
    e = explain(bad)
    assert e.error.code == "vmap-inconsistent-sizes"
    assert e.steps[-1].kind == "error"
    # the sizes that disagree are shown above the failing step
    assert [(s.data["axis"], s.data["size"]) for s in e.steps if s.kind == "vmap-axis"] == [
        (0, "2"), (1, "3")]
    checked(bad)
    assert cli.main(["explain", "--json", bad]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["steps"][-1]["code"] == "vmap-inconsistent-sizes"
    assert cli.main(["explain", "vmap(add"]) == 2


def test_explain_never_changes_the_answer():
    """The tracer only listens: on random programs (tests/progen.py) explain's
    answer is infer's, error for error (code, class and span)."""
    from progen import programs
    for program in programs(200, seed=9):
        try:
            expected = str(shapeinfer.infer(program.text, sizes=program.sizes))
        except shapeinfer.ShapeError as e:
            expected = (e.code, e.exception, e.span)
        e = explain(program.text, sizes=program.sizes)
        got = str(e.result) if e.result is not None else (
            e.error.code, e.error.exception, e.error.span)
        assert got == expected, program.text
        assert e.steps and e.steps[-1].kind in ("result", "error"), program.text


def transforms(e) -> list[str]:
    return [s.text.strip() for s in e.steps if s.kind == "transform"]


def test_explain_control_flow_says_what_it_does_to_shapes(capsys):
    expr = "lax.scan(lambda c, x: (c + x, c * 2), (3,), (5, 3))"
    e = explain(expr)
    assert transforms(e) == [
        "scan: each step gets the carry and one slice of xs (5, 3) along its leading axis, (3,)",
        "scan: the carry keeps its shape and dtype: (3,)",
        "scan: the ys of each step, (3,), are stacked along a new leading axis of length 5: "
        "(5, 3)"]
    # the body runs until its carry's types settle; identical runs are shown once
    assert [s.text for s in e.steps].count("<lambda>((3,), (3,))") == 1
    checked(expr)
    for expr, start in [("lax.fori_loop(0, 4, lambda i, c: c * 2, (3,))", "fori_loop: the body"),
                        ("lax.while_loop(lambda c: False, lambda c: c + 1, (2, 3))",
                         "while_loop: the body"),
                        ("lax.cond(True, lambda x: x, lambda x: x * 2, (3,))",
                         "cond: every branch"),
                        ("jax.tree.map(lambda x, y: x * y, {'a': (2,), 'b': (3,)}, "
                         "{'a': (2,), 'b': ()})", "tree.map: the function")]:
        e = explain(expr)
        assert len(transforms(e)) == 1 and transforms(e)[0].startswith(start), expr
        assert transforms(e)[0].endswith(str(e.result)), expr
        checked(expr)
    # --json: the same steps as data
    assert cli.main(["explain", "--json", "lax.scan(lambda c, x: (c, x), (2,), (4, 3))"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert [(s["length"], s["ys"]) for s in steps if "length" in s] == [("4", "(4, 3)")]


def test_explain_vectorize_core_and_loop_dims():
    expr = "jnp.vectorize(lambda a, b: a @ b, signature='(n,m),(m)->(n)')((4,2,3),(3,))"
    e = explain(expr)
    assert [(s.data["core"], s.data["loop"]) for s in e.steps
            if s.kind == "transform" and "argument" in s.data] == [("(2, 3)", "(4,)"),
                                                                   ("(3,)", "()")]
    assert transforms(e)[-1].endswith("(4, 2)")
    assert str(e.result) == "(4, 2)"
    checked(expr)
    # a Python scalar argument is a () array with no core dims
    expr = "jnp.vectorize(lambda a, b: a * b)((3,), 2)"
    e = explain(expr)
    assert transforms(e)[1] == "argument 1 (): core dims none = (), loop dims ()"
    checked(expr)


@pytest.mark.parametrize("expr, kinds", [
    ("hessian(lambda x: sum(x))((3,))", ["jacrev", "jacfwd"]),
    ("value_and_grad(lambda x, y: sum(x * y), argnums=(0, 1))((3,), (3,))", ["value_and_grad"]),
    ("jacrev(lambda x: x * 2)((2, 3))", ["jacrev"]),
    ("checkpoint(lambda x: x * 2)((3,))", []),
])
def test_explain_derivatives_name_the_shapes(expr, kinds):
    e = explain(expr)
    assert [s.data["transform"] for s in e.steps if "transform" in s.data] == kinds
    for step in e.steps:
        if "wrt" in step.data:
            assert step.data["wrt"].startswith("argument 0 (")
    if not kinds:
        assert transforms(e) == ["checkpoint does not change shapes: the result is <lambda>'s"]
    assert str(e.result) == str(shapeinfer.infer(expr))
    checked(expr)


def test_explain_an_operation_answered_by_a_hook():
    e = explain("jnp.clip((3,), 0, (2, 1))")
    assert [s.data.get("hook") for s in e.steps if s.kind == "clause"] == ["clip"]
    checked("jnp.clip((3,), 0, (2, 1))")


def index_steps(e) -> list:
    return [s for s in e.steps if s.kind in ("index", "index-axis")]


def test_explain_indexing_shows_each_dims_formula(capsys):
    """A subscript is a step: the array's shape, the index and the result,
    then what each item did to its axis (each dim's formula, read from the
    result so that the test does not depend on how dims print)."""
    expr = "(lambda x: x[1:, ::2])((a, b))"
    e = explain(expr)
    head, *axes = index_steps(e)
    assert head.text == f"index (a, b)[1:, ::2] = {e.result}"
    assert head.depth == 1  # inside the lambda's call
    first, second = (shapeinfer.dims.fmt_dim(d) for d in e.result.shape)
    assert [s.text for s in axes] == [f"axis 0 (a)[1:] = {first}", f"axis 1 (b)[::2] = {second}"]
    assert first == "a - 1"
    checked(expr)
    # ..., None, ints; the axes left over
    expr = "(4, 5, 6, 7)[..., None, 0, :]"
    e = explain(expr)
    assert [s.text for s in index_steps(e)] == [
        "index (4, 5, 6, 7)[..., None, 0, :] = (4, 5, 1, 7)", "... keeps axes 0..1: (4, 5)",
        "None adds an axis of size 1", "axis 2 (6)[0]: removed", "axis 3 (7)[:] = 7"]
    checked(expr)
    expr = "(4, 5, 6)[1]"
    assert [s.text for s in index_steps(explain(expr))][1:] == [
        "axis 0 (4)[1]: removed", "the axes not indexed stay: (5, 6)"]
    checked(expr)
    # an index array: one step with the result
    expr = "(lambda x, i: x[i, :2])((4, 5), i32[3])"
    assert [s.text for s in index_steps(explain(expr))] == [
        "index (4, 5)[<int array (3,)>, :2] = (3, 2)"]
    checked(expr)
    assert cli.main(["explain", "--json", "(a, b)[1:]"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert [(s["index"], s["result"]) for s in steps if s["kind"] == "index"] == [
        ("1:", "(a - 1, b)")]


def test_explain_shape_items_and_transpose():
    expr = "(lambda x: reshape(x, (x.shape[0], -1)))((a, b, c))"
    e = explain(expr)
    assert [s.text for s in index_steps(e)] == ["shape (a, b, c)[0] = a"]
    assert str(e.result) == "(a, b*c)"
    checked(expr)
    expr = "(lambda x: x.T)((2, 3))"
    e = explain(expr)
    assert [s.text.strip() for s in e.steps][1] == "transpose((2, 3))"
    assert str(e.result) == "(3, 2)"
    checked(expr)
