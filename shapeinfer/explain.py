"""``shapeinfer explain``: the derivation of an answer, step by step.

The engine does the work; this module only listens. An :class:`Evaluator`
has a ``trace`` attribute that is None normally; :func:`explain` sets it to
a :class:`Tracer`, which the engine calls at a few places:

- ``Evaluator.call``: every call of a function value (operation, lambda,
  vmapped / jitted / differentiated function) goes through
  :meth:`Tracer.call`, which records the call, its result or its error;
- ``Vmapped.call``: :meth:`Tracer.vmap_args` (the arguments as given),
  :meth:`Tracer.vmap_axes` (each argument's mapped axis and its size),
  :meth:`Tracer.vmap_mapped` (the mapped size, the per-example arguments)
  and :meth:`Tracer.vmap_inner` (the result of one example);
- ``matcher.apply``: :meth:`Tracer.clause` (the clause of a rule that
  matched and where each of its names was bound).

``shapeinfer table`` uses the same hooks to learn the arguments of each vmap
(see :mod:`shapeinfer.teach`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import dims, pytree
from .api import Result, deep_recursion, error_json, infer_parsed
from .errors import ShapeError
from .library import resolve
from .shapes import normalize_axis
from .syntax import parse
from .values import Array, Function


@dataclass
class Step:
    """One line of a derivation: ``depth`` is the nesting of calls."""
    depth: int
    kind: str   # call, result, vmap-axis, vmap-size, vmap-examples, vmap-inner, vmap-out,
    #             clause, binding, transform, error
    text: str
    data: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"depth": self.depth, "kind": self.kind, "text": self.text, **self.data}


def show(value) -> str:
    """A value the way a step names it: arrays by shape (with the dtype when
    it is not the default f32), functions by name."""
    if isinstance(value, Array):
        return str(value) if value.dtype == "f32" else value.typed_str()
    if isinstance(value, Function):
        return value.name
    if isinstance(value, tuple):
        inner = [show(v) for v in value]
        return "(" + inner[0] + ",)" if len(inner) == 1 else "(" + ", ".join(inner) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in value.items()) + "}"
    if dims.is_dim(value):
        return dims.fmt_dim(value)
    return repr(value)


class Tracer:
    """Records the steps of one evaluation (see the module docstring)."""

    def __init__(self):
        self.steps: list[Step] = []
        self.depth = 0
        self.failed = False       # the innermost failing call has been recorded
        # what ``table`` needs, in the order it happened: ("call", function, args,
        # kwargs, site), ("vmap", Vmapped, args), ("vmap-result", Vmapped, result)
        self.events: list = []
        self._inner: list = []    # per open vmapped call: the result of one example

    def add(self, kind: str, text: str, **data):
        self.steps.append(Step(self.depth, kind, text, data))

    # -- Evaluator.call

    def call(self, ev, func: Function, args, kwargs, site):
        shown = ", ".join([show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()])
        self.add("call", f"{func.name}({shown})", function=func.name)
        self.events.append(("call", func, args, kwargs, site))
        self.depth += 1
        try:
            result = func.call(ev, args, kwargs, site)
        except ShapeError as e:
            e.with_span(site.span)  # what Evaluator.call does
            if not self.failed:  # only the innermost call is the failing step
                self.failed = True
                self.add("error", f"fails: {e.exception}: {e.message.splitlines()[0]} [{e.code}]",
                         code=e.code, exception=e.exception)
            raise
        finally:
            self.depth -= 1
        self._after(func, result)
        return result

    def _after(self, func, result):
        """What a transformation did, then the call's result."""
        from .autodiff import Differentiated
        from .transforms import Jitted, Vmapped

        self.depth += 1
        if isinstance(func, Vmapped):
            self._vmap_out(func, result)
        elif isinstance(func, Differentiated):
            what = _DERIVATIVES.get(func.kind, "{kind}: derivatives with respect to "
                                               "argument(s) {argnums}")
            self.add("transform", what.format(kind=func.kind, argnums=func.argnums))
        elif isinstance(func, Jitted):
            self.add("transform", f"{func.transform} does not change shapes: the result is "
                                  f"{func.fun.name}'s")
        self.depth -= 1
        if isinstance(result, Function):
            self.add("result", f"= the function {result.name}")
        else:
            self.add("result", f"= {show(result)}", result=show(result))

    # -- Vmapped.call

    def vmap_args(self, vmapped, args):
        self.events.append(("vmap", vmapped, args))

    def vmap_axes(self, vmapped, flat):
        """Each argument's mapped axis and its size (before vmap checks that
        the sizes agree, so that a failing check has them above it)."""
        for path, leaf, axis, _ in flat:
            who = vmapped._describe_leaf(path)
            if axis is None:
                self.add("vmap-axis", f"{who} {show(leaf)}: not mapped (in_axes None); "
                                      f"every example sees all of it, {show(leaf)}",
                         argument=who, axis=None)
                continue
            rank = leaf.rank if isinstance(leaf, Array) else 0
            pos = normalize_axis(axis, rank)
            if pos is None:
                self.add("vmap-axis", f"{who} {show(leaf)}: in_axes asks for axis {axis}, "
                                      f"which an array of rank {rank} does not have",
                         argument=who, axis=axis)
                continue
            per_example = leaf.shape[:pos] + leaf.shape[pos + 1:]
            self.add("vmap-axis", f"{who} {show(leaf)}: mapped along axis {axis} "
                                  f"(size {dims.fmt_dim(leaf.shape[pos])}); each example sees "
                                  f"{dims.fmt_shape(per_example)}",
                     argument=who, axis=axis, size=dims.fmt_dim(leaf.shape[pos]),
                     example=dims.fmt_shape(per_example))

    def vmap_mapped(self, vmapped, flat, size, ex_args, ex_kwargs):
        first = next(((path, axis) for path, _, axis, _ in flat if axis is not None), None)
        source = (f"axis_size={show(vmapped.axis_size)}" if vmapped.axis_size is not None
                  else f"axis {first[1]} of {vmapped._describe_leaf(first[0])}")
        self.add("vmap-size", f"mapped size {show(size)} (from {source})", size=show(size))
        examples = [show(a) for a in ex_args] + [f"{k}={show(v)}" for k, v in ex_kwargs.items()]
        self.add("vmap-examples", f"per-example arguments: {', '.join(examples) or '(none)'}",
                 examples=examples)
        self._inner.append((size, None))

    def vmap_inner(self, vmapped, out):
        size, _ = self._inner.pop()
        self._inner.append((size, out))
        self.add("vmap-inner", f"inner result (one example): {show(out)}", inner=show(out))

    def _vmap_out(self, vmapped, result):
        size, out = self._inner.pop() if self._inner else (None, None)
        self.events.append(("vmap-result", vmapped, result))
        if out is None:
            return
        axes = pytree.broadcast_prefix(vmapped.out_axes, out, "vmap out_axes",
                                       lambda x: x is None or isinstance(x, int))
        for (path, leaf), axis in zip(pytree.leaves_with_paths(out), axes):
            where = f"output{path}" if path else "the output"
            if axis is None:
                self.add("vmap-out", f"out_axes None: {where} {show(leaf)} does not depend on "
                                     "a mapped input, so it is returned as it is",
                         out_axis=None)
            else:
                pos = normalize_axis(axis, leaf.rank + 1)
                self.add("vmap-out", f"out_axes {axis}: the mapped axis (size {show(size)}) "
                                     f"goes at position {pos} of {where}",
                         out_axis=axis, position=pos)

    # -- matcher.apply

    def clause(self, rule, number: int, clause, env):
        self.add("clause", f"rule {rule.name}, clause {number}: {clause}",
                 rule=rule.name, clause=number)
        self.depth += 1
        for name, where in env.origin.items():
            value = env[name]
            shown = dims.fmt_shape(value) if isinstance(value, tuple) else dims.fmt_dim(value)
            self.add("binding", f"{name} = {shown} from {where}", name=name, value=shown)
        self.depth -= 1


_DERIVATIVES = {
    "grad": "grad: the output is a scalar; the gradient with respect to argument(s) "
            "{argnums} has the shape of that argument",
    "value_and_grad": "value_and_grad: the value, and the gradient with respect to "
                      "argument(s) {argnums}, which has that argument's shape",
    "jacfwd": "jacfwd: each output's Jacobian with respect to argument(s) {argnums} has the "
              "output's shape followed by the argument's",
    "jacrev": "jacrev: each output's Jacobian with respect to argument(s) {argnums} has the "
              "output's shape followed by the argument's",
}


@dataclass
class Explanation:
    expr: str
    steps: list
    result: Result | None = None
    error: ShapeError | None = None

    def to_json(self) -> dict:
        head = self.result.to_json() if self.result else error_json(self.expr, self.error)
        return {**head, "steps": [s.to_json() for s in self.steps]}

    def render(self) -> str:
        lines = ["  " * s.depth + s.text for s in self.steps]
        if self.result is not None:
            lines.append(f"result: {self.result.describe()}")
        else:
            lines.append(f"error: {self.error.render(self.expr)}\n[{self.error.code}]")
        return "\n".join(lines)


def explain(text: str, *, sizes=None, rules=None) -> Explanation:
    """Evaluate ``text`` recording every step; a shape error is part of the
    explanation (its failing step), not raised. Raises ShapeSyntaxError for
    text that does not parse."""
    tracer = Tracer()
    with deep_recursion(text):
        program = parse(text)
    try:
        result = infer_parsed(program, text, sizes=sizes, library=resolve(rules), trace=tracer)
    except ShapeError as e:
        if not tracer.failed:
            tracer.add("error", f"fails: {e.exception}: {e.message.splitlines()[0]} [{e.code}]",
                       code=e.code, exception=e.exception)
        return Explanation(text, tracer.steps, error=e)
    return Explanation(text, tracer.steps, result)
