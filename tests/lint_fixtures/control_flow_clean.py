import jax
import jax.numpy as jnp
from jax import lax
from jaxtyping import Array, Bool, Float


def cumulative(xs: Float[Array, "t d"], c0: Float[Array, "d"]) -> Float[Array, "t d"]:
    final, ys = lax.scan(lambda c, x: (c + x, c * x), c0, xs)
    return ys


def growing_carry(xs: Float[Array, "t d"], c0: Float[Array, "d"]) -> Float[Array, "t d"]:
    final, ys = lax.scan(lambda c, x: (c, x), c0, xs)
    return xs


def local_body(xs: Float[Array, "t d"], c0: Float[Array, "d"]) -> Float[Array, "t d"]:
    def step(c, x):
        y = c * x
        return c + y, y
    final, ys = jax.lax.scan(step, c0, xs)
    return ys


def choose(p: Bool[Array, ""], a: Float[Array, "n"]) -> Float[Array, "n"]:
    return lax.cond(p, lambda v: v * 2, lambda v: v[::-1], a)


def choose_mismatch(p: Bool[Array, ""], a: Float[Array, "n"]) -> Float[Array, "n"]:
    return lax.cond(p, lambda v: v * 2, lambda v: v + 1, a)


def branches(a: Float[Array, "n m"], b: Float[Array, "m n"]) -> Float[Array, "m n"]:
    if a.shape[0] > 2:
        y = a.T
    else:
        y = b
    return y


def branches_wrong(a: Float[Array, "n m"], b: Float[Array, "m n"]) -> Float[Array, "m n"]:
    if a.shape[0] > 2:
        y = a.T
    else:
        y = b
    return y
