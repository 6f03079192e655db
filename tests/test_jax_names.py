"""shapeinfer/jax_names.txt lists the functions of the pinned JAX's public
modules, so that a program calling one the library has no rule for is
`unsupported` rather than a NameError (issue: "a typo is not a size").

The list must be the pinned JAX's: regenerate it with
``python tests/test_jax_names.py > shapeinfer/jax_names.txt``.
"""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import shapeinfer

MODULES = ("jax", "jax.numpy", "jax.numpy.linalg", "jax.numpy.fft", "jax.nn", "jax.lax",
           "jax.random", "jax.scipy.special", "jax.scipy.linalg", "jax.scipy.stats.norm",
           "jax.tree", "jax.tree_util")

LIST = Path(shapeinfer.__file__).parent / "jax_names.txt"


def public_names() -> list[str]:
    """Every public attribute of MODULES but their submodules, and of
    ``jax.Array``, by its full dotted name, with ``()`` after a callable
    (functions, classes, ufuncs, methods)."""
    names = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for attr in dir(module):
            value = getattr(module, attr, None)
            if attr.startswith("_") or inspect.ismodule(value):
                continue
            names.add(f"{module_name}.{attr}{'()' if callable(value) else ''}")
    from jax import Array  # and the attributes and methods of arrays
    names.update(f"jax.Array.{attr}{'()' if callable(getattr(Array, attr)) else ''}"
                 for attr in dir(Array) if not attr.startswith("_"))
    return sorted(names)


def test_the_list_is_the_pinned_jaxs():
    assert LIST.read_text().split() == public_names(), (
        "regenerate: python tests/test_jax_names.py > shapeinfer/jax_names.txt")


@pytest.mark.parametrize("expr, code, exception", [
    ("jnp.cross((3,), (3,))", "unsupported", "NotImplementedError"),
    ("jax.numpy.fft.fft((8,))", "unsupported", "NotImplementedError"),
    ("cross((3,), (3,))", "unsupported", "NotImplementedError"),
    ("vmap(lambda x: jax.random.normal(x, (3,)))((n, 2))", "unsupported",
     "NotImplementedError"),
    ("jnp.foo((a,))", "unknown-name", "AttributeError"),
    ("jax.lax.foo((a,))", "unknown-name", "AttributeError"),
    ("foo((a,))", "unknown-name", "NameError"),
    ("numpy.sum((a,))", "unknown-name", "NameError"),
])
def test_unknown_names(expr, code, exception):
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer(expr)
    assert (info.value.code, info.value.exception) == (code, exception)


def test_an_unsupported_function_says_how_to_add_a_rule():
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("jnp.cross((3,), (3,))")
    assert "jnp.cross has no shape rule yet" in str(info.value)
    assert "docs/rules.md" in str(info.value)


def test_a_jax_attribute_that_does_not_exist_is_jaxs_attribute_error():
    """What Python says for `jnp.foo`, and the checker's run of JAX agrees."""
    with pytest.raises(shapeinfer.ShapeError) as info:
        shapeinfer.infer("jnp.foo((a,))")
    assert "module 'jax.numpy' has no attribute 'foo'" in str(info.value)
    import jax.numpy as jnp
    with pytest.raises(AttributeError):
        jnp.foo  # noqa: B018


if __name__ == "__main__":
    print("\n".join(public_names()))


# ---------------------------------------------------------------- jax.numpy's constants

from test_table import assert_dtype_row, assert_ok_row, ok  # noqa: E402


@pytest.mark.parametrize("expr, expected", [
    ok("(lambda x: x * jnp.pi)((a,))", "(a,)"),
    ok("(lambda x: x[:, jnp.newaxis])((a,))", "(a, 1)"),
    ok("(lambda x: jnp.where(x > 0, x, -jnp.inf))((a, b))", "(a, b)"),
    ok("vmap(lambda x: x * 2 * jax.numpy.pi)(i32[n])", "(n,)"),
    ok("full((a,), jnp.nan)", "(a,)"),
    ok("jnp.e", "()"),
])
def test_constants(expr, expected):
    assert_ok_row(expr, expected)


@pytest.mark.parametrize("expr, dtype, weak", [
    ("(lambda x: x * jnp.pi)(i32[a])", "f32", True),
    ("(lambda x: x * jnp.pi)(f16[a])", "f16", False),
    ("jnp.euler_gamma", "f32", True),
])
def test_constants_are_weak_python_floats(expr, dtype, weak):
    assert_dtype_row(expr, dtype, weak)
