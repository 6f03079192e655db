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
  ``minimum(maximum(x, min), max)``, whose errors name those primitives;
- ``qr``, ``svd``, ``eigh``, ``slogdet`` (jnp.linalg): how many outputs
  depends on a static argument (``mode='r'``, ``compute_uv=False``), and
  their outputs differ in dtype (singular values, eigenvalues and log|det|
  are real where the vectors are complex). A hook may answer with a list
  of ``(dtype, weak)``, one per output.
"""
from __future__ import annotations

from dataclasses import replace

import sympy

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


# ---------------------------------------------------------------- jnp.linalg decompositions

def _matrices(ctx, exception: str, message: str):
    """The operand's batch dims and its last two, m and n; ``message`` (with
    {shape}) is JAX's error for an operand of rank below 2."""
    x = ctx.bound["a"]
    if len(x.shape) < 2:
        raise ShapeError("rule-no-match", exception,
                         message.format(shape=dims.fmt_shape(x.shape)), ctx.site.func_span)
    return x.shape[:-2], x.shape[-2], x.shape[-1]


def _inexact(ctx) -> tuple[str, str]:
    """The operand's dtype made inexact (int -> f32), and its real dtype."""
    dtype, _ = dtypes.convert(*dtypes.promote([ctx.bound["a"]]), "inexact")
    return dtype, dtypes.convert(dtype, False, "real")[0]


def _square(ctx, exception: str, message: str):
    """Batch dims and n of a stack of square matrices; ``message`` (with
    {shape}) is JAX's error for any other operand."""
    x = ctx.bound["a"]
    bad = ShapeError("rule-no-match", exception, message.format(shape=dims.fmt_shape(x.shape)),
                     ctx.site.func_span)
    if len(x.shape) < 2:
        raise bad
    b, m, n = x.shape[:-2], x.shape[-2], x.shape[-1]
    if dims.decide_eq(m, n) is not dims.Decision.TRUE:
        raise bad
    return b, n


def _static_str(ctx, name: str, index: int, choices: tuple, exception: str, message: str):
    value = ctx.written[name]
    if value not in choices:
        raise ShapeError("bad-argument", exception, message.format(value=value),
                         ctx.site.param(index, name))
    return value


def qr_hook(ctx):
    """``qr(a, mode)``: (Q, R), or R alone for mode='r'; 'raw' is (H, tau)."""
    mode = _static_str(ctx, "mode", 1, ("reduced", "complete", "r", "raw"), "ValueError",
                       "Unsupported QR decomposition mode '{value}'")
    b, m, n = _matrices(ctx, "TypeError",
                        "Input 0 to qr must have rank at least 2, but got shape={shape}")
    k = sympy.Min(m, n)
    dtype, _ = _inexact(ctx)
    shapes = {"reduced": [(*b, m, k), (*b, k, n)], "complete": [(*b, m, m), (*b, m, n)],
              "r": [(*b, k, n)], "raw": [(*b, n, m), (*b, k)]}[mode]
    return shapes, [(dtype, False)] * len(shapes)


def svd_hook(ctx):
    """``svd(a, full_matrices, compute_uv)``: (U, S, Vh), or S alone; S is real."""
    b, m, n = _matrices(ctx, "TypeError",
                        "Input 0 to svd must have rank at least 2, but got shape={shape}")
    k = sympy.Min(m, n)
    dtype, real = _inexact(ctx)
    if not ctx.written["compute_uv"]:
        return [(*b, k)], [(real, False)]
    if ctx.written["full_matrices"]:
        shapes = [(*b, m, m), (*b, k), (*b, n, n)]
    else:
        shapes = [(*b, m, k), (*b, k), (*b, k, n)]
    return shapes, [(dtype, False), (real, False), (dtype, False)]


def eigh_hook(ctx):
    """``eigh(a, UPLO, symmetrize_input)``: (eigenvalues, eigenvectors); the
    eigenvalues are real. A non-square operand fails in the symmetrization
    (``a + a^H``), JAX's TypeError; unsymmetrized, in the primitive (ValueError)."""
    _static_str(ctx, "UPLO", 1, (None, "L", "U"), "ValueError",
                "UPLO must be one of None, 'L', or 'U', got {value}")
    if ctx.written["symmetrize_input"]:
        b, n = _square(ctx, "TypeError",
                       "eigh: the operand must have shape [..., n, n], got {shape}")
    else:  # the eigh primitive's own check
        b, n = _square(ctx, "ValueError", "Argument to symmetric eigendecomposition must have "
                       "shape [..., n, n], got shape {shape}")
    dtype, real = _inexact(ctx)
    return [(*b, n), (*b, n, n)], [(real, False), (dtype, False)]


def slogdet_hook(ctx):
    """``slogdet(a)``: (sign, logabsdet), one per matrix; logabsdet is real."""
    b, _ = _square(ctx, "ValueError",
                   "Argument to slogdet() must have shape [..., n, n], got {shape}")
    dtype, real = _inexact(ctx)
    return [b, b], [(dtype, False), (real, False)]


HOOKS = {"round": round_hook, "clip": clip_hook, "qr": qr_hook, "svd": svd_hook,
         "eigh": eigh_hook, "slogdet": slogdet_hook}
# The parameters each hook reads, which a rule naming it must have.
HOOK_PARAMS = {"round": ("a", "decimals"), "clip": ("arr", "min", "max"), "qr": ("a", "mode"),
               "svd": ("a", "full_matrices", "compute_uv"), "eigh": ("a", "UPLO", "symmetrize_input"),
               "slogdet": ("a",)}
