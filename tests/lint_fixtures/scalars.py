import math

import jax.numpy as jnp
from jaxtyping import Array, Float


def scaled(q: Float[Array, "s d"], k: Float[Array, "t d"]) -> Float[Array, "s t"]:
    return (q / math.sqrt(q.shape[-1])) @ k  # expect: SHP005


def circle(r: Float[Array, "n"]) -> Float[Array, ""]:
    return math.pi * r**2  # expect: SHP002


def masked(x: Float[Array, "n m"], keep: Float[Array, "m n"]) -> Float[Array, "n m"]:
    return jnp.where(keep > 0, x, jnp.finfo(x.dtype).min)  # expect: SHP005


def safe_norm(x: Float[Array, "n"]) -> Float[Array, ""]:
    return jnp.sqrt(x**2 + jnp.finfo(x.dtype).eps)  # expect: SHP002
