"""The benchmarks run (a smoke run with few repetitions) and print their
ratios. No test asserts a time: speed is measured by the benchmarks and
reported in docs/performance.md, on a machine whose load varies."""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_infer  # noqa: E402
import bench_parse  # noqa: E402
import bench_scaling  # noqa: E402
import differential  # noqa: E402


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


def test_differential_dump_and_compare(tmp_path, capsys):
    corpus = tmp_path / "corpus.json"
    corpus.write_text(json.dumps({"programs": ["x = add((a,), (b,)); (x, add((a,), (b,)))",
                                               "vmap(add)((a, 3), (a, 4))", "(a,"],
                                  "tables": ["vmap(add, ?, ?)((a,b),(a,b))"]}))
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    differential.dump(str(corpus), str(before))
    differential.dump(str(corpus), str(after))
    assert differential.compare(str(before), str(after)) == 0
    assert "4 texts" in capsys.readouterr().out
    records = [json.loads(line) for line in before.read_text().splitlines()]
    assert records[0]["infer"][5] == "((a,), (a,))  if a == b"
    assert records[0]["sizes1"][0] == {"a": 3, "b": 3}
    assert records[0]["sizes1"][1] == records[0]["sizes1"][2]  # .at as a fresh inference
    assert records[1]["infer"][:4] == ["error", "ShapeError", "broadcast", "TypeError"]
    assert records[2]["infer"][1] == "ShapeSyntaxError" and "strict" not in records[2]
    assert "(a, b, b)" in records[3]["table"]
