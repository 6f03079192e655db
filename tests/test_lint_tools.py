"""The linter inside other tools: flake8 (through its plugin entry point),
SARIF consumers (the output validated against the SARIF 2.1.0 schema), and
benchmarks/lint_corpus.py (its smoke test, on the fixtures: no network)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema

from shapeinfer.cli import main
from test_lint import FIXTURES, expected

ROOT = Path(__file__).resolve().parent.parent
# The OASIS schema, from github.com/oasis-tcs/sarif-spec,
# sarif-2.1/schema/sarif-schema-2.1.0.json (commit e0583813).
SCHEMA = Path(__file__).resolve().parent / "sarif-schema-2.1.0.json"


def test_flake8_runs_the_plugin():
    """flake8 itself finds the plugin through its entry point and prints the
    same findings, at the same 1-based columns, as `shapeinfer lint`."""
    path = FIXTURES / "findings.py"
    done = subprocess.run([sys.executable, "-m", "flake8", "--select", "SHP", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert sorted((int(line.split(":")[1]), line.split()[1]) for line in lines) == expected(path)
    lint = subprocess.run([sys.executable, "-m", "shapeinfer", "lint", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert lines == lint.stdout.splitlines()


def test_flake8_clean_twin_and_noqa(tmp_path):
    clean = subprocess.run([sys.executable, "-m", "flake8", "--select", "SHP",
                            str(FIXTURES / "findings_clean.py")], capture_output=True, text=True)
    assert (clean.returncode, clean.stdout) == (0, "")
    src = (FIXTURES / "issue_examples.py").read_text().replace(
        "return x @ w", "return x @ w  # noqa: SHP002")
    (tmp_path / "m.py").write_text(src)
    done = subprocess.run([sys.executable, "-m", "flake8", "--select", "SHP", "m.py"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert [line.split(":")[1] for line in done.stdout.splitlines()] == ["8"]


def sarif_of(paths, capsys) -> dict:
    main(["lint", "--format", "sarif", "--exit-zero", *map(str, paths)])
    return json.loads(capsys.readouterr().out)


def test_sarif_is_valid_sarif_2_1_0(capsys):
    schema = json.loads(SCHEMA.read_text())
    log = sarif_of(sorted(FIXTURES.glob("*.py")), capsys)
    assert log["runs"][0]["results"], "the fixtures have findings to validate"
    jsonschema.validate(log, schema, cls=jsonschema.Draft4Validator)
    empty = sarif_of([FIXTURES / "findings_clean.py"], capsys)
    jsonschema.validate(empty, schema, cls=jsonschema.Draft4Validator)


def test_sarif_schema_rejects_a_broken_log(capsys):
    """The validation can fail: a result without its message is not SARIF."""
    log = sarif_of([FIXTURES / "issue_examples.py"], capsys)
    del log["runs"][0]["results"][0]["message"]
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid(log)


def test_corpus_script_smoke(capsys):
    """benchmarks/lint_corpus.py on the fixtures instead of the corpus."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import lint_corpus
    finally:
        sys.path.pop(0)
    assert lint_corpus.main(["--paths", str(FIXTURES)]) == 0
    out = capsys.readouterr().out.splitlines()
    files = sorted(FIXTURES.glob("*.py"))
    findings = sum(len(expected(p)) for p in files)
    assert re.fullmatch(rf"files: {len(files)}  annotated functions: \d+  fully checked: \d+  "
                        rf"findings: {findings}", out[-2])
    assert re.fullmatch(r"time: shapeinfer lint [0-9.]+ s, pyflakes [0-9.]+ s "
                        r"\(lint / pyflakes = [0-9.]+\)", out[-1])
