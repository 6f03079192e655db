"""shapeinfer.infer against jax.eval_shape of the JAX program a user would
write by hand, in one process, as ratios (issue 10).

Run from the repository root:

    python benchmarks/bench_infer.py [--repeat N] [--sizes N] [--programs SUBSTRING]
    python benchmarks/bench_infer.py --quick        # a smoke run, seconds

Three comparisons per program (see benchmarks/README.md and docs/performance.md):

* cold: ``infer`` of a program text never seen before (its size names are
  fresh in every sample: ``a17``, ``a18``, ...), against ``jax.eval_shape``
  of a freshly built function after ``jax.clear_caches()``; measured twice:
  interleaved (the target's measure, see below) and in blocks, each side's
  calls after its own (column "blocks");
* warm: the same text again, against ``eval_shape`` of the same function
  object at the same shapes again (JAX's trace cache answers);
* sizes: one program at N concrete size assignments: ``infer`` once
  symbolically then ``Result.at(sizes)`` for each, against N ``eval_shape``
  calls of one function at those shapes (each new shape is a new trace).

Ratios are eval_shape time / shapeinfer time (above 1: shapeinfer is
faster), per program and as geometric means. Timings are medians of
single calls, each timed alone with the garbage collector paused, the
measurements of a program interleaved round by round so that a burst of
load on the (shared) machine hits both sides alike. Nothing here asserts a
timing: the numbers depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import gc
import itertools
import math
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

# Keep JAX on the CPU: probing for accelerators only adds noise to a shape
# computation, which never touches a device.
os.environ.setdefault("JAX_PLATFORMS", "cpu")

# Run from a checkout without installing: prefer the source tree next to us.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Default concrete sizes: small and pairwise distinct, so that a wrong axis shows.
SIZES = {"a": 3, "b": 5, "c": 7, "d": 8, "e": 4, "f": 16, "h": 2, "n": 6, "s": 9}


# ---------------------------------------------------------------- programs
# Each program is a shapeinfer text with its size names as {placeholders}
# (so that a cold sample can rename them) and the JAX program a user would
# write for it: ``jax_fn(jax, jnp)`` builds a fresh function, ``jax_shapes``
# lists the argument shapes (by size name) it is called on.

@dataclass
class Program:
    label: str
    text: str                 # shapeinfer program, size names as {a}
    jax_fn: object            # (jax, jnp) -> a new function object
    jax_shapes: list          # f32 argument shapes, of size names and ints

    @property
    def size_names(self) -> list[str]:
        return sorted({f for _, f, _, _ in string.Formatter().parse(self.text) if f})

    def text_for(self, names: dict[str, str]) -> str:
        return self.text.format(**names)

    def args(self, jax, sizes: dict[str, int]):
        return [jax.ShapeDtypeStruct(tuple(sizes[d] if isinstance(d, str) else d
                                           for d in shape), "float32")
                for shape in self.jax_shapes]


def _mlp_text(layers: int) -> str:
    lines = ["x = ({n}, {d})"]
    for i in range(layers):
        lines.append(f"w{i} = ({{d}}, {{d}}); b{i} = ({{d}},)")
    h = "x"
    for i in range(layers):
        lines.append(f"h{i} = relu(add(matmul({h}, w{i}), b{i}))")
        h = f"h{i}"
    lines.append(h)
    return "\n".join(lines)


def _mlp_jax(layers: int):
    def build(jax, jnp):
        def mlp(x, *params):
            for i in range(layers):
                x = jax.nn.relu(x @ params[2 * i] + params[2 * i + 1])
            return x
        return mlp
    return build


_TRANSFORMER = """\
x = ({b}, {s}, {h} * {e})
wq = ({h} * {e}, {h} * {e}); wk = ({h} * {e}, {h} * {e}); wv = ({h} * {e}, {h} * {e})
wo = ({h} * {e}, {h} * {e}); w1 = ({h} * {e}, {f}); w2 = ({f}, {h} * {e})
q = reshape(matmul(x, wq), ({b}, {s}, {h}, {e}))
k = reshape(matmul(x, wk), ({b}, {s}, {h}, {e}))
v = reshape(matmul(x, wv), ({b}, {s}, {h}, {e}))
att = softmax(einsum("bqhe,bkhe->bhqk", q, k), axis=-1)
o = reshape(einsum("bhqk,bkhe->bqhe", att, v), ({b}, {s}, {h} * {e}))
y = add(x, matmul(o, wo))
yn = subtract(y, mean(y, axis=-1, keepdims=True))
add(yn, matmul(gelu(matmul(yn, w1)), w2))"""


def _transformer_jax(jax, jnp):
    def block(x, wq, wk, wv, wo, w1, w2):
        b, s, _ = x.shape
        h, e = SIZES_FOR_JAX["h"], SIZES_FOR_JAX["e"]
        q = (x @ wq).reshape(b, s, h, e)
        k = (x @ wk).reshape(b, s, h, e)
        v = (x @ wv).reshape(b, s, h, e)
        att = jax.nn.softmax(jnp.einsum("bqhe,bkhe->bhqk", q, k), axis=-1)
        o = jnp.einsum("bhqk,bkhe->bqhe", att, v).reshape(b, s, h * e)
        y = x + o @ wo
        yn = y - jnp.mean(y, axis=-1, keepdims=True)
        return yn + jax.nn.gelu(yn @ w1) @ w2
    return block


# The transformer's head count and head size are static (reshape targets):
# the JAX function reads them here, set before each call.
SIZES_FOR_JAX: dict[str, int] = dict(SIZES)

MLP_LAYERS = 20

PROGRAMS: list[Program] = [
    Program("vmap in_axes/out_axes", "vmap(add, (0, None), 1)(({a}, {b}, {c}), ({b}, {c}))",
            lambda jax, jnp: jax.vmap(jnp.add, (0, None), 1),
            [("a", "b", "c"), ("b", "c")]),
    Program("nested vmap", "vmap(vmap(add, (0, None), 1), (1, None), 0)(({b}, {a}, {c}), ({c},))",
            lambda jax, jnp: jax.vmap(jax.vmap(jnp.add, (0, None), 1), (1, None), 0),
            [("b", "a", "c"), ("c",)]),
    Program("vmap of lambda", "vmap(lambda x, y: tanh(x @ y) * 2.0, (0, None))(({a}, {b}, {c}), ({c}, {d}))",
            lambda jax, jnp: jax.vmap(lambda x, y: jnp.tanh(x @ y) * 2.0, (0, None)),
            [("a", "b", "c"), ("c", "d")]),
    Program("jit of vmap", "jit(vmap(lambda x: exp(x) + 1.0))(({a}, {b}))",
            lambda jax, jnp: jax.jit(jax.vmap(lambda x: jnp.exp(x) + 1.0)),
            [("a", "b")]),
    Program("grad under vmap", "vmap(grad(lambda x: sum(x * x)))(({a}, {b}))",
            lambda jax, jnp: jax.vmap(jax.grad(lambda x: jnp.sum(x * x))),
            [("a", "b")]),
    Program("matmul/einsum/reductions",
            'mean(einsum("ij,jk->ik", matmul(({a}, {b}), ({b}, {c})), ({c}, {d})), axis=0)',
            lambda jax, jnp: lambda x, y, z: jnp.mean(jnp.einsum("ij,jk->ik", x @ y, z), axis=0),
            [("a", "b"), ("b", "c"), ("c", "d")]),
    Program(f"{MLP_LAYERS}-layer MLP", _mlp_text(MLP_LAYERS), _mlp_jax(MLP_LAYERS),
            [("n", "d")] + [("d", "d"), ("d",)] * MLP_LAYERS),
    Program("transformer block", _TRANSFORMER, _transformer_jax,
            [("b", "s", "he")] + [("he", "he")] * 4 + [("he", "f"), ("f", "he")]),
    Program("error: vmap sizes", "vmap(add)(({a}, 3), ({a}, 4))",
            lambda jax, jnp: jax.vmap(jnp.add), [("a", 3), ("a", 4)]),
]


def jax_sizes(sizes: dict[str, int]) -> dict[str, int]:
    """The sizes as the JAX side needs them (``he`` is h * e)."""
    return {**sizes, "he": sizes.get("h", 1) * sizes.get("e", 1)}


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


_fresh = itertools.count()


def fresh_names(program: Program) -> dict[str, str]:
    """Size names no earlier sample used: a17, b17, ..."""
    i = next(_fresh)
    return {name: f"{name}{i}" for name in program.size_names}


def answer(fn):
    """Call fn; a ShapeError or a JAX error is an answer too (the error path)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - both sides' errors are answers
        return e


@dataclass
class Row:
    label: str
    si_cold: float = 0.0     # µs, medians
    jax_cold: float = 0.0
    si_cold_blocks: float = 0.0   # cold again, each side in blocks (see measure)
    jax_cold_blocks: float = 0.0
    si_warm: float = 0.0
    jax_warm: float = 0.0
    si_sizes: float = 0.0    # µs per assignment
    jax_sizes: float = 0.0
    mem_si: int = 0          # bytes, tracemalloc peak of a cold call
    mem_jax: int = 0
    agree: bool = True


def agrees(result, jax_out) -> bool:
    """Same leaves and dtypes, or both an error of the same class."""
    if isinstance(result, Exception) or isinstance(jax_out, Exception):
        return (isinstance(result, Exception) and isinstance(jax_out, Exception)
                and getattr(result, "exception", None) == type(jax_out).__name__)
    import jax
    leaves = jax.tree.leaves(jax_out)
    return ([tuple(int(d) for d in s) for s in result.leaves] == [tuple(x.shape) for x in leaves]
            and [str(x.dtype) for x in leaves] == [_DTYPE.get(d, d) for d in result.dtypes])


_DTYPE = {"f32": "float32", "f16": "float16", "f64": "float64", "i32": "int32", "bool": "bool"}


BLOCK = 5  # calls per block of the cold-in-blocks measurement


def measure(program: Program, repeat: int, n_sizes: int, shapeinfer, jax, jnp) -> Row:
    row = Row(program.label)
    SIZES_FOR_JAX.update(SIZES)
    jsizes = jax_sizes(SIZES)
    args = program.args(jax, jsizes)
    warm_text = program.text_for({n: n for n in program.size_names})
    warm_fn = program.jax_fn(jax, jnp)
    own_sizes = {n: SIZES[n] for n in program.size_names}  # (infer refuses others)
    concrete = answer(lambda: shapeinfer.infer(warm_text, sizes=own_sizes))
    row.agree = agrees(concrete, answer(lambda: jax.eval_shape(warm_fn, *args)))

    def si_cold():
        answer(lambda: shapeinfer.infer(program.text_for(fresh_names(program))))

    def jax_cold():
        answer(lambda: jax.eval_shape(program.jax_fn(jax, jnp), *args))

    def si_warm():
        answer(lambda: shapeinfer.infer(warm_text))

    def jax_warm():
        answer(lambda: jax.eval_shape(warm_fn, *args))

    samples = {k: [] for k in ("si_cold", "jax_cold", "si_warm", "jax_warm",
                               "si_cold_blocks", "jax_cold_blocks")}
    si_warm(), jax_warm()
    gc.collect()
    for _ in range(repeat):
        samples["si_cold"].append(time_call(si_cold))
        samples["jax_cold"].append(time_call(jax_cold, prepare=jax.clear_caches))
        jax_warm()  # the clear above emptied JAX's caches: refill them untimed
        samples["si_warm"].append(time_call(si_warm))
        samples["jax_warm"].append(time_call(jax_warm))
    # Cold again, each side in blocks of BLOCK calls after an untimed one of
    # its own. Above, every call follows one of the other side's, which has
    # filled the CPU caches with its own code and data: a fixed cost of a few
    # hundred µs to fetch them again, a large share of a small program's
    # cold `infer` and a small one of JAX's longer trace (docs/performance.md,
    # "Why the miss"). In blocks, each side runs after itself, as a session
    # asking many questions (a linter, a test suite) does. Reported beside
    # the interleaved figures, which stay the target's measure.
    for start in range(0, repeat, BLOCK):
        n = min(BLOCK, repeat - start)
        si_cold()
        samples["si_cold_blocks"] += [time_call(si_cold) for _ in range(n)]
        jax.clear_caches()
        jax_cold()
        samples["jax_cold_blocks"] += [time_call(jax_cold, prepare=jax.clear_caches)
                                       for _ in range(n)]
    jax_warm()
    for k, v in samples.items():
        setattr(row, k, statistics.median(v) / 1000.0)

    row.si_sizes, row.jax_sizes = measure_sizes(program, n_sizes, shapeinfer, jax, jnp)
    return row


def assignments(program: Program, n: int, seed: int = 0) -> list[dict[str, int]]:
    """n distinct size assignments (each a new shape, so a new trace for JAX)."""
    rng = random.Random(seed)
    out, seen = [], set()
    # sizes up to 64, or further when a program has too few size names for
    # n distinct assignments in that range
    top = max(64, math.ceil((2 * n) ** (1 / max(1, len(program.size_names)))))
    while len(out) < n:
        sizes = {name: rng.randint(1, top) for name in program.size_names}
        key = tuple(sorted(sizes.items()))
        if key not in seen:
            seen.add(key)
            out.append(sizes)
    return out


def sizes_answers(shapeinfer, text: str, all_sizes):
    """The 1,000-sizes path: one symbolic inference, then ``Result.at`` per
    assignment; a program that is an error symbolically is inferred at each."""
    try:
        r = shapeinfer.infer(text)
    except shapeinfer.ShapeError:
        return [answer(lambda s=s: shapeinfer.infer(text, sizes=s)) for s in all_sizes]
    return [answer(lambda s=s: r.at(s)) for s in all_sizes]


def measure_sizes(program: Program, n: int, shapeinfer, jax, jnp) -> tuple[float, float]:
    """µs per assignment, each side once over all n (medians would need
    n x repeat eval_shape traces; the two passes are run alternately twice
    and the faster of each kept)."""
    all_sizes = assignments(program, n)
    fn = program.jax_fn(jax, jnp)

    def si():
        # fresh names: the symbolic inference is not a memoised one
        names = fresh_names(program)
        text = program.text_for(names)
        sizes_answers(shapeinfer, text, [{names[k]: v for k, v in s.items()} for s in all_sizes])

    def jx():
        for s in all_sizes:
            SIZES_FOR_JAX.update(s)
            args = program.args(jax, jax_sizes(s))
            answer(lambda: jax.eval_shape(fn, *args))

    si_t, jax_t = [], []
    for _ in range(2):
        si_t.append(time_call(si))
        jax.clear_caches()
        jax_t.append(time_call(jx))
    SIZES_FOR_JAX.update(SIZES)
    return min(si_t) / 1000.0 / n, min(jax_t) / 1000.0 / n


def measure_memory(program: Program, row: Row, shapeinfer, jax, jnp) -> None:
    args = program.args(jax, jax_sizes(SIZES))
    row.mem_si = peak_bytes(lambda: answer(
        lambda: shapeinfer.infer(program.text_for(fresh_names(program)))))
    row.mem_jax = peak_bytes(lambda: answer(lambda: jax.eval_shape(program.jax_fn(jax, jnp), *args)),
                             prepare=jax.clear_caches)


def check_sizes_path(program: Program, shapeinfer, n: int = 40) -> bool:
    """The substitution path answers as a concrete inference does."""
    text = program.text_for({k: k for k in program.size_names})
    all_sizes = assignments(program, n, seed=1)
    fast = sizes_answers(shapeinfer, text, all_sizes)
    slow = [answer(lambda s=s: shapeinfer.infer(text, sizes=s)) for s in all_sizes]
    return all(_same(x, y) for x, y in zip(fast, slow))


def _same(x, y) -> bool:
    if isinstance(x, Exception) or isinstance(y, Exception):
        return type(x) is type(y) and str(x) == str(y)
    return str(x) == str(y) and x.dtypes == y.dtypes


# ---------------------------------------------------------------- start-up

# The processes may write .pyc files, whatever this one's environment says:
# an installed package has them (pip compiles them at install, as it did
# sympy's), but with PYTHONDONTWRITEBYTECODE set, as on the development
# machine, every process compiled shapeinfer's 40 modules from source
# (about 110 ms) while reading sympy's compiled ones.
PROCESS_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def processes_ms(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of a fresh process of each command, after one untimed
    run of each (so .pyc files and caches exist); the commands take turns,
    round by round, so that a burst of load hits them alike."""
    for code in commands.values():
        subprocess.run(code, capture_output=True, check=False, env=PROCESS_ENV)
    times: dict[str, list[float]] = {what: [] for what in commands}
    for _ in range(runs):
        for what, code in commands.items():
            t0 = time.perf_counter()
            subprocess.run(code, capture_output=True, check=False, env=PROCESS_ENV)
            times[what].append(time.perf_counter() - t0)
    return {what: statistics.median(ts) * 1e3 for what, ts in times.items()}


def builtins_in_process_ms(py: str, env_code: str, runs: int) -> float:
    """Median time of the first ``builtins()`` in fresh processes, timed
    inside them (a difference of two process times is mostly noise)."""
    code = (env_code + "import time, shapeinfer.library; t = time.perf_counter(); "
            "shapeinfer.library.builtins(); print((time.perf_counter() - t) * 1e3)")
    subprocess.run([py, "-c", code], capture_output=True, check=False,
                   env=PROCESS_ENV)  # fills the caches
    times = []
    for _ in range(runs):
        out = subprocess.run([py, "-c", code], capture_output=True, text=True, check=False,
                             env=PROCESS_ENV)
        times.append(float(out.stdout.strip() or "nan"))
    return statistics.median(times)


# The console script next to this Python (a virtualenv's bin/), if installed.
SCRIPT = Path(sys.executable).with_name("shapeinfer")


def startup(runs: int) -> list[tuple[str, float, float | None, float | None]]:
    """(what, ms, ratio, target) rows for the processes the issue names."""
    py = sys.executable
    env_code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
    program = "vmap(add, (0, None), 1)((a,b,c), (a,b,c))"
    ms = processes_ms({
        "sympy": [py, "-c", "import sympy"],
        "import": [py, "-c", env_code + "import shapeinfer"],
        # import shapeinfer loads sympy and lark on first use (PEP 562), so the
        # import alone says little: this row is what a process that asks pays
        "first": [py, "-c", env_code + f"import shapeinfer; shapeinfer.infer({program!r})"],
        "eval": [py, "-c", env_code + "from shapeinfer.cli import main; "
                 f"main(['eval', {program!r}])"],
        **({"script": [str(SCRIPT), "eval", program]} if SCRIPT.exists() else {}),
    }, runs)
    sympy_ms, import_ms, first_ms, eval_ms = ms["sympy"], ms["import"], ms["first"], ms["eval"]
    builtins_ms = builtins_in_process_ms(py, env_code, runs)
    rows = [
        ('python -c "import sympy"', sympy_ms, None, None),
        ("import shapeinfer (process)", import_ms, import_ms / sympy_ms, 1.3),
        ("  + load the built-in rules", builtins_ms, builtins_ms, 20.0),
        ("import shapeinfer + one infer (process)", first_ms, first_ms / sympy_ms, None),
        ("shapeinfer eval EXPR (process)", eval_ms, eval_ms / sympy_ms, 1.5),
    ]
    if "script" in ms:  # the installed command (it runs the installed shapeinfer)
        rows.append(("  the same, the console script", ms["script"], ms["script"] / sympy_ms,
                     None))
    return rows


# ---------------------------------------------------------------- reporting

def fmt_us(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}x" if x < 10 else f"{x:.0f}x"


def print_table(headers, rows, out=None):
    out = out or sys.stdout
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))
    print(line, file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))), file=out)


def hit(ratio: float, target: float) -> str:
    return "hit" if ratio >= target else "MISSED"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=25, metavar="N",
                    help="timed samples per measurement; medians are reported (default 25)")
    ap.add_argument("--sizes", type=int, default=1000, metavar="N",
                    help="size assignments for the sizes comparison (default 1000)")
    ap.add_argument("--procs", type=int, default=5, metavar="N",
                    help="fresh processes per start-up figure (default 5; 0 skips them)")
    ap.add_argument("--programs", metavar="SUBSTRING", default="",
                    help="only the programs whose label contains SUBSTRING")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run: --repeat 3 --sizes 20 --procs 1")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeat, args.sizes, args.procs = 3, 20, min(args.procs, 1)
    if args.repeat < 1 or args.sizes < 1:
        ap.error("--repeat and --sizes must be at least 1")
    programs = [p for p in PROGRAMS if args.programs in p.label]
    if not programs:
        ap.error(f"no program label contains {args.programs!r}")

    import jax
    import jax.numpy as jnp
    import sympy
    import shapeinfer
    print("shapeinfer.infer vs jax.eval_shape of hand-written JAX, one process")
    print(f"python {platform.python_version()}, jax {jax.__version__} ({jax.default_backend()}), "
          f"sympy {sympy.__version__}, shapeinfer {shapeinfer.__version__}, "
          f"{platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs, "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"medians of {args.repeat} samples; {args.sizes} size assignments; times in µs")
    print()

    rows = [measure(p, args.repeat, args.sizes, shapeinfer, jax, jnp) for p in programs]
    tracemalloc.start()
    try:
        for p, row in zip(programs, rows):
            measure_memory(p, row, shapeinfer, jax, jnp)
    finally:
        tracemalloc.stop()
    sizes_ok = all(check_sizes_path(p, shapeinfer) for p in programs)

    headers = ["program", "si cold", "jax cold", "cold", "blocks", "si warm", "jax warm", "warm",
               "si /size", "jax /size", "sizes", "mem", "agree"]
    table = [[r.label, fmt_us(r.si_cold), fmt_us(r.jax_cold), fmt_ratio(r.jax_cold / r.si_cold),
              fmt_ratio(r.jax_cold_blocks / r.si_cold_blocks),
              fmt_us(r.si_warm), fmt_us(r.jax_warm), fmt_ratio(r.jax_warm / r.si_warm),
              fmt_us(r.si_sizes), fmt_us(r.jax_sizes), fmt_ratio(r.jax_sizes / r.si_sizes),
              fmt_ratio(r.mem_jax / max(r.mem_si, 1)), "yes" if r.agree else "NO"]
             for r in rows]
    cold = geomean(r.jax_cold / r.si_cold for r in rows)
    blocks = geomean(r.jax_cold_blocks / r.si_cold_blocks for r in rows)
    warm = geomean(r.jax_warm / r.si_warm for r in rows)
    sizes = geomean(r.jax_sizes / r.si_sizes for r in rows)
    mem = geomean(r.mem_jax / max(r.mem_si, 1) for r in rows)
    table.append(["geometric mean", fmt_us(geomean(r.si_cold for r in rows)),
                  fmt_us(geomean(r.jax_cold for r in rows)), fmt_ratio(cold), fmt_ratio(blocks),
                  fmt_us(geomean(r.si_warm for r in rows)),
                  fmt_us(geomean(r.jax_warm for r in rows)), fmt_ratio(warm),
                  fmt_us(geomean(r.si_sizes for r in rows)),
                  fmt_us(geomean(r.jax_sizes for r in rows)), fmt_ratio(sizes),
                  fmt_ratio(mem), ""])
    print_table(headers, table)
    print()
    print("ratios are eval_shape time / shapeinfer time (> 1: shapeinfer is faster);")
    print("mem is eval_shape's tracemalloc peak / shapeinfer's, cold calls (> 1: shapeinfer uses less)")
    print(f"blocks is cold measured again with each side's calls in blocks of {BLOCK}, after "
          "itself rather than after the other side (not the target's measure)")
    print()
    print("targets (geometric means):")
    print(f"  cold   {fmt_ratio(cold):>7}  target 5x    {hit(cold, 5)}   "
          f"(in blocks: {fmt_ratio(blocks)})")
    print(f"  warm   {fmt_ratio(warm):>7}  target 20x   {hit(warm, 20)}")
    print(f"  sizes  {fmt_ratio(sizes):>7}  target 100x  {hit(sizes, 100)}")
    print(f"  memory {fmt_ratio(mem):>7}  target > 1x  {hit(mem, 1)}")
    print(f"  Result.at agrees with concrete inference at 40 assignments per program: "
          f"{'yes' if sizes_ok else 'NO'}")
    if args.procs:
        print()
        print(f"start-up, fresh processes (medians of {args.procs}):")
        for what, ms, ratio, target in startup(args.procs):
            if ratio is None:
                print(f"  {what:<40} {ms:8.0f} ms")
            elif target is None:  # no target of its own: shown for honesty
                print(f"  {what:<40} {ms:8.0f} ms   {ratio:.2f}x sympy")
            elif what.startswith("  +"):
                print(f"  {what:<40} {ms:8.1f} ms   (first builtins(), in the process) "
                      f"target <= {target:.0f} ms  "
                      f"{'hit' if ratio <= target else 'MISSED'}")
            else:
                print(f"  {what:<40} {ms:8.0f} ms   {ratio:.2f}x sympy, target <= {target}x  "
                      f"{'hit' if ratio <= target else 'MISSED'}")
    if not all(r.agree for r in rows) or not sizes_ok:
        print("\nWARNING: shapeinfer and jax.eval_shape disagree on a program marked NO above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
