"""shapeinfer/descent.py parses by hand what Lark parses from the grammar:
it must build every node and span Lark builds, and give up (for Lark to
parse, and raise its error) wherever Lark refuses the text or its node
builder objects."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lark.exceptions import UnexpectedInput

from shapeinfer import api, descent, larkparse, syntax

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import parse_identity  # noqa: E402 - benchmarks/ is not a package
import test_fuzz  # noqa: E402


def _larks(text: str):
    """Lark's tree (every node with its span), or None where Lark refuses
    the text or its node builder reports an error."""
    builder = larkparse._parser().options.transformer
    with larkparse._build_lock:
        builder.reset()
        try:
            program = larkparse._parser().parse(text)
        except UnexpectedInput:
            return None
        finally:
            error = builder.error
            builder.reset()
    return None if error is not None else parse_identity.describe_tree(program)


def _descents(text: str):
    with api.deep_recursion(text):  # as infer parses
        try:
            return parse_identity.describe_tree(descent.parse(text))
        except descent.Fallback:
            return None


def assert_same(text: str) -> None:
    """Where the descent parses, Lark builds the same tree."""
    mine = _descents(text)
    if mine is not None:
        assert mine == _larks(text), text


def _corpus() -> list[str]:
    from progen import programs
    texts = (parse_identity.BY_HAND + parse_identity.test_and_benchmark_strings()
             + parse_identity.docs_texts() + parse_identity.benchmark_programs()
             + [p.text for p in programs(400, seed=77)])
    return [t for t in dict.fromkeys(texts) if not syntax.is_blank(t)]


def test_same_trees_as_lark_on_the_corpus():
    texts = _corpus()
    parsed = refused = 0
    for text in texts:
        mine, larks = _descents(text), _larks(text)
        if mine is None:
            refused += 1
        else:
            assert mine == larks, text
            parsed += 1
    # both kinds are there in numbers: programs and texts that are not
    assert parsed > 2000 and refused > 2000
    # and the descent gives up on hardly anything Lark parses (keywords Lark
    # reads as names where only a name can stand, as `lambda x, lambda: x`)
    left_to_lark = [t for t in texts if _descents(t) is None and _larks(t) is not None]
    assert len(left_to_lark) <= 5, left_to_lark


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(test_fuzz.mutated(test_fuzz.PROGRAMS), test_fuzz._expr,
                 st.text(alphabet=st.sampled_from("abn01(),[]{}:;=+-*/%@.#\"' \n\r\t\f\\<>"),
                         max_size=30)))
def test_same_as_lark_on_random_text(text):
    if not syntax.is_blank(text):
        assert_same(text)


@pytest.mark.parametrize("text", [
    "y = f(\n  a,\n  b\n)\ny",    # newlines inside brackets are blanks
    "x = (a,\n)\n\ny = x;\nadd(x, y)",
    "\n;\nx = 1;\n(x)  # c\n\n",  # separators count for the program's span
    "x = (a,)\r\ny = (b, 1)\r\nadd(x, y)\r\n",
    "\\\n(a,)", "f(a, \\\n b)", "a\f+ b",
    "None(True)[False]",
    "a << b >> c | d ^ e & f", "a - b - c", "a ** -b ** c", "-a ** b", "~-+a",
    "(a + b) * c", "((a)).b[(c)]", "f((a))(b)", "a < (b)",
    "x[1:2:3, ..., ::]", "x[:]", "x[::]", "x[a:]", "x[:b]", "x[::c]", "x[a::]", "x[]", "x[a,]",
    "lambda: 1", "lambda x, y: lambda z: (x, y, z)", "f(lambda x: x, k=lambda: 2)",
    "f(a, b=1, c=(2, 3),)", "{}", "{a: b, 'c': [1, 2.5, .5e3, 1e9, 7.],}", "[]", "()", "(a,)",
    "assume a == b, c % 2 != 0\nadd((a,), (b,))", "'it\\'s'", "\"a\\\"b\"",
    "x.assume", "f(assume)",
])
def test_same_as_lark_by_hand(text):
    assert _descents(text) is not None
    assert_same(text)


@pytest.mark.parametrize("text", [
    "lambda x, lambda: x",       # Lark reads a keyword where only a name can stand as a name
    "x.None", "1 + lambda",      # (rare: Lark's answer is the definition)
    "lambda x, x: x",            # the node builder's errors: Lark's path raises them
    "f(a=1, a=2)", "f(a=1, 2)", "'\\N'", "1" * 5000,
    "f(a,,)", "a b", "$", "a if", "(a", "a = 1",  # syntax errors
])
def test_leaves_to_lark(text):
    with pytest.raises(descent.Fallback):
        descent.parse(text)


def test_a_syntax_error_is_larks():
    with pytest.raises(syntax.ShapeSyntaxError, match="unexpected ','") as e:
        syntax.parse("f(a,,)")
    assert e.value.span == (4, 5)


def test_the_builders_errors_come_after_larks_parse():
    # a later syntax error is reported before the repeated keyword
    with pytest.raises(syntax.ShapeSyntaxError, match="keyword argument repeated"):
        syntax.parse("f(a=1, a=2)")
    with pytest.raises(syntax.ShapeSyntaxError, match="unexpected"):
        syntax.parse("f(a=1, a=2) )")


def test_deep_programs():
    # the descent recurses a few frames a level and makes room for
    # MAX_DEPTH levels (2,500): a program that deep is the descent's, the
    # same tree as Lark's, wherever parse is called from
    text = "tanh(" * 2000 + "(a,)" + ")" * 2000
    assert parse_identity.describe_tree(descent.parse(text)) == _larks(text)
    # past its room, Lark's loop parses, and the depth check refuses
    text = "tanh(" * 4000 + "(a,)" + ")" * 4000
    with pytest.raises(RecursionError):
        descent.parse(text)
    with pytest.raises(syntax.ShapeSyntaxError, match="nests more than") as e:
        syntax.parse(text)
    assert e.value.code == "too-deep"
    assert sys.getrecursionlimit() < descent._RECURSION_LIMIT  # restored


@pytest.mark.parametrize("text", ["é", "a + é", "f(a) # é\nb", '"é"', "a\x00", "x = 1\n\té"])
def test_characters_outside_ascii_lex_as_larks_do(text):
    assert_same(text)
