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
    return state.upper - state.lower + state.scores  # expect: SHP005


def project(state: _State, w: Float[Array, "k d"]) -> Float[Array, "k d"]:
    return state.scores  # expect: SHP002


def shared_sizes(state: _State, x: Float[Array, "m"]) -> Float[Array, "m"]:
    return state.lower + x  # expect: SHP005


def terminate(state: _State, x: Float[Array, "n"]) -> tuple[Float[Array, ""], "RESULTS"]:
    return state.lower @ state.scores, RESULTS.successful  # expect: SHP002


def add(carry: Carry, y: "Carry") -> Float[Array, "m"]:
    carry = Carry(total=carry.total)
    return carry.total + jnp.sum(y.total)  # an unknown: nothing reported


def total(carry: Carry) -> Float[Array, ""]:
    return jnp.sum(carry.total, axis=0, keepdims=True)  # expect: SHP002


def grow(carry: Carry, x: Float[Array, "k"]) -> Carry:
    return Carry(total=carry.total + jnp.sum(x))  # not an array: not tracked


class Solver(eqx.Module):
    atol: float
    scale: Float[Array, "n"]

    def tolerance(self, y: Float[Array, "n"]) -> Float[Array, ""]:
        return self.atol * jnp.abs(y) + self.scale  # expect: SHP002


def tolerance(solver: Solver, y: Float[Array, "m"]) -> Float[Array, "m 1"]:
    return solver.atol + y  # expect: SHP002
