"""A user's own functions, written in jax.numpy, for tests/test_rules.py.

The rule files beside this module point at them with ``python "layers:NAME"``;
the checker (``shapeinfer.check(..., rules=...)``, ``shapeinfer check
--rules``) imports this module from the rule file's directory and runs the
functions under ``jax.eval_shape``, so each rule is verified against real code.
"""
import jax
import jax.numpy as jnp


def attention(q, k, v):
    """Scaled dot-product attention; leading axes are batch (einsum broadcasts them)."""
    scores = jnp.einsum("...qd,...kd->...qk", q, k) / jnp.sqrt(q.shape[-1])
    return jnp.einsum("...qk,...kv->...qv", jax.nn.softmax(scores, axis=-1), v)


def patchify(x, p):
    """(*b, h, w, c) images -> (*b, h/p, w/p, p*p*c) patches; reshape refuses h % p != 0."""
    *b, h, w, c = x.shape
    x = x.reshape(*b, h // p, p, w // p, p, c)
    x = jnp.swapaxes(x, -4, -3)
    return x.reshape(*b, h // p, w // p, p * p * c)


def halve(x):
    """The first half of a 1-D array of even size (reshape refuses an odd size)."""
    return x.reshape(2, x.shape[0] // 2)[0]


def pairs(x):
    """(*b, h) -> (*b, h/2, 2), with its own ValueError for an odd h."""
    *b, h = x.shape
    if h % 2:
        raise ValueError(f"pairs: odd last dim {h}")
    return x.reshape(*b, h // 2, 2)


def scale(x, y=None):
    """x, or x * y when y is given."""
    return x if y is None else x * y


def sum_all_keepdims(x):
    """The sum over every axis, each kept as a size-1 axis."""
    return jnp.sum(x, axis=None, keepdims=True)


def pick_second(x, y):
    """y as it is: under vmap its batching is y's alone, whatever x is."""
    return y


not_a_function = 42
