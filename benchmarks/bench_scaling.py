"""How shapeinfer.infer's time grows with the size of a program (issue 10).

Run from the repository root:

    python benchmarks/bench_scaling.py [--repeat N] [--quick]

Four families of programs, each at growing sizes:

* vmap nesting depth 1..64: ``vmap(vmap(...vmap(tanh)...))`` on a rank
  depth+1 array;
* an operation chain of 10..2,000 steps: ``tanh(tanh(...(a, b)...))``, one
  expression nested that deep (the parser and evaluator recurse per level:
  this is also the test that a long chain stays within the recursion limit);
* a pytree of 1..10,000 leaves: ``jax.tree.map(tanh, [(a, b), ...])``;
* a program of 1..500 statements: ``x = add(x, (b,))`` repeated.

Each program text is new to the process (fresh size names), so what is
timed is a cold inference, parse included. For each size it prints the
median time, the time per step (per nesting level, operation, leaf or
statement), and for each family the slope: the exponent k of the fit
time ~ size^k on a log-log scale (1 is linear, 2 quadratic), computed over
the larger half of the sizes, where constant costs no longer dominate.
Each call is timed with the garbage collector paused, as bench_infer.py
times them: CPython's full collections scan every live object, so with it
running the largest programs (10,000 leaves make a few hundred thousand
objects) also measure the collector, whose cost grows with the heap.
``--gc`` leaves it running. Nothing here asserts a timing.
"""
from __future__ import annotations

import argparse
import gc
import itertools
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_fresh = itertools.count()


def vmap_nest(n: int, tag: str) -> str:
    dims_ = ", ".join(f"a{i}{tag}" for i in range(n + 1))
    return "vmap(" * n + "tanh" + ")" * n + f"(({dims_}))"


def chain(n: int, tag: str) -> str:
    return "tanh(" * n + f"(a{tag}, b{tag})" + ")" * n


def pytree(n: int, tag: str) -> str:
    return "jax.tree.map(tanh, [" + ", ".join(f"(a{tag}, b{tag})" for _ in range(n)) + "])"


def statements(n: int, tag: str) -> str:
    body = "\n".join(f"x = add(x, (b{tag},))" for _ in range(n))
    return f"x = (a{tag}, b{tag})\n{body}\nx"


FAMILIES = [
    ("vmap nesting depth", vmap_nest, [1, 2, 4, 8, 16, 32, 64], "level"),
    ("operation chain", chain, [10, 50, 100, 250, 500, 1000, 2000], "op"),
    ("pytree leaves", pytree, [1, 10, 100, 1000, 3000, 10000], "leaf"),
    ("statements", statements, [1, 10, 50, 100, 250, 500], "statement"),
]
QUICK_SIZES = {"vmap nesting depth": [1, 8, 64], "operation chain": [10, 200, 2000],
               "pytree leaves": [1, 100, 1000], "statements": [1, 50, 500]}


def time_infer(make, n: int, repeat: int, pause_gc: bool = True) -> float:
    import shapeinfer
    times = []
    for _ in range(repeat):
        text = make(n, f"_{next(_fresh)}")
        if pause_gc:
            gc.disable()
        try:
            t0 = time.perf_counter()
            shapeinfer.infer(text)
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return statistics.median(times)


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares exponent of time ~ size^k over the larger half of the sizes."""
    pts = points[len(points) // 2 - (len(points) % 2 == 0):] if len(points) > 2 else points
    xs = [math.log(n) for n, _ in pts]
    ys = [math.log(t) for _, t in pts]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, metavar="N",
                    help="samples per size; medians are reported (default 5)")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 3 sizes each, 1 sample")
    ap.add_argument("--gc", action="store_true",
                    help="leave the garbage collector running during the timed calls")
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else max(1, args.repeat)
    import shapeinfer
    shapeinfer.infer("tanh((a, b))")  # build the parser and load the rules, untimed
    print(f"shapeinfer.infer, cold (fresh size names), medians of {repeat}; "
          f"garbage collector {'running' if args.gc else 'paused'}; "
          f"recursion limit {sys.getrecursionlimit()}")
    for name, make, sizes, step in FAMILIES:
        sizes = QUICK_SIZES[name] if args.quick else sizes
        print(f"\n{name}:")
        print(f"  {'size':>6}  {'ms':>10}  {'µs per ' + step:>16}")
        points = []
        for n in sizes:
            t = time_infer(make, n, repeat, pause_gc=not args.gc)
            points.append((n, t))
            print(f"  {n:>6}  {t * 1e3:>10.2f}  {t / n * 1e6:>16.1f}")
        print(f"  slope (time ~ size^k, larger sizes): k = {slope(points):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
