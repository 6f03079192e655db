"""Random-program conformance: the engine against jax.eval_shape.

3,000 seeded programs (nested vmaps, elementwise, structure, reduction and product operations,
tensordot, jnp.linalg and lax dynamic slices, einsum and joins,
methods, ** and comparisons, advanced indexing (index arrays, masks), lax.cond / switch / fori_loop / while_loop /
scan, lambdas, closures, pytree arguments, grad / jacobians under vmap, varied in_axes /
out_axes, valid and invalid); every one must agree with JAX on the result
shapes or the exception class. The engine may decline a program it does
not model (code ``unsupported``: whether a second derivative is batched),
but rarely.
"""
import collections

import pytest
import sympy

import shapeinfer
from progen import programs
from shapeinfer.oracle import agree, engine_outcome, jax_outcome

SQUEEZE_POLY = "jnp.squeeze with axis=None is not supported with shape polymorphism"
CHUNKS = 12
PER_CHUNK = 250


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_programs_agree_with_jax(chunk):
    disagreements = []
    kinds = collections.Counter()
    for program in programs(PER_CHUNK, seed=1000 + chunk):
        engine = engine_outcome(program.text, program.sizes)
        if engine.code == "unsupported":
            kinds["unsupported"] += 1
            continue
        oracle = jax_outcome(program.text, program.sizes)
        kinds["ok" if engine.ok else "error"] += 1
        if oracle is None or not agree(engine, oracle):
            disagreements.append(f"{program.text}  sizes={program.sizes}\n"
                                 f"    shapeinfer: {engine}\n    jax:        {oracle}")
    assert not disagreements, "\n".join(disagreements[:10])
    # Both valid and invalid programs must be well represented.
    assert kinds["ok"] >= PER_CHUNK // 5 and kinds["error"] >= PER_CHUNK // 5, kinds
    assert kinds["unsupported"] <= PER_CHUNK // 50, kinds


def test_symbolic_answers_specialise_to_the_concrete_ones():
    """Where the symbolic answer exists, substituting sizes gives JAX's answer."""
    checked = 0
    for program in programs(600, seed=77):
        if not program.sizes:
            continue
        try:
            symbolic = shapeinfer.infer(program.text)
        except shapeinfer.ShapeError:
            continue  # JAX's symbolic shapes reject undecidable comparisons too
        subs = {sympy.Symbol(k, integer=True, positive=True): v for k, v in program.sizes.items()}
        leaves = tuple(tuple(int(sympy.sympify(d).subs(subs)) for d in shape)
                       for shape in symbolic.leaves)
        oracle = jax_outcome(program.text, program.sizes)
        assert oracle.ok and oracle.leaves == leaves, (program.text, program.sizes, leaves, oracle)
        checked += 1
    assert checked >= 50


def test_symbolic_programs_agree_with_jax_symbolic_shapes():
    """Strict symbolic answers match jax.eval_shape on jax.export.symbolic_shape inputs."""
    from shapeinfer.oracle import size_symbols, symbolic_sizes
    from shapeinfer.syntax import parse

    checked, disagreements = 0, []
    for program in programs(1500, seed=4242):
        symbols = size_symbols(parse(program.text))
        if not symbols:
            continue
        engine = engine_outcome(program.text, {})
        if engine.code == "unsupported":
            continue
        oracle = jax_outcome(program.text, symbolic_sizes(symbols))
        if oracle is not None and SQUEEZE_POLY in oracle.message:
            # JAX's symbolic shapes refuse squeeze without axes outright; the
            # default mode answers for every size (strict mode is issue 7)
            continue
        checked += 1
        if oracle is None or not agree(engine, oracle):
            disagreements.append(f"{program.text}\n    shapeinfer: {engine}\n    jax: {oracle}")
    assert not disagreements, "\n".join(disagreements[:10])
    assert checked >= 300
