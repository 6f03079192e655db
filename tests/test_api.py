"""The Python API as a Python user meets it (issue 11, item 2): argument
types, integer-like sizes, size names, JSON, reprs, typing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import shapeinfer
from shapeinfer import ShapeError

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- argument types

@pytest.mark.parametrize("call, named", [
    pytest.param(lambda: shapeinfer.infer(None), "text", id="text None"),
    pytest.param(lambda: shapeinfer.infer(123), "text", id="text int"),
    pytest.param(lambda: shapeinfer.infer(b"(a,)"), "text", id="text bytes"),
    pytest.param(lambda: shapeinfer.infer("(n,)", sizes=[("n", 3)]), "sizes", id="sizes list"),
    pytest.param(lambda: shapeinfer.infer("(n,)", sizes={"n": 3.0}), "sizes['n']",
                 id="size float"),
    pytest.param(lambda: shapeinfer.infer("(n,)", sizes={"n": True}), "sizes['n']",
                 id="size bool"),
    pytest.param(lambda: shapeinfer.infer("(n,)", sizes={"n": "3"}), "sizes['n']",
                 id="size str"),
    pytest.param(lambda: shapeinfer.infer("(n,)", sizes={3: 3}), "sizes keys", id="size key"),
    pytest.param(lambda: shapeinfer.infer("(n,)", rules=3), "rules", id="rules int"),
    pytest.param(lambda: shapeinfer.infer("(n,)", rules=[3]), "rules", id="rules [int]"),
    pytest.param(lambda: shapeinfer.infer("(n,)", assume=3), "assume", id="assume int"),
    pytest.param(lambda: shapeinfer.infer("(n,)", strict="yes"), "strict", id="strict str"),
])
def test_a_wrong_argument_type_is_a_type_error_naming_it(call, named):
    with pytest.raises(TypeError) as info:
        call()
    assert named in str(info.value)


class Three:
    """Integer-like, as operator.index understands it."""

    def __index__(self) -> int:
        return 3


@pytest.mark.parametrize("size", [3, numpy.int64(3), numpy.uint8(3), Three()],
                         ids=["int", "numpy.int64", "numpy.uint8", "__index__"])
def test_integer_like_sizes_are_accepted(size):
    result = shapeinfer.infer("(n, 2)", sizes={"n": size})
    assert result.to_json()["leaves"] == [[3, 2]]


def test_a_negative_size_is_a_value_error():
    with pytest.raises(ValueError, match=r"sizes\['n'\] must be a non-negative int, got -1"):
        shapeinfer.infer("(n,)", sizes={"n": -1})


def test_a_size_the_program_does_not_use_is_an_error():
    with pytest.raises(ValueError) as info:
        shapeinfer.infer("x = (n, m); vmap(sin)(x)", sizes={"k": 2, "n": 3})
    message = str(info.value)
    assert "sizes gives k, which the program does not use" in message
    assert "its size names: n, m" in message  # bound names (x) and operations are not sizes


def test_a_size_used_only_by_assume_is_used():
    """A fact names sizes too: no ValueError for b."""
    assert str(shapeinfer.infer("(a, b)", sizes={"b": 2}, assume="a >= b")) == "(a, 2)"
    assert str(shapeinfer.infer("(a,)", sizes={"b": 2}, assume="a >= b")) == "(a,)"


# ---------------------------------------------------------------- results

def test_concrete_dims_are_json_integers_and_symbolic_ones_text():
    obj = shapeinfer.infer("((2, n + 1), (n, 3))").to_json()
    assert obj["leaves"] == [[2, "n + 1"], ["n", 3]]
    assert json.loads(json.dumps(obj)) == obj


def test_result_repr_is_short():
    result = shapeinfer.infer("add((a,), (b,))")
    assert repr(result) == "Result('add((a,), (b,))' -> (a,)  if a == b)"
    long = shapeinfer.infer("[" + ", ".join(["(a,)"] * 100) + "]")
    assert len(repr(long)) < 160 and "..." in repr(long)


def test_shape_error_repr_is_one_short_line():
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer("add((a, 2), (a, 3))")
    assert repr(info.value) == ("ShapeError('broadcast', 'TypeError: add got incompatible "
                                "shapes for broadcasting: (a, 2), (a, 3).', span=(0, 3))")
    with pytest.raises(ShapeError) as info:  # a message of several lines
        shapeinfer.infer("attention((2, 5, 8), (2, 7, 9), (2, 7, 4))",
                         rules="rule attention: (*b, q, d), (*b, k, d), (*b, k, v) -> (*b, q, v)")
    assert "\n" not in repr(info.value) and repr(info.value).endswith("...', span=(0, 42))")


@pytest.mark.parametrize("program, exception, builtin", [
    ("add((a, 2), (a, 3))", "TypeError", TypeError),
    ("vmap(add, 2)((n, a), (n, a))", "ValueError", ValueError),
    ("(lambda x: x[x > 0])((a, b))", "NonConcreteBooleanIndexError", IndexError),
    ("add((a,)", "SyntaxError", SyntaxError),
])
def test_exception_is_a_name_and_exception_type_the_builtin_class(program, exception, builtin):
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(program)
    assert info.value.exception == exception
    assert info.value.exception_type is builtin


def test_empty_program_is_its_own_code():
    for text in ("", "  ", "# only a comment\n\n"):
        with pytest.raises(shapeinfer.ShapeSyntaxError) as info:
            shapeinfer.infer(text)
        assert info.value.code == "empty" and info.value.exception == "SyntaxError"
        assert "empty" in info.value.message


# ---------------------------------------------------------------- typing and docs

def test_package_is_marked_typed():
    assert (ROOT / "shapeinfer" / "py.typed").is_file()


def test_public_api_passes_mypy_strict(tmp_path):
    """pyproject's [tool.mypy] checks __init__.py and tests/typing/use_api.py
    (a user's code) under --strict; a few seconds."""
    p = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Success" in p.stdout


def _public_names():
    for name in shapeinfer.__all__:
        obj = getattr(shapeinfer, name)
        yield name, obj
        if isinstance(obj, type):  # and their public methods and properties
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and (callable(member) or isinstance(member, property)):
                    yield f"{name}.{attr}", member


@pytest.mark.parametrize("name, obj", [pytest.param(name, obj, id=name)
                                       for name, obj in _public_names() if name != "CODES"])
def test_every_public_name_has_a_docstring(name, obj):
    assert (obj.__doc__ or "").strip(), name


def test_import_loads_sympy_and_lark_on_first_use():
    """import shapeinfer is cheap (docs/performance.md): the names that need
    sympy and Lark load them when first used, and are the modules' own
    objects; an unknown name is still an AttributeError."""
    code = (
        "import sys, shapeinfer\n"
        "assert 'sympy' not in sys.modules and 'lark' not in sys.modules, 'import'\n"
        "assert {'infer', 'Result', 'Library', 'load_rules', 'RuleError'} <= set(dir(shapeinfer))\n"
        "from shapeinfer import Library\n"
        "import shapeinfer.api, shapeinfer.library, shapeinfer.rules.loader\n"
        "assert shapeinfer.infer is shapeinfer.api.infer and Library is shapeinfer.library.Library\n"
        "assert shapeinfer.RuleError is shapeinfer.rules.loader.RuleError\n"
        "try:\n"
        "    shapeinfer.no_such_name\n"
        "except AttributeError:\n"
        "    print('lazy')\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "lazy"


def test_a_text_that_parses_never_imports_lark(tmp_path):
    """Lark is the language's definition and parses what the hand-written
    parser leaves (docs/performance.md): a process whose texts parse and
    whose built-in rules come from the cache never imports it; a syntax
    error does, for Lark's message."""
    code = (
        "import sys, shapeinfer\n"
        "print(shapeinfer.infer('vmap(lambda x: x @ x.T)((a, b, c))'))\n"
        "print('lark' in sys.modules)\n"
        "try:\n"
        "    shapeinfer.infer('f(a,,)')\n"
        "except shapeinfer.ShapeSyntaxError as e:\n"
        "    print(e.message, 'lark' in sys.modules)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=ROOT, timeout=120, env=env) for _ in range(2)]
    assert all(p.returncode == 0 for p in runs), runs[0].stderr
    first, second = (p.stdout.splitlines() for p in runs)
    assert first[0] == second[0] == "(a, b, b)"
    assert second[1] == "False"  # (the first run parsed the rule files: the loader's Lark)
    assert second[2].startswith("unexpected ','") and second[2].endswith("True")
