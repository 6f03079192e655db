import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

def a(x: Float[Array, "n d"]) -> Float[Array, "n 3"]:
    return jnp.zeros((x.shape[0], 3))

def b(x: Float[Array, "n d"]) -> Float[Array, "n*d"]:
    return x.reshape(-1)

def c(x: Float[Array, "n d"]) -> Float[Array, "n 1"]:
    return x.sum(axis=-1, keepdims=True)

def d(x: Float[Array, "n d"]) -> Float[Array, "n 1 d"]:
    return x[:, None]

def e(x: Float[Array, "n d"], y: Float[Array, "d k"]) -> Float[Array, "n k"]:
    return jnp.einsum("nd,dk->nk", x, y)

def f(w: Float[Array, "v d"], idx: Int[Array, "b"]) -> Float[Array, "b d"]:
    return w[idx]

def g(x: Float[Array, "n d"], scale: float) -> Float[Array, "n d"]:
    return jax.nn.softmax(x * scale, axis=-1)

def h(x: Float[Array, "n"]) -> Float[Array, "n"]:
    if x.ndim == 2:
        return x.sum(0)
    return x

def i(x: Float[Array, "n d"]) -> Float[Array, "d"]:
    m = x.mean(0)
    m = m - m.max()
    return m

def j(x: Float[Array, "*b n"]) -> Float[Array, "*b"]:
    return x.sum(-1)

def k(x: Float[Array, "n d"]) -> tuple[Float[Array, "n"], Float[Array, "d"]]:
    return x.sum(1), x.sum(0)

def l(x: Float[Array, "_ d"]) -> Float[Array, "d"]:
    return x[0]

def m(x: Float[Array, "n d"]) -> Float[Array, "n d"]:
    x = x.T
    x = x.T
    return x

def n_(x: Float[Array, " n"]) -> Float[Array, ""]:
    return jnp.dot(x, x)

def o(x: Float[Array, "n"], y: Float[Array, "n"]) -> Float[Array, "n"]:
    return jnp.where(x > 0, x, y)

def p(x: Float[Array, "n d"]) -> Float[Array, "d n"]:
    return jnp.transpose(x, (1, 0))

def q(x: Float[Array, "n d"]) -> Float[Array, "n d-1"]:
    return x[:, 1:]

def r(x: Float[Array, "n d"]) -> Float[Array, "2*n d"]:
    return jnp.concatenate([x, x], axis=0)

def k2(x: Float[Array, "n d"]) -> tuple[Float[Array, "n"], Float[Array, "d"]]:
    return x.sum(1), x.sum(0)

def k3(x: Float[Array, "n d"]) -> "tuple[Float[Array, 'n'], Float[Array, 'd']]":
    return x.sum(1), x.sum(0)
