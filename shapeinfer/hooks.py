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
- ``split`` (jnp.split, array_split): as many outputs as the sections or
  split points say, in a Python list (a hook answers ``"list"`` as a third
  element for that);
- ``where`` (one argument), ``nonzero``: one index array per axis, of the
  static ``size`` (without it, JAX's ConcretizationTypeError), in a tuple
  even for one axis (``"tuple"`` as the answer's third element).
"""
from __future__ import annotations

from dataclasses import replace

import sympy

from . import dims, dtypes, scope, shapes
from .errors import ShapeError
from .values import Array, describe, hashable, to_array


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


# ---------------------------------------------------------------- matmul

def matmul_hook(ctx):
    """jnp.matmul compares the batch dims before it contracts: where the
    contracting dims differ (the clauses' TypeError) and batch dims do not
    broadcast either, JAX's error is its ValueError. Otherwise the clauses."""
    a, b = ctx.bound["a"], ctx.bound["b"]
    if len(a.shape) < 2 or len(b.shape) < 2 or len(a.shape) + len(b.shape) == 4:
        return None
    if dims.decide_eq(a.shape[-1], b.shape[-2]) is not dims.Decision.FALSE:
        return None  # (the batch dims are broadcast by the clause, with guards)
    for x, y in zip(reversed(a.shape[:-2]), reversed(b.shape[:-2])):
        if all(dims.decide_eq(*pair) is dims.Decision.FALSE for pair in ((x, 1), (y, 1), (x, y))):
            raise ShapeError("broadcast", "ValueError",
                             f"Incompatible types for matmul arguments: {a.typed_str()} and "
                             f"{b.typed_str()} (batch dims {dims.fmt_dim(x)} and "
                             f"{dims.fmt_dim(y)} do not broadcast)", ctx.site.span)
    return None


# ---------------------------------------------------------------- jnp.linalg decompositions

def _matrices(ctx, exception: str, message: str):
    """The operand's batch dims and its last two, m and n; ``message`` (with
    {shape}) is JAX's error for an operand of rank below 2."""
    x = ctx.bound["a"]
    if len(x.shape) < 2:
        raise ShapeError("rule-no-match", exception,
                         message.format(shape=dims.fmt_shape(x.shape)), ctx.site.func_span)
    return x.shape[:-2], x.shape[-2], x.shape[-1]


def _inexact(ctx) -> tuple[tuple[str, bool], tuple[str, bool]]:
    """(dtype, weak) of the operand made inexact (int -> f32), and of its
    real counterpart: the decompositions keep a weak operand's weak type."""
    dtype, weak = dtypes.convert(*dtypes.promote([ctx.bound["a"]]), "inexact")
    return (dtype, weak), (dtypes.convert(dtype, False, "real")[0], weak)


def _square(ctx, exception: str, message: str):
    """Batch dims and n of a stack of square matrices; ``message`` (with
    {shape}) is JAX's error for any other operand."""
    x = ctx.bound["a"]
    bad = ShapeError("rule-no-match", exception, message.format(shape=dims.fmt_shape(x.shape)),
                     ctx.site.func_span)
    if len(x.shape) < 2:
        raise bad
    b, m, n = x.shape[:-2], x.shape[-2], x.shape[-1]
    # (m, n) undecided: a guard; strict mode is JAX's check, which fails
    # where the sizes are not known equal
    scope.require_eq(m, n, bad, bad)
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
    full, _ = _inexact(ctx)
    shapes = {"reduced": [(*b, m, k), (*b, k, n)], "complete": [(*b, m, m), (*b, m, n)],
              "r": [(*b, k, n)], "raw": [(*b, n, m), (*b, k)]}[mode]
    return shapes, [full] * len(shapes)


def _symmetrized(ctx, op: str):
    """Batch dims and n of the operand once JAX has symmetrized it, (a + a^H) / 2:
    a broadcasts with its transpose, so (n, 1) is (n, n), and (a, b) needs
    a == b or a 1 (add's TypeError otherwise)."""
    x = ctx.bound["a"].shape
    if len(x) < 2:  # (JAX's transpose fails: a TypeError)
        raise ShapeError("rule-no-match", "TypeError",
                         f"{op}: the operand must have shape [..., n, n], got "
                         f"{dims.fmt_shape(x)}", ctx.site.func_span)
    shape = shapes.broadcast_elementwise([x, x[:-2] + (x[-1], x[-2])], "add",
                                         ctx.site.func_span)
    return shape[:-2], shape[-1]


def svd_hook(ctx):
    """``svd(a, full_matrices, compute_uv, hermitian)``: (U, S, Vh), or S
    alone; S is real. hermitian=True is JAX's symmetrized eigh: every output
    is n-sized and full_matrices does not matter."""
    full, real = _inexact(ctx)
    if ctx.written["hermitian"]:
        b, n = _symmetrized(ctx, "svd")
        if not ctx.written["compute_uv"]:
            return [(*b, n)], [real]
        # (Vh is built with an astype: strong)
        return [(*b, n, n), (*b, n), (*b, n, n)], [full, real, (full[0], False)]
    b, m, n = _matrices(ctx, "TypeError",
                        "Input 0 to svd must have rank at least 2, but got shape={shape}")
    k = sympy.Min(m, n)
    if not ctx.written["compute_uv"]:
        return [(*b, k)], [real]
    if ctx.written["full_matrices"]:
        shapes = [(*b, m, m), (*b, k), (*b, n, n)]
    else:
        shapes = [(*b, m, k), (*b, k), (*b, k, n)]
    return shapes, [full, real, full]


def eigh_hook(ctx, op: str = "eigh"):
    """``eigh(a, UPLO, symmetrize_input)``: (eigenvalues, eigenvectors); the
    eigenvalues are real. A non-square operand fails in the symmetrization
    (``a + a^H``), JAX's TypeError; unsymmetrized, in the primitive (ValueError)."""
    _static_str(ctx, "UPLO", 1, (None, "L", "U"), "ValueError",
                "UPLO must be one of None, 'L', or 'U', got {value}")
    if ctx.written["symmetrize_input"]:
        b, n = _symmetrized(ctx, op)
    else:  # the eigh primitive's own checks
        _matrices(ctx, "TypeError", "Input 0 to eigh must have rank at least 2, but got "
                  "shape={shape}")
        b, n = _square(ctx, "ValueError", "Argument to symmetric eigendecomposition must have "
                       "shape [..., n, n], got shape {shape}")
    full, real = _inexact(ctx)
    return [(*b, n), (*b, n, n)], [real, full]


def eigvalsh_hook(ctx):
    """``eigvalsh(a, UPLO, symmetrize_input)``: jnp.linalg.eigh's eigenvalues
    (JAX calls it), with its checks and its symmetrization."""
    shapes, dtypes_ = eigh_hook(ctx, "eigvalsh")
    return shapes[:1], dtypes_[:1]


def cholesky_hook(ctx):
    """``cholesky(a, upper, symmetrize_input)``: one (..., n, n) factor. JAX
    symmetrizes first, so (n, 1) is (n, n); unsymmetrized, the cholesky
    primitive wants rank >= 2 (TypeError) and square matrices (ValueError)."""
    if ctx.written["symmetrize_input"]:
        b, n = _symmetrized(ctx, "cholesky")
    else:
        b, _, _ = _matrices(ctx, "TypeError",
                            "Input 0 to cholesky must have rank at least 2, but got shape={shape}")
        b, n = _square(ctx, "ValueError",
                       "The input to cholesky must be a square matrix. Got shape {shape}.")
    full, _ = _inexact(ctx)
    return [(*b, n, n)], [full]


def _sized(n, *sizes) -> bool:
    """n is one of ``sizes`` for every assignment (JAX's ``n == 2`` on a
    symbolic dim is False where it is not decided)."""
    return any(dims.decide_eq(n, k) is dims.Decision.TRUE for k in sizes)


def det_hook(ctx):
    """``det(a)``: one per matrix. JAX's closed forms for 2x2 and 3x3 keep a
    weak type; other sizes go through slogdet and an astype (strong)."""
    b, n = _square(ctx, "ValueError", "Argument to _det() must have shape [..., n, n], got {shape}")
    (dtype, weak), _ = _inexact(ctx)
    return [b], [(dtype, weak and _sized(n, 2, 3))]


def slogdet_hook(ctx):
    """``slogdet(a, method)``: (sign, logabsdet), one per matrix; logabsdet is
    real. Only LU's closed form for 1x1 and 2x2 keeps a weak type (the LU and
    QR paths mix in strong constants)."""
    b, n = _square(ctx, "ValueError",
                   "Argument to slogdet() must have shape [..., n, n], got {shape}")
    method = _static_str(ctx, "method", 1, (None, "lu", "qr"), "ValueError",
                         "Unknown slogdet method '{value}'. Supported methods are 'lu' "
                         "(`None`), and 'qr'.")
    (dtype, weak), (real, _) = _inexact(ctx)
    weak = weak and method != "qr" and _sized(n, 1, 2)
    return [b, b], [(dtype, weak), (real, weak)]


def split_hook(ctx):
    """jnp.split / array_split: as many outputs as sections (an int) or
    indices (a sequence) say, in a Python list, as lax.split gives them."""
    op = ctx.primitive or "split"
    x = ctx.bound["ary"]
    sections, axis = ctx.written["indices_or_sections"], ctx.written["axis"]
    span = ctx.site.param(1, "indices_or_sections")
    if isinstance(axis, Array) or not (dims.is_dim(axis) or isinstance(axis, int)):
        raise ShapeError("bad-argument", "TypeError",
                         f"{op}: axis must be an integer, got {describe(axis)}",
                         ctx.site.param(2, "axis"))
    axis = dims.as_int(axis) if dims.is_dim(axis) else int(axis)
    if axis is None:
        raise ShapeError("bad-argument", "TypeError", f"{op}: axis must be a static integer")
    if not -len(x.shape) <= axis < len(x.shape):
        raise ShapeError("axis-out-of-range", "IndexError", "tuple index out of range")
    size = x.shape[axis]
    if isinstance(sections, Array):
        raise ShapeError("bad-argument", "ConcretizationTypeError",
                         f"Abstract tracer value encountered where concrete value is expected: "
                         f"an array in jax.numpy.{op} argument 1 (the number of outputs depends "
                         "on its values)", span)
    if isinstance(sections, (tuple, list)):
        bounds = [dims.const(0)] + [_concrete_index(i, op, span) for i in sections] + [size]
        sizes = [b - a for a, b in zip(bounds, bounds[1:])]
        shown = f"[{', '.join(map(dims.fmt_dim, sizes))}]"
        for part in sizes:
            scope.require(
                dims.relation(">=", part, 0),
                ShapeError("bad-argument", "ValueError",
                           f"Sizes passed to split must be nonnegative, got {shown}", span),
                ShapeError("inconclusive", "InconclusiveDimensionOperation",
                           f"the sizes of the split parts, {shown}, must be >= 0", span))
    else:
        count = _concrete_index(sections, op, span)
        if not count.is_Integer:
            raise ShapeError("bad-argument", "ValueError",
                             f"jax.numpy.{op} with a symbolic number of sections is not supported",
                             span)
        n = int(count)
        if n == 0:
            raise ShapeError("bad-argument", "ZeroDivisionError",
                             "integer division or modulo by zero", span)
        if n < 0:
            raise ShapeError("bad-argument", "ValueError",
                             f"Sum of sizes must be equal to dimension {axis} of the operand", span)
        part, rest = dims.floordiv(size, count), dims.mod(size, count)
        divides = dims.decide_eq(rest, 0)
        if op == "array_split" and divides is not dims.Decision.TRUE:
            if not size.is_Integer:
                raise ShapeError("inconclusive", "InconclusiveDimensionOperation",
                                 f"array_split of a symbolic size {dims.fmt_dim(size)} into {n} "
                                 "parts: the part sizes depend on it", span)
            r = int(rest)
            sizes = [part + 1] * r + [part] * (n - r)
        else:
            scope.require(
                dims.relation("==", rest, 0),
                # JAX's `rest == 0` is False where the sizes do not decide it
                ShapeError("bad-argument", "ValueError",
                           "array split does not result in an equal division: rest is "
                           f"{dims.fmt_dim(rest)}", span))
            sizes = [part] * n
    shapes = [x.shape[:axis % len(x.shape)] + (s,) + x.shape[axis % len(x.shape) + 1:]
              for s in sizes]
    return shapes, (x.dtype, x.weak), "list"


def _concrete_index(value, op: str, span):
    """A split point or a number of sections: a static integer (a size too)."""
    if isinstance(value, bool) or not (dims.is_dim(value) or isinstance(value, int)):
        raise ShapeError("bad-argument", "TypeError",
                         f"jax.numpy.{op}: indices_or_sections must be an int or a sequence of "
                         f"ints, got {describe(value)}", span)
    return dims.const(value) if isinstance(value, int) else value


def _nonzero(ctx, x, fname: str):
    """jnp.nonzero (and one-argument where): one index array per axis of
    ``x``, of length ``size``; without a size the length is the number of
    nonzero elements, which JAX does not know while it traces."""
    size = ctx.written["size"]
    if size is None:
        raise ShapeError("bad-argument", "ConcretizationTypeError",
                         f"Abstract tracer value encountered where concrete value is expected: "
                         f"the size argument of jnp.nonzero must be statically specified to use "
                         f"{fname} within JAX transformations: how many elements are nonzero "
                         "depends on the values", ctx.site.span)
    if not (dims.is_dim(size) or (isinstance(size, int) and not isinstance(size, bool))):
        raise ShapeError("bad-argument", "TypeError",
                         f"{fname}: size must be an integer, got {describe(size)}",
                         ctx.site.span)
    if not x.shape:
        raise ShapeError("bad-argument", "ValueError",
                         "Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar)"
                         ".nonzero() instead.", ctx.site.span)
    n = dims.const(size) if isinstance(size, int) else size
    return [(n,)] * len(x.shape), _nonzero_dtypes(ctx, x, n), "tuple"


def _nonzero_dtypes(ctx, x, n) -> list[tuple[str, bool]]:
    """(dtype, weak) of each index array: i32, or JAX's where(pad, fill,
    index) with the axis's fill_value (a scalar, or one per axis in a
    tuple), which promotes: a 1.5 makes it a weak f32. With nothing to
    pad from (an empty array, size 0) JAX returns i32 zeros unchecked."""
    fill = ctx.written["fill_value"]
    index = (dtypes.canonical("i32"), False)
    empty = any(dims.decide_eq(d, 0) is dims.Decision.TRUE for d in (*x.shape, n))
    if fill is None or empty:
        return [index] * len(x.shape)
    fills = fill if isinstance(fill, tuple) else (fill,) * len(x.shape)
    # (a tuple of another length fails where JAX zips it with the index
    # arrays, a ValueError too: the message is JAX's for a non-scalar)
    if (len(fills) != len(x.shape)
            or any(isinstance(f, (tuple, list)) or (isinstance(f, Array) and f.shape)
                   for f in fills)):
        raise ShapeError("bad-argument", "ValueError",
                         f"fill_value must be a scalar or a tuple of length {len(x.shape)}; "
                         f"got {describe(fill) if isinstance(fill, Array) else fill}",
                         ctx.site.param(2, "fill_value"))
    arrays = [to_array(f, ctx.site.param(2, "fill_value")) for f in fills]
    return [dtypes.result_type((a.dtype, a.weak), index) for a in arrays]


def where_hook(ctx):
    """jnp.where(condition): jnp.nonzero; with x and y, the rule's clauses."""
    if ctx.bound["x"] is None and ctx.bound["y"] is None:
        return _nonzero(ctx, ctx.bound["condition"], "jnp.where")
    if ctx.written["size"] is not None or ctx.written["fill_value"] is not None:
        raise ShapeError("bad-argument", "ValueError",
                         "size and fill_value arguments cannot be used in three-term where "
                         "function.", ctx.site.span)
    return None


def nonzero_hook(ctx):
    return _nonzero(ctx, ctx.bound["a"], "jnp.nonzero")


HOOKS = {"round": round_hook, "matmul": matmul_hook, "clip": clip_hook, "qr": qr_hook,
         "svd": svd_hook, "eigh": eigh_hook, "eigvalsh": eigvalsh_hook,
         "cholesky": cholesky_hook, "det": det_hook, "slogdet": slogdet_hook,
         "split": split_hook, "where": where_hook, "nonzero": nonzero_hook}
# The parameters each hook reads, which a rule naming it must have.
HOOK_PARAMS = {"round": ("a", "decimals"), "matmul": ("a", "b"), "clip": ("arr", "min", "max"),
               "qr": ("a", "mode"), "svd": ("a", "full_matrices", "compute_uv", "hermitian"),
               "eigh": ("a", "UPLO", "symmetrize_input"),
               "eigvalsh": ("a", "UPLO", "symmetrize_input"),
               "cholesky": ("a", "symmetrize_input"), "det": ("a",), "slogdet": ("a", "method"),
               "split": ("ary", "indices_or_sections", "axis"),
               "where": ("condition", "x", "y", "size", "fill_value"),
               "nonzero": ("a", "size", "fill_value")}
