"""shapeinfer: symbolic shape inference for JAX programs.

>>> import shapeinfer
>>> str(shapeinfer.infer("vmap(add, (0, None), 1)((a,b,c), (a,b,c))"))
'(a, a, b, c)'

``import shapeinfer`` does not import JAX; :func:`check` imports it lazily.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import CODES, RuleError, ShapeError, ShapeSyntaxError

__all__ = ["infer", "check", "load_rules", "Library", "Result", "ShapeError",
           "ShapeSyntaxError", "RuleError", "CODES"]
__version__ = "0.1.0"

if TYPE_CHECKING:  # type checkers see the real names; at run time __getattr__ loads them
    from .api import Result, infer
    from .library import Library, load_rules
    from .oracle import CheckReport  # the checker's module imports JAX

# Public names whose modules import sympy and lark (most of a process's start):
# they load on first use (PEP 562), so ``import shapeinfer`` stays cheap for a
# program that imports it and asks nothing, or only uses the error classes.
_LAZY = {"infer": ".api", "Result": ".api", "Library": ".library",
         "load_rules": ".library"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'shapeinfer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


JAX_MISSING = 'the checker needs JAX, which is not installed: pip install "shapeinfer[jax]"'


def check(text: str, *, sizes: Mapping[str, int] | None = None, samples: int = 8,
          seed: int = 0, symbolic: bool = False, rules: object = None, strict: bool = False,
          violate: bool = False) -> CheckReport:
    """Compare :func:`infer` with ``jax.eval_shape``, the ground truth.

    With every size symbol in ``sizes`` one case is run; otherwise
    ``samples`` size assignments are drawn (seeded by ``seed``).
    ``symbolic=True`` compares strict mode with ``jax.eval_shape`` on
    ``jax.export.symbolic_shape`` sizes; ``violate=True`` also tries sizes
    that break the answer's guards. ``rules`` and ``strict`` are as for
    :func:`infer`. The report's ``agreed`` says whether every case JAX ran
    agreed; ``cases`` holds each comparison (docs/checker.md).

    Raises ImportError saying what to install when JAX is missing, and
    ValueError for options that mean nothing for the program (a ``sizes``
    name it does not use, ``samples < 1``)."""
    try:
        from .oracle import check as _check
    except ImportError as e:
        if (e.name or "").split(".")[0] not in ("jax", "jaxlib"):
            raise
        raise ImportError(JAX_MISSING, name=e.name) from e
    return _check(text, sizes=dict(sizes) if sizes is not None else None, samples=samples,
                  seed=seed, symbolic=symbolic, rules=rules, strict=strict, violate=violate)
