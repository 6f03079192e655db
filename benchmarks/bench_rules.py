"""What the rule DSL costs: loading rule files, and matching rules in infer.

Run from the repository root:

    python benchmarks/bench_rules.py [--repeat N] [--procs N] [--programs SUBSTRING]
                                     [--profile]

Three parts, each printed as a table:

1. **Start-up** (fresh ``python -c`` subprocesses, medians of ``--procs``):
   ``import shapeinfer`` and the first ``shapeinfer.library.builtins()``
   (which parses every shipped rule file), against the process cost of
   ``python -c "import sympy"``; and, in another subprocess, where the first
   ``builtins()`` goes: building the rules parser (``loader._parser()``,
   whose Lark tables come from Lark's cache file), the Lark parse of the
   text, building the rule model (transform and validation), building the
   Library; and building the parser without Lark's cache (what the very
   first run on a machine pays).
2. **load_rules** of a user rule file (the SPEC section 3 examples), in
   process and warm: per load, and split into Lark parse / model / Library;
   and what ``infer(..., rules=PATH)`` costs per call against passing the
   loaded Library.
3. **Matching**: ``infer`` of programs that call one operation (built-in
   rules and the SPEC's user rules, a 4-clause rule whose 4th clause
   matches, a no-match error, ``requires``, pattern dim expressions that
   ``_solve`` solves), with ``matcher.apply`` and the dtype rule timed alone
   on the context ``Operation.call`` built for the same call; side by side
   with ``jax.eval_shape`` of the equivalent JAX function (``jnp.add``,
   ``jnp.matmul``, a softmax attention, ...) on ``ShapeDtypeStruct``s.

Timings are medians of single calls timed with ``time.perf_counter_ns``,
the garbage collector paused, measurements of one program interleaved round
by round, as in ``bench_infer.py``. Nothing here asserts a timing.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_infer import (PROCESS_ENV, fmt_ratio, fmt_us, geomean, print_table,  # noqa: E402
                         time_call)

# Concrete sizes: small and pairwise distinct, so that a wrong axis shows.
SIZES = {"a": 2, "b": 3, "c": 5, "n": 7, "d": 11, "k": 13, "q": 17, "v": 19}

# The examples of SPEC section 3, verbatim: the user rule file of parts 2 and 3.
SPEC_RULES = '''\
# one rule names one or more functions and lists clauses; first match wins
rule add, subtract, multiply, maximum:
    (*x), (*y) -> broadcast(x, y)

rule matmul:
    (n), (n)                 -> ()
  | (n), (*b, n, m)          -> (*b, m)
  | (*b, n, k), (k)          -> (*b, n)
  | (*b1, n, k), (*b2, k, m) -> (*broadcast(b1, b2), n, m)
  raises TypeError "matmul: contracting dimensions differ for shapes {0} and {1}"

rule sum, mean, prod (axis: axes = None, keepdims: bool = False):
    (*x) -> reduce(x, axis, keepdims)

rule attention:
    (*b, q, d), (*b, k, d), (*b, k, v) -> (*b, q, v)

rule patchify (p: int):
    (*b, h, w, c) -> (*b, h // p, w // p, p * p * c)
    requires h % p == 0, w % p == 0
'''

# One more user rule, loaded on top: a dim expression in a pattern, which the
# matcher solves for n (matcher._solve).
SOLVE_RULES = "rule halve:\n    (*b, 2 * n) -> (*b, n, 2)\n"


# The JAX functions the rules stand for (built once JAX is imported).
def _jax_functions(jax, jnp):
    def attention(q, k, v):
        return jnp.matmul(jax.nn.softmax(jnp.matmul(q, jnp.swapaxes(k, -1, -2)), axis=-1), v)

    def patchify(x, p=4):
        *b, h, w, c = x.shape
        x = jnp.swapaxes(x.reshape(*b, h // p, p, w // p, p, c), -4, -3)
        return x.reshape(*b, h // p, w // p, p * p * c)

    def halve(x):
        return x.reshape(*x.shape[:-1], x.shape[-1] // 2, 2)

    return {"add": jnp.add, "sin": jnp.sin, "matmul": jnp.matmul, "attention": attention,
            "patchify": patchify, "halve": halve}


@dataclass
class Program:
    label: str
    library: str        # "builtin" or "user" (SPEC_RULES + SOLVE_RULES on the built-ins)
    op: str
    args: list[str]     # shape literals: shapeinfer syntax and Python tuples alike
    kwargs: str = ""

    @property
    def expr(self) -> str:
        return f"{self.op}({', '.join(self.args + ([self.kwargs] if self.kwargs else []))})"


PROGRAMS = [
    Program("add (builtin)", "builtin", "add", ["(a, b)", "(a, b)"]),
    Program("sin (builtin)", "builtin", "sin", ["(a, b)"]),
    Program("attention (user)", "user", "attention", ["(b, q, d)", "(b, k, d)", "(b, k, v)"]),
    Program("matmul clause 4", "user", "matmul", ["(n, a, b)", "(b, c)"]),
    Program("error: no clause", "user", "matmul", ["(a, b)", "(c, n)"]),
    Program("patchify requires", "user", "patchify", ["(a, 8, 8, c)"], "p=4"),
    Program("solve 2*n", "user", "halve", ["(a, 2*c)"]),
    Program("solve 2*n, sum", "user", "halve", ["(a, 2*c + 2)"]),
]


def median_us(fn, repeat: int, prepare=None) -> float:
    fn()
    return statistics.median(time_call(fn, prepare) for _ in range(repeat)) / 1000.0


# ---------------------------------------------------------------- part 1: start-up

PROBE_SYMPY = """
import json, time
t0 = time.perf_counter(); import sympy; t1 = time.perf_counter()
print(json.dumps({"import sympy": t1 - t0}))
"""

# "import shapeinfer" imports shapeinfer.library: the package alone loads
# sympy and lark only on first use (PEP 562), the library module loads them.
PROBE_SHAPEINFER = """
import json, time
t0 = time.perf_counter(); import shapeinfer.library; t1 = time.perf_counter()
shapeinfer.library.builtins(); t2 = time.perf_counter()
print(json.dumps({"import shapeinfer": t1 - t0, "first builtins()": t2 - t1}))
"""

# Where the first builtins() goes, step by step, each step's first call in the
# process. The model step mirrors loader.parse_rules after its Lark parse.
PROBE_BREAKDOWN = """
import json, time
t = {}
def step(name, fn):
    t0 = time.perf_counter(); out = fn(); t[name] = time.perf_counter() - t0; return out
step("import sympy", lambda: __import__("sympy"))
step("import lark", lambda: __import__("lark"))
step("import shapeinfer (own modules)", lambda: __import__("shapeinfer"))
from shapeinfer import library as L
from shapeinfer.rules import loader
from shapeinfer.syntax import _grammar_text
files = sorted(L.BUILTIN_RULES.glob("*.rules"))
texts = [(p.read_text(encoding="utf-8"), "shapeinfer/rules/builtin/" + p.name) for p in files]
parser = step("rules parser: loader._parser()", loader._parser)
trees = step("Lark parse of the rule text", lambda: [(parser.parse(x), p) for x, p in texts])
def model():
    rules = []
    for tree, path in trees:
        groups = loader._ToRules(path).transform(tree)
        for g in groups:
            loader._validate(g)
        rules.append([r for g in groups for r in loader._per_name(g)])
    return rules
rules = step("rule model: transform + validate", model)
def build():
    lib = L.Library({**L._TRANSFORMS, **L._DTYPE_NAMES})
    for rs, (_, path) in zip(rules, texts):
        lib = lib.with_rules(rs, path)
    return lib
step("Library: Operations and aliases", build)
import shapeinfer
step("first infer (expression parser, evaluator)", lambda: shapeinfer.infer("add((a,), (a,))"))
from lark import Lark
step("rules parser without Lark's cache", lambda: Lark(_grammar_text("rules.lark"), parser="lalr",
     propagate_positions=True, maybe_placeholders=True, cache=False))
print(json.dumps(t))
"""


def run_probe(code: str) -> tuple[float, dict]:
    """(wall seconds of the whole process, what it printed)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env=PROCESS_ENV).stdout  # (.pyc files: see there)
    wall = time.perf_counter() - t0
    return wall, json.loads(out.strip().splitlines()[-1]) if out.strip() else {}


def startup(procs: int) -> None:
    probes = {"pass": "pass", "sympy": PROBE_SYMPY, "shapeinfer": PROBE_SHAPEINFER,
              "breakdown": PROBE_BREAKDOWN}
    for code in probes.values():  # untimed: .pyc files and Lark's cache file exist after this
        run_probe(code)
    walls = {k: [] for k in probes}
    inner: dict = {k: {} for k in probes}
    for _ in range(procs):  # interleaved, one process of each kind per round
        for kind, code in probes.items():
            wall, times = run_probe(code)
            walls[kind].append(wall)
            for name, sec in times.items():
                inner[kind].setdefault(name, []).append(sec)
    ms = {k: statistics.median(v) * 1e3 for k, v in walls.items()}
    step = {k: {n: statistics.median(v) * 1e3 for n, v in d.items()} for k, d in inner.items()}
    sympy_wall = ms["sympy"]
    sympy_import = step["sympy"]["import sympy"]

    print(f"1. start-up, fresh processes (median of {procs}; ms)")
    rows = [
        ['python -c "pass"', f"{ms['pass']:.0f}", "", ""],
        ['python -c "import sympy"', f"{sympy_wall:.0f}", f"{sympy_import:.0f}", "1.00x"],
        ["import shapeinfer; builtins()", f"{ms['shapeinfer']:.0f}",
         f"{step['shapeinfer']['import shapeinfer'] + step['shapeinfer']['first builtins()']:.0f}",
         fmt_ratio(ms["shapeinfer"] / sympy_wall)],
        ["  import shapeinfer", "", f"{step['shapeinfer']['import shapeinfer']:.1f}",
         fmt_ratio(step["shapeinfer"]["import shapeinfer"] / sympy_import)],
        ["  first builtins()", "", f"{step['shapeinfer']['first builtins()']:.1f}",
         fmt_ratio(step["shapeinfer"]["first builtins()"] / sympy_import)],
    ]
    print_table(["process", "wall", "in process", "/ sympy"], rows)
    print("  (/ sympy: wall / the sympy process's wall; in-process lines / `import sympy` itself)")
    print()
    bd = step["breakdown"]
    first_builtins = step["shapeinfer"]["first builtins()"]
    parts = ("rules parser:", "Lark", "rule model", "Library")  # the steps of builtins()
    rows = []
    for name, v in bd.items():
        share = f"{100 * v / first_builtins:.0f}%" if name.startswith(parts) else ""
        rows.append([name, f"{v:.1f}", share])
    print_table(["step, in order, first call in a fresh process", "ms", "of builtins()"], rows)
    print()


# ---------------------------------------------------------------- part 2: load_rules

def loading(repeat: int, shapeinfer, spec_path: Path, user_lib) -> None:
    from shapeinfer.library import BUILTIN_RULES, _parsed, builtins, load_rules
    from shapeinfer.rules import loader

    parser = loader._parser()
    base = builtins()
    builtin_text = "\n".join(p.read_text(encoding="utf-8")
                             for p in sorted(BUILTIN_RULES.glob("*.rules")))
    rows = []
    for label, text in (("SPEC section 3 examples", SPEC_RULES),
                        ("built-in rules, as a user file", builtin_text)):
        rules = loader.parse_rules(text)
        lark = median_us(lambda: parser.parse(text), repeat)
        parse_rules = median_us(lambda: loader.parse_rules(text), repeat)
        library = median_us(lambda: base.with_rules(rules), repeat)
        # a text loaded again is a cache hit; the first load parses it
        total = median_us(lambda: (_parsed.cache_clear(), load_rules(text)), repeat)
        lines = text.count("\n") + 1
        rows.append([f"{label} ({len(rules)} rules, {lines} lines)", fmt_us(lark),
                     fmt_us(max(parse_rules - lark, 0.0)), fmt_us(library), fmt_us(total),
                     f"{100 * lark / total:.0f}%"])
    rows.append(["load_rules(PATH) of the SPEC file, again (cached)", "", "", "",
                 fmt_us(median_us(lambda: load_rules(spec_path), repeat)), ""])
    print(f"2. load_rules, in process, warm (median of {repeat}; µs)")
    print_table(["rule text", "Lark parse", "model", "Library", "load_rules", "Lark share"],
                rows)
    expr = PROGRAMS[2].expr
    by_lib = median_us(lambda: shapeinfer.infer(expr, rules=user_lib), repeat)
    by_path = median_us(lambda: shapeinfer.infer(expr, rules=str(spec_path)), repeat)
    print(f"  infer({expr!r}): rules=Library {fmt_us(by_lib)} µs, rules=PATH "
          f"{fmt_us(by_path)} µs ({by_path / by_lib:.1f}x: the file is read on every call, "
          "its parse is cached)")
    print()


# ---------------------------------------------------------------- part 3: matching

@dataclass
class Row:
    program: Program
    answer: str
    agrees: bool
    us: dict = field(default_factory=dict)


def capture(shapeinfer, matcher, expr, lib, sizes):
    """The (rule, ctx) Operation.call passes to matcher.apply for this program."""
    seen = []
    original = matcher.apply

    def spy(rule, ctx):
        seen.append((rule, ctx))
        return original(rule, ctx)

    matcher.apply = spy
    try:
        shapeinfer.infer(expr, rules=lib, sizes=sizes)
    except shapeinfer.ShapeError:
        pass
    finally:
        matcher.apply = original
    return seen[-1]


def measure(prog: Program, lib, repeat, shapeinfer, jax, fns, clear_sympy_cache) -> Row:
    from shapeinfer import dtype_rules, dtypes
    from shapeinfer.rules import matcher
    from shapeinfer.syntax import parse

    expr = prog.expr
    ShapeError = shapeinfer.ShapeError

    def infer(sizes):
        def run():
            try:
                shapeinfer.infer(expr, rules=lib, sizes=sizes)
            except ShapeError:
                pass
        return run

    def apply(sizes):
        rule, ctx = capture(shapeinfer, matcher, expr, lib, sizes)

        def run():
            try:
                matcher.apply(rule, ctx)
            except ShapeError:
                pass
        return run

    rule, ctx = capture(shapeinfer, matcher, expr, lib, SIZES)

    def dtype():
        d, w = dtype_rules.promoted(rule.dtype, ctx)
        dtype_rules.result(rule.dtype, ctx, d, w)

    structs = [jax.ShapeDtypeStruct(eval(a, {}, dict(SIZES)), jax.numpy.float32)
               for a in prog.args]
    kwargs = eval(f"dict({prog.kwargs})", {}, dict(SIZES))
    fn = fns[prog.op]

    def eval_shape():
        try:
            return jax.eval_shape(lambda *xs: fn(*xs, **kwargs), *structs)
        except Exception as e:  # JAX's verdict
            return e

    # What each side says at SIZES, and whether they agree (shape and dtype,
    # or the exception class).
    try:
        r = shapeinfer.infer(expr, rules=lib, sizes=SIZES)
        answer = f"{r} {r.dtypes[0]}"
        mine = (tuple(int(d) for d in r.shape), dtypes.NUMPY_NAME[r.dtypes[0]])
    except ShapeError as e:
        answer = f"{e.exception}: {e.message.splitlines()[0]}"
        mine = e.exception
    theirs = eval_shape()
    if isinstance(theirs, Exception):
        agrees = mine in [c.__name__ for c in type(theirs).__mro__]
    else:
        agrees = mine == (tuple(theirs.shape), str(theirs.dtype))

    timed = {
        "sym": (infer(None), None), "conc": (infer(SIZES), None),
        "cold": (infer(SIZES), clear_sympy_cache), "parse": (lambda: parse(expr), None),
        "apply sym": (apply(None), None), "apply": (apply(SIZES), None), "dtype": (dtype, None),
        "first": (eval_shape, jax.clear_caches), "repeat": (eval_shape, None),
    }
    for run, _ in timed.values():  # warm-up
        run()
        run()
    # One sample of each per round. The two cold samples come first (each
    # clears its cache); then every warm measurement runs once untimed, so
    # that the warm samples see the caches a long-running process has.
    samples = {k: [] for k in timed}
    gc.collect()
    for _ in range(repeat):
        for k, (run, prepare) in timed.items():
            if prepare is not None:
                samples[k].append(time_call(run, prepare))
        for run, prepare in timed.values():
            run()
        for k, (run, prepare) in timed.items():
            if prepare is None:
                samples[k].append(time_call(run))
    row = Row(prog, answer, agrees)
    row.us = {k: statistics.median(v) / 1000.0 for k, v in samples.items()}
    return row


def matching(rows: list[Row], repeat: int) -> None:
    print(f"3. one operation per program: infer and its parts vs jax.eval_shape "
          f"(median of {repeat}; µs)")
    headers = ["program", "infer sym", "infer", "infer cold", "apply sym", "apply", "dtype",
               "jax first", "jax repeat", "cold ratio", "warm ratio", "agree"]
    table = []
    for r in rows:
        u = r.us
        table.append([r.program.label, fmt_us(u["sym"]), fmt_us(u["conc"]), fmt_us(u["cold"]),
                      fmt_us(u["apply sym"]), fmt_us(u["apply"]), fmt_us(u["dtype"]),
                      fmt_us(u["first"]), fmt_us(u["repeat"]),
                      fmt_ratio(u["first"] / u["cold"]), fmt_ratio(u["repeat"] / u["conc"]),
                      "yes" if r.agrees else "NO"])
    keys = ["sym", "conc", "cold", "apply sym", "apply", "dtype", "first", "repeat"]
    table.append(["geometric mean", *(fmt_us(geomean(r.us[k] for r in rows)) for k in keys),
                  fmt_ratio(geomean(r.us["first"] / r.us["cold"] for r in rows)),
                  fmt_ratio(geomean(r.us["repeat"] / r.us["conc"] for r in rows)), ""])
    print_table(headers, table)
    print()
    print("where a warm infer's time goes (concrete sizes; % of the `infer` column)")
    table = []
    for r in rows:
        u = r.us
        rest = u["conc"] - u["parse"] - u["apply"] - u["dtype"]
        table.append([r.program.label, fmt_us(u["conc"]), *(f"{100 * x / u['conc']:.0f}%" for x in
                      (u["parse"], u["apply"], u["dtype"], rest)),
                      f"{100 * u['apply sym'] / u['sym']:.0f}%"])
    print_table(["program", "infer µs", "parse", "apply", "dtype", "rest", "apply (sym)"],
                table)
    print("  parse: shapeinfer.syntax.parse of the program; apply: matcher.apply (clauses,"
          " requires, outputs)")
    print("  dtype: the rule's dtype rule; rest: evaluator, argument binding, Arrays, result")
    print()
    print("columns: infer sym / infer / infer cold as in bench_infer.py; apply sym / apply:")
    print("  matcher.apply alone on the context Operation.call built (symbolic / concrete sizes);")
    print("  jax first / jax repeat: jax.eval_shape of the JAX function on ShapeDtypeStructs at")
    print("  the sizes below, with / without jax.clear_caches() before; ratios: jax / infer")
    print()
    print("programs (user rules: the SPEC section 3 examples, and "
          f"{SOLVE_RULES.strip().splitlines()[0]} {SOLVE_RULES.strip().splitlines()[1].strip()}):")
    for r in rows:
        print(f"  {r.program.label:<18} {r.program.expr}")
        print(f"  {'':<18} -> {r.answer}")


def profile(rows: list[Row], libs: dict, shapeinfer) -> None:
    """cProfile over the symbolic infer calls of every program: the evidence
    for where the matcher's time goes."""
    calls = [(r.program.expr, libs[r.program.library]) for r in rows]
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        for expr, lib in calls:
            try:
                shapeinfer.infer(expr, rules=lib)
            except shapeinfer.ShapeError:
                pass
    prof.disable()
    print()
    print("cProfile of 20 symbolic infer calls per program (cumulative, top 25):")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=25, metavar="N",
                    help="timed calls per in-process measurement (default 25)")
    ap.add_argument("--procs", type=int, default=5, metavar="N",
                    help="subprocesses per start-up measurement (default 5; 0 skips part 1)")
    ap.add_argument("--programs", metavar="SUBSTRING", default="",
                    help="only the part-3 programs whose label contains SUBSTRING")
    ap.add_argument("--profile", action="store_true",
                    help="also print a cProfile of the part-3 infer calls")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.procs < 0:
        ap.error("--repeat must be at least 1 and --procs at least 0")
    programs = [p for p in PROGRAMS if args.programs in p.label]
    if not programs:
        ap.error(f"no program label contains {args.programs!r}")

    import jax
    import lark
    import sympy

    import shapeinfer
    from shapeinfer.library import builtins, load_rules

    print("the rule DSL's costs: loading rule files, matching rules; jax.eval_shape alongside")
    print(f"python {platform.python_version()}, jax {jax.__version__} ({jax.default_backend()}), "
          f"sympy {sympy.__version__}, lark {lark.__version__}, shapeinfer "
          f"{shapeinfer.__version__}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"concrete sizes {', '.join(f'{k}={v}' for k, v in SIZES.items())}")
    print()

    if args.procs:
        startup(args.procs)

    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "spec.rules"
        spec_path.write_text(SPEC_RULES, encoding="utf-8")
        user_lib = load_rules(SOLVE_RULES, load_rules(spec_path))
        loading(args.repeat, shapeinfer, spec_path, user_lib)

    libs = {"builtin": builtins(), "user": user_lib}
    fns = _jax_functions(jax, jax.numpy)
    clear_sympy_cache = sympy.core.cache.clear_cache
    rows = [measure(p, libs[p.library], args.repeat, shapeinfer, jax, fns, clear_sympy_cache)
            for p in programs]
    matching(rows, args.repeat)
    if args.profile:
        profile(rows, libs, shapeinfer)
    if not all(r.agrees for r in rows):
        print("\nWARNING: infer and jax.eval_shape disagree on a program marked NO above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
