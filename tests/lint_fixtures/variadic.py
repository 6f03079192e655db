import jax.numpy as jnp
from jaxtyping import Array, Float

# Each finding holds at a rank jaxtyping accepts for the `*name` / `...` (or
# with a `#name` of size 1): the message says which.


def wrong_axis(x: Float[Array, "*batch n"]) -> Float[Array, "*batch"]:
    return x.sum(0)  # expect: SHP002


def first(x: Float[Array, "*batch n"]) -> Float[Array, "n"]:
    return x[0]  # expect: SHP002


def centre(x: Float[Array, "*batch"]) -> Float[Array, "*batch"]:
    return x - x.mean(axis=0, keepdims=True)  # expect: SHP005


def rows(x: Float[Array, "... n m"]) -> Float[Array, "... n"]:
    return x.sum(-2)  # expect: SHP002


def pair(x: Float[Array, "*b n"], y: Float[Array, "*c n"]) -> Float[Array, "*b n"]:
    return x + y  # expect: SHP005


def scale(x: Float[Array, "n d"], s: Float[Array, "#n"]) -> Float[Array, "n d"]:
    return x * s  # expect: SHP005


def project(x: Float[Array, "#n d"], y: Float[Array, "n d"]) -> Float[Array, "n d"]:
    return x @ (y.T @ y)  # expect: SHP002


def add(x: Float[Array, "*b n"], y: Float[Array, "*b n"]) -> Float[Array, "*b n"]:
    return x + y


def call_add(x: Float[Array, "p q"]) -> Float[Array, "p q"]:
    return add(x, x[0])  # expect: SHP004
