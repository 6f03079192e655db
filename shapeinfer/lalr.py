"""A faster loop over Lark's own LALR tables, for texts that parse.

Lark builds the parse table and the contextual lexer from
``grammar/shapeinfer.lark``; this module only runs them. Lark's pure-Python
loop is most of a cold ``infer`` (issue 10): for every token it creates a
full ``Token``, runs a generator chain (lexer, post-lexer, parser), hashes
grammar ``Rule`` objects to find callbacks, and reduces each operand
through the grammar's chain of precedence rules (``?sum: product``,
``?product: unary``, ...), calling a callback that returns its one child
every time. Here those unit reductions only move the state, the tables are
re-keyed by plain strings and ints once, and the lexer is inlined and
goes by each token's first character (:meth:`Driver._by_first_char`).

Same tables, same lexers, same callbacks: the nodes and spans are Lark's
(``tests/test_lalr.py`` compares both loops on the strings of the tests,
the docs and the benchmarks, and on random text).
Anything irregular, a syntax error above all, raises :class:`Fallback`,
and the caller parses the text with Lark itself, whose errors are the
ones users see.
"""
from __future__ import annotations

import re

try:
    from re import _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from lark import Lark, Token

_SHIFT, _UNIT, _REDUCE = 0, 1, 2
_OPEN = frozenset({"LPAR", "LSQB", "LBRACE"})
_CLOSE = frozenset({"RPAR", "RSQB", "RBRACE"})
_new_str = str.__new__


class Fallback(Exception):
    """This text needs Lark's own parse (it has a syntax error, or
    something this loop does not handle)."""


class Driver:
    """Lark's tables for one :class:`~lark.Lark` instance (``parser="lalr"``,
    ``lexer="contextual"``, the bracket-newline post-lexer of
    ``shapeinfer/syntax.py``), laid out for :meth:`parse`."""

    def __init__(self, lark: Lark):
        # Lark's internals (a Lark laid out otherwise raises here, and
        # syntax.py then lets Lark parse every text)
        from lark.parse_tree_builder import ExpandSingleChild
        from lark.parsers.lalr_analysis import Shift

        frontend = lark.parser
        parser = frontend.parser.parser
        table = parser.parse_table
        callbacks = parser.callbacks
        # The state's actions, token type -> (kind, ...): a shift carries the
        # new state; a unit reduction (a `?rule` passing on its one child)
        # the rule's name; any other reduction its length, callback and name.
        self.actions: dict[int, dict[str, tuple]] = {}
        self.goto: dict[int, dict[str, int]] = {}
        for state, row in table.states.items():
            actions, goto = {}, {}
            for symbol, (action, arg) in row.items():
                if action is Shift:
                    if symbol.isupper() or symbol.startswith("$"):
                        actions[symbol] = (_SHIFT, arg)
                    else:
                        goto[symbol] = arg
                    continue
                callback = callbacks[arg]
                if len(arg.expansion) == 1 and isinstance(callback, ExpandSingleChild):
                    actions[symbol] = (_UNIT, arg.origin.name)
                else:
                    actions[symbol] = (_REDUCE, len(arg.expansion), callback, arg.origin.name)
            self.actions[state] = actions
            self.goto[state] = goto
        if any(isinstance(t, str) for t in callbacks):  # terminal callbacks: not used here
            raise ValueError("terminal callbacks are not supported")
        # (state below, state on top, token type) -> the state on top once
        # every unit reduction that token triggers is done: an operand
        # climbs the precedence chain (`?atom` up to `?expr`) in one step.
        self.units: dict[tuple[int, int, str], int] = {}
        self.start_state = table.start_states["start"]
        self.end_state = table.end_states["start"]
        # The contextual lexer: for each parser state, the compiled patterns
        # of the terminals it accepts, the ignored types, and the keyword
        # callbacks (Lark's `UnlessCallback`: a NAME that spells `lambda`).
        # Each is laid out when a parse first needs it: Lark compiles a
        # lexer's patterns on first use, and compiling all 59 would add 12 ms
        # to the start of every process.
        self._basic_lexers = frontend.lexer.lexer.lexers
        self.lexers: dict[int, tuple] = {}
        # alternations of some terminals, by their names (shared by the states)
        self._patterns: dict[tuple[str, ...], object] = {}

    def _lexer(self, state: int) -> tuple:
        """The lexer of ``state``: a dict from a token's first character to
        what lexes it (filled by :meth:`_by_first_char`), the state's whole
        pattern's ``match``, the ignored types, and per type the keywords it
        may spell (NAME: ``lambda``...)."""
        try:
            basic = self._basic_lexers[state]
            scanner = basic.scanner  # compiled by Lark on first use
            if len(scanner._mres) != 1:  # (Lark splits past 100 terminals; this grammar has 40)
                raise Fallback
            keywords = {}
            for kind, callback in basic.callback.items():
                # Lark's UnlessCallback: a token that spells one of these
                # strings takes its type
                terminals = callback.scanner.terminals
                if any(t.pattern.type != "str" or t.pattern.flags for t in terminals):
                    raise Fallback
                keywords[kind] = {t.pattern.value: t.name for t in terminals}
            full = scanner._mres[0]
            if full.pattern != "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})"
                                        for t in scanner.terminals):
                raise Fallback  # not the alternation _by_first_char rebuilds
            lexer = ({}, full.match, basic.ignore_types, keywords, scanner)
        except (AttributeError, KeyError, TypeError):  # a Lark laid out otherwise
            raise Fallback from None
        self.lexers[state] = lexer
        return lexer

    def _by_first_char(self, lexer: tuple, char: str):
        """What lexes a token starting with ``char`` in this lexer's state:
        the type itself where only a one-character string terminal can
        start with it (``(``, ``,``), else the ``match`` of the alternation
        of the terminals that can, in Lark's order. Lark's pattern tries its
        terminals in order and takes the first that matches; one that cannot
        start with ``char`` never matches there, so the shorter alternation
        gives the same token, for less work (the regular-expression engine
        tries every alternative in turn: a third of a parse)."""
        by_char, full_match, ignore, keywords, scanner = lexer
        terminals = [t for t in scanner.terminals if _may_start_with(t, char, scanner.g_regex_flags)]
        if not terminals:
            entry = full_match  # (which finds nothing: a syntax error)
        elif len(terminals) == 1 and terminals[0].pattern.type == "str" \
                and terminals[0].pattern.value == char and not terminals[0].pattern.flags \
                and terminals[0].name not in ignore and terminals[0].name not in keywords:
            entry = terminals[0].name
        elif len(terminals) == len(scanner.terminals):
            entry = full_match
        else:
            key = tuple(t.name for t in terminals)
            entry = self._patterns.get(key)
            if entry is None:
                pattern = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals)
                entry = self._patterns[key] = re.compile(pattern, scanner.g_regex_flags).match
        if char < "\x80":  # (the table stays small: other characters are rare)
            by_char[char] = entry
        return entry

    def _unit_chain(self, below: int, top: int, kind: str) -> int:
        action = self.actions[top].get(kind)
        while action is not None and action[0] == _UNIT:
            top = self.goto[below][action[1]]
            action = self.actions[top].get(kind)
        return top

    def parse(self, text: str):
        """The value of the start rule's callback for ``text``; raises
        :class:`Fallback` at anything a syntax error could be."""
        actions, goto, lexers, units = self.actions, self.goto, self.lexers, self.units
        states = [self.start_state]
        values: list = []
        pos, n, depth = 0, len(text), 0
        while True:
            # -- the next token, lexed in the context of the parser's state
            if pos < n:
                by_char, _, ignore, keywords, _ = lexers.get(states[-1]) or self._lexer(states[-1])
                char = text[pos]
                how = by_char.get(char) or self._by_first_char(lexers[states[-1]], char)
                if how.__class__ is str:  # a one-character token
                    kind, value, end = how, char, pos + 1
                else:
                    m = how(text, pos)
                    if m is None:
                        raise Fallback
                    kind, end = m.lastgroup, m.end()
                    if kind in ignore:
                        pos = end
                        continue
                    value = m.group()
                    if kind in keywords:
                        kind = keywords[kind].get(value, kind)
                tok = _new_str(Token, value)
                # (no line and column: the nodes take their spans from the
                # positions, and a syntax error is raised from Lark's own tokens)
                tok.type, tok.value, tok.start_pos, tok.end_pos = kind, value, pos, end
                pos = end
                # the post-lexer: a newline inside brackets is whitespace
                if kind in _OPEN:
                    depth += 1
                elif kind in _CLOSE:
                    depth = depth - 1 if depth else 0
                elif kind == "_NL" and depth:
                    continue
                is_end = False
            else:
                kind, tok, is_end = "$END", None, True
            # -- reduce as far as the token says, then shift it
            while True:
                action = actions[states[-1]].get(kind)
                if action is None:
                    raise Fallback
                step = action[0]
                if step == _SHIFT:
                    if is_end:
                        raise Fallback
                    states.append(action[1])
                    values.append(tok)
                    break
                if step == _UNIT:  # the value stays; only the state moves
                    key = (states[-2], states[-1], kind)
                    top = units.get(key)
                    if top is None:
                        top = units[key] = self._unit_chain(*key)
                    states[-1] = top
                    continue
                size = action[1]
                if size:
                    children = values[-size:]
                    del values[-size:]
                    del states[-size:]
                else:
                    children = []
                values.append(action[2](children))
                states.append(goto[states[-1]][action[3]])
                if is_end and states[-1] == self.end_state:
                    return values[-1]


# ---------------------------------------------------------------- first characters

_FIRST: dict[tuple[str, int], frozenset | None] = {}


def _may_start_with(terminal, char: str, flags: int) -> bool:
    """Can a match of ``terminal`` start with ``char``? True where unsure."""
    key = (terminal.pattern.to_regexp(), flags)
    if key not in _FIRST:
        _FIRST[key] = _first_chars(*key)
    first = _FIRST[key]
    return first is None or char in first


def _first_chars(pattern: str, flags: int) -> frozenset | None:
    """The characters a match of ``pattern`` can start with, from Python's own
    parse of the regular expression; None (any character) for anything this
    does not follow (flags, classes such as ``\\w``, negations, anchors,
    lookarounds, a pattern that can match nothing), which is never wrong,
    only slower."""
    if flags or pattern == "":
        return None
    try:
        parsed = _sre_parse.parse(pattern)
        if parsed.state.flags & ~re.UNICODE:  # an inline flag, such as (?i)
            return None
        chars, can_be_empty = _first_of_sequence(list(parsed))
    except Exception:  # noqa: BLE001 - unsure: any character
        return None
    return None if chars is None or can_be_empty else frozenset(chars)


def _first_of_sequence(items) -> tuple[set | None, bool]:
    """(first characters or None for any, whether it can match nothing)."""
    first: set = set()
    for op, arg in items:
        chars, can_be_empty = _first_of_item(op, arg)
        if chars is None:
            return None, True
        first |= chars
        if not can_be_empty:
            return first, False
    return first, True


def _first_of_item(op, arg) -> tuple[set | None, bool]:
    p = _sre_parse
    if op is p.LITERAL:
        return {chr(arg)}, False
    if op is p.IN:  # a character set: literals and ranges only
        chars = set()
        for kind, value in arg:
            if kind is p.LITERAL:
                chars.add(chr(value))
            elif kind is p.RANGE and value[1] - value[0] <= 256:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return None, True
        return chars, False
    if op is p.SUBPATTERN:  # (group, flags added, flags removed, pattern)
        if arg[1] or arg[2]:
            return None, True
        return _first_of_sequence(list(arg[3]))
    if op is p.BRANCH:
        chars, can_be_empty = set(), False
        for branch in arg[1]:
            first, empty = _first_of_sequence(list(branch))
            if first is None:
                return None, True
            chars |= first
            can_be_empty = can_be_empty or empty
        return chars, can_be_empty
    if op in (p.MAX_REPEAT, p.MIN_REPEAT):  # (min, max, pattern)
        first, empty = _first_of_sequence(list(arg[2]))
        return first, empty or arg[0] == 0
    return None, True
