import math

import jax.numpy as jnp
from jaxtyping import Array, Float


def scaled(q: Float[Array, "s d"], k: Float[Array, "t d"]) -> Float[Array, "s t"]:
    return (q / math.sqrt(q.shape[-1])) @ k.T


def circle(r: Float[Array, "n"]) -> Float[Array, "n"]:
    return math.pi * r**2


def masked(x: Float[Array, "n m"], keep: Float[Array, "n m"]) -> Float[Array, "n m"]:
    return jnp.where(keep > 0, x, jnp.finfo(x.dtype).min)


def safe_norm(x: Float[Array, "n"]) -> Float[Array, ""]:
    return jnp.sqrt(jnp.sum(x**2) + jnp.finfo(x.dtype).eps)
