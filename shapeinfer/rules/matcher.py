"""Matching a rule's clauses against argument shapes, and building outputs.

:func:`apply` tries the clauses in order; the first whose patterns match
(and so bind every name) gives the output shapes, after its ``requires``
conditions hold. When none matches, the error says, for each clause, why:
which dim disagreed with which, from which argument.

Every comparison of dims goes through :func:`_decide` (``dims``' three-valued
decision, under the scope's facts). Clauses are tried twice: first only
proofs match (as in JAX's own symbolic shapes, where a symbolic dim equals
only itself), so a clause that needs no guard wins; then, in default mode,
a name bound twice to dims the sizes do not decide matches under the guard
that they are equal (``scope.require``). An integer in a pattern is a
question, never a guard: ``(*x, 1)`` does not match a dim that may be 1.
"""
from __future__ import annotations

import functools
import string

import sympy

from .. import dims, scope
from ..dims import Decision
from ..errors import ShapeError
from ..shape_functions import SHAPE_FUNCTIONS
from . import model as m


class _NoMatch(Exception):
    """Why a clause does not match (the message names the argument and dim).

    It holds a function that writes the message, called only for the error
    when no clause matches: a clause that fails is most often followed by one
    that matches, and printing its dims with sympy was a tenth of a cold
    ``infer``."""

    def __init__(self, message):
        super().__init__()
        self.message = message  # () -> str

    def __str__(self) -> str:
        return self.message()


class Bindings(dict):
    """Name -> dim (or tuple of dims for a variadic, or a parameter's value),
    with where each pattern name was bound, for messages."""

    def __init__(self, initial=()):
        super().__init__(initial)
        self.origin: dict = {}


def apply(rule: m.Rule, ctx) -> list[tuple]:
    """The output shapes of ``rule`` for the arguments in ``ctx``, or ShapeError."""
    shapes = [None if a is None else a.shape for a in ctx.array_args]
    initial = _initial(ctx)
    # Clauses whose ranks do not fit are skipped without a word: most that
    # fail, fail there (``matmul`` of two matrices passes over five before
    # ``(*b1, n, k), (*b2, k, m)``); why each failed is worked out only when
    # none matches (_no_match).
    fitting = [(number, clause) for number, clause in enumerate(rule.clauses, 1)
               if _ranks_fit(clause, shapes)]
    for number, clause in fitting:
        env = Bindings(initial)
        try:
            _match(clause, shapes, env, ctx.array_names)
        except _NoMatch:
            continue
        return _apply_clause(rule, number, clause, env, shapes, ctx)
    sc = scope.current()
    if sc is not None and not sc.strict:  # the second try: equal names under guards
        for number, clause in fitting:
            env = Bindings(initial)
            try:
                with sc.trial():
                    _match(clause, shapes, env, ctx.array_names, guard=True)
            except _NoMatch:
                continue
            return _apply_clause(rule, number, clause, env, shapes, ctx)
    raise _no_match(rule, ctx, shapes, initial)


def _ranks_fit(clause: m.Clause, shapes: list) -> bool:
    """Each argument has a rank its pattern allows, or is omitted where the
    pattern is ``None`` (a quick test: :func:`_match` says why not)."""
    for pattern, shape in zip(clause.patterns, shapes):
        if isinstance(pattern, m.NonePattern):
            if shape is not None:
                return False
        elif shape is None or not pattern.fits_rank(len(shape)):
            return False
    return True


def _no_match(rule: m.Rule, ctx, shapes: list, initial: dict) -> ShapeError:
    """The error when no clause matches: the rule's message, and why each
    clause does not (each is matched again, without guards, for its reason)."""
    reasons = []
    furthest: dict = {}  # the bindings of the clause that bound the most names
    for number, clause in enumerate(rule.clauses, 1):
        env = Bindings(initial)
        try:
            _match(clause, shapes, env, ctx.array_names)
        except _NoMatch as e:
            reasons.append((number, clause, e))
            furthest = env if len(env) > len(furthest) else furthest
    exception, message = rule.raises or ("TypeError", None)
    head = (_format(message, furthest, shapes) if message is not None else
            f"{rule.name}: no clause matches shapes " + ", ".join(_fmt(s) for s in shapes))
    lines = [f"  clause {number}, {clause}: {e}" for number, clause, e in reasons]
    return ShapeError("rule-no-match", exception, "\n".join([head] + lines), ctx.site.span)


def _initial(ctx) -> dict:
    """What every clause starts from: the static parameters and the sequences' shapes."""
    env = {k: v for k, v in ctx.dim_params.items() if v is not None}
    env.update(ctx.sequence_shapes)
    return env


def _apply_clause(rule, number, clause, env, shapes, ctx) -> list[tuple]:
    for req in clause.requirements:
        _check_requirement(rule, req, env, shapes, ctx)
    if getattr(ctx, "trace", None) is not None:  # explain: which clause, how dims were bound
        ctx.trace.clause(rule, number, clause, env)
    return [_output(rule, out, env, shapes, ctx) for out in clause.outputs]


# ---------------------------------------------------------------- patterns

def _match(clause: m.Clause, shapes: list, env: Bindings, names: list[str], guard=False):
    deferred = []
    for i, (pattern, shape) in enumerate(zip(clause.patterns, shapes)):
        if isinstance(pattern, m.NonePattern):
            if shape is not None:
                raise _NoMatch(lambda: f"{_arg(names, i)} was given; the pattern wants it "
                               "omitted")
            continue
        if shape is None:
            raise _NoMatch(lambda: f"{_arg(names, i)} was omitted; the pattern wants {pattern}")
        items = pattern.items
        v = pattern.variadic_index
        fixed = len(items) - (v is not None)
        if (v is None and len(shape) != fixed) or (v is not None and len(shape) < fixed):
            wants = f"rank {'at least ' if v is not None else ''}{fixed}"
            raise _NoMatch(lambda: f"{_arg(names, i)} has shape {_fmt(shape)} of rank "
                           f"{len(shape)}, the pattern {pattern} wants {wants}")
        arg = _arg(names, i)  # (after the rank test: most clauses that fail, fail there)
        if v is None:
            pairs = list(zip(items, shape, range(len(shape))))
        else:
            tail = len(items) - v - 1
            rest = shape[v:len(shape) - tail]
            axes = (f"axes {v}..{v + len(rest) - 1}" if len(rest) > 1 else
                    f"axis {v}" if rest else "no axes")
            _bind(items[v].name, rest, env, f"{arg} ({axes})", guard)
            pairs = (list(zip(items[:v], shape[:v], range(v)))
                     + list(zip(items[v + 1:], shape[len(shape) - tail:],
                                range(len(shape) - tail, len(shape)))))
        for item, d, axis in pairs:
            where = f"{arg} axis {axis}"
            if isinstance(item, m.DimName):
                if item.name != "_":
                    _bind(item.name, d, env, where, guard)
            elif isinstance(item, m.DimInt):
                if not _equal(d, sympy.Integer(item.value)):
                    raise _NoMatch(lambda: f"{where} is {dims.fmt_dim(d)}, "
                                   f"the pattern wants {item.value}")
            else:
                deferred.append((item, d, where))
    _solve(deferred, env, guard)


def _arg(names: list[str], i: int) -> str:
    """Argument ``i`` as messages name it."""
    return f"argument {i}" if names[i] == f"arg{i}" else f"argument {i} ({names[i]})"


def _bind(name, value, env: Bindings, where: str, guard: bool):
    if name is None:
        return
    if name not in env:
        env[name] = value
        env.origin[name] = where
        return
    old = env[name]
    same = (len(old) == len(value) and _all_agree(list(zip(old, value)), guard)
            if isinstance(value, tuple) else
            not isinstance(old, tuple) and _all_agree([(old, value)], guard))
    if not same:
        shown = _fmt if isinstance(value, tuple) else dims.fmt_dim
        came = env.origin.get(name, "a parameter")
        raise _NoMatch(lambda: f"{name} = {shown(old)} from {came}, "
                       f"but {where} is {shown(value)}")


def _solve(deferred: list, env: Bindings, guard: bool):
    """Dim expressions in patterns (``2*n``): compare once every name is bound;
    solve for the one unbound name when the expression is linear in it."""
    while deferred:
        progress = False
        for entry in list(deferred):
            item, d, where = entry
            unbound = [n for n in m.names_in(item) if n not in env]
            if not unbound:
                value = evaluate(item, env, None)
                if not _all_agree([(value, d)], guard):
                    raise _NoMatch(lambda: f"{where} is {dims.fmt_dim(d)}, the pattern wants "
                                   f"{item} = {dims.fmt_dim(value)}")
            elif len(unbound) == 1:
                unknown = _unknown(unbound[0])
                expr = evaluate(item, Bindings({**env, unbound[0]: unknown}), None)
                slope = sympy.diff(expr, unknown)
                if slope == 0 or slope.has(unknown):
                    continue
                solution = sympy.expand((d - expr.subs(unknown, 0)) / slope)
                if solution.is_integer is not True:
                    solution = sympy.cancel(solution)
                if solution.is_integer is not True:
                    raise _NoMatch(lambda: f"{where} is {dims.fmt_dim(d)}, which is not "
                                   f"{item} for an integer {unbound[0]}")
                if dims.decide_nonnegative(solution) is Decision.FALSE:
                    raise _NoMatch(lambda: f"{where} is {dims.fmt_dim(d)}, which is {item} "
                                   f"only for {unbound[0]} = {dims.fmt_dim(solution)}, "
                                   "not a size")
                env[unbound[0]] = solution
                env.origin[unbound[0]] = where
            else:
                continue
            deferred.remove(entry)
            progress = True
        if not progress:
            item, d, where = deferred[0]
            raise _NoMatch(lambda: f"cannot solve {item} = {dims.fmt_dim(d)} at {where}")


@functools.lru_cache(maxsize=None)
def _unknown(name: str) -> sympy.Dummy:
    """The unknown a pattern expression is solved for (one per name, so that
    sympy's caches see the same expressions again)."""
    return sympy.Dummy(name, integer=True)


def _equal(a, b) -> bool:
    return _decide(a, "==", b) is Decision.TRUE


def _all_agree(pairs, guard: bool) -> bool:
    """Each pair of dims is equal: proved, or (with ``guard``) not disproved,
    then under a guard each."""
    decisions = [_decide(a, "==", b) for a, b in pairs]
    if all(d is Decision.TRUE for d in decisions):
        return True
    if not guard or Decision.FALSE in decisions:
        return False
    for a, b in pairs:  # decided again: a guard taken for one pair may decide the next
        decision = _decide(a, "==", b)
        if decision is Decision.FALSE:
            return False  # the clause does not match; its trial drops the guards
        if decision is Decision.UNKNOWN:
            scope.require_eq(a, b, None)
    return True


def _decide(left, op: str, right) -> Decision:
    """The one place a rule compares dims (three-valued)."""
    if op in ("==", "!="):
        eq = dims.decide_eq(left, right)
        if op == "==" or eq is Decision.UNKNOWN:
            return eq
        return Decision.FALSE if eq is Decision.TRUE else Decision.TRUE
    diff = {">=": left - right, ">": left - right - 1,
            "<=": right - left, "<": right - left - 1}[op]
    return dims.decide_nonnegative(diff)


# ---------------------------------------------------------------- requires and outputs

def _check_requirement(rule: m.Rule, req: m.Requirement, env: Bindings, shapes, ctx):
    for cond in req.conditions:
        left, right = evaluate(cond.left, env, ctx), evaluate(cond.right, env, ctx)
        decision = _decide(left, cond.op, right)
        if decision is Decision.TRUE:
            continue
        values = ", ".join(f"{n} = {_show(env[n])}" for n in sorted(
            m.names_in(cond.left) | m.names_in(cond.right)) if n in env)
        what = f"{cond}{' with ' + values if values else ''}"
        exception = req.exception or (rule.raises[0] if rule.raises else "TypeError")
        message = f"{rule.name} requires {what}"
        if req.message is not None:
            message = f"{_format(req.message, env, shapes)} ({message})"
        scope.require(
            dims.relation(cond.op, left, right),
            ShapeError("requires-failed", exception, message, ctx.site.span),
            ShapeError("inconclusive", "InconclusiveDimensionOperation",
                       f"{rule.name} requires {what}, which cannot be decided for every size",
                       ctx.site.span))


def _output(rule: m.Rule, out, env: Bindings, shapes, ctx) -> tuple:
    if isinstance(out, m.RaiseOutput):
        # what the function itself raises (JAX's NotImplementedError for out= too),
        # so the checker compares it with JAX
        raise ShapeError("bad-argument", out.exception, _format(out.message, env, shapes),
                         ctx.site.span)
    if isinstance(out, m.ShapeOf):
        return _as_shape(evaluate(out.expr, env, ctx))
    shape: list = []
    for item in out.items:
        if isinstance(item, m.Splice):
            shape.extend(_as_shape(evaluate(item.expr, env, ctx)))
        else:
            shape.append(evaluate(item, env, ctx))
    return tuple(shape)


def _as_shape(value) -> tuple:
    return tuple(value) if isinstance(value, tuple) else (value,)


def evaluate(expr, env, ctx, kind: str = "dim"):
    """A dimension expression's value: a dim, or a shape for variadic names
    and shape functions; parameters give their values (None too, where a
    shape function takes a ``value``)."""
    if isinstance(expr, m.DimName):
        value = env.get(expr.name)
        if value is None and kind != "value":  # a parameter whose default is None, not given
            raise ShapeError("bad-argument", "TypeError",
                             f"{expr.name} was not given (it is None), but the rule needs it")
        return value
    if isinstance(expr, m.DimInt):
        return sympy.Integer(expr.value)
    if isinstance(expr, m.DimOp):
        args = [evaluate(a, env, ctx) for a in expr.args]
        if expr.op == "neg":
            return -args[0]
        a, b = args
        if expr.op in ("//", "%") and dims.decide_eq(b, 0) is Decision.TRUE:
            raise ShapeError("bad-argument", "ZeroDivisionError",
                             f"integer division or modulo by zero in {expr}")
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "//": lambda: dims.floordiv(a, b), "%": lambda: dims.mod(a, b)}[expr.op]()
    if isinstance(expr, m.DimCall):
        fn = SHAPE_FUNCTIONS[expr.name]
        args = [evaluate(a, env, ctx, fn.kind_of(i)) for i, a in enumerate(expr.args)]
        return fn.fn(ctx, *args)
    return expr  # a literal None / True / False


# ---------------------------------------------------------------- messages

def _fmt(shape) -> str:
    return "None" if shape is None else dims.fmt_shape(shape)


def _show(value) -> str:
    if isinstance(value, tuple) and all(dims.is_dim(d) for d in value):
        return dims.fmt_shape(value)
    if isinstance(value, tuple) and all(isinstance(s, tuple) for s in value):
        return ", ".join(map(_show, value))  # a sequence of arrays' shapes
    if hasattr(value, "shape"):  # an array given where a sequence goes (Rows)
        return _show(value.shape)
    return dims.fmt_dim(value) if dims.is_dim(value) else str(value)


class _Placeholders(string.Formatter):
    """Looks every field up by name (``{0}`` too); what is unbound prints ``?``."""

    def get_value(self, key, args, kwargs):
        return kwargs.get(str(key), "?")


def _format(message: str, env, shapes) -> str:
    """``{0}`` / ``{1}``: the argument shapes; ``{name}``: a bound dim or parameter."""
    values = {str(i): _fmt(s) for i, s in enumerate(shapes)}
    values.update({k: _show(v) for k, v in env.items()})
    return _Placeholders().vformat(message, (), values)
