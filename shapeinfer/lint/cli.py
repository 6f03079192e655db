"""``shapeinfer lint PATH...``: the command's options and output formats."""
from __future__ import annotations

import json
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..lint_options import FORMATS, add_arguments  # noqa: F401 (re-exported)
from . import lint_file

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


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


def apply_config(args) -> str | None:
    """Fill the options not given on the command line from ``[tool.shapeinfer]``
    in the nearest pyproject.toml (from the current directory up); a
    message for a bad setting."""
    config = read_config(Path.cwd())
    if isinstance(config, str):
        return config
    for key, kind in (("select", list), ("ignore", list), ("format", str),
                      ("exit-zero", bool), ("rules", list), ("jobs", int)):
        attr = key.replace("-", "_")
        if key not in config or getattr(args, attr, None) not in (None, []):
            continue
        value = config[key]
        if kind is list and isinstance(value, str):
            value = [value]
        if not isinstance(value, kind) or (kind is list and not all(
                isinstance(v, str) for v in value)) or (kind is int and isinstance(value, bool)):
            return f"pyproject.toml: [tool.shapeinfer] {key} must be a {kind.__name__}"
        if key == "jobs" and value < 0:
            return "pyproject.toml: [tool.shapeinfer] jobs must be 0 (one per core) or more"
        if key == "format" and value not in FORMATS:
            return f"pyproject.toml: [tool.shapeinfer] format must be one of {', '.join(FORMATS)}"
        setattr(args, attr, ",".join(value) if key in ("select", "ignore") else value)
    unknown = sorted(set(config) - {"select", "ignore", "format", "exit-zero", "rules", "jobs"})
    if unknown:
        return f"pyproject.toml: [tool.shapeinfer] has unknown settings: {', '.join(unknown)}"
    return None


def read_config(start: Path) -> dict | str:
    import tomllib

    for folder in (start, *start.parents):
        path = folder / "pyproject.toml"
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as e:
                return f"{path}: {e}"
            section = data.get("tool", {}).get("shapeinfer", {})
            return section if isinstance(section, dict) else f"{path}: [tool.shapeinfer] is not a table"
    return {}


def run(args, out) -> int | str:
    """Lint and print; the exit code, or a usage message."""
    files = python_files(args.paths)
    if isinstance(files, str):
        return files
    stats: Counter = Counter()
    findings = []
    for found, counts in lint_all(files, args):
        findings.extend(found)
        stats.update(counts)
    args.format = args.format or "text"
    if args.format == "json":
        print(json.dumps([f.to_json() for f in findings], indent=2), file=out)
    elif args.format == "sarif":
        print(json.dumps(sarif(findings), indent=2), file=out)
    else:
        for f in findings:
            print(github(f) if args.format == "github" else f.text(), file=out)
    if args.statistics:
        print_statistics(stats, len(files), len(findings), out)
    return EXIT_CLEAN if args.exit_zero or not findings else EXIT_FINDINGS


# A worker process costs about a second to start (spawn, import, the
# library) and lints ~3 ms of code per file: on the corpus of
# benchmarks/lint_corpus.py, repeated, 2 workers on 2 cores broke even with
# one process at 1,150-1,500 files. By default each worker gets at least
# this many files, so small runs stay in one process.
FILES_PER_WORKER = 600


def worker_count(requested: int | None, files: int) -> int:
    """The number of processes: ``-j N`` as asked (0: one per core); by
    default one per core, but no more than the files pay for."""
    cores = _cores()
    if requested is None:
        return max(1, min(cores, files // FILES_PER_WORKER))
    return max(1, min(requested or cores, files))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))   # the cores this process may use
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1


def lint_all(files, args):
    """(findings, statistics) per file, in the files' order; in worker
    processes for many files (each loads the library itself: --rules)."""
    select, ignore = _codes(args.select), _codes(args.ignore)
    jobs = worker_count(args.jobs, len(files))
    tasks = [(str(path), tuple(args.rules or ()), select, ignore) for path in files]
    if jobs == 1:
        return [_lint_task(task) for task in tasks]
    # spawn, not fork: the parent may have imported JAX, which must not fork
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
        return list(pool.map(_lint_task, tasks, chunksize=8))


_LIBRARIES: dict = {}


def _lint_task(task):
    path, rules, select, ignore = task
    if rules not in _LIBRARIES:
        from ..library import builtins, load_rules
        library = builtins()
        for rule_file in rules:
            library = load_rules(Path(rule_file), library)
        _LIBRARIES[rules] = library
    stats: Counter = Counter()
    return lint_file(path, _LIBRARIES[rules], select, ignore, stats), stats


def sarif(findings) -> dict:
    """A SARIF 2.1.0 log: one run, the codes as rules, each finding a result."""
    from .. import __version__
    from .findings import CODES

    rules = [{"id": code, "shortDescription": {"text": text}} for code, text in CODES.items()]
    results = [{
        "ruleId": f.code,
        "ruleIndex": list(CODES).index(f.code),
        "level": "error",
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": Path(f.path).as_posix()},
            "region": {"startLine": f.line, "startColumn": f.col}}}],
    } for f in findings]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "shapeinfer", "version": __version__,
                                      "rules": rules}},
                  "results": results}],
    }


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
    if stats["checked at ranks 0-3"]:   # `*name` items: sampled ranks, not a proof
        print(f"checked at ranks 0-3: {stats['checked at ranks 0-3']}", file=out)
    print(f"files: {files}  annotated functions: {stats['annotated functions']}  "
          f"fully checked: {stats['fully checked']}  findings: {findings}", file=out)


__all__ = ["add_arguments", "run"]
