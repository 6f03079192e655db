import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


def loop_keeps_shape(x: Float[Array, "n d"], w: Float[Array, "d d"]) -> Float[Array, "n d"]:
    for _ in range(3):
        x = jnp.tanh(x @ w)
    return x


def loop_changes_shape(x: Float[Array, "n n"], v: Float[Array, "n"]) -> Float[Array, "n"]:
    # x is (n, n) before the loop and (n,) after an iteration: unknown at the
    # loop's head, so nothing in or after the loop is reported
    for _ in range(3):
        x = jnp.sum(x, axis=0) + v
    return x


def while_carry(x: Float[Array, "n"], y: Float[Array, "n"]) -> Float[Array, "n"]:
    i = 0
    while i < 10:
        x = x * 2.0
        i = i + 1
    else:
        x = x + 1.0
    return x + y


def with_body(x: Float[Array, "b n"]) -> Float[Array, "b n"]:
    with jax.named_scope("body") as scope:
        y = x * 2
        del scope
    return y


def try_body(x: Float[Array, "b n"]) -> Float[Array, "n"]:
    try:
        y = jnp.sum(x, axis=0)
    except ValueError as e:
        raise RuntimeError("no") from e
    finally:
        print("done")
    return y


def try_handler_rebinds(x: Float[Array, "b n"]) -> Float[Array, "n"]:
    try:
        y = jnp.sum(x, axis=0)
    except ValueError:
        y = x  # a handler path: y is (b, n) or (n,), so unknown after
    return y


def early_return(x: Float[Array, "b n"]) -> Float[Array, "n b"]:
    if x.shape[0] > 100:
        return x.T
    else:
        y = x.T
    assert y.ndim == 2
    return y


# A closure reads `x` when it runs, after `x = x.T` (it was once taken as
# the `x` of its definition: a false SHP002)
def late_closure(x: Float[Array, "n m"]) -> Float[Array, "m n"]:
    f = lambda: x
    x = x.T
    return f()


def late_local_function(x: Float[Array, "n m"]) -> Float[Array, "m n"]:
    def f():
        return x
    x = x.T
    return f()


def body_names(x: Float[Array, "n"]) -> Float[Array, "n"]:
    y: Float[Array, "k"] = jnp.concatenate([x, x])
    z: Float[Array, "k"] = jnp.concatenate([x, x])
    w = jnp.outer(x, x)  # shape: (n, n)
    v = jnp.outer(y, x)  # shape: (k, n)
    return x
