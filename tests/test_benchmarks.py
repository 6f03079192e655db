"""The benchmarks run (a smoke run with few repetitions) and print their
ratios. No test asserts a time: speed is measured by the benchmarks and
reported in docs/performance.md, on a machine whose load varies."""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_infer  # noqa: E402
import bench_parse  # noqa: E402
import bench_scaling  # noqa: E402


def test_bench_infer_smoke_prints_the_ratios(capsys):
    assert bench_infer.main(["--quick", "--procs", "0", "--sizes", "5",
                             "--programs", "nested vmap"]) == 0
    out = capsys.readouterr().out
    assert "WARNING" not in out  # both sides agree, Result.at agrees with inference
    for target in ("cold", "warm", "sizes", "memory"):
        assert re.search(rf"^  {target} +[\d.]+x  target", out, re.M), target
    assert re.search(r"^nested vmap .* yes$", out, re.M)


def test_bench_infer_programs_agree_with_jax():
    """Every benchmark program means what its JAX twin does (else the
    comparison would be of different work)."""
    import jax
    import jax.numpy as jnp
    import shapeinfer
    for p in bench_infer.PROGRAMS:
        text = p.text_for({n: n for n in p.size_names})
        sizes = {n: bench_infer.SIZES[n] for n in p.size_names}
        mine = bench_infer.answer(lambda: shapeinfer.infer(text, sizes=sizes))
        theirs = bench_infer.answer(lambda: jax.eval_shape(
            p.jax_fn(jax, jnp), *p.args(jax, bench_infer.jax_sizes(bench_infer.SIZES))))
        assert bench_infer.agrees(mine, theirs), p.label


def test_bench_scaling_smoke_prints_slopes(capsys, monkeypatch):
    monkeypatch.setattr(bench_scaling, "QUICK_SIZES", {
        "vmap nesting depth": [1, 4], "operation chain": [10, 2000],
        "pytree leaves": [1, 20], "statements": [1, 20]})
    assert bench_scaling.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert len(re.findall(r"slope \(time ~ size\^k, larger sizes\): k = -?[\d.]+", out)) == 4
    assert re.search(r"^ +2000 ", out, re.M)  # the 2,000-step chain ran


def test_bench_parse_smoke_prints_medians(capsys):
    assert bench_parse.main(["--repeat", "2", "--programs", "vmap"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^nested vmap +[\d,]+ +[\d,]+ +[\d.]+$", out, re.M), out
