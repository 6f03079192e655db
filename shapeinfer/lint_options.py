"""The options of ``shapeinfer lint``, apart from the linter.

Every ``shapeinfer`` command builds the whole argument parser, lint's options
included; keeping them here, outside the ``shapeinfer.lint`` package (whose
``__init__`` loads the linter), spares ``shapeinfer eval`` and the others
importing the linter (about 30 ms a process)."""
from __future__ import annotations

FORMATS = ("text", "json", "github", "sarif")


def jobs_count(text: str) -> int:
    """``-j N``: a number of processes, 0 for one per core (as flake8, a
    negative number is a usage error rather than quietly one process)."""
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of processes (0: one per core), got {text!r}")
    return n


def add_arguments(p):
    p.add_argument("paths", metavar="PATH", nargs="+", help="Python files or directories")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="text (path:line:col: CODE message), json, github annotations, "
                        "or sarif (SARIF 2.1.0)")
    p.add_argument("--select", metavar="CODES",
                   help="report only these codes (comma-separated prefixes, e.g. SHP002,SHP004)")
    p.add_argument("--ignore", metavar="CODES", help="do not report these codes (prefixes)")
    p.add_argument("--exit-zero", action="store_true", default=None,
                   help="exit 0 even when there are findings")
    p.add_argument("-j", "--jobs", type=jobs_count, default=None, metavar="N",
                   help="lint files in N processes (0: one per core; default: one per "
                        "core, each given at least 600 files, so that fewer files stay in "
                        "one process, where starting workers would cost more than it "
                        "saves); the output order does not depend on N")
    p.add_argument("--statistics", action="store_true",
                   help="print what was checked and why shape tracking was lost")
