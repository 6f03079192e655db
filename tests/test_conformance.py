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
import random

import pytest
import sympy

import shapeinfer
from progen import loose_programs, programs
from shapeinfer import dims
from shapeinfer.scope import satisfying_sizes
from shapeinfer.oracle import agree, engine_outcome, jax_outcome

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
    """Default mode: at sizes that satisfy its guards, the symbolic answer is
    JAX's concrete answer (the program's own sizes, when they satisfy them,
    and sizes drawn to satisfy them)."""
    rng = random.Random(5)
    checked = guarded = 0
    for program in programs(600, seed=77):
        if not program.sizes:
            continue
        try:
            symbolic = shapeinfer.infer(program.text)
        except shapeinfer.ShapeError:
            continue  # an error holds wherever the guards taken before it do
        names = sorted(program.sizes)
        drawn = satisfying_sizes(symbolic.guards, names, rng)
        assert drawn is not None, (program.text, symbolic.guards)
        own = {dims.symbol(k): v for k, v in program.sizes.items()}
        at_own = all(bool(g.xreplace(own)) for g in symbolic.guards)
        for sizes in [drawn] + ([program.sizes] if at_own else []):
            subs = {dims.symbol(k): v for k, v in sizes.items()}
            leaves = tuple(tuple(int(sympy.sympify(d).xreplace(subs)) for d in shape)
                           for shape in symbolic.leaves)
            oracle = jax_outcome(program.text, sizes)
            assert oracle.ok and oracle.leaves == leaves, (program.text, sizes, symbolic.guards,
                                                           leaves, oracle)
            checked += 1
        guarded += bool(symbolic.guards)
    assert checked >= 100 and guarded >= 5, (checked, guarded)


def test_symbolic_programs_agree_with_jax_symbolic_shapes():
    """Strict mode matches jax.eval_shape on jax.export.symbolic_shape inputs:
    the same shapes, or the same exception class."""
    from shapeinfer.oracle import size_symbols, symbolic_sizes
    from shapeinfer.syntax import parse

    checked, disagreements = 0, []
    for program in programs(1500, seed=4242):
        symbols = size_symbols(parse(program.text))
        if not symbols:
            continue
        engine = engine_outcome(program.text, {}, strict=True)
        if engine.code == "unsupported":
            continue
        oracle = jax_outcome(program.text, symbolic_sizes(symbols))
        checked += 1
        if oracle is None or not agree(engine, oracle):
            disagreements.append(f"{program.text}\n    shapeinfer: {engine}\n    jax: {oracle}")
    assert not disagreements, "\n".join(disagreements[:10])
    assert checked >= 300


LOOSE_CHUNKS = 6
LOOSE_PER_CHUNK = 250


@pytest.mark.parametrize("chunk", range(LOOSE_CHUNKS))
def test_loose_symbolic_programs_in_both_modes(chunk):
    """1,500 random programs over size symbols that often differ (issue 7):
    (a) every default-mode answer, at sizes drawn to satisfy its guards,
    equals JAX's concrete answer; (b) strict mode agrees with JAX's symbolic
    shapes (the same shapes or the same exception class)."""
    from shapeinfer.oracle import size_symbols, symbolic_sizes
    from shapeinfer.syntax import parse

    rng = random.Random(chunk)
    disagreements = []
    kinds = collections.Counter()
    for program in loose_programs(LOOSE_PER_CHUNK, seed=9000 + chunk):
        names = size_symbols(parse(program.text))
        strict = engine_outcome(program.text, {}, strict=True)
        if strict.code != "unsupported" and names:
            oracle = jax_outcome(program.text, symbolic_sizes(names))
            kinds["strict"] += 1
            if oracle is None or not agree(strict, oracle):
                disagreements.append(f"strict: {program.text}\n    shapeinfer: {strict}\n"
                                     f"    jax:        {oracle}")
        try:
            r = shapeinfer.infer(program.text)
        except shapeinfer.ShapeError as e:
            kinds["unsupported" if e.code == "unsupported" else "default error"] += 1
            if e.code == "unsupported":
                continue
            # an error holds wherever the guards taken before it hold
            sizes = satisfying_sizes(e.guards, names, rng)
            oracle = sizes is not None and jax_outcome(program.text, sizes)
            if not oracle or oracle.ok or e.exception not in oracle.exception_mro:
                disagreements.append(f"default error: {program.text}  sizes={sizes}\n"
                                     f"    shapeinfer: {e.exception} if {e.guards}\n"
                                     f"    jax:        {oracle}")
            continue
        kinds["guarded" if r.guards else "default ok"] += 1
        sizes = satisfying_sizes(r.guards, names, rng)
        if sizes is None:
            disagreements.append(f"default: {program.text}: no sizes satisfy {r.guards}")
            continue
        subs = {dims.symbol(k): v for k, v in sizes.items()}
        leaves = tuple(tuple(int(d.xreplace(subs)) for d in shape) for shape in r.leaves)
        oracle = jax_outcome(program.text, sizes)
        if oracle is None or not oracle.ok or oracle.leaves != leaves \
                or oracle.dtypes != tuple(r.dtypes):
            disagreements.append(f"default: {program.text}  sizes={sizes}\n"
                                 f"    shapeinfer: {leaves} {r.dtypes} if {r.guards}\n"
                                 f"    jax:        {oracle}")
    assert not disagreements, "\n".join(disagreements[:10])
    assert kinds["guarded"] >= LOOSE_PER_CHUNK // 20, kinds
    assert kinds["unsupported"] <= LOOSE_PER_CHUNK // 50, kinds
