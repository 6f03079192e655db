import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float


class Linear(eqx.Module):
    weight: Float[Array, "d_out d_in"]
    bias: Float[Array, "d_out"]

    def __call__(self, x: Float[Array, "d_in"]) -> Float[Array, "d_out"]:
        return self.weight @ x + self.bias

    def transposed(self, x: Float[Array, "d_in"]) -> Float[Array, "d_in"]:
        return self.weight @ x  # expect: SHP002

    def wrong_side(self, x: Float[Array, "d_in"]) -> Float[Array, "d_out"]:
        return x @ self.weight  # expect: SHP005


def batched(w: Float[Array, "o i"], xs: Float[Array, "n i"]) -> Float[Array, "n o"]:
    return jax.vmap(lambda x: w @ x)(xs)


def batched_wrong_axis(w: Float[Array, "o i"], xs: Float[Array, "i n"]) -> Float[Array, "n o"]:
    return jax.vmap(lambda x: w @ x)(xs)  # expect: SHP005


def inconsistent(a: Float[Array, "n d"], b: Float[Array, "m d"]) -> Float[Array, "n d"]:
    return jax.vmap(jnp.add)(a, b)  # expect: SHP005


def keywords(x: Float[Array, "n d"], w: Float[Array, "d k"]) -> Float[Array, "n k"]:
    return project(w=w, x=x.T)  # expect: SHP004


def project(x: Float[Array, "n d"], w: Float[Array, "d k"]) -> Float[Array, "n k"]:
    return x @ w


class Mlp(eqx.Module):
    w1: Float[Array, "h d"]
    w2: Float[Array, "o h"]

    def hidden(self, x: Float[Array, "d"]) -> Float[Array, "h"]:
        return jax.nn.relu(self.w1 @ x)

    def __call__(self, x: Float[Array, "d"]) -> Float[Array, "o"]:
        return self.w2 @ self.hidden(x)

    def skip(self, x: Float[Array, "d"]) -> Float[Array, "o"]:
        return self.w2 @ self.hidden(self.hidden(x))  # expect: SHP004


class Scaled(Linear):
    scale: Float[Array, ""]

    def __call__(self, x: Float[Array, "d_in"]) -> Float[Array, "d_in"]:
        return self.scale * (self.weight @ x)  # expect: SHP002

    def inherited(self, x: Float[Array, "d_out"]) -> Float[Array, "d_in"]:
        return self.transposed(x)  # expect: SHP004


class Broken(eqx.Module):
    weight: Float[Array, "a %"]  # expect: SHP001

    def __call__(self, x: Float[Array, "d"]) -> Float[Array, "d"]:
        return x
