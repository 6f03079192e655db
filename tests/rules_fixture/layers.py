"""A user's own layers, in jax.numpy: what tests/test_rules.py checks rules against.

The rule files beside this module point at these functions with
``python "layers:NAME"``; the checker imports them from the rule file's
directory.
"""
import jax
import jax.numpy as jnp


def attention(q, k, v):
    """Scaled dot-product attention over the last two axes; leading axes are batch."""
    scores = jnp.einsum("...qd,...kd->...qk", q, k) / jnp.sqrt(q.shape[-1])
    return jnp.einsum("...qk,...kv->...qv", jax.nn.softmax(scores, axis=-1), v)


def patchify(x, p):
    """(*b, h, w, c) images -> (*b, h/p, w/p, p*p*c) patches (reshape refuses h % p != 0)."""
    *b, h, w, c = x.shape
    x = x.reshape(*b, h // p, p, w // p, p, c)
    x = jnp.swapaxes(x, -4, -3)
    return x.reshape(*b, h // p, w // p, p * p * c)


def sum_all_keepdims(x):
    """Sum over every axis, keeping them as size-1 axes."""
    return jnp.sum(x, axis=None, keepdims=True)


def first_row(x):
    """x[0] of a 2-D array: depends on the rows only, never on a batch of another argument."""
    return x[0]


not_a_function = 42
