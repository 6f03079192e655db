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
    return np2.sum(x, axis=0)  # expect: SHP002

def calls(a: F[Array, "p q"], b: F[Array, "q p"]) -> F[Array, "p"]:
    y = rowsum(a)
    z = rowsum(a.T)
    return y

def contradiction(a: F[Array, "p q"]) -> F[Array, "p"]:
    return pair(a, a)  # expect: SHP004

def pair(x: F[Array, "n m"], y: F[Array, "m n"]) -> F[Array, "n"]:
    return jsum(x + y.T, axis=1)

def body_error(a: F[Array, "p q"], b: F[Array, "p"]) -> F[Array, "p q"]:
    return a + b  # expect: SHP005

def branches(a: F[Array, "p q"], flag: bool) -> F[Array, "q p"]:
    if flag:
        y = a.T
    else:
        y = np2.transpose(a)
    return y

def assigned(a: F[Array, "p q"]) -> None:
    y: F[Array, "p q"] = a.T  # expect: SHP003
    z = a * 2  # shape: (q, p)  # expect: SHP003
    w = a * 2  # shape: (p, q)

@jax.jit
def jitted(a: jt.Float32[Array, "p q"]) -> jt.Float32[Array, "q"]:
    return a.sum(0)

@partial(jax.vmap, in_axes=(0, None))
def mapped(a: F[Array, "q"], b: F[Array, "q"]) -> F[Array, "q"]:
    return a * b

def use_mapped(a: F[Array, "p q"], b: F[Array, "q"]) -> F[Array, "q p"]:
    return mapped(a, b)  # expect: SHP002

def malformed(x: F[Array, "*a *b"]) -> F[Array, "n"]:  # expect: SHP001
    return x

def fwd(x: "F[Array, 'n 3']") -> "F[Array, 'n 4']":
    return x  # expect: SHP002

def unknowns(x: F[Array, "n m"], k) -> F[Array, "n"]:
    y = foo(x)
    for i in range(3):
        x = x + 1
    return k(x)

def noqa(x: F[Array, "n m"]) -> F[Array, "m"]:
    return x  # noqa: SHP002

# Errors no single equality of sizes undoes: the message still says what
# would pass (it used to claim the error for all sizes).
def rotated(x: F[Array, "a b c"], y: F[Array, "b c a"]) -> F[Array, "a b c"]:
    return x + y  # expect: SHP005

def doubled(x: F[Array, "n"], y: F[Array, "m"]) -> F[Array, ""]:
    return np2.concatenate([x, x]) @ y  # expect: SHP005

def shifted(x: F[Array, "n"], y: F[Array, "n-1"]) -> F[Array, "n-1"]:
    return x[1:] + y

# `y` is not `n-1`: the call contradicts the annotation (the return derived
# from it, (k-1,), was once reported as SHP002; at k = 2 JAX returns (2,))
def calls_shifted(a: F[Array, "k"], b: F[Array, "k"]) -> F[Array, "k"]:
    return shifted(a, b)  # expect: SHP004
