"""An operation: a loaded :class:`~shapeinfer.rules.model.Rule` made callable.

:meth:`Operation.call` is the one place a rule's result is built, for every
rule, built-in or user's:

1. bind the arguments to the rule's signature (Python's rules, JAX's names);
2. turn array arguments into :class:`Array`; run the rule's hook, if any;
3. type-check the static parameters;
4. promote dtypes (early rejections), match the clauses (shapes), finish the
   dtype (late rejections; an explicit ``dtype=`` wins);
5. build each output :class:`Array`: its batch tags (the union of the
   operands'), its derivative paths (the rule's derivative rule) and whether
   either is only an upper bound (``uncertain``: a rule with no derivative
   rule, whose outputs may not depend on every operand).
"""
from __future__ import annotations

import sympy

from . import dims, dtype_rules, dtypes, scope
from .autodiff import merge, propagate
from .engine import bind_arguments
from .errors import ShapeError
from .hooks import HOOKS
from .rules import matcher
from .rules.model import REQUIRED, Rule
from .shape_functions import Rows, join_shapes
from .values import Array, DType, Function, describe, is_shape_tuple, to_array


# Array parameters where JAX takes a Python int without making it an int32
# array, so one outside int32 is no OverflowError: jnp.power's integer
# exponent (lax.integer_pow), full's fill_value and convert_element_type's
# operand (numpy converts it), zeros_like / ones_like (only the dtype is read).
_PYTHON_INT_PARAMS = {("power", "y"), ("full", "fill_value"), ("zeros_like", "a"),
                      ("ones_like", "a"), ("lax.convert_element_type", "operand")}


class Context:
    """What a rule sees of one call: the bound arguments and where the call is."""

    trace = None  # the evaluator's tracer, if the derivation is being recorded

    def __init__(self, op: "Operation", bound: dict, written: dict, site):
        self.primitive = op.rule.primitive  # the lax primitive JAX's messages name
        self.bound = bound
        self.written = written
        self.site = site
        self.params: dict = {}
        array_params = op.rule.array_params
        self.array_names = [p.name for p in array_params]
        self.array_args = [bound[p.name] for p in array_params]
        # sequence parameters: name -> a tuple of Arrays, or one Array (its rows)
        self.sequences = {p.name: bound[p.name] for p in op.rule.sequence_params}
        self.arrays = [a for a in self.array_args if a is not None]
        for value in self.sequences.values():
            self.arrays.extend(value if isinstance(value, tuple) else [value])

    @property
    def sequence_shapes(self) -> dict:
        """Sequence parameters as the shape functions see them: a tuple of
        shapes, or :class:`Rows` for an array given where a sequence goes."""
        return {name: (tuple(a.shape for a in value) if isinstance(value, tuple)
                       else Rows(value.shape))
                for name, value in self.sequences.items()}

    @property
    def dim_params(self) -> dict:
        """Static parameters as the clauses see them (ints as dims)."""
        return {name: (sympy.Integer(v) if isinstance(v, int) and not isinstance(v, bool) else v)
                for name, v in self.params.items()}


class Operation(Function):
    """A function of the library: a rule, callable from programs."""

    def __init__(self, rule: Rule):
        self.rule = rule
        self.name = rule.name
        self.params = rule.params
        # The signature as bind_arguments takes it, worked out once rather
        # than on every call (a 60-operation program makes 60 calls)
        params = rule.params
        self._signature = dict(
            params=[p.name for p in params],
            defaults={p.name: p.default for p in params if p.default is not REQUIRED},
            positional_only=[p.name for p in params if p.kind == "positional-only"],
            keyword_only=[p.name for p in params if p.kind == "keyword"],
            varargs=next((p.name for p in params if p.kind == "varargs"), None))
        # (index, param) of the parameters made arrays, and of the static ones
        self._array_params = [(i, p) for i, p in enumerate(params) if p.array or p.sequence]
        self._static_params = [(i, p) for i, p in enumerate(params)
                               if not p.array and not p.sequence]
        self._dtype_param = next((p.name for p in params if p.type == "dtype"), None)

    def param_names(self):
        return [p.name for p in self.params]

    def call(self, ev, args, kwargs, site):
        # Programs repeat calls (each layer of an MLP makes the same three):
        # within one evaluation, an operation on the same arguments under the
        # same facts answers the same, so a repeated call is looked up. Errors
        # are not kept (their spans differ), nor calls whose derivation is traced.
        memo = getattr(ev, "call_memo", None) if ev.trace is None else None
        key = _memo_key(self, args, kwargs) if memo is not None else None
        if key is not None:
            answer = memo.get(key)  # (answers are never None)
            if answer is not None:
                return list(answer) if isinstance(answer, list) else answer  # (a caller's own list)
        answer = self._call(ev, args, kwargs, site)
        if key is not None:
            memo[key] = list(answer) if isinstance(answer, list) else answer
        return answer

    def _call(self, ev, args, kwargs, site):
        rule = self.rule
        written = bind_arguments(self.name, args=args, kwargs=kwargs, site=site,
                                 **self._signature)
        bound = dict(written)
        for i, p in self._array_params:
            if p.type == "arraylike":
                bound[p.name] = _arraylike(written[p.name], site.param(i, p.name))
            elif p.array and not (p.default is None and written[p.name] is None):
                bound[p.name] = to_array(written[p.name], site.param(i, p.name),
                                         int32=(self.name, p.name) not in _PYTHON_INT_PARAMS)
            elif p.sequence:
                bound[p.name] = _sequence(self.name, p, written[p.name], site, i)
        ctx = Context(self, bound, written, site)
        ctx.trace = ev.trace
        answer = HOOKS[rule.hook](ctx) if rule.hook else None
        for i, p in self._static_params:
            ctx.params[p.name] = _static(self.name, p, written[p.name], site.param(i, p.name))
        if answer is None:
            dtype, weak = dtype_rules.promoted(rule.dtype, ctx)
            try:
                shapes = matcher.apply(rule, ctx)
            except ShapeError as e:
                raise e.with_span(site.func_span)
            for shape in shapes:
                _check_sizes(rule, shape, site)
            dtype, weak = dtype_rules.result(rule.dtype, ctx, dtype, weak)
        else:
            shapes, dtype_weak = answer[:2]
            dtype, weak = dtype_weak if isinstance(dtype_weak, tuple) else dtype_weak[0]
        explicit = ctx.params[self._dtype_param] if self._dtype_param else None
        if explicit is not None:  # dtype=..., new_dtype=...: the caller names the result's
            dtype, weak = dtype_rules.explicit(rule.dtype, explicit)
        batch = frozenset().union(*(a.batch for a in ctx.arrays))
        deriv = propagate(rule.derivative, ctx.arrays)
        uncertain = rule.derivative == "unknown" or any(a.uncertain for a in ctx.arrays)
        # a hook may give each output its own (dtype, weak), as a list: svd's
        # singular values are real where its vectors are complex
        per_output = (answer[1] if answer is not None and isinstance(answer[1], list)
                      else [(dtype, weak)] * len(shapes))
        outputs = [Array(tuple(shape), d, w, batch, deriv, uncertain)
                   for shape, (d, w) in zip(shapes, per_output)]
        if answer is not None and answer[2:] == ("list",):  # jnp.split returns a list
            return outputs
        if answer is not None and answer[2:] == ("tuple",):  # jnp.nonzero: a tuple, even of one
            return tuple(outputs)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)


class _NoKey(Exception):
    """An argument that cannot be part of a memo key (a dict, a function)."""


def _memo_key(op: Operation, args, kwargs) -> tuple | None:
    """What an operation's answer depends on: the operation, its arguments
    (arrays with their batch and derivative tags, which the answer carries
    on) and the facts (the active scope and its version); None when an
    argument has no key."""
    sc = scope.current()
    try:
        return (op, sc, sc.version if sc is not None else None,
                tuple(_value_key(a) for a in args),
                tuple((k, _value_key(v)) for k, v in kwargs.items()))
    except (_NoKey, TypeError):  # (TypeError: something unhashable inside)
        return None


def _value_key(value):
    # (the type too: 1.0 == 1 == sympy.Integer(1), but a float argument is a
    # weak f32 and an int a weak i32; True == 1, but True is a bool)
    kind = type(value)
    if kind is Array:
        return (kind, value.shape, value.dtype, value.weak, value.batch,
                frozenset(value.deriv.items()), value.uncertain)
    if kind in (tuple, list) or isinstance(value, tuple):  # (a ShapeTuple too)
        return (kind, tuple(_value_key(v) for v in value))
    if value is None or kind in (bool, int, float, str) or dims.is_dim(value):
        return (kind, value)
    if isinstance(value, DType):  # (jnp.float32 and x.dtype alike)
        return (DType, value.name)
    raise _NoKey


def _sequence(fname: str, p, value, site, index: int):
    """A sequence parameter's arrays: a tuple of Arrays, or one Array, which
    JAX reads as the sequence of its rows (``concatenate(x)``)."""
    if p.kind == "varargs":  # the extra positional arguments, at positions index, index+1, ...
        return tuple(to_array(v, site.arg(index + k)) for k, v in enumerate(value))
    span = site.param(index, p.name)
    if isinstance(value, Array):
        return value
    if isinstance(value, (tuple, list)) and not is_shape_tuple(value):
        return tuple(to_array(v, span) for v in value)
    if is_shape_tuple(value):  # (a, b): one array literal, its rows the sequence
        return to_array(value, span)
    raise ShapeError("bad-argument", "TypeError",
                     f"{fname}: {p.name} must be a sequence of arrays, got {describe(value)}",
                     span)


def _arraylike(value, span) -> Array:
    """What jnp.asarray makes of ``value``: an array as it is; a (nested) list
    or tuple of arrays and scalars stacked along a new first axis, as JAX
    does it (each item expanded and concatenated: items of different shapes
    are its TypeError), with their promoted dtype, not weak."""
    if not isinstance(value, (list, tuple)) or is_shape_tuple(value):
        return to_array(value, span)
    items = [_arraylike(v, span) for v in value]
    if not items:
        return Array((dims.const(0),), dtypes.canonical("f32"))
    shape = join_shapes([(dims.const(1),) + a.shape for a in items], 0)
    dtype, _ = dtypes.result_type(*((a.dtype, a.weak) for a in items))
    return Array(shape, dtype, False, frozenset().union(*(a.batch for a in items)),
                 merge(*(a.deriv for a in items)), any(a.uncertain for a in items))


def _check_sizes(rule: Rule, shape: tuple, site):
    """A rule's output sizes are >= 0: one that is negative for these
    arguments fails the rule; one whose sign the sizes decide takes a guard
    (strict mode: inconclusive, as for a shape literal)."""
    for d in shape:
        if dims.plainly_nonnegative(d):  # sizes as the patterns bound them
            continue
        exception = rule.raises[0] if rule.raises else "TypeError"
        scope.require(
            dims.relation(">=", d, 0),
            lambda: ShapeError("bad-argument", exception,
                               f"{rule.name} gives the shape {dims.fmt_shape(shape)}, with the "
                               f"negative size {dims.fmt_dim(d)}", site.span),
            lambda: ShapeError("inconclusive", "InconclusiveDimensionOperation",
                               f"{rule.name} gives the shape {dims.fmt_shape(shape)}: whether "
                               f"{dims.fmt_dim(d)} >= 0 is inconclusive", site.span))


def _is_int(value) -> bool:
    """A concrete integer: a constant dim, a Python int (a default) or a bool."""
    return isinstance(value, int) or (dims.is_dim(value) and dims.as_int(value) is not None)


def _static(fname: str, p, value, span):
    """A static parameter's value, checked against its type."""
    if value is None and (p.default is None or p.type in ("dtype", "axes")):
        return None  # not given; axes of None are all of them, a dtype of None the default

    def refuse(wanted: str):
        raise ShapeError("bad-argument", "TypeError",
                         f"{fname}: {p.name} must be {wanted}, got {describe(value)}", span)

    if p.type == "int":
        if isinstance(value, int):  # a default, or a bool (an int to Python)
            return int(value)
        if dims.is_dim(value):
            return dims.as_int(value) if dims.as_int(value) is not None else value
        refuse("an integer")
    if p.type == "number":  # a Python number as JAX sees it: a size, an int or a float
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if dims.is_dim(value):
            return dims.as_int(value) if dims.as_int(value) is not None else value
        refuse("a number")
    if p.type == "bool":
        # JAX tests a flag with `if`: any Python value is true or false, but
        # an array's truth is not known while JAX traces.
        if isinstance(value, Array):
            raise ShapeError("bad-argument", "TypeError",
                             f"{fname}: {p.name} must be a Python value; the truth value of an "
                             "array is not known while JAX traces", span)
        if dims.is_dim(value):
            n = dims.as_int(value)
            return value if n is None else bool(n)
        return bool(value)
    if p.type == "axes":
        items = value if isinstance(value, (tuple, list)) else (value,)
        if all(_is_int(a) for a in items):
            ints = tuple(int(a) for a in items)
            return ints if isinstance(value, (tuple, list)) else ints[0]
        if all(_is_int(a) or dims.is_dim(a) for a in items):
            # a size as an axis: an int at every assignment
            symbolic = next(a for a in items if not _is_int(a))
            scope.refuse_symbolic_int(fname, p.name, symbolic, span)
        refuse("an int or a tuple of ints")
    if p.type == "shape":
        items = value if isinstance(value, (tuple, list)) else (value,)
        if all(dims.is_dim(d) or (isinstance(d, int) and not isinstance(d, bool))
               for d in items):
            return tuple(sympy.Integer(d) if isinstance(d, int) else d for d in items)
        refuse("a shape (a tuple of sizes)")
    if p.type == "str":
        if isinstance(value, str):
            return value
        refuse("a string")
    if p.type == "dtype":
        # NumPy's names only: NumPy reads "i8" as int64, not the language's i8
        if isinstance(value, DType):
            return value.name
        if isinstance(value, str) and value in dtypes.SHORT_NAME:
            return dtypes.canonical(dtypes.SHORT_NAME[value])
        refuse("a dtype name such as 'float32'")
    if p.type == "value":
        # any static Python value (tensordot's axes pairs, norm's ord); the
        # shape function that reads it checks its form, as JAX does
        if isinstance(value, Array):
            raise ShapeError("bad-argument", "TypeError",
                             f"{fname}: {p.name} must be a static Python value, not an array",
                             span)
        return dims.plain(value)
    return value
