import jax.numpy as jnp
from jaxtyping import Array, Float

def drop_first(x: Float[Array, "n"]) -> Float[Array, "n-1"]:
    return x[1:]

def twice(x: Float[Array, "n"]) -> Float[Array, "2*n"]:
    return jnp.concatenate([x, x])

def user(a: Float[Array, "k"]) -> Float[Array, "2*k-2"]:
    return twice(drop_first(a))

def wrong_user(a: Float[Array, "k"]) -> Float[Array, "2*k"]:
    return twice(drop_first(a))  # expect: SHP002
