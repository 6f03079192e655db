"""The JAX checker: run the same program through ``jax.eval_shape``.

The program's syntax tree is interpreted a second time, with real JAX
objects: operations become the jax.numpy / jax.nn functions their rules
name (``Operation.jax_name``), ``vmap`` becomes ``jax.vmap``, lambdas become
Python closures, array literals become arrays of that shape and dtype. The
whole interpretation runs inside ``jax.eval_shape``, so nothing is computed.

The neutral-literal conventions are the engine's (see ``values.py``): a tuple
of ints is an array where a function receives it, an axis spec where vmap
does. Those conventions are the language; everything about shapes and
errors is left to JAX.

This module imports JAX; nothing else in shapeinfer does.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import itertools
import operator
import os
import random
import sys
import warnings
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import sympy
from jax import export as jax_export
from jax._src import core as jax_core  # max_dim / min_dim for symbolic sizes

from . import dims, scope, syntax as ast
from .api import check_sizes, deep_recursion, infer, infer_parsed
from .dtypes import NUMPY_NAME, SHORT_NAME
from .engine import (ARRAY_ATTRIBUTES, ARRAY_BINOPS, ARRAY_UNOPS, INT_BITWISE, dotted_name, is_dim_minmax,
                     is_method_call, takes_value, unbound_name)
from .errors import ShapeError
from .library import Library, resolve
from .operation import Operation
from .symbols import size_symbols  # noqa: F401 - tests import it from here
from .syntax import parse
from .transforms import PartialTransform
from .values import DTYPES, DType, Function, ShapeTuple, Transform


# ---------------------------------------------------------------- outcomes

@dataclass(frozen=True)
class Outcome:
    """What one side (engine or JAX) said: leaves, or an exception class."""
    leaves: tuple | None = None          # tuple of shapes (tuples of dims)
    dtypes: tuple | None = None          # the leaves' dtypes (f32, i32, bool, ...)
    weak: tuple | None = None            # the leaves' weak types (None: not known)
    exception: str | None = None         # exception class name
    message: str = ""
    exception_mro: tuple = ()            # JAX side: the class and its bases
    code: str | None = None              # engine side: the error code

    @property
    def ok(self) -> bool:
        return self.exception is None

    def weak_numbers(self) -> tuple | None:
        """The weak types that promotion can see: a bool's is ignored (JAX
        marks some bools weak, but promotion treats every bool alike)."""
        if self.weak is None:
            return None
        return tuple(w and d != "bool" for w, d in zip(self.weak, self.dtypes or ()))

    def __str__(self) -> str:
        if self.ok:
            text = "leaves " + ", ".join(_fmt(s) for s in self.leaves)
            weak = self.weak_numbers() or (False,) * len(self.dtypes or ())
            if any(d != "f32" for d in self.dtypes or ()) or any(weak):
                # (~ marks a weak type, as jax.numpy's reprs do)
                text += " of dtypes " + ", ".join(
                    d + ("~" if w else "") for d, w in zip(self.dtypes, weak))
            return text
        first = self.message.splitlines()[0] if self.message else ""
        return f"{self.exception}: {first}"


def _fmt(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + (",)" if len(shape) == 1 else ")")


def agree(engine: Outcome, oracle: Outcome) -> bool:
    """Same leaves (shapes, dtypes and weak types), or both errors with the
    same exception class.

    JAX sometimes raises a subclass (e.g. a JAX TypeError subclass); the
    engine agrees when the class it names is the JAX class or one of its bases.
    """
    if engine.ok and oracle.ok:
        return (engine.dtypes == oracle.dtypes
                and (engine.weak is None or oracle.weak is None
                     or engine.weak_numbers() == oracle.weak_numbers())
                and len(engine.leaves) == len(oracle.leaves)
                and all(len(e) == len(j) and all(map(same_dim, e, j))
                        for e, j in zip(engine.leaves, oracle.leaves)))
    if engine.ok or oracle.ok:
        return False
    # "Exception" (or object) names no class of error: it would match anything
    specific = [c for c in oracle.exception_mro or (oracle.exception,)
                if c not in ("Exception", "BaseException", "object")]
    return engine.exception in specific


class Unevaluable(Exception):
    """A dim that does not evaluate to a number at concrete sizes: nothing to
    compare, so the case is unchecked (never agreement)."""


def same_dim(a, b) -> bool:
    """Equal as functions of the size symbols (each >= 1).

    Symbolic answers may be written differently (JAX drops a ``max(0, .)``
    it can prove redundant), so when the difference does not simplify to 0
    both sides are compared at sizes 1..6 and just above every number in
    them (``Min(b, 7)`` differs from ``b`` only past 7), every combination
    for up to three symbols, seeded random ones beyond that. Raises
    :class:`Unevaluable` when the difference is not a number at a point.
    """
    diff = sympy.expand(sympy.sympify(a) - sympy.sympify(b))
    if diff == 0:
        return True
    symbols = sorted(diff.free_symbols, key=lambda s: s.name)
    values = probe_values(diff)
    if len(symbols) <= 3:
        points = itertools.product(values, repeat=len(symbols))
    else:
        rng = random.Random(0)
        points = ([rng.choice(values) for _ in symbols] for _ in range(300))
    return all(evaluate(diff.subs(dict(zip(symbols, p)))) == 0 for p in points)


def probe_values(expr) -> list[int]:
    """Sizes to try ``expr`` at: 1..6, and two past its largest number."""
    numbers = [abs(n) for n in expr.atoms(sympy.Number) if n.is_finite]
    top = int(max(numbers, default=0))
    return sorted({*range(1, 7), top + 1, top + 2})


def evaluate(expr):
    """``expr`` (Min, Max, floor, Mod, ... of numbers) as a sympy number."""
    value = sympy.sympify(expr).doit()
    if not (value.is_Number and value.is_finite):
        raise Unevaluable(f"{expr} is not a number")
    return value


@dataclass
class Case:
    sizes: dict
    engine: Outcome
    oracle: Outcome | None           # None: not checkable; `unchecked` says why
    unchecked: str = ""
    note: str = ""                   # "satisfies a == b" / "violates a == b": the guards here

    def __post_init__(self):
        if self.oracle is None and not self.unchecked:
            self.unchecked = "shapeinfer does not model this yet"

    @property
    def checked(self) -> bool:
        """JAX ran this case, so there is a verdict to compare with."""
        return self.oracle is not None

    @functools.cached_property
    def _same(self) -> bool:
        return agree(self.engine, self.oracle)

    @property
    def agreed(self) -> bool:
        """JAX ran and agreed; an unchecked case never agrees."""
        return self.checked and self._same

    @property
    def disagreed(self) -> bool:
        return self.checked and not self._same


@dataclass
class CheckReport:
    expr: str
    cases: list[Case] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        """Every case was run by JAX and agreed (an unchecked case is not agreement)."""
        return bool(self.cases) and all(c.agreed for c in self.cases)

    @property
    def disagreements(self) -> list[Case]:
        return [c for c in self.cases if c.disagreed]

    @property
    def checked(self) -> int:
        """How many cases JAX ran."""
        return sum(c.checked for c in self.cases)

    @property
    def unsupported(self) -> bool:
        return any(c.oracle is None for c in self.cases)

    def to_json(self) -> dict:
        return {
            "expr": self.expr,
            "agreed": self.agreed,
            "checked": self.checked,
            "cases": [{"sizes": c.sizes, "engine": str(c.engine),
                       "jax": None if c.oracle is None else str(c.oracle),
                       "agreed": c.agreed if c.oracle is not None else None,
                       **({"unchecked": c.unchecked} if c.oracle is None else {})}
                      for c in self.cases],
        }


# ---------------------------------------------------------------- engine side

def engine_outcome(text: str, sizes: dict, program: ast.Program | None = None,
                   library: Library | None = None, strict: bool = False) -> Outcome:
    try:
        r = (infer(text, sizes=sizes, rules=library, strict=strict) if program is None
             else infer_parsed(program, text, sizes=sizes, library=library, strict=strict))
    except ShapeError as e:
        return Outcome(exception=e.exception, message=e.message, code=e.code)
    return Outcome(leaves=tuple(tuple(sympy.expand(d) for d in shape) for shape in r.leaves),
                   dtypes=tuple(r.dtypes), weak=tuple(bool(a.weak) for a in r.arrays))


# ---------------------------------------------------------------- JAX side

class _Closure:
    """A lambda as a Python callable that JAX can trace."""

    def __init__(self, interp: "_Interpreter", node: ast.Lambda, env: dict):
        self.interp, self.node, self.env = interp, node, env
        self.__name__ = "<lambda>"

    def __call__(self, *args, **kwargs):
        return _checker_side(self._call, args, kwargs)

    def _call(self, args, kwargs):
        # Python's own TypeErrors for a lambda called with the wrong arguments
        params = self.node.params
        if len(args) > len(params):
            raise _program_raised(TypeError(
                f"<lambda>() takes {len(params)} positional arguments but {len(args)} were given"))
        bound = dict(zip(params, args))
        for k, v in kwargs.items():
            if k not in params or k in bound:
                raise _program_raised(TypeError(
                    f"<lambda>() got an unexpected or repeated keyword argument {k!r}"))
            bound[k] = v
        missing = [p for p in params if p not in bound]
        if missing:
            raise _program_raised(TypeError(
                f"<lambda>() missing required positional arguments: {missing}"))
        env = dict(self.env)
        env.update({k: self.interp.arrayify(v) for k, v in bound.items()})
        return self.interp.eval(self.node.body, env)


class _Unsupported(Exception):
    """There is nothing to compare: the engine does not model this construct,
    a rule has no callable to run, or the checker's own translation of the
    program failed. The message says which; the case is unchecked."""


# Only what the program itself raises is JAX's answer: exceptions raised
# inside a call into JAX (or Python's own operators on the program's values),
# and the errors Python raises for the program as written (an unbound name, a
# lambda called with the wrong arguments). Those are marked with this
# attribute; anything else raised while translating the program is a failure
# of the checker, and its case is unchecked, never agreement.
_VERDICT = "_shapeinfer_program_raised"


def _program_raised(e: Exception) -> Exception:
    """Mark ``e`` as the program's own answer (see ``_VERDICT``)."""
    setattr(e, _VERDICT, True)
    return e


def _in_jax(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, a call into JAX: what it raises is the program's answer."""
    try:
        return fn(*args, **kwargs)
    except _Unsupported:
        raise
    except Exception as e:
        _program_raised(e)
        raise


# Python's own errors for the program as written (a dict with an unhashable
# key) are the program's answer just as JAX's are.
_in_python = _in_jax


def _checker_side(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, the checker's own code (called by JAX, e.g. a
    lambda that vmap traces): an exception that is not the program's answer
    becomes :class:`_Unsupported` here, before JAX can pass it on as its own."""
    try:
        return fn(*args, **kwargs)
    except _Unsupported:
        raise
    except Exception as e:
        if getattr(e, _VERDICT, False):
            raise
        raise _Unsupported(_checker_failure(e)) from e


def _checker_failure(e: Exception) -> str:
    return (f"the checker could not translate the program ({type(e).__name__}: {e}); "
            "JAX did not run it")


def _is_function(f) -> bool:
    return callable(f) or isinstance(f, Function)


@functools.lru_cache(maxsize=None)
def _jax_attribute(dotted: str):
    """Look ``jnp.NAME`` (``jax.lax.NAME``, ...) up in JAX itself, so that a
    name JAX lacks raises JAX's own AttributeError."""
    head, *attrs = dotted.split(".")
    full = {"jnp": "jax.numpy", "lax": "jax.lax", "nn": "jax.nn"}.get(head, head)
    if full.split(".")[0] != "jax":
        return False
    value = importlib.import_module(full)
    for attr in attrs:
        try:
            value = getattr(value, attr)
        except AttributeError:
            if not inspect.ismodule(value):
                raise
            try:  # a submodule not imported yet (jax.scipy.stats)
                value = importlib.import_module(f"{value.__name__}.{attr}")
            except ImportError:
                raise AttributeError(f"module {value.__name__!r} has no attribute "
                                     f"{attr!r}") from None
    return True


def _resolve(path: str):
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def rule_callable(rule, search: tuple[str, ...] = ()):
    """The Python callable a rule stands for, or :class:`_Unsupported` saying
    why there is none. ``python "module:function"`` is imported from
    ``sys.path``, then from ``search`` (the rule files' directories, the
    working directory): only here, only when a check asks for it."""
    target = rule.callable.target
    if rule.callable.kind == "jax":
        try:
            value = _resolve(target)
        except (ImportError, AttributeError, ValueError):
            raise _Unsupported(f"no callable for {rule.name} ({target} does not exist; "
                               "name one with jax \"...\" or python \"module:function\")"
                               ) from None
        if not callable(value):
            raise _Unsupported(f"no callable for {rule.name} ({target} is not a function)")
        return value
    module_name, _, attr = target.partition(":")
    try:
        module = _import_user_module(module_name, search)
        value = module
        for part in attr.split("."):
            value = getattr(value, part)
    except (Exception, SystemExit) as e:  # noqa: BLE001 - the user's module may do anything
        raise _Unsupported(f"cannot import {target} for {rule.name}: "
                           f"{type(e).__name__}: {e}") from None
    if not callable(value):
        raise _Unsupported(f"{target} for {rule.name} is not callable")
    return value


def _import_user_module(name: str, search: tuple[str, ...]):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if not search or not (e.name and name.startswith(e.name.split(".")[0])):
            raise
    saved = list(sys.path)
    sys.path[:0] = [d for d in search if d not in sys.path]
    try:
        return importlib.import_module(name)
    finally:
        sys.path[:] = saved


def _search_dirs(library: Library) -> tuple[str, ...]:
    dirs = [os.path.dirname(os.path.abspath(src)) for src in library.sources
            if src != "<rules>"]
    return tuple(dict.fromkeys(dirs + [os.getcwd()]))


class _Interpreter:
    def __init__(self, sizes: dict, library: Library | None = None):
        self.sizes = sizes
        self.library = resolve(library)
        self.search = _search_dirs(self.library)

    # -- literals become arrays only where a function receives them
    @staticmethod
    def is_dim(value) -> bool:
        return type(value) is int or jax_export.is_symbolic_dim(value)

    def is_shape(self, value) -> bool:
        return isinstance(value, tuple) and all(self.is_dim(v) for v in value)

    def array(self, shape, dtype="f32"):
        with warnings.catch_warnings():  # x64 is off: JAX truncates i64/f64 and says so
            warnings.filterwarnings("ignore", "Explicitly requested dtype", UserWarning)
            return _in_jax(jnp.zeros, shape, getattr(jnp, NUMPY_NAME[dtype]))

    def arrayify(self, value):
        if self.is_shape(value):
            return self.array(value)
        if isinstance(value, tuple):
            return tuple(self.arrayify(v) for v in value)
        if isinstance(value, list):
            return [self.arrayify(v) for v in value]
        if isinstance(value, dict):
            return {k: self.arrayify(v) for k, v in value.items()}  # JAX sorts the keys
        return value

    def callable_of(self, f):
        """A Python callable for JAX to call, with the engine's conventions: the
        arguments are coerced by :meth:`call`, and what the function returns is
        a value JAX receives, so shape literals in it are arrays."""
        if not _is_function(f):
            return f  # let JAX reject it
        wrapper = lambda *a, **k: _checker_side(  # noqa: E731
            lambda: self.arrayify(self.call(f, list(a), k)))
        if isinstance(f, _Closure):
            # JAX reads the signature (jit's static_argnames, vmap's messages).
            try:
                wrapper.__signature__ = inspect.Signature(
                    [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                     for p in f.node.params])
            except ValueError:  # a parameter named like a Python keyword
                pass
        return wrapper

    def _operand(self, value):
        """A control-flow argument: functions as callables (also in a list of
        switch branches), everything else as JAX values."""
        if _is_function(value):
            return self.callable_of(value)
        if isinstance(value, (list, tuple)) and value and all(map(_is_function, value)):
            return type(value)(self.callable_of(v) for v in value)
        return self.arrayify(value)

    def call(self, f, args, kwargs):
        if isinstance(f, Operation):
            for i, p in enumerate(f.params[:len(args)]):
                if p.kind == "varargs":  # *operands: every argument from here on
                    args[i:] = [self.arrayify(a) for a in args[i:]]
                    break
                if p.array or p.sequence:
                    args[i] = self.arrayify(args[i])
            takes_arrays = {p.name for p in f.params if p.array or p.sequence}
            kwargs = {k: (self.arrayify(v) if k in takes_arrays else v) for k, v in kwargs.items()}
            return _in_jax(rule_callable(f.rule, self.search), *args, **kwargs)
        if isinstance(f, PartialTransform):
            # The bound arguments reach the callee through `call`, as in the engine.
            if args and _is_function(args[0]):
                fun = args[0]
                args[0] = lambda *a, **k: _checker_side(self.call, fun, list(a), k)
            return _in_jax(functools.partial, *args, **kwargs)
        if isinstance(f, Transform) and getattr(f, "takes_operands", False):  # lax.cond, scan, ...
            args = [self._operand(a) for a in args]
            kwargs = {k: self._operand(v) for k, v in kwargs.items()}
            return _in_jax(_resolve(f.jax_name), *args, **kwargs)
        if isinstance(f, Transform):  # vmap, jit, grad, ...: the function comes first
            if args:
                args[0] = self.callable_of(args[0])
            if "fun" in kwargs:
                kwargs["fun"] = self.callable_of(kwargs["fun"])
            return _in_jax(_resolve(f.jax_name), *args, **kwargs)
        if callable(f):
            return _in_jax(f, *[self.arrayify(a) for a in args],
                           **{k: self.arrayify(v) for k, v in kwargs.items()})
        raise _program_raised(TypeError(f"{type(f).__name__} is not callable"))

    # -- expressions
    def run(self, program: ast.Program):
        env: dict = {}
        for stmt in program.statements:
            if not isinstance(stmt, ast.Assign):
                raise _Unsupported("assume")
            self.require_value(stmt.value, env)
            env[stmt.name] = self.eval(stmt.value, env)
        self.require_value(program.expr, env)
        return self.arrayify(self.eval(program.expr, env))

    def require_value(self, node, env):
        """Where the engine wants a value, an unbound name is Python's NameError."""
        name = unbound_name(node, env, self.library)
        if name is not None:
            raise _program_raised(NameError(f"name {name!r} is not defined"))

    def eval(self, node, env):
        return getattr(self, "eval_" + type(node).__name__)(node, env)

    def eval_Int(self, node, env):
        return node.value

    def eval_Float(self, node, env):
        return node.value

    def eval_Str(self, node, env):
        return node.value

    def eval_Const(self, node, env):
        return node.value

    def eval_TupleExpr(self, node, env):
        items = tuple(self.eval(i, env) for i in node.items)
        if not self.is_shape(items):
            for i in node.items:
                self.require_value(i, env)
        return items

    def eval_ListExpr(self, node, env):
        for i in node.items:
            self.require_value(i, env)
        return [self.eval(i, env) for i in node.items]

    def eval_DictExpr(self, node, env):
        items = [(self.eval(k, env), self.eval(v, env)) for k, v in zip(node.keys, node.values)]
        return _in_python(dict, items)  # an unhashable key is Python's TypeError

    def eval_Lambda(self, node, env):
        return _Closure(self, node, env)

    def eval_Name(self, node, env):
        if node.id in env:
            return env[node.id]
        if node.id in self.library:
            return self.library[node.id]
        return self.sizes[node.id]

    def eval_Attribute(self, node, env):
        dotted = dotted_name(node)
        if dotted is not None and dotted.split(".")[0] not in env:
            if dotted in self.library:
                value = self.library[dotted]
                return getattr(jnp, NUMPY_NAME[value.name]) if isinstance(value, DType) else value
            # JAX's AttributeError for what JAX does not have
            if _in_jax(_jax_attribute, dotted):
                raise _Unsupported(f"{dotted} is in JAX but no rule names it, so the "
                                   "checker cannot translate it")
            raise _program_raised(NameError(f"name {dotted.split('.')[0]!r} is not defined"))
        value = self.arrayify(self.eval(node.value, env))
        if node.attr == "shape":
            return ShapeTuple(value.shape)  # subscripts and + are the tuple's own
        return _in_jax(getattr, value, node.attr)  # JAX's AttributeError if it has none

    def eval_Subscript(self, node, env):
        if isinstance(node.value, ast.Name) and node.value.id in DTYPES and node.value.id not in env:
            # f32[a, b] is jnp.zeros((a, b), float32): a slice or ... among the
            # sizes goes to jnp.zeros as written, for JAX to reject
            return self.array(tuple(self.index_item(i, env) for i in node.items), node.value.id)
        self.require_value(node.value, env)
        value = self.eval(node.value, env)
        if not isinstance(value, ShapeTuple):
            value = self.arrayify(value)
        index = tuple(self.index_item(item, env) for item in node.items)
        key = index[0] if len(index) == 1 else index
        if isinstance(value, ShapeTuple):
            item = _in_jax(operator.getitem, value, key)  # Python's IndexError, TypeError
            return ShapeTuple(item) if isinstance(item, tuple) else item
        return _in_jax(operator.getitem, value, key)

    def index_item(self, node, env):
        if isinstance(node, ast.EllipsisExpr):
            return Ellipsis
        if isinstance(node, ast.Slice):
            return slice(*(None if p is None else self.eval(p, env)
                           for p in (node.start, node.stop, node.step)))
        return self.eval(node, env)

    def eval_BinOp(self, node, env):
        left, right = self.eval(node.left, env), self.eval(node.right, env)
        if node.op == "+" and isinstance(left, ShapeTuple) and isinstance(right, ShapeTuple):
            return ShapeTuple(left + right)
        if node.op in ("==", "!=") and (isinstance(left, ShapeTuple) or isinstance(
                right, ShapeTuple)) and all(isinstance(v, tuple) for v in (left, right)):
            # x.shape == y.shape: Python compares the tuples (a bool), as in JAX code
            return _in_jax(operator.eq if node.op == "==" else operator.ne,
                           tuple(left), tuple(right))
        if not (self.is_dim(left) and self.is_dim(right)):
            self.require_value(node.left, env)
            self.require_value(node.right, env)
        if self.is_dim(left) and self.is_dim(right):
            ops = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                   "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
                   "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
                   "==": operator.eq, "!=": operator.ne, **INT_BITWISE}
            if node.op not in ops:  # as Python says for `2 @ 3`
                raise _program_raised(TypeError(f"dimension expressions do not use {node.op}"))
            return _in_jax(ops[node.op], left, right)  # ZeroDivisionError is the program's
        name = ARRAY_BINOPS[node.op]
        if name not in self.library:
            raise _Unsupported(name)
        return self.call(self.library[name], [left, right], {})

    def eval_UnaryOp(self, node, env):
        value = self.eval(node.operand, env)
        if self.is_dim(value):
            unary = {"-": operator.neg, "~": operator.invert}.get(node.op)
            return _in_jax(unary, value) if unary else value
        if type(value) is float and node.op in "+-":  # Python's `-0.5`: a float
            return -value if node.op == "-" else value
        return self.call(self.library[ARRAY_UNOPS[node.op]], [value], {})

    def eval_Call(self, node, env):
        if is_dim_minmax(node, env):
            args = [self.eval(a, env) for a in node.args]
            if node.func.id not in self.library or (
                    not node.keywords and len(args) >= 2 and all(map(self.is_dim, args))):
                return _in_jax(functools.reduce,
                               jax_core.max_dim if node.func.id == "max" else jax_core.min_dim, args)
        if (isinstance(node.func, ast.Name) and node.func.id not in env
                and node.func.id not in self.library):
            raise _program_raised(NameError(f"name {node.func.id!r} is not defined"))
        if is_method_call(node, env):
            # JAX's own method, with the arguments as written (all static)
            method = _in_jax(getattr, self.arrayify(self.eval(node.func.value, env)),
                             node.func.attr)
            return _in_jax(method, *[self.eval(a, env) for a in node.args],
                           **{kw.name: self.eval(kw.value, env) for kw in node.keywords})
        f = self.eval(node.func, env)
        for i, a in enumerate(node.args):
            if isinstance(f, _Closure) or takes_value(f, i, None):
                self.require_value(a, env)
        for kw in node.keywords:
            if isinstance(f, _Closure) or takes_value(f, None, kw.name):
                self.require_value(kw.value, env)
        args = [self.eval(a, env) for a in node.args]
        kwargs = {kw.name: self.eval(kw.value, env) for kw in node.keywords}
        return self.call(f, args, kwargs)


_JAX_DIM_FUNCTIONS = {"floordiv": lambda a, b: sympy.floor(a / b), "mod": sympy.Mod,
                      "max": sympy.Max, "min": sympy.Min}


def _from_jax_dim(d, names):
    """A JAX dim (int or symbolic) as a sympy expression over the size symbols
    ``names`` (mapped explicitly, so that a size called E or N is not sympy's)."""
    if type(d) is int:
        return sympy.Integer(d)
    symbols = {name: dims.symbol(name) for name in names}
    return sympy.expand(sympy.sympify(str(d), locals={**_JAX_DIM_FUNCTIONS, **symbols}))


def symbolic_sizes(symbols: list[str]) -> dict:
    """JAX symbolic dims for ``symbols``, all in one scope."""
    if not symbols:
        return {}
    return dict(zip(symbols, jax_export.symbolic_shape(",".join(symbols))))


def jax_outcome(text: str, sizes: dict, program: ast.Program | None = None,
                library: Library | None = None) -> Outcome | None:
    """``jax.eval_shape`` of the program; None if not checkable.

    ``sizes`` maps size symbols to ints, or to JAX symbolic dims
    (:func:`symbolic_sizes`) to check against JAX's own symbolic shapes.
    """
    try:
        return _jax_outcome(text, sizes, program, library)
    except _Unsupported:
        return None


def _jax_outcome(text, sizes, program, library) -> Outcome:
    """:func:`jax_outcome`, raising :class:`_Unsupported` with the reason."""
    program = program or parse(text)
    interp = _Interpreter(sizes, library)
    try:
        with warnings.catch_warnings():  # x64 is off: JAX truncates 64-bit dtypes and says so
            warnings.filterwarnings("ignore", "Explicitly requested dtype", UserWarning)
            # softmax of ints casts -inf to an int while tracing: JAX's noise, not a verdict
            warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
            # The checker's own failures become _Unsupported inside, so what
            # comes out of eval_shape otherwise is JAX's (or Python's) verdict.
            out = jax.eval_shape(lambda: _checker_side(interp.run, program))
    except _Unsupported:
        raise
    except Exception as e:  # JAX's verdict, whatever its class
        mro = tuple(c.__name__ for c in type(e).__mro__)
        return Outcome(exception=type(e).__name__, message=str(e), exception_mro=mro)
    return _checker_side(_jax_leaves, out, sizes)


def _jax_leaves(out, sizes) -> Outcome:
    leaves = jax.tree.leaves(out)
    return Outcome(leaves=tuple(tuple(_from_jax_dim(d, sizes) for d in leaf.shape)
                                for leaf in leaves),
                   dtypes=tuple(SHORT_NAME.get(str(leaf.dtype), str(leaf.dtype))
                                for leaf in leaves),
                   weak=tuple(bool(getattr(leaf, "weak_type", False)) for leaf in leaves))




# ---------------------------------------------------------------- sampling

_LARGEST_LITERAL_SIZE = 2 ** 16


def int_literals(program: ast.Program) -> list[int]:
    """Every integer literal of the program (slice bounds, axis sizes, ...)."""
    found: list[int] = []

    def visit(node):
        if isinstance(node, ast.Int):
            found.append(node.value)
        for child in ast.children(node):
            visit(child)

    for stmt in program.statements:
        visit(stmt)
    visit(program.expr)
    return found


def candidate_sizes(free: list[str], above: int = 1) -> list[dict]:
    """The informative assignments of ``free``, most informative first:

    1. every symbol 1 (where broadcasting behaves differently);
    2. all different and small: 2, 3, 4, ... (so a swapped axis shows);
    3. all different and above every integer literal of the program
       (``above`` is the largest), so ``x[:7]`` is tried with sizes past 7;
    4. all equal, and not 1 (where the program may relate the symbols);
    5. each pair equal, the others different (two of several related).
    """
    n = len(free)
    small = {s: i + 2 for i, s in enumerate(free)}
    big = {s: max(above, 1) + 1 + i for i, s in enumerate(free)}
    equal = {s: 2 + n for s in free}
    pairs = []
    for i, j in itertools.combinations(range(n), 2):
        sizes = dict(small)
        sizes[free[j]] = sizes[free[i]]
        pairs.append(sizes)
    return [{s: 1 for s in free}, small, big, equal, *pairs]


def sample_sizes(symbols: list[str], samples: int, seed: int, fixed: dict | None = None,
                 above: int = 1) -> list[dict]:
    """``samples`` distinct assignments (one if every symbol is fixed): the
    :func:`candidate_sizes` in order, then seeded random draws from a range
    that grows until there are enough, so a run is reproducible."""
    fixed = dict(fixed or {})
    free = [s for s in symbols if s not in fixed]
    if not free:
        return [fixed]
    out: list[dict] = []

    def add(sizes):
        full = {**fixed, **sizes}
        if full not in out and len(out) < samples:
            out.append(full)

    for sizes in candidate_sizes(free, above):
        add(sizes)
    rng = random.Random(seed)
    high = max(5, above + 2)
    while len(out) < samples:
        before = len(out)
        add({s: rng.randint(1, high) for s in free})
        if len(out) == before:
            high += 1  # few distinct assignments left in this range: widen it
    return out


def guard_sizes(text: str, program, library, symbols: list[str], fixed: dict | None,
                seed: int, violate: bool) -> list[tuple[dict, str]]:
    """Assignments for the default-mode answer's guards, with a note: first
    one that satisfies them (where the guarded answer claims to hold), then,
    with ``violate``, ones that break them (where JAX's answer is shown)."""
    free = [s for s in symbols if s not in (fixed or {})]
    if not free:  # every size given: no symbolic answer to have guards
        return []
    try:
        guards = infer_parsed(program, text, library=library).guards
    except ShapeError as e:
        guards = getattr(e, "guards", None) or []
    if not guards:
        return []
    shown = " and ".join(scope.fmt_condition(g) for g in guards)
    rng = random.Random(seed)
    fixed_values = {dims.symbol(k): v for k, v in (fixed or {}).items()}
    conditions = [g.xreplace(fixed_values) for g in guards]
    out = []
    found = scope.satisfying_sizes(conditions, free, rng)
    if found is not None:
        out.append(({**(fixed or {}), **found}, f"satisfies {shown}"))
    for _ in range(200 if violate else 0):
        drawn = {**(fixed or {}), **{s: rng.randint(1, 6) for s in free}}
        values = {dims.symbol(k): v for k, v in drawn.items()}
        if not all(bool(g.xreplace(values)) for g in guards) and all(
                drawn != d for d, _ in out):
            out.append((drawn, f"violates {shown}"))
            if len(out) >= 3:
                break
    return out


def check(text: str, *, sizes: dict | None = None, samples: int = 8, seed: int = 0,
          symbolic: bool = False, rules=None, strict: bool = False,
          violate: bool = False) -> CheckReport:
    """Compare the engine with ``jax.eval_shape``.

    With every size symbol in ``sizes`` one case is run; otherwise ``samples``
    assignments are drawn (1 included). With ``symbolic=True`` one case
    compares the engine's symbolic answer with ``jax.eval_shape`` on inputs
    whose sizes are ``jax.export.symbolic_shape`` symbols. ``rules`` is as
    for :func:`~shapeinfer.infer`; a rule's callable (``jax.numpy.NAME``,
    ``jax "..."`` or ``python "module:function"``) is what JAX runs, and a
    rule without one makes its cases unchecked. Raises
    :class:`ShapeSyntaxError` for text that does not parse.
    """
    sizes = check_sizes(sizes)  # TypeError for a size that is not an int, as infer's
    library = resolve(rules)
    with deep_recursion(text):
        program = parse(text)
    report = CheckReport(text)
    if symbolic:  # JAX's symbolic shapes are strict mode's oracle
        engine = engine_outcome(text, {}, program, library, strict=True)
        if engine.code == "unsupported":
            report.cases.append(Case({}, engine, None))
            return report
        try:
            scope = symbolic_sizes(size_symbols(program, library))
        except ValueError as e:  # a size name jax.export reserves (max, mod, ...)
            report.cases.append(Case({}, engine, None, f"jax.export refuses the size names: {e}"))
            return report
        report.cases.append(_case({}, scope, engine, text, program, library))
        return report
    symbols = size_symbols(program, library)
    _check_options(symbols, sizes, samples)
    # Literals that are sizes or positions (x[:7]) matter; ones that test
    # int32 overflow (2**31) are no size anyone has
    above = max([abs(n) for n in int_literals(program) if abs(n) <= _LARGEST_LITERAL_SIZE],
                default=1)
    # A guarded answer is checked where it claims to hold (and, with
    # violate, where it does not), then at the usual samples.
    noted = [] if strict else guard_sizes(text, program, library, symbols, sizes, seed, violate)
    satisfying = [(a, n) for a, n in noted if n.startswith("satisfies")]
    others = [(a, "") for a in sample_sizes(symbols, samples, seed, sizes, above)
              if all(a != b for b, _ in noted)]
    plan = (satisfying + others)[:samples] + [(a, n) for a, n in noted if n.startswith("violates")]
    for assignment, note in plan:
        engine = engine_outcome(text, assignment, program, library, strict)
        if engine.code == "unsupported":
            report.cases.append(Case(assignment, engine, None, note=note))
        else:
            case = _case(assignment, assignment, engine, text, program, library)
            case.note = note
            report.cases.append(case)
    return report


class CheckOptionError(ValueError):
    """Options that cannot mean anything for this program (a usage error)."""


def _check_options(symbols: list[str], sizes: dict | None, samples: int) -> None:
    """:class:`CheckOptionError` for options that cannot mean anything here."""
    if samples < 1:
        raise CheckOptionError(f"samples must be at least 1, got {samples}")
    unknown = [name for name in sizes or {} if name not in symbols]
    if unknown:
        used = ", ".join(symbols) or "none"
        raise CheckOptionError(f"the program has no size symbol {', '.join(unknown)} "
                         f"(its size symbols: {used})")
    for name, value in (sizes or {}).items():
        if type(value) is not int or value < 0:
            raise CheckOptionError(f"size {name} must be a non-negative integer, got {value!r}")


def _case(shown: dict, sizes: dict, engine: Outcome, text, program, library) -> Case:
    """One case; unchecked when JAX did not run, or when the answers cannot be
    compared (a dim that is not a number at these sizes)."""
    try:
        oracle = _jax_outcome(text, sizes, program, library)
    except _Unsupported as e:
        return Case(shown, engine, None, str(e))
    concrete = all(type(v) is int for v in sizes.values())
    try:
        if concrete and engine.ok:  # every symbol has a size: each dim is a number
            for shape in engine.leaves:
                for d in shape:
                    evaluate(d)
        case = Case(shown, engine, oracle)
        case.agreed  # noqa: B018 - compares now, so an Unevaluable dim shows here
        return case
    except Unevaluable as e:
        return Case(shown, engine, None, f"the answers cannot be compared at these sizes: {e}")
