"""shapeinfer/lalr.py runs Lark's tables in its own loop: it must build every
node and span Lark builds, and give up (for Lark to raise its error) on
exactly the texts Lark refuses."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lark.exceptions import UnexpectedInput

from shapeinfer import lalr, syntax

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import parse_identity  # noqa: E402 - benchmarks/ is not a package
import test_fuzz  # noqa: E402


def _outcome(parse, text: str):
    """The tree (every node with its span) and the node builder's first
    error, or None if ``parse`` refused the text."""
    builder = syntax._parser().options.transformer
    with syntax._build_lock:
        builder.reset()
        try:
            program = parse(text)
        except (lalr.Fallback, UnexpectedInput):
            return None
        finally:
            error = builder.error
            builder.reset()
    error = None if error is None else (type(error).__name__, error.message, error.span)
    return parse_identity.describe_tree(program), error


def assert_same(text: str) -> None:
    fast = _outcome(syntax._driver().parse, text)
    slow = _outcome(syntax._parser().parse, text)
    assert fast == slow, text


def test_the_fast_loop_is_in_use():
    # with the pinned Lark the driver builds; None would mean every parse
    # silently took the slow path
    assert isinstance(syntax._driver(), lalr.Driver)


def _corpus() -> list[str]:
    from progen import programs
    texts = (parse_identity.BY_HAND + parse_identity.test_and_benchmark_strings()
             + parse_identity.docs_texts() + parse_identity.benchmark_programs()
             + [p.text for p in programs(400, seed=77)])
    return [t for t in dict.fromkeys(texts) if not syntax.is_blank(t)]


def test_same_trees_and_refusals_as_lark_on_the_corpus():
    texts = _corpus()
    parsed = 0
    for text in texts:
        assert_same(text)
        parsed += _outcome(syntax._parser().parse, text) is not None
    # both kinds are there in numbers: programs and texts that are not
    assert parsed > 2000 and len(texts) - parsed > 2000


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(test_fuzz.mutated(test_fuzz.PROGRAMS), test_fuzz._expr,
                 st.text(alphabet=st.sampled_from("abn01(),[]{}:;=+-*/%@.#\"' \n\r\t\\<>"),
                         max_size=30)))
def test_same_as_lark_on_random_text(text):
    if not syntax.is_blank(text):
        assert_same(text)


@pytest.mark.parametrize("text", [
    "lambda x, lambda: x",        # a keyword where a name must be
    "y = f(\n  a,\n  b\n)\ny",    # newlines inside brackets are blanks
    "x = (a,\n)\n\ny = x;\nadd(x, y)",
    "None(True)[False]",
    "a << b >> c | d ^ e & f",
    "x[1:2:3, ..., ::]",
])
def test_same_as_lark_by_hand(text):
    assert_same(text)
    assert _outcome(syntax._driver().parse, text) is not None


def test_a_syntax_error_is_larks():
    # the loop gives up; parse() then raises what Lark's parse gives
    with pytest.raises(lalr.Fallback):
        syntax._driver().parse("f(a,,)")
    with pytest.raises(syntax.ShapeSyntaxError, match="unexpected ','") as e:
        syntax.parse("f(a,,)")
    assert e.value.span == (4, 5)


def test_lark_parses_alone_where_the_loop_cannot_run(monkeypatch):
    # a Lark laid out otherwise: no driver (syntax._driver gives None), or a
    # lexer this loop cannot read (Fallback at every text): same trees
    text = "x = vmap(lambda u: u @ u.T)((a, b, b))\nx[0, ...]"
    fast = parse_identity.describe_tree(syntax._build(text))
    monkeypatch.setattr(syntax, "_driver", lambda: None)
    assert parse_identity.describe_tree(syntax._build(text)) == fast

    broken = lalr.Driver(syntax._parser())
    broken._basic_lexers = {}  # every state's lexer is missing
    monkeypatch.setattr(syntax, "_driver", lambda: broken)
    with pytest.raises(lalr.Fallback):
        broken.parse(text)
    assert parse_identity.describe_tree(syntax._build(text)) == fast


# -- the lexer's first-character table

def _terminals():
    return syntax._parser().terminals


@pytest.mark.parametrize("name", [t.name for t in syntax._parser().terminals])
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_of_a_terminal_starts_with_one_of_its_first_characters(name, data):
    # a first-character set too small would send a token to an alternation
    # without its terminal: check it against matches hypothesis makes
    terminal = next(t for t in _terminals() if t.name == name)
    pattern = terminal.pattern.to_regexp()
    first = lalr._first_chars(pattern, 0)
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    assert first is None or (text and text[0] in first), (name, text, first)


@pytest.mark.parametrize("pattern, first", [
    ("abc", {"a"}),
    ("a?b", {"a", "b"}),
    ("(?:x|y+)z", {"x", "y"}),
    ("[0-2]+", {"0", "1", "2"}),
    ("(\r?\n)+", {"\r", "\n"}),
    ("x*", None),            # it can match nothing: any character may follow
    (r"\w+", None),          # classes and negations are not followed: any character
    ("[^a]", None),
    ("(?i)a", None),         # flags neither
    ("(?=a)a", None),        # nor lookarounds
])
def test_first_characters_of_a_pattern(pattern, first):
    assert lalr._first_chars(pattern, 0) == (None if first is None else frozenset(first))
    assert lalr._first_chars(pattern, 1) is None  # a flag: unsure


@pytest.mark.parametrize("text", ["é", "a + é", "f(a) # é\nb", '"é"', "a\x00", "x = 1\n\té"])
def test_characters_outside_ascii_lex_as_larks_do(text):
    assert_same(text)
