"""``jnp.vectorize(f, signature="(n),(n)->()")``: ``f`` on the core dims of
each argument, mapped over the broadcast loop dims in front of them
(jax/_src/numpy/vectorize.py), with its checks and messages.
"""
from __future__ import annotations

import re
from dataclasses import replace

from . import dims, pytree, scope, shapes
from .engine import CallSite, bind_arguments
from .errors import ShapeError
from .values import (Array, Function, Transform, Transformed, check_callable, describe, to_array,
                     to_pytree)

_DIMS = r"\(\w*(?:,\w+)*\)"
_SIGNATURE = re.compile(rf"^{_DIMS}(?:,{_DIMS})*->{_DIMS}(?:,{_DIMS})*$")


def parse_signature(text: str, span) -> tuple[list[tuple], list[tuple]]:
    """``"(n),(n)->()"`` -> ``([("n",), ("n",)], [()])``, or JAX's ValueError."""
    compact = re.sub(r"\s+", "", text)
    if not _SIGNATURE.match(compact):
        raise ShapeError("bad-argument", "ValueError", f"not a valid gufunc signature: {text}",
                         span)
    ins, outs = compact.split("->")
    parse = lambda side: [tuple(n for n in group.split(",") if n)  # noqa: E731
                          for group in re.findall(r"\(([^)]*)\)", side)]
    return parse(ins), parse(outs)


class VectorizeTransform(Transform):
    """``jnp.vectorize(pyfunc, *, excluded=frozenset(), signature=None)``."""

    name = "vectorize"
    jax_name = "jax.numpy.vectorize"

    def call(self, ev, args, kwargs, site):
        b = bind_arguments("vectorize", ("pyfunc", "excluded", "signature"), args, kwargs, site,
                           {"excluded": None, "signature": None}, (), ("excluded", "signature"))
        check_callable(b["pyfunc"], "vectorize", site.param(0, "pyfunc"))
        if b["excluded"] not in (None, frozenset(), ()):
            raise ShapeError("unsupported", "NotImplementedError",
                             "vectorize(excluded=...) is not modelled", site.kw("excluded"))
        signature = b["signature"]
        if signature is not None and not isinstance(signature, str):
            raise ShapeError("bad-argument", "TypeError",
                             "vectorize: signature must be a string such as \"(n),(n)->()\"",
                             site.kw("signature"))
        parsed = None if signature is None else parse_signature(signature, site.kw("signature"))
        return Vectorized(b["pyfunc"], signature, parsed, site.param(0, "pyfunc"))


class Vectorized(Transformed):
    def __init__(self, fun: Function, signature, parsed, fun_span):
        super().__init__(fun, f"vectorize({fun.name})")
        self.signature, self.parsed, self.fun_span = signature, parsed, fun_span

    def _where(self) -> str:
        return f"on vectorized function with signature={self.signature!r}"

    def call(self, ev, args, kwargs, site):
        if kwargs:
            raise ShapeError("unsupported", "NotImplementedError",
                             "keyword arguments to a vectorized function are not modelled",
                             site.kw(next(iter(kwargs))))
        arrays = [to_array(a, site.arg(i)) for i, a in enumerate(args)]
        ins, outs = self.parsed or ([()] * len(arrays), None)
        if len(ins) != len(arrays):
            raise ShapeError("arity", "TypeError",
                             f"wrong number of positional arguments: expected {len(ins)}, got "
                             f"{len(arrays)} {self._where()}", site.span)
        sizes: dict = {}
        loops, cores = [], []
        for i, (a, core) in enumerate(zip(arrays, ins)):
            if a.rank < len(core):
                raise ShapeError("dim-mismatch", "ValueError",
                                 f"input with shape {a} does not have enough dimensions for all "
                                 f"core dimensions {core} {self._where()}", site.arg(i))
            split = a.rank - len(core)
            for name, d in zip(core, a.shape[split:]):
                self._bind(sizes, name, d, site.arg(i))
            loops.append(a.shape[:split])
            cores.append(replace(a, shape=a.shape[split:]))
        loop = shapes.broadcast_shapes(loops, site.span) if loops else ()
        inner = CallSite(site.span, self.fun_span, site.arg_spans, {})
        out = to_pytree(ev.call(self.fun, cores, {}, inner), self.fun_span)
        if outs is None:
            if not all(leaf.shape == () for leaf in pytree.leaves(out)):
                raise ShapeError("unsupported", "NotImplementedError",
                                 "vectorize without a signature of a function that does not "
                                 "return scalars is not modelled", self.fun_span)
            return pytree.map_leaves(lambda leaf: replace(leaf, shape=loop), out)
        # JAX counts the outputs first (TypeErrors), then checks each one's
        # core dims (ValueError)
        if len(outs) > 1 and not isinstance(out, tuple):
            raise ShapeError("dim-mismatch", "TypeError",
                             f"output must be a tuple when multiple outputs are expected, got "
                             f"{describe(out)} {self._where()}", self.fun_span)
        results = list(out) if isinstance(out, tuple) else [out]
        if len(results) != len(outs):
            raise ShapeError("dim-mismatch", "TypeError",
                             f"wrong number of output arguments: expected {len(outs)}, got "
                             f"{len(results)} {self._where()}", self.fun_span)
        stacked = []
        for leaf, core in zip(results, outs):
            if isinstance(leaf, (tuple, list)):  # (JAX's np.shape converts it to an array)
                raise ShapeError("dim-mismatch", "TypeError",
                                 f"an output is {describe(leaf)}, not an array, "
                                 f"{self._where()}", self.fun_span)
            if not isinstance(leaf, Array) or leaf.rank != len(core):
                shown = leaf if isinstance(leaf, Array) else "a pytree"
                raise ShapeError("dim-mismatch", "ValueError",
                                 f"output shape {shown} does not match core dimensions {core} "
                                 f"{self._where()}", self.fun_span)
            for name, d in zip(core, leaf.shape):
                self._bind(sizes, name, d, self.fun_span, output=True)
            stacked.append(replace(leaf, shape=tuple(loop) + leaf.shape))
        return stacked[0] if len(outs) == 1 else tuple(stacked)

    def _bind(self, sizes: dict, name: str, d, span, output: bool = False):
        if name not in sizes:
            sizes[name] = d
        else:
            scope.require_eq(sizes[name], d, lambda: ShapeError(
                "dim-mismatch", "ValueError",
                f"inconsistent size for core dimension {name!r}: "
                f"{dims.fmt_dim(d)} vs {dims.fmt_dim(sizes[name])} {self._where()}", span))
