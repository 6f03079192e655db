"""Errors are values: a stable code, JAX's exception class, a message, a span.

Every error a user can see is a :class:`ShapeError`. ``exception`` names the
Python exception class that ``jax.eval_shape`` raises for the same program
(or SyntaxError / NameError for text JAX never sees), so the checker can
compare it with JAX.
"""
from __future__ import annotations

import builtins

# The stable list of error codes (docs/errors.md explains each one).
CODES: dict[str, str] = {
    "syntax": "the text does not parse",
    "empty": "the text holds no expression: it is blank or only comments",
    "unknown-name": "a name is neither bound, an operation, nor usable as a size symbol",
    "arity": "a function got the wrong number of arguments",
    "bad-argument": "an argument has the wrong kind (a function where an array is needed, ...)",
    "not-callable": "something that is not a function is called",
    "broadcast": "array shapes cannot be broadcast together",
    "dim-mismatch": "two dimensions that must agree do not",
    "axis-out-of-range": "an axis is out of range for an array's rank",
    "index": "an index does not fit the array (too many indices, two ellipses, a zero step)",
    "reshape-size": "a reshape's target size differs from the array's size",
    "dtype": "an operation does not accept an argument's dtype",
    "vmap-in-axes-spec": "in_axes is not an int, None or a tuple / pytree prefix of the arguments",
    "vmap-out-axes-spec": "out_axes is not an int, None or a pytree prefix of the outputs",
    "vmap-axis-out-of-range": "vmap was asked to map an axis the argument does not have",
    "vmap-no-mapped-axis": "vmap has nothing to map over and no axis_size",
    "vmap-inconsistent-sizes": "mapped axes (or axis_size) have different sizes",
    "vmap-out-axes-none": "out_axes is None for an output that depends on a mapped input",
    "vmap-out-axis-out-of-range": "an out_axes entry is out of range for the output's rank",
    "grad-non-scalar": "grad of a function whose output is not a scalar",
    "rule-no-match": "no clause of an operation's rule matches the arguments",
    "requires-failed": "a rule's `requires` condition is false",
    "inconclusive": "a comparison of symbolic sizes cannot be decided (in strict mode)",
    "contradictory-facts": "`assume` facts contradict each other",
    "too-deep": "the program nests too deeply to read or evaluate",
    "unsupported": "the expression uses something shapeinfer does not model yet",
    "internal": "a bug in shapeinfer (please report it with the expression)",
}


# JAX's own exception classes, by the builtin class each derives from (see
# jax/_src/errors.py and jax/_src/core.py), for ShapeError.exception_type.
JAX_EXCEPTION_BASES: dict[str, type[Exception]] = {
    "ConcretizationTypeError": TypeError,
    "TracerBoolConversionError": TypeError,
    "NonConcreteBooleanIndexError": IndexError,
    "InconclusiveDimensionOperation": Exception,
}


class ShapeError(Exception):
    """A program JAX would reject (or text that is not a program).

    ``code`` is one of :data:`CODES`; ``exception`` the name of the exception
    class JAX raises (a string, e.g. ``"TypeError"``; :attr:`exception_type`
    is the class itself); ``message`` what is wrong; ``span`` a
    ``(start, end)`` pair of character offsets into the program, or None;
    ``guards`` (default mode) the size conditions under which the error holds.
    """

    code: str
    exception: str
    message: str
    span: tuple[int, int] | None
    guards: list

    def __init__(self, code: str, exception: str, message: str,
                 span: tuple[int, int] | None = None):
        assert code in CODES, code
        super().__init__(message)
        self.code = code
        self.exception = exception
        self.message = message
        self.span = span
        self.guards = []  # default mode: the guards taken before the error

    @property
    def exception_type(self) -> type[Exception]:
        """The builtin exception class of :attr:`exception`: ``TypeError`` for
        ``"TypeError"``; for JAX's own classes the builtin one they derive from
        (``IndexError`` for ``NonConcreteBooleanIndexError``, ``Exception`` for
        ``InconclusiveDimensionOperation``), so ``except e.exception_type``
        catches what JAX raises."""
        if self.exception in JAX_EXCEPTION_BASES:
            return JAX_EXCEPTION_BASES[self.exception]
        found = getattr(builtins, self.exception, None)
        if isinstance(found, type) and issubclass(found, Exception):
            return found
        return Exception

    def with_span(self, span: tuple[int, int] | None) -> "ShapeError":
        """Fill in the span if the raiser did not know it; returns the error itself."""
        if self.span is None:
            self.span = span
        return self

    def to_json(self) -> dict:
        """``{"code", "exception", "message", "span"}``, as ``eval --json``
        prints it under ``"error"`` (``span`` a two-item list, or None).

        >>> ShapeError("broadcast", "TypeError", "add got (2,), (3,)", (0, 3)).to_json()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'code': 'broadcast', 'exception': 'TypeError',
         'message': 'add got (2,), (3,)', 'span': [0, 3]}
        """
        return {
            "code": self.code,
            "exception": self.exception,
            "message": self.message,
            "span": list(self.span) if self.span is not None else None,
        }

    def render(self, text: str) -> str:
        """The message, then the offending line of ``text`` with a caret under the span.

        >>> print(ShapeError("broadcast", "TypeError", "add got (2,), (3,)", (0, 3))
        ...       .render("add((2,), (3,))"))
        TypeError: add got (2,), (3,)
          add((2,), (3,))
          ^^^
        """
        head = f"{self.exception}: {self.message}"
        return head if self.span is None else f"{head}\n{caret_excerpt(text, self.span)}"

    def __repr__(self) -> str:
        """One line: ``ShapeError('broadcast', 'TypeError: add got ...', span=(0, 3))``."""
        return (f"{type(self).__name__}({self.code!r}, "
                f"{shorten(f'{self.exception}: {self.message}')!r}, span={self.span})")


class ShapeSyntaxError(ShapeError):
    """Text that does not parse (exception SyntaxError; code ``syntax``, or
    ``empty`` for text without an expression), or that shapeinfer refuses to
    read (code ``too-deep``)."""

    def __init__(self, message: str, span: tuple[int, int] | None = None,
                 code: str = "syntax"):
        super().__init__(code, "SyntaxError", message, span)


class RuleError(ShapeSyntaxError):
    """A rule file that cannot be loaded: ``path:line:column: message``."""

    def __init__(self, message: str, path: str = "<rules>", line: int = 0, column: int = 0):
        self.path, self.line, self.column = path, line, column
        self.reason = message
        where = f"{path}:{line}:{column}" if line else path
        super().__init__(f"{where}: {message}")


def is_syntax_error(err: ShapeError) -> bool:
    """Text that is not a program shapeinfer reads (codes ``syntax``,
    ``empty``, and ``too-deep`` for nesting the parser refuses): the command
    line's usage status (2) rather than a shape error's (1)."""
    return isinstance(err, ShapeSyntaxError) or err.code in ("syntax", "empty")


def shorten(text: str, width: int = 80) -> str:
    """The first line of ``text``, cut to ``width`` characters with ``...``."""
    first = text.split("\n", 1)[0]
    if first == text and len(first) <= width:
        return text
    return first[:width - 3].rstrip() + "..."


# The widest source excerpt an error shows: a longer line (a generated
# 100 KB program) is cut to a window around the span, marked with "...".
EXCERPT_WIDTH = 100
_CONTEXT_BEFORE = 40  # columns kept before the span when the line is cut
_TAB_SIZE = 8


def caret_excerpt(text: str, span: tuple[int, int]) -> str:
    """The line holding ``span[0]`` and a line of carets under the span.

    Tabs are expanded first, so the carets sit under the right column
    whatever the terminal's tab stops; a line wider than
    :data:`EXCERPT_WIDTH` shows only a window around the span.
    """
    start, end = span
    start = max(0, min(start, len(text)))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end == -1:
        line_end = len(text)
    raw = text[line_start:line_end]
    line = raw.expandtabs(_TAB_SIZE)
    first = len(raw[:start - line_start].expandtabs(_TAB_SIZE))  # columns, not characters
    last = len(raw[:max(start, min(end, line_end)) - line_start].expandtabs(_TAB_SIZE))
    line, first, last = _window(line, first, max(last, first + 1))
    lineno = text.count("\n", 0, start) + 1
    prefix = f"  {lineno} | " if "\n" in text else "  "
    return f"{prefix}{line}\n{' ' * (len(prefix) + first)}{'^' * (last - first)}"


def _window(line: str, first: int, last: int) -> tuple[str, int, int]:
    """``line`` cut to at most about EXCERPT_WIDTH columns around columns
    ``first:last``, with the columns moved to match."""
    if len(line) <= EXCERPT_WIDTH:
        return line, first, last
    lo = max(0, min(first - _CONTEXT_BEFORE, len(line) - EXCERPT_WIDTH))
    hi = min(len(line), lo + EXCERPT_WIDTH)
    left = "..." if lo > 0 else ""
    right = "..." if hi < len(line) else ""
    shift = len(left) - lo
    return (f"{left}{line[lo:hi]}{right}", first + shift,
            min(last, hi) + shift)
