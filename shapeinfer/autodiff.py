"""grad, value_and_grad, jacfwd, jacrev, hessian.

Shapes are the easy part: a gradient has its input's shape, a Jacobian leaf
is ``output shape + input shape``. The subtle part is vmap's out_axes=None,
which JAX allows only for outputs that are not batched, and whether a
derivative is batched depends on the derivative, not on the function:
under ``vmap(..., in_axes=(0, None))`` the gradient of ``x * y`` with
respect to ``x`` is ``y``, unbatched, while that of ``sin(x) * y`` with
respect to ``y`` is ``sin(x)``, batched.

So arrays carry ``Array.deriv``: for each differentiated input (a key) that
the array depends on through a chain of operations, the vmap ids (batch
tags) of the coefficients along that chain. Each operation says how its
derivative coefficients depend on its operands (:data:`DERIVATIVE_RULES`);
a derivative is batched exactly when its coefficient set is not empty, and
an output that does not depend on an input has a zero derivative, which is
never batched.

Derivatives of derivatives (``hessian``, nested ``grad``) are tracked only
approximately: their coefficient sets are upper bounds, marked with
:data:`APPROXIMATE`, and the arrays they produce have ``uncertain=True``.
vmap reports an ``unsupported`` error rather than guess when out_axes=None
meets such an array.
"""
from __future__ import annotations

import itertools
from dataclasses import replace

from . import dtypes, pytree
from .dims import as_int, is_dim
from .engine import CallSite, bind_arguments
from .errors import ShapeError
from .values import (Array, Function, Transform, Transformed, arrayify, check_callable,
                     describe, to_pytree)

_diff_ids = itertools.count(1)


# ---------------------------------------------------------------- derivative bookkeeping

def merge(*derivs: dict) -> dict:
    """Sum of derivative paths: the union of coefficient tags per key."""
    out: dict = {}
    for d in derivs:
        for key, tags in d.items():
            out[key] = out.get(key, frozenset()) | tags
    return out


def scaled(deriv: dict, tags: frozenset) -> dict:
    """A path multiplied by a coefficient that depends on ``tags``."""
    return {key: t | tags for key, t in deriv.items()} if tags else dict(deriv)


def without_tag(deriv: dict, tag) -> dict:
    return {key: t - {tag} for key, t in deriv.items()}


# Markers in a coefficient set, beside the batch tags: APPROXIMATE, the set
# is an upper bound (second order); VARIES, some coefficient on the path
# depends on a differentiated input, so the derivative is not a constant.
APPROXIMATE = "approximate"
VARIES = "varies"
_MARKERS = frozenset({APPROXIMATE, VARIES})

# How each operation's derivative coefficients depend on its operands, after
# JAX's JVP rules (jax/_src/lax/lax.py):
#   linear:    a constant coefficient (negation, addition, x.T)
#   none:      a symbolic zero: no path (floor, sign, comparisons, logical ops)
#   nonlinear: every path depends on every operand (sin, power, maximum, ...)
#   multiply:  multilinear: d/dx is y, d/dy is x (with more operands, the
#              product of the others: einsum)
#   divide:    d/dx is 1/y, d/dy depends on x and y
#   select:    the first operand picks between the others (where): each
#              path is masked by it
#   gather:    linear in the first operand, at positions the others give
#              (take's indices, roll's shift): each path is masked by them
#   unknown:   a user's rule that does not say: every path depends on every
#              operand, and the answer is only an upper bound (APPROXIMATE)
DERIVATIVE_RULES = ("linear", "none", "nonlinear", "multiply", "divide", "select", "gather",
                    "unknown")


def propagate(rule: str, operands: list[Array]) -> dict:
    """The ``deriv`` of an operation's result, by its derivative rule."""
    assert rule in DERIVATIVE_RULES, rule
    if rule == "none":
        return {}
    if rule == "linear":
        return merge(*(a.deriv for a in operands))
    if rule == "select":
        mask, *chosen = operands
        return merge(*(scaled(a.deriv, mask.batch) for a in chosen))
    if rule == "gather":
        x, *positions = operands
        return scaled(x.deriv, frozenset().union(*(p.batch for p in positions)))
    every = _coefficient_tags(*operands)
    if rule == "unknown":
        return scaled(merge(*(a.deriv for a in operands)), every | {APPROXIMATE})
    if rule == "multiply":  # multilinear (einsum's operands too): d/dx is the others' product
        return merge(*(scaled(x.deriv, _coefficient_tags(*operands[:i], *operands[i + 1:]))
                       for i, x in enumerate(operands)))
    if rule == "nonlinear" or len(operands) != 2:
        return scaled(merge(*(a.deriv for a in operands)), every)
    x, y = operands
    from_x = {"multiply": _coefficient_tags(y), "divide": _coefficient_tags(y)}[rule]
    from_y = {"multiply": _coefficient_tags(x), "divide": every}[rule]
    return merge(scaled(x.deriv, from_x), scaled(y.deriv, from_y))


def _coefficient_tags(*values: Array) -> frozenset:
    """What a coefficient computed from ``values`` adds to a path."""
    tags = frozenset().union(*(v.batch for v in values))
    return tags | {VARIES} if any(v.deriv for v in values) else tags


# ---------------------------------------------------------------- the transformations

# Each transformation's parameters, as in the pinned JAX.
_SIGNATURES = {
    "grad": ("fun", "argnums", "has_aux", "holomorphic", "allow_int", "reduce_axes"),
    "value_and_grad": ("fun", "argnums", "has_aux", "holomorphic", "allow_int", "reduce_axes"),
    "jacfwd": ("fun", "argnums", "has_aux", "holomorphic"),
    "jacrev": ("fun", "argnums", "has_aux", "holomorphic", "allow_int"),
    "hessian": ("fun", "argnums", "has_aux", "holomorphic"),
}
_DEFAULTS = {"argnums": 0, "has_aux": False, "holomorphic": False, "allow_int": False,
             "reduce_axes": ()}


class DifferentiateTransform(Transform):
    """The built-in ``grad(fun, argnums=0, has_aux=False, ...)`` and its kin."""

    def __init__(self, kind: str):
        self.kind = kind
        self.name = kind
        self.jax_name = f"jax.{kind}"
        self.params = _SIGNATURES[kind]

    def call(self, ev, args, kwargs, site):
        b = bind_arguments(self.kind, self.params, args, kwargs, site, _DEFAULTS)
        spans = {name: site.param(i, name) for i, name in enumerate(self.params)}
        fun = b["fun"]
        check_callable(fun, self.kind, spans["fun"])
        argnums = b["argnums"]
        if isinstance(argnums, int):
            argnums = int(argnums)  # the default, or True / False, which JAX takes as 1 / 0
        elif is_dim(argnums) and as_int(argnums) is not None:
            argnums = as_int(argnums)
        elif isinstance(argnums, (tuple, list)) and all(
                is_dim(a) and as_int(a) is not None for a in argnums):
            argnums = tuple(as_int(a) for a in argnums)
        else:
            raise ShapeError("bad-argument", "TypeError",
                             f"{self.kind}: argnums must be an int or a tuple of ints, "
                             f"got {describe(argnums)}", spans["argnums"])
        if argnums == ():
            raise ShapeError("bad-argument", "ValueError",
                             "argnums=() differentiates with respect to nothing "
                             "(JAX: max() arg is an empty sequence)", spans["argnums"])
        has_aux, holomorphic = _truthy(b["has_aux"]), _truthy(b["holomorphic"])
        allow_int = _truthy(b.get("allow_int", False))
        if self.kind == "hessian":
            inner = Differentiated("jacrev", fun, argnums, has_aux, holomorphic, spans)
            return Differentiated("jacfwd", inner, argnums, has_aux, holomorphic, spans)
        return Differentiated(self.kind, fun, argnums, has_aux, holomorphic, spans, allow_int)


def _truthy(flag) -> bool:
    return bool(as_int(flag)) if is_dim(flag) else flag not in (False, None)


class Differentiated(Transformed):
    """A function transformed by grad / value_and_grad / jacfwd / jacrev."""

    def __init__(self, kind: str, fun: Function, argnums, has_aux: bool, holomorphic: bool,
                 spans: dict, allow_int: bool = False):
        super().__init__(fun, f"{kind}({fun.name})")
        self.kind = kind
        self.argnums = argnums
        self.has_aux = has_aux
        self.holomorphic = holomorphic
        self.allow_int = allow_int
        self.spans = spans

    def call(self, ev, args, kwargs, site):
        positions = self._positions(len(args), site)
        # The differentiated arguments become JAX values; JAX passes the others
        # through as they are.
        args = [to_pytree(a, site.arg(i)) if i in positions else arrayify(a, site.arg(i))
                for i, a in enumerate(args)]
        kwargs = {k: arrayify(v, site.kw(k)) for k, v in kwargs.items()}
        did = next(_diff_ids)

        # Mark each differentiated input leaf with a key of its own.
        keys: dict[int, list] = {}
        for p in positions:
            leaves = pytree.leaves(args[p])
            for leaf in leaves:
                self._check_input_dtype(leaf, site.arg(p))
            keys[p] = [(did, p, j) for j in range(len(leaves))]
            marked = [replace(leaf, deriv={**leaf.deriv, key: frozenset()})
                      for leaf, key in zip(leaves, keys[p])]
            args[p] = pytree.unflatten_like(args[p], marked)

        inner_site = CallSite(site.span, self.spans["fun"], site.arg_spans, site.kw_spans)
        out = ev.call(self.fun, args, kwargs, inner_site)
        aux = None
        if self.has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise ShapeError("bad-argument", "TypeError",
                                 "expected function with aux output to return a two-element "
                                 f"tuple, but got {describe(out)}", self.spans["fun"])
            out, aux = out
            aux = _forget(to_pytree(aux, self.spans["fun"]), did)
        out = to_pytree(out, self.spans["fun"])

        outputs = pytree.leaves(out)

        def derivative(o: Array, p: int):
            """d o / d args[p], as a pytree shaped like args[p]."""
            inputs = pytree.leaves(args[p])
            return pytree.unflatten_like(args[p], [
                self._derivative_leaf(o, leaf, self._coefficient(o, key, did, outputs), did)
                for leaf, key in zip(inputs, keys[p])])


        def by_argnums(o: Array):
            if isinstance(self.argnums, int):
                return derivative(o, positions[0])
            return tuple(derivative(o, p) for p in positions)

        if self.kind in ("grad", "value_and_grad"):
            self._check_scalar(out)
            result = by_argnums(out)
            if self.kind == "value_and_grad":
                value = _forget(out, did)
                return ((value, aux), result) if self.has_aux else (value, result)
        else:
            if self.kind == "jacrev":
                leaves = pytree.leaves(out)
                if not leaves:
                    raise ShapeError("bad-argument", "ValueError",
                                     "jacrev of a function with no array outputs: "
                                     "at least one array or dtype is required", self.spans["fun"])
                for o in leaves:
                    self._check_output_dtype(o, "jacrev")
            result = pytree.map_leaves(by_argnums, out)
        return (result, aux) if self.has_aux else result

    # -- checks, in JAX's words

    def _positions(self, nargs: int, site) -> list[int]:
        wanted = [self.argnums] if isinstance(self.argnums, int) else list(self.argnums)
        for a in wanted:
            # grad says so itself; the Jacobians find out through argnums_partial.
            if a >= nargs and self.kind in ("grad", "value_and_grad"):
                raise ShapeError(
                    "bad-argument", "TypeError",
                    f"differentiating with respect to argnums={self.argnums} requires at least "
                    f"{max(wanted) + 1} positional arguments to be passed by the caller, but got "
                    f"only {nargs} positional arguments.", self.spans["argnums"])
            if not -nargs <= a < nargs:
                raise ShapeError(
                    "bad-argument", "ValueError",
                    "Positional argument indices, e.g. for `static_argnums`, must have value "
                    f"greater than or equal to -len(args) and less than len(args), but got value "
                    f"{a} for len(args) == {nargs}", self.spans["argnums"])
        positions = [a % nargs for a in wanted]
        if len(set(positions)) != len(positions):
            raise ShapeError("bad-argument", "TypeError",
                             f"argnums={self.argnums} names an argument twice",
                             self.spans["argnums"])
        return positions

    def _check_input_dtype(self, leaf: Array, span):
        kind = dtypes.kind(leaf.dtype)
        if self.holomorphic:
            if kind != "complex":
                raise ShapeError(
                    "dtype", "TypeError",
                    f"{self.kind} with holomorphic=True requires inputs with complex dtype, "
                    f"but got {dtypes.NUMPY_NAME[leaf.dtype]}.", span)
            return
        if self.kind == "jacfwd" and kind != "float":
            raise ShapeError(
                "dtype", "TypeError",
                "jacfwd requires real-valued inputs (input dtype that is a sub-dtype of "
                f"np.floating), but got {dtypes.NUMPY_NAME[leaf.dtype]}.", span)
        if not dtypes.is_inexact(leaf.dtype) and self.allow_int:
            raise ShapeError("unsupported", "NotImplementedError",
                             f"{self.kind}(allow_int=True) of an integer input (a float0 "
                             "derivative) is not modelled", span)
        if not dtypes.is_inexact(leaf.dtype):
            raise ShapeError(
                "dtype", "TypeError",
                f"{self.kind} requires real- or complex-valued inputs (input dtype that is a "
                f"sub-dtype of np.inexact), but got {dtypes.NUMPY_NAME[leaf.dtype]}. If you "
                "want to use Boolean- or integer-valued inputs, use vjp or set allow_int to "
                "True.", span)

    def _check_output_dtype(self, o: Array, name: str):
        if self.holomorphic:
            if dtypes.kind(o.dtype) != "complex":
                raise ShapeError(
                    "dtype", "TypeError",
                    f"{name} with holomorphic=True requires outputs with complex dtype, but got "
                    f"{dtypes.NUMPY_NAME[o.dtype]}.", self.spans["fun"])
            return
        if dtypes.kind(o.dtype) != "float":
            raise ShapeError(
                "dtype", "TypeError",
                f"{name} requires real-valued outputs (output dtype that is a sub-dtype of "
                f"np.floating), but got {dtypes.NUMPY_NAME[o.dtype]}.", self.spans["fun"])

    def _check_scalar(self, out):
        if not isinstance(out, Array):
            raise ShapeError("grad-non-scalar", "TypeError",
                             "Gradient only defined for scalar-output functions. Output was "
                             f"{describe(out)}.", self.spans["fun"])
        if out.shape != ():
            raise ShapeError("grad-non-scalar", "TypeError",
                             "Gradient only defined for scalar-output functions. Output had "
                             f"shape: {out}.", self.spans["fun"])
        self._check_output_dtype(out, "grad")

    def _coefficient(self, o: Array, key, did, outputs: list) -> frozenset | None:
        """Batch tags of d o / d (input ``key``); None for a symbolic zero.

        jacfwd pushes one joint tangent basis through all differentiated
        inputs, and jacrev pulls one joint cotangent basis back through all
        outputs, so a Jacobian block carries the batching of its whole row
        (jacfwd) or column (jacrev) even where the block itself is zero.
        """
        if self.kind == "jacfwd":
            paths = [t for k, t in o.deriv.items() if k[0] == did]
        elif self.kind == "jacrev":
            paths = [out.deriv[key] for out in outputs if key in out.deriv]
        else:
            paths = [o.deriv[key]] if key in o.deriv else []
        return frozenset().union(*paths) if paths else None

    def _derivative_leaf(self, o: Array, leaf: Array, coefficient, did) -> Array:
        # Reverse mode (grad, jacrev) pulls cotangents back into the input's
        # dtype; forward mode (jacfwd) pushes tangents out in the output's.
        source = o if self.kind == "jacfwd" else leaf
        dtype, weak = source.dtype, source.weak
        shape = o.shape + leaf.shape
        if coefficient is None:  # a symbolic zero: never batched
            return Array(shape, dtype, weak)
        # Its own derivatives (for an outer grad): none if every coefficient on
        # the way is a constant; otherwise an upper bound, marked as such.
        outer = {} if VARIES not in coefficient else {
            k: t | coefficient | o.batch | {APPROXIMATE}
            for k, t in o.deriv.items() if k[0] != did}
        return Array(shape, dtype, weak, batch=coefficient - _MARKERS, deriv=outer,
                     uncertain=APPROXIMATE in coefficient or o.uncertain)


def _forget(tree, did):
    """Drop this differentiation's keys from values that leave it."""
    return pytree.map_leaves(
        lambda a: replace(a, deriv={k: t for k, t in a.deriv.items() if k[0] != did}), tree)
