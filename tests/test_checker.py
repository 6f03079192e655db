"""The checker itself (shapeinfer/oracle.py, `shapeinfer check`): it says
"agree" only when JAX ran and agreed, samples the sizes that matter, compares
dims correctly, and turns bad options into usage errors (docs/checker.md).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import sympy

import shapeinfer
from shapeinfer import dims, oracle
from shapeinfer.cli import main
from shapeinfer.syntax import parse

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, err
    return code, out, err


def assert_all_unchecked(report, reason: str):
    assert report.cases and report.checked == 0
    for case in report.cases:
        assert not case.checked and case.oracle is None
        assert not case.agreed and not case.disagreed
        assert reason in case.unchecked, case.unchecked
    assert not report.agreed and not report.disagreements and report.unsupported
    assert all(c["agreed"] is None for c in report.to_json()["cases"])


# ================================================================ 1. only JAX's answer is JAX's

def _raise(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


# The engine says TypeError at distinct sizes: a checker failure of the same
# class must not pass for JAX's verdict.
ENGINE_TYPE_ERROR = "add((a,), (b,))"


@pytest.mark.parametrize("target", ["arrayify", "eval_TupleExpr", "eval_Call"])
def test_a_failing_translation_step_is_unchecked_never_agreeing(monkeypatch, target):
    monkeypatch.setattr(oracle._Interpreter, target, _raise(TypeError("checker bug")))
    report = oracle.check(ENGINE_TYPE_ERROR, samples=3)
    assert any(not c.engine.ok and c.engine.exception == "TypeError" for c in report.cases)
    assert_all_unchecked(report, "TypeError: checker bug")


def test_a_checker_failure_inside_a_function_jax_traces_is_unchecked(monkeypatch):
    """vmap calls the lambda: what the lambda's translation raises passes
    through JAX, and still is the checker's, not JAX's."""
    monkeypatch.setattr(oracle._Closure, "_call", _raise(TypeError("checker bug")))
    report = oracle.check("vmap(lambda x: add(x, (b,)))((n, a))", samples=3)
    assert any(c.engine.exception == "TypeError" for c in report.cases)  # same class as engine
    assert_all_unchecked(report, "TypeError: checker bug")


def test_a_failing_rule_callable_lookup_is_unchecked(monkeypatch):
    monkeypatch.setattr(oracle, "rule_callable", _raise(RuntimeError("lookup failed")))
    assert_all_unchecked(oracle.check(ENGINE_TYPE_ERROR, samples=2), "lookup failed")


def test_a_failure_reading_jax_leaves_is_unchecked(monkeypatch):
    monkeypatch.setattr(oracle, "_from_jax_dim", _raise(KeyError("n")))
    assert_all_unchecked(oracle.check("(n, 2)", samples=2), "KeyError")


def test_a_missing_size_in_the_translation_is_unchecked():
    """The sampler's sizes lack a symbol: the checker's KeyError, not JAX's."""
    program = parse("(a, b)")
    with pytest.raises(oracle._Unsupported, match="KeyError"):
        oracle._jax_outcome("(a, b)", {"a": 2}, program, None)


def test_a_jax_name_no_rule_models_is_unchecked_not_a_name_error():
    with pytest.raises(oracle._Unsupported, match="jnp.cross is in JAX"):
        oracle._jax_outcome("vmap(lambda x: jnp.cross(x, x))((n, 3))", {"n": 2}, None, None)


@pytest.mark.parametrize("expr, exception", [
    ("foo((a,))", "NameError"),              # Python's own error for the program
    ("numpy.sum((a,))", "NameError"),
    ("(lambda x: x)((a,), (b,))", "TypeError"),
    ("jnp.nosuchfunction((a,))", "AttributeError"),  # raised by JAX's module
    ("vmap(exp, 0, 2)((n, a))", "ValueError"),       # raised inside jax.vmap
])
def test_what_the_program_raises_is_checked(expr, exception):
    report = oracle.check(expr, samples=2)
    assert report.checked == len(report.cases) and report.agreed
    assert all(c.oracle.exception == exception for c in report.cases)


def test_a_checker_failure_at_some_sizes_leaves_the_others_checked(monkeypatch):
    real = oracle._Interpreter.eval_Name

    def fails_at_one(self, node, env):
        if self.sizes.get(node.id) == 1:
            raise RuntimeError("size 1 is broken")
        return real(self, node, env)

    monkeypatch.setattr(oracle._Interpreter, "eval_Name", fails_at_one)
    report = oracle.check("(n, 2)", samples=3)
    assert [c.checked for c in report.cases] == [False, True, True]
    assert not report.agreed and not report.disagreements


def test_an_engine_error_named_exception_does_not_match_every_jax_error():
    jax_error = oracle.Outcome(exception="TypeError", exception_mro=(
        "TypeError", "Exception", "BaseException", "object"))
    assert oracle.agree(oracle.Outcome(exception="TypeError"), jax_error)
    assert not oracle.agree(oracle.Outcome(exception="Exception"), jax_error)
    assert not oracle.agree(oracle.Outcome(exception="ValueError"), jax_error)


# ================================================================ 2. exit status

def test_check_exits_5_when_every_case_is_unchecked(capsys, monkeypatch):
    monkeypatch.setattr(oracle._Interpreter, "arrayify", _raise(TypeError("checker bug")))
    code, out, _ = run_cli(capsys, "check", "--samples", "2", ENGINE_TYPE_ERROR)
    assert code == 5
    assert out.splitlines()[-1] == "0 of 2 cases agree with jax.eval_shape; 2 unchecked"
    assert all(line.startswith("unchecked") for line in out.splitlines()[:-1])


def test_check_exits_5_for_what_the_engine_does_not_model(capsys):
    code, out, _ = run_cli(capsys, "check", "--samples", "2", "(lambda x: x.sort())((a, b))")
    assert code == 5 and "2 unchecked" in out


def test_check_exits_0_when_the_checked_cases_agree_and_others_are_unchecked(capsys, monkeypatch):
    real = oracle._Interpreter.eval_Name

    def fails_at_one(self, node, env):
        if self.sizes.get(node.id) == 1:
            raise RuntimeError("size 1 is broken")
        return real(self, node, env)

    monkeypatch.setattr(oracle._Interpreter, "eval_Name", fails_at_one)
    code, out, _ = run_cli(capsys, "check", "--samples", "3", "(n, 2)")
    assert code == 0
    assert out.splitlines()[-1] == "2 of 3 cases agree with jax.eval_shape; 1 unchecked"


def test_check_exits_1_on_a_disagreement(capsys, monkeypatch):
    monkeypatch.setattr(oracle, "engine_outcome",
                        lambda *a, **k: oracle.Outcome(leaves=((5,),), dtypes=("f32",)))
    code, out, _ = run_cli(capsys, "check", "--sizes", "n=2", "(n,)")
    assert code == 1 and "DISAGREE" in out


def test_help_documents_the_exit_status_and_the_extra(capsys):
    code, out, _ = run_cli(capsys, "check", "--help")
    assert code == 0
    assert "5 nothing was checked" in out
    assert 'pip install "shapeinfer[jax]"' in out


# ================================================================ 3. sampling

def _sizes(expr: str, samples: int, seed: int = 0, fixed=None) -> list[dict]:
    return [c.sizes for c in shapeinfer.check(expr, samples=samples, seed=seed, sizes=fixed).cases]


def test_three_samples_are_one_small_and_above_every_literal():
    assert _sizes("(lambda x: x[:7])((n,))", 3) == [{"n": 1}, {"n": 2}, {"n": 8}]


def test_sizes_go_above_negative_and_nested_literals():
    sizes = _sizes("vmap(lambda x: x[-12:])((n, m))", 3)
    assert sizes[2] == {"n": 13, "m": 14}


def test_distinct_symbols_get_distinct_sizes_and_then_equal_ones():
    sizes = _sizes("outer((a,), (b,))", 4)
    assert sizes[:3] == [{"a": 1, "b": 1}, {"a": 2, "b": 3}, {"a": 4, "b": 4}]
    three = oracle.candidate_sizes(["a", "b", "c"])
    assert {"a": 2, "b": 2, "c": 4} in three and {"a": 2, "b": 3, "c": 2} in three


@pytest.mark.parametrize("n", [1, 5, 6, 12, 30])
def test_samples_n_gives_n_distinct_cases(n):
    sizes = oracle.sample_sizes(["n"], n, seed=0)
    assert len(sizes) == n and len({s["n"] for s in sizes}) == n
    many = oracle.sample_sizes(["a", "b"], n, seed=3)
    assert len(many) == n and len({tuple(s.values()) for s in many}) == n


def test_the_cli_runs_n_cases(capsys):
    code, out, _ = run_cli(capsys, "check", "--samples", "9", "(n,)")
    assert code == 0 and out.splitlines()[-1] == "9 of 9 cases agree with jax.eval_shape"


def test_sampling_is_deterministic_and_seeded():
    a = oracle.sample_sizes(["a", "b", "c"], 20, seed=0)
    assert a == oracle.sample_sizes(["a", "b", "c"], 20, seed=0)
    assert a != oracle.sample_sizes(["a", "b", "c"], 20, seed=1)
    assert a[:5] == oracle.sample_sizes(["a", "b", "c"], 20, seed=1)[:5]  # the fixed candidates


def test_fixed_sizes_are_kept_and_a_fully_fixed_program_has_one_case():
    assert all(s["a"] == 7 for s in _sizes("(a, b)", 4, fixed={"a": 7}))
    assert _sizes("(a, b)", 4, fixed={"a": 7, "b": 2}) == [{"a": 7, "b": 2}]
    assert _sizes("(2, 3)", 5) == [{}]


def test_int_literals():
    assert sorted(oracle.int_literals(parse("X = (n, 3); vmap(lambda x: x[:7], 1)(X)"))) == [1, 3, 7]


# ================================================================ 4. dim comparison

b, n = dims.symbol("b"), dims.symbol("n")


@pytest.mark.parametrize("left, right, same", [
    (sympy.Min(b, 7), b, False),          # differ only past 7
    (sympy.Max(b, 9), b, False),
    (sympy.Min(b, 7), sympy.Min(7, b), True),
    (sympy.floor(n / 2), n / 2, False),
    (sympy.floor(n / 2) * 2 + sympy.Mod(n, 2), n, True),
    (sympy.Max(0, b - 2) - sympy.Max(0, b - 2), 0, True),
    (sympy.Mod(n, 100), n, False),        # differ only past 100
])
def test_same_dim_evaluates_min_max_floor_mod(left, right, same):
    assert oracle.same_dim(left, right) is same


def test_a_dim_that_cannot_be_evaluated_is_unevaluable():
    f = sympy.Function("f")
    with pytest.raises(oracle.Unevaluable):
        oracle.same_dim(f(n), n)
    with pytest.raises(oracle.Unevaluable):
        oracle.evaluate(sympy.zoo)


def test_min_of_a_size_and_a_literal_is_told_from_the_size(monkeypatch):
    """An engine answering b for x[:7] would be caught at the third sample."""
    real = oracle.engine_outcome

    def wrong(text, sizes, *rest):
        out = real(text, sizes, *rest)
        return oracle.Outcome(leaves=((sizes["b"],),), dtypes=out.dtypes)

    monkeypatch.setattr(oracle, "engine_outcome", wrong)
    report = oracle.check("(lambda x: x[:7])((b,))", samples=3)
    assert [c.agreed for c in report.cases] == [True, True, False]


def test_an_engine_dim_that_does_not_evaluate_is_unchecked(monkeypatch):
    leftover = dims.symbol("q")  # a symbol the sizes do not give
    monkeypatch.setattr(oracle, "engine_outcome",
                        lambda *a, **k: oracle.Outcome(leaves=((leftover,),), dtypes=("f32",)))
    assert_all_unchecked(oracle.check("(n,)", samples=2), "cannot be compared")


def test_a_symbolic_answer_that_cannot_be_compared_is_unchecked(monkeypatch):
    f = sympy.Function("f")
    monkeypatch.setattr(oracle, "engine_outcome",
                        lambda *a, **k: oracle.Outcome(leaves=((f(n),),), dtypes=("f32",)))
    assert_all_unchecked(oracle.check("(n,)", symbolic=True), "cannot be compared")


# ================================================================ 5. usage errors

@pytest.mark.parametrize("args, message", [
    (("--samples", "0"), "--samples wants a positive number"),
    (("--samples", "-3"), "--samples wants a positive number"),
    (("--sizes", "z=3"), "no size symbol z (its size symbols: a, b)"),
    (("--sizes", "a=-1"), "a size is a non-negative integer"),
    (("--sizes", "a=1.5"), "--sizes wants NAME=INT"),
    (("--sizes", "a=x"), "--sizes wants NAME=INT"),
])
def test_bad_check_options_are_usage_errors(capsys, args, message):
    code, out, err = run_cli(capsys, "check", *args, "(a, b)")
    assert code == 2 and not out
    assert message in err


def test_bad_options_from_python_raise_value_error():
    with pytest.raises(ValueError, match="samples must be at least 1"):
        shapeinfer.check("(a,)", samples=0)
    with pytest.raises(ValueError, match="no size symbol z"):
        shapeinfer.check("(a,)", sizes={"z": 1})


_NO_JAX = ("import sys; sys.modules['jax'] = None; {}")


def _without_jax(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _NO_JAX.format(code)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, env={**os.environ})


def test_check_without_jax_says_what_to_install():
    proc = _without_jax("from shapeinfer.cli import main; sys.exit(main(['check', '(a,)']))")
    assert proc.returncode == 2, proc.stderr
    assert 'pip install "shapeinfer[jax]"' in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    proc = _without_jax("import shapeinfer\ntry: shapeinfer.check('(a,)')\n"
                        "except ImportError as e: print(e)")
    assert 'pip install "shapeinfer[jax]"' in proc.stdout, proc.stderr


def test_the_jax_extra_pins_jax_as_the_test_extra_does():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    jax_pins = {r for r in extras["test"] if r.startswith(("jax==", "jaxlib=="))}
    assert jax_pins and set(extras["jax"]) == jax_pins


def test_a_guarded_answer_is_checked_where_its_guards_hold_first():
    """add((a,), (b,)) is (a,) if a == b: the first case satisfies a == b;
    --violate adds cases that break it, where JAX's answer is shown."""
    report = shapeinfer.check("add((a,), (b,))", samples=2)
    first = report.cases[0]
    assert first.sizes["a"] == first.sizes["b"] and first.note == "satisfies a == b"
    assert report.agreed and len(report.cases) == 2
    report = shapeinfer.check("add((a,), (b,))", samples=2, violate=True)
    broken = [c for c in report.cases if c.note.startswith("violates")]
    assert broken and all(c.sizes["a"] != c.sizes["b"] for c in broken)
    assert report.agreed  # at those sizes the engine answers concretely, as JAX does


def test_weak_types_must_agree_except_a_bools():
    """A weak f32 is not an f32 (it promotes differently), so the checker
    tells them apart; a bool's weak flag changes nothing and is ignored."""
    weak = oracle.Outcome(leaves=((2,),), dtypes=("f32",), weak=(True,))
    strong = oracle.Outcome(leaves=((2,),), dtypes=("f32",), weak=(False,))
    assert not oracle.agree(weak, strong) and oracle.agree(weak, weak)
    assert str(weak) == "leaves (2,) of dtypes f32~" and str(strong) == "leaves (2,)"
    weak_bool = oracle.Outcome(leaves=((2,),), dtypes=("bool",), weak=(True,))
    assert oracle.agree(weak_bool, oracle.Outcome(leaves=((2,),), dtypes=("bool",), weak=(False,)))
    # and end to end: JAX's weak scalar against the engine's
    assert shapeinfer.check("(f32[a], 2.0)", samples=1).agreed


@pytest.mark.parametrize("text", ["arange(3, 0.25, -0.5)", "arange(n, 0.25, -0.5)",
                                  "arange(0, n, +0.5)", "full((2,), -1.5)",
                                  "multiply(i32[2], -0.5)", "-0.5", "~1.5"])
def test_a_negated_float_literal_is_a_python_float_on_both_sides(text):
    # Python negates `-0.5` itself: a float (arange takes it as its step),
    # not jnp.negative of an array; the checker's translation says so too,
    # and JAX agrees at every size
    report = shapeinfer.check(text)
    assert report.agreed and report.cases, report
