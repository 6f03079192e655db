"""The Python API: :func:`infer` and :class:`Result`."""
from __future__ import annotations

import contextlib
import dataclasses
import sys
from dataclasses import dataclass, field

from . import dims, pytree, scope
from .engine import Evaluator
from .errors import ShapeError
from .library import resolve
from .scope import fmt_condition
from .syntax import Program, parse
from .values import Array, Function, fmt_value, to_pytree


@dataclass
class Result:
    """What a program evaluates to.

    ``value`` is a pytree of :class:`~shapeinfer.values.Array`; ``leaves`` its
    shapes in ``jax.tree.leaves`` order, ``dtypes`` their dtypes; ``guards``
    the conditions the result needs (sympy relations such as ``Eq(a, b)``:
    the result is exact wherever all of them hold; empty in strict mode);
    ``symbols`` the names the program used as size symbols.
    """
    expr: str
    value: object
    guards: list = field(default_factory=list)
    symbols: frozenset = frozenset()

    @property
    def arrays(self) -> list[Array]:
        return pytree.leaves(self.value)

    @property
    def leaves(self) -> list[tuple]:
        return [a.shape for a in self.arrays]

    @property
    def dtypes(self) -> list[str]:
        return [a.dtype for a in self.arrays]

    @property
    def shape(self) -> tuple:
        """The shape of a single-array result."""
        if not isinstance(self.value, Array):
            raise ValueError(f"the result is a pytree of {len(self.arrays)} arrays; use .leaves")
        return self.value.shape

    def __str__(self) -> str:
        with deep_recursion(self.expr):  # as deep as the program was
            return fmt_value(self.value)

    def describe(self) -> str:
        """The result with its guards, as ``eval`` prints it: ``(a,)  if a == b``."""
        if not self.guards:
            return str(self)
        return f"{self}  if " + " and ".join(fmt_condition(g) for g in self.guards)

    def to_json(self) -> dict:
        return {
            "ok": True,
            "expr": self.expr,
            "result": str(self),
            "leaves": [[dims.fmt_dim(d) for d in shape] for shape in self.leaves],
            "guards": [fmt_condition(g) for g in self.guards],
        }


def infer(text: str, *, sizes: dict[str, int] | None = None, rules=None,
          assume=None, strict: bool = False) -> Result:
    """Infer the shapes a program produces.

    >>> str(infer("vmap(add, (0, None), 1)((a,b,c), (a,b,c))"))
    '(a, a, b, c)'

    ``rules`` adds operation rules: a :class:`~shapeinfer.library.Library`
    from :func:`~shapeinfer.load_rules`, a rule file's path, rules as text,
    or a list of those. Raises :class:`ShapeError` for a program JAX would
    reject and :class:`ShapeSyntaxError` for text that does not parse (or a
    rule file that does not load: :class:`~shapeinfer.RuleError`).

    ``assume`` lists facts about the sizes, as text (``"a == b"``,
    ``"n % 2 == 0"``), as ``assume`` statements in the program do.
    ``strict=True`` answers as JAX's own symbolic shapes do: a condition the
    sizes do not decide is an error rather than a guard (docs/symbolic.md).
    """
    library = resolve(rules)
    with deep_recursion(text):
        return infer_parsed(parse(text), text, sizes=sizes, library=library,
                            assume=assume, strict=strict)


@contextlib.contextmanager
def deep_recursion(text: str):
    """Room for deep programs: the evaluator recurses a few times per nesting
    level (``a + b + c ...`` nests to the left). The parser refuses trees
    deeper than :data:`~shapeinfer.syntax.MAX_DEPTH`; a program within it
    that still recurses too far (a lambda calling another 3,000 deep) gets a
    ``too-deep`` error rather than a traceback."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        yield
    except RecursionError:
        raise ShapeError("too-deep", "RecursionError",
                         "the program nests too deeply for shapeinfer", (0, len(text))) from None
    finally:
        sys.setrecursionlimit(limit)


_RECURSION_LIMIT = 10_000


def infer_parsed(program: Program, text: str, *, sizes: dict[str, int] | None = None,
                 library=None, assume=None, strict: bool = False, trace=None) -> Result:
    """:func:`infer` for a program already parsed (the checker runs one program
    at many sizes). ``trace`` records the derivation (see :mod:`shapeinfer.explain`)."""
    sizes = _check_sizes(sizes)
    program = _with_facts(program, assume)
    with deep_recursion(text), scope.active(scope.Scope(strict=strict)) as sc:
        ev = Evaluator(resolve(library), sizes=sizes)
        ev.trace = trace
        try:
            value = ev.run(program)
        except ShapeError as e:
            e.guards = sc.minimal_guards()  # the error holds wherever these do
            raise
        if isinstance(value, Function):
            raise ShapeError("bad-argument", "TypeError",
                             f"the program's value is the function {value.name}, not arrays; "
                             "call it on arguments", program.expr.span)
        value = to_pytree(value, program.expr.span)
        guards = sc.minimal_guards()
    return Result(text, value, guards, frozenset(ev.symbols_used))


def _with_facts(program: Program, assume) -> Program:
    """``infer(..., assume=["a == b"])``: the facts as an ``assume`` statement
    in front of the program (spans point into the fact's own text)."""
    if not assume:
        return program
    if isinstance(assume, str):
        assume = [assume]
    statements = []
    for fact in assume:
        try:
            parsed = parse(f"assume {fact}; 0")
        except ShapeError as e:
            raise ShapeError(e.code, e.exception, f"in assume={fact!r}: {e.message}") from None
        statements.extend(dataclasses.replace(  # no span: it would point into other text
            stmt, span=None, relations=tuple(dataclasses.replace(r, span=None)
                                             for r in stmt.relations))
            for stmt in parsed.statements)
    return dataclasses.replace(program, statements=tuple(statements) + tuple(program.statements))


def _check_sizes(sizes):
    if not sizes:
        return {}
    for name, n in sizes.items():
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"size {name}={n!r} must be a non-negative int")
        if dims.too_many_digits(n):
            raise ValueError(f"size {name} has more than {dims.MAX_INT_DIGITS} digits")
    return dict(sizes)


def error_json(text: str, err: ShapeError) -> dict:
    return {"ok": False, "expr": text, "error": err.to_json()}
