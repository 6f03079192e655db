"""Evaluation: syntax tree -> value.

One :class:`Evaluator` runs one program. Names resolve, in order, to
statement / lambda bindings, then the built-in library (operations and
transformations, by bare or dotted name), then size symbols. Operators on
dims are dim arithmetic; on anything else they are the array operations
(``x + y`` is ``add``).
"""
from __future__ import annotations

import difflib
import itertools
import operator
from dataclasses import dataclass, field, replace

import sympy

from . import dims, dtypes, jax_api, scope, shapes, syntax as ast
from .errors import ShapeError
from .values import (DTYPES, Array, DType, Function, ShapeTuple, arrayify, check_int32, describe,
                     is_shape_tuple, shape_array, to_array)

# Binary / unary operators on arrays, by the operation they stand for.
ARRAY_BINOPS = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide",
                "//": "floor_divide", "%": "mod", "@": "matmul", "**": "power",
                "<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal",
                "==": "equal", "!=": "not_equal", "&": "bitwise_and", "|": "bitwise_or",
                "^": "bitwise_xor", "<<": "left_shift", ">>": "right_shift"}
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
ARRAY_UNOPS = {"-": "negative", "+": "positive", "~": "invert"}
# Python's bitwise operators on ints; JAX's symbolic dims have none of them.
INT_BITWISE = {"&": operator.and_, "|": operator.or_, "^": operator.xor,
               "<<": operator.lshift, ">>": operator.rshift}
# Attributes of arrays the language knows (the checker allows no others).
ARRAY_ATTRIBUTES = ("T", "shape", "ndim", "size", "dtype", "real", "imag")
# Array methods, by the operation each stands for: x.sum(axis=0) is sum(x, axis=0).
ARRAY_METHODS = {name: name for name in (
    "reshape", "transpose", "swapaxes", "squeeze", "ravel", "sum", "mean", "prod", "max",
    "min", "argmax", "argmin", "all", "any", "var", "std", "cumsum", "cumprod", "astype",
    "clip", "round", "dot", "conj", "conjugate")}
ARRAY_METHODS["flatten"] = "ravel"
# Methods that also take their shape or axes as separate arguments: x.reshape(a, b).
_VARARG_METHODS = ("reshape", "transpose")


@dataclass(slots=True)
class CallSite:
    """Where a call happens, for error spans: the callee, each argument, the whole call.
    (Not frozen, though nothing changes one: every call builds one, and a frozen
    dataclass sets each field through ``object.__setattr__``, three times the cost.)"""
    span: tuple[int, int] | None
    func_span: tuple[int, int] | None = None
    arg_spans: tuple = ()
    kw_spans: dict = field(default_factory=dict)

    def arg(self, i: int):
        return self.arg_spans[i] if i < len(self.arg_spans) else self.span

    def kw(self, name: str):
        return self.kw_spans.get(name, self.span)

    def param(self, index: int, name: str):
        """The span of a parameter given positionally at ``index`` or by ``name``."""
        if name in self.kw_spans:
            return self.kw_spans[name]
        return self.arg(index)


class Closure(Function):
    """A lambda together with the bindings it was created in."""

    def __init__(self, node: ast.Lambda, env: dict):
        self.node = node
        self.env = env
        self.name = "<lambda>"

    def param_names(self):
        return list(self.node.params)

    def call(self, ev: "Evaluator", args, kwargs, site):
        params = self.node.params
        bound = bind_arguments("<lambda>", params, args, kwargs, site)
        env = dict(self.env)
        for i, name in enumerate(params):
            env[name] = arrayify(bound[name], site.param(i, name))
        return ev.eval(self.node.body, env)


def refuse_keywords(fname: str, kwargs: dict, site) -> None:
    """Python's TypeError for a function that takes no keyword arguments."""
    if kwargs:
        name = next(iter(kwargs))
        raise ShapeError("arity", "TypeError",
                         f"{fname}() got an unexpected keyword argument {name!r}", site.kw(name))


def bind_arguments(fname: str, params, args, kwargs, site, defaults=None,
                   positional_only=(), keyword_only=(), varargs=None) -> dict:
    """Bind arguments to parameter names the way Python does, or raise TypeError.
    ``varargs`` names the ``*args`` parameter, if any: it gets the extra
    positional arguments, as a tuple (the parameters after it are keyword-only)."""
    defaults = defaults or {}
    positional = [p for p in params if p not in keyword_only and p != varargs]
    if varargs is not None:
        positional = positional[:params.index(varargs)]
        extra = tuple(args[len(positional):])
        args = args[:len(positional)]
        params = [p for p in params if p != varargs]
    if len(args) > len(positional):
        n = len(positional)
        raise ShapeError(
            "arity", "TypeError",
            f"{fname}() takes {n} positional argument{'s' if n != 1 else ''} "
            f"but {len(args)} {'were' if len(args) != 1 else 'was'} given",
            site.arg(n))
    bound = dict(zip(positional, args))
    for name, value in kwargs.items():
        if name not in params or name in positional_only:
            raise ShapeError("arity", "TypeError",
                             f"{fname}() got an unexpected keyword argument {name!r}",
                             site.kw(name))
        if name in bound:
            raise ShapeError("arity", "TypeError",
                             f"{fname}() got multiple values for argument {name!r}",
                             site.kw(name))
        bound[name] = value
    missing = [p for p in params if p not in bound and p not in defaults]
    if missing:
        names = " and ".join(repr(m) for m in missing)
        raise ShapeError(
            "arity", "TypeError",
            f"{fname}() missing {len(missing)} required positional argument"
            f"{'s' if len(missing) != 1 else ''}: {names}", site.span)
    for p in params:
        bound.setdefault(p, defaults.get(p))
    if varargs is not None:
        bound[varargs] = extra
    return bound


class Evaluator:
    """Evaluates one program. ``sizes`` maps size-symbol names to integers."""

    def __init__(self, builtins, sizes: dict[str, int] | None = None):
        self.builtins = builtins  # the Library: names -> Function
        self.sizes = dict(sizes or {})
        self.symbols_used: set[str] = set()
        self._trace_ids = itertools.count(1)
        # An optional recorder of the derivation (shapeinfer/explain.py's
        # Tracer); None normally, so plain evaluation pays one test per call.
        self.trace = None
        # Answers of operation calls in this program (see Operation.call)
        self.call_memo: dict = {}

    def new_trace_id(self) -> int:
        return next(self._trace_ids)

    # ---------------------------------------------------------------- program

    def run(self, program: ast.Program):
        env: dict = {}
        for stmt in program.statements:
            if isinstance(stmt, ast.Assign):
                self.require_value(stmt.value, env)
                env[stmt.name] = self.eval(stmt.value, env)
            else:
                self.assume(stmt, env)
        self.require_value(program.expr, env)
        return self.eval(program.expr, env)

    def assume(self, stmt: ast.Assume, env):
        """``assume a == b, n >= 2``: facts every later decision uses."""
        for rel in stmt.relations:
            left, right = self.eval(rel.left, env), self.eval(rel.right, env)
            if not (dims.is_dim(left) and dims.is_dim(right)):
                raise ShapeError("bad-argument", "TypeError",
                                 f"assume relates sizes, got {describe(left)} {rel.op} "
                                 f"{describe(right)}", rel.span)
            scope.current().assume(dims.relation(rel.op, left, right), rel.span)

    def require_value(self, node, env):
        """A bare name where a value is wanted must be bound: size symbols live
        inside shapes and size arguments, so a misspelled variable is a NameError."""
        name = unbound_name(node, env, self.builtins)
        if name is not None:
            raise (jax_api.missing_bare(name, node.span)
                   or ShapeError("unknown-name", "NameError", undefined_message(name, env),
                                 node.span))

    # ---------------------------------------------------------------- expressions

    def eval(self, node: ast.Node, env: dict):
        key = (type(self), type(node))
        method = _EVAL_METHODS.get(key)
        if method is None:  # (looked up by name once per kind of node, not per node)
            method = _EVAL_METHODS[key] = getattr(type(self), "eval_" + type(node).__name__)
        return method(self, node, env)

    def eval_Int(self, node, env):
        return sympy.Integer(node.value)

    def eval_Float(self, node, env):
        return node.value

    def eval_Str(self, node, env):
        return node.value

    def eval_Const(self, node, env):
        return node.value

    def eval_TupleExpr(self, node, env):
        items = tuple(self.eval(item, env) for item in node.items)
        if not is_shape_tuple(items):  # a pytree, not a shape: its names are values
            for item in node.items:
                self.require_value(item, env)
        return items

    def eval_ListExpr(self, node, env):
        for item in node.items:
            self.require_value(item, env)
        return [self.eval(item, env) for item in node.items]

    def eval_DictExpr(self, node, env):
        # Any hashable key is fine here; JAX sorts the keys when it flattens
        # the dict as a pytree (pytree.sorted_keys), which is where mixed
        # keys fail, as in JAX.
        return {self.dict_key(self.eval(k, env), k.span): self.eval(v, env)
                for k, v in zip(node.keys, node.values)}

    def dict_key(self, key, span):
        """A dict key as the Python value JAX would see: str, int, bool,
        float, None, or a tuple of those."""
        if dims.is_dim(key):
            if dims.as_int(key) is None:
                raise ShapeError("unsupported", "NotImplementedError",
                                 f"a size symbol ({key}) as a dict key: where it sorts among "
                                 "the other keys depends on its value", span)
            return dims.as_int(key)
        if key is None or isinstance(key, (str, bool, float)):
            return key
        if isinstance(key, tuple):
            return tuple(self.dict_key(k, span) for k in key)
        if isinstance(key, (list, dict, Array)):
            kind = "jaxlib.Array" if isinstance(key, Array) else type(key).__name__
            raise ShapeError("bad-argument", "TypeError", f"unhashable type: '{kind}'", span)
        raise ShapeError("unsupported", "NotImplementedError",
                         f"{describe(key)} as a dict key is not supported", span)

    def eval_Lambda(self, node, env):
        return Closure(node, env)

    def eval_Name(self, node, env):
        if node.id in env:
            return env[node.id]
        if node.id in self.builtins:
            return self.builtins[node.id]
        return self.size_symbol(node.id)

    def size_symbol(self, name: str):
        self.symbols_used.add(name)
        if name in self.sizes:
            return sympy.Integer(self.sizes[name])
        return dims.symbol(name)

    def eval_Attribute(self, node, env):
        dotted = dotted_name(node)
        if dotted is not None and dotted.split(".")[0] not in env:
            if dotted in self.builtins:
                return self.builtins[dotted]
            raise jax_api.missing_dotted(dotted, node.span)
        value = self.eval(node.value, env)
        if is_shape_tuple(value):
            value = to_array(value, node.value.span)  # `(a, b).T`: a literal is an array here
        if isinstance(value, Array) and node.attr in ARRAY_ATTRIBUTES:
            if node.attr == "shape":
                return ShapeTuple(value.shape)
            if node.attr == "ndim":
                return sympy.Integer(value.rank)
            if node.attr == "size":
                return sympy.Mul(*value.shape)
            if node.attr == "dtype":
                return DType(value.dtype)
            return self.apply_op("transpose" if node.attr == "T" else node.attr, [value], {},
                                 CallSite(node.span, node.span, (node.value.span,)))
        if isinstance(value, Array):  # what JAX arrays have, unmodelled, or JAX's error
            raise jax_api.missing_array_attribute(node.attr, describe(value), node.span)
        raise ShapeError("bad-argument", "AttributeError",
                         f"{describe(value)} has no attribute {node.attr!r}", node.span)

    def eval_Subscript(self, node, env):
        # `f32[a, b]` is an array literal when f32 is not bound to anything.
        if isinstance(node.value, ast.Name) and node.value.id in DTYPES and node.value.id not in env:
            return self.dtype_literal(node, env)
        self.require_value(node.value, env)
        value = self.eval(node.value, env)
        if isinstance(value, ShapeTuple):  # x.shape[0]
            item = self.container_item(value, node, env)
            if self.trace is not None:
                self.trace.shape_item(value, node.items[0].span, item)
            return ShapeTuple(item) if isinstance(item, tuple) else item
        if is_shape_tuple(value):
            value = to_array(value, node.value.span)  # `(a, b)[0]`: a literal is an array here
        if isinstance(value, (tuple, list, dict)):
            return self.container_item(value, node, env)
        if not isinstance(value, Array):
            raise ShapeError("bad-argument", "TypeError",
                             f"{describe(value)} is not subscriptable", node.value.span)
        return self.array_item(value, node, env)

    def dtype_literal(self, node, env):
        shape = []
        for item in node.items:
            if isinstance(item, (ast.Slice, ast.EllipsisExpr)):
                raise ShapeError("bad-argument", "TypeError",
                                 "array sizes must be dimension expressions, not a slice or ...",
                                 item.span)
            d = self.eval(item, env)
            if not dims.is_dim(d):
                raise ShapeError("bad-argument", "TypeError",
                                 f"array sizes must be dimension expressions, got {describe(d)}",
                                 item.span)
            shape.append(d)
        return shape_array(tuple(shape), node.value.id, span=node.span)

    def array_item(self, value: Array, node, env):
        """NumPy indexing of an array, basic and advanced (index arrays)."""
        if len(node.items) == 1 and not isinstance(node.items[0], (ast.Slice, ast.EllipsisExpr)):
            single = self.eval(node.items[0], env)
            if isinstance(single, list):
                raise ShapeError("index", "TypeError",
                                 "Using a non-tuple sequence for multidimensional indexing is "
                                 "not allowed; use `arr[tuple(seq)]` or `arr[array(seq)]` "
                                 "instead of `arr[seq]`", node.items[0].span)
            # x[(i, j)] is x[i, j], as in Python
            values = list(single) if isinstance(single, tuple) else [single]
            items = [self.index_value(v, node.items[0].span) for v in values]
            spans = [node.items[0].span] * len(items)
        else:
            items = [self.index_item(item, env) for item in node.items]
            spans = [item.span for item in node.items]
        try:
            shape = shapes.index_shape(value.shape, items, spans)
        except ShapeError as e:
            raise e.with_span(node.span)
        if self.trace is not None:
            self.trace.index(value.shape, items, shape)
        arrays = [i for i in items if isinstance(i, shapes.ArrayIndex)]
        if not any(i.batch for i in arrays):
            return replace(value, shape=shape)  # indexing is linear: derivatives pass through
        # A gather at batched positions: the result is batched by them too, and
        # the derivative (a scatter to those positions) depends on them.
        tags = frozenset().union(*(i.batch for i in arrays))
        deriv = {key: path | tags for key, path in value.deriv.items()}
        return replace(value, shape=shape, batch=value.batch | tags, deriv=deriv)

    def index_item(self, node, env):
        """One item of an index: an int, a slice, None, `...`, or an array."""
        if isinstance(node, ast.EllipsisExpr):
            return shapes.EllipsisIndex()
        if isinstance(node, ast.Slice):
            return tuple(None if part is None else self.slice_bound(part, which, env)
                         for part, which in ((node.start, "start"), (node.stop, "stop"),
                                             (node.step, "step")))
        return self.index_value(self.eval(node, env), node.span)

    @staticmethod
    def index_value(value, span):
        """An index item as :func:`shapes.index_shape` takes it."""
        if value is None:
            return shapes.Newaxis()
        if isinstance(value, bool):
            return value  # JAX makes it an index array of shape (1,) or (0,)
        if dims.is_dim(value):
            check_int32(value, span)
            return value
        if isinstance(value, Array):
            kind = dtypes.kind(value.dtype)
            if kind == "bool":
                return shapes.BoolMask(value.shape)
            if kind in ("int", "uint"):
                return shapes.ArrayIndex(value.shape, value.batch)
            raise ShapeError("index", "TypeError", "Indexer must have integer or boolean type, "
                             f"got indexer with type {dtypes.NUMPY_NAME[value.dtype]}", span)
        if isinstance(value, str):
            raise ShapeError("index", "TypeError",
                             f"JAX does not support string indexing; got {value!r}", span)
        if isinstance(value, float):
            raise ShapeError("index", "TypeError",
                             f"Indexer must have integer or boolean type, got {describe(value)}",
                             span)
        if isinstance(value, (Function, DType, dict)):
            raise ShapeError("index", "IndexError",
                             "only integers, slices (`:`), ellipsis (`...`), newaxis (`None`) and "
                             f"integer or boolean arrays are valid indices, got {describe(value)}",
                             span)
        if isinstance(value, (tuple, list)):
            sequence = sequence_index(value, span)
            if sequence is not None:
                return sequence
        raise ShapeError("unsupported", "NotImplementedError",
                         f"indexing with {describe(value)} is not supported; an index takes "
                         "ints, slices, None, ..., integer arrays and flat lists of ints or "
                         "bools", span)

    def slice_bound(self, node, which: str, env):
        value = self.eval(node, env)
        if isinstance(value, Array):  # e.g. a jit argument: JAX's IndexError, later
            return shapes.TracedBound(which, value.shape)
        return self.index_dim(node, env, value)

    def index_dim(self, node, env, value=None):
        value = self.eval(node, env) if value is None else value
        if not dims.is_dim(value):
            raise ShapeError("unsupported", "NotImplementedError",
                             f"slice bounds must be integers, got {describe(value)}", node.span)
        return value

    def container_item(self, value, node, env):
        """``params["w"]``, ``pair[0]``, ``xs[1:]``: Python's own indexing of a pytree."""
        kind = "tuple" if isinstance(value, tuple) else type(value).__name__
        if len(node.items) != 1 or isinstance(node.items[0], ast.EllipsisExpr):
            raise ShapeError("index", "TypeError",
                             f"{kind} indices must be a single key, integer or slice",
                             node.span)
        item = node.items[0]
        if isinstance(item, ast.Slice) and isinstance(value, dict):
            raise ShapeError("index", "TypeError", "unhashable type: 'slice'", item.span)
        if isinstance(item, ast.Slice):
            bounds = [None if p is None else self.index_dim(p, env)
                      for p in (item.start, item.stop, item.step)]
            if any(b is not None and dims.as_int(b) is None for b in bounds):
                raise ShapeError("unsupported", "NotImplementedError",
                                 f"slicing a {kind} needs integer bounds", item.span)
            if bounds[2] is not None and dims.as_int(bounds[2]) == 0:
                raise ShapeError("index", "ValueError", "slice step cannot be zero", item.span)
            return value[slice(*(None if b is None else dims.as_int(b) for b in bounds))]
        key = self.eval(item, env)
        if isinstance(value, dict):
            key = self.dict_key(key, item.span)
            if key not in value:
                raise ShapeError("index", "KeyError", f"{key!r} is not a key of this dict",
                                 item.span)
            return value[key]
        if dims.is_dim(key) and dims.as_int(key) is not None:
            key = dims.as_int(key)
        if not isinstance(key, int) or isinstance(key, bool):
            raise ShapeError("index", "TypeError",
                             f"{kind} indices must be integers or slices, not {describe(key)}",
                             item.span)
        if not -len(value) <= key < len(value):
            raise ShapeError("index", "IndexError", f"{kind} index out of range", item.span)
        return value[key]

    def eval_BinOp(self, node, env):
        left = self.eval(node.left, env)
        right = self.eval(node.right, env)
        if dims.is_dim(left) and dims.is_dim(right):
            return dim_binop(node.op, left, right, node)
        if node.op == "+" and isinstance(left, ShapeTuple) and isinstance(right, ShapeTuple):
            return ShapeTuple(left + right)  # x.shape + y.shape concatenates
        if node.op in ("==", "!=") and is_shape_tuple(left) and is_shape_tuple(right) and (
                isinstance(left, ShapeTuple) or isinstance(right, ShapeTuple)):
            # Python compares a shape with a tuple (x.shape == y.shape): a bool,
            # never an array comparison (which would broadcast them). (A bare
            # `(n,)` is an array of that shape in `eval`.)
            same = len(left) == len(right) and all(
                dim_compare("==", a, b, node) for a, b in zip(left, right))
            return same == (node.op == "==")
        self.require_value(node.left, env)  # an array operator: both sides are values
        self.require_value(node.right, env)
        site = CallSite(node.span, node.span, (node.left.span, node.right.span))
        return self.apply_op(ARRAY_BINOPS[node.op], [left, right], {}, site)

    def eval_UnaryOp(self, node, env):
        operand = self.eval(node.operand, env)
        if dims.is_dim(operand):
            return dim_unop(node.op, operand, node)
        if type(operand) is float and node.op in "+-":
            # Python negates a float literal: `-0.5` is a float, as a step
            # or a fill value takes it, not an array
            return -operand if node.op == "-" else operand
        site = CallSite(node.span, node.span, (node.operand.span,))
        return self.apply_op(ARRAY_UNOPS[node.op], [operand], {}, site)

    def eval_Call(self, node, env):
        if is_dim_minmax(node, env):
            # max(a, b) / min(a, b) of sizes (SPEC section 1); on arrays, jnp.max / jnp.min
            args = [self.eval(a, env) for a in node.args]
            if node.func.id not in self.builtins or (
                    not node.keywords and len(args) >= 2 and all(map(dims.is_dim, args))):
                return dim_minmax(node.func.id, args, node.keywords, node)
        if (isinstance(node.func, ast.Name) and node.func.id not in env
                and node.func.id not in self.builtins):
            # Python looks the callee up before it evaluates the arguments.
            raise (jax_api.missing_bare(node.func.id, node.func.span)
                   or ShapeError("unknown-name", "NameError",
                                 f"name {node.func.id!r} is not defined", node.func.span))
        if is_method_call(node, env):
            return self.call_method(node, env)
        func = self.eval(node.func, env)
        for i, a in enumerate(node.args):
            if takes_value(func, i, None):
                self.require_value(a, env)
        for kw in node.keywords:
            if takes_value(func, None, kw.name):
                self.require_value(kw.value, env)
        args = [self.eval(a, env) for a in node.args]
        kwargs = {kw.name: self.eval(kw.value, env) for kw in node.keywords}
        site = CallSite(node.span, node.func.span, tuple(a.span for a in node.args),
                        {kw.name: kw.span for kw in node.keywords})
        if not isinstance(func, Function):
            raise ShapeError("not-callable", "TypeError",
                             f"{describe(func)} is not callable", node.func.span)
        return self.call(func, args, kwargs, site)

    def call_method(self, node, env):
        """``x.sum(axis=0)`` is ``sum(x, axis=0)``; ``x.reshape(a, b)`` is
        ``reshape(x, (a, b))``."""
        attr = node.func.attr
        obj = self.eval(node.func.value, env)
        if is_shape_tuple(obj):
            obj = to_array(obj, node.func.value.span)
        if not isinstance(obj, Array):
            raise ShapeError("bad-argument", "AttributeError",
                             f"{describe(obj)} has no attribute {attr!r}", node.func.span)
        args = [self.eval(a, env) for a in node.args]
        spans = tuple(a.span for a in node.args)
        if attr in _VARARG_METHODS and (len(args) > 1 or (args and dims.is_dim(args[0]))):
            args, spans = [tuple(args)], ((spans[0][0], spans[-1][1]),)
        kwargs = {kw.name: self.eval(kw.value, env) for kw in node.keywords}
        kw_spans = {kw.name: kw.span for kw in node.keywords}
        if attr == "astype" and "dtype" in kwargs and not args:
            # x.astype(dtype=...) is a keyword where jnp.astype's is positional-only
            args, spans = [kwargs.pop("dtype")], (kw_spans.pop("dtype"),)
        site = CallSite(node.span, node.func.span, (node.func.value.span,) + spans, kw_spans)
        return self.apply_op(ARRAY_METHODS[attr], [obj] + args, kwargs, site)

    def call(self, func: Function, args: list, kwargs: dict, site: CallSite):
        """Call a function value; errors without a span get the call's."""
        if self.trace is not None:
            return self.trace.call(self, func, args, kwargs, site)
        try:
            return func.call(self, args, kwargs, site)
        except ShapeError as e:
            raise e.with_span(site.span)

    def apply_op(self, name: str, args, kwargs, site):
        """Apply the operation an infix operator stands for (``x + y`` is add)."""
        if name not in self.builtins:
            raise ShapeError("unsupported", "NotImplementedError",
                             f"{name} is not supported yet", site.span)
        return self.call(self.builtins[name], args, kwargs, site)


# (Evaluator class, node class) -> its eval_ method
_EVAL_METHODS: dict = {}


def sequence_index(value, span):
    """A list or tuple inside an index, as JAX's ``asarray`` makes it: all
    Python bools in a list, a mask with known values; ints (bools among them
    are ints), an int32 array. None for what is not modelled: a tuple of
    bools (JAX fails an assertion), sequences of arrays, nested sequences."""
    all_bools = bool(value) and all(isinstance(v, bool) for v in value)
    if all_bools:
        return shapes.ConcreteMask(len(value), sum(value)) if isinstance(value, list) else None
    if not all(isinstance(v, bool) or (dims.is_dim(v) and dims.as_int(v) is not None)
               for v in value):
        return None
    for v in value:
        check_int32(v, span)
    return shapes.ArrayIndex((dims.const(len(value)),))


def is_dim_minmax(node, env) -> bool:
    """``max(...)`` / ``min(...)`` by their bare names: the max of sizes when
    given two or more sizes, else the reduction (decided on the arguments)."""
    return (isinstance(node.func, ast.Name) and node.func.id in ("max", "min")
            and node.func.id not in env)


def takes_value(func, index: int | None, keyword: str | None) -> bool:
    """Does ``func`` take a value (an array) at this position or keyword? A
    lambda's arguments are values; an operation's array parameters are, its
    static ones (a shape, an axis, a size) are not. Other functions (vmapped,
    jitted, partial) pass arguments on as they are."""
    if isinstance(func, Closure):
        return True
    rule = getattr(func, "rule", None)
    if rule is None:
        return False
    if keyword is not None:
        return any(p.name == keyword and p.array for p in rule.params)
    positional = rule.positional_params
    return index < len(positional) and positional[index].array


def unbound_name(node, env, library) -> str | None:
    """The name, if ``node`` is a bare name that nothing binds (a size symbol
    where a dim is wanted, an undefined variable where a value is)."""
    if isinstance(node, ast.Name) and node.id not in env and node.id not in library:
        return node.id
    return None


def undefined_message(name: str, env) -> str:
    """Python's message, with a bound name that is close ("did you mean 'W'?")."""
    candidates = [n for n in env if n.lower() == name.lower()] or difflib.get_close_matches(
        name, list(env), n=1, cutoff=0.75)
    hint = f"; did you mean {candidates[0]!r}?" if candidates else ""
    return (f"name {name!r} is not defined{hint} (a size symbol belongs inside a shape such "
            f"as ({name},))")


def is_method_call(node, env) -> bool:
    """``x.sum(...)``: a call of an array method (not of a library name such as ``jnp.sum``)."""
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in ARRAY_METHODS:
        return False
    dotted = dotted_name(func)
    return dotted is None or dotted.split(".")[0] in env


def dotted_name(node) -> str | None:
    """``jax.numpy.add`` for an Attribute chain over a Name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def dim_binop(op: str, a, b, node):
    if op == "**":
        _refuse_huge_power(a, b, node)
    result = _dim_arith(op, a, b, node)
    if dims.is_dim(result) and dims.as_int(result) is not None \
            and dims.too_many_digits(dims.as_int(result)):
        raise _too_large(node)
    return result


# `2 ** 2 ** 2 ** 100` would never finish: a concrete size has at most
# dims.MAX_INT_DIGITS digits, and a symbolic base a small power (sympy expands
# `(a + b) ** 100000` when it compares sizes).
MAX_SYMBOLIC_EXPONENT = 64


def _too_large(node) -> ShapeError:
    return ShapeError("unsupported", "ValueError",
                      f"this size has more than {dims.MAX_INT_DIGITS} digits; shapeinfer "
                      "computes with smaller sizes (no array has more than 19)", node.span)


def _refuse_huge_power(a, b, node):
    exponent, base = dims.as_int(b), dims.as_int(a)
    if exponent is None or exponent < 0:
        return  # _dim_arith refuses it
    if base is None and exponent > MAX_SYMBOLIC_EXPONENT:
        raise ShapeError("unsupported", "NotImplementedError",
                         f"a size symbol's power is at most {MAX_SYMBOLIC_EXPONENT} in shapeinfer, "
                         f"not {exponent}", node.right.span)
    if base is not None and abs(base) > 1 \
            and exponent * (abs(base).bit_length() - 1) > dims.MAX_INT_BITS:
        raise _too_large(node)


def _dim_arith(op: str, a, b, node):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op in ("//", "%"):
        # Python raises ZeroDivisionError where the divisor is 0; a divisor
        # that may be 0 (n - b) takes the guard that it is not, so that an
        # answer at sizes where it is (Result.at) is inferred afresh. (Strict
        # mode goes on, as jax.export's dims do: they refuse such a quotient
        # only when a comparison needs its bounds, as dims' decisions do.)
        scope.require(dims.relation("!=", b, 0),
                      ShapeError("bad-argument", "ZeroDivisionError",
                                 "integer division or modulo by zero", node.right.span),
                      scope.JAX_ACCEPTS)
        return dims.floordiv(a, b) if op == "//" else dims.mod(a, b)
    if op == "**" and dims.as_int(b) is not None and dims.as_int(b) >= 0:
        return a ** b
    if op in COMPARISONS:
        return dim_compare(op, a, b, node)
    if op in INT_BITWISE:
        return dim_bitwise(op, a, b, node)
    raise ShapeError("bad-argument", "TypeError",
                     f"dimension expressions use +, -, *, //, %, ** by a constant (not {op})",
                     node.span)


_MAX_SHIFT = 64


def dim_bitwise(op: str, a, b, node):
    """Python's ``&``, ``|``, ``^``, ``<<``, ``>>`` on sizes (the program's
    sizes are ints). Shifts by a constant are arithmetic on any size; the
    others are known only for concrete sizes."""
    shift = dims.as_int(b)
    if op in ("<<", ">>") and shift is not None:
        if shift < 0:
            raise ShapeError("bad-argument", "ValueError", "negative shift count",
                             node.right.span)
        if shift > _MAX_SHIFT:  # a size that no array can have, slow to build
            raise ShapeError("unsupported", "NotImplementedError",
                             f"a shift of a size by more than {_MAX_SHIFT} bits",
                             node.right.span)
        return a * 2 ** shift if op == "<<" else dims.floordiv(a, sympy.Integer(2 ** shift))
    if dims.as_int(a) is not None and shift is not None:
        return sympy.Integer(INT_BITWISE[op](dims.as_int(a), shift))
    raise ShapeError("unsupported", "NotImplementedError",
                     f"{op} of symbolic sizes is not supported (only of concrete ones, and "
                     "shifts by a constant)", node.span)


def dim_unop(op: str, a, node):
    """``-n``, ``+n``, ``~n`` of a size (``~n`` is ``-n - 1`` for any int)."""
    if op == "-":
        return -a
    if op == "~":
        return -a - 1
    return a


def dim_compare(op: str, a, b, node) -> bool:
    """A comparison of two sizes is a Python bool, as comparing ints is.

    One the sizes do not decide: JAX's symbolic ``==`` answers "unequal", so
    default mode answers that too, under the guard ``a != b``; an order
    comparison is inconclusive for JAX, and true under its guard in default
    mode."""
    if op in ("==", "!="):
        decision = dims.decide_eq(a, b)
        if decision is dims.Decision.UNKNOWN:
            if scope.current() is not None and not scope.strict_mode():
                scope.require(dims.relation("!=", a, b), None)
            decision = dims.Decision.FALSE
        return (decision is dims.Decision.TRUE) != (op == "!=")
    return scope.holds(dims.relation(op, a, b), lambda: ShapeError(
        "inconclusive", "InconclusiveDimensionOperation",
        f"whether {dims.fmt_dim(a)} {op} {dims.fmt_dim(b)} depends on the sizes", node.span))


def dim_minmax(name: str, args, keywords, node):
    if keywords or len(args) < 2 or not all(dims.is_dim(a) for a in args):
        raise ShapeError("unsupported", "NotImplementedError",
                         f"{name}(...) is only supported on dimensions (max(a, b)) for now",
                         node.span)
    return (sympy.Max if name == "max" else sympy.Min)(*args)
