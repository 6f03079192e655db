"""Inference through function bodies, with the engine.

Each annotated parameter becomes an :class:`~shapeinfer.values.Array` whose
dims are the annotation's size symbols; each statement's expressions are
converted to shapeinfer syntax (:mod:`.convert`) and evaluated by the
:class:`~shapeinfer.engine.Evaluator` with the library. A value the linter
cannot derive is :data:`UNKNOWN` and is never reported on.
"""
from __future__ import annotations

import ast
import copy
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import sympy

from .. import dims, dtypes, scope, syntax as S
from ..dims import Decision
from ..engine import Evaluator
from ..errors import ShapeError
from ..values import Array, Function, is_shape_tuple
from .annotations import ArraySpec, DimSpec, MalformedAnnotation, _parse_item, read_annotation
from .convert import FINFO_SCALAR, Converter, Unknown

UNKNOWN = object()  # a value the linter does not know
# A size's name in a message: an annotation's (`batch`, `batch_0`) or an
# anonymous axis named after where it is (`x.shape[0]`, `state.y.shape[1]`)
_SIZE_WORD = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\[\d+\])?")
_NO_LIBRARY: dict = {}  # dim expressions of annotations need no operation
_CMP_SYMBOLS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
                ast.GtE: ">="}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}

# Engine error codes that are shape errors JAX raises (reported); the others
# (unsupported, unknown-name, inconclusive, dtype, ...) only stop tracking.
BODY_ERRORS = {"broadcast", "dim-mismatch", "axis-out-of-range", "index", "reshape-size",
               "rule-no-match", "requires-failed", "vmap-in-axes-spec", "vmap-out-axes-spec",
               "vmap-axis-out-of-range", "vmap-no-mapped-axis", "vmap-inconsistent-sizes",
               "vmap-out-axes-none", "vmap-out-axis-out-of-range"}

# Decorators that keep shapes as they are (besides the library's jit-likes).
TRANSPARENT_DECORATORS = {"jax.jit", "equinox.filter_jit", "jaxtyping.jaxtyped",
                          "beartype.beartype", "typeguard.typechecked", "jax.checkpoint",
                          "jax.remat", "jax.named_call", "equinox.filter_checkpoint",
                          "functools.wraps", "staticmethod"}


@dataclass
class Signature:
    """A module function's annotations: parameter name -> spec, the return spec."""
    name: str
    params: list[str]
    specs: dict[str, ArraySpec]
    returns: ArraySpec | None
    line: int
    returns_tuple: tuple | None = None   # tuple[Float[...], Float[...]]: one spec each
    module: str | None = None   # the file, when another module of the package defines it

    @property
    def where(self) -> str:
        return f"{self.module}, line {self.line}" if self.module else f"line {self.line}"


class CallContradiction(Exception):
    """Arguments that contradict a callee's annotation (SHP004)."""


class AnnotatedFunction(Function):
    """A module function called from another: its signature acts as a rule.
    The arguments' dims bind the callee's size names; a name bound to two
    different dims contradicts the annotation."""

    def __init__(self, sig: Signature, shared=frozenset()):
        self.sig = sig
        self.name = sig.name
        # size names of the instance's fields: a method called through `self`
        # sees the same fields, so the same sizes, as its caller
        self.shared = shared

    def param_names(self):
        return list(self.sig.params)

    def call(self, ev, args, kwargs, site):
        sig = self.sig
        bound = dict(zip(sig.params, args))
        bound.update(kwargs)
        names: dict[str, tuple] = {   # size name -> (dim, where it was bound)
            name: (dims.symbol(name), "the instance's fields") for name in self.shared}
        conditions, never = [], []
        variadics: dict[str, tuple] = {}   # `*name` -> (its dims, where they were bound)
        expressions = []   # (dim, item, where) of "n-1" items: checked once every name is bound
        for pname, spec in sig.specs.items():
            value = bound.get(pname, UNKNOWN)
            if not (isinstance(value, Array) and all(
                    d.checkable or d.kind == "broadcast" or _callee_variadic(d)
                    for d in spec.dims)):
                continue
            pairs = _aligned(spec, value)
            if pairs is None:
                fixed = sum(d.kind != "variadic" for d in spec.dims)
                wants = f"rank {fixed}" if fixed == len(spec.dims) else f"at least rank {fixed}"
                never.append(f"argument {pname} has rank {value.rank} where {sig.name}'s "
                             f"annotation {spec.text!r} wants {wants}")
                continue
            for axis, d, item in pairs:
                where = f"{pname} axis {axis}"
                if item.kind == "variadic":
                    self.bind_variadic(item, d, where, variadics, never, conditions)
                    continue
                if item.kind == "name" and item.text not in names:
                    names[item.text] = (d, where)
                    continue
                if item.kind == "name":
                    want, wwhere = names[item.text]
                    what = f"{item.text!r} is {dims.fmt_dim(want)} from {wwhere} but " \
                           f"{dims.fmt_dim(d)} from {where}"
                elif item.kind == "int":
                    want, what = sympy.Integer(int(item.text)), \
                        f"{where} is {dims.fmt_dim(d)} where {item.text} is annotated"
                else:
                    if item.kind == "expr":
                        expressions.append((d, item, where))
                    continue
                self.compare(d, want, what, never, conditions)
        # "n-1" binds nothing: the argument must be its value (else the call
        # contradicts the annotation, and the return derived from it is wrong)
        for d, item, where in expressions:
            want = self.expression(item.text, names, strict=False)
            if want is not None:
                self.compare(d, want, f"{where} is {dims.fmt_dim(d)} where {item.text} "
                             f"({dims.fmt_dim(want)}) is annotated", never, conditions)
        if never:
            raise CallContradiction(f"call of {sig.name} ({sig.where}): " + "; ".join(never))
        if conditions:
            whats = "; ".join(dict.fromkeys(w for w, _ in conditions))
            conds = " and ".join(dict.fromkeys(_canonical(c) for _, c in conditions))
            raise CallContradiction(f"call of {sig.name} ({sig.where}): {whats}; "
                                    f"they agree only if {conds}")
        return self.result(names, variadics)

    @staticmethod
    def compare(d, want, what, never, conditions):
        """An argument's dim ``d`` where the annotation wants ``want``."""
        decision = dims.decide_eq(d, want)
        if decision is Decision.FALSE:
            never.append(what)
        elif decision is Decision.UNKNOWN:
            conditions.append((what, f"{dims.fmt_dim(d)} == {dims.fmt_dim(want)}"))

    @staticmethod
    def bind_variadic(item, shape, where, variadics, never, conditions):
        """``*name`` covers the axes ``shape`` of an argument: it binds them,
        or they must equal what it bound before (``...`` binds nothing)."""
        if item.text == "..." or item.text.startswith("_"):
            return
        if item.text not in variadics:
            variadics[item.text] = (shape, where)
            return
        want, wwhere = variadics[item.text]
        what = f"'*{item.text}' is {dims.fmt_shape(want)} from {wwhere} but " \
               f"{dims.fmt_shape(shape)} from {where}"
        if len(want) != len(shape):
            never.append(what)
            return
        decisions = [dims.decide_eq(d, w) for d, w in zip(shape, want)]
        if Decision.FALSE in decisions:
            never.append(what)
        elif Decision.UNKNOWN in decisions:
            conditions += [(what, f"{dims.fmt_dim(d)} == {dims.fmt_dim(w)}") for d, w, dec
                           in zip(shape, want, decisions) if dec is Decision.UNKNOWN]

    def result(self, names, variadics=None):
        spec = self.sig.returns
        if spec is None or spec.dtype is None:
            raise Unknown(f"unknown return of {self.sig.name}")
        shape = []
        for item in spec.dims:
            if item.kind == "variadic" and item.modifiers == "*" and item.text in (
                    variadics or {}):
                shape.extend(variadics[item.text][0])   # as the arguments bound it
            elif item.kind == "int":
                shape.append(sympy.Integer(int(item.text)))
            elif item.kind == "name" and item.text in names:
                shape.append(names[item.text][0])
            elif item.kind == "name" and item.text in self.shared:
                shape.append(dims.symbol(item.text))
            elif item.kind == "expr":  # "n-1": the names as the arguments bound them
                shape.append(self.expression(item.text, names))
            else:
                raise Unknown(f"unknown return of {self.sig.name}")
        return Array(tuple(shape), spec.dtype)

    def expression(self, text, names, strict=True):
        """The dim of ``"n-1"`` with the names as the arguments bound them;
        when some name is unbound, Unknown (``strict``) or None."""
        try:
            value = Evaluator(_NO_LIBRARY).eval(S.parse(text).expr, {})
        except ShapeError:
            value = None
        if not dims.is_dim(value) or any(str(s) not in names for s in value.free_symbols):
            if not strict:
                return None
            raise Unknown(f"unknown return of {self.sig.name}")
        return value.subs({dims.symbol(n): names[n][0] for n in names})


@dataclass
class FunctionContext:
    """What one function's check knows: the size symbols' origins, findings."""
    origins: dict = field(default_factory=dict)   # size name -> "parameter x, line 4"
    bound: set = field(default_factory=set)       # size names bound so far
    # size names a body annotation bound (`y: Float[Array, "k"] = f(x)`), as
    # the dims they were bound to (k -> 2*n): later annotations compare to those
    body_sizes: dict = field(default_factory=dict)


PYTHON_FLOAT = Array((), "f32", weak=True)   # a Python float, as JAX sees it

# Python's math module: these return a float for any Python number (a size
# such as ``x.shape[-1]`` included), which JAX sees as PYTHON_FLOAT.
MATH_FLOAT_FUNCTIONS = frozenset(f"math.{f}" for f in (
    "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "pow", "sin", "cos", "tan",
    "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "hypot", "fabs", "erf", "erfc",
    "gamma", "lgamma", "radians", "degrees", "fsum"))
MATH_FLOAT_CONSTANTS = frozenset(("math.pi", "math.e", "math.tau", "math.inf", "math.nan"))


class PythonMathFunction(Function):
    """``math.sqrt`` and the like: a Python float from Python numbers. Given
    an array (a traced one is an error under jit) it is unknown."""

    def __init__(self, name: str):
        self.name = name

    def call(self, ev, args, kwargs, site):
        if kwargs or not args or not all(
                isinstance(a, (int, float)) and not isinstance(a, bool) or dims.is_dim(a)
                for a in args):
            raise Unknown(f"unknown call {self.name}")
        return PYTHON_FLOAT


class FinfoScalar(Function):
    """``jnp.finfo(x.dtype).eps`` (``.min``, ``.max``, ``.tiny``, ...; the
    converter reads it so): a numpy scalar of ``x``'s floating dtype, which
    JAX does not treat as weak."""
    name = "jnp.finfo"

    def call(self, ev, args, kwargs, site):
        if len(args) == 1 and not kwargs and isinstance(args[0], Array) and \
                dtypes.kind(args[0].dtype) == "float":
            return Array((), args[0].dtype)
        raise Unknown("unknown call jax.numpy.finfo")


def python_math() -> dict:
    """The math module's float functions and constants, by dotted name, and
    finfo's float attributes (by the converter's name for them)."""
    names = {name: PythonMathFunction(name) for name in MATH_FLOAT_FUNCTIONS}
    names.update(dict.fromkeys(MATH_FLOAT_CONSTANTS, PYTHON_FLOAT))
    names[FINFO_SCALAR] = FinfoScalar()
    return names


def python_float(arg: ast.arg):
    """A parameter annotated ``float`` is a Python float: a weak f32 scalar,
    as JAX sees it. (Not ``int``: an int may be a size, which an array is not.)"""
    if isinstance(arg.annotation, ast.Name) and arg.annotation.id == "float":
        return PYTHON_FLOAT
    return UNKNOWN


class BodyChecker:
    """Checks one function: evaluates its body statement by statement."""

    def __init__(self, module, func: ast.FunctionDef, sig: Signature, fields=None,
                 methods=None, case=None):
        self.m = module
        # a :class:`~.variadic.Case`: the function's `*name` / `#name` items as
        # this run instantiates them (sig and fields come instantiated)
        self.case = case
        self.func = func
        self.fields = fields or {}
        self.methods = methods or {}
        self.sig = sig
        self.ctx = FunctionContext()
        self.facts: list = []   # relations of sizes the enclosing branches' tests state
        self._facts_built: tuple = ((), None)   # those facts as dims.Facts, for under_facts
        self.ev = Evaluator(module.library)

    # ------------------------------------------------------------ entry

    def run(self):
        env = dict(self.m.functions)  # module functions, by name
        env.update(python_math())      # by their dotted names: `math.sqrt`
        for arg in _all_args(self.func.args):
            spec = self.sig.specs.get(arg.arg)
            env[arg.arg] = self.param_value(arg, spec) if spec else python_float(arg)
        self.bind_fields(env)
        self.bind_parameter_fields(env)
        self.block(self.func.body, env)

    def bind_fields(self, env):
        """``self.weight`` of an annotated field is the value of the local
        ``self·weight`` (the converter reads it so). Its size names are the
        method's: ``weight: "out in"`` and ``x: "in"`` share ``in``. The
        class's annotated methods are bound the same way (``self.project``)."""
        args = _all_args(self.func.args)
        in_class = self.fields or self.methods or id(self.func) in self.m.owners
        if not in_class or not args or any(ast.unparse(d) in ("staticmethod", "classmethod")
                                           for d in self.func.decorator_list):
            return
        me = args[0].arg
        owner = self.m.owners.get(id(self.func))
        for name in self.m.float_fields(owner) if owner is not None else ():
            env[field_key(me, name)] = PYTHON_FLOAT
        for name, (spec, line) in self.fields.items():
            where = ast.arg(arg=f"field {name}", lineno=line)
            env[field_key(me, name)] = self.param_value(where, spec, f"{me}.{name}")
        for name, method in self.methods.items():
            env[field_key(me, name)] = method

    def bind_parameter_fields(self, env):
        """``state.lower`` for a parameter annotated with a class of the module
        (``state: _State``) whose field ``lower: Float[Array, "n"]`` is
        annotated. As for ``self``'s fields, its size names are the
        function's: ``state.y + y`` with ``y: Float[Array, "n"]`` adds two
        arrays of size ``n`` (the author wrote the same name for the same
        size; reading them as unrelated would report such code)."""
        for arg in _all_args(self.func.args):
            cls = self.m.annotated_class(arg.annotation)
            if cls is None or arg.arg in self.sig.specs:
                continue
            for name in self.m.float_fields(cls):
                env[field_key(arg.arg, name)] = PYTHON_FLOAT
            for name, (spec, line) in self.m.class_fields(cls).items():
                where = ast.arg(arg=f"field {name} of {arg.arg}", lineno=line)
                env[field_key(arg.arg, name)] = self.param_value(where, spec,
                                                                 f"{arg.arg}.{name}")

    def param_value(self, arg, spec: ArraySpec, label: str | None = None):
        if not spec.exact or spec.dtype is None:
            return UNKNOWN
        label = label or arg.arg
        what = arg.arg if arg.arg.startswith("field ") else f"parameter {arg.arg}"
        shape = []
        for axis, item in enumerate(spec.dims):
            if item.kind == "name":
                self.ctx.origins.setdefault(item.text, f"{what}, line {arg.lineno}")
                self.ctx.bound.add(item.text)
            elif item.kind == "anonymous":   # `_`, an axis of `...`: a size of its own
                self.ctx.origins.setdefault(f"{label}.shape[{axis}]",
                                            f"{what}, line {arg.lineno}")
            d = self.dim(item, f"{label}.shape[{axis}]")
            if d is None:
                return UNKNOWN
            shape.append(d)
        return Array(tuple(shape), spec.dtype)

    def dim(self, item, anonymous_name: str):
        """A spec item as a dim; ``_`` is a size of its own, named after where it is."""
        if item.kind == "anonymous":
            return dims.symbol(anonymous_name)
        try:
            value = self.ev.eval(S.parse(item.text).expr, {})
        except ShapeError:
            return None
        if not dims.is_dim(value):
            return None
        if self.ctx.body_sizes and isinstance(value, sympy.Basic):
            value = value.subs({dims.symbol(n): d for n, d in self.ctx.body_sizes.items()})
        return value

    # ------------------------------------------------------------ statements

    def block(self, stmts, env) -> bool:
        """Run the statements; True when the block ends the function (its last
        statement returns or raises): its names flow nowhere."""
        depth = len(self.facts)
        try:
            for stmt in stmts:
                with self.under_facts():
                    if self.statement(stmt, env):
                        return True   # what follows is dead code for these annotations
            return bool(stmts) and isinstance(stmts[-1], (ast.Return, ast.Raise))
        finally:
            del self.facts[depth:]   # an `if`'s facts hold to the end of its block

    @contextmanager
    def under_facts(self):
        """Decide sizes knowing the tests of the branches the statement is in
        (``if x.shape[0] >= 2:``), so that a branch is not reported for what
        its own test rules out."""
        if not self.facts:
            yield
            return
        key, facts = self._facts_built
        if key != tuple(self.facts):   # built once per set of tests, not per statement
            facts = dims.Facts()
            for fact in self.facts:
                facts.add(fact)
            self._facts_built = (tuple(self.facts), facts)
        with dims.facts_active(facts):
            yield

    def body_names(self, restore=None):
        """The size names bound so far and the dims body annotations bound them
        to; with ``restore``, set them back to such a pair (returning the
        pair they were)."""
        now = (set(self.ctx.bound), dict(self.ctx.body_sizes))
        if restore is not None:
            self.ctx.bound, self.ctx.body_sizes = set(restore[0]), dict(restore[1])
        return now

    def compared(self, node, env):
        """A side of a test's comparison: ``len(x)`` is ``x.shape[0]``."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "len" and len(node.args) == 1 and not node.keywords:
            value = self.value(node.args[0], env, quiet=True)
            return value.shape[0] if isinstance(value, Array) and value.rank else UNKNOWN
        return self.value(node, env, quiet=True)

    def test_facts(self, test, env, negate=False) -> list:
        """The relations of sizes that hold where ``test`` is true (false,
        ``negate``): ``x.shape[0] >= 2``, ``a == b and flag``, ``not ...``;
        only what is sure (nothing from a negated ``and``)."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self.test_facts(test.operand, env, not negate)
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) != negate:
            return [f for v in test.values for f in self.test_facts(v, env, negate)]
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1
                and type(test.ops[0]) in _CMP_SYMBOLS):
            return []
        op = _CMP_SYMBOLS[type(test.ops[0])]
        if negate:
            op, negate = _NEGATED[op], False
        left, right = (self.compared(e, env) for e in (test.left, test.comparators[0]))
        if dims.is_dim(left) and dims.is_dim(right):
            return [dims.relation(op, left, right)]
        if is_shape_tuple(left) and is_shape_tuple(right) and len(left) == len(right) and \
                op == "==":
            return [dims.relation("==", a, b) for a, b in zip(left, right)]
        return []

    def statement(self, stmt, env) -> bool:
        """Run one statement; True when no path goes on after it (an ``if``
        whose live branches all return or raise, an ``assert`` that fails)."""
        if isinstance(stmt, ast.If):
            return self.if_statement(stmt, env)
        if isinstance(stmt, ast.Assert) and any(
                self.value(stmt.test, env, quiet=True) is no for no in (False, sympy.false)):
            # fails where the shapes decide its test; where they do not (`x.shape
            # == y.shape`), JAX's symbolic answer is False and what follows runs
            # only under the condition: not checked, rather than reported
            return True
        self.simple_statement(stmt, env)
        return False

    def simple_statement(self, stmt, env):
        if isinstance(stmt, ast.Assign):
            value = self.value(stmt.value, env)
            if isinstance(stmt.value, ast.Lambda) and rebound_later(self.func, stmt, stmt.value):
                value = UNKNOWN
            for target in stmt.targets:
                self.bind(target, value, env)
            self.check_comment(stmt, value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            self.annotated_assign(stmt, env)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            op = ast.BinOp(left=ast.Name(stmt.target.id, ast.Load()), op=stmt.op, right=stmt.value)
            ast.copy_location(op, stmt)
            ast.copy_location(op.left, stmt.target)
            op.end_lineno, op.end_col_offset = stmt.end_lineno, stmt.end_col_offset
            env[stmt.target.id] = self.value(op, env)
        elif isinstance(stmt, ast.Return):
            self.check_return(stmt, self.returned(stmt.value, env))
        elif isinstance(stmt, ast.Expr):
            if not isinstance(stmt.value, ast.Constant):
                self.value(stmt.value, env)   # a docstring or `...` is nothing to track
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            self.loop(stmt, env)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:   # `with jax.named_scope(...) as s:` binds s, unknown
                if item.optional_vars is not None:
                    self.forget(item.optional_vars, env)
            self.block(stmt.body, env)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.try_statement(stmt, env)
        elif isinstance(stmt, ast.FunctionDef) and as_lambda(stmt) is not None:
            # a local `def step(c, x): ...; return ...` (a scan body) is a lambda
            env[stmt.name] = UNKNOWN if rebound_later(self.func, stmt, stmt) else self.value(
                as_lambda(stmt), env)
        elif isinstance(stmt, (ast.Pass, ast.Break, ast.Continue, ast.Raise, ast.Assert,
                               ast.Delete, ast.Global, ast.Nonlocal, ast.Import,
                               ast.ImportFrom)):
            # nothing to track: a `raise` (or a failed assert) leaves the function,
            # break/continue only end an iteration (loops merge their names), and
            # what `del` or a local import binds is unknown
            self.forget(stmt, env)
        else:  # match, del, nested classes and other defs: what they bind is unknown
            self.m.lost(f"unsupported statement {type(stmt).__name__}")
            self.forget(stmt, env)

    def forget(self, node, env):
        """Every name ``node`` binds becomes unknown."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                env[sub.id] = UNKNOWN
                _forget_fields(sub.id, env)
            elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Store) and \
                    isinstance(sub.value, ast.Name):
                env[field_key(sub.value.id, sub.attr)] = UNKNOWN
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                env[sub.name] = UNKNOWN
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                for alias in sub.names:
                    env[(alias.asname or alias.name).split(".")[0]] = UNKNOWN
            elif isinstance(sub, ast.ExceptHandler) and sub.name:
                env[sub.name] = UNKNOWN

    def if_statement(self, stmt, env):
        """A test the shapes decide (``if x.ndim == 2``) runs one branch only:
        the other is dead code for these annotations. Otherwise both run and
        their names merge (a branch that returns or raises flows nowhere)."""
        test = self.value(stmt.test, env, quiet=True)
        if isinstance(test, bool) or test in (sympy.true, sympy.false):
            return self.block(stmt.body if test else stmt.orelse, env)
        then_env, else_env = dict(env), dict(env)
        then_facts = self.test_facts(stmt.test, env)
        else_facts = self.test_facts(stmt.test, env, negate=True)
        before = self.body_names()
        self.facts += then_facts
        then_ends = self.block(stmt.body, then_env)
        del self.facts[len(self.facts) - len(then_facts):]
        then_names = self.body_names(restore=before)   # a branch's names are its own
        self.facts += else_facts
        else_ends = self.block(stmt.orelse, else_env)
        del self.facts[len(self.facts) - len(else_facts):]
        else_names = self.body_names(restore=before)
        if then_ends and not else_ends:
            env.update(else_env)
            self.body_names(restore=else_names)
            self.facts += else_facts   # what follows runs only where the test fails
        elif else_ends and not then_ends:
            env.update(then_env)
            self.body_names(restore=then_names)
            self.facts += then_facts   # what follows runs only where the test holds
        else:
            _merge_into(env, then_env, else_env)
            # a size name both branches' annotations bound alike stays bound
            bound, sizes = then_names
            self.body_names(restore=(before[0] | {n for n in bound & else_names[0] if sizes.get(
                n) == else_names[1].get(n)}, {n: d for n, d in sizes.items() if
                                              else_names[1].get(n) == d}))
        return then_ends and else_ends

    def loop(self, stmt, env):
        """``for`` / ``while``: the body runs any number of times. Silent trial
        runs find the names whose values an iteration changes (they become
        unknown at the loop's head: a fixed point); then the body is checked
        once, reporting, from that head. What the first trial found holds for
        the first iteration (its values are exact) and is reported too. After
        the loop a name is known only when it is the same whether the body
        ran or not."""
        if isinstance(stmt, ast.While):
            self.value(stmt.test, env, quiet=True)
        else:  # what it iterates over is forgotten: not knowing it loses nothing
            self.value(stmt.iter, env, quiet=True)
        head = dict(env)
        if not isinstance(stmt, ast.While):
            self.forget(stmt.target, head)   # what `for x in xs` binds: unknown
        first_iteration: list = []
        for trial_number in range(3):
            trial = dict(head)
            with self.m.muted(first_iteration if trial_number == 0 else None):
                self.block(stmt.body, trial)
            changed = [n for n in trial if not _same(head.get(n, UNKNOWN), trial[n])
                       and head.get(n, UNKNOWN) is not UNKNOWN]
            if not changed:
                break
            for name in changed:
                head[name] = UNKNOWN
        else:
            self.forget(ast.Module(body=stmt.body, type_ignores=[]), head)
        after = dict(head)
        found = self.m.held if self.m.silent else self.m.findings
        reported = len(found)
        self.block(stmt.body, after)
        seen = {(f.line, f.col, f.code) for f in found[reported:]}
        for finding in first_iteration:
            if (finding.line, finding.col, finding.code) not in seen:
                seen.add((finding.line, finding.col, finding.code))
                self.m.add(finding)
        _merge_into(env, dict(env), after)
        self.block(stmt.orelse, env)

    def try_statement(self, stmt, env):
        """``try``: the body may stop at any statement, so a handler starts
        with every name the body binds unknown; after the statement the
        paths that reach it merge."""
        body_env = dict(env)
        body_ends = self.block(stmt.body, body_env)
        if not body_ends:
            body_ends = self.block(stmt.orelse, body_env)
        paths = [] if body_ends else [body_env]
        for handler in stmt.handlers:
            handler_env = dict(env)
            self.forget(ast.Module(body=stmt.body, type_ignores=[]), handler_env)
            if handler.name:
                handler_env[handler.name] = UNKNOWN
            if not self.block(handler.body, handler_env):
                paths.append(handler_env)
        if paths:
            _merge_into(env, *paths)
        else:
            env.update(body_env)   # every path leaves: what follows is unreachable
        self.block(stmt.finalbody, env)

    def bind(self, target, value, env):
        if isinstance(target, ast.Name):
            env[target.id] = value
            _forget_fields(target.id, env)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            env[field_key(target.value.id, target.attr)] = value   # obj.attr = value
        elif isinstance(target, (ast.Tuple, ast.List)) and not any(
                isinstance(e, ast.Starred) for e in target.elts):
            items = value if isinstance(value, (tuple, list)) and len(value) == len(
                target.elts) else [UNKNOWN] * len(target.elts)
            for t, v in zip(target.elts, items):
                self.bind(t, v, env)
        else:
            self.forget(target, env)

    # ------------------------------------------------------------ expressions

    def value(self, node, env, quiet=False):
        """Evaluate an expression: its value, or UNKNOWN (reporting a shape
        error or a contradicted call on the way). ``quiet``: what is unknown
        here is not a loss of tracking (an ``if`` test on a flag)."""
        conv = Converter(lambda n: env.get(n, UNKNOWN) is not UNKNOWN, self.m.library,
                         self.m.imports, self.m.offsets, local=lambda n: n in env)
        try:
            expr = conv.convert(node)
            known = {k: v for k, v in env.items() if v is not UNKNOWN}
            return self.ev.eval(expr, known)
        except Unknown as e:
            if not quiet:
                self.m.lost(str(e))
        except CallContradiction as e:
            self.m.report(node, "SHP004", f"{e}{self.origins_in(str(e))}")
        except ShapeError as e:
            if e.code in BODY_ERRORS:
                self.report_engine_error(node, e, expr, known)
            elif not quiet:
                self.m.lost(f"{e.code}: {e.message.splitlines()[0][:60]}")
        except RecursionError:
            self.m.lost("expression too deep")
        return UNKNOWN

    def report_engine_error(self, node, e: ShapeError, expr, known):
        where = node
        if e.span is not None:
            where = self.m.position_of(e.span[0]) or node
        lines = e.message.splitlines()
        # A rule's message lists each clause tried below the first line: too
        # long for a finding. Other messages' lines are one sentence.
        message = lines[0] if e.code == "rule-no-match" else " ".join(
            line.strip() for line in lines)
        # the engine's strict-mode hint (`assume a == b` would decide it): the
        # linter says which equalities make the code pass itself
        message = re.sub(r" \(the sizes do not decide [^;]*; `assume [^`]*` would\)", "", message)
        passes = self.passing_equalities(message, expr, known)
        unless = f" (it would pass if {' or if '.join(passes)})" if passes else ""
        self.m.report(where, "SHP005",
                      f"{e.exception}: {message}{unless}{self.origins_in(message)}")

    def passing_equalities(self, message, expr, known) -> list[str]:
        """The single equalities of sizes (``p == q``, ``p == 1``) under which
        the expression would pass: the error holds only where none of them does.
        (Only single equalities are tried, so the list need not be complete;
        when none passes, :meth:`guarded_pass` gives the engine's conjunction.)"""
        names = [w for w in dict.fromkeys(_SIZE_WORD.findall(message))
                 if w in self.ctx.origins]
        trials = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
        trials += [(a, "1") for a in names]
        passes = []
        for a, b in trials:
            sub = {dims.symbol(a): dims.symbol(b) if b != "1" else sympy.Integer(1)}
            try:
                Evaluator(self.m.library).eval(expr, _substituted(known, sub))
            except (ShapeError, Unknown, CallContradiction, RecursionError):
                continue
            passes.append(f"{a} == {b}")
        return passes or self.guarded_pass(expr, known)

    def guarded_pass(self, expr, known) -> list[str]:
        """When no single equality makes the expression pass, the engine's
        default mode says what would: it turns each condition the sizes do
        not decide into a guard (``2*n == m`` for a matmul of ``(2*n,)`` with
        ``(m,)``, ``a == b`` and ``b == c`` for ``(a, b, c) + (b, c, a)``).
        Without this the message would claim the error for all sizes. Empty
        when the expression fails there too: some condition was disproved."""
        with scope.active(scope.Scope(strict=False)) as sc:
            try:
                Evaluator(self.m.library).eval(expr, known)
            except (ShapeError, Unknown, CallContradiction, RecursionError):
                return []
            guards = sc.minimal_guards()
        return [" and ".join(scope.fmt_condition(g) for g in guards)] if guards else []

    def origins_in(self, text: str) -> str:
        """``[batch: parameter x, line 4; ...]`` for the size names in ``text``."""
        words = dict.fromkeys(_SIZE_WORD.findall(text))
        parts = [f"{w}: {self.ctx.origins[w]}" for w in words if w in self.ctx.origins]
        note = self.case.note if self.case else ""   # every finding says its case
        return note + (f" [{'; '.join(parts)}]" if parts else "")

    # ------------------------------------------------------------ annotations vs values

    def returned(self, node, env):
        """The returned value. ``return a, RESULTS.ok`` annotated ``tuple[Float[...],
        RESULTS]``: item by item, where an item not annotated as an array is
        not tracked (its errors are still reported); so is a return not
        annotated as arrays at all (``-> _State``)."""
        specs = self.sig.returns_tuple
        if node is None:
            return UNKNOWN
        if self.sig.returns is None and specs is None:   # `-> _State`: nothing to check
            return self.value(node, env, quiet=True)
        if self.sig.returns is not None or specs is None or not isinstance(
                node, ast.Tuple) or len(node.elts) != len(specs) or any(
                isinstance(e, ast.Starred) for e in node.elts):
            return self.value(node, env)
        return tuple(self.value(e, env, quiet=spec is None) for e, spec in zip(node.elts, specs))

    def check_return(self, stmt, value):
        spec, specs = self.sig.returns, self.sig.returns_tuple
        if value is UNKNOWN:
            return
        if spec is not None:
            self.compare(stmt.value or stmt, value, spec, "returns", "SHP002")
        elif specs is not None and isinstance(value, tuple):
            if len(value) != len(specs):
                self.m.report(stmt.value, "SHP002", f"returns {len(value)} values where a "
                              f"tuple of {len(specs)} is annotated{self.origins_in('')}")
                return
            nodes = stmt.value.elts if isinstance(stmt.value, ast.Tuple) else [stmt.value] * len(
                specs)
            for i, (node, v, sp) in enumerate(zip(nodes, value, specs)):
                if sp is not None:
                    self.compare(node, v, sp, f"returns as item {i}", "SHP002")

    def annotated_assign(self, stmt, env):
        try:
            spec = read_annotation(stmt.annotation, self.m.imports, self.m.aliases)
        except MalformedAnnotation as e:
            self.m.report(stmt.annotation, "SHP001", f"malformed annotation: {e}")
            spec = None
        value = self.value(stmt.value, env) if stmt.value is not None else UNKNOWN
        if spec is not None and value is not UNKNOWN:
            self.compare(stmt.value, value, spec, f"{stmt.target.id} is", "SHP003")
        env[stmt.target.id] = value

    def check_comment(self, stmt, value):
        """``y = f(x)  # shape: (b, n)``."""
        text = self.m.shape_comments.get(stmt.lineno)
        if text is None or not isinstance(value, Array):
            return
        try:
            shape = self.ev.eval(S.parse(text).expr, {})
        except ShapeError:
            self.m.report(stmt, "SHP001", f"malformed `# shape:` comment {text!r}")
            return
        if not (isinstance(shape, tuple) and all(map(dims.is_dim, shape))):
            self.m.report(stmt, "SHP001", f"`# shape:` wants a tuple of sizes, got {text!r}")
            return
        # parsed back below; a plain name may be one this comment binds
        items = tuple(DimSpec("name" if isinstance(d, sympy.Symbol) else "expr", dims.fmt_dim(d))
                      for d in shape)
        spec = ArraySpec("comment", None, items, text)
        self.compare(stmt.value, value, spec, "the value is", "SHP003", noun="the comment says")

    def compare(self, node, value, spec: ArraySpec, verb: str, code: str,
                noun: str = "is annotated"):
        """Report when ``value`` differs from ``spec`` for all sizes, or for all
        sizes but those where a condition holds (the message says it)."""
        if self.case is not None:
            spec = self.case.expand(spec)   # the parameters' `*name` as this case has them
        if not isinstance(value, Array) or not all(
                d.checkable or d.kind in ("variadic", "broadcast") for d in spec.dims):
            return
        want = []
        for axis, item in enumerate(spec.dims):
            if item.kind == "broadcast":   # `#n`: n or 1 (the pair)
                size = _broadcast_size(item)
                known = size is not None and (size.kind != "name" or size.text in self.ctx.bound)
                want.append((self.dim(size, "") if known else None, sympy.Integer(1)))
                continue
            if item.kind in ("anonymous", "variadic") or (item.kind == "name"
                                                          and item.text not in self.ctx.bound):
                want.append(None)  # any size: `_`, or a name this annotation binds
                continue
            d = self.dim(item, "")
            if d is None:
                return
            want.append(d)
        got = dims.fmt_shape(value.shape)
        wanted = _spec_shape(spec) if spec.dtype_class != "comment" else dims.fmt_shape(
            sympy.Symbol(item.text) if item.kind == "name" else d if d is not None
            else sympy.Symbol("_") for item, d in zip(spec.dims, want))
        free = [i for i, item in enumerate(spec.dims) if item.kind == "variadic"]
        if free and value.rank >= len(want) - 1:
            # `...` or a `*name` no parameter binds: any number of axes there
            i = free[0]
            want[i:i + 1] = [None] * (value.rank - len(want) + 1)
        elif free:
            self.m.report(node, code, f"{verb} {got} where {wanted} {noun}: rank "
                          f"{value.rank} is less than {len(want) - 1}{self.origins_in(got)}")
            return
        if value.rank != len(want):
            self.m.report(node, code, f"{verb} {got} where {wanted} {noun}: rank "
                          f"{value.rank} is not {len(want)}{self.origins_in(got)}")
            return
        conditions, never = [], False
        for d, w in zip(value.shape, want):
            if isinstance(w, tuple):   # `#name`: that size or 1
                never = never or _differs_from_all(d, w)
                continue
            if w is None:
                continue
            decision = dims.decide_eq(d, w)
            if decision is Decision.FALSE:
                never = True
            elif decision is Decision.UNKNOWN:
                conditions.append(f"{dims.fmt_dim(d)} == {dims.fmt_dim(w)}")
        if not never and not conditions:
            self.bind_new_names(spec, value, getattr(node, "lineno", None))
            return
        tail = "" if never else "; they agree only if " + " and ".join(
            dict.fromkeys(_canonical(c) for c in conditions))
        self.m.report(node, code, f"{verb} {got} where {wanted} {noun}{tail}"
                      f"{self.origins_in(got + ' ' + wanted)}")

    def bind_new_names(self, spec, value, line):
        """A name first seen in a body annotation is bound by the value there:
        later annotations compare with that dim. (With a multiple-axes item
        the axes do not line up, and the name stays free.)"""
        if any(item.kind == "variadic" for item in spec.dims) or len(spec.dims) != value.rank:
            return
        for item, d in zip(spec.dims, value.shape):
            if item.kind == "name" and item.text not in self.ctx.bound:
                self.ctx.bound.add(item.text)
                self.ctx.body_sizes[item.text] = d
                self.ctx.origins[item.text] = f"bound at line {line} as {dims.fmt_dim(d)}"


def rebound_later(func: ast.FunctionDef, stmt: ast.stmt, closure) -> bool:
    """Does the function assign, after ``stmt`` (or anywhere in a loop around
    it), a name the local function or lambda ``closure`` reads from outside?
    Python closures read a name when they run, not when they are defined, so
    ``f = lambda: x; x = x.T; f()`` returns the new ``x``: such a closure's
    value is unknown here."""
    params = {a.arg for n in ast.walk(closure) if isinstance(n, (ast.Lambda, ast.FunctionDef))
              for a in n.args.args + n.args.kwonlyargs + n.args.posonlyargs}
    names = [n for n in ast.walk(closure) if isinstance(n, ast.Name)]
    free = {n.id for n in names if isinstance(n.ctx, ast.Load)} - params - {
        n.id for n in names if isinstance(n.ctx, ast.Store)}   # its own locals
    if not free:
        return False
    loops = [n for n in ast.walk(func) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))
             and n.lineno <= stmt.lineno <= n.end_lineno]
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in free:
            if node.lineno > stmt.end_lineno or any(
                    loop.lineno <= node.lineno <= loop.end_lineno for loop in loops):
                return True
    return False


def as_lambda(func: ast.FunctionDef) -> ast.Lambda | None:
    """A local function made of assignments to names and a final ``return``,
    as one lambda: each name is replaced by the expression it was assigned
    (shapes do not depend on evaluating twice). None for anything else."""
    body = list(func.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if (func.decorator_list or not body or not isinstance(body[-1], ast.Return)
            or body[-1].value is None):
        return None
    bindings: dict[str, ast.AST] = {}
    for stmt in body[:-1]:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            return None
        bindings[stmt.targets[0].id] = _Substitute(bindings).visit(copy.deepcopy(stmt.value))
    expr = _Substitute(bindings).visit(copy.deepcopy(body[-1].value))
    if any(isinstance(n, ast.Lambda) and {a.arg for a in n.args.args} & set(bindings)
           for n in ast.walk(expr)) or len(ast.unparse(expr)) > 4000:
        return None  # a shadowing inner lambda, or an expression grown too large
    lam = ast.Lambda(args=func.args, body=expr)
    return ast.copy_location(lam, func)


class _Substitute(ast.NodeTransformer):
    def __init__(self, bindings):
        self.bindings = bindings

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.bindings:
            return copy.deepcopy(self.bindings[node.id])
        return node


def field_key(self_name: str, field: str) -> str:
    """The local that holds ``self.field`` (not an identifier: no clash)."""
    return f"{self_name}\u00b7{field}"


def _forget_fields(owner: str, env):
    """``owner`` is bound anew: what was known of its fields no longer holds."""
    prefix = field_key(owner, "")
    for key in [k for k in env if k.startswith(prefix)]:
        env[key] = UNKNOWN


def _substituted(value, sub):
    """``value`` with size symbols replaced (arrays inside containers too)."""
    if isinstance(value, Array):
        return replace(value, shape=tuple(sympy.sympify(d).subs(sub) for d in value.shape))
    if isinstance(value, dict):
        return {k: _substituted(v, sub) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_substituted(v, sub) for v in value) if type(value) in (
            tuple, list) else value
    return value


def _canonical(condition: str) -> str:
    """``d_out == batch`` and ``batch == d_out`` are one condition; a number
    goes on the right, as people write it (``n == 1``, not ``1 == n``)."""
    left, _, right = condition.partition(" == ")
    return " == ".join(sorted((left, right), key=lambda side: (side.isdigit(), side)))


def _callee_variadic(item: DimSpec) -> bool:
    """A multiple-axes item a call can match: ``*name``, ``...``, ``*_``."""
    return item.kind == "variadic" and item.modifiers == "*"


def _aligned(spec: ArraySpec, value: Array):
    """(axis, dim, item) for each single-axis item of ``spec`` against
    ``value``'s shape, and (first axis, dims, item) for its multiple-axes
    item, which covers the axes the others leave; None when the ranks do not
    fit."""
    items = list(spec.dims)
    free = [i for i, d in enumerate(items) if d.kind == "variadic"]
    if not free:
        if value.rank != len(items):
            return None
        return [(a, d, item) for a, (d, item) in enumerate(zip(value.shape, items))]
    i, extra = free[0], value.rank - len(items) + 1
    if extra < 0:
        return None
    pairs = [(a, value.shape[a], items[a]) for a in range(i)]
    pairs.append((i, tuple(value.shape[i:i + extra]), items[i]))
    pairs += [(i + extra + k, value.shape[i + extra + k], item)
              for k, item in enumerate(items[i + 1:])]
    return pairs


def _broadcast_size(item: DimSpec) -> DimSpec | None:
    """``#n`` -> the item ``n``, or None when it is not a size the linter
    knows (``#n`` of a name no parameter bound compares as any size)."""
    try:
        return _parse_item(item.text)
    except MalformedAnnotation:
        return None


def _differs_from_all(d, candidates) -> bool:
    """``d`` differs, for all sizes, from each candidate (None: any size)."""
    return all(c is not None and dims.decide_eq(d, c) is Decision.FALSE for c in candidates)


def _spec_shape(spec: ArraySpec) -> str:
    items = [d.text if d.text == "..." or d.kind not in ("variadic", "broadcast")
             else d.modifiers + d.text for d in spec.dims]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _same(a, b) -> bool:
    """Branch values that agree (same shapes and dtypes)."""
    if a is UNKNOWN or b is UNKNOWN:
        return False
    if isinstance(a, Array) and isinstance(b, Array):
        return a.dtype == b.dtype and a.rank == b.rank and all(
            dims.definitely_equal(x, y) for x, y in zip(a.shape, b.shape))
    return a is b


def _merge_into(env, *paths):
    """``env`` := the names as the ``paths`` (environments that reach one
    point) agree on them; a name they disagree on is unknown."""
    first, *others = paths
    for name in set().union(*paths):
        value = first.get(name, UNKNOWN)
        env[name] = value if all(_same(value, p.get(name, UNKNOWN)) for p in others) \
            else UNKNOWN


def _all_args(args: ast.arguments):
    return [*args.posonlyargs, *args.args, *args.kwonlyargs]
