"""The linter (docs/lint.md): fixtures with the findings they must produce
(``# expect: SHPnnn`` on the reported line) and clean twins that must
produce none, mutations of correct functions, and the CLI."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shapeinfer.cli import main
from shapeinfer.lint import lint_source

FIXTURES = Path(__file__).resolve().parent / "lint_fixtures"
_EXPECT = re.compile(r"#\s*expect:\s*(SHP[0-9]{3})")


def expected(path: Path) -> list[tuple[int, str]]:
    return sorted((i, m.group(1)) for i, line in enumerate(path.read_text().splitlines(), 1)
                  for m in _EXPECT.finditer(line))


def found(path: Path) -> list[tuple[int, str]]:
    return sorted((f.line, f.code) for f in lint_source(path.read_text(), str(path)))


FINDING_FIXTURES = sorted(p for p in FIXTURES.glob("*.py") if not p.stem.endswith("_clean"))


@pytest.mark.parametrize("path", FINDING_FIXTURES, ids=lambda p: p.name)
def test_fixture_findings(path):
    assert expected(path), f"{path.name} expects no finding: write `# expect:` comments"
    assert found(path) == expected(path)


@pytest.mark.parametrize("path", FINDING_FIXTURES, ids=lambda p: p.name)
def test_clean_twin(path):
    twin = path.with_name(path.stem + "_clean.py")
    assert twin.exists(), f"{path.name} needs a clean twin {twin.name}"
    assert found(twin) == []


def test_issue_examples_exactly():
    """The three examples of issue 8: two findings (with the conditions), one clean."""
    path = FIXTURES / "issue_examples.py"
    messages = [f.message for f in lint_source(path.read_text(), "x.py")]
    assert messages[0].startswith("returns (batch, d_out) where (d_out, batch) is annotated; "
                                  "they agree only if batch == d_out")
    assert "batch: parameter x, line 4" in messages[0]
    assert messages[1].startswith("returns (b, d) where (b, n) is annotated")
    assert len(messages) == 2


def test_a_body_error_no_single_equality_undoes_says_what_would_pass():
    """`(a, b, c) + (b, c, a)` passes when a == b == c, a matmul of `(2*n,)`
    with `(m,)` when m == 2*n: the message must not claim the error for all
    sizes (tests/test_lint_jax.py runs these conditions through JAX)."""
    path = FIXTURES / "findings.py"
    messages = {f.line: f.message for f in lint_source(path.read_text(), "x.py")
                if f.code == "SHP005"}
    rotated = next(m for m in messages.values() if "(a, b, c), (b, c, a)" in m)
    assert "(it would pass if a == b and b == c)" in rotated
    doubled = next(m for m in messages.values() if "(2*n,) and (m,)" in m)
    assert "(it would pass if 2*n == m)" in doubled


def test_a_call_checks_the_callees_dim_expressions():
    """`y: "n-1"` given `(k,)` with `n` bound to k: SHP004 (jaxtyping refuses
    the call), not a return derived from the annotation's (k-1,)."""
    path = FIXTURES / "findings.py"
    found = [f for f in lint_source(path.read_text(), "x.py") if "shifted" in f.message]
    assert [f.code for f in found] == ["SHP004"]
    assert "y axis 0 is k where n-1 (k - 1) is annotated" in found[0].message
    src = CORRECT_SHIFTED.replace('b: Float[Array, "k-1"]', 'b: Float[Array, "j"]')
    [finding] = lint_source(src)
    assert finding.message.endswith("they agree only if j == k - 1 [j: parameter b, line 8; "
                                    "k: parameter a, line 8]")
    assert lint_source(CORRECT_SHIFTED) == []


CORRECT_SHIFTED = '''\
from jaxtyping import Array, Float


def shifted(x: Float[Array, "n"], y: Float[Array, "n-1"]) -> Float[Array, "n-1"]:
    return x[1:] + y


def calls(a: Float[Array, "k"], b: Float[Array, "k-1"]) -> Float[Array, "k-1"]:
    return shifted(a, b)
'''


def test_a_shape_comment_on_a_line_of_several_statements_is_not_read():
    """`u = x; t = x.T  # shape: (m, n)` may mean `t` (right) as well as `u`:
    it was read as `u`'s, a finding on code that may be right."""
    src = ("from jaxtyping import Array, Float\n"
           "def f(x: Float[Array, 'n m']) -> Float[Array, 'm n']:\n"
           "    u = x; t = x.T  # shape: (m, n)\n"
           "    v = x  # shape: (m, n)\n"
           "    return t\n")
    assert [(f.line, f.code) for f in lint_source(src)] == [(4, "SHP003")]


SHAPE_TESTS = '''\
from jaxtyping import Array, Float


def shapes_differ(x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, "n"]:
    if x.shape != y.shape:
        raise ValueError("shapes differ")
    return y


def shapes_asserted(x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, "n"]:
    assert x.shape == y.shape
    return x + y


def shapes_swapped(x: Float[Array, "n m"]) -> Float[Array, "m n"]:
    if x.shape == (x.shape[1], x.shape[0]):
        return x
    return x.T
'''


def test_shape_tuples_compare_as_python_does():
    """`x.shape != y.shape` compares two tuples: it was taken as an array
    comparison (a false SHP005, "ne got incompatible shapes"). What follows a
    `raise` under it, or a failing `assert x.shape == y.shape`, runs only where
    the sizes agree: JAX's symbolic answer ("they differ") leaves it unchecked
    rather than reported (it was a false SHP002 / SHP005)."""
    assert lint_source(SHAPE_TESTS) == []
    # the live branch is still checked
    wrong = SHAPE_TESTS.replace("    return x.T\n", "    return x\n")
    assert [(f.line, f.code) for f in lint_source(wrong)] == [(18, "SHP002")]


GUARDED = '''\
import jax.numpy as jnp
from jaxtyping import Array, Float


def at_least_two(x: Float[Array, "n"]) -> Float[Array, "2"]:
    if x.shape[0] >= 2:
        return x[:2]
    return jnp.zeros(2)


def same_size(x: Float[Array, "n"], y: Float[Array, "m"], flag: bool) -> Float[Array, "n"]:
    if flag and len(x) == len(y):
        return y
    return x


def unless_different(x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, "n"]:
    if not x.shape[0] != y.shape[0]:
        return y
    return x


def early_return(x: Float[Array, "n"], y: Float[Array, "m"]) -> Float[Array, "n"]:
    if x.shape[0] < y.shape[0]:
        return x
    if x.shape[0] > y.shape[0]:
        return x
    return x + y
'''


def test_a_branch_is_checked_under_its_test():
    """Each finding here once had a condition its own branch's test states
    ("returns (min(n, 2),) ...; they agree only if min(n, 2) == 2" under
    `if x.shape[0] >= 2`): the branch runs only there, so there is none."""
    assert lint_source(GUARDED) == []
    wrong = GUARDED.replace("        return y\n", "        return y[1:]\n")
    assert [(f.line, f.code) for f in lint_source(wrong)] == [(13, "SHP002"), (19, "SHP002")]
    wrong = GUARDED.replace("return x[:2]", "return x[:3]")
    assert [(f.line, f.code) for f in lint_source(wrong)] == [(7, "SHP002")]


def test_a_branch_binds_its_own_size_names():
    """`y: Float[Array, "k"]` in each branch of an if: one binds k to n, the
    other to 2*n; only one runs, so neither contradicts the other (the else
    branch was reported against the then branch's k)."""
    src = ('''\
import jax.numpy as jnp
from jaxtyping import Array, Float


def two(x: Float[Array, "n"], flag: bool) -> Float[Array, "n"]:
    if flag:
        y: Float[Array, "k"] = x
    else:
        y: Float[Array, "k"] = jnp.concatenate([x, x])
    z: Float[Array, "k"] = x
    return x
''')
    assert lint_source(src) == []
    both = src.replace("jnp.concatenate([x, x])", "x[::-1]")
    [finding] = lint_source(both.replace("z: Float[Array, \"k\"] = x", "z: Float[Array, \"k\"] = x[1:]"))
    assert finding.line == 10 and finding.message.startswith("z is (n - 1,) where (k,) is annotated")
    assert "k: bound at line 9 as n" in finding.message


# ---------------------------------------------------------------- mutations

CORRECT = '''\
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

def f(x: Float[Array, "b n d"], w: Float[Array, "d k"], v: Float[Array, "k"]) -> Float[Array, "b n k"]:
    h = jnp.tanh(x @ w) + v
    return h
'''


def test_correct_function_is_fully_checked():
    from collections import Counter
    stats = Counter()
    assert lint_source(CORRECT, stats=stats) == []
    assert stats["fully checked"] == stats["annotated functions"] == 1


def test_bitwise_and_logical_operators_are_fully_checked():
    """&, |, ^, ~, <<, >> and comparisons on arrays infer, and a parameter
    annotated ``float`` is a scalar: every function of the fixture and of its
    clean twin is fully checked."""
    from collections import Counter
    for name in ("bitwise.py", "bitwise_clean.py"):
        stats = Counter()
        lint_source((FIXTURES / name).read_text(), name, stats=stats)
        assert stats["fully checked"] == stats["annotated functions"] == 6, name


def _mutants():
    """Each return dim of the correct function replaced by a wrong integer or
    another parameter's name; each parameter dim shared by two parameters by a
    wrong integer. (A parameter's dim used nowhere else is no contradiction
    when changed: the return annotation alone would bind it, as in jaxtyping.)"""
    header = CORRECT.splitlines()[4]
    matches = list(re.finditer(r'"([^"]*)"', header))
    in_params = " ".join(m.group(1) for m in matches[:-1]).split()
    for m in matches:
        words = m.group(1).split()
        for i in range(len(words)):
            if m is not matches[-1] and in_params.count(words[i]) < 2:
                continue  # renaming a name used once leaves it bound by the return alone
            swaps = ("7", "d") if m is matches[-1] and words[i] != "d" else ("7",)
            for new in swaps:
                mutated = " ".join(words[:i] + [new] + words[i + 1:])
                line = header[:m.start(1)] + mutated + header[m.end(1):]
                yield pytest.param(CORRECT.replace(header, line), id=f"{m.group(1)}->{mutated}")


@pytest.mark.parametrize("source", list(_mutants()))
def test_mutation_is_found(source):
    codes = {f.code for f in lint_source(source)}
    assert codes & {"SHP002", "SHP005"}, source


STATE = '''\
import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float, Int


class _State(eqx.Module):
    y: Float[Array, "n d"]
    v: Float[Array, "d"]
    steps: Int[Array, ""]
    tol: float


class RESULTS:
    successful = 0


def step(state: _State, w: Float[Array, "k"]) -> tuple[Float[Array, "k"], "RESULTS"]:
    return w * jnp.sum(state.y @ state.v) + state.steps * state.tol, RESULTS.successful
'''


def test_parameter_fields_and_tuple_items_are_fully_checked():
    """``state.y`` of a parameter annotated with a module class, and a tuple
    return whose other item is not an array: fully checked, no finding."""
    from collections import Counter
    stats = Counter()
    assert lint_source(STATE, stats=stats) == []
    assert stats["fully checked"] == stats["annotated functions"] == 1


@pytest.mark.parametrize("old, new", [
    ('"n d"]', '"n 7"]'),            # a field's axis: the matmul fails
    ('"d"]\n', '"n"]\n'),
    ('"d"]\n', '"1 d"]\n'),
    ('steps: Int[Array, ""]', 'steps: Int[Array, "3"]'),   # (k,) + (3,)
    ('"k"], "RESULTS"', '"7"], "RESULTS"'),   # the returned item's axis
    ('"k"], "RESULTS"', '"k 1"], "RESULTS"'),
    ('"k"], "RESULTS"', '""], "RESULTS"'),
])
def test_parameter_field_mutation_is_found(old, new):
    codes = {f.code for f in lint_source(STATE.replace(old, new, 1))}
    assert codes & {"SHP002", "SHP005"}, (old, new)


def _return_mutants(*names):
    """Each return-annotation dim of each function of these clean fixtures
    replaced by 7 (a scalar return gets an axis of 7): the functions are fully
    checked, so each mutation must be found."""
    for name in names:
        text = (FIXTURES / name).read_text()
        for m in re.finditer(r'-> (?:tuple\[)?Float\[Array, "([^"]*)"\]', text):
            if text[:m.start()].rsplit("def ", 1)[1].startswith("add("):
                continue   # not fully checked: `carry` is rebound to an unknown
            words = m.group(1).split() or [""]
            for i in range(len(words)):
                mutated = " ".join(words[:i] + ["7"] + words[i + 1:])
                source = text[:m.start(1)] + mutated + text[m.end(1):]
                line = text.count("\n", 0, m.start()) + 1
                yield pytest.param(source, id=f"{name}:{line}:{m.group(1)!r}->{mutated!r}")


@pytest.mark.parametrize("source", list(_return_mutants("scalars_clean.py",
                                                         "parameter_fields_clean.py")))
def test_return_mutation_of_new_idioms_is_found(source):
    from collections import Counter
    stats = Counter()
    assert {f.code for f in lint_source(source, stats=stats)} & {"SHP002", "SHP005"}


def test_new_idioms_are_fully_checked():
    """math.sqrt / math.pi / jnp.finfo(x.dtype).eps, fields of class-annotated
    parameters, float fields: every function of the clean twins is fully
    checked except ``add`` (it rebinds ``carry`` to an unknown constructor)."""
    from collections import Counter
    for name, lost in (("scalars_clean.py", 0), ("parameter_fields_clean.py", 1)):
        stats = Counter()
        assert lint_source((FIXTURES / name).read_text(), name, stats=stats) == []
        assert stats["annotated functions"] - stats["fully checked"] == lost, name


def test_a_return_not_annotated_as_an_array_is_not_tracked_but_checked():
    from collections import Counter
    source = STATE + '''

def make(x: Float[Array, "n"], w: Float[Array, "k"]) -> _State:
    return _State(x, w)


def broken(x: Float[Array, "n"], w: Float[Array, "k"]) -> _State:
    return (x + w, 1)
'''
    stats = Counter()
    found = lint_source(source, stats=stats)
    assert [(f.line, f.code) for f in found] == [(26, "SHP005")]   # x + w
    assert stats["fully checked"] == stats["annotated functions"] == 3


def test_a_rebound_parameter_forgets_its_fields():
    source = STATE.replace("    return w *", "    state = make()\n    return w *")
    assert source != STATE
    from collections import Counter
    stats = Counter()
    assert lint_source(source, stats=stats) == []
    assert stats["fully checked"] == 0
    # the field's annotation no longer describes `state`: no finding from it
    mutated = source.replace('steps: Int[Array, ""]', 'steps: Int[Array, "3"]')
    assert lint_source(mutated) == []
    assert lint_source(STATE.replace('steps: Int[Array, ""]', 'steps: Int[Array, "3"]'))

# ---------------------------------------------------------------- variadic dims

CORRECT_VARIADIC = '''\
import jax.numpy as jnp
from jaxtyping import Array, Float

def f(x: Float[Array, "*batch n d"], w: Float[Array, "d k"]) -> Float[Array, "*batch n k"]:
    return jnp.tanh(x @ w)
'''


def test_variadic_function_is_checked_at_ranks_not_proved(capsys, tmp_path):
    """A `*name` is tried at ranks 0-3: no loss there is no proof for every
    rank, so the statistics count it apart from the fully checked ones."""
    from collections import Counter
    stats = Counter()
    assert lint_source(CORRECT_VARIADIC, stats=stats) == []
    assert (stats["checked at ranks 0-3"], stats["fully checked"]) == (1, 0)
    (tmp_path / "m.py").write_text(CORRECT_VARIADIC)
    _, out = run(["lint", "--statistics", str(tmp_path / "m.py")], capsys)
    assert out.splitlines()[-2:] == [
        "checked at ranks 0-3: 1",
        "files: 1  annotated functions: 1  fully checked: 0  findings: 0"]


def test_broadcast_cases_are_exhaustive():
    """`#n` is n or 1, separately per item: every combination is checked,
    so a function without loss is fully checked; a finding names its case."""
    from collections import Counter
    src = ("from jaxtyping import Array, Float\n"
           'def f(x: Float[Array, "n #d"], y: Float[Array, "#n d"]) -> Float[Array, "n d"]:\n'
           "    return x + y\n"
           'def g(x: Float[Array, "n #d"], y: Float[Array, "#n d"]) -> Float[Array, "n d"]:\n'
           "    return x\n")
    stats = Counter()
    found = lint_source(src, stats=stats)
    assert stats["fully checked"] == 2 and stats["checked at ranks 0-3"] == 0
    assert [(f.line, f.code) for f in found] == [(5, "SHP002")]
    assert "(when #d of x is 1)" in found[0].message


def _variadic_mutants():
    """Each return item of the correct variadic function replaced by a wrong
    integer or another name, or moved; the shared `d` of a parameter by a
    wrong integer."""
    header = CORRECT_VARIADIC.splitlines()[3]
    ret = '"*batch n k"'
    for new in ("*batch n 7", "*batch 7 k", "*batch k n", "*batch n d", "n *batch k",
                "*batch k", "n k", "*batch *batch n k".replace("*batch *batch", "*batch 1")):
        yield pytest.param(CORRECT_VARIADIC.replace(ret, f'"{new}"'), id=f"return->{new}")
    for old, new in (('"d k"', '"7 k"'), ('"*batch n d"', '"*batch n 7"')):
        yield pytest.param(CORRECT_VARIADIC.replace(header, header.replace(old, new, 1)),
                           id=f"{old}->{new}")


@pytest.mark.parametrize("source", list(_variadic_mutants()))
def test_variadic_mutation_is_found(source):
    found = lint_source(source)
    assert {f.code for f in found} & {"SHP002", "SHP005"}, source
    assert all("(when " in f.message for f in found), [f.message for f in found]


def test_variadic_calls_bind_axes():
    """A call of a function annotated with `*b` binds the arguments' axes:
    two arguments that disagree contradict it, and the return has them."""
    src = ("from jaxtyping import Array, Float\n"
           'def add(x: Float[Array, "*b n"], y: Float[Array, "*b n"]) -> Float[Array, "*b n"]:\n'
           "    return x + y\n"
           'def f(x: Float[Array, "p q"], y: Float[Array, "q q"]):\n'
           "    return add(x, y)\n"
           'def g(x: Float[Array, "p q"]) -> Float[Array, "q p"]:\n'
           "    return add(x, x)\n")
    found = lint_source(src)
    assert [(f.line, f.code) for f in found] == [(5, "SHP004"), (7, "SHP002")]
    assert found[1].message.startswith("returns (p, q) where (q, p) is annotated")
    assert "'*b' is (p,) from x axis 0 but (q,) from y axis 0" in found[0].message


# ---------------------------------------------------------------- annotations

@pytest.mark.parametrize("annotation, code", [
    ('Float[Array, "*a ...]"]', "SHP001"),
    ('Float[Array]', "SHP001"),
    ('Float[Array, 3]', "SHP001"),
    ('Float[Array, "n %"]', "SHP001"),
    ('Float[Array, "n - 1"]', "SHP001"),  # spaces split axes: `-` is no size
    ('Float[Array, "-1 n"]', "SHP001"),  # jaxtyping's fixed size -1: no array matches
    ('Float[Array, "rows=-2"]', "SHP001"),
])
def test_malformed_annotations(annotation, code):
    src = f"from jaxtyping import Float, Array\ndef f(x: {annotation}):\n    return x\n"
    assert [f.code for f in lint_source(src)] == [code]


@pytest.mark.parametrize("annotation", [
    '"n m"', '" n"', '"n _"', '"n _m"', '"rows=4 m"', '"... n"', '"*b n"', '"#n m"',
    '"?n m"', '"n-1 m"', '""', '"{k} n"',
])
def test_well_formed_annotations(annotation):
    src = f"from jaxtyping import Float, Array\ndef f(x: Float[Array, {annotation}]):\n    return x\n"
    assert lint_source(src) == []


def test_dim_expressions_and_fixed_sizes():
    src = ('import jax.numpy as jnp\nfrom jaxtyping import Float, Array\n'
           'def f(x: Float[Array, "n"]) -> Float[Array, "n-1"]:\n    return x[1:]\n'
           'def g(x: Float[Array, "n"]) -> Float[Array, "n-2"]:\n    return x[1:]\n')
    assert [(f.line, f.code) for f in lint_source(src)] == [(6, "SHP002")]


# ---------------------------------------------------------------- the CLI

def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def test_cli_text_and_exit_codes(capsys):
    code, out = run(["lint", str(FIXTURES / "issue_examples.py")], capsys)
    assert code == 1 and out.count("SHP002") == 2
    assert re.match(r".*issue_examples\.py:5:12: SHP002 ", out)
    code, out = run(["lint", str(FIXTURES / "issue_examples_clean.py")], capsys)
    assert (code, out) == (0, "")
    code, _ = run(["lint", "--exit-zero", str(FIXTURES / "issue_examples.py")], capsys)
    assert code == 0
    code, out = run(["lint", str(FIXTURES / "no_such_file.py")], capsys)
    assert code == 2 and "no such file" in out


def test_cli_json_and_github(capsys):
    code, out = run(["lint", "--format", "json", str(FIXTURES / "issue_examples.py")], capsys)
    rows = json.loads(out)
    assert [(r["line"], r["column"], r["code"]) for r in rows] == [(5, 12, "SHP002"),
                                                                    (8, 12, "SHP002")]
    code, out = run(["lint", "--format", "github", str(FIXTURES / "issue_examples.py")], capsys)
    assert out.startswith("::error file=") and "line=5,col=12,title=SHP002" in out


def test_cli_select_ignore(capsys):
    path = str(FIXTURES / "findings.py")
    _, out = run(["lint", "--select", "SHP004,SHP001", path], capsys)
    assert {m for m in re.findall(r"SHP[0-9]{3}", out)} == {"SHP004", "SHP001"}
    _, out = run(["lint", "--ignore", "SHP00", path], capsys)
    assert out == ""


def test_noqa(capsys):
    src = ("from jaxtyping import Float, Array\n"
           'def f(x: Float[Array, "n m"]) -> Float[Array, "m n"]:\n    return x{}\n')
    assert len(lint_source(src.format(""))) == 1
    assert lint_source(src.format("  # noqa")) == []
    assert lint_source(src.format("  # noqa: SHP002")) == []
    assert len(lint_source(src.format("  # noqa: SHP005"))) == 1


def test_shape_comments():
    src = ("import jax.numpy as jnp\nfrom jaxtyping import Float, Array\n"
           'def f(x: Float[Array, "n m"]):\n'
           "    y = x.T  # shape: (m, n)\n    z = x.T  # shape: (n, m)\n"
           "    w = x.sum(0)  # shape: (m\n    return y\n")
    assert [(f.line, f.code) for f in lint_source(src)] == [(5, "SHP003"), (6, "SHP001")]


def test_syntax_error_is_a_finding(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n    pass\n")
    code, out = run(["lint", str(tmp_path)], capsys)
    assert code == 1 and f"{bad}:1:" in out and "SHP000 syntax error" in out


def test_statistics_last_line(capsys):
    code, out = run(["lint", "--statistics", str(FIXTURES)], capsys)
    files = sorted(FIXTURES.glob("*.py"))
    findings = sum(len(expected(p)) for p in files)
    assert re.fullmatch(rf"files: {len(files)}  annotated functions: \d+  fully checked: \d+  "
                        rf"findings: {findings}", out.rstrip("\n").splitlines()[-1])


def test_lint_never_imports_jax():
    code = ("import sys, shapeinfer.lint, shapeinfer.lint.cli\n"
            "from shapeinfer.cli import main\n"
            f"main(['lint', '--exit-zero', {str(FIXTURES)!r}])\n"
            "assert 'jax' not in sys.modules and 'jaxtyping' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_cli_sarif(capsys):
    code, out = run(["lint", "--format", "sarif", str(FIXTURES / "issue_examples.py")], capsys)
    log = json.loads(out)
    assert log["version"] == "2.1.0" and code == 1
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SHP002", "SHP002"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (5, 12)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_pyproject_settings(tmp_path, monkeypatch, capsys):
    (tmp_path / "m.py").write_text((FIXTURES / "findings.py").read_text())
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.shapeinfer]\nselect = ["SHP004"]\n')
    code, out = run(["lint", "m.py"], capsys)
    assert code == 1 and set(re.findall(r"SHP[0-9]{3}", out)) == {"SHP004"}
    code, out = run(["lint", "--select", "SHP001", "m.py"], capsys)  # the command line wins
    assert set(re.findall(r"SHP[0-9]{3}", out)) == {"SHP001"}
    (tmp_path / "pyproject.toml").write_text('[tool.shapeinfer]\nexit-zero = true\n')
    assert run(["lint", "m.py"], capsys)[0] == 0
    (tmp_path / "pyproject.toml").write_text('[tool.shapeinfer]\nselct = ["SHP004"]\n')
    code, out = run(["lint", "m.py"], capsys)
    assert code == 2 and "unknown settings: selct" in out
    (tmp_path / "pyproject.toml").write_text('[tool.shapeinfer]\njobs = -2\n')
    code, out = run(["lint", "m.py"], capsys)
    assert code == 2 and "jobs must be 0 (one per core) or more" in out


@pytest.mark.parametrize("jobs", ["-3", "two", "1.5"])
def test_a_bad_jobs_count_is_a_usage_error(jobs, capsys):
    # as flake8's -j: not quietly one process
    code, out = run(["lint", "-j", jobs, str(FIXTURES)], capsys)
    assert code == 2
    assert f"expected a number of processes (0: one per core), got {jobs!r}" in out


def test_parallel_output_is_deterministic(capsys):
    _, serial = run(["lint", str(FIXTURES)], capsys)
    _, parallel = run(["lint", "-j", "2", str(FIXTURES)], capsys)
    assert serial == parallel and serial


def test_default_jobs_use_every_core_only_when_the_files_pay_for_it(monkeypatch):
    from shapeinfer.lint import cli as lint_cli

    monkeypatch.setattr(lint_cli, "_cores", lambda: 4)
    per = lint_cli.FILES_PER_WORKER
    assert lint_cli.worker_count(None, 10) == 1            # a small run: one process
    assert lint_cli.worker_count(None, 2 * per) == 2
    assert lint_cli.worker_count(None, 100 * per) == 4     # all cores, no more
    assert lint_cli.worker_count(3, 10) == 3               # -j N: as asked
    assert lint_cli.worker_count(0, 10) == 4               # -j 0: one per core
    assert lint_cli.worker_count(8, 2) == 2                # never more than the files


def test_default_jobs_in_workers_keep_the_output_order(monkeypatch, capsys):
    from shapeinfer.lint import cli as lint_cli

    _, serial = run(["lint", "-j", "1", str(FIXTURES)], capsys)
    monkeypatch.setattr(lint_cli, "_cores", lambda: 2)
    monkeypatch.setattr(lint_cli, "FILES_PER_WORKER", 1)   # workers even for a few files
    spawned = []
    real_pool = lint_cli.ProcessPoolExecutor
    monkeypatch.setattr(lint_cli, "ProcessPoolExecutor",
                        lambda n, **kw: spawned.append(n) or real_pool(n, **kw))
    _, parallel = run(["lint", str(FIXTURES)], capsys)
    assert spawned == [2] and parallel == serial and serial


def test_rules_option(tmp_path, capsys):
    bad = tmp_path / "bad.rules"
    bad.write_text("this is not a rule\n")
    code, _ = run(["lint", "--rules", str(bad), str(FIXTURES / "issue_examples.py")], capsys)
    assert code == 2


def test_pre_commit_hook_runs_lint():
    text = (FIXTURES.parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "entry: shapeinfer lint" in text and "types: [python]" in text


def test_calls_into_other_modules_of_the_package(tmp_path, capsys):
    """`from .a import project` / `from pkg.a import project`: the callee's
    annotation acts as a rule; its messages name the file it is in."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "from jaxtyping import Array, Float\n\n\n"
        "def project(x: Float[Array, 'n d'], w: Float[Array, 'd k']) -> Float[Array, 'n k']:\n"
        "    return x @ w\n")
    caller = ("import jax.numpy as jnp\nfrom jaxtyping import Array, Float\n{imp}\n\n\n"
              "def f(x: Float[Array, 'n d'], w: Float[Array, 'd k']) -> Float[Array, 'k n']:\n"
              "    return project(x, w)\n\n\n"
              "def g(x: Float[Array, 'n d'], w: Float[Array, 'd k']) -> Float[Array, 'n k']:\n"
              "    return project(x.T, w)\n")
    (pkg / "b.py").write_text(caller.format(imp="from .a import project"))
    (pkg / "sub" / "c.py").write_text(caller.format(imp="from pkg.a import project"))
    (pkg / "sub" / "d.py").write_text(caller.format(imp="from ..a import project as pr")
                                      .replace("project(", "pr("))
    code, out = run(["lint", str(pkg)], capsys)
    assert code == 1
    lines = out.splitlines()   # sorted by file, then line
    for name in ("b.py", "sub/c.py", "sub/d.py"):
        mine = [line for line in lines if line.startswith(str(pkg / name))]
        assert [line.split(": ")[1].split()[0] for line in mine] == ["SHP002", "SHP004"], mine
        assert "returns (n, k) where (k, n) is annotated" in mine[0]
        assert "call of project (a.py, line 4)" in mine[1]


@pytest.mark.parametrize("dims", ['"_"', '"..."'])
def test_an_anonymous_axis_is_named_in_the_conditions(dims):
    # `p - m` fails only where p's own size is neither N nor 1 (or N is 1):
    # the message must say so, not just "it would pass if N == 1"
    src = ("import jax.numpy as jnp\nfrom jaxtyping import Array, Float\n\n"
           f'def f(m: Float[Array, "N"], p: Float[Array, {dims}]):\n'
           "    return p - m\n")
    [finding] = lint_source(src)
    assert finding.code == "SHP005"
    assert ("it would pass if p.shape[0] == N or if p.shape[0] == 1 or if N == 1"
            in finding.message)
    assert "[p.shape[0]: parameter p, line 4; N: parameter m, line 4]" in finding.message
    # JAX agrees: it passes where the sizes are equal, fails where they are not
    import jax
    import jax.numpy as jnp
    f32 = jax.ShapeDtypeStruct
    assert jax.eval_shape(jnp.subtract, f32((3,), "float32"), f32((3,), "float32")).shape == (3,)
    with pytest.raises(TypeError):
        jax.eval_shape(jnp.subtract, f32((2,), "float32"), f32((3,), "float32"))
