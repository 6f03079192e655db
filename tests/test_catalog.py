"""The operations reference (docs/operations.md) and `shapeinfer rules`."""
from __future__ import annotations

from pathlib import Path

import pytest

import shapeinfer
from shapeinfer.cli import main
from shapeinfer.library import builtins
from shapeinfer.rules import catalog

PAGE = Path(__file__).resolve().parent.parent / "docs" / "operations.md"


def test_the_operations_page_is_generated_from_the_rule_files():
    expected = catalog.operations_markdown(builtins())
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/operations.md is stale: regenerate it with "
        "`shapeinfer rules --markdown > docs/operations.md`")


def test_every_builtin_operation_is_on_the_page():
    text = PAGE.read_text(encoding="utf-8")
    for rule in catalog.current_rules(builtins()):
        assert f"`{catalog.signature(rule)}`" in text


def test_missing_spec_operations_are_listed_and_known_ones_are_not():
    text = PAGE.read_text(encoding="utf-8").split("## Not supported yet")[1]
    assert "`add`" not in text and "`reshape`" not in text
    for name in catalog.SPEC_OPERATIONS:
        assert (name in builtins()) != (f"`{name}`" in text), name


@pytest.mark.parametrize("text, expected", [
    ("rule f (x, /, y, *, k: int = 1): (*a), (*b) -> a", "f(x, /, y, *, k: int = 1)"),
    ('rule g (a, mode: str = "same", axes: axes = (0, 1)): (*a) -> a',
     "g(a, mode: str = \"same\", axes: axes = (0, 1))"),
    ("rule h: (n), (n) -> ()", "h(arg0, arg1, /)"),
])
def test_signatures_read_like_python(text, expected):
    name = text.split()[1].rstrip(":")
    assert catalog.signature(shapeinfer.load_rules(text).rule(name)) == expected


def test_rules_lists_every_signature(capsys):
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "add(x, y, /)" in lines and "reshape(a, shape: shape)" in lines
    assert len(lines) == len(catalog.current_rules(builtins()))


def test_rules_name_prints_the_rule_and_where_it_comes_from(capsys):
    assert main(["rules", "jnp.where"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rule where (condition, x = None, y = None, /, *, size: int = None,")
    assert "broadcast_shapes(c, x, y)" in out and "elementwise.rules:" in out


def test_rules_sees_user_rules(tmp_path, capsys):
    path = tmp_path / "mine.rules"
    path.write_text("rule attention:\n    (*b, q, d), (*b, k, d), (*b, k, v) -> (*b, q, v)\n")
    assert main(["rules", "--rules", str(path), "attention"]) == 0
    assert "(*b, q, d), (*b, k, d), (*b, k, v) -> (*b, q, v)" in capsys.readouterr().out


@pytest.mark.parametrize("name, fragment", [("vmap", "transformation"),
                                            ("nope", "not a known operation")])
def test_rules_of_an_unknown_name_is_a_usage_error(name, fragment, capsys):
    assert main(["rules", name]) == 2
    assert fragment in capsys.readouterr().err
