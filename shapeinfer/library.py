"""The built-in namespace: every operation and transformation by each name it
is reachable by (bare, ``jnp.``, ``jax.numpy.``, ``jax.nn.``, ``jax.``).
"""
from __future__ import annotations

import functools

from .autodiff import DifferentiateTransform
from .ops import elementwise_operations
from .transforms import PartialTransform, PassThroughTransform, VmapTransform
from .values import Function


@functools.lru_cache(maxsize=None)
def builtins() -> dict[str, Function]:
    names: dict[str, Function] = {}
    for name, op in elementwise_operations().items():
        names[name] = op
        if name.startswith("."):
            continue  # reachable only as an attribute (x.T)
        if op.info.get("nn"):
            names[f"jax.nn.{name}"] = op
            names[f"nn.{name}"] = op
        else:
            names[f"jnp.{name}"] = op
            names[f"jax.numpy.{name}"] = op
    # jax.jit's and jax.checkpoint's options in the pinned JAX
    jit = PassThroughTransform("jit", "jax.jit", (
        "in_shardings", "out_shardings", "static_argnums", "static_argnames", "donate_argnums",
        "donate_argnames", "keep_unused", "device", "backend", "inline", "compiler_options"),
        fun_positional_only=True)
    checkpoint = PassThroughTransform("checkpoint", "jax.checkpoint", (
        "prevent_cse", "policy", "static_argnums", "static_argnames", "concrete"))
    transforms = [
        (VmapTransform(), ("vmap", "jax.vmap")),
        (jit, ("jit", "jax.jit")),
        (checkpoint, ("checkpoint", "jax.checkpoint", "remat", "jax.remat")),
        (PartialTransform(), ("partial", "functools.partial")),
        (DifferentiateTransform("grad"), ("grad", "jax.grad")),
        (DifferentiateTransform("value_and_grad"), ("value_and_grad", "jax.value_and_grad")),
        (DifferentiateTransform("jacfwd"), ("jacfwd", "jax.jacfwd")),
        (DifferentiateTransform("jacrev"), ("jacrev", "jax.jacrev", "jacobian", "jax.jacobian")),
        (DifferentiateTransform("hessian"), ("hessian", "jax.hessian")),
    ]
    for transform, aliases in transforms:
        for alias in aliases:
            names[alias] = transform
    return names
