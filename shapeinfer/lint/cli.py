"""``shapeinfer lint PATH...``: the command's options and output formats."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from . import lint_file

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "github")


def add_arguments(p):
    p.add_argument("paths", metavar="PATH", nargs="+", help="Python files or directories")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (path:line:col: CODE message), json, or github annotations")
    p.add_argument("--select", metavar="CODES",
                   help="report only these codes (comma-separated prefixes, e.g. SHP002,SHP004)")
    p.add_argument("--ignore", metavar="CODES", help="do not report these codes (prefixes)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--statistics", action="store_true",
                   help="print what was checked and why shape tracking was lost")


def python_files(paths: list[str]) -> list[Path] | str:
    """The .py files under ``paths`` in a deterministic order, or the message
    for a path that does not exist."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.py")  # hidden folders below: skipped
                                if not any(part.startswith(".")
                                           for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            return f"{raw}: no such file or directory"
    return files


def _codes(text: str | None) -> list[str] | None:
    return [c.strip().upper() for c in text.split(",") if c.strip()] if text else None


def run(args, library, out) -> int | str:
    """Lint and print; the exit code, or a usage message."""
    files = python_files(args.paths)
    if isinstance(files, str):
        return files
    stats: Counter = Counter()
    findings = []
    for path in files:
        findings.extend(lint_file(path, library, _codes(args.select), _codes(args.ignore), stats))
    if args.format == "json":
        print(json.dumps([f.to_json() for f in findings], indent=2), file=out)
    else:
        for f in findings:
            print(github(f) if args.format == "github" else f.text(), file=out)
    if args.statistics:
        print_statistics(stats, len(files), len(findings), out)
    return EXIT_CLEAN if args.exit_zero or not findings else EXIT_FINDINGS


def github(f) -> str:
    """A GitHub Actions workflow command (an annotation on the pull request)."""
    message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error file={f.path},line={f.line},col={f.col},title={f.code}::{f.code} {message}"


def print_statistics(stats: Counter, files: int, findings: int, out) -> None:
    lost = Counter({k[len("lost: "):]: v for k, v in stats.items() if k.startswith("lost: ")})
    if lost:
        print("shape tracking was lost at:", file=out)
        for reason, n in sorted(lost.items(), key=lambda kv: (-kv[1], kv[0]))[:10]:
            print(f"  {n:5d}  {reason}", file=out)
    print(f"files: {files}  annotated functions: {stats['annotated functions']}  "
          f"fully checked: {stats['fully checked']}  findings: {findings}", file=out)


__all__ = ["add_arguments", "run"]
