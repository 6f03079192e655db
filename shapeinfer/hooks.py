"""Named Python hooks for the few operations whose JAX behaviour branches on
an argument as the program wrote it, beyond what clauses and dtype rules say.

A rule names one with ``hook NAME``. A hook runs after the arguments are
bound (arrays already :class:`~shapeinfer.values.Array`), before the static
parameters are type-checked and the clauses matched. It either returns None
(go on with the rule's clauses) or ``(shapes, (dtype, weak))``, the whole
answer; :class:`~shapeinfer.operation.Operation` builds the result arrays
either way.

- ``round``: ``jnp.round`` jits with ``decimals`` static (hashed first), takes
  it through ``operator.index``, and refuses negative decimals for integers;
- ``clip``: ``jnp.clip`` refuses complex operands, then is
  ``minimum(maximum(x, min), max)``, whose errors name those primitives.
"""
from __future__ import annotations

from dataclasses import replace

from . import dims, dtypes, shapes
from .errors import ShapeError
from .values import Array, describe, hashable


def round_hook(ctx):
    decimals = ctx.written["decimals"]
    span = ctx.site.param(1, "decimals")
    if not hashable(decimals):
        raise ShapeError("bad-argument", "ValueError",
                         f"Non-hashable static arguments are not supported: decimals is "
                         f"{describe(decimals)}", span)
    if not (dims.is_dim(decimals) or isinstance(decimals, int)):  # bool is an int here
        raise ShapeError("bad-argument", "TypeError",
                         f"round: decimals must be an integer, got {describe(decimals)}", span)
    x = ctx.bound["a"]
    if dtypes.kind(x.dtype) in ("int", "uint") and dims.provably_negative(decimals):
        raise ShapeError("bad-argument", "NotImplementedError",
                         "integer np.round not implemented for decimals < 0", span)
    return None


def clip_hook(ctx):
    x, lo, hi = ctx.bound["arr"], ctx.bound["min"], ctx.bound["max"]
    if x is None:
        raise ShapeError("bad-argument", "ValueError",
                         "No input was provided to the clip function.", ctx.site.span)
    for i, (name, a) in enumerate((("arr", x), ("min", lo), ("max", hi))):
        if a is not None and dtypes.kind(a.dtype) == "complex":
            raise ShapeError("dtype", "ValueError",
                             "Clip received a complex value either through the input or the "
                             "min/max keywords. Complex values have no ordering and cannot be "
                             "clipped.", ctx.site.param(i, name))
    dtype, weak = dtypes.promote([x])  # jnp.asarray(x): canonical
    x = replace(x, dtype=dtype, weak=weak)
    for limit, primitive in ((lo, "max"), (hi, "min")):
        if limit is not None:
            shape = shapes.broadcast_elementwise([limit.shape, x.shape], primitive,
                                                 ctx.site.func_span)
            dtype, weak = dtypes.promote([limit, x])
            x = Array(shape, dtype, weak)
    return [x.shape], (x.dtype, x.weak)


HOOKS = {"round": round_hook, "clip": clip_hook}
# The parameters each hook reads, which a rule naming it must have.
HOOK_PARAMS = {"round": ("a", "decimals"), "clip": ("arr", "min", "max")}
