import dataclasses

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Bool, Float


class _State(eqx.Module):
    lower: Float[Array, "n"]
    upper: Float[Array, "n"]
    scores: Float[Array, "n k"]
    done: Bool[Array, ""]


@dataclasses.dataclass
class Carry:
    total: Float[Array, "m"]


class RESULTS:
    successful = 0


def width(state: _State) -> Float[Array, "n"]:
    return state.upper - state.lower + jnp.sum(state.scores, axis=1)


def project(state: _State, w: Float[Array, "k d"]) -> Float[Array, "k d"]:
    return w * jnp.sum(state.scores @ state.scores.T)


def shared_sizes(state: _State, x: Float[Array, "n"]) -> Float[Array, "n"]:
    return state.lower + x  # the field's n is the function's, as for self


def terminate(state: _State, x: Float[Array, "n"]) -> tuple[Bool[Array, ""], "RESULTS"]:
    return state.done, RESULTS.successful


def add(carry: Carry, y: "Carry") -> Float[Array, "m"]:
    carry = Carry(total=carry.total)
    return carry.total + jnp.sum(y.total)


def total(carry: Carry) -> Float[Array, ""]:
    return jnp.sum(carry.total, axis=0)


def grow(carry: Carry, x: Float[Array, "k"]) -> Carry:
    return Carry(total=carry.total + jnp.sum(x))


class Solver(eqx.Module):
    atol: float
    scale: Float[Array, "n"]

    def tolerance(self, y: Float[Array, "n"]) -> Float[Array, "n"]:
        return self.atol * jnp.abs(y) + self.scale


def tolerance(solver: Solver, y: Float[Array, "m"]) -> Float[Array, "m"]:
    return solver.atol + y
