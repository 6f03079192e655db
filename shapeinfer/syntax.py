"""Text -> syntax tree.

The Lark grammar (``grammar/shapeinfer.lark``) describes structure only; this
module turns its parse tree into small frozen dataclasses that each carry the
character span ``(start, end)`` they came from, so that any error found later
can point at the culprit.

>>> parse("vmap(add, (0, None), 1)").expr.func.id
'vmap'
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import (UnexpectedCharacters, UnexpectedEOF, UnexpectedInput,
                             UnexpectedToken, VisitError)

from .dims import MAX_INT_DIGITS
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


class _BracketNewlines:
    """Post-lexer: a newline inside (), [] or {} is whitespace, as in Python."""

    always_accept = ("_NL",)
    _open = {"LPAR", "LSQB", "LBRACE"}
    _close = {"RPAR", "RSQB", "RBRACE"}

    def process(self, stream):
        depth = 0
        for token in stream:
            if token.type in self._open:
                depth += 1
            elif token.type in self._close:
                depth = max(0, depth - 1)
            elif token.type == "_NL" and depth:
                continue
            yield token


@functools.lru_cache(maxsize=None)
def _parser() -> Lark:
    return Lark(
        _grammar_text("shapeinfer.lark"),
        parser="lalr",
        lexer="contextual",
        postlex=_BracketNewlines(),
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,  # Lark keeps the built tables in the temp dir: a faster start
    )


def _span(meta) -> Span:
    return (meta.start_pos, meta.end_pos)


def _tok_span(tok: Token) -> Span:
    return (tok.start_pos, tok.end_pos)


@v_args(meta=True)
class _ToNodes(Transformer_NonRecursive):
    """Parse tree -> nodes; method names match the grammar's aliases.
    (Lark's non-recursive transformer: any depth of tree is safe here, and
    :func:`check_depth` refuses what is too deep to evaluate.)"""

    def start(self, meta, children):
        *statements, expr = children
        return Program(tuple(statements), expr, span=_span(meta))

    def assign(self, meta, children):
        name, value = children
        return Assign(str(name), value, span=_span(meta))

    def assume(self, meta, children):
        return Assume(tuple(children), span=_span(meta))

    def relation(self, meta, children):
        left, op, right = children
        return Relation(str(op), left, right, span=_span(meta))

    def lambda_expr(self, meta, children):
        *params, body = children
        params = [p for p in params if p is not None]
        seen = set()
        for p in params:
            if str(p) in seen:
                raise ShapeSyntaxError("duplicate argument in lambda definition",
                                       span=_tok_span(p))
            seen.add(str(p))
        return Lambda(tuple(str(p) for p in params), body, span=_span(meta))

    def _binop(op):  # noqa: N805 - a small factory used at class creation
        def method(self, meta, children):
            left, right = children
            return BinOp(op, left, right, span=_span(meta))
        return method

    add = _binop("+")
    sub = _binop("-")
    mul = _binop("*")
    truediv = _binop("/")
    floordiv = _binop("//")
    mod = _binop("%")
    matmul = _binop("@")
    pow = _binop("**")
    bitor = _binop("|")
    bitxor = _binop("^")
    bitand = _binop("&")
    lshift = _binop("<<")
    rshift = _binop(">>")

    def compare(self, meta, children):
        left, op, right = children
        return BinOp(str(op), left, right, span=_span(meta))

    def neg(self, meta, children):
        return UnaryOp("-", children[0], span=_span(meta))

    def pos(self, meta, children):
        return UnaryOp("+", children[0], span=_span(meta))

    def invert(self, meta, children):
        return UnaryOp("~", children[0], span=_span(meta))

    def call(self, meta, children):
        func, arguments = children
        args, keywords = [], []
        for item in arguments or ():
            if isinstance(item, Keyword):
                if any(k.name == item.name for k in keywords):
                    raise ShapeSyntaxError(f"keyword argument repeated: {item.name}",
                                           span=item.span)
                keywords.append(item)
            elif keywords:
                raise ShapeSyntaxError(
                    "positional argument follows keyword argument", span=item.span)
            else:
                args.append(item)
        return Call(func, tuple(args), tuple(keywords), span=_span(meta))

    def arguments(self, meta, children):
        return children

    def keyword(self, meta, children):
        name, value = children
        return Keyword(str(name), value, span=_span(meta))

    def attribute(self, meta, children):
        value, name = children
        return Attribute(value, str(name), span=_span(meta))

    def subscript(self, meta, children):
        value, items = children
        return Subscript(value, tuple(items or ()), span=_span(meta))

    def subscripts(self, meta, children):
        return children

    def slice(self, meta, children):
        start, stop, step = children
        return Slice(start, stop, step, span=_span(meta))

    def ellipsis(self, meta, children):
        return EllipsisExpr(span=_span(meta))

    def name(self, meta, children):
        return Name(str(children[0]), span=_tok_span(children[0]))

    def int(self, meta, children):
        if len(children[0].lstrip("0")) > MAX_INT_DIGITS:  # dims.MAX_INT_DIGITS says why
            raise ShapeSyntaxError(f"integer literal too long (more than {MAX_INT_DIGITS} digits)",
                                   span=_tok_span(children[0]))
        return Int(int(children[0]), span=_tok_span(children[0]))

    def float(self, meta, children):
        return Float(float(children[0]), span=_tok_span(children[0]))

    def string(self, meta, children):
        import ast  # the literal follows Python's escapes
        return Str(ast.literal_eval(str(children[0])), span=_tok_span(children[0]))

    def none(self, meta, children):
        return Const(None, span=_span(meta))

    def true(self, meta, children):
        return Const(True, span=_span(meta))

    def false(self, meta, children):
        return Const(False, span=_span(meta))

    def tuple(self, meta, children):
        return TupleExpr(tuple(children), span=_span(meta))

    def list(self, meta, children):
        items = tuple(c for c in children if c is not None)
        return ListExpr(items, span=_span(meta))

    def dict(self, meta, children):
        pairs = [c for c in children if c is not None]
        return DictExpr(tuple(k for k, _ in pairs), tuple(v for _, v in pairs),
                        span=_span(meta))

    def dict_item(self, meta, children):
        return tuple(children)


_TOKEN_WORDS = {
    "RPAR": "')'", "LPAR": "'('", "RSQB": "']'", "LSQB": "'['", "RBRACE": "'}'",
    "LBRACE": "'{'", "COMMA": "','", "COLON": "':'", "EQUAL": "'='", "_NL": "a newline",
    "SEMICOLON": "';'", "$END": "the end of the input", "NAME": "a name", "INT": "an integer",
}


def _describe_expected(expected) -> str:
    words = sorted({_TOKEN_WORDS.get(t, t.lower()) for t in expected})
    if len(words) > 6:
        return ""
    return " (expected " + ", ".join(words) + ")"


def parse(text: str) -> Program:
    """Parse a whole program; raise :class:`ShapeSyntaxError` with a span
    (code ``empty`` for text with nothing but blanks and comments).

    A text parsed before is not parsed again: nodes are frozen values, so the
    same :class:`Program` can serve every caller (a REPL, the checker, a
    benchmark asking one program many times). Parsing is most of a warm
    ``infer``; a text that fails to parse is not cached and fails again."""
    return _parse_cached(text)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Program:
    if is_blank(text):
        raise ShapeSyntaxError("the program is empty: no expression, only blanks or comments",
                               span=(0, len(text)), code="empty")
    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as e:
        raise ShapeSyntaxError(
            f"unexpected character {text[e.pos_in_stream]!r}",
            span=(e.pos_in_stream, e.pos_in_stream + 1)) from None
    except UnexpectedEOF as e:
        raise ShapeSyntaxError("unexpected end of input" + _describe_expected(e.expected),
                               span=(len(text), len(text))) from None
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            raise ShapeSyntaxError("unexpected end of input" + _describe_expected(e.expected),
                                   span=(len(text), len(text))) from None
        start = tok.start_pos if tok.start_pos is not None else len(text)
        shown = "a newline" if tok.type == "_NL" else repr(str(tok))
        raise ShapeSyntaxError(f"unexpected {shown}" + _describe_expected(e.expected),
                               span=(start, start + max(1, len(str(tok)) if tok.type != "_NL" else 1))) from None
    except UnexpectedInput as e:  # any other Lark complaint
        pos = getattr(e, "pos_in_stream", None) or 0
        raise ShapeSyntaxError(str(e).splitlines()[0], span=(pos, pos + 1)) from None
    try:
        program = _ToNodes().transform(tree)
    except VisitError as e:  # Lark wraps errors raised in callbacks
        raise e.orig_exc from None
    check_depth(program)
    return program
