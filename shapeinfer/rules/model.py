"""A rule as data: the frozen objects a rule file loads into.

A :class:`Rule` is a signature (:class:`Param`), shape :class:`Clause`s
(patterns -> outputs, with ``requires`` conditions), the callable it stands
for, a named dtype rule and a named derivative rule. Nothing here evaluates
anything: :mod:`shapeinfer.rules.matcher` matches clauses and
:mod:`shapeinfer.operation` builds results.

Dimension expressions are small trees (:class:`DimName`, :class:`DimInt`,
:class:`DimOp`, :class:`DimCall`) rather than sympy values, so that a
pattern can tell a name to bind (``n``) from an expression to solve
(``2*n``), and so that messages can print them as written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

Loc = tuple[int, int]  # (line, column), 1-based


# ---------------------------------------------------------------- dimension expressions

@dataclass(frozen=True)
class DimName:
    name: str
    loc: Loc = field(default=(0, 0), compare=False)

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class DimInt:
    value: int

    def __str__(self):
        return str(self.value)


@dataclass(frozen=True)
class DimOp:
    """``left OP right`` (``+ - * // %``), or ``-operand`` with op ``neg``."""
    op: str
    args: tuple

    def __str__(self):
        if self.op == "neg":
            return f"-{_wrap(self.args[0], _PRECEDENCE['neg'])}"
        left, right = self.args
        mine = _PRECEDENCE[self.op]
        # the right operand of - // % needs brackets at the same level: a - (b - c)
        return f"{_wrap(left, mine)} {self.op} {_wrap(right, mine + (self.op in '-//%'))}"


@dataclass(frozen=True)
class DimCall:
    """A named shape function: ``broadcast(x, y)``, ``prod(x)``, ``max(a, b)``.

    Arguments are dim expressions, names of variadics or parameters, or the
    literals None / True / False (kept as Python values).
    """
    name: str
    args: tuple
    loc: Loc = field(default=(0, 0), compare=False)

    def __str__(self):
        return f"{self.name}({', '.join(map(str, self.args))})"


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "//": 2, "%": 2, "neg": 3}


def _wrap(e, outer: int) -> str:
    """``e`` as an operand of an operator binding ``outer``-tightly: bracketed
    only where the brackets change the meaning."""
    return f"({e})" if isinstance(e, DimOp) and _PRECEDENCE[e.op] < outer else str(e)


def names_in(expr) -> set[str]:
    """The names a dimension expression mentions (shape-function names excluded)."""
    if isinstance(expr, DimName):
        return {expr.name}
    if isinstance(expr, (DimOp, DimCall)):
        return set().union(*(names_in(a) for a in expr.args))
    return set()


# ---------------------------------------------------------------- patterns and templates

@dataclass(frozen=True)
class Variadic:
    """``*name`` in a pattern: any number of dims (``*_`` binds nothing)."""
    name: str | None        # None for ``*_``

    def __str__(self):
        return f"*{self.name or '_'}"


@dataclass(frozen=True)
class Splice:
    """``*x`` or ``*broadcast(a, b)`` in a template: a shape's dims, in place."""
    expr: object            # a DimName (a variadic or shape parameter) or a DimCall

    def __str__(self):
        return f"*{self.expr}"


@dataclass(frozen=True)
class ShapePattern:
    """``(*b, n, k)``: items are dim expressions, ``_`` and at most one Variadic."""
    items: tuple

    @cached_property  # (frozen: computed once; the matcher asks on every call)
    def variadic_index(self) -> int | None:
        return next((i for i, d in enumerate(self.items) if isinstance(d, Variadic)), None)

    @cached_property
    def fixed_rank(self) -> int:
        """How many axes the pattern names one by one (all but the variadic's)."""
        return len(self.items) - (self.variadic_index is not None)

    def fits_rank(self, rank: int) -> bool:
        """Can a shape of this rank match (the rank alone: the dims aside)?"""
        if self.variadic_index is None:
            return rank == self.fixed_rank
        return rank >= self.fixed_rank

    def __str__(self):
        return "(" + ", ".join(map(str, self.items)) + ")"


@dataclass(frozen=True)
class NonePattern:
    """``None``: an optional array argument that was not given."""

    def __str__(self):
        return "None"


@dataclass(frozen=True)
class ShapeTemplate:
    """``(*b, n + 1, *broadcast(x, y))``: dims and :class:`Splice` items."""
    items: tuple

    def __str__(self):
        return "(" + ", ".join(map(str, self.items)) + ")"


@dataclass(frozen=True)
class ShapeOf:
    """An output given by a name (a variadic or a shape parameter) or a shape
    function call: ``x``, ``broadcast(x, y)``."""
    expr: object

    def __str__(self):
        return str(self.expr)


@dataclass(frozen=True)
class RaiseOutput:
    """``raise EXCEPTION "message"``: a clause that matches and fails."""
    exception: str
    message: str

    def __str__(self):
        return f'raise {self.exception} "{self.message}"'


@dataclass(frozen=True)
class Condition:
    left: object
    op: str
    right: object

    def __str__(self):
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Requirement:
    """``requires c1, c2 [else EXCEPTION "message"]``."""
    conditions: tuple
    exception: str | None = None
    message: str | None = None
    loc: Loc = field(default=(0, 0), compare=False)


@dataclass(frozen=True)
class Clause:
    patterns: tuple
    outputs: tuple
    requirements: tuple = ()
    loc: Loc = field(default=(0, 0), compare=False)

    def __str__(self):
        return (", ".join(map(str, self.patterns)) + " -> "
                + ", ".join(map(str, self.outputs)))


# ---------------------------------------------------------------- signature

class _Required:
    """The default of a parameter without one. A singleton that pickles as a
    reference to itself, so that rules read back from the rule cache
    (:mod:`shapeinfer.rules.cache`) still compare ``default is REQUIRED``."""

    def __repr__(self):
        return "REQUIRED"

    def __reduce__(self):
        return "REQUIRED"


REQUIRED = _Required()

# JAX's long module prefixes and the short forms rules and programs write
# (a rule for jax.numpy.NAME answers jnp.NAME too)
PREFIXES = (("jax.numpy.", "jnp."), ("jax.nn.", "nn."), ("jax.lax.", "lax."))

# Parameter types; ``array`` is the type of a parameter written without one,
# ``arraylike`` an array or a nested list of arrays and scalars (stacked into
# one, as jnp.asarray does), ``arrays`` a sequence of arrays (concatenate's
# ``arrays``, einsum's ``*operands``), which clauses see through shape
# functions only.
PARAM_TYPES = ("array", "arraylike", "arrays", "int", "number", "axes", "shape", "bool", "str",
               "dtype",
               "value")


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "array"
    default: object = REQUIRED
    # positional-only, positional (or keyword), keyword (only), or varargs
    # (``*operands``: the extra positional arguments, a sequence of arrays)
    kind: str = "positional"
    loc: Loc = field(default=(0, 0), compare=False)

    @property
    def array(self) -> bool:
        """An array parameter; ``arraylike`` also takes nested lists of arrays
        and scalars, stacked into one array as jnp.asarray does."""
        return self.type in ("array", "arraylike")

    @property
    def sequence(self) -> bool:
        return self.type == "arrays"


# ---------------------------------------------------------------- the rule

@dataclass(frozen=True)
class Callable:
    """What the checker calls for a rule: ``jax`` (a dotted JAX path),
    ``python`` (``module:function``) or ``none``."""
    kind: str
    target: str = ""

    def __str__(self):
        return f'{self.kind} "{self.target}"' if self.target else "no callable"


@dataclass(frozen=True)
class DtypeSpec:
    """``dtype BASE [rejects KIND... [EXCEPTION]] [early] [message "..."]
    [weak keep|strong|all] [scalar int|float]`` (see :mod:`shapeinfer.dtype_rules`)."""
    base: str = "promote"
    rejects: tuple = ()          # ((kind, exception), ...)
    early: bool = False
    message: str | None = None
    weak: str = "keep"
    scalar: str | None = None


@dataclass(frozen=True)
class Rule:
    """One function's rule. ``name`` is the name the rule was written for;
    a rule naming several functions loads as one Rule per name."""
    name: str
    params: tuple
    clauses: tuple
    callable: Callable
    dtype: DtypeSpec = DtypeSpec()
    derivative: str = "unknown"
    primitive: str = ""
    hook: str | None = None
    raises: tuple | None = None      # (exception, message) when no clause matches
    source: str = "<rules>"
    loc: Loc = field(default=(0, 0), compare=False)

    @cached_property  # (frozen: computed once; every call of the operation asks)
    def array_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.array)

    @cached_property
    def sequence_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.sequence)

    @cached_property
    def positional_params(self) -> tuple[Param, ...]:
        """The parameters an argument can be given to by position."""
        return tuple(p for p in self.params if p.kind != "keyword")
