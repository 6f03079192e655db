import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def loop_keeps_shape(x: Float[Array, "n d"], w: Float[Array, "d d"]) -> Float[Array, "d n"]:
    for _ in range(3):
        x = jnp.tanh(x @ w)
    return x  # expect: SHP002


def loop_body_error(x: Float[Array, "n d"], w: Float[Array, "n d"]) -> Float[Array, "n d"]:
    for _ in range(3):
        x = x @ w  # expect: SHP005
    return x


def while_carry(x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, "n"]:
    i = 0
    while i < 10:
        x = x * 2.0
        i = i + 1
    return x + y  # expect: SHP005


def with_body(x: Float[Array, "b n"]) -> Float[Array, "n b"]:
    with jax.named_scope("body") as scope:
        y = x * 2
    return y  # expect: SHP002


def try_body(x: Float[Array, "b n"]) -> Float[Array, "b"]:
    try:
        y = jnp.sum(x, axis=0)
    except ValueError:
        raise
    return y  # expect: SHP002


def early_return(x: Float[Array, "b n"]) -> Float[Array, "b n"]:
    if x.shape[0] > 100:
        return x
    y = x.T
    return y  # expect: SHP002


# `k` is bound by the first annotation to 2*n (the message says so); the
# second agrees with it, the comment does not.
def body_names(x: Float[Array, "n"]) -> Float[Array, "n"]:
    y: Float[Array, "k"] = jnp.concatenate([x, x])
    z: Float[Array, "k"] = jnp.concatenate([x, x])
    w = jnp.outer(x, x)  # shape: (k, k)  # expect: SHP003
    return x
