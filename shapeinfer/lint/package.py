"""Annotated functions imported from other modules of the same package.

``from ._misc import sum_squares`` (or ``from diffrax._misc import ...``
inside the diffrax package) binds the callee's signature, so a call checks
its arguments and gives its annotated result as in one module. The other
module is read (never imported) for its signatures only: its bodies are its
own file's business. Only ``from X import name`` at module level is
followed; re-exports (a package ``__init__`` importing from a submodule)
are not.
"""
from __future__ import annotations

import ast
import os
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from .infer import AnnotatedFunction

# path -> (modification time, its exported functions), per process
_EXPORTS: dict[str, tuple[float, dict]] = {}


def package_functions(tree: ast.Module, path: str, library, defined: dict) -> dict:
    """Local name -> the callee, for each name the module imports from a
    module of its own package that annotates it; ``defined`` (the module's
    own functions) wins."""
    here = Path(path).resolve().parent
    root = package_root(here)
    found = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.ImportFrom):
            continue
        source = module_file(stmt, here, root)
        if source is None:
            continue
        exports = exported(source, library, {alias.name for alias in stmt.names})
        for alias in stmt.names:
            local = alias.asname or alias.name
            if alias.name in exports and local not in defined:
                found[local] = exports[alias.name]
    return found


def package_root(folder: Path) -> Path | None:
    """The outermost folder with an ``__init__.py`` above (and at) ``folder``."""
    root = None
    while (folder / "__init__.py").is_file():
        root = folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return root


def module_file(stmt: ast.ImportFrom, here: Path, root: Path | None) -> Path | None:
    """The file of ``from .a.b import x`` / ``from pkg.a import x`` when it is
    in the same package, else None."""
    parts = stmt.module.split(".") if stmt.module else []
    if stmt.level:
        base = here
        for _ in range(stmt.level - 1):
            base = base.parent
        if root is None or not (base == root or root in base.parents):
            return None   # above the package: not one of its modules
    elif root is not None and parts and parts[0] == root.name:
        base, parts = root, parts[1:]
    else:
        return None
    target = base.joinpath(*parts)
    for candidate in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def exported(source: Path, library, wanted: set[str]) -> dict:
    """The annotated module-level functions of ``source`` by name (cached);
    nothing read when the file defines none of the ``wanted`` names, which is
    most imports (classes, constants), and parsing is the costly part."""
    from . import ModuleLinter

    key = str(source)
    try:
        mtime = os.stat(key).st_mtime
        if key in _EXPORTS and _EXPORTS[key][0] == mtime:
            return _EXPORTS[key][1]
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if not any(re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(n)}\s*\(", text, re.M)
               for n in wanted):
        return {}
    functions = ModuleLinter(text, key, library, Counter()).exports()
    where = source.name
    exports = {name: _from_module(value, where) for name, value in functions.items()}
    _EXPORTS[key] = (mtime, exports)
    return exports


def _from_module(value, where: str):
    """The callee, its messages naming the file it is defined in."""
    if isinstance(value, AnnotatedFunction):
        return AnnotatedFunction(replace(value.sig, module=where), value.shared)
    return value  # a vmapped function (a decorator applied): its messages are the engine's
