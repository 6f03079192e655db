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
  matched and where each of its names was bound);
- ``Evaluator.array_item``: :meth:`Tracer.index` (an array's shape, the
  index and the resulting shape, dim by dim); ``Evaluator.eval_Subscript``:
  :meth:`Tracer.shape_item` (``x.shape[0]``).

``shapeinfer table`` uses the same hooks to learn the arguments of each vmap
(see :mod:`shapeinfer.teach`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import dims, pytree
from .api import Result, deep_recursion, error_json, infer_parsed
from .errors import ShapeError
from .library import resolve
from . import shapes
from .shapes import normalize_axis
from .syntax import parse
from .values import Array, Function, to_array, to_pytree


@dataclass
class Step:
    """One line of a derivation: ``depth`` is the nesting of calls."""
    depth: int
    kind: str   # call, result, vmap-axis, vmap-size, vmap-examples, vmap-inner, vmap-out,
    #             clause, binding, transform, index, index-axis, error
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

    def __init__(self, text: str | None = None):
        self.text = text          # the program, to quote an index by its span
        self.steps: list[Step] = []
        self.depth = 0
        self.failed = False       # the innermost failing call has been recorded
        # what ``table`` needs, in the order it happened: ("call", function, args,
        # kwargs, site), ("vmap", Vmapped, args), ("vmap-result", Vmapped, result)
        self.events: list = []
        self._inner: list = []    # per open vmapped call: the result of one example
        self._children: list = []  # per open call: the results of the calls made in it

    def add(self, kind: str, text: str, **data):
        self.steps.append(Step(self.depth, kind, text, data))

    # -- Evaluator.call

    def call(self, ev, func: Function, args, kwargs, site):
        shown = ", ".join([show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()])
        start = len(self.steps)
        self.add("call", f"{func.name}({shown})", function=func.name)
        self.events.append(("call", func, args, kwargs, site))
        self.depth += 1
        self._children.append([])
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
            children = self._children.pop()
        if self._children:
            self._children[-1].append(result)
        self._after(func, args, kwargs, result, children, start)
        return result

    def _after(self, func, args, kwargs, result, children: list, start: int):
        """What a transformation did, then the call's result. ``children`` are
        the results of the calls made directly inside this one; ``start`` is
        the index of the call's own step."""
        from .autodiff import Differentiated
        from .control_flow import _ControlFlow, _Loop
        from .operation import Operation
        from .transforms import Jitted, Vmapped
        from .vectorize import Vectorized

        self.depth += 1
        if isinstance(func, Vmapped):
            self._vmap_out(func, result)
        elif isinstance(func, Differentiated):
            self._derivative(func, args, result, children)
        elif isinstance(func, Jitted):
            self.add("transform", f"{func.transform} does not change shapes: the result is "
                                  f"{func.fun.name}'s")
        elif isinstance(func, _ControlFlow):
            if isinstance(func, _Loop):
                self._drop_repeats(start)
            self._control_flow(func, args, kwargs, result)
        elif isinstance(func, Vectorized):
            self._vectorize(func, args, result)
        elif isinstance(func, Operation) and func.rule.hook and not any(
                s.kind == "clause" and s.depth == self.depth for s in self.steps[start:]):
            self.add("clause", f"rule {func.name}: answered by its Python hook "
                               f"{func.rule.hook!r} (see shapeinfer/hooks.py)",
                     rule=func.name, hook=func.rule.hook)
        self.depth -= 1
        if isinstance(result, Function):
            self.add("result", f"= the function {result.name}")
        else:
            self.add("result", f"= {show(result)}", result=show(result))

    # -- transformations

    def _derivative(self, func, args, result, children: list):
        """What grad / value_and_grad / jacfwd / jacrev did, with the shapes."""
        out = children[-1] if children else None  # the differentiated function's output
        if func.has_aux and isinstance(out, (tuple, list)) and len(out) == 2:
            out = out[0]
        nums = func.argnums if isinstance(func.argnums, tuple) else (func.argnums,)
        wrt = ", ".join(f"argument {i} {show(args[i])}" for i in nums
                        if isinstance(i, int) and -len(args) <= i < len(args))
        self.add("transform", _DERIVATIVES[func.kind].format(out=show(out), wrt=wrt),
                 transform=func.kind, output=show(out), wrt=wrt)

    def _drop_repeats(self, start: int):
        """A loop's body runs until its carry's types settle (JAX traces it
        once): a run whose steps repeat the one before is shown once."""
        depth = self.steps[start].depth + 1
        blocks: list[list] = []
        for step in self.steps[start + 1:]:
            if step.depth == depth and step.kind == "call" or not blocks:
                blocks.append([])
            blocks[-1].append(step)
        kept = [b for i, b in enumerate(blocks)
                if i == 0 or [(s.depth, s.kind, s.text) for s in b]
                != [(s.depth, s.kind, s.text) for s in blocks[i - 1]]]
        self.steps[start + 1:] = [s for b in kept for s in b]

    def _control_flow(self, func, args, kwargs, result):
        """What scan / fori_loop / while_loop / cond / switch / tree.map do to shapes."""
        names = {"scan": ("f", "init", "xs", "length"),
                 "fori_loop": ("lower", "upper", "body_fun", "init_val"),
                 "while_loop": ("cond_fun", "body_fun", "init_val")}.get(func.name, ())
        bound = {**dict(zip(names, args)), **kwargs}
        if func.name == "scan":
            carry, ys = result
            xs = bound.get("xs")
            if xs is not None:
                xs = to_pytree(xs, None)  # what scan made of it
                sliced = pytree.map_leaves(lambda a: replace(a, shape=a.shape[1:]), xs)
                self.add("transform", f"scan: each step gets the carry and one slice of xs "
                                      f"{show(xs)} along its leading axis, {show(sliced)}",
                         xs=show(xs), x=show(sliced))
            self.add("transform", f"scan: the carry keeps its shape and dtype: {show(carry)}",
                     carry=show(carry))
            ys_leaves = [y for y in pytree.leaves(ys) if isinstance(y, Array)]
            if ys_leaves:
                length = dims.fmt_dim(ys_leaves[0].shape[0])
                per_step = pytree.map_leaves(lambda y: replace(y, shape=y.shape[1:]), ys)
                self.add("transform", f"scan: the ys of each step, {show(per_step)}, are stacked "
                                      f"along a new leading axis of length {length}: "
                                      f"{show(ys)}", y=show(per_step), ys=show(ys),
                         length=length)
        elif func.name in ("fori_loop", "while_loop"):
            gets = ("the loop index (an int32 scalar) and the carry" if func.name == "fori_loop"
                    else "the carry")
            self.add("transform", f"{func.name}: the body gets {gets} and must return a carry "
                                  f"of the same shapes and dtypes: {show(result)}",
                     carry=show(result))
        elif func.name in ("cond", "switch"):
            self.add("transform", f"{func.name}: every branch must return the same shapes and "
                                  f"dtypes; the result is theirs: {show(result)}")
        elif func.name == "tree.map":
            self.add("transform", f"tree.map: the function is called on each leaf of the tree "
                                  f"(with the matching parts of the other trees); the results "
                                  f"keep the tree's structure: {show(result)}")

    def _vectorize(self, func, args, result):
        """jnp.vectorize: each argument's core dims (from the signature) and
        loop dims, which broadcast and go in front of the core outputs."""
        ins, outs = func.parsed or ([()] * len(args), [()])
        for i, (arg, core) in enumerate(zip(args, ins)):
            shape = to_array(arg, None).shape  # what vectorize made of it
            split = len(shape) - len(core)
            names = f"({', '.join(core)})" if core else "none"
            self.add("transform", f"argument {i} {dims.fmt_shape(shape)}: core dims {names} = "
                                  f"{dims.fmt_shape(shape[split:])}, loop dims "
                                  f"{dims.fmt_shape(shape[:split])}",
                     argument=i, core=dims.fmt_shape(shape[split:]),
                     loop=dims.fmt_shape(shape[:split]))
        first = pytree.leaves(result)[0] if pytree.leaves(result) else None
        if isinstance(first, Array):
            loop = first.shape[:first.rank - len(outs[0])]
            self.add("transform", f"the loop dims broadcast to {dims.fmt_shape(loop)}, which go "
                                  f"in front of each output's core dims: {show(result)}",
                     loop=dims.fmt_shape(loop))

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

    # -- Evaluator.array_item and eval_Subscript

    def index(self, shape: tuple, items: list, result: tuple):
        """``x[items]`` on an array of ``shape``: the index, the result and,
        for a basic index (ints, slices, None, ...), what each item did."""
        index = ", ".join(_index_text(i) for i in items)
        self.add("index", f"index {dims.fmt_shape(shape)}[{index}] = "
                          f"{dims.fmt_shape(result)}", shape=dims.fmt_shape(shape),
                 index=index, result=dims.fmt_shape(result))
        if not all(isinstance(i, (tuple, shapes.Newaxis, shapes.EllipsisIndex))
                   or dims.is_dim(i) for i in items):
            return  # index arrays and masks: the one line above says it all
        self.depth += 1
        axis = 0
        for item in items:
            if isinstance(item, shapes.EllipsisIndex):  # it stands for the axes no item uses
                kept = len(shape) - sum(not isinstance(i, (shapes.Newaxis, shapes.EllipsisIndex))
                                        for i in items)
                if kept:
                    which = (f"axis {axis}" if kept == 1
                             else f"axes {axis}..{axis + kept - 1}")
                    self.add("index-axis", f"... keeps {which}: "
                                           f"{dims.fmt_shape(shape[axis:axis + kept])}")
                axis += kept
            elif isinstance(item, shapes.Newaxis):
                self.add("index-axis", "None adds an axis of size 1")
            elif isinstance(item, tuple):
                size = shapes.slice_size(*item, shape[axis])
                self.add("index-axis", f"axis {axis} ({dims.fmt_dim(shape[axis])})"
                                       f"[{_index_text(item)}] = {dims.fmt_dim(size)}",
                         axis=axis, size=dims.fmt_dim(size))
                axis += 1
            else:
                self.add("index-axis", f"axis {axis} ({dims.fmt_dim(shape[axis])})"
                                       f"[{dims.fmt_dim(item)}]: removed", axis=axis)
                axis += 1
        if axis < len(shape):
            self.add("index-axis", f"the axes not indexed stay: "
                                   f"{dims.fmt_shape(shape[axis:])}")
        self.depth -= 1

    def shape_item(self, shape: tuple, span, item):
        """``x.shape[i]`` (or a slice of it): a dim, or a tuple of dims."""
        where = f"[{self.text[span[0]:span[1]]}]" if self.text and span else "[...]"
        got = dims.fmt_shape(item) if isinstance(item, tuple) else dims.fmt_dim(item)
        self.add("index", f"shape {dims.fmt_shape(shape)}{where} = {got}",
                 shape=dims.fmt_shape(shape), result=got)

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


def _index_text(item) -> str:
    """An index item as it would be written: ``1:``, ``::2``, ``None``, ``0``."""
    if isinstance(item, tuple):  # a slice
        text = ":".join("" if b is None else dims.fmt_dim(b) for b in item)
        return text[:-1] if text.endswith(":") and item[2] is None else text
    if isinstance(item, shapes.Newaxis):
        return "None"
    if isinstance(item, shapes.EllipsisIndex):
        return "..."
    if isinstance(item, (shapes.ArrayIndex, shapes.BoolMask)):
        kind = "int" if isinstance(item, shapes.ArrayIndex) else "bool"
        return f"<{kind} array {dims.fmt_shape(item.shape)}>"
    if isinstance(item, shapes.ConcreteMask):
        return f"<list of {item.length} bools>"
    if isinstance(item, bool):
        return str(item)
    return dims.fmt_dim(item)


_DERIVATIVES = {
    "grad": "grad: the function's output {out} is a scalar; the gradient has the shape of "
            "{wrt}",
    "value_and_grad": "value_and_grad: the value, {out}, and the gradient, which has the shape "
                      "of {wrt}",
    "jacfwd": "jacfwd: the Jacobian of the output {out} with respect to {wrt} has the output's "
              "shape followed by the argument's",
    "jacrev": "jacrev: the Jacobian of the output {out} with respect to {wrt} has the output's "
              "shape followed by the argument's",
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
    tracer = Tracer(text)
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
