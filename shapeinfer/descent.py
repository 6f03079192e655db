"""A hand-written parser for the texts that parse, checked against Lark's.

``grammar/shapeinfer.lark`` defines the language and Lark parses it
(``shapeinfer/larkparse.py``); a cold ``infer`` of a small program spent a
third to a half of its time in a table-driven LALR loop, a token at a time
(issue 10). This is the same grammar written out as a recursive-descent
parser with precedence climbing (one loop for the binary operators rather
than a function per level), over tokens that one regular expression finds
in one call. It builds the nodes and spans the Lark parse builds
(``tests/test_descent.py`` compares both on some 14,000 texts and on random
ones; ``benchmarks/parse_identity.py`` checks a change against 24,000), so
a change to the grammar is made here too.

It only ever parses: anything irregular, a syntax error above all, and
anything the node builder would complain about (a repeated keyword, a bad
string escape, ...), raises :class:`Fallback`, and the caller parses the
text with Lark, whose errors and messages are the ones users see. So is
a keyword spelled where Lark's contextual lexer would read a name
(``x.None``, ``1 + lambda``): rare texts, for which Lark's answer is the
definition.
"""
from __future__ import annotations

import ast
import re
import sys
from itertools import accumulate, chain

from .dims import MAX_INT_DIGITS
from .syntax import (MAX_DEPTH, Assign, Assume, Attribute, BinOp, Call, Const, DictExpr,
                     EllipsisExpr, Float, Int, Keyword, Lambda, ListExpr, Name, Program,
                     Relation, Slice, Str, Subscript, TupleExpr, UnaryOp)


class Fallback(Exception):
    """Lark must parse this text (it has a syntax error, or something this
    parser leaves to Lark)."""


# Blanks before a token (Lark's ignored WS_INLINE and LINE_CONTINUATION),
# then the token: a name, a bracket or comma, a float before an int (FLOAT
# has priority 2), an operator, the longer spellings first as Lark's lexer
# orders them (`**` before `*`), a run of newlines (Lark's _NL), a string
# (Lark's STRING), a comment (ignored, as Lark does, by `_tokens`), or, at
# the end of the text, nothing (after the trailing blanks). The most
# frequent tokens come first: the regular-expression engine tries the
# alternatives in turn.
_TOKENS = re.compile(r"""
    ((?:[ \t\f\r]|\\\r?\n)*)
    ( [A-Za-z_][A-Za-z_0-9]*
    | [(),\[\]{}]
    | [0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)? | [0-9]+[eE][-+]?[0-9]+ | [0-9]+
    | \.\.\. | \.[0-9]+(?:[eE][-+]?[0-9]+)?
    | \*\* | // | << | >> | == | != | <= | >=
    | [-+*/%@<>=|^&~:;.]
    | (?:\r?\n)+
    | "[^"\\\n]*(?:\\.[^"\\\n]*)*" | '[^'\\\n]*(?:\\.[^'\\\n]*)*'
    | \#[^\n]*
    | \Z
    )""", re.VERBOSE)

_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
_END = ""  # the token after the last one

# The binary operators below comparison, by binding power (Python's order:
# | below ^ below & below the shifts below + and - below * / // % @).
_BINARY = {"|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4, "+": 5, "-": 5,
           "*": 6, "/": 6, "//": 6, "%": 6, "@": 6}
_COMPARE = frozenset({"==", "!=", "<=", ">=", "<", ">"})
_UNARY = frozenset({"-", "+", "~"})
_CONSTANTS = {"None": None, "True": True, "False": False}
# Names Lark's lexer reads as keywords where the keyword could stand
_KEYWORDS = frozenset({"lambda", "None", "True", "False"})
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DIGITS = frozenset("0123456789")


def _tokens(text: str, newlines_in_brackets: bool = False) -> tuple[list[str], list[int]]:
    """The tokens of ``text`` and where each starts, comments dropped, and
    with ``newlines_in_brackets`` the newlines inside brackets too (Lark's
    post-lexer: they are blanks there); two :data:`_END` close the list
    (a statement looks one token past the next for its "=")."""
    # the tokens and their starts from the lengths of what findall matched,
    # without a Python step per token
    flat = list(chain.from_iterable(_TOKENS.findall(text)))
    offsets = list(accumulate(map(len, flat), initial=0))
    if offsets[-1] != len(text):  # findall skipped a character no token starts with
        raise Fallback
    toks, starts = flat[1::2], offsets[1::2]
    while toks and not toks[-1]:  # the end's empty match
        toks.pop()
        starts.pop()
    if "#" in text or newlines_in_brackets:
        kept = []
        depth = 0
        for k, tok in enumerate(toks):
            if tok in _OPEN:
                depth += 1
            elif tok in _CLOSE:
                depth = depth - 1 if depth else 0
            elif tok[0] == "#" or (tok[-1] == "\n" and depth and newlines_in_brackets):
                continue
            kept.append(k)
        toks, starts = [toks[k] for k in kept], [starts[k] for k in kept]
    n = len(text)
    toks += (_END, _END)
    starts += (n, n)
    return toks, starts


# The descent recurses four or five frames a level of nesting: room for
# MAX_DEPTH levels (deeper is refused after the parse anyway). Python 3.11
# keeps Python-to-Python calls off the C stack.
_RECURSION_LIMIT = 5 * MAX_DEPTH


def parse(text: str) -> Program:
    """The :class:`~shapeinfer.syntax.Program` Lark builds for ``text``;
    raises :class:`Fallback` where Lark should parse it (and RecursionError
    past :data:`_RECURSION_LIMIT`)."""
    limit = sys.getrecursionlimit()
    if limit < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        try:
            return _Parser(_tokens(text)).program()
        except Fallback:
            if "\n" not in text:
                raise
        # A newline inside brackets is a blank (in Lark's post-lexer) and,
        # left in, always a misplaced token here (only a program's statements
        # take newlines), so a text is first parsed without the walk that
        # removes them.
        return _Parser(_tokens(text, newlines_in_brackets=True)).program()
    finally:
        sys.setrecursionlimit(limit)


class _Parser:
    """One text's tokens and the position in them. Each ``_expr``-like
    method returns ``(node, start, end)``: the node and its extent in the
    text, brackets included where the node stood in ``( )``. A node's own
    span leaves out its brackets, while its parent's span counts them
    (``(a + b) * c`` starts at ``(``), as Lark's node builder does."""

    def __init__(self, tokens: tuple[list[str], list[int]]):
        self.toks, self.starts = tokens
        self.i = 0

    # -- tokens

    def _end(self, i: int) -> int:
        return self.starts[i] + len(self.toks[i])

    def _expect(self, tok: str) -> int:
        """Consume ``tok``; its end."""
        i = self.i
        if self.toks[i] != tok:
            raise Fallback
        self.i = i + 1
        return self.starts[i] + len(tok)

    def _name(self) -> str:
        """A NAME token where only a name can stand."""
        tok = self.toks[self.i]
        if not tok or tok[0] not in _NAME_START or tok in _KEYWORDS:
            raise Fallback  # (Lark reads a keyword there as a name: rare)
        self.i += 1
        return tok

    # -- program and statements

    def program(self) -> Program:
        toks = self.toks
        statements = []
        # the span runs from the first token to the last, separators included
        first = self.starts[0] if self._separators() else None
        while True:
            tok = toks[self.i]
            if tok == "assume":
                node, start, end = self._assume()
            elif toks[self.i + 1] == "=" and tok and tok[0] in _NAME_START:
                node, start, end = self._assign()
            else:
                node, start, end = self._expr()
                if first is None:
                    first = start
                if self._separators():
                    end = self._end(self.i - 1)
                if toks[self.i] != _END:
                    raise Fallback
                return Program(tuple(statements), node, span=(first, end))
            if first is None:
                first = start
            statements.append(node)
            if not self._separators():
                raise Fallback  # a statement needs a separator after it

    def _separators(self) -> bool:
        """Skip `;` and newlines; whether there were any."""
        toks, i = self.toks, self.i
        while toks[i] == ";" or toks[i][-1:] == "\n":
            i += 1
        found, self.i = i > self.i, i
        return found

    def _assign(self):
        start = self.starts[self.i]
        name = self._name()
        self.i += 1  # the "="
        value, _, end = self._expr()
        return Assign(name, value, span=(start, end)), start, end

    def _assume(self):
        start = self.starts[self.i]
        self.i += 1
        relations = []
        while True:
            left, lstart, _ = self._binary(1)
            op = self.toks[self.i]
            if op not in _COMPARE:
                raise Fallback
            self.i += 1
            right, _, end = self._binary(1)
            relations.append(Relation(op, left, right, span=(lstart, end)))
            if self.toks[self.i] != ",":
                break
            self.i += 1
        return Assume(tuple(relations), span=(start, end)), start, end

    # -- expressions

    def _expr(self):
        """``expr``: a lambda, or a comparison of two ``arith``."""
        if self.toks[self.i] == "lambda":
            return self._lambda()
        left, start, end = self._binary(1)
        op = self.toks[self.i]
        if op in _COMPARE:
            self.i += 1
            right, _, end = self._binary(1)
            return BinOp(op, left, right, span=(start, end)), start, end
        return left, start, end

    def _lambda(self):
        start = self.starts[self.i]
        self.i += 1
        params = []
        if self.toks[self.i] != ":":
            params.append(self._name())
            while self.toks[self.i] == ",":
                self.i += 1
                params.append(self._name())
            if len(set(params)) != len(params):
                raise Fallback  # Lark's node builder reports the duplicate
        self._expect(":")
        body, _, end = self._expr()
        return Lambda(tuple(params), body, span=(start, end)), start, end

    def _binary(self, min_power: int):
        """``arith`` from ``bitor`` down to ``product``, by precedence
        climbing: the operators bind left to right."""
        left, start, end = self._unary()
        toks = self.toks
        while True:
            op = toks[self.i]
            power = _BINARY.get(op)
            if power is None or power < min_power:
                return left, start, end
            self.i += 1
            right, _, end = self._binary(power + 1)
            left = BinOp(op, left, right, span=(start, end))

    def _unary(self):
        """``unary``, ``power`` and ``postfix`` in one (an operand passes
        through all three): prefix operators, an atom, its calls,
        subscripts and attributes, and a power."""
        toks, i = self.toks, self.i
        tok = toks[i]
        if tok in _UNARY:
            start = self.starts[i]
            self.i = i + 1
            operand, _, end = self._unary()
            return UnaryOp(tok, operand, span=(start, end)), start, end
        if tok[:1] in _NAME_START and tok not in _KEYWORDS:  # most atoms are names
            start = self.starts[i]
            end = start + len(tok)
            self.i = i + 1
            node = Name(tok, span=(start, end))
        else:
            node, start, end = self._atom()
        while True:
            tok = toks[self.i]
            if tok == "(":
                self.i += 1
                args, keywords = self._arguments()
                end = self._expect(")")
                node = Call(node, args, keywords, span=(start, end))
            elif tok == "[":
                self.i += 1
                items = self._subscripts()
                end = self._expect("]")
                node = Subscript(node, items, span=(start, end))
            elif tok == ".":
                self.i += 1
                end = self._end(self.i)
                node = Attribute(node, self._name(), span=(start, end))
            elif tok == "**":  # `postfix "**" unary`: binds to the right
                self.i += 1
                exponent, _, end = self._unary()
                return BinOp("**", node, exponent, span=(start, end)), start, end
            else:
                return node, start, end

    def _arguments(self):
        """``[arguments]`` of a call, up to its ")"."""
        toks = self.toks
        args, keywords = [], []
        while toks[self.i] != ")":
            tok = toks[self.i]
            if toks[self.i + 1] == "=" and tok and tok[0] in _NAME_START:
                start = self.starts[self.i]
                name = self._name()
                self.i += 1
                value, _, end = self._expr()
                if any(k.name == name for k in keywords):
                    raise Fallback  # Lark's node builder reports the repeat
                keywords.append(Keyword(name, value, span=(start, end)))
            else:
                if keywords:
                    raise Fallback  # a positional argument after a keyword
                args.append(self._expr()[0])
            if toks[self.i] != ",":
                break
            self.i += 1
        return tuple(args), tuple(keywords)

    def _subscripts(self):
        """``[subscripts]`` of a subscript, up to its "]"."""
        toks = self.toks
        items = []
        while toks[self.i] != "]":
            tok = toks[self.i]
            if tok == "...":
                start = self.starts[self.i]
                self.i += 1
                items.append(EllipsisExpr(span=(start, start + 3)))
            else:
                items.append(self._subscript_item())
            if toks[self.i] != ",":
                break
            self.i += 1
        return tuple(items)

    def _subscript_item(self):
        """``expr``, or a slice ``[expr] ":" [expr] [":" [expr]]``."""
        toks = self.toks
        parts: list = []
        start = end = None
        if toks[self.i] != ":":
            node, start, end = self._expr()
            if toks[self.i] != ":":
                return node
            parts.append(node)
        else:
            parts.append(None)
        for _ in range(2):  # up to two colons, each maybe followed by an expr
            if toks[self.i] != ":":
                break
            if start is None:
                start = self.starts[self.i]
            end = self._end(self.i)
            self.i += 1
            if toks[self.i] in (":", ",", "]"):
                parts.append(None)
            else:
                node, _, end = self._expr()
                parts.append(node)
        parts += [None] * (3 - len(parts))
        return Slice(*parts, span=(start, end))

    def _atom(self):
        toks, i = self.toks, self.i
        tok, start = toks[i], self.starts[i]
        end = start + len(tok)
        first = tok[:1]
        self.i = i + 1
        if first in _NAME_START:
            if tok in _CONSTANTS:
                return Const(_CONSTANTS[tok], span=(start, end)), start, end
            if tok == "lambda":
                raise Fallback  # a lambda where an operand must be: Lark's reading
            return Name(tok, span=(start, end)), start, end
        if first in _DIGITS or (first == "." and tok[1:2] in _DIGITS):
            if "." in tok or "e" in tok or "E" in tok:
                return Float(float(tok), span=(start, end)), start, end
            if len(tok.lstrip("0")) > MAX_INT_DIGITS:
                raise Fallback  # Lark's node builder reports it
            return Int(int(tok), span=(start, end)), start, end
        if first == '"' or first == "'":
            if "\\" in tok:
                try:
                    value = ast.literal_eval(tok)  # Python's escapes
                except SyntaxError:
                    raise Fallback from None  # a bad escape: Lark's node builder says
            else:
                value = tok[1:-1]
            return Str(value, span=(start, end)), start, end
        if tok == "(":
            return self._parenthesized(start)
        if tok == "[":
            items = self._items("]")
            end = self._expect("]")
            return ListExpr(items, span=(start, end)), start, end
        if tok == "{":
            return self._dict(start)
        raise Fallback

    def _items(self, close: str) -> tuple:
        """``[expr ("," expr)* ","?]`` up to ``close``."""
        toks = self.toks
        items = []
        while toks[self.i] != close:
            items.append(self._expr()[0])
            if toks[self.i] != ",":
                break
            self.i += 1
        return tuple(items)

    def _parenthesized(self, start: int):
        """After "(": a tuple, or an expression in brackets (the node
        itself, with the brackets' extent for its parent)."""
        toks = self.toks
        if toks[self.i] == ")":
            end = self._expect(")")
            return TupleExpr((), span=(start, end)), start, end
        node = self._expr()[0]
        if toks[self.i] == ")":
            return node, start, self._expect(")")
        self._expect(",")
        items = (node,) + self._items(")")
        end = self._expect(")")
        return TupleExpr(items, span=(start, end)), start, end

    def _dict(self, start: int):
        toks = self.toks
        keys, values = [], []
        while toks[self.i] != "}":
            keys.append(self._expr()[0])
            self._expect(":")
            values.append(self._expr()[0])
            if toks[self.i] != ",":
                break
            self.i += 1
        end = self._expect("}")
        return DictExpr(tuple(keys), tuple(values), span=(start, end)), start, end
