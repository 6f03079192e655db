"""How long ``shapeinfer.syntax.parse`` takes for a text it has not seen.

Run from the repository root:

    python benchmarks/bench_parse.py [--repeat N] [--programs SUBSTRING] [--profile LABEL]

The programs of bench_infer.py and a few of bench_scaling.py, each sample
with fresh size names (so that parse's cache never answers), timed alone
with the garbage collector paused; medians in µs, and µs per character.
``--profile LABEL`` prints a cProfile of parsing the program whose label
contains LABEL instead. Nothing here asserts a timing.
"""
from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_infer import PROGRAMS, print_table, time_call  # noqa: E402
import bench_scaling  # noqa: E402

_fresh = itertools.count()


def texts() -> list[tuple[str, object]]:
    """(label, a function giving a new text of that program on each call)."""
    out = []
    for program in PROGRAMS:
        def make(program=program):
            tag = next(_fresh)
            return program.text_for({n: f"{n}{tag}" for n in program.size_names})
        out.append((program.label, make))
    for label, family, n in [("chain of 500 tanh", bench_scaling.chain, 500),
                             ("pytree of 1,000 leaves", bench_scaling.pytree, 1000),
                             ("500 statements", bench_scaling.statements, 500)]:
        out.append((label, lambda family=family, n=n: family(n, str(next(_fresh)))))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--programs", default="", metavar="SUBSTRING",
                        help="only the programs whose label contains SUBSTRING")
    parser.add_argument("--profile", metavar="LABEL")
    args = parser.parse_args(argv)

    from shapeinfer.syntax import parse
    parse("(a,)")  # build the parser outside the timings

    if args.profile:
        label, make = next((lb, mk) for lb, mk in texts() if args.profile in lb)
        samples = [make() for _ in range(args.repeat)]
        profile = cProfile.Profile()
        profile.runcall(lambda: [parse(t) for t in samples])
        print(f"{label}: {args.repeat} parses")
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
        return 0

    rows = []
    for label, make in texts():
        if args.programs not in label:
            continue
        length = len(make())
        times = []
        for _ in range(args.repeat):
            text = make()
            times.append(time_call(lambda: parse(text)) / 1000)
        median = statistics.median(times)
        rows.append([label, f"{length:,}", f"{median:,.0f}", f"{median / length:.2f}"])
    print_table(["program", "chars", "parse µs (median)", "µs/char"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
