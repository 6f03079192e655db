"""What JAX's public modules hold, so that a name the library has no rule
for gets the right answer: a JAX function without a rule is `unsupported`
(and says how to add one), a name JAX does not have is JAX's AttributeError
(``jnp.foo``) or Python's NameError (a bare ``foo``).

``jax_names.txt`` lists every public attribute of the modules below in the
pinned JAX, ``()`` marking callables; tests/test_jax_names.py regenerates it
and fails when it is stale. It is read only when a name is missing.
"""
from __future__ import annotations

import functools
from pathlib import Path

from .errors import ShapeError

# The short spellings programs use, and where bare names are looked up.
_SHORT = {"jnp": "jax.numpy", "lax": "jax.lax", "nn": "jax.nn"}
_BARE = ("jax.numpy", "jax.nn")
# The modules whose every attribute the list holds (not `jax` itself: its
# submodules are many), and their parents.
_LISTED = frozenset({"jax.numpy", "jax.numpy.linalg", "jax.numpy.fft", "jax.nn", "jax.lax",
                     "jax.random", "jax.scipy.special", "jax.scipy.linalg",
                     "jax.scipy.stats.norm", "jax.tree", "jax.tree_util"})
_MODULES = _LISTED | {"jax.scipy", "jax.scipy.stats"}


@functools.cache
def _names() -> dict[str, bool]:
    """Full dotted name -> whether it is callable."""
    text = (Path(__file__).parent / "jax_names.txt").read_text()
    return {line.removesuffix("()"): line.endswith("()") for line in text.split()}


def _full(dotted: str) -> str:
    head, _, rest = dotted.partition(".")
    return f"{_SHORT[head]}.{rest}" if head in _SHORT and rest else _SHORT.get(head, dotted)


def _no_rule(shown: str, full: str) -> ShapeError:
    what = "has no shape rule yet" if _names()[full] else "is not supported yet"
    alias = f" ({full})" if shown != full and "." not in shown else ""
    return ShapeError("unsupported", "NotImplementedError",
                      f"{shown}{alias} {what}; see docs/rules.md to add one")


def missing_dotted(dotted: str, span) -> ShapeError:
    """The error for a dotted name (``jnp.cross``, ``jax.lax.foo``) the library lacks."""
    full = _full(dotted)
    head, *attrs = full.split(".")
    if head != "jax":
        return ShapeError("unknown-name", "NameError", f"unknown name {dotted!r}", span)
    module = head
    while attrs and f"{module}.{attrs[0]}" in _MODULES:  # jax.numpy.linalg ...
        module = f"{module}.{attrs.pop(0)}"
    if len(attrs) == 1 and full in _names():
        return _no_rule(dotted, full).with_span(span)
    if attrs and f"{module}.{attrs[0]}" not in _names() and module in _LISTED:
        return ShapeError("unknown-name", "AttributeError",
                          f"module {module!r} has no attribute {attrs[0]!r}", span)
    # somewhere the list does not cover (jax.experimental, an attribute's attribute)
    return ShapeError("unsupported", "NotImplementedError",
                      f"{dotted} has no shape rule; see docs/rules.md to add one", span)


def bare_function(name: str) -> str | None:
    """The JAX function a bare name would stand for (``cross``: jax.numpy.cross), if any."""
    return next((f"{m}.{name}" for m in _BARE if _names().get(f"{m}.{name}")), None)


def missing_bare(name: str, span) -> ShapeError | None:
    """`unsupported` for a bare name that is a JAX function without a rule; None otherwise."""
    full = bare_function(name)
    return None if full is None else _no_rule(name, full).with_span(span)


def missing_array_attribute(attr: str, shown: str, span) -> ShapeError:
    """An attribute or method of an array the language does not model
    (``x.sort``: `unsupported`), or that JAX arrays do not have (AttributeError)."""
    if f"jax.Array.{attr}" in _names():
        return ShapeError("unsupported", "NotImplementedError",
                          f"the array method or attribute .{attr} has no shape rule yet; "
                          "see docs/rules.md to add one", span)
    return ShapeError("bad-argument", "AttributeError",
                      f"{shown} has no attribute {attr!r}", span)
