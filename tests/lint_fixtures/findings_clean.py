from functools import partial
import jax
import jaxtyping as jt
from jax import numpy as np2
from jax.numpy import sum as jsum
from jaxtyping import Float as F, Array

Vec = F[Array, "n"]
Mat = "F[Array, 'n m']"

def rowsum(x: F[Array, "n m"]) -> Vec:
    return jsum(x, axis=1)

def bad_alias(x: F[Array, "n m"]) -> Vec:
    return np2.sum(x, axis=1)

def calls(a: F[Array, "p q"], b: F[Array, "q p"]) -> F[Array, "p"]:
    y = rowsum(a)
    z = rowsum(a.T)
    return y

def contradiction(a: F[Array, "p q"]) -> F[Array, "p"]:
    return pair(a, a.T)

def pair(x: F[Array, "n m"], y: F[Array, "m n"]) -> F[Array, "n"]:
    return jsum(x + y.T, axis=1)

def body_error(a: F[Array, "p q"], b: F[Array, "q"]) -> F[Array, "p q"]:
    return a + b

def branches(a: F[Array, "p q"], flag: bool) -> F[Array, "q p"]:
    if flag:
        y = a.T
    else:
        y = np2.transpose(a)
    return y

def assigned(a: F[Array, "p q"]) -> None:
    y: F[Array, "q p"] = a.T
    z = a * 2  # shape: (p, q)
    w = a * 2  # shape: (p, q)

@jax.jit
def jitted(a: jt.Float32[Array, "p q"]) -> jt.Float32[Array, "q"]:
    return a.sum(0)

@partial(jax.vmap, in_axes=(0, None))
def mapped(a: F[Array, "q"], b: F[Array, "q"]) -> F[Array, "q"]:
    return a * b

def use_mapped(a: F[Array, "p q"], b: F[Array, "q"]) -> F[Array, "q p"]:
    return mapped(a, b).T

def malformed(x: F[Array, "*a n"]) -> F[Array, "*a n"]:
    return x

def fwd(x: "F[Array, 'n 3']") -> "F[Array, 'n 3']":
    return x

def unknowns(x: F[Array, "n m"], k) -> F[Array, "n"]:
    y = foo(x)
    for i in range(3):
        x = x + 1
    return k(x)

def noqa(x: F[Array, "n m"]) -> F[Array, "m"]:
    return x.sum(0)

def rotated(x: F[Array, "a b c"], y: F[Array, "a b c"]) -> F[Array, "a b c"]:
    return x + y

def doubled(x: F[Array, "n"], y: F[Array, "2*n"]) -> F[Array, ""]:
    return np2.concatenate([x, x]) @ y

def shifted(x: F[Array, "n"], y: F[Array, "n-1"]) -> F[Array, "n-1"]:
    return x[1:] + y

def calls_shifted(a: F[Array, "k"], b: F[Array, "k-1"]) -> F[Array, "k-1"]:
    return shifted(a, b)
