"""Operation.call's memo: within one evaluation a repeated call (the same
operation on the same arguments under the same facts) is looked up rather
than matched again (docs/performance.md). It must never hand back the answer
of a call it has to tell apart: arguments that compare equal in Python but
differ for JAX (``2``, ``2.0``, ``True``), arrays that differ only in their
vmap or derivative tags, and the same call after the facts have changed.
Answers are confirmed by JAX (the checker compares shapes, dtypes and weak
types)."""
import pytest

import shapeinfer
from shapeinfer import scope
from shapeinfer.engine import Evaluator
from shapeinfer.library import builtins
from shapeinfer.syntax import parse
from test_table import assert_ok_row, checked


def evaluate(text: str):
    """The program's value and the evaluator's memo."""
    ev = Evaluator(builtins())
    with scope.active(scope.Scope()):
        value = ev.run(parse(text))
    return value, ev.call_memo


def test_a_repeated_call_is_looked_up():
    layer = "relu(add(matmul({}, w), b))"
    h = "x"
    for _ in range(5):
        h = layer.format(h)
    value, memo = evaluate(f"x = (n, d); w = (d, d); b = (d,)\n{h}")
    assert str(value) == "(n, d)"
    # matched once for the five layers: add, relu, and matmul of the literal
    # (n, d), then of the array the layer before made
    assert len(memo) == 4


@pytest.mark.parametrize("expr, dtypes", [
    ("(add(2, 2), add(2.0, 2.0), add(True, True))", ["i32", "f32", "bool"]),
    ("(add(True, True), add(1, 1))", ["bool", "i32"]),
    ("(multiply(f32[3], 2), multiply(f32[3], 2.0), multiply(i32[3], 2.0))",
     ["f32", "f32", "f32"]),
])
def test_arguments_equal_in_python_are_told_apart(expr, dtypes):
    assert shapeinfer.infer(expr).dtypes == dtypes
    checked(expr)  # JAX agrees on every shape, dtype and weak type


@pytest.mark.parametrize("expr, expected", [
    # sin of a batched and of an unbatched (3,): out_axes None only for the latter
    ("vmap(lambda x, y: (sin(x), sin(y)), in_axes=(0, None), out_axes=(0, None))((a, 3), (3,))",
     "((a, 3), (3,))"),
    ("vmap(lambda x, y: (sin(y), sin(x)), in_axes=(0, None), out_axes=(None, 0))((a, 3), (3,))",
     "((3,), (a, 3))"),
])
def test_arrays_differing_only_in_vmap_tags_are_told_apart(expr, expected):
    assert_ok_row(expr, expected)


def test_a_batched_call_after_an_unbatched_one_stays_batched():
    # the unbatched answer, if handed back for the batched call, lets out_axes=None pass
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("vmap(lambda x, y: (sin(y), sin(x)), in_axes=(0, None), "
                         "out_axes=None)((a, 3), (3,))")
    assert info.value.exception == "ValueError"


def test_a_call_after_the_facts_changed_is_matched_again():
    # the first add takes the guard a == b; the second, under it, is a new question
    value, memo = evaluate("(add((a,), (b,)), add((a,), (b,)))")
    assert str(value[0]) == str(value[1]) == "(a,)"
    assert len(memo) == 2
    result = shapeinfer.infer("(add((a,), (b,)), add((a,), (b,)))")
    assert result.describe() == "((a,), (a,))  if a == b"
