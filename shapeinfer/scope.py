"""The one policy for conditions on sizes (SPEC section 4).

A :class:`Scope` holds what one inference knows and how it treats doubt: the
facts (``assume`` statements), the mode (default or strict) and the guards
default mode has taken. Every condition an operation needs goes through
:func:`require`:

- proved (under the facts and the guards taken so far): go on;
- disproved: the operation's error, in both modes;
- unknown: in default mode the condition becomes a guard (the result is
  exact whenever every guard holds) and a fact for the decisions after it;
  in strict mode it is the error JAX's own symbolic shapes raise, with the
  ``assume`` that would decide it.

Questions that only choose between two correct paths (is this dim 1?) are
not requirements: they use ``dims.decide_*`` and take no guard.

The active scope is a module-level variable, set for the duration of one
inference by :func:`active`, so that the decisions deep inside shape
functions need no extra argument.
"""
from __future__ import annotations

import contextlib

import sympy

from . import dims
from .dims import Decision
from .errors import ShapeError


class Scope:
    """Facts, mode and guards of one inference."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.facts = dims.Facts()   # assumed facts and the guards taken, as decisions see them
        self.assumed: list = []     # the facts as the user wrote them (relations)
        self.guards: list = []      # relations, in the order they were taken
        # Changes whenever the facts do (a fact, a guard, a trial undone): an
        # answer computed at one version holds at that version (Operation.call's memo)
        self.version = 0

    def assume(self, condition, span=None):
        """Add a fact; one that contradicts the facts before it is an error."""
        before = self.facts.add(condition)
        self.version += 1
        if before is Decision.FALSE or not self.facts.consistent():
            shown = ", ".join(fmt_condition(c) for c in self.assumed + [condition])
            raise ShapeError("contradictory-facts", "ValueError",
                             f"the facts contradict each other: {shown}", span)
        self.assumed.append(condition)

    def take_guard(self, condition):
        self.facts.add(condition)
        self.version += 1
        self.guards.append(canonical(condition))

    def minimal_guards(self) -> list:
        """The guards without those the others (and the facts) imply."""
        kept = list(self.guards)
        for g in list(kept):
            others = dims.Facts()
            for c in self.assumed + [k for k in kept if k is not g]:
                others.add(c)
            if others.decide(g) is Decision.TRUE:
                kept.remove(g)
        return kept

    @contextlib.contextmanager
    def trial(self):
        """Guards taken in the block are dropped if it raises (a rule clause
        that does not match after all)."""
        facts, guards = self.facts.copy(), list(self.guards)
        try:
            yield
        except BaseException:
            self.facts.restore(facts)  # in place: decisions hold this object
            self.guards = guards
            self.version += 1
            raise


_current: Scope | None = None

# A strict_error for conditions JAX's symbolic shapes do not check while
# tracing (a reshape's total size): strict mode goes on, as JAX does.
JAX_ACCEPTS = object()


def current() -> Scope | None:
    return _current


def strict_mode() -> bool:
    """Is the active inference in strict mode?"""
    return _current is not None and _current.strict


def refuse_symbolic_int(fname: str, what: str, value, span=None) -> None:
    """``value`` is a size where JAX wants a static int (an axis, an
    offset): at every assignment it is an int, which JAX takes, so in default
    mode this is not JAX's error but something shapeinfer cannot follow
    symbolically (``unsupported``: infer at concrete sizes). In strict mode
    the caller raises JAX's own refusal."""
    if not strict_mode():
        raise ShapeError("unsupported", "NotImplementedError",
                         f"{fname}: {what} given as the size {dims.fmt_dim(value)} is not "
                         "supported symbolically; infer at concrete sizes", span)


class active:  # noqa: N801 - used as a function: `with active(scope) as sc:`
    """Make ``scope`` the one every decision in the block consults (its
    facts, and strict mode's way of deciding). A class rather than a
    ``contextlib.contextmanager``: every ``infer`` enters one, and a
    generator costs three times as much."""

    __slots__ = ("scope", "saved")

    def __init__(self, scope: Scope):
        self.scope = scope

    def __enter__(self) -> Scope:
        global _current
        self.saved = (_current, dims.set_context(self.scope.facts, self.scope.strict))
        _current = self.scope
        return self.scope

    def __exit__(self, *exc) -> bool:
        global _current
        _current, context = self.saved
        dims.set_context(*context)
        return False


def require(condition, error, strict_error=None) -> None:
    """The operation needs ``condition`` (a relation of dims, see ``dims.relation``).

    ``error`` is the ShapeError (or a function making it) for a condition
    that is false; ``strict_error`` the one JAX raises in strict mode when
    the sizes do not decide it (by default ``error``: where JAX compares
    symbolic dims with ``definitely_equal``, unknown is unequal).
    """
    decision = dims.decide(condition)
    if decision is Decision.TRUE:
        return
    if decision is Decision.FALSE:
        raise _make(error)
    scope = _current
    if scope is None or scope.strict:
        if strict_error is JAX_ACCEPTS:
            return
        raise undecided(_make(strict_error if strict_error is not None else error), condition)
    scope.take_guard(condition)


def holds(condition, strict_error) -> bool:
    """A condition that chooses a path JAX must decide (is a slice start
    >= 0?): True or False when the sizes decide it; otherwise, in default
    mode, True under the guard ``condition``, in strict mode ``strict_error``."""
    decision = dims.decide(condition)
    if decision is not Decision.UNKNOWN:
        return decision is Decision.TRUE
    require(condition, strict_error)
    return True


def require_eq(a, b, error, strict_error=None) -> None:
    """``require(a == b)``, cheap when the dims are the same expression."""
    if a == b:
        return
    require(dims.relation("==", a, b), error, strict_error)


def require_all_eq(pairs, error) -> None:
    """Each pair of dims must be equal: a pair proved unequal is the error
    before a guard is taken for any other (a guard would wrongly suggest the
    call can work)."""
    if any(dims.decide_eq(a, b) is Decision.FALSE for a, b in pairs):
        raise _make(error)
    for a, b in pairs:
        require_eq(a, b, error)


def undecided(error: ShapeError, condition) -> ShapeError:
    """Strict mode's error for an undecided condition, saying which fact decides it."""
    shown = fmt_condition(canonical(condition))
    hint = f" (the sizes do not decide {shown}; `assume {shown}` would)"
    if hint not in error.message:
        error.message += hint
        error.args = (error.message,)
    return error


def _make(error) -> ShapeError:
    if error is None:  # a caller that decided the condition is not false first
        return ShapeError("internal", "RuntimeError",
                          "a size condition was disproved where shapeinfer did not expect it; "
                          "this is a bug in shapeinfer, please report it")
    return error() if callable(error) else error


def canonical(condition):
    """A relation in the form people write: an inequality with the positive
    terms on the left and the rest on the right (``n >= a``, ``n >= 2``);
    an equality of a dim with a constant with the constant on the right."""
    if isinstance(condition, (sympy.Eq, sympy.Ne)):
        left, right = condition.args
        if isinstance(condition, sympy.Eq) and left.is_Symbol and (right.is_Symbol
                                                                   or right.is_Integer):
            return condition  # a == b, n == 3: already so (the commonest guards)
        normal = dims._normal(sympy.expand(left - right))
        if isinstance(-normal, sympy.Mod):
            normal = -normal
        if isinstance(normal, sympy.Mod):  # 2*(a//2) == a is Mod(a, 2) == 0
            return type(condition)(normal, 0, evaluate=False)
        if isinstance(condition, sympy.Ne) and normal.is_Add and len(normal.args) == 2 \
                and -1 in normal.args and normal.free_symbols and (normal + 1).is_Symbol:
            return dims.relation(">=", normal + 1, 2)  # a size that is not 1 is >= 2
        if left.is_number and not right.is_number:
            return type(condition)(right, left, evaluate=False)
        difference = sympy.expand(left - right)  # (not `normal`: it rewrites n // 2 as n/2)
        if isinstance(condition, sympy.Ne) and right == 0 and difference.is_Add:
            # n - b != 0 is n != b: the positive terms on the left, as for an inequality
            positive = sympy.Add(*(t for t in difference.args
                                   if not t.is_number and not t.could_extract_minus_sign()))
            if positive != 0 and positive != difference:
                return sympy.Ne(positive, sympy.expand(positive - difference), evaluate=False)
        return condition
    d = sympy.expand(dims._nonnegative_form(condition))  # d >= 0
    if isinstance(-dims._normal(d), sympy.Mod):  # 2*(n // 2) >= n is n % 2 == 0
        return canonical(dims.relation("==", d, 0))
    positive = sympy.Add(*(t for t in sympy.Add.make_args(d)
                           if not t.is_number and not t.could_extract_minus_sign()))
    if positive == 0:  # 5 - n >= 0 is n <= 5
        const = sympy.Add(*(t for t in sympy.Add.make_args(d) if t.is_number))
        return dims.relation("<=", sympy.expand(const - d), const)
    return dims.relation(">=", positive, sympy.expand(positive - d))


def fmt_condition(condition) -> str:
    """A guard as the language writes it (an ``assume`` accepts it back) and
    sympy parses it back (:func:`parse_condition`): ``a == b``, ``n >= 2``,
    ``n % 2 == 0``."""
    if condition is sympy.true or condition is sympy.false:
        return str(bool(condition))
    op = {sympy.Eq: "==", sympy.Ne: "!=", sympy.Ge: ">=", sympy.Gt: ">",
          sympy.Le: "<=", sympy.Lt: "<"}[type(condition)]
    left, right = condition.args
    return f"{dims.fmt_dim(left)} {op} {dims.fmt_dim(right)}"


def parse_condition(text: str):
    """A guard printed by :func:`fmt_condition`, back as a relation over the
    size symbols (sympy, with the sizes' assumptions)."""
    for op in ("==", "!=", ">=", "<=", ">", "<"):
        if op in text:
            left, right = text.split(op, 1)
            return dims.relation(op, dims.parse_dim(left), dims.parse_dim(right))
    raise ValueError(f"not a condition: {text!r}")


# ---------------------------------------------------------------- sizes that satisfy guards

def satisfying_sizes(conditions, symbols, rng, low: int = 1, high: int = 6,
                     tries: int = 50) -> dict | None:
    """Concrete sizes for ``symbols`` at which every condition holds, or None
    if none was found: each size a substitution of the conditions fixes is
    computed from fresh sizes drawn in [low, high]; the rest are drawn
    directly; every condition is then checked on the numbers. (For the
    checker and the tests: default mode's answer is exact at these sizes.)"""
    facts = dims.Facts()
    for c in conditions:
        facts.add(c)
    for _ in range(tries):
        free = {}
        for s in symbols:
            expr = facts.subs.get(dims.symbol(s), dims.symbol(s))
            for f in expr.free_symbols:
                free.setdefault(f, sympy.Integer(rng.randint(low, high)))
        sizes = {s: facts.subs.get(dims.symbol(s), dims.symbol(s)).xreplace(free) for s in symbols}
        if not all(v.is_Integer and v >= 1 for v in sizes.values()):
            continue
        values = {dims.symbol(s): v for s, v in sizes.items()}
        if all(bool(c.xreplace(values)) for c in conditions):
            return {s: int(v) for s, v in sizes.items()}
    return None
