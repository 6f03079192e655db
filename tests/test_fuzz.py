"""Fuzzing: shapeinfer answers any text, and never with a traceback.

Three inputs are fuzzed with hypothesis: programs of the expression language
(``shapeinfer.infer``), rule files (``shapeinfer.load_rules``) and Python
modules for the linter (``shapeinfer.lint.lint_source``). The inputs are the
real examples of docs/ and tests/ mutated (tokens deleted, repeated, swapped,
inserted; characters replaced, including NUL, unicode confusables and RTL
marks), random text, random programs built from the grammar, and the nasty
cases by hand: 10,000 nested brackets, lambdas, vmaps and calls, flat chains
of 20,000 operators, huge integers, empty and comment-only input.

The property, for every input:
- ``infer`` gives a result or a :class:`ShapeError` with a known code and a
  span inside the text (never another exception, a RecursionError included);
- a rule file loads, or is refused with a :class:`RuleError` at a line and
  column of the file; the rules it loads then answer like any operation;
- the linter gives findings, SHP000 exactly when Python cannot parse the
  module;
- each input takes a bounded time (:data:`SECONDS_PER_INPUT`, enforced
  with a timer, as a hang never reaches hypothesis' own deadline).

Profiles (``HYPOTHESIS_PROFILE=name``): ``ci``, the default, is derandomized
(the same examples on every run) and small, a few seconds in all; ``long``
runs 50 times more examples with a fresh seed each run, for fuzzing on
demand:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest -p no:warnings tests/test_fuzz.py
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import shapeinfer
from shapeinfer import CODES, RuleError, ShapeError
from shapeinfer.lint import CODES as LINT_CODES
from shapeinfer.lint import lint_source
from shapeinfer.syntax import MAX_DEPTH

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", max_examples=1250, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Generous: the machine running the suite may be loaded. The slowest inputs
# (10,000 nested brackets) take about a second alone.
SECONDS_PER_INPUT = 20


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float = SECONDS_PER_INPUT):
    """Fail an input that runs longer than ``seconds`` (a hang never returns
    to hypothesis, whose ``deadline`` only measures inputs that finish)."""
    def alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- properties

def assert_answers(text: str) -> None:
    """``infer(text)`` is a result or a ShapeError pointing into the text."""
    with time_limit():
        try:
            result = shapeinfer.infer(text)
        except ShapeError as e:
            assert e.code in CODES and e.code != "internal", repr(e)
            assert isinstance(e.exception, str) and e.exception, repr(e)
            assert e.message.strip(), repr(e)
            assert e.span is not None, f"no span: {e!r}"
            start, end = e.span
            assert 0 <= start <= end <= len(text), f"span {e.span} outside the text: {e!r}"
            e.render(text)  # what the command line prints
            json.dumps(e.to_json())
            return
        result.describe()
        json.dumps(result.to_json())


def assert_loads_or_refuses(text: str) -> None:
    """A rule file loads, or a RuleError names a place in it; what loads works."""
    text += "\n"  # a one-line string would be taken for a file name
    with time_limit():
        try:
            library = shapeinfer.load_rules(text)
        except RuleError as e:
            assert e.path == "<rules>", repr(e)
            assert 0 <= e.line <= text.count("\n") + 1, repr(e)
            assert e.reason.strip(), repr(e)
            return
        for rule in library.loaded[:3]:
            for args in ("(a, b)", "(a, b), (b,)", "(3,), (3,), (3,)"):
                try:
                    shapeinfer.infer(f"{rule.name}({args})", rules=library)
                except ShapeError as e:
                    assert e.code in CODES and e.code != "internal", repr(e)


def assert_lints(text: str) -> None:
    """Findings with known codes at real places; SHP000 exactly when Python
    itself cannot parse the module."""
    with time_limit():
        findings = lint_source(text, "fuzzed.py")
    n_lines = text.count("\n") + 1
    for f in findings:
        assert f.code in LINT_CODES, f
        assert 1 <= f.line <= n_lines + 1 and f.col >= 1, f
        assert f.message.strip(), f
    try:
        compile(text, "fuzzed.py", "exec", flags=0x400, dont_inherit=True)  # ast only
        parses = True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        parses = False
    assert any(f.code == "SHP000" for f in findings) == (not parses), findings


# ---------------------------------------------------------------- seeds

def docs_programs() -> list[str]:
    """Every ``$ shapeinfer eval ... "EXPR"`` of the docs and the README."""
    programs = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("$ shapeinfer eval "):
                with contextlib.suppress(ValueError):
                    programs.append(shlex.split(line[2:])[-1])
    return sorted(set(programs))


PROGRAMS = docs_programs() + [
    "vmap(add, (0, None), 1)((a,b,c), (a,b,c))",
    "x = (b, n); f = lambda x: x @ x.T + 1; vmap(f)(x)",
    "assume n % 2 == 0; reshape((n,), (n // 2, 2))",
    "grad(lambda x: sum(x ** 2))((n,))",
    "(lambda x, i: x[i, :, None][..., 1:])((a, b), i32[c])",
    'jax.tree.map(lambda x: x.sum(axis=0), {"w": (a, b), "b": [(b,), f32[]]})',
    "lax.scan(lambda c, x: (c + x, c * x), (d,), (t, d))",
]


def rule_texts() -> list[str]:
    """Each rule of the built-in rule files and the test fixtures, one by one."""
    texts = []
    files = sorted((ROOT / "shapeinfer" / "rules" / "builtin").glob("*.rules"))
    files += sorted((ROOT / "tests" / "rules_fixture").glob("*.rules"))
    for path in files:
        for chunk in re.split(r"\n(?=rule )", path.read_text(encoding="utf-8")):
            if chunk.lstrip().startswith("rule "):
                texts.append(chunk)
    return texts[::7] + [  # a sample keeps the list short; these are from docs/rules.md
        "rule patchify (p: int):\n    (*b, h, w, c) -> (*b, h // p, w // p, p * p * c)\n"
        "    requires h % p == 0, w % p == 0\n",
        "rule matmul:\n    (n), (n) -> ()\n  | (*b1, n, k), (*b2, k, m) -> (*broadcast(b1, b2), n, m)\n"
        '  raises TypeError "matmul: contracting dimensions differ for shapes {0} and {1}"\n',
    ]


RULES = rule_texts()

MODULES = [p.read_text(encoding="utf-8")
           for p in sorted((ROOT / "tests" / "lint_fixtures").glob("*.py"))]

# What a mutation may insert: the language's own pieces, and the unwelcome.
NASTY = ["\x00", "\u202e", "\u200b", "\ufeff", "ä", "а", "𝑎", "ﬁ", "\t", "\r", "\n",
         "\\", "'", '"', "#", "?", "`", "$", "10**100", "99999999999999999999",
         "2**2**2**100", "-1", "0", "1e400", "1.5", "...", "None", "True", "lambda x:",
         "vmap(", "grad(", "jit(", "assume", "rule", "->", "|", "*", "**", "@", "//",
         "%", "(", ")", "[", "]", "{", "}", ",", ":", ";", "=", "==", ".T", ".", "_"]

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|[0-9]+|\*\*|//|->|==|!=|<=|>=|\s+|.", re.S)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


# A token replaced by another of its kind keeps a program parsing, so that
# the mutations reach the engine and not only the parser.
_SIMILAR = [
    (re.compile(r"[0-9]+$"), ["0", "1", "2", "3", "-1", "-2", "5", "100"]),
    (re.compile(r"[A-Za-z_][A-Za-z_0-9]*$"),
     ["a", "b", "n", "x", "None", "sin", "add", "sum", "vmap", "grad", "jit", "reshape",
      "transpose", "matmul", "lambda", "axis", "in_axes", "out_axes", "keepdims", "jnp",
      "i32", "bool", "f32", "T", "shape", "scan", "cond", "einsum", "where", "concatenate"]),
    (re.compile(r"\*\*|//|==|!=|<=|>=|[-+*/%@<>]$"),
     ["+", "-", "*", "/", "//", "%", "@", "**", "<", "==", "!="]),
]


def _similar(token: str) -> list[str]:
    return next((choices for pattern, choices in _SIMILAR if pattern.match(token)), [token])


@st.composite
def mutated(draw, seeds: list[str]) -> str:
    """A seed with one to four edits: a token replaced by one of its kind,
    deleted, repeated, swapped or inserted, or any character inserted."""
    parts = tokens(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, max(0, len(parts) - 1)))
        kind = draw(st.sampled_from(["similar", "similar", "delete", "repeat", "swap",
                                     "insert", "char"]))
        if kind == "similar" and parts:
            parts[i] = draw(st.sampled_from(_similar(parts[i])))
        elif kind == "delete" and parts:
            del parts[i]
        elif kind == "repeat" and parts:
            parts.insert(i, parts[i] * draw(st.integers(1, 3)))
        elif kind == "swap" and parts:
            j = draw(st.integers(0, len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
        elif kind == "insert":
            parts.insert(i, draw(st.sampled_from(NASTY) | st.sampled_from(parts or ["x"])))
        else:
            parts.insert(i, draw(st.characters()))
    return "".join(parts)


# Random programs from the grammar: shapes, names, operations, lambdas, vmap.
_dim = st.recursive(
    st.sampled_from(["a", "b", "n", "1", "2", "0", "7"]),
    lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*", "//", "%"]), inner)
    .map(lambda t: f"({t[0]} {t[1]} {t[2]})"), max_leaves=4)
_shape = st.lists(_dim, max_size=4).map(
    lambda ds: "(" + ", ".join(ds) + ("," if len(ds) == 1 else "") + ")")
_ops = st.sampled_from(["sin", "add", "matmul", "sum", "reshape", "transpose", "concatenate",
                        "stack", "where", "mean", "jnp.dot", "softmax", "expand_dims",
                        "squeeze", "einsum", "zeros_like", "jax.nn.relu", "swapaxes"])
_expr = st.recursive(
    _shape | st.sampled_from(["x", "0", "None", "-1", "(0, None)", "[0, 1]", '"ij,jk"']),
    lambda inner: st.one_of(
        st.tuples(_ops, st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, st.sampled_from(["+", "*", "@", "-"]), inner).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(inner, inner, inner).map(lambda t: f"vmap(lambda x: {t[0]}, {t[1]})({t[2]})"),
        st.tuples(inner, st.sampled_from(["[0]", "[:, None]", "[..., 1:]", ".T", ".sum(0)"]))
        .map("".join)),
    max_leaves=6)


# ---------------------------------------------------------------- the language

@given(mutated(PROGRAMS))
def test_mutated_programs(text):
    assert_answers(text)


@given(st.text(alphabet=st.sampled_from("abn01(),[]{}:;=+-*/%@.#\"' \n\tä\x00") | st.characters(),
               max_size=40))
def test_random_text(text):
    assert_answers(text)


@given(_expr)
def test_random_programs(text):
    assert_answers(text)


@given(st.sampled_from(["({})", "[{}]", "{{'k': {}}}", "sin({})", "vmap({})", "(lambda x: {})",
                        "-{}", "({},)"]),
       st.sampled_from([MAX_DEPTH // 3, MAX_DEPTH - 3, MAX_DEPTH + 1]))
def test_nesting_near_the_limit(wrapper, depth):
    opening, closing = wrapper.split("{}")
    opening, closing = opening.replace("{{", "{"), closing.replace("}}", "}")
    assert_answers(opening * depth + "(a, b)" + closing * depth)


# The nasty inputs of issue 11, each once. (10,000 deep: about a second each.)
DEEP = 10_000
NASTY_PROGRAMS = {
    "brackets": "(" * DEEP + "(a,)" + ")" * DEEP,
    "tuples": "(" * DEEP + "(a,)" + ",)" * DEEP,
    "lists": "[" * DEEP + "]" * DEEP,
    "lambdas": "(" + "lambda x: " * DEEP + "x)((a,))",
    "vmaps": "vmap(" * DEEP + "sin" + ")" * DEEP + "((a, b))",
    "calls": "sin(" * DEEP + "(a,)" + ")" * DEEP,
    "plus-chain": "(lambda x: " + " + ".join(["x"] * 20_000) + ")((a,))",
    "matmul-chain": "(lambda x: " + "@".join(["x"] * 3 * MAX_DEPTH) + ")((a, a))",
    "dim-chain": "(" + "+".join(["a"] * 3 * MAX_DEPTH) + ",)",
    "minus-chain": "-" * 20_000 + "(a,)",
    "huge-int": "(10**100,)",
    "huge-literal": "(99999999999999999999,)",
    "power-tower": "(2**2**2**100,)",
    "symbolic-power": "((a + b) ** 100000,)",
    "long-literal": "(" + "9" * 5000 + ",)",
    "unicode-name": "(ä, 𝑎)",
    "confusable": "(а,)",  # a Cyrillic a
    "rtl": "(a,\u202e b)",
    "nul": "sin((a,\x00))",
    "empty": "",
    "whitespace": " \n\t ",
    "comment": "# only a comment",
}


@pytest.mark.parametrize("name", NASTY_PROGRAMS)
def test_nasty_programs(name):
    assert_answers(NASTY_PROGRAMS[name])


def test_too_deep_is_a_clear_error():
    """Regression: 10,000 nested brackets were a RecursionError reported as
    code ``unsupported``; now the parser refuses trees deeper than MAX_DEPTH,
    pointing inside the text, and a program below the limit still works."""
    with pytest.raises(ShapeError) as e:
        shapeinfer.infer("sin(" * (MAX_DEPTH + 5) + "(a,)" + ")" * (MAX_DEPTH + 5))
    assert (e.value.code, e.value.exception) == ("too-deep", "SyntaxError")
    assert f"more than {MAX_DEPTH} levels" in e.value.message
    depth = MAX_DEPTH - 10
    assert str(shapeinfer.infer("sin(" * depth + "(a,)" + ")" * depth)) == "(a,)"
    assert str(shapeinfer.infer("(lambda x: " + "+".join(["x"] * depth) + ")((a,))")) == "(a,)"


@pytest.mark.parametrize("text", ["(10**5000,)", "(2**2**2**100,)", "(" + "9" * 1001 + ",)"])
def test_huge_integers_are_refused(text):
    """Regression: `(10**5000,)` escaped as Python's ValueError (an int too
    long to print) and `2**2**2**100` never finished."""
    with time_limit(), pytest.raises(ShapeError) as e:
        shapeinfer.infer(text)
    assert "1000 digits" in e.value.message


def test_large_powers_of_sizes_are_refused():
    """Regression: sympy expanded ``(a + b) ** 100000`` for minutes."""
    with time_limit(), pytest.raises(ShapeError, match="at most 64"):
        shapeinfer.infer("((a + b) ** 100000,)")
    assert str(shapeinfer.infer("(a ** 3,)")) == "(a**3,)"


def test_sizes_too_long_are_refused():
    with pytest.raises(ValueError, match="digits"):
        shapeinfer.infer("(a,)", sizes={"a": 10 ** 1001})


# ---------------------------------------------------------------- the rule DSL

@given(mutated(RULES))
def test_mutated_rules(text):
    assert_loads_or_refuses(text)


@given(st.text(max_size=60))
def test_random_rule_text(text):
    assert_loads_or_refuses("rule " + text)


@pytest.mark.parametrize("text", [
    "rule f: (n) -> (" + "(" * DEEP + "n" + ")" * DEEP + ",)",
    "rule f: (n) -> (" + "+".join(["n"] * 20_000) + ",)",
    "rule f: (n) -> (" + "-" * 20_000 + "n,)",
    "rule f: (n) -> (*" + "broadcast(" * 2000 + "n" + ")" * 2000 + ",)",
    "rule f (p: shape = " + "(" * DEEP + ")" * DEEP + "): (n) -> (n,)",
    "rule f: (n) -> (n * " + "9" * 5000 + ",)",
    "rule f: (n) -> (n,)\x00", "", "\ufeff", "# only a comment", "rule fä: (n) -> (n,)",
])
def test_nasty_rules(text):
    assert_loads_or_refuses(text)


def test_rule_nesting_and_long_integers_are_refused_with_a_place():
    """Regression: a 5,000-digit integer in a rule escaped as ValueError."""
    with pytest.raises(RuleError, match=r"<rules>:1:\d+: integer literal too long"):
        shapeinfer.load_rules("rule f: (n) -> (n * " + "9" * 5000 + ",)\n")
    with pytest.raises(RuleError, match=r"<rules>:1:\d+: the rule nests more than"):
        shapeinfer.load_rules("rule f: (n) -> (" + "-" * 20_000 + "n,)\n")


# ---------------------------------------------------------------- the linter

@given(mutated(MODULES))
@settings(max_examples=settings().max_examples // 2)  # a module takes longer
def test_mutated_modules(text):
    assert_lints(text)


_HEADER = "import jax.numpy as jnp\nfrom jaxtyping import Array, Float\n\n"


@given(mutated(["b n", "*batch n", "#b n-1", "n m=3 ...", "_ 2*n (a+b)//2", "?t ..."]))
def test_mutated_annotations(shape):
    assert_lints(_HEADER + f"def f(x: Float[Array, {shape!r}]) -> Float[Array, {shape!r}]:\n"
                 "    return jnp.sin(x)\n")


@pytest.mark.parametrize("body", [
    "-" * DEEP + "x",
    " + ".join(["x"] * DEEP),
    "x" + ".T" * 1500,
    "jnp.sin(" * 150 + "x" + ")" * 150,
    "x.reshape(" + "9" * 4000 + ", 10**4000)",
    "x\x00",
])
def test_nasty_function_bodies(body):
    assert_lints(_HEADER + "def f(x: Float[Array, 'n']) -> Float[Array, 'n']:\n"
                 f"    return {body}\n")


@pytest.mark.parametrize("shape", ["+".join(["n"] * 5000), "(" * 500 + "n" + ")" * 500,
                                   "9" * 5000, "10**5000", "(n+1)**100000", "n\x00", "ä"])
def test_nasty_annotations(shape):
    assert_lints(_HEADER + f"def f(x: Float[Array, {shape!r}]) -> Float[Array, 'n']:\n"
                 "    return x\n")


def test_too_deep_for_python_is_shp000():
    """Regression: Python's parser raised MemoryError (``-`` * 10,000) or
    RecursionError (a chain of 10,000 ``+``) out of the linter."""
    for body in ["-" * DEEP + "1", "+".join(["1"] * DEEP)]:
        findings = lint_source(f"x = {body}\n")
        assert [f.code for f in findings] == ["SHP000"]
        assert "too deeply nested" in findings[0].message


# ---------------------------------------------------------------- the command line

def test_cli_answers_nasty_input_without_a_traceback():
    """``eval --json -``: one JSON error per nasty line, in one process."""
    lines = ["(" * DEEP + "(a,)" + ")" * DEEP, "sin(" * 2 * MAX_DEPTH + ")" * 2 * MAX_DEPTH]
    lines += [NASTY_PROGRAMS[k] for k in ("power-tower", "long-literal", "rtl", "nul",
                                          "unicode-name")]
    proc = subprocess.run([sys.executable, "-m", "shapeinfer", "eval", "--json", "-"],
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (1, 2), proc.stderr
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0]["ok"] is True  # (((...(a,)...))) is only brackets around (a,)
    for answer in answers[1:]:
        assert answer["ok"] is False and answer["error"]["code"] in CODES
        assert answer["error"]["code"] != "internal", answer["error"]


@pytest.mark.parametrize("text, status", [
    ("sin(" * 2 * MAX_DEPTH + "(a,)" + ")" * 2 * MAX_DEPTH, 2),  # too deep: unparseable
    ("(10**5000,)", 1),
])
def test_cli_exit_status_and_message(text, status):
    proc = subprocess.run([sys.executable, "-m", "shapeinfer", "eval", text],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == status, proc.stderr[-300:]
    assert proc.stderr.strip().splitlines()[-1] in ("[too-deep]", "[unsupported]")
