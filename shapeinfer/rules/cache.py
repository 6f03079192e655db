"""A cache of the parsed built-in rules, so a process does not parse them.

Parsing the shipped rule files (Lark parse, transform, validation) takes
tens of milliseconds; unpickling the frozen rules it produces takes a few.
The pickle is stored in the user's cache directory (``$XDG_CACHE_HOME``, else
``~/.cache``, then ``shapeinfer/``) under a name made from a hash of
everything the parsed rules depend on: the rule files' contents and names,
the source of every shapeinfer module and grammar (the loader validates
against the shape functions, hooks and dtype rules, so any code change
counts), shapeinfer's version and Python's. A changed file gives a new name, so an entry is never stale
(old entries are simply no longer read). Any failure to read or write the
cache is silent: the rules are then parsed, as without a cache.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable

_PACKAGE = Path(__file__).resolve().parent.parent


def _code_files() -> list[Path]:
    """shapeinfer's sources and grammars (in a wheel or a source checkout)."""
    files = sorted(_PACKAGE.rglob("*.py")) + sorted(_PACKAGE.rglob("*.lark"))
    return files + sorted((_PACKAGE.parent / "grammar").glob("*.lark"))


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shapeinfer"


def _key(files: list[tuple[str, str]], version: str) -> str:
    h = hashlib.sha256()
    h.update(f"{version}\0{sys.version}\0".encode())
    for path in _code_files():
        h.update(f"\0{path.name}\0".encode())
        h.update(path.read_bytes())
    for name, text in files:
        h.update(f"\0{name}\0{text}".encode())
    return h.hexdigest()[:32]


def load(files: list[tuple[str, str]], version: str, parse: Callable[[str, str], list]) -> list:
    """``[parse(text, name) for name, text in files]``, from the cache when it
    holds them (and stored there when it did not)."""
    path = None
    try:
        path = cache_dir() / f"builtin-rules-{_key(files, version)}.pickle"
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: parse instead
        pass
    parsed = [parse(text, name) for name, text in files]
    if path is not None:
        _store(path, parsed)
    return parsed


def _store(path: Path, parsed: list) -> None:
    """Write atomically (a temporary file renamed into place), so that two
    processes starting at once never read half a file; ignore failures."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(parsed, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - a read-only home, a full disk: no cache
        pass
