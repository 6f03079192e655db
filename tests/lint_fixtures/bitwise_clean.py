import jax.numpy as jnp
from jaxtyping import Array, Bool, Float, Int

def in_band(x: Float[Array, "b n"], lo: Float[Array, "n"]) -> Bool[Array, "b n"]:
    return (x > lo) & ~(x > 2 * lo) | jnp.isnan(x)

def flags(m: Int[Array, "n"], k: Int[Array, "n"]) -> Int[Array, "n"]:
    return (m << 1) ^ (k >> 2) & jnp.invert(m)

def wrong_band(x: Float[Array, "b n"], lo: Float[Array, "n"]) -> Bool[Array, "b n"]:
    return (x > lo) & ~(x > 2 * lo)

def mixed(m: Bool[Array, "n 2"], k: Bool[Array, "3"]) -> Bool[Array, "n 2"]:
    return jnp.logical_xor(m, k[1:])

def converged(factor: Float[Array, ""], tol: float) -> Bool[Array, ""]:
    return (factor > 0) & (factor < tol)

def all_converged(factor: Float[Array, "n"], tol: float) -> Bool[Array, "n"]:
    return (factor > 0) & (factor < tol)
