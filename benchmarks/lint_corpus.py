"""The linter on real code: released equinox, diffrax, lineax and optimistix.

Run from the repository root, with the test extra installed (it brings
pyflakes, the speed reference):

    python benchmarks/lint_corpus.py [--cache DIR] [--paths PATH...]

It fetches the pinned releases with ``pip download --no-deps`` (wheels; no
install, nothing imported), unpacks them into the cache folder (default
``~/.cache/shapeinfer-lint-corpus``; a second run reuses it), lints every
``.py`` file of the four packages with ``shapeinfer lint --statistics`` in
this process, and prints what was checked, each finding, and the linter's
time next to pyflakes' time on the same files. ``--paths`` lints those
files or folders instead of the corpus (no network: the suite's smoke test).

Every finding it prints must be a true one: docs/lint.md's "Real code"
section lists the reviewed numbers. Nothing here asserts a timing.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
import zipfile
from contextlib import redirect_stdout
from pathlib import Path

# Pinned releases: the numbers in docs/lint.md are for these.
PACKAGES = {"equinox": "0.13.8", "diffrax": "0.7.2", "lineax": "0.1.1",
            "optimistix": "0.1.0"}
DEFAULT_CACHE = Path.home() / ".cache" / "shapeinfer-lint-corpus"


def fetch(cache: Path) -> list[Path]:
    """The unpacked package folders, downloading what the cache lacks."""
    folders = []
    for name, version in PACKAGES.items():
        target = cache / f"{name}-{version}"
        if not (target / name).is_dir():
            wheels = cache / "wheels"
            wheels.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                            "--only-binary", ":all:", "-q", "-d", str(wheels),
                            f"{name}=={version}"], check=True)
            wheel = next(wheels.glob(f"{name}-{version}-*.whl"))
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(target)
        folders.append(target / name)
    return folders


def timed_lint(paths: list[str]) -> tuple[str, int, float]:
    """shapeinfer lint --statistics on ``paths``, in this process, one job."""
    from shapeinfer.cli import main

    out = io.StringIO()
    start = time.perf_counter()
    with redirect_stdout(out):
        code = main(["lint", "--statistics", "--exit-zero", "-j", "1", *paths])
    return out.getvalue(), code, time.perf_counter() - start


def timed_pyflakes(files: list[Path]) -> float:
    """pyflakes' check of the same files, in this process, reports discarded."""
    from pyflakes.api import checkPath
    from pyflakes.reporter import Reporter

    sink = io.StringIO()
    reporter = Reporter(sink, sink)
    start = time.perf_counter()
    for path in files:
        checkPath(str(path), reporter)
    return time.perf_counter() - start


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--paths", nargs="+", help="lint these instead of the corpus")
    args = p.parse_args(argv)
    try:
        folders = [Path(x) for x in args.paths] if args.paths else fetch(args.cache)
    except (subprocess.CalledProcessError, StopIteration, OSError, zipfile.BadZipFile) as e:
        print(f"cannot fetch the corpus into {args.cache}: {e}", file=sys.stderr)
        return 2
    files = [f for d in folders for f in (sorted(d.rglob("*.py")) if d.is_dir() else [d])]
    report, code, lint_time = timed_lint([str(d) for d in folders])
    if code not in (0, 1):
        print(report)
        print(f"shapeinfer lint exited {code}", file=sys.stderr)
        return 2
    flakes_time = timed_pyflakes(files)
    if not args.paths:
        print("corpus: " + ", ".join(f"{n}=={v}" for n, v in PACKAGES.items()))
    print(report, end="")
    print(f"time: shapeinfer lint {lint_time:.2f} s, pyflakes {flakes_time:.2f} s "
          f"(lint / pyflakes = {lint_time / max(flakes_time, 1e-9):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
