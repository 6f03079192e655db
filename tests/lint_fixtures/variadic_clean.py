import jax.numpy as jnp
from jaxtyping import Array, Float


def wrong_axis(x: Float[Array, "*batch n"]) -> Float[Array, "*batch"]:
    return x.sum(-1)


def first(x: Float[Array, "*batch n"]) -> Float[Array, "*batch n"]:
    return x[..., ::-1]


def centre(x: Float[Array, "*batch"]) -> Float[Array, "*batch"]:
    return x - x.mean(keepdims=True)


def rows(x: Float[Array, "... n m"]) -> Float[Array, "... n"]:
    return x.sum(-1)


def pair(x: Float[Array, "*b n"], y: Float[Array, "*b n"]) -> Float[Array, "*b n"]:
    return x + y


def scale(x: Float[Array, "n d"], s: Float[Array, "#d"]) -> Float[Array, "n d"]:
    return x * s


def project(x: Float[Array, "#n d"], y: Float[Array, "n d"]) -> Float[Array, "#n d"]:
    return x @ (y.T @ y)


def add(x: Float[Array, "*b n"], y: Float[Array, "*b n"]) -> Float[Array, "*b n"]:
    return x + y


def call_add(x: Float[Array, "p q"]) -> Float[Array, "p q"]:
    return add(x, x[::-1])


def outer(a: Float[Array, "*b n"], b: Float[Array, "*b m"]) -> Float[Array, "*b n m"]:
    return a[..., :, None] * b[..., None, :]
