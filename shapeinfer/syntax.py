"""Text -> syntax tree.

The Lark grammar (``grammar/shapeinfer.lark``) defines the language, which
describes structure only. A parse builds small frozen dataclasses that each
carry the character span ``(start, end)`` they came from, so that any error
found later can point at the culprit: the hand-written parser of
``shapeinfer/descent.py`` builds them for nearly every text that parses, and
Lark, as it parses, for the rest (``shapeinfer/larkparse.py``; syntax errors
above all: their messages are Lark's). Both build the same nodes
(``tests/test_descent.py``).

>>> parse("vmap(add, (0, None), 1)").expr.func.id
'vmap'
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import ShapeSyntaxError

Span = tuple[int, int]


# ---------------------------------------------------------------- nodes
# Every node carries `span`; it is excluded from equality so that two parses
# of the same structure compare equal.

@dataclass(frozen=True)
class Node:
    span: Span = field(compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Name(Node):
    id: str


@dataclass(frozen=True)
class Int(Node):
    value: int


@dataclass(frozen=True)
class Float(Node):
    value: float


@dataclass(frozen=True)
class Str(Node):
    value: str


@dataclass(frozen=True)
class Const(Node):
    """``None``, ``True`` or ``False``."""
    value: object


@dataclass(frozen=True)
class TupleExpr(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class DictExpr(Node):
    keys: tuple[Node, ...]
    values: tuple[Node, ...]


@dataclass(frozen=True)
class BinOp(Node):
    op: str          # one of + - * / // % @ ** and the comparisons < <= > >= == !=
    left: Node
    right: Node


@dataclass(frozen=True)
class UnaryOp(Node):
    op: str          # - or +
    operand: Node


@dataclass(frozen=True)
class Keyword(Node):
    name: str
    value: Node


@dataclass(frozen=True)
class Call(Node):
    func: Node
    args: tuple[Node, ...]
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True)
class Attribute(Node):
    value: Node
    attr: str


@dataclass(frozen=True)
class Slice(Node):
    start: Node | None
    stop: Node | None
    step: Node | None


@dataclass(frozen=True)
class EllipsisExpr(Node):
    pass


@dataclass(frozen=True)
class Subscript(Node):
    value: Node
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Lambda(Node):
    params: tuple[str, ...]
    body: Node


@dataclass(frozen=True)
class Relation(Node):
    op: str          # == != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class Assign(Node):
    name: str
    value: Node


@dataclass(frozen=True)
class Assume(Node):
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class Program(Node):
    statements: tuple[Node, ...]
    expr: Node


def children(node: Node) -> Iterator[Node]:
    """The nodes directly below ``node``, in source order."""
    for value in vars(node).values():
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, Node):
                yield child


def walk(node: Node) -> Iterator[Node]:
    """Yield ``node`` and every node below it, parents first, in source order.
    (A loop, not recursion: a flat chain ``a + a + ...`` is a deep tree.)"""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(children(node))))


# The deepest syntax tree a program may have. The evaluator recurses once
# (or a few times) per level; past this a program gets a clear `too-deep`
# error instead of a RecursionError. Python's own compiler gives up near
# 2,000-3,000 levels (and at 200 nested brackets), so hardly a program JAX
# could run is refused; 2,500 keeps the 2,000-step operation chains that
# benchmarks/bench_scaling.py measures (issue 10) within reach.
MAX_DEPTH = 2500


def check_depth(node: Node) -> None:
    """Refuse a tree deeper than :data:`MAX_DEPTH`, naming the node that
    passes the limit (measured with a loop, never by recursion)."""
    stack = [(node, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ShapeSyntaxError(
                f"the program nests more than {MAX_DEPTH} levels deep (brackets, calls, "
                "lambdas or a chain of operators); shapeinfer stops there",
                span=node.span, code="too-deep")
        stack.extend((child, depth + 1) for child in children(node))


# ---------------------------------------------------------------- parser

def code_characters(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, character)`` for each character of ``text`` outside string
    literals and ``#`` comments, without parsing it (the REPL counts open
    brackets, ``table`` finds its ``?`` placeholders)."""
    quote, i = None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            end = text.find("\n", i)
            i = len(text) if end == -1 else end
            continue
        else:
            yield i, ch
        i += 1


def is_blank(text: str) -> bool:
    """Nothing but whitespace and ``#`` comments."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _grammar_text(name: str) -> str:
    # An installed wheel carries the grammar inside the package
    # (pyproject's force-include); a source checkout keeps it at the top level.
    here = Path(__file__).resolve().parent
    for candidate in (here / "grammar" / name, here.parent / "grammar" / name):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError(f"shapeinfer grammar file {name!r} is missing")


def parse(text: str) -> Program:
    """Parse a whole program; raise :class:`ShapeSyntaxError` with a span
    (code ``empty`` for text with nothing but blanks and comments).

    A text parsed before is not parsed again: nodes are frozen values, so the
    same :class:`Program` can serve every caller (a REPL, the checker, a
    benchmark asking one program many times). Parsing is most of a warm
    ``infer``; a text that fails to parse is not cached and fails again."""
    return _parse_cached(text)


def _build(text: str) -> Program:
    """The parse of ``text``. The hand-written parser (shapeinfer/descent.py)
    parses nearly every text that parses; where it gives up (a syntax error
    above all), Lark parses the text (shapeinfer/larkparse.py) and raises
    its own error, or the first error its node builder found."""
    try:
        return descent.parse(text)
    except (descent.Fallback, RecursionError):
        # (RecursionError: the descent recurses a few frames a level of
        # nesting; Lark's loop does not, for the deepest programs)
        pass
    from . import larkparse  # (Lark is imported only when a text needs it)
    return larkparse.parse(text)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Program:
    if is_blank(text):
        raise ShapeSyntaxError("the program is empty: no expression, only blanks or comments",
                               span=(0, len(text)), code="empty")
    program = _build(text)
    # Every node below the Program has a token of its own (a name, an
    # operator, a bracket, a keyword), so a tree is at most len(text) + 1
    # deep: a shorter text needs no walk (most of them: MAX_DEPTH is 2,500).
    if len(text) >= MAX_DEPTH:
        check_depth(program)
    return program


# (imported last: the hand-written parser builds the nodes defined above)
from . import descent  # noqa: E402
