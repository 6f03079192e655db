"""The Python API: :func:`infer` and :class:`Result`."""
from __future__ import annotations

import collections
import dataclasses
import operator
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy

from . import dims, pytree, scope, substitute
from .engine import Evaluator
from .errors import ShapeError
from .library import resolve
from .errors import shorten
from .scope import fmt_condition
from .symbols import size_symbols
from .syntax import Assume, Program, parse
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
    """The program's text, as given to :func:`infer`."""
    value: object
    """The pytree of :class:`~shapeinfer.values.Array` the program evaluates to."""
    guards: list = field(default_factory=list)
    """Sympy relations (``Eq(a, b)``, ...) under which the result is exact."""
    symbols: frozenset = frozenset()
    """The names the program used as size symbols."""
    # How the result was inferred (library, assume, strict, whether the
    # program states facts), so that :meth:`at` can infer afresh.
    _options: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def arrays(self) -> list[Array]:
        """The result's arrays (:class:`~shapeinfer.values.Array`: shape,
        dtype, weak type), in ``jax.tree.leaves`` order.

        >>> [a.weak for a in infer("(f32[a], 2.0)").arrays]
        [False, True]
        """
        return pytree.leaves(self.value)

    @property
    def leaves(self) -> list[tuple]:
        """The arrays' shapes: tuples of dims (sympy expressions; ``int(d)``
        is the number for a concrete dim).

        >>> infer("(f32[a, 2], i32[b])").leaves
        [(a, 2), (b,)]
        """
        return [a.shape for a in self.arrays]

    @property
    def dtypes(self) -> list[str]:
        """The arrays' dtypes, as short names (``f32``, ``i32``, ``bool``, ...).

        >>> infer("(f32[a, 2], i32[b])").dtypes
        ['f32', 'i32']
        """
        return [a.dtype for a in self.arrays]

    @property
    def shape(self) -> tuple:
        """The shape of a single-array result (ValueError for a pytree of
        several arrays: use :attr:`leaves`).

        >>> infer("matmul((n, k), (k, m))").shape
        (n, m)
        """
        if not isinstance(self.value, Array):
            raise ValueError(f"the result is a pytree of {len(self.arrays)} arrays; use .leaves")
        return self.value.shape

    def __str__(self) -> str:
        """The result as ``eval`` prints it, without the guards (see :meth:`describe`)."""
        with deep_recursion(self.expr):  # as deep as the program was
            return fmt_value(self.value)

    def describe(self) -> str:
        """The result with its guards, as ``eval`` prints it.

        >>> print(infer("add((a,), (b,))").describe())
        (a,)  if a == b
        """
        if not self.guards:
            return str(self)
        return f"{self}  if " + " and ".join(fmt_condition(g) for g in self.guards)

    def at(self, sizes: dict[str, int]) -> "Result":
        """The answer at concrete sizes, the same as
        ``infer(expr, sizes=sizes, ...)`` would give, but fast: the dims are
        substituted into this symbolic answer (about 100 times cheaper than
        inferring again; see docs/performance.md).

        >>> r = infer("add((a, b), (a, 1))")
        >>> [str(r.at({"a": a, "b": 3})) for a in (1, 2)]
        ['(1, 3)', '(2, 3)']

        Where the substitution would not be exact, the program is inferred
        afresh at ``sizes``, so the answer (or the :class:`ShapeError`
        raised, with JAX's exception class) is always that of a concrete
        inference: when ``sizes`` violates a guard, leaves a symbol out or
        sets one below 1 (symbols stand for sizes >= 1), when facts were
        assumed (``assume`` statements or ``assume=``), and when this result
        was itself inferred at sizes (then ``sizes`` is added to those).
        The symbolic answer is compiled for this once, on the first call."""
        if not isinstance(sizes, dict) or not all(type(n) is int and n >= 0
                                                  for n in sizes.values()):
            sizes = check_sizes(sizes)  # ints from integer-like sizes, else TypeError/ValueError
        opts = self._options
        if not opts.get("facts", True) and not opts.get("sizes"):
            shapes = self._plan().shapes(sizes)
            if shapes is not None:
                return self._with_shapes(shapes, sizes)
        # not exact here, facts were assumed, or this answer was itself at
        # sizes (those stay, the new ones on top): infer afresh
        sizes = {**opts.get("sizes", {}), **sizes}
        return infer(self.expr, sizes=sizes, rules=opts.get("library"),
                     assume=opts.get("assume"), strict=opts.get("strict", False))

    def _plan(self) -> substitute.Plan:
        """This answer compiled for :meth:`at`, once."""
        plan = self._options.get("plan")
        if plan is None:
            plan = self._options["plan"] = substitute.Plan(self.guards, self.leaves)
        return plan

    def _with_shapes(self, shapes, sizes) -> "Result":
        arrays = iter([Array(tuple(sympy.Integer(n) for n in shape), a.dtype, a.weak,
                             a.batch, a.deriv, a.uncertain)
                       for shape, a in zip(shapes, self.arrays)])
        with deep_recursion(self.expr):  # as deep as the program was, as __str__
            value = pytree.map_leaves(lambda _: next(arrays), self.value)
        options = {**self._options, "sizes": dict(sizes), "plan": None}
        return Result(self.expr, value, [], self.symbols, options)

    def to_json(self) -> dict:
        """The result as ``eval --json`` prints it: ``ok``, ``expr``,
        ``result``, ``leaves`` (a concrete dim is a JSON integer, a symbolic
        one its text) and ``guards``.

        >>> j = infer("add((a, 2), (b, 2))").to_json()
        >>> j["ok"], j["result"], j["leaves"], j["guards"]
        (True, '(a, 2)', [['a', 2]], ['a == b'])
        """
        return {
            "ok": True,
            "expr": self.expr,
            "result": str(self),
            "leaves": [[json_dim(d) for d in shape] for shape in self.leaves],
            "guards": [fmt_condition(g) for g in self.guards],
        }

    def __repr__(self) -> str:
        """``Result('add((a,), (b,))' -> (a,) if a == b)``: the program and
        :meth:`describe`, each cut to one short line."""
        return f"Result({shorten(self.expr, 60)!r} -> {shorten(self.describe())})"


def json_dim(d) -> int | str:
    """A dim for JSON: an int when it is a number, else its text (``n + 1``)."""
    return int(d) if getattr(d, "is_Integer", False) else dims.fmt_dim(d)


def infer(text: str, *, sizes: Mapping[str, int] | None = None, rules=None,
          assume: str | list[str] | None = None, strict: bool = False) -> Result:
    """Infer the shapes a program produces.

    >>> str(infer("vmap(add, (0, None), 1)((a,b,c), (a,b,c))"))
    '(a, a, b, c)'

    ``sizes`` gives size symbols concrete values (``{"n": 3}``; any integer
    with ``__index__``, such as ``numpy.int64``, but not bool or float); a
    name the program does not use as a size is a ValueError, since it is
    most likely a typo.

    ``rules`` adds operation rules: a :class:`~shapeinfer.library.Library`
    from :func:`~shapeinfer.load_rules`, a rule file's path, rules as text,
    or a list of those. Raises :class:`ShapeError` for a program JAX would
    reject and :class:`ShapeSyntaxError` for text that does not parse (or a
    rule file that does not load: :class:`~shapeinfer.RuleError`).

    ``assume`` lists facts about the sizes, as text (``"a == b"``,
    ``"n % 2 == 0"``), as ``assume`` statements in the program do.
    ``strict=True`` answers as JAX's own symbolic shapes do: a condition the
    sizes do not decide is an error rather than a guard (docs/symbolic.md).

    An argument of the wrong type is a TypeError naming the argument.
    """
    if not isinstance(text, str):
        raise TypeError(f"infer: text must be a str (the program), got {_type_name(text)}")
    if not isinstance(strict, bool):
        raise TypeError(f"infer: strict must be a bool, got {_type_name(strict)}")
    sizes = check_sizes(sizes)
    assume = _check_assume(assume)
    key = _memo_key(text, sizes, rules, assume, strict)
    if key is not None and key in _MEMO:
        _MEMO.move_to_end(key)
        return _fresh_copy(_MEMO[key])
    library = resolve(rules)
    try:
        with deep_recursion(text):
            program = parse(text)
            # (an unused size name is a ValueError, never memoised; no sizes,
            # none unused: the walk over the tree is skipped)
            if sizes:
                check_size_names(sizes, _with_facts(program, assume), library)
            answer = infer_parsed(program, text, sizes=sizes, library=library,
                                  assume=assume, strict=strict)
    except ShapeError as e:
        answer = e
    if key is not None:
        _MEMO[key] = answer
        if len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return _fresh_copy(answer)


# Answers of recent calls with the built-in library: an answer depends only
# on the arguments, so asking the same question again (a REPL, a linter
# re-checking a file, a checker) costs a dict lookup. Callers get copies
# (results hold lists; an exception object is raised, which changes it).
_MEMO: collections.OrderedDict = collections.OrderedDict()
_MEMO_SIZE = 512


def _memo_key(text, sizes, rules, assume, strict):
    if rules is not None or not isinstance(text, str):
        return None  # a user library may be a file that changes
    try:
        # (the type too: True == 1, but a bool size is an error)
        return (text, tuple(sorted((k, v, type(v)) for k, v in sizes.items())) if sizes else (),
                (assume,) if isinstance(assume, str) else tuple(assume or ()), bool(strict))
    except (AttributeError, TypeError):
        return None  # not a dict or not hashable: infer will say what is wrong


def _fresh_copy(answer):
    """A memoised answer as a caller may own it: a Result with its own guard
    list, or a new exception to raise."""
    if type(answer) is Result:  # (the constructor: dataclasses.replace is slower)
        return Result(answer.expr, answer.value, list(answer.guards), answer.symbols,
                      answer._options)
    error = type(answer).__new__(type(answer), *answer.args)
    error.__dict__.update(answer.__dict__)
    error.guards = list(answer.guards)
    raise error from None


class deep_recursion:  # noqa: N801 - used as a function: `with deep_recursion(text):`
    """Room for deep programs: the evaluator recurses a few times per nesting
    level (``a + b + c ...`` nests to the left). The parser refuses trees
    deeper than :data:`~shapeinfer.syntax.MAX_DEPTH`; a program within it
    that still recurses too far (a lambda calling another 3,000 deep) gets a
    ``too-deep`` error rather than a traceback.

    (A class rather than a ``contextlib.contextmanager``: every ``infer``
    enters it twice, and a generator costs three times as much.)"""

    __slots__ = ("text", "limit")

    def __init__(self, text: str):
        self.text = text

    def __enter__(self):
        self.limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.limit, _RECURSION_LIMIT))

    def __exit__(self, kind, error, tb):
        sys.setrecursionlimit(self.limit)
        if kind is not None and issubclass(kind, RecursionError):
            raise ShapeError("too-deep", "RecursionError",
                             "the program nests too deeply for shapeinfer",
                             (0, len(self.text))) from None
        return False


_RECURSION_LIMIT = 10_000


def infer_parsed(program: Program, text: str, *, sizes: dict[str, int] | None = None,
                 library=None, assume=None, strict: bool = False, trace=None) -> Result:
    """:func:`infer` for a program already parsed (the checker runs one program
    at many sizes). ``trace`` records the derivation (see :mod:`shapeinfer.explain`)."""
    sizes = check_sizes(sizes)
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
    facts = bool(assume) or any(isinstance(st, Assume) for st in program.statements)
    options = {"library": library, "assume": assume, "strict": strict, "facts": facts,
               "sizes": sizes}
    return Result(text, value, guards, frozenset(ev.symbols_used), options)


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


def _type_name(value) -> str:
    return "None" if value is None else type(value).__name__


def check_sizes(sizes) -> dict[str, int]:
    """``sizes=`` as a dict of plain ints: TypeError for a value that is not
    integer-like (bool and float are not, numpy integers are), ValueError
    for a negative one."""
    if sizes is None:
        return {}
    if not isinstance(sizes, Mapping):
        raise TypeError("sizes must be a mapping of size names to ints "
                        f"(such as {{'n': 3}}), got {_type_name(sizes)}")
    checked = {}
    for name, n in sizes.items():
        if not isinstance(name, str):
            raise TypeError(f"sizes keys are size names (str), got {name!r}")
        if isinstance(n, bool) or not hasattr(type(n), "__index__"):
            raise TypeError(f"sizes[{name!r}] must be an int, got {_type_name(n)} {n!r}")
        value = operator.index(n)
        if value < 0:
            raise ValueError(f"sizes[{name!r}] must be a non-negative int, got {value}")
        if dims.too_many_digits(value):
            raise ValueError(f"sizes[{name!r}] has more than {dims.MAX_INT_DIGITS} digits")
        checked[name] = value
    return checked


def _check_assume(assume) -> list[str]:
    """``assume=`` as a list of facts (text)."""
    if assume is None:
        return []
    facts = [assume] if isinstance(assume, str) else assume
    if not isinstance(facts, (list, tuple)) or not all(isinstance(f, str) for f in facts):
        raise TypeError("infer: assume must be a fact as text ('a == b') or a list of them, "
                        f"got {_type_name(assume)}")
    return list(facts)


class UnusedSizeError(ValueError):
    """``sizes=`` names a size the program does not use (``unused`` lists them)."""

    def __init__(self, unused: list[str], used: list[str]):
        self.unused = unused
        self.problem = (f"gives {', '.join(unused)}, which the program does not use as a "
                        f"size (its size names: {', '.join(used) or 'none'})")
        super().__init__(f"sizes {self.problem}")


def check_size_names(sizes: dict[str, int], program: Program, library) -> None:
    """:class:`UnusedSizeError` for a ``sizes=`` name the program does not
    use as a size: most likely a typo, which would otherwise leave the
    answer symbolic without a word."""
    used = size_symbols(program, library)
    unused = [name for name in sizes if name not in used]
    if unused:
        raise UnusedSizeError(unused, used)


def error_json(text: str, err: ShapeError) -> dict:
    """An error as ``eval --json`` prints it: ``ok`` false, ``expr``, ``error``."""
    return {"ok": False, "expr": text, "error": err.to_json()}
