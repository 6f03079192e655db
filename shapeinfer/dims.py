"""Dimensions: sympy integer expressions over positive size symbols.

Invariants: a dim is a ``sympy.Expr``; size symbols are integer and positive
(a size symbol stands for a size >= 1); constants are ``sympy.Integer``.

Every comparison of dims goes through :func:`decide_eq`, which answers with
one of three :class:`Decision` values, as JAX's ``shape_poly`` does: proved,
disproved, or unknown. What callers do with "unknown" is their policy: for
now it behaves as JAX's own symbolic shapes (a symbolic dim matches only
itself, or 1 where broadcasting allows it).

>>> a, b = symbol("a"), symbol("b")
>>> decide_eq(a + a, 2 * a)
<Decision.TRUE: 'true'>
>>> decide_eq(a + 1, a)
<Decision.FALSE: 'false'>
>>> decide_eq(a, b)
<Decision.UNKNOWN: 'unknown'>
"""
from __future__ import annotations

import contextlib
import enum
import functools
import itertools
import math
import re
from typing import Iterable

import sympy
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

Dim = sympy.Expr
Shape = tuple  # tuple[Dim, ...]


class Decision(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@functools.lru_cache(maxsize=None)
def symbol(name: str) -> sympy.Symbol:
    """The size symbol ``name`` (an integer >= 1)."""
    s = _new_size_symbol(name)
    _SIZE_SYMBOLS.add(s)
    return s


def _copy_size_symbol(name: str) -> sympy.Symbol:
    # sympy.Symbol(name, integer=True, positive=True) derives and sorts the
    # same 25 assumptions again for every new name: about 11 µs, a sixth of a
    # cold `infer` of a small program, whose size names are all new. The
    # symbol made here takes them from one made by sympy: an equal object
    # (sympy compares and hashes symbols by name and those assumptions), as
    # _size_symbols_copy checks once against sympy's own constructor.
    s = sympy.Expr.__new__(sympy.Symbol)
    s.name = name
    s._assumptions = _TEMPLATE._assumptions  # (sympy shares this one too)
    s._assumptions_orig = _TEMPLATE._assumptions_orig
    s._assumptions0 = _TEMPLATE._assumptions0
    return s


def _sympy_size_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, integer=True, positive=True)


def _size_symbols_copy() -> bool:
    """Does a copied symbol behave as sympy's own (this sympy may lay its
    symbols out otherwise)?"""
    try:
        mine, theirs = _copy_size_symbol("_probe"), _sympy_size_symbol("_probe")
        # (no arithmetic here: sympy's first subtraction in a process costs
        # 25 ms, which a program that takes no guard never pays)
        return (mine == theirs and hash(mine) == hash(theirs) and type(mine) is type(theirs)
                and mine.assumptions0 == theirs.assumptions0
                and mine._hashable_content() == theirs._hashable_content()
                and mine.is_positive and mine.is_integer)
    except (AttributeError, TypeError):
        return False


_TEMPLATE = _sympy_size_symbol("_template")
_new_size_symbol = _copy_size_symbol if _size_symbols_copy() else _sympy_size_symbol


_SIZE_SYMBOLS: set = set()  # every symbol made by symbol(): integers >= 1


# The most digits a concrete size may have, literal or computed. Python
# prints at most 4,300, no array has more than 19, and sympy's decisions slow
# to minutes on a few thousand; 1,000 leaves room for any sizes a program
# means and keeps every answer fast.
MAX_INT_DIGITS = 1000
MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219280948873626)  # log2(10) bits per digit


def too_many_digits(n: int) -> bool:
    return abs(n).bit_length() > MAX_INT_BITS


def const(n: int) -> Dim:
    return sympy.Integer(n)


def is_dim(value) -> bool:
    """A dim value (not a Python bool, which is a separate literal)."""
    return isinstance(value, sympy.Expr)


def as_int(d: Dim) -> int | None:
    """The Python int a dim is, or None if it is symbolic."""
    return int(d) if isinstance(d, sympy.Integer) else None


def plainly_nonnegative(d: Dim) -> bool:
    """A size symbol, a constant >= 0 or a product of sizes (``h*e``), the
    commonest dims, which need no decision (the constant compared as a
    Python int: sympy's ``>=`` sympifies its operand, a tenth of a concrete
    inference when every dim was asked; a product would build ``h*e >= 0``
    and decide it, true for all sizes >= 1, a fifth of a reshape)."""
    return (d.is_Symbol or (d.is_Integer and int(d) >= 0)
            or (isinstance(d, (sympy.Mul, sympy.Pow)) and _is_product_of_sizes(d)))


def plain(value):
    """A static value with its concrete dims as Python ints, through nested
    tuples and lists (tensordot's ``((1, 2), (0, 1))``)."""
    if isinstance(value, (tuple, list)):
        return type(value)(plain(v) for v in value)
    if is_dim(value) and as_int(value) is not None:
        return as_int(value)
    return value


def decide_eq(a: Dim, b: Dim) -> Decision:
    """Is ``a == b`` for every assignment of the size symbols (that satisfies
    the active facts, see :class:`Facts`)?"""
    # Fast paths, no algebra: most comparisons are of a dim with itself
    # (``(a, a)``: structurally equal) or of two concrete sizes.
    if a is b or a == b:
        return Decision.TRUE
    if isinstance(a, (int, sympy.Integer)) and isinstance(b, (int, sympy.Integer)):
        return Decision.FALSE
    if not _active:  # (facts may bind a size: then the general path rewrites it)
        decision = _decide_size_eq(a, b)
        if decision is not None:
            return decision
    diff = sympy.expand(sympy.sympify(a) - sympy.sympify(b))
    if diff == 0:
        return Decision.TRUE
    if diff.is_number:
        return Decision.FALSE
    if _active:
        return _active.decide_zero(diff)
    return _decide_eq_zero(diff)


def _decide_size_eq(a, b) -> Decision | None:
    """The commonest questions, decided without building ``a - b``, as the
    polynomial fast path decides them: a size, or a product of sizes
    (``h*e``), against a constant (``is_one(n)``): it is never below 1 and
    may be any size from 1 up; two different sizes (broadcasting ``(a,)``
    with ``(b,)``): they may differ. None for anything else."""
    if isinstance(a, (int, sympy.Integer)):
        a, b = b, a
    if isinstance(b, (int, sympy.Integer)):
        if a in _SIZE_SYMBOLS:
            return Decision.FALSE if int(b) < 1 else Decision.UNKNOWN
        if isinstance(a, (sympy.Mul, sympy.Pow)) and _is_product_of_sizes(a):
            if int(b) < 1 or (not _as_jax and _never_a_product(a, int(b))):
                return Decision.FALSE  # (b**3 == 3: no size; strict mode: JAX's bounds)
            return Decision.UNKNOWN
        return None
    if a in _SIZE_SYMBOLS and b in _SIZE_SYMBOLS:
        return Decision.UNKNOWN  # (a is b was TRUE before)
    return None


def _decide_eq_zero(diff: Dim) -> Decision:
    return _decide_eq_zero_cached(diff, _as_jax)


def _divides_by_maybe_zero(d: Dim) -> bool:
    """Has ``d`` a quotient ``e // k`` whose divisor may be 0? jax.export's
    dims refuse to bound one ("possible division by 0"), so strict mode
    decides nothing about it."""
    if not d.has(sympy.floor):
        return False
    for term in sympy.preorder_traversal(d):
        if isinstance(term, sympy.floor):
            k = term.args[0].as_numer_denom()[1]
            if not k.is_number and _decide_nonnegative(k - 1) is not Decision.TRUE \
                    and _decide_nonnegative(-k - 1) is not Decision.TRUE:
                return True
    return False


@functools.lru_cache(maxsize=4096)
def _decide_eq_zero_cached(diff: Dim, as_jax: bool) -> Decision:
    if as_jax and _divides_by_maybe_zero(diff):
        return Decision.UNKNOWN
    # The polynomial fast path decides only what jax.export's term-by-term
    # bounds decide too, so it serves strict mode as well.
    poly = _polynomial(diff)
    decision = _decide_polynomial_zero(*poly) if poly else None
    if decision is None:
        normal = _normal(diff)
        if normal == 0 or (_at_least(normal, 0) and _at_least(-normal, 0)):
            return Decision.TRUE  # 2*(n//2) + n%2 - n, min(a, a + 1) - a
        if _at_least(normal, 1) or _at_least(-normal, 1) or _indivisible(normal):
            return Decision.FALSE
        decision = Decision.UNKNOWN
    if decision is Decision.UNKNOWN and not as_jax and _monomial_never_zero(diff):
        return Decision.FALSE
    return decision


def _monomial_never_zero(diff: Dim) -> bool:
    """Is ``diff`` a product of sizes minus a constant that no sizes reach
    (``b**3 - 3``, ``a**2*b**2 - 2``)? Only for default mode: jax.export's
    bounds leave these inconclusive, while every concrete size fails."""
    const, terms = diff.as_coeff_add()
    if len(terms) != 1 or not const.is_Integer:
        return False
    coeff, monomial = terms[0].as_coeff_Mul()
    if not coeff.is_Integer:
        return False
    target, remainder = divmod(-int(const), int(coeff))
    if remainder:
        return False  # (the gcd test decides this one)
    return _never_a_product(monomial, target)


def _never_a_product(monomial: Dim, n: int) -> bool:
    """Can no sizes >= 1 make ``monomial`` (a product of sizes) equal ``n``?
    ``n`` is a product of the sizes' powers exactly when each prime's
    multiplicity in ``n`` is a sum of those powers: with a size to the first
    power, every ``n >= 1`` is. False where unsure (very large ``n``)."""
    factors = _size_factors((monomial,))
    if factors is None or factors[0] != 1 or not factors[1]:
        return False
    if n < 1:
        return True
    powers = set(factors[1].values())
    if 1 in powers or n == 1:
        return False
    if n > 10**12:  # (factorising takes long: leave it undecided)
        return False
    return any(not _sum_of(multiplicity, powers)
               for multiplicity in sympy.factorint(n).values())


def _sum_of(total: int, parts: set[int]) -> bool:
    """Is ``total`` a sum of ``parts`` (each any number of times)?"""
    reachable = [True] + [False] * total
    for i in range(1, total + 1):
        reachable[i] = any(p <= i and reachable[i - p] for p in parts)
    return reachable[total]


# ---------------------------------------------------------------- polynomial fast path
# Most dims are sums of sizes, products of sizes and constants (``a``,
# ``n - 1``, ``h * e``). For those the answers follow from arithmetic,
# without sympy's assumption system (costly for every new symbol: a program
# with fresh size names spent most of its time there). They are exactly
# what the general procedure below proves, for the same reasons. With sizes
# s >= 1, a product of sizes is >= 1 and grows with each; so
# c0 + sum(ci * mi) is smallest with every size 1 when every ci > 0 (largest
# when every ci < 0), and unbounded the other way; it can be 0 only if
# gcd(ci) divides c0. With mixed signs a sum of single sizes is unbounded
# both ways (undecided); one with products is left to the general procedure
# (``h*e - h >= 0`` holds).

def _polynomial(d: Dim) -> tuple[int, list[int], bool] | None:
    """``(c0, [ci], linear)`` for ``d = c0 + sum(ci * mi)`` where each ``mi``
    is a size or a product of sizes (``linear``: sizes only), else None."""
    const, coeffs, linear = 0, {}, True
    for t in (d.args if isinstance(d, sympy.Add) else (d,)):
        if t.is_Integer:
            const += int(t)
            continue
        c, m = (int(t.args[0]), t.func(*t.args[1:])) \
            if isinstance(t, sympy.Mul) and t.args[0].is_Integer else (1, t)
        if m in _SIZE_SYMBOLS:
            pass
        elif _is_product_of_sizes(m):
            linear = False
        else:
            return None
        coeffs[m] = coeffs.get(m, 0) + c
    cs = [c for c in coeffs.values() if c]
    return (const, cs, linear) if cs else None


def _is_product_of_sizes(m) -> bool:
    factors = m.args if isinstance(m, sympy.Mul) else (m,)
    return all(f in _SIZE_SYMBOLS or (isinstance(f, sympy.Pow) and f.base in _SIZE_SYMBOLS
                                       and f.exp.is_Integer and f.exp > 0) for f in factors)


def same_product(xs, ys) -> bool:
    """Are the products of ``xs`` and ``ys`` plainly equal: the same sizes
    to the same powers and the same constant (``(b, s, h*e)`` and
    ``(b, s, h, e)``)? False where this cannot tell; then ask
    :func:`decide_eq`. Cheaper than sympy's product of each (a reshape
    built both and compared them: a fifth of a reshape's time)."""
    left, right = _size_factors(xs), _size_factors(ys)
    return left is not None and left == right


def _size_factors(ds) -> tuple[int, dict] | None:
    """(constant, {size: power}) of the product of ``ds``, if it is a
    product of constants >= 0 and of sizes to positive powers."""
    constant, powers = 1, {}
    for d in ds:
        for f in (d.args if isinstance(d, sympy.Mul) else (d,)):
            if f.is_Integer and int(f) >= 0:
                constant *= int(f)
            elif f in _SIZE_SYMBOLS:
                powers[f] = powers.get(f, 0) + 1
            elif (isinstance(f, sympy.Pow) and f.base in _SIZE_SYMBOLS
                  and f.exp.is_Integer and int(f.exp) > 0):
                powers[f.base] = powers.get(f.base, 0) + int(f.exp)
            else:
                return None
    return constant, powers


def _decide_polynomial_zero(const: int, cs: list[int], linear: bool) -> Decision | None:
    least = const + sum(cs)  # the value with every size 1
    if (all(c > 0 for c in cs) and least >= 1) or (all(c < 0 for c in cs) and least <= -1):
        return Decision.FALSE
    if const % math.gcd(*cs) != 0:
        return Decision.FALSE
    if linear or all(c > 0 for c in cs) or all(c < 0 for c in cs):
        return Decision.UNKNOWN
    return None


def _decide_polynomial_nonnegative(const: int, cs: list[int], linear: bool) -> Decision | None:
    least = const + sum(cs)
    if all(c > 0 for c in cs):
        return Decision.TRUE if least >= 0 else Decision.UNKNOWN
    if all(c < 0 for c in cs):
        return Decision.FALSE if least <= -1 else Decision.UNKNOWN
    return Decision.UNKNOWN if linear else None


def _indivisible(d: Dim) -> bool:
    """A polynomial with integer coefficients whose constant term the other
    coefficients' gcd does not divide is never 0 (``2*k - 3``)."""
    const, terms = d.as_coeff_add()
    coeffs = [t.as_coeff_Mul()[0] for t in terms]
    if not const.is_Integer or const == 0 or not all(c.is_Integer for c in coeffs):
        return False
    if any(t.has(sympy.Mod, sympy.floor, sympy.Min, sympy.Max) for t in terms):
        return False
    return int(const) % math.gcd(*(int(c) for c in coeffs)) != 0


def decide_nonnegative(d: Dim) -> Decision:
    """Is ``d >= 0`` for every assignment of the size symbols (that satisfies
    the active facts)?"""
    d = sympy.sympify(d)
    if d.is_number:
        return Decision.TRUE if d >= 0 else Decision.FALSE
    if _active:
        return _active.decide_nonnegative(d)
    return _decide_nonnegative(d)


def _decide_nonnegative(d: Dim) -> Decision:
    return _decide_nonnegative_cached(d, _as_jax)


@functools.lru_cache(maxsize=4096)
def _decide_nonnegative_cached(d: Dim, as_jax: bool) -> Decision:
    if d.is_number:
        return Decision.TRUE if d >= 0 else Decision.FALSE
    if as_jax and _divides_by_maybe_zero(d):
        return Decision.UNKNOWN
    poly = _polynomial(d)
    decision = _decide_polynomial_nonnegative(*poly) if poly else None
    if decision is not None:
        return decision
    normal = _normal(d)
    if _at_least(normal, 0) or (normal != d and _at_least(d, 0)):
        # (d as written too: normalizing may lose the bound floor((a-1)/3) >= 0,
        # as sympy writes Mod(a - 1, 3) as Mod(a + 2, 3))
        return Decision.TRUE
    if _at_least(-normal, 1):
        return Decision.FALSE
    return Decision.UNKNOWN


def decide(condition: sympy.Basic) -> Decision:
    """A relation between dims (``Eq``, ``Ne``, ``Ge``, ``Gt``, ``Le``, ``Lt``), decided."""
    if condition is sympy.true or condition is sympy.false:
        return Decision.TRUE if condition is sympy.true else Decision.FALSE
    left, right = condition.args
    if isinstance(condition, (sympy.Eq, sympy.Ne)):
        eq = decide_eq(left, right)
        return eq if isinstance(condition, sympy.Eq) else _negate(eq)
    return decide_nonnegative(_nonnegative_form(condition))


def _negate(d: Decision) -> Decision:
    return {Decision.TRUE: Decision.FALSE, Decision.FALSE: Decision.TRUE}.get(d, d)


def _nonnegative_form(condition) -> Dim:
    """``e`` such that the inequality ``condition`` is ``e >= 0`` (for integers)."""
    left, right = condition.args
    if isinstance(condition, sympy.Ge):
        return left - right
    if isinstance(condition, sympy.Gt):
        return left - right - 1
    if isinstance(condition, sympy.Le):
        return right - left
    return right - left - 1  # Lt


def relation(op: str, left, right) -> sympy.Basic:
    """The unevaluated relation ``left op right`` (``==``, ``!=``, ``>=``, ...)."""
    cls = {"==": sympy.Eq, "!=": sympy.Ne, ">=": sympy.Ge, ">": sympy.Gt,
           "<=": sympy.Le, "<": sympy.Lt}[op]
    return cls(sympify_dim(left), sympify_dim(right), evaluate=False)


def sympify_dim(d) -> Dim:
    return sympy.Integer(d) if isinstance(d, int) else d


# ---------------------------------------------------------------- facts
#
# Facts about the sizes (``assume`` statements, and the guards default mode
# has taken so far) take part in every decision. Most are kept as a
# substitution, so that deciding under them is deciding a rewritten
# expression with the same procedure: ``a == b`` replaces b by a; ``n >= 3``
# writes n as ``n' + 2`` with a fresh size n' >= 1; ``n % 2 == 0`` writes n as
# ``2*n'``. What does not fit (``a != b``, ``n <= 5``, ``Mod(a + b, 2) == 0``)
# is kept as it is and used directly: a disequality refutes that equality,
# ``e >= 0`` proves what exceeds e.

_active: "Facts | None" = None  # the facts decisions consult (set by scope.Scope)
_fresh_ids = itertools.count(1)


def _fresh(name: str) -> sympy.Symbol:
    """A new size symbol (>= 1) standing for part of ``name``; its name is
    unique, so the decision procedure's caches never confuse it with a user's."""
    return _new_size_symbol(f"{name}~{next(_fresh_ids)}")


class Facts:
    """A set of facts about the sizes, consulted by every decision while active."""

    def __init__(self):
        self.subs: dict = {}           # size symbol -> expression over fresh sizes
        self.unequal: list = []        # rewritten d with d != 0
        self.nonnegative: list = []    # rewritten d with d >= 0 (not substitutable)
        self.zero: list = []           # rewritten d with d == 0 (not substitutable)

    def copy(self) -> "Facts":
        f = Facts()
        f.subs, f.unequal = dict(self.subs), list(self.unequal)
        f.nonnegative, f.zero = list(self.nonnegative), list(self.zero)
        return f

    def restore(self, saved: "Facts"):
        self.subs, self.unequal = saved.subs, saved.unequal
        self.nonnegative, self.zero = saved.nonnegative, saved.zero

    def __bool__(self) -> bool:
        return bool(self.subs or self.unequal or self.nonnegative or self.zero)

    def rewrite(self, d: Dim) -> Dim:
        return sympy.expand(d.xreplace(self.subs)) if self.subs else d

    def decide_zero(self, diff: Dim) -> Decision:
        diff = self.rewrite(diff)
        if diff.is_number:
            return Decision.TRUE if diff == 0 else Decision.FALSE
        decision = _decide_eq_zero(diff)
        if decision is not Decision.UNKNOWN:
            return decision
        if any(diff == z or diff == -z for z in self.zero):
            return Decision.TRUE
        if self.nonnegative and self.decide_nonnegative(diff) is Decision.TRUE \
                and self.decide_nonnegative(-diff) is Decision.TRUE:
            return Decision.TRUE  # a >= b and b >= a
        if any(diff == u or diff == -u for u in self.unequal):
            return Decision.FALSE
        if any(_decide_nonnegative(diff - g - 1) is Decision.TRUE  # diff > g >= 0
               or _decide_nonnegative(-diff - g - 1) is Decision.TRUE for g in self.nonnegative):
            return Decision.FALSE
        return Decision.UNKNOWN

    def decide_nonnegative(self, d: Dim) -> Decision:
        d = self.rewrite(d)
        decision = _decide_nonnegative(d)
        if decision is not Decision.UNKNOWN or not self.nonnegative:
            return decision
        for g in self.nonnegative:  # d >= g >= 0 proves it; -d - 1 >= g >= 0 refutes it
            if _decide_nonnegative(d - g) is Decision.TRUE:
                return Decision.TRUE
            if _decide_nonnegative(-d - 1 - g) is Decision.TRUE:
                return Decision.FALSE
        return Decision.UNKNOWN

    def decide(self, condition) -> Decision:
        global _active
        saved, _active = _active, self
        try:
            return decide(condition)
        finally:
            _active = saved

    def add(self, condition) -> Decision:
        """Add a fact; returns what it was before: TRUE (already implied,
        nothing added), FALSE (a contradiction, nothing added) or UNKNOWN (added)."""
        before = self.decide(condition)
        if before is Decision.UNKNOWN:
            self._add(condition)
        return before

    def _add(self, condition):
        left, right = condition.args
        if isinstance(condition, sympy.Eq):
            if self._bind_sizes(left, right):
                return
            diff = self.rewrite(sympy.expand(left - right))
            if not self._substitute_zero(diff):
                self.zero.append(diff)
        elif isinstance(condition, sympy.Ne):
            diff = self.rewrite(sympy.expand(left - right))
            if not self._substitute_lower_bound(diff, 1):  # s != 1 is s >= 2
                self.unequal.append(diff)
        else:
            d = self.rewrite(sympy.expand(_nonnegative_form(condition)))
            if not self._substitute_lower_bound(d, 0):
                self.nonnegative.append(d)

    def _bind_sizes(self, left, right) -> bool:
        """``a == b`` or ``n == 3`` of sizes no fact rewrites yet, the
        commonest guards (broadcasting ``(a,)`` with ``(b,)`` or with
        ``(3,)``), bound without sympy's algebra, as :meth:`_substitute_zero`
        binds them: the later name to the other, a size to its value."""
        if right in _SIZE_SYMBOLS and left not in _SIZE_SYMBOLS:
            left, right = right, left
        if left not in _SIZE_SYMBOLS or left in self.subs:
            return False
        if right in _SIZE_SYMBOLS and right not in self.subs and left != right:
            later, earlier = (left, right) if left.name > right.name else (right, left)
            self._bind(later, earlier)
            return True
        if isinstance(right, sympy.Integer) and right >= 1:
            self._bind(left, right)
            return True
        return False

    def _substitute_zero(self, diff) -> bool:
        """``diff == 0`` as a substitution: solved for a size with coefficient
        +-1 whose value is always a size, or ``Mod(s, k) == 0`` as ``s = k*s'``."""
        const, rest = diff.as_coeff_Add()
        if isinstance(rest, sympy.Mod) and rest.args[0].is_Symbol and rest.args[1].is_Integer \
                and 0 <= -const < rest.args[1]:
            s, k = rest.args  # s % k == r: s is k*s' + r, or k*s' - (k - r) with s' >= 1
            r = -const
            self._bind(s, k * _fresh(s.name) + (r - k if r else 0))
            return True
        for s in sorted(diff.free_symbols, key=lambda s: s.name, reverse=True):
            coeff = diff.coeff(s)
            rest = sympy.expand(diff - coeff * s)
            if coeff in (1, -1) and not rest.has(s) and not diff.has(
                    sympy.Mod, sympy.floor, sympy.Min, sympy.Max):
                value = sympy.expand(-rest / coeff)
                if _decide_nonnegative(value - 1) is Decision.TRUE:
                    self._bind(s, value)
                    return True
        return False

    def _substitute_lower_bound(self, d, below: int) -> bool:
        """``d >= 0`` (``below`` 0), or ``d != 0`` with d = s - 1 (``below`` 1),
        for d = s - rest: s becomes ``rest + below + s' - 1``, s' a fresh size."""
        for s in sorted(d.free_symbols, key=lambda s: s.name):
            rest = sympy.expand(s - d)
            if d.coeff(s) == 1 and not rest.has(s) and not d.has(
                    sympy.Mod, sympy.floor, sympy.Min, sympy.Max):
                if below == 1 and rest != 1:
                    continue
                if _decide_nonnegative(rest + below - 1) is Decision.TRUE:
                    self._bind(s, sympy.expand(rest + below - 1 + _fresh(s.name)))
                    return True
        return False

    def _bind(self, s, value):
        new = {s: value}
        self.subs = {k: sympy.expand(v.xreplace(new)) for k, v in self.subs.items()}
        self.subs[s] = value
        self.unequal = [sympy.expand(u.xreplace(new)) for u in self.unequal]
        self.nonnegative = [sympy.expand(g.xreplace(new)) for g in self.nonnegative]
        self.zero = [sympy.expand(z.xreplace(new)) for z in self.zero]

    def consistent(self) -> bool:
        """No kept fact is refuted by the substitution (``a != b`` after ``a == b``)."""
        return not (any(_decide_eq_zero(u) is Decision.TRUE for u in self.unequal if not u.is_number)
                    or any(u == 0 for u in self.unequal)
                    or any(_decide_nonnegative(g) is Decision.FALSE for g in self.nonnegative)
                    or any(z.is_number and z != 0 for z in self.zero)
                    or any(not z.is_number and _decide_eq_zero(z) is Decision.FALSE
                           for z in self.zero))


@contextlib.contextmanager
def facts_active(facts: "Facts | None"):
    """Make every decision in the block consult ``facts``."""
    global _active
    saved, _active = _active, facts
    try:
        yield
    finally:
        _active = saved


def set_context(facts: "Facts | None", strict: bool) -> tuple:
    """Make every decision from now on consult ``facts``, deciding as
    jax.export does if ``strict`` (see :func:`as_jax`); returns the context
    it replaces, to be set back (``scope.active`` does both)."""
    global _active, _as_jax
    saved = (_active, _as_jax)
    _active, _as_jax = facts, strict
    return saved


# ---------------------------------------------------------------- the decision procedure
#
# As jax.export's symbolic dims do, floor division and mod by a constant are
# related (``e // k`` is ``(e - e % k) / k``), ``e % k`` lies in [0, k - 1]
# and below ``e``, and ``min`` / ``max`` are split into their cases: each
# step replaces one such term by a bound, in the direction that keeps the
# inequality sufficient, until a polynomial in the sizes remains, which
# sympy decides. Only proofs come out: a failure to prove is UNKNOWN.

_MAX_CASES = 64  # bound the case splits of a decision (min/max nest multiplicatively)


def _normal(d: Dim) -> Dim:
    """``d`` with each ``floor(e / k)`` (k a positive integer) written as
    ``(e - Mod(e, k)) / k``, so that equal things cancel."""
    def rewrite(f):
        num, den = f.args[0].as_numer_denom()
        if den.is_Integer and den > 0:
            return (num - sympy.Mod(num, den)) / den
        return f
    if not d.has(sympy.floor):
        return d
    return sympy.expand(d.replace(lambda e: isinstance(e, sympy.floor), rewrite))


def _at_least(d: Dim, bound: int) -> bool:
    """A proof that ``d >= bound`` for every assignment of the sizes."""
    return _proves(sympy.expand(d - bound), [_MAX_CASES])


def _proves(d: Dim, budget: list) -> bool:
    """A proof that ``d >= 0``: by sympy for a polynomial in the sizes, by
    bounding one min / max / mod / floor term of ``d`` at a time otherwise."""
    if d.is_number:
        return bool(d >= 0)
    term = next((t for t in sympy.preorder_traversal(d)
                 if isinstance(t, (sympy.Min, sympy.Max, sympy.Mod, sympy.floor))), None)
    if term is None:
        return _holds(d, "is_nonnegative")
    budget[0] -= 1
    if budget[0] < 0:
        return False
    unknown = sympy.Dummy()
    with_unknown = sympy.expand(d.xreplace({term: unknown}))
    slope = sympy.expand(with_unknown.as_independent(unknown, as_Add=True)[1] / unknown)
    if not slope.is_number or slope == 0:
        return False  # not linear in the term with a constant coefficient
    rising = slope > 0

    def holds_with(value) -> bool:
        return _proves(sympy.expand(with_unknown.xreplace({unknown: value})), budget)

    if isinstance(term, (sympy.Min, sympy.Max)):
        # d grows with the term: replacing it by something it is never
        # below keeps a proof (min: its smallest case, so each; max: any)
        every = isinstance(term, sympy.Min) == rising
        cases = (holds_with(arg) for arg in term.args)
        return all(cases) if every else any(cases)
    if isinstance(term, sympy.Mod):
        # e % k has the sign of k, in Python as in jax.export: it lies in
        # [0, k - 1] for k >= 1 and in [k + 1, 0] for k <= -1; a divisor of
        # either sign (n - b) bounds it below by neither
        e, k = term.args
        if rising:
            if _proves(k - 1, budget):
                return holds_with(0)
            return _proves(-k - 1, budget) and holds_with(k + 1)
        bounds = [e] if _proves(e, budget) else []  # e % k <= e for e >= 0 (any k)
        if k.is_Integer and k > 0:
            bounds.append(k - 1)
        elif _proves(-k - 1, budget):
            bounds.append(sympy.Integer(0))
        return any(holds_with(b) for b in bounds)
    num, den = term.args[0].as_numer_denom()  # floor(num / den), den a size expression
    if not (_proves(num, budget) and _proves(den - 1, budget)):
        return False
    return holds_with(0) if rising else holds_with(num)  # 0 <= num // den <= num


def simplify(d: Dim) -> Dim:
    """``d`` without the cases of its min / max that can never be chosen:
    ``max(0, n - n % 2)`` is ``n - n % 2``, as jax.export prints it."""
    if not d.has(sympy.Min, sympy.Max):
        return d

    def prune(f):
        args = list(dict.fromkeys(f.args))
        smaller_wins = isinstance(f, sympy.Min)
        kept = [x for i, x in enumerate(args)
                if not any(decide_nonnegative((x - y) if smaller_wins else (y - x))
                           is Decision.TRUE for j, y in enumerate(args)
                           if j != i and (j < i or decide_eq(x, y) is not Decision.TRUE))]
        return type(f)(*kept) if kept else args[0]
    return d.replace(lambda e: isinstance(e, (sympy.Min, sympy.Max)), prune)


def _holds(d: Dim, prop: str) -> bool:
    """Sympy's assumption ``prop`` of ``d``, helped along: sympy does not see
    that ``a + b - 2 >= 0`` for sizes >= 1, but it does see ``a' + b' >= 0``
    once each size is written as ``s' + 1`` with ``s' >= 0``. In strict mode,
    only what jax.export's term-by-term bounds prove (:func:`_jax_bounds_hold`)."""
    if getattr(d, prop):
        return True
    if _as_jax:
        return prop == "is_nonnegative" and _jax_bounds_hold(d)
    return bool(getattr(_shifted(d), prop))


def _jax_bounds_hold(d: Dim) -> bool:
    """``d >= 0`` for a polynomial in the sizes, proved as jax.export proves
    it: each monomial bounded on its own (a product of sizes is >= 1, with no
    upper bound), so any negative term makes it inconclusive. ``a*b - a`` is
    (``a*b - a >= 0`` needs ``a*b >= a``, which JAX does not derive)."""
    const, terms = d.as_coeff_add()
    lowest = const
    for term in terms:
        coeff, monomial = term.as_coeff_Mul()
        powers = monomial.as_powers_dict()
        if coeff <= 0 or not all(b.is_Symbol and e.is_Integer and e > 0 for b, e in powers.items()):
            return False
        lowest += coeff  # each size >= 1
    return bool(lowest >= 0)


# Strict mode decides as jax.export does, which proves less than default mode
# for polynomials (``a*b - a >= 0``); set by scope.active for a strict inference.
_as_jax = False


@contextlib.contextmanager
def as_jax(on: bool):
    """Decide as jax.export's symbolic dims do in the block (strict mode)."""
    global _as_jax
    saved, _as_jax = _as_jax, on
    try:
        yield
    finally:
        _as_jax = saved


def _shifted(d: Dim) -> Dim:
    return sympy.expand(d.xreplace({s: _offset_symbol(s.name) + 1 for s in d.free_symbols}))


@functools.lru_cache(maxsize=None)
def _offset_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name + "'", integer=True, nonnegative=True)


def provably_negative(value) -> bool:
    """An integer argument (a dim, or a Python int or bool) that is < 0 for
    every size. One whose sign depends on the sizes (``n - 2``) is not: JAX
    raises only at sizes where it is negative."""
    if isinstance(value, int):
        return value < 0
    return is_dim(value) and decide_nonnegative(value) is Decision.FALSE


def definitely_equal(a: Dim, b: Dim) -> bool:
    return decide_eq(a, b) is Decision.TRUE


def floordiv(a: Dim, b: Dim) -> Dim:
    return sympy.floor(a / b) if not (a.is_Integer and b.is_Integer) else sympy.Integer(int(a) // int(b))


def mod(a: Dim, b: Dim) -> Dim:
    return sympy.Mod(a, b)


# ---------------------------------------------------------------- text
#
# Dims print in the language's own forms (``a // 2``, ``n % 2``,
# ``max(a, b)``), so that a printed shape or guard can be pasted back into a
# program, an ``assume`` or a ``--sizes``-free check and means the same dim.
# They are also Python, so sympy parses them back (:func:`parse_dim`).

class _DimPrinter(StrPrinter):
    """Sympy's ``str()`` with floor division, mod, min and max as the
    language writes them, and positive terms first (``max(a, b) - a``)."""

    def parenthesize(self, item, level, strict=False):
        p = _precedence(item)
        if p < level or (not strict and p <= level):
            return f"({self._print(item)})"
        return self._print(item)

    def _print_Add(self, expr, order=None):
        terms = self._as_ordered_terms(expr, order=order)
        # positive terms, negative terms, the constant (each in sympy's order):
        # a*b - a - b + 2; but 1 - a rather than -a + 1
        positive = [t for t in terms if not t.is_number and not _is_negative_term(t)]
        negative = [t for t in terms if not t.is_number and _is_negative_term(t)]
        const = [t for t in terms if t.is_number]
        if not positive and const and not _is_negative_term(const[0]):
            terms = const + negative
        else:
            terms = positive + negative + const
        text = ""
        for term in terms:
            if _is_negative_term(term):
                text += (" - " if text else "-") + self.parenthesize(-term, PRECEDENCE["Add"])
            else:
                text += (" + " if text else "") + self.parenthesize(term, PRECEDENCE["Add"], strict=True)
        return text

    def _print_Mul(self, expr):
        if not expr.could_extract_minus_sign():
            return super()._print_Mul(expr)
        # Python's unary minus binds tighter than * // %: -(n % 2), -2*(n // 2)
        positive = -expr
        if isinstance(positive, (sympy.floor, sympy.Mod)):
            return f"-({self._print(positive)})"
        return "-" + self.parenthesize(positive, PRECEDENCE["Mul"], strict=True)

    def _print_floor(self, expr):
        num, den = expr.args[0].as_numer_denom()  # floor(a/2 + 1/2) is (a + 1) // 2
        return self._binary(num, "//", den)

    def _print_Mod(self, expr):
        return self._binary(expr.args[0], "%", expr.args[1])

    def _binary(self, left, op, right) -> str:
        # // and % bind as * does, left to right: a*b // 2, but a // (2*b)
        level = PRECEDENCE["Mul"]
        return f"{self.parenthesize(left, level, strict=True)} {op} {self.parenthesize(right, level)}"

    def _print_Max(self, expr):
        return self._minmax("max", expr)

    def _print_Min(self, expr):
        return self._minmax("min", expr)

    def _minmax(self, name, expr) -> str:
        # sympy orders the numbers first (Min(3, a)); people write min(a, 3)
        args = sorted(expr.args, key=lambda x: (x.is_number, sympy.default_sort_key(x)))
        return f"{name}({', '.join(self._print(x) for x in args)})"


def _is_negative_term(term) -> bool:
    return term.could_extract_minus_sign()


def _precedence(item) -> int:
    """Sympy's precedence, with floor and mod printed as the operators ``//``
    and ``%``, which bind as ``*`` does."""
    if isinstance(item, (sympy.floor, sympy.Mod)):
        return PRECEDENCE["Mul"]
    return precedence(item)


_PRINTER = _DimPrinter()


def fmt_dim(d: Dim) -> str:
    """A dim as the language writes it: ``a*b``, ``n + 1``, ``2``,
    ``n - n % 2``, ``(a + 1) // 2``, ``max(a, b) - a``."""
    return _PRINTER.doprint(sympify_dim(d))


def parse_dim(text: str) -> Dim:
    """A dim printed by :func:`fmt_dim` (or written in a program), back as a
    sympy expression: every name is a size symbol, ``max`` and ``min`` the
    functions. Raises ``ValueError`` on text that is not a dim."""
    names = {name: symbol(name) for name in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text)
             if name not in ("max", "min")}
    try:
        d = sympy.sympify(text, locals={**names, "max": sympy.Max, "min": sympy.Min})
    except (sympy.SympifyError, SyntaxError, TypeError) as e:
        raise ValueError(f"not a dimension: {text!r}") from e
    if not isinstance(d, sympy.Expr) or isinstance(d, sympy.Tuple):
        raise ValueError(f"not a dimension: {text!r}")
    return d


def fmt_shape(shape: Iterable[Dim]) -> str:
    """Python tuple form: ``(a, b)``, ``(n,)``, ``()``."""
    items = [fmt_dim(d) for d in shape]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"
