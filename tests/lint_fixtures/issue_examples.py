import jax, jax.numpy as jnp
from jaxtyping import Array, Float

def linear(x: Float[Array, "batch d_in"], w: Float[Array, "d_in d_out"]) -> Float[Array, "d_out batch"]:
    return x @ w                      # expect: SHP002

def reduce(x: Float[Array, "b n d"]) -> Float[Array, "b n"]:
    return jnp.sum(x, axis=1)         # expect: SHP002

def outer(a: Float[Array, "a b c"], b: Float[Array, "a b c"]) -> Float[Array, "a a b c"]:
    return jax.vmap(jnp.add, (0, None), 1)(a, b)   
