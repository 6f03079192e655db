"""shapeinfer.infer side by side with jax.eval_shape, in one process.

Run from the repository root:

    python benchmarks/bench_infer.py [--repeat N] [--programs SUBSTRING]

For each program in PROGRAMS it measures, in this one process:

* ``infer`` with symbolic sizes (no ``sizes=``) and with concrete sizes
  (``sizes=SIZES``), warm: the parser is built and sympy's cache holds
  whatever earlier calls left in it, as in a long-running tool;
* ``infer`` cold: concrete sizes, sympy's cache cleared before every call;
* ``jax.eval_shape`` of the same program at the same concrete sizes, through
  ``shapeinfer.oracle.jax_outcome`` (the checker's translation: op names to
  jax.numpy, vmap to jax.vmap, lambdas to closures, literals to arrays):
  - first call: ``jax.clear_caches()`` before every call, so each one
    traces every jitted jax.numpy function from scratch;
  - repeated call: caches kept, as when a program is traced again.

Ratios are eval_shape time / infer time (above 1: infer is faster), paired
cold with cold (JAX first call / infer cold) and warm with warm (JAX
repeated call / infer warm concrete). Peak memory is the tracemalloc peak
of one call, reported as eval_shape peak / infer peak.

Timings are medians of N calls (``--repeat``), each call timed alone with
``time.perf_counter_ns`` and the garbage collector paused, as ``timeit``
does; the measurements of one program are interleaved round by round.
Nothing here asserts a timing: the numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

# Keep JAX on the CPU: probing for accelerators only adds noise to a shape
# computation, which never touches a device.
os.environ.setdefault("JAX_PLATFORMS", "cpu")

# Run from a checkout without installing: prefer the source tree next to us.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Concrete sizes: small and pairwise distinct, so that a wrong axis shows.
SIZES = {"a": 2, "b": 3, "c": 5, "n": 7}

# (label, program). Every program is valid at SIZES except the error cases,
# which are errors symbolically and at SIZES alike.
PROGRAMS: list[tuple[str, str]] = [
    ("elementwise broadcast", "add((a, b), (b,))"),
    ("unary chain", "tanh(exp(negative((a, b, c))))"),
    ("broadcast with scalar", "maximum(multiply((a, 1, c), (b, 1)), 0.0)"),
    ("dtypes", "add(f16[a, b], i32[b])"),
    ("vmap tuple in_axes", "vmap(add, (0, None), 1)((a, b, c), (a, b, c))"),
    ("nested vmap x2", "vmap(vmap(add, (0, None)), (None, 0))((a, c), (b, c))"),
    ("nested vmap x3",
     "vmap(vmap(vmap(add, (0, None)), (None, 0)), (0, 0))((n, a, c), (n, b, c))"),
    ("lambda", "(lambda x, y: x * y + x)((a, b), (b,))"),
    ("vmap of lambda", "vmap(lambda x, y: x * y + x, (1, None))((a, b), (a,))"),
    ("pytree in/out axes",
     'vmap(lambda p, x: (p, x * 2), ({"w": 0, "b": None}, 1), ({"w": 1, "b": None}, 0))'
     '({"w": (n, a, b), "b": (b,)}, (a, n))'),
    ("statements + jit", "f = vmap(add, (0, None)); g = jit(f); g((n, a, b), (a, b))"),
    ("partial", "vmap(partial(add, (b,)), 1)((b, a))"),
    ("error: vmap sizes", "vmap(add, (0, 1))((a, b), (a, b))"),
    ("error: broadcast", "add((a, b), (c,))"),
]


# ---------------------------------------------------------------- measuring

def time_call(fn, prepare=None) -> int:
    """Nanoseconds of one call of ``fn``; ``prepare`` runs first, untimed."""
    if prepare is not None:
        prepare()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter_ns()
        fn()
        return time.perf_counter_ns() - t0
    finally:
        if was_enabled:
            gc.enable()


def peak_bytes(fn, prepare=None, repeat: int = 3) -> int:
    """Median tracemalloc peak of one call, above what was allocated before it."""
    peaks = []
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        gc.collect()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn()
        peaks.append(tracemalloc.get_traced_memory()[1] - before)
    return int(statistics.median(peaks))


def geomean(values) -> float:
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


@dataclass
class Row:
    label: str
    expr: str
    engine: str             # what infer says at SIZES
    agrees: bool            # ... and whether jax.eval_shape says the same
    infer_sym: float        # µs, medians
    infer_conc: float
    infer_cold: float
    jax_first: float
    jax_repeat: float
    mem_infer: int          # bytes, tracemalloc peak (warm)
    mem_jax: int
    mem_infer_cold: int
    mem_jax_first: int


def measure(label, expr, repeat, shapeinfer, oracle, parse, jax, clear_sympy_cache) -> Row:
    program = parse(expr)  # JAX's side is timed from the parsed program (see README)

    def infer_sym():
        try:
            shapeinfer.infer(expr)
        except shapeinfer.ShapeError:
            pass

    def infer_conc():
        try:
            shapeinfer.infer(expr, sizes=SIZES)
        except shapeinfer.ShapeError:
            pass

    def eval_shape():
        oracle.jax_outcome(expr, SIZES, program)

    engine = oracle.engine_outcome(expr, SIZES)
    jax_said = oracle.jax_outcome(expr, SIZES, program)
    agrees = jax_said is not None and oracle.agree(engine, jax_said)

    for fn in (infer_sym, infer_conc, eval_shape):  # warm-up
        fn()
        fn()
    # The five measurements are interleaved, one sample of each per round, so
    # that a burst of load on the machine hits every column alike. Each cold
    # sample clears its cache first; an untimed call re-warms it before the
    # warm samples of the same round.
    samples = {k: [] for k in ("sym", "conc", "cold", "first", "repeat")}
    gc.collect()
    for _ in range(repeat):
        samples["cold"].append(time_call(infer_conc, prepare=clear_sympy_cache))
        infer_conc()
        infer_sym()
        samples["sym"].append(time_call(infer_sym))
        samples["conc"].append(time_call(infer_conc))
        samples["first"].append(time_call(eval_shape, prepare=jax.clear_caches))
        eval_shape()
        samples["repeat"].append(time_call(eval_shape))
    med = {k: statistics.median(v) / 1000.0 for k, v in samples.items()}
    return Row(
        label, expr, str(engine), agrees,
        infer_sym=med["sym"], infer_conc=med["conc"], infer_cold=med["cold"],
        jax_first=med["first"], jax_repeat=med["repeat"],
        mem_infer=0, mem_jax=0, mem_infer_cold=0, mem_jax_first=0,
    )


def measure_memory(row: Row, shapeinfer, oracle, parse, jax, clear_sympy_cache) -> None:
    program = parse(row.expr)

    def infer_conc():
        try:
            shapeinfer.infer(row.expr, sizes=SIZES)
        except shapeinfer.ShapeError:
            pass

    def eval_shape():
        oracle.jax_outcome(row.expr, SIZES, program)

    infer_conc()
    eval_shape()
    row.mem_infer = peak_bytes(infer_conc)
    row.mem_jax = peak_bytes(eval_shape)
    row.mem_infer_cold = peak_bytes(infer_conc, prepare=clear_sympy_cache)
    row.mem_jax_first = peak_bytes(eval_shape, prepare=jax.clear_caches)


# ---------------------------------------------------------------- reporting

def fmt_us(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}x"


def print_table(headers, rows, out=None):
    out = out or sys.stdout
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))
    print(line, file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))), file=out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=25, metavar="N",
                    help="timed calls per measurement; medians are reported (default 25)")
    ap.add_argument("--programs", metavar="SUBSTRING", default="",
                    help="only the programs whose label contains SUBSTRING")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    programs = [(l, e) for l, e in PROGRAMS if args.programs in l]
    if not programs:
        ap.error(f"no program label contains {args.programs!r}")

    # One-time costs, measured once: they are paid per process, not per program.
    t0 = time.perf_counter()
    import shapeinfer
    from shapeinfer.syntax import parse
    import sympy
    t_import_si = time.perf_counter() - t0
    t0 = time.perf_counter()
    shapeinfer.infer("add((a,), (a,))")  # builds the Lark parser and the library
    t_first_infer = time.perf_counter() - t0
    t0 = time.perf_counter()
    import jax
    from shapeinfer import oracle
    t_import_jax = time.perf_counter() - t0
    t0 = time.perf_counter()
    oracle.jax_outcome("add((a,), (a,))", {"a": 2})
    t_first_jax = time.perf_counter() - t0
    clear_sympy_cache = sympy.core.cache.clear_cache

    print("shapeinfer.infer vs jax.eval_shape, one process")
    print(f"python {platform.python_version()}, jax {jax.__version__} "
          f"({jax.default_backend()}), sympy {sympy.__version__}, "
          f"shapeinfer {shapeinfer.__version__}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    print(f"concrete sizes {', '.join(f'{k}={v}' for k, v in SIZES.items())}; "
          f"medians of {args.repeat} calls; times in microseconds")
    print()
    print("one-time costs per process (not in the table):")
    print(f"  import shapeinfer {t_import_si * 1e3:8.1f} ms   "
          f"first infer (builds the parser) {t_first_infer * 1e3:8.1f} ms")
    print(f"  import jax        {t_import_jax * 1e3:8.1f} ms   "
          f"first eval_shape in the process {t_first_jax * 1e3:8.1f} ms")
    print()

    rows = []
    for label, expr in programs:
        rows.append(measure(label, expr, args.repeat, shapeinfer, oracle, parse, jax,
                            clear_sympy_cache))
    tracemalloc.start()
    try:
        for row in rows:
            measure_memory(row, shapeinfer, oracle, parse, jax, clear_sympy_cache)
    finally:
        tracemalloc.stop()

    headers = ["program", "infer sym", "infer", "infer cold", "jax first", "jax repeat",
               "cold ratio", "warm ratio", "mem ratio", "mem cold", "agree"]
    table = []
    for r in rows:
        table.append([
            r.label, fmt_us(r.infer_sym), fmt_us(r.infer_conc), fmt_us(r.infer_cold),
            fmt_us(r.jax_first), fmt_us(r.jax_repeat),
            fmt_ratio(r.jax_first / r.infer_cold), fmt_ratio(r.jax_repeat / r.infer_conc),
            fmt_ratio(r.mem_jax / max(r.mem_infer, 1)),
            fmt_ratio(r.mem_jax_first / max(r.mem_infer_cold, 1)),
            "yes" if r.agrees else "NO",
        ])
    table.append([
        "geometric mean", fmt_us(geomean(r.infer_sym for r in rows)),
        fmt_us(geomean(r.infer_conc for r in rows)), fmt_us(geomean(r.infer_cold for r in rows)),
        fmt_us(geomean(r.jax_first for r in rows)), fmt_us(geomean(r.jax_repeat for r in rows)),
        fmt_ratio(geomean(r.jax_first / r.infer_cold for r in rows)),
        fmt_ratio(geomean(r.jax_repeat / r.infer_conc for r in rows)),
        fmt_ratio(geomean(r.mem_jax / max(r.mem_infer, 1) for r in rows)),
        fmt_ratio(geomean(r.mem_jax_first / max(r.mem_infer_cold, 1) for r in rows)),
        "",
    ])
    print_table(headers, table)
    print()
    print("columns:")
    print("  infer sym    infer(expr), symbolic sizes, warm")
    print("  infer        infer(expr, sizes=...), warm (parser built, sympy cache kept)")
    print("  infer cold   infer(expr, sizes=...), sympy's cache cleared before each call")
    print("  jax first    jax.eval_shape at the same sizes, jax.clear_caches() before each call")
    print("  jax repeat   jax.eval_shape at the same sizes again, JAX's trace caches warm")
    print("  cold ratio   jax first / infer cold      warm ratio  jax repeat / infer")
    print("               (> 1: infer is faster; < 1: eval_shape is faster)")
    print("  mem ratio    tracemalloc peak of one call, eval_shape / infer, warm;"
          " mem cold: both cold")
    print("               (Python allocations only; > 1: infer uses less)")
    print("  agree        infer and eval_shape give the same leaves or the same exception class")
    print()
    print("programs:")
    for r in rows:
        print(f"  {r.label:<22} {r.expr}")
        print(f"  {'':<22} -> {r.engine}")
    if not all(r.agrees for r in rows):
        print("\nWARNING: infer and jax.eval_shape disagree on a program marked NO above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
