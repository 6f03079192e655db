"""Errors are values: a stable code, JAX's exception class, a message, a span.

Every error a user can see is a :class:`ShapeError`. ``exception`` names the
Python exception class that ``jax.eval_shape`` raises for the same program
(or SyntaxError / NameError for text JAX never sees), so the checker can
compare it with JAX.
"""
from __future__ import annotations

# The stable list of error codes (docs/errors.md explains each one).
CODES: dict[str, str] = {
    "syntax": "the text does not parse",
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


class ShapeError(Exception):
    """A program JAX would reject (or text that is not a program).

    ``code`` is one of :data:`CODES`; ``exception`` the name of JAX's exception
    class; ``span`` a ``(start, end)`` pair of character offsets, or None.
    """

    def __init__(self, code: str, exception: str, message: str,
                 span: tuple[int, int] | None = None):
        assert code in CODES, code
        super().__init__(message)
        self.code = code
        self.exception = exception
        self.message = message
        self.span = span
        self.guards: list = []  # default mode: the guards taken before the error

    def with_span(self, span: tuple[int, int] | None) -> "ShapeError":
        """Fill in the span if the raiser did not know it."""
        if self.span is None:
            self.span = span
        return self

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "exception": self.exception,
            "message": self.message,
            "span": list(self.span) if self.span is not None else None,
        }

    def render(self, text: str) -> str:
        """The message, then the offending line with a caret under the span."""
        head = f"{self.exception}: {self.message}"
        return head if self.span is None else f"{head}\n{caret_excerpt(text, self.span)}"

    def __repr__(self) -> str:
        return f"ShapeError({self.code!r}, {self.exception!r}, {self.message!r}, span={self.span})"


class ShapeSyntaxError(ShapeError):
    """Text that does not parse (code ``syntax``, exception SyntaxError), or
    that shapeinfer refuses to read (code ``too-deep``)."""

    def __init__(self, message: str, span: tuple[int, int] | None = None,
                 code: str = "syntax"):
        super().__init__(code, "SyntaxError", message, span)


def caret_excerpt(text: str, span: tuple[int, int]) -> str:
    """The line holding ``span[0]`` and a line of carets under the span."""
    start, end = span
    start = max(0, min(start, len(text)))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end == -1:
        line_end = len(text)
    line = text[line_start:line_end]
    width = max(1, min(end, line_end) - start)
    lineno = text.count("\n", 0, start) + 1
    prefix = f"  {lineno} | " if "\n" in text else "  "
    return f"{prefix}{line}\n{' ' * (len(prefix) + start - line_start)}{'^' * width}"
