"""lax.cond, lax.switch, lax.fori_loop, lax.while_loop, lax.scan; and
jax.tree.map, which also calls a function on operands.

They take functions, so they are transformations, not rules. Each runs its
branches or body on the abstract operands and makes JAX's checks
(jax/_src/lax/control_flow/): branch outputs, and a loop's carry in and out,
must have the same pytree structure, shapes and dtypes (weak types aside),
else TypeError naming both types. A weakly typed initial carry (a Python
scalar) that does not match the body's output is first promoted, as JAX's
``_promote_weak_typed_input`` does.

Batching under vmap: a carry that the body makes batched is batched from the
start (JAX's fixed point), a batched predicate or index batches every output,
and a batched ``while_loop`` predicate batches the whole carry. Derivatives
through control flow are tracked only as an upper bound (``uncertain``);
differentiating through ``while_loop`` is not modelled.
"""
from __future__ import annotations

from dataclasses import replace

from . import dims, dtypes, pytree, scope
from .autodiff import APPROXIMATE, merge, scaled
from .engine import CallSite, bind_arguments, refuse_keywords
from .errors import ShapeError
from .values import Array, Function, Transform, arrayify, describe, to_array, to_pytree


def _skeleton(tree):
    """The pytree structure with every leaf replaced by ``*``."""
    return pytree.map_leaves(lambda _: "*", tree)


def _typematch(a: Array, b: Array) -> bool:
    """JAX's core.typematch: the same shape and dtype; weakness does not count."""
    return (a.dtype == b.dtype and a.rank == b.rank
            and all(dims.definitely_equal(x, y) for x, y in zip(a.shape, b.shape)))


def _require_typematch(a: Array, b: Array, error):
    """``_typematch`` as a requirement: dims the sizes do not decide are guards."""
    if a.dtype != b.dtype or a.rank != b.rank:
        raise error()
    scope.require_all_eq(list(zip(a.shape, b.shape)), error)


def _mismatch(a: Array, b: Array) -> str:
    return "shapes" if a.dtype == b.dtype else "dtypes"


def _batch(*trees) -> frozenset:
    return frozenset().union(*(leaf.batch for t in trees for leaf in pytree.leaves(t)))


def _derivs(*trees) -> dict:
    return merge(*(leaf.deriv for t in trees for leaf in pytree.leaves(t)))


def _as_output(leaf: Array, batch: frozenset, deriv: dict) -> Array:
    """A control-flow output: batched as computed; derivative paths as an upper bound."""
    return replace(leaf, batch=leaf.batch | batch,
                   deriv=scaled(deriv, frozenset({APPROXIMATE})) if deriv else {},
                   uncertain=leaf.uncertain or bool(deriv))


class _ControlFlow(Transform):
    """The shared parts: calling a user function, and comparing outputs."""

    # The checker hands JAX every function argument as a callable and every
    # other argument as a JAX value (vmap's in_axes, say, are not values).
    takes_operands = True

    def __init__(self, name: str):
        self.name = name
        self.jax_name = f"jax.lax.{name}"

    def _call(self, ev, fun, args: list, site: CallSite, span, what: str):
        if not isinstance(fun, Function):
            raise ShapeError("bad-argument", "TypeError",
                             f"lax.{self.name}: {what} should be callable, got {describe(fun)}",
                             span)
        inner = CallSite(site.span, span, (), {})
        return to_pytree(ev.call(fun, list(args), {}, inner), span)


class CondTransform(_ControlFlow):
    """``lax.cond(pred, true_fun, false_fun, *operands)`` and
    ``lax.switch(index, branches, *operands)``."""

    def call(self, ev, args, kwargs, site):
        refuse_keywords(self.name, kwargs, site)
        need = 3 if self.name == "cond" else 2
        if len(args) < need:
            raise ShapeError("arity", "TypeError",
                             f"{self.name}() missing required positional arguments", site.span)
        # A Python int picks its branch in Python: JAX never makes it an int32
        selector = to_array(args[0], site.arg(0), int32=False)
        if self.name == "cond":
            branches = [(args[2], "false_fun", site.arg(2)), (args[1], "true_fun", site.arg(1))]
            operands = args[3:]
            if not all(isinstance(f, Function) for f, _, _ in branches):
                raise ShapeError("bad-argument", "TypeError",
                                 "lax.cond: true_fun and false_fun arguments should be callable.",
                                 site.arg(1))
            self._check_pred(selector, site.arg(0))
        else:
            funs = args[1]
            if not isinstance(funs, (tuple, list)):
                funs = [funs]
            if not funs:
                raise ShapeError("bad-argument", "ValueError", "Empty branch sequence",
                                 site.arg(1))
            branches = [(f, f"branch {i}", site.arg(1)) for i, f in enumerate(funs)]
            operands = args[2:]
            self._check_index(selector, site.arg(0))
        operands = [to_pytree(o, site.arg(i + need)) for i, o in enumerate(operands)]
        outs = [self._call(ev, f, operands, site, span, what) for f, what, span in branches]
        first, first_what = outs[0], branches[0][1]
        for out, (_, what, span) in zip(outs[1:], branches[1:]):
            self._compare(first, out, first_what, what, span)
        # JAX's result takes its weak types from branches[0] (false_fun for cond)
        batch = selector.batch | _batch(*outs)
        deriv = scaled(_derivs(*outs), selector.batch)
        merged = [_as_output(leaf, batch, deriv) for leaf in pytree.leaves(first)]
        return pytree.unflatten_like(first, merged)

    def _check_pred(self, pred: Array, span):
        if pred.shape != ():
            raise ShapeError("bad-argument", "TypeError",
                             f"Pred must be a scalar, got an array of shape {pred}.", span)
        if dtypes.kind(pred.dtype) == "complex":
            raise ShapeError("dtype", "TypeError",
                             "Pred type must be either boolean or number, got "
                             f"{dtypes.NUMPY_NAME[pred.dtype]}.", span)

    def _check_index(self, index: Array, span):
        if dtypes.kind(index.dtype) not in ("int", "uint"):
            raise ShapeError("dtype", "TypeError",
                             "Index type must be an integer, got "
                             f"{dtypes.NUMPY_NAME[index.dtype]}", span)
        if index.shape != ():
            raise ShapeError("bad-argument", "TypeError",
                             f"Branch index must be scalar, got an array of shape {index}.",
                             span)

    def _compare(self, first, out, first_what: str, what: str, span):
        kind = "cond" if self.name == "cond" else "switch"
        if _skeleton(first) != _skeleton(out):
            raise ShapeError("dim-mismatch", "TypeError",
                             f"{kind} branch outputs must have the same pytree structure, but "
                             f"they differ: {first_what} gives {_describe_tree(first)} and "
                             f"{what} gives {_describe_tree(out)}", span)
        for (path, a), (_, b) in zip(pytree.leaves_with_paths(first),
                                     pytree.leaves_with_paths(out)):
            _require_typematch(a, b, lambda: ShapeError(
                "dim-mismatch", "TypeError",
                f"{kind} branches must have equal output types but they differ: the "
                f"output{path} of {first_what} has type {a.typed_str()} but the "
                f"corresponding output of {what} has type {b.typed_str()}, so the "
                f"{_mismatch(a, b)} do not match.", span))


def _describe_tree(tree) -> str:
    if isinstance(tree, Array):
        return f"an array {tree.typed_str()}"
    return f"a {type(tree).__name__}" if tree is not None else "None"


# ---------------------------------------------------------------- loops

class _Loop(_ControlFlow):
    def _run_body(self, ev, body, init, make_args, site, span, what: str, carry_name: str):
        """Run the body until its carry types and batching settle (JAX's weak-type
        promotion and vmap's fixed point); returns (carry, the last call's outputs)."""
        carry = init
        for _ in range(len(pytree.leaves(init)) + 2):
            out = self._call(ev, body, make_args(carry), site, span, what)
            out_carry = self.carry_of(out, span)
            self._check_structure(carry, out_carry, carry_name, span)
            promoted = [self._promote(a, b) for a, b in zip(pytree.leaves(carry),
                                                              pytree.leaves(out_carry))]
            grown = [replace(a, batch=a.batch | b.batch)
                     for a, b in zip(promoted, pytree.leaves(out_carry))]
            changed = any(g.dtype != a.dtype or g.weak != a.weak or g.batch != a.batch
                          for g, a in zip(grown, pytree.leaves(carry)))
            if not changed:
                self._check_types(carry, out_carry, carry_name, span)
                return carry, out
            carry = pytree.unflatten_like(carry, grown)
        raise ShapeError("unsupported", "NotImplementedError",  # pragma: no cover - defensive
                         f"lax.{self.name}: the carry's types do not settle", span)

    @staticmethod
    def _promote(a: Array, b: Array) -> Array:
        if a.weak and not _typematch(a, b):
            dtype, _ = dtypes.result_type((a.dtype, True), (b.dtype, b.weak))
            return replace(a, dtype=dtype, weak=False)
        return a

    def carry_of(self, out, span):
        return out

    def _body_name(self) -> str:
        return "while_loop body" if self.name == "while_loop" else "scan body"

    def _check_structure(self, carry, out, carry_name: str, span):
        if _skeleton(carry) != _skeleton(out):
            raise ShapeError(
                "dim-mismatch", "TypeError",
                f"{self._body_name()} function carry input and carry output must have the "
                f"same pytree structure, but they differ: the input carry {carry_name} is "
                f"{_describe_tree(carry)} but the carry output is {_describe_tree(out)}",
                span)

    def _check_types(self, carry, out, carry_name: str, span):
        for (path, a), (_, b) in zip(pytree.leaves_with_paths(carry),
                                     pytree.leaves_with_paths(out)):
            where = f"component {carry_name}{path}" if path else carry_name
            _require_typematch(a, b, lambda: ShapeError(
                "dim-mismatch", "TypeError",
                f"{self._body_name()} function carry input and carry output must have "
                f"equal types, but they differ: the input carry {where} has type "
                f"{a.typed_str()} but the corresponding output carry component has type "
                f"{b.typed_str()}, so the {_mismatch(a, b)} do not match.", span))

    @staticmethod
    def _carry_name(fun, default: str) -> str:
        names = fun.param_names() if isinstance(fun, Function) else None
        return names[0] if names else default

    @staticmethod
    def _finish(out, extra_batch: frozenset, deriv: dict):
        return pytree.map_leaves(lambda leaf: _as_output(leaf, extra_batch, deriv), out)


class ForiLoopTransform(_Loop):
    """``lax.fori_loop(lower, upper, body_fun, init_val)``: a scan over a static
    trip count, whose body gets ``(i, carry)``."""

    def call(self, ev, args, kwargs, site):
        names = ("lower", "upper", "body_fun", "init_val", "unroll")
        b = bind_arguments("fori_loop", names, args, kwargs, site, {"unroll": None})
        # JAX makes a Python int `lower` the loop index (an int32 array); a
        # Python int `upper` only sets the trip count, so it may be any size.
        lower = to_array(b["lower"], site.param(0, "lower"))
        upper = to_array(b["upper"], site.param(1, "upper"), int32=False)
        for n, bound in (("lower", lower), ("upper", upper)):
            if dtypes.kind(bound.dtype) not in ("int", "uint") or bound.shape != ():
                raise ShapeError("bad-argument", "TypeError",
                                 f"fori_loop: {n} must be an integer scalar, got "
                                 f"{bound.typed_str()}", site.param(names.index(n), n))
        if lower.dtype != upper.dtype and not (lower.weak or upper.weak):
            raise ShapeError("dtype", "TypeError",
                             "lower and upper arguments to fori_loop must have equal types, got "
                             f"{dtypes.NUMPY_NAME[lower.dtype]} and "
                             f"{dtypes.NUMPY_NAME[upper.dtype]}", site.param(1, "upper"))
        body, span = b["body_fun"], site.param(2, "body_fun")
        if not isinstance(body, Function):
            raise ShapeError("bad-argument", "TypeError",
                             "lax.fori_loop: body_fun argument should be callable.", span)
        init = to_pytree(b["init_val"], site.param(3, "init_val"))
        index = Array((), "i32", weak=True, batch=lower.batch | upper.batch)
        carry, _ = self._run_body(ev, body, init, lambda c: [index, c], site, span,
                                  "body_fun", "loop_carry[1]")
        out = self._call(ev, body, [index, carry], site, span, "body_fun")
        return self._finish(out, index.batch, _derivs(init, out))


class WhileLoopTransform(_Loop):
    """``lax.while_loop(cond_fun, body_fun, init_val)``."""

    def call(self, ev, args, kwargs, site):
        names = ("cond_fun", "body_fun", "init_val")
        b = bind_arguments("while_loop", names, args, kwargs, site)
        cond, body = b["cond_fun"], b["body_fun"]
        init = to_pytree(b["init_val"], site.param(2, "init_val"))
        if pytree.leaves(init) and _derivs(init):
            raise ShapeError("unsupported", "NotImplementedError",
                             "differentiating through lax.while_loop is not modelled",
                             site.span)
        span = site.param(1, "body_fun")
        carry, _ = self._run_body(ev, body, init, lambda c: [c], site, span, "body_fun",
                                  self._carry_name(body, "carry"))
        pred = self._call(ev, cond, [carry], site, site.param(0, "cond_fun"), "cond_fun")
        if not isinstance(pred, Array) or pred.shape != () or pred.dtype != "bool":
            shown = pred.typed_str() if isinstance(pred, Array) else describe(pred)
            raise ShapeError("bad-argument", "TypeError",
                             f"cond_fun must return a boolean scalar, but got {shown}",
                             site.param(0, "cond_fun"))
        if pred.batch - _batch(carry):  # a batched predicate batches the whole carry
            carry = pytree.map_leaves(lambda a: replace(a, batch=a.batch | pred.batch), carry)
            carry, _ = self._run_body(ev, body, carry, lambda c: [c], site, span, "body_fun",
                                      self._carry_name(body, "carry"))
        out = self._call(ev, body, [carry], site, span, "body_fun")
        return self._finish(out, pred.batch, {})


class ScanTransform(_Loop):
    """``lax.scan(f, init, xs=None, length=None, reverse=False, unroll=1)``:
    ``f(carry, x) -> (carry, y)``; the ys are stacked on a new leading axis."""

    def call(self, ev, args, kwargs, site):
        names = ("f", "init", "xs", "length", "reverse", "unroll", "_split_transpose")
        b = bind_arguments("scan", names, args, kwargs, site,
                           {"xs": None, "length": None, "reverse": False, "unroll": 1,
                            "_split_transpose": False})
        f, span = b["f"], site.param(0, "f")
        init = to_pytree(b["init"], site.param(1, "init"))
        xs = to_pytree(b["xs"], site.param(2, "xs"))
        length = self._length(xs, b["length"], site)
        xs_slice = pytree.map_leaves(lambda a: replace(a, shape=a.shape[1:]), xs)
        carry, _ = self._run_body(ev, f, init, lambda c: [c, xs_slice], site, span, "f",
                                  self._carry_name(f, "carry"))
        out = self._call(ev, f, [carry, xs_slice], site, span, "f")
        new_carry, ys = out
        stacked = pytree.map_leaves(lambda y: replace(y, shape=(length,) + y.shape), ys)
        return self._finish((new_carry, stacked), frozenset(), _derivs(init, xs, out))

    def carry_of(self, out, span):
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise ShapeError("bad-argument", "TypeError",
                             f"scan body output must be a pair, got {_describe_tree(out)}.",
                             span)
        return out[0]

    def _length(self, xs, length, site):
        leaves = pytree.leaves(xs)
        for leaf in leaves:
            if leaf.rank == 0:
                raise ShapeError("bad-argument", "IndexError",
                                 "scan: every xs must have a leading axis to scan over, got a "
                                 "scalar (tuple index out of range)", site.param(2, "xs"))
        sizes = [leaf.shape[0] for leaf in leaves]
        scope.require_all_eq([(sizes[0], s) for s in sizes[1:]], lambda: ShapeError(
            "dim-mismatch", "ValueError", "scan got values with different leading axis sizes: "
            f"{', '.join(map(dims.fmt_dim, sizes))}.", site.param(2, "xs")))
        if length is not None:
            if not dims.is_dim(length):
                raise ShapeError("bad-argument", "TypeError",
                                 f"scan: length must be an integer, got {describe(length)}",
                                 site.param(3, "length"))
            if sizes:
                scope.require_eq(sizes[0], length, lambda: ShapeError(
                    "dim-mismatch", "ValueError",
                    f"scan got `length` argument of {dims.fmt_dim(length)} which disagrees "
                    f"with leading axis sizes [{', '.join(map(dims.fmt_dim, sizes))}].",
                    site.param(3, "length")))
            return length
        if not sizes:
            raise ShapeError("bad-argument", "ValueError",
                             "scan got no values to scan over and `length` not provided.",
                             site.span)
        return sizes[0]


class TreeMapTransform(_ControlFlow):
    """``jax.tree.map(f, tree, *rest)``: ``f`` on each leaf of ``tree`` (and the
    subtrees of ``rest`` at the same places); the result has ``tree``'s structure."""

    def __init__(self):
        super().__init__("tree.map")
        self.jax_name = "jax.tree.map"

    def call(self, ev, args, kwargs, site):
        kwargs = dict(kwargs)
        if kwargs.pop("is_leaf", None) is not None:  # (None is JAX's default)
            raise ShapeError("unsupported", "NotImplementedError",
                             "tree.map with an is_leaf function is not modelled",
                             site.kw("is_leaf"))
        refuse_keywords("tree.map", kwargs, site)
        if len(args) < 2:
            raise ShapeError("arity", "TypeError",
                             "tree.map() missing required positional arguments: 'f' and 'tree'",
                             site.span)
        f, tree, *rest = args
        span = site.arg(0)
        if not isinstance(f, Function):
            raise ShapeError("not-callable", "TypeError", f"{describe(f)} is not callable", span)
        tree = arrayify(tree, site.arg(1))
        columns = []
        for i, other in enumerate(rest):
            try:
                columns.append(pytree.prefix_subtrees(tree, arrayify(other, site.arg(i + 2)),
                                                      "tree_map tree"))
            except pytree.PrefixError as e:
                raise ShapeError("dim-mismatch", "ValueError", str(e), site.arg(i + 2)) from None
        inner = CallSite(site.span, span, (), {})
        out = [ev.call(f, [leaf] + [c[j] for c in columns], {}, inner)
               for j, leaf in enumerate(pytree.leaves(tree))]
        return pytree.unflatten_like(tree, out)
