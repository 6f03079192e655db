"""Lark's parse of the expression language: the definition.

``grammar/shapeinfer.lark`` defines the language, and here Lark parses it,
building :mod:`shapeinfer.syntax`'s nodes as it goes. The hand-written
parser of ``shapeinfer/descent.py`` parses nearly every text that parses,
faster; this module parses the rest (a syntax error above all, whose
message is Lark's, and the node builder's own errors) and is what
``tests/test_descent.py`` compares the descent with. Lark is imported here
only, when a text first needs it: most processes never do.
"""
from __future__ import annotations

import functools
import threading

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .dims import MAX_INT_DIGITS
from .errors import ShapeSyntaxError
from .syntax import (Assign, Assume, Attribute, BinOp, Call, Const, DictExpr, EllipsisExpr,
                     Float, Int, Keyword, Lambda, ListExpr, Name, Program, Relation, Slice,
                     Span, Str, Subscript, TupleExpr, UnaryOp, _grammar_text)


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
    # The nodes are built while Lark parses (`transformer=`: a callback per
    # reduction, no parse tree, no second walk), and every token is kept
    # (`keep_all_tokens`) because the spans come from them: the brackets and
    # keywords that start or end a node. Lark's own `propagate_positions`
    # would do the same work for half the parse time.
    return Lark(
        _grammar_text("shapeinfer.lark"),
        parser="lalr",
        lexer="contextual",
        postlex=_BracketNewlines(),
        transformer=_NodeBuilder(),
        keep_all_tokens=True,
        maybe_placeholders=False,  # the tokens tell which optional parts are there
        cache=True,  # Lark keeps the built tables in the temp dir: a faster start
    )


def _tok_span(tok: Token) -> Span:
    return (tok.start_pos, tok.end_pos)


class _NodeBuilder:
    """Lark's callbacks, one per grammar rule or alias (methods are named
    after them): each gets the rule's children, tokens included, and returns
    a node. Lark's LALR parser calls them bottom-up and left to right, in a
    loop, so any depth of nesting is safe here (:func:`check_depth` refuses
    what is too deep to evaluate).

    A node's span runs from the start of its first child to the end of its
    last one, where a child in brackets, ``(expr)``, counts with its
    brackets: in ``(a + b) * c`` the product starts at ``(`` while the sum
    inside stays ``a + b``. The sum is the same node either way (the
    brackets are not a node), so its bracketed extent is kept aside, in
    ``_outer``, for the parent to use.

    Errors found while building (a duplicate lambda parameter, a repeated
    keyword, ...) are kept in ``error`` and raised after the parse, the
    first one only: a syntax error later in the text is reported before
    them, as when the nodes were built from a finished parse tree.

    One instance serves every parse (Lark binds the callbacks once), so
    :func:`_build` takes a lock and resets that state for each text."""

    def __init__(self):
        self._outer: dict[int, Span] = {}
        self.error: Exception | None = None

    def reset(self) -> None:
        self._outer.clear()
        self.error = None

    def _fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error

    # -- spans

    def _span(self, children) -> Span:
        # (one function for both ends: it runs for nearly every node)
        first, last = children[0], children[-1]
        if type(first) is Token:
            start = first.start_pos
        else:
            start = (self._outer.get(id(first)) or first.span)[0]
        if type(last) is Token:
            return (start, last.end_pos)
        return (start, (self._outer.get(id(last)) or last.span)[1])

    # -- program and statements

    def start(self, children):
        # separators (newlines, `;`) are tokens; they count for the span
        *statements, expr = [c for c in children if type(c) is not Token]
        return Program(tuple(statements), expr, span=self._span(children))

    def assign(self, children):
        name, _, value = children
        return Assign(str(name), value, span=self._span(children))

    def assume(self, children):
        # "assume" relation ("," relation)*
        return Assume(tuple(children[1::2]), span=self._span(children))

    def relation(self, children):
        left, op, right = children
        return Relation(str(op), left, right, span=self._span(children))

    # -- expressions

    def lambda_expr(self, children):
        # "lambda" [NAME ("," NAME)*] ":" expr
        params = children[1:-2:2]
        seen = set()
        for p in params:
            if str(p) in seen:
                self._fail(ShapeSyntaxError("duplicate argument in lambda definition",
                                            span=_tok_span(p)))
            seen.add(str(p))
        return Lambda(tuple(str(p) for p in params), children[-1], span=self._span(children))

    def _binop(op):  # noqa: N805 - a small factory used at class creation
        def method(self, children):
            left, _, right = children
            return BinOp(op, left, right, span=self._span(children))
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

    def compare(self, children):
        left, op, right = children
        return BinOp(str(op), left, right, span=self._span(children))

    def _unary(op):  # noqa: N805
        def method(self, children):
            return UnaryOp(op, children[1], span=self._span(children))
        return method

    neg = _unary("-")
    pos = _unary("+")
    invert = _unary("~")

    def call(self, children):
        # postfix "(" [arguments] ")"
        func, arguments = children[0], children[2] if len(children) == 4 else ()
        args, keywords = [], []
        for item in arguments:
            if isinstance(item, Keyword):
                if any(k.name == item.name for k in keywords):
                    self._fail(ShapeSyntaxError(f"keyword argument repeated: {item.name}",
                                                span=item.span))
                keywords.append(item)
            elif keywords:
                self._fail(ShapeSyntaxError("positional argument follows keyword argument",
                                            span=item.span))
            else:
                args.append(item)
        return Call(func, tuple(args), tuple(keywords), span=self._span(children))

    def arguments(self, children):
        return children[::2]  # without the commas

    def keyword(self, children):
        name, _, value = children
        return Keyword(str(name), value, span=self._span(children))

    def attribute(self, children):
        value, _, name = children
        return Attribute(value, str(name), span=self._span(children))

    def subscript(self, children):
        # postfix "[" [subscripts] "]"
        items = children[2] if len(children) == 4 else ()
        return Subscript(children[0], tuple(items), span=self._span(children))

    def subscripts(self, children):
        return children[::2]

    def slice(self, children):
        # [expr] ":" [expr] [":" [expr]]: the colons divide the parts
        parts: list = [None]
        for child in children:
            if type(child) is Token:
                parts.append(None)
            else:
                parts[-1] = child
        start, stop, step = parts + [None] * (3 - len(parts))
        return Slice(start, stop, step, span=self._span(children))

    def ellipsis(self, children):
        return EllipsisExpr(span=self._span(children))

    # -- atoms

    def atom(self, children):
        # "(" expr ")": the expression itself; its parent's span counts the brackets
        expr = children[1]
        self._outer[id(expr)] = self._span(children)
        return expr

    def name(self, children):
        return Name(str(children[0]), span=_tok_span(children[0]))

    def int(self, children):
        tok = children[0]
        if len(tok.lstrip("0")) > MAX_INT_DIGITS:  # dims.MAX_INT_DIGITS says why
            self._fail(ShapeSyntaxError(
                f"integer literal too long (more than {MAX_INT_DIGITS} digits)",
                span=_tok_span(tok)))
            return Int(0, span=_tok_span(tok))
        return Int(int(tok), span=_tok_span(tok))

    def float(self, children):
        return Float(float(children[0]), span=_tok_span(children[0]))

    def string(self, children):
        import ast  # the literal follows Python's escapes
        tok = children[0]
        try:
            value = ast.literal_eval(str(tok))
        except SyntaxError as e:  # a bad escape, such as "\N": Python refuses it too
            self._fail(ShapeSyntaxError(f"invalid string literal: {e.msg}", span=_tok_span(tok)))
            value = ""
        return Str(value, span=_tok_span(tok))

    def none(self, children):
        return Const(None, span=_tok_span(children[0]))

    def true(self, children):
        return Const(True, span=_tok_span(children[0]))

    def false(self, children):
        return Const(False, span=_tok_span(children[0]))

    def tuple(self, children):
        # "(" [expr ("," expr)* ","?] ")": the items without brackets and commas
        return TupleExpr(tuple(children[1:-1:2]), span=self._span(children))

    def list(self, children):
        return ListExpr(tuple(children[1:-1:2]), span=self._span(children))

    def dict(self, children):
        pairs = children[1:-1:2]
        return DictExpr(tuple(k for k, _ in pairs), tuple(v for _, v in pairs),
                        span=self._span(children))

    def dict_item(self, children):
        key, _, value = children
        return (key, value)


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


_build_lock = threading.Lock()


def parse(text: str) -> Program:
    """Lark's parse of ``text`` (which builds the nodes as it goes); raises
    :class:`ShapeSyntaxError` for Lark's syntax errors, or else the first
    error the node builder found."""
    try:
        return _build(text)
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


def _build(text: str) -> Program:
    parser = _parser()
    builder = parser.options.transformer
    with _build_lock:  # the builder's state is per text
        builder.reset()
        try:
            program = parser.parse(text)
            error = builder.error
        finally:
            builder.reset()  # drop the references to this text's nodes
    if error is not None:
        raise error
    return program
