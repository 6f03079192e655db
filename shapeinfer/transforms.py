"""Transformations: vmap, jit and checkpoint, partial.

vmap follows ``jax/_src/api.py`` (``vmap``, ``vmap_f``, ``_mapped_axis_size``)
check for check and in the same order, so that the first error JAX would
raise is the one reported, with JAX's exception class.
"""
from __future__ import annotations

from dataclasses import replace

from . import dims, pytree, scope
from .autodiff import without_tag
from .dims import Decision
from .engine import CallSite, Closure, bind_arguments
from .errors import ShapeError
from .shapes import normalize_axis
from .values import (Array, Function, Transform, Transformed, arrayify, check_callable,
                     describe, hashable, to_pytree)


class _BadLeaf:
    """An axis-spec leaf that is not an int or None (kept to report it)."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return _fmt_spec(self.value)


def _fmt_spec(value) -> str:
    if dims.is_dim(value):
        return str(value)
    if isinstance(value, tuple):
        inner = [_fmt_spec(v) for v in value]
        return "(" + inner[0] + ",)" if len(inner) == 1 else "(" + ", ".join(inner) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt_spec(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt_spec(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Array):
        return value.typed_str()
    if isinstance(value, Function):
        return value.name
    return repr(value)


def axis_spec(value):
    """A value as an axis spec: ints, None, tuples, lists, dicts; else _BadLeaf leaves."""
    if value is None:
        return None
    if dims.is_dim(value):
        n = dims.as_int(value)
        return n if n is not None else _BadLeaf(value)
    if isinstance(value, tuple):
        return tuple(axis_spec(v) for v in value)
    if isinstance(value, list):
        return [axis_spec(v) for v in value]
    if isinstance(value, dict):
        return {k: axis_spec(v) for k, v in value.items()}
    return _BadLeaf(value)


def _is_axis_leaf(x) -> bool:
    return x is None or isinstance(x, (int, _BadLeaf))


def _is_jax_value(leaf) -> bool:
    """Arrays and Python numbers; not strings or functions."""
    return isinstance(leaf, (Array, bool, float)) or dims.is_dim(leaf)


def _rank(leaf) -> int:
    """A Python scalar or any other non-array leaf has rank 0, as np.shape says."""
    return leaf.rank if isinstance(leaf, Array) else 0


def _same_size(a, b) -> bool:
    """Provably equal sizes (an axis_size that is not a dim equals nothing)."""
    return dims.is_dim(a) and dims.is_dim(b) and dims.decide_eq(a, b) is Decision.TRUE


class VmapTransform(Transform):
    """The built-in ``vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None)``."""

    name = "vmap"
    jax_name = "jax.vmap"
    # jax.vmap's signature in the pinned JAX; axis_name, spmd_axis_name and
    # sum_match do not change shapes.
    params = ("fun", "in_axes", "out_axes", "axis_name", "axis_size", "spmd_axis_name",
              "sum_match")
    defaults = {"in_axes": 0, "out_axes": 0, "axis_name": None, "axis_size": None,
                "spmd_axis_name": None, "sum_match": False}

    def call(self, ev, args, kwargs, site):
        defaults = {k: (dims.const(v) if isinstance(v, int) else v) for k, v in self.defaults.items()}
        b = bind_arguments("vmap", self.params, args, kwargs, site, defaults)
        spans = {name: site.param(i, name) for i, name in enumerate(self.params)}
        check_callable(b["fun"], "vmap", spans["fun"])
        in_axes = axis_spec(b["in_axes"])
        out_axes = axis_spec(b["out_axes"])
        if isinstance(in_axes, list):
            in_axes = tuple(in_axes)  # JAX canonicalizes a top-level list (jax#2367)
        if not (in_axes is None or isinstance(in_axes, (int, tuple))):
            raise ShapeError(
                "vmap-in-axes-spec", "TypeError",
                "vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
                f"positional arguments passed to the function, but got {_fmt_spec(in_axes)}.",
                spans["in_axes"])
        if not all(isinstance(x, int) for x in pytree.leaves(in_axes)):
            raise ShapeError(
                "vmap-in-axes-spec", "TypeError",
                "vmap in_axes must be an int, None, or (nested) container with those types as "
                f"leaves, but got {_fmt_spec(in_axes)}.", spans["in_axes"])
        if not all(isinstance(x, int) for x in pytree.leaves(out_axes)):
            raise ShapeError(
                "vmap-out-axes-spec", "TypeError",
                "vmap out_axes must be an int, None, or (nested) container with those types as "
                f"leaves, but got {_fmt_spec(out_axes)}.", spans["out_axes"])
        return Vmapped(b["fun"], in_axes, out_axes, b["axis_size"], spans)


class Vmapped(Transformed):
    """``vmap(fun, ...)``: a function that maps ``fun`` over an axis."""

    def __init__(self, fun: Function, in_axes, out_axes, axis_size, spans: dict):
        super().__init__(fun, f"vmap({fun.name})")
        self.in_axes = in_axes
        self.out_axes = out_axes
        self.axis_size = axis_size
        self.spans = spans

    def call(self, ev, args, kwargs, site):
        in_axes = self.in_axes
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ShapeError(
                "vmap-in-axes-spec", "ValueError",
                "vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
                "positional arguments passed to the function, but got "
                f"len(in_axes)={len(in_axes)}, len(args)={len(args)}", self.spans["in_axes"])
        # Shape literals are arrays; anything else (an int, a function) is passed
        # through as JAX passes it, and is an error only where it is mapped.
        args = tuple(arrayify(a, site.arg(i)) for i, a in enumerate(args))
        kwargs = {k: arrayify(v, site.kw(k)) for k, v in kwargs.items()}
        if ev.trace is not None:
            ev.trace.vmap_args(self, args)
        try:
            arg_axes = pytree.broadcast_prefix(in_axes, args, "vmap in_axes", _is_axis_leaf)
        except pytree.PrefixError as e:
            raise ShapeError("vmap-in-axes-spec", "ValueError", str(e),
                             self.spans["in_axes"]) from None
        flat = [(path, leaf, axis, self._leaf_span(path, site))
                for (path, leaf), axis in zip(pytree.leaves_with_paths(args), arg_axes)]
        flat += [(f"kwargs[{k!r}]{path}", leaf, 0, site.kw(k))
                 for k in sorted(kwargs) for path, leaf in pytree.leaves_with_paths(kwargs[k])]

        if ev.trace is not None:
            ev.trace.vmap_axes(self, flat)
        size = self._mapped_size(flat)
        tid = ev.new_trace_id()

        def per_example(leaf, axis):
            if axis is None:
                return leaf
            pos = normalize_axis(axis, _rank(leaf))
            return replace(leaf, shape=leaf.shape[:pos] + leaf.shape[pos + 1:],
                           batch=leaf.batch | {tid})

        ex_args = pytree.unflatten_like(args, [per_example(leaf, ax) for _, leaf, ax, _ in flat[:len(arg_axes)]])
        ex_kwargs = {k: pytree.map_leaves(lambda leaf: per_example(leaf, 0), v) for k, v in kwargs.items()}
        if ev.trace is not None:
            ev.trace.vmap_mapped(self, flat, size, ex_args, ex_kwargs)
        inner_site = CallSite(site.span, self.spans["fun"], site.arg_spans, site.kw_spans)
        out = to_pytree(ev.call(self.fun, list(ex_args), ex_kwargs, inner_site),
                        self.spans["fun"])
        if ev.trace is not None:
            ev.trace.vmap_inner(self, out)
        return self._stack_outputs(out, size, tid)

    def _leaf_span(self, path: str, site):
        index = int(path[1:path.index("]")])
        return site.arg(index)

    def _describe_leaf(self, path: str) -> str:
        if path.startswith("kwargs"):
            return path
        index = int(path[1:path.index("]")])
        names = self.fun.param_names()
        rest = path[path.index("]") + 1:]
        if names is None or index >= len(names):
            return f"args{path}"
        return f"argument {names[index]}{rest}"

    def _mapped_size(self, flat):
        """The size of the mapped axis, or JAX's error (``_mapped_axis_size``)."""
        if not flat:
            if self.axis_size is not None:
                return self._valid_axis_size()
            raise ShapeError(
                "vmap-no-mapped-axis", "ValueError",
                "vmap wrapped function must be passed at least one argument containing an "
                "array or axis_size must be specified", self.spans["in_axes"])
        # JAX takes the type of every mapped argument first (core.typeof).
        for path, leaf, axis, span in flat:
            if axis is not None and not _is_jax_value(leaf):
                raise ShapeError("bad-argument", "TypeError",
                                 f"{self._describe_leaf(path)}: {describe(leaf)} is not a valid "
                                 "JAX type, so vmap cannot map it", span)
        mapped = []
        for path, leaf, axis, span in flat:
            if axis is None:
                continue
            pos = normalize_axis(axis, _rank(leaf))
            if pos is None:
                min_rank = axis + 1 if axis >= 0 else -axis
                raise ShapeError(
                    "vmap-axis-out-of-range", "ValueError",
                    f"vmap was requested to map its argument along axis {axis}, which implies "
                    f"that its rank should be at least {min_rank}, but is only {_rank(leaf)} "
                    f"(its shape is {leaf if isinstance(leaf, Array) else '()'})", span)
            mapped.append((leaf.shape[pos], path, leaf, axis, span))
        sizes = [m[0] for m in mapped]
        if self.axis_size is not None:
            sizes.append(self.axis_size)
        if not sizes:
            raise ShapeError(
                "vmap-no-mapped-axis", "ValueError",
                "vmap must have at least one non-None value in in_axes or axis_size must be "
                "specified", self.spans["in_axes"])
        if not mapped:
            return self._valid_axis_size()
        reference = self.axis_size if self.axis_size is not None else sizes[0]
        if not all(dims.is_dim(s) for s in sizes) or any(
                dims.decide_eq(s, reference) is Decision.FALSE for s in sizes):
            self._raise_inconsistent(mapped)  # before any guard: no guard saves it
        for s in sizes:  # the mapped sizes must agree (a guard each where unknown)
            scope.require_eq(reference, s, lambda: self._inconsistent(mapped))
        return reference

    def _valid_axis_size(self):
        """axis_size as the size of the new axis (JAX checks it only when it builds that axis)."""
        size = self.axis_size
        negative = ShapeError("bad-argument", "TypeError",
                              f"vmap axis_size must be a non-negative int, got {_fmt_spec(size)}",
                              self.spans["axis_size"])
        if not dims.is_dim(size):
            raise negative
        scope.require(dims.relation(">=", size, 0), negative, lambda: ShapeError(
            "inconclusive", "InconclusiveDimensionOperation",
            f"vmap axis_size {size} may be negative: whether it is >= 0 is inconclusive",
            self.spans["axis_size"]))
        return size

    def _raise_inconsistent(self, mapped):
        raise self._inconsistent(mapped)

    def _inconsistent(self, mapped) -> ShapeError:
        groups: list[list] = []  # mapped entries grouped by equal size, in order
        for entry in mapped:
            for g in groups:
                if dims.decide_eq(g[0][0], entry[0]) is Decision.TRUE:
                    g.append(entry)
                    break
            else:
                groups.append([entry])
        groups.sort(key=len, reverse=True)  # most common first, as JAX reports
        lines = ["vmap got inconsistent sizes for array axes to be mapped:"]
        if self.axis_size is not None:
            lines.append(f"  * the `axis_size` argument was {self.axis_size};")
        for i, g in enumerate(groups):
            size, path, leaf, axis, _ = g[0]
            what = f"axis {axis} of {self._describe_leaf(path)} of type {leaf.typed_str()}"
            if len(g) == 1:
                lines.append(f"  * one axis had size {size}: {what};")
            else:
                many = "most" if i == 0 else "some"
                lines.append(f"  * {many} axes ({len(g)} of them) had size {size}, e.g. {what};")
        if self.axis_size is not None:
            culprit = next((e for e in mapped if not _same_size(e[0], self.axis_size)), mapped[0])
        else:
            culprit = groups[1][0] if len(groups) > 1 else groups[0][0]
        return ShapeError("vmap-inconsistent-sizes", "ValueError",
                          "\n".join(lines)[:-1], culprit[4])

    def _stack_outputs(self, out, size, tid):
        try:
            out_axes = pytree.broadcast_prefix(self.out_axes, out, "vmap out_axes", _is_axis_leaf)
        except pytree.PrefixError as e:
            raise ShapeError("vmap-out-axes-spec", "ValueError", str(e),
                             self.spans["out_axes"]) from None
        stacked = []
        for (path, leaf), axis in zip(pytree.leaves_with_paths(out), out_axes):
            batched = tid in leaf.batch
            if axis is None:
                if batched and leaf.uncertain:
                    raise ShapeError(
                        "unsupported", "NotImplementedError",
                        f"at vmap out_axes{path}: whether this output is batched is beyond "
                        "what shapeinfer tracks (derivatives of derivatives, and operations "
                        "whose rule has no derivative rule, are tracked only approximately); "
                        "use an int out_axes",
                        self.spans["out_axes"])
                if batched:
                    raise ShapeError(
                        "vmap-out-axes-none", "ValueError",
                        f"at vmap out_axes{path}, got axis spec None but output was batched: "
                        f"it depends on a mapped input, so it needs an int out_axes (the "
                        f"output has shape {leaf} for each example)",
                        self.spans["out_axes"])
                stacked.append(replace(leaf, deriv=without_tag(leaf.deriv, tid)))
                continue
            rank = leaf.rank + 1
            pos = normalize_axis(axis, rank)
            if pos is None:
                raise ShapeError(
                    "vmap-out-axis-out-of-range", "ValueError",
                    f"axis {axis} is out of bounds for array of dimension {rank} "
                    f"(out_axes{path} for an output of shape {leaf} with the mapped axis added)",
                    self.spans["out_axes"])
            stacked.append(replace(leaf, shape=leaf.shape[:pos] + (size,) + leaf.shape[pos:],
                                   batch=leaf.batch - {tid}, deriv=without_tag(leaf.deriv, tid)))
        return pytree.unflatten_like(out, stacked)


class PassThroughTransform(Transform):
    """``jit(fun, **options)``, ``checkpoint(fun, **options)``: the same shapes.

    Of their options only static_argnums / static_argnames matter to shapes:
    static arguments are passed through as they are (and must be hashable,
    so not arrays); every other argument becomes a JAX value.
    """

    def __init__(self, name: str, jax_name: str, options: tuple[str, ...],
                 fun_positional_only: bool = False):
        self.name = name
        self.jax_name = jax_name
        self.options = options  # keyword-only, as in JAX
        self.fun_positional_only = fun_positional_only

    def call(self, ev, args, kwargs, site):
        if len(args) > 1:
            raise ShapeError("arity", "TypeError",
                             f"{self.name}() takes 1 positional argument but {len(args)} were "
                             "given", site.arg(1))
        b = bind_arguments(self.name, ("fun",) + self.options, args, kwargs, site,
                           {o: None for o in self.options},
                           ("fun",) if self.fun_positional_only else ())
        check_callable(b["fun"], self.name, site.param(0, "fun"))
        static_nums = _int_tuple(b.get("static_argnums"), "static_argnums", site.kw("static_argnums"))
        static_names = _name_tuple(b.get("static_argnames"), site.kw("static_argnames"))
        if self.name == "jit" and isinstance(b["fun"], Closure):
            params = b["fun"].param_names()
            if any(i >= len(params) or i < -len(params) for i in static_nums):
                raise ShapeError("bad-argument", "ValueError",
                                 f"jitted function has static_argnums={static_nums}, but only "
                                 f"accepts {len(params)} positional arguments",
                                 site.kw("static_argnums"))
            unknown = sorted(set(static_names) - set(params))
            if unknown:
                raise ShapeError("bad-argument", "ValueError",
                                 f"jitted function has invalid argnames {unknown} in "
                                 "static_argnames. Function does not take these args.",
                                 site.kw("static_argnames"))
        return Jitted(b["fun"], site.param(0, "fun"), self.name, static_nums, static_names)


def _int_tuple(value, what: str, span) -> tuple[int, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, (tuple, list)) else (value,)
    if not all(dims.is_dim(i) and dims.as_int(i) is not None for i in items):
        raise ShapeError("bad-argument", "TypeError",
                         f"{what} must be an int or a tuple of ints, got {_fmt_spec(value)}", span)
    return tuple(dims.as_int(i) for i in items)


def _name_tuple(value, span) -> tuple[str, ...]:
    """static_argnames: a string or an iterable of strings, as JAX takes it."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (tuple, list)):
        raise ShapeError("bad-argument", "TypeError",
                         f"static_argnames: {describe(value)} is not iterable", span)
    if not all(isinstance(v, str) for v in value):
        raise ShapeError("bad-argument", "TypeError",
                         "static_argnames: argument is not a string", span)
    return tuple(value)


class Jitted(Transformed):
    def __init__(self, fun: Function, fun_span, transform: str = "jit",
                 static_argnums: tuple = (), static_argnames: tuple = ()):
        super().__init__(fun, f"{transform}({fun.name})")
        self.transform = transform
        self.fun_span = fun_span
        self.static_argnums = static_argnums
        self.static_argnames = static_argnames

    def call(self, ev, args, kwargs, site):
        nums, names = self._static_arguments()
        for i in nums:
            if not -len(args) <= i < len(args) and not (i >= 0 and names):
                raise ShapeError("bad-argument", "ValueError",
                                 f"static_argnums={i} is out of range for {len(args)} "
                                 "positional arguments", site.span)
        static = {i % len(args) for i in nums if -len(args) <= i < len(args)}
        args = [self._static(a, site.arg(i)) if i in static else to_pytree(a, site.arg(i))
                for i, a in enumerate(args)]
        kwargs = {k: self._static(v, site.kw(k)) if k in names
                  else to_pytree(v, site.kw(k)) for k, v in kwargs.items()}
        inner_site = CallSite(site.span, self.fun_span, site.arg_spans, site.kw_spans)
        return to_pytree(ev.call(self.fun, args, kwargs, inner_site), self.fun_span)

    def _static_arguments(self) -> tuple[set, set]:
        """static_argnums and static_argnames, each completed from the other
        through a lambda's parameters, as jax.jit does with the signature."""
        nums, names = set(self.static_argnums), set(self.static_argnames)
        params = self.fun.param_names() if isinstance(self.fun, Closure) else None
        if params is not None:
            if not self.static_argnames:
                names = {params[i] for i in nums if -len(params) <= i < len(params)}
            if not self.static_argnums:
                nums = {params.index(n) for n in names if n in params}
        return nums, names

    def _static(self, value, span):
        value = arrayify(value)
        # jit hashes its static arguments (its cache key); checkpoint does not.
        if self.transform == "jit" and not hashable(value):
            raise ShapeError("bad-argument", "ValueError",
                             "Non-hashable static arguments are not supported: "
                             f"{describe(value)} cannot be hashed (jit's cache key); "
                             "pass a tuple instead of a list, or make it a traced argument",
                             span)
        return value


class PartialTransform(Transform):
    """``partial(fun, *args, **kwargs)`` (functools.partial)."""

    name = "partial"
    jax_name = "functools.partial"

    def call(self, ev, args, kwargs, site):
        if not args:
            raise ShapeError("arity", "TypeError",
                             "partial() missing required argument 'func'", site.span)
        check_callable(args[0], "partial", site.arg(0))
        return Partial(args[0], list(args[1:]), dict(kwargs), site)


class Partial(Transformed):
    def __init__(self, fun: Function, args: list, kwargs: dict, site: CallSite):
        super().__init__(fun, f"partial({fun.name})")
        self.args = args
        self.kwargs = kwargs
        self.site = site

    def param_names(self):
        names = self.fun.param_names()
        return None if names is None else names[len(self.args):]

    def call(self, ev, args, kwargs, site):
        inner_site = CallSite(site.span, self.site.arg(0),
                              tuple(self.site.arg_spans[1:]) + tuple(site.arg_spans),
                              {**self.site.kw_spans, **site.kw_spans})
        return ev.call(self.fun, self.args + list(args), {**self.kwargs, **kwargs}, inner_site)
