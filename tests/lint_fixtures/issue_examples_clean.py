import jax, jax.numpy as jnp
from jaxtyping import Array, Float

def linear(x: Float[Array, "batch d_in"], w: Float[Array, "d_in d_out"]) -> Float[Array, "batch d_out"]:
    return x @ w

def reduce(x: Float[Array, "b n d"]) -> Float[Array, "b d"]:
    return jnp.sum(x, axis=1)

def outer(a: Float[Array, "a b c"], b: Float[Array, "a b c"]) -> Float[Array, "a a b c"]:
    return jax.vmap(jnp.add, (0, None), 1)(a, b)
