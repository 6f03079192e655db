"""The documentation site builds without a warning, and every example in it runs.

The site is Sphinx with MyST Markdown (docs/conf.py); CI runs only
``python -m pytest``, so the build is a test: a broken link, a page missing
from the contents, a docstring that does not render, or any other warning
fails it. tests/test_docs.py runs the examples; the tests here make sure that
no code block on a page escapes it: each block is run (a ``console`` session,
``>>>`` lines in a ``python`` block), is a file the page's examples use, or
says why it is not run in a ``<!-- not-executed: why -->`` comment just
before it.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import shapeinfer
import test_docs as runner

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


# ---------------------------------------------------------------- the build

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built as the README says, into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
        capture_output=True, text=True, timeout=300)
    assert build.returncode == 0 and not build.stderr.strip(), \
        (f"sphinx-build -W failed (a new page needs a line in a toctree of docs/index.md):\n"
         f"{build.stdout}\n{build.stderr}")
    return out / "html"


def test_every_page_is_built(site):
    pages = {p.stem for p in DOCS.glob("*.md")}
    built = {p.stem for p in site.glob("*.html")}
    assert pages <= built, f"pages not built: {sorted(pages - built)}"


def test_api_reference_covers_the_public_api(site):
    """Every name in ``shapeinfer.__all__`` has an entry generated from its docstring."""
    html = (site / "api.html").read_text(encoding="utf-8")
    missing = [name for name in shapeinfer.__all__ if f'id="shapeinfer.{name}"' not in html]
    assert not missing, f"docs/api.md has no entry for {missing}"


def test_readme_gives_the_build_command():
    assert "python -m sphinx -W --keep-going -b html docs docs/_build/html" in \
        (ROOT / "README.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- every block runs

_FILE = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->$")
_NOT_EXECUTED = re.compile(r"^<!--\s*not-executed:\s*\S.*-->$")


def fenced_blocks(path: Path) -> list[tuple[int, str, list[str], str | None]]:
    """(line, language, body lines, the comment line just before it) of each block."""
    blocks, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if not fence.startswith("```"):
            i += 1
            continue
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip().startswith("```"))
        blocks.append((i + 1, fence[3:].strip(), lines[i + 1:end],
                       before if before.startswith("<!--") else None))
        i = end + 1
    return blocks


def how_it_runs(path: Path, line: int, language: str, body: list[str],
                comment: str | None) -> str | None:
    """How tests/test_docs.py runs the block, or None when nothing does."""
    if comment and _NOT_EXECUTED.match(comment):
        return "declared not executed"
    if language.startswith("{"):
        return "a MyST directive (toctree, eval-rst): the build renders it"
    if comment and _FILE.match(comment):
        name = _FILE.match(comment).group(1)
        lines = path.read_text(encoding="utf-8").splitlines()
        rest = "\n".join(lines[:line - 1] + lines[line + len(body) + 1:])
        # used by a command (--rules NAME, lint NAME) or a rule (python "module:function")
        used = name in rest or (name.endswith(".py") and f'"{Path(name).stem}:' in rest)
        return "a file the page's examples use" if used else None
    if language == "console" and any(b.strip().startswith("$ ") for b in body):
        return "console session"
    if language == "python" and any(b.lstrip().startswith(">>> ") for b in body):
        return "doctest"
    return None


BLOCKS = [(path, *block) for path in sorted(DOCS.glob("*.md")) for block in fenced_blocks(path)]


@pytest.mark.parametrize("path,line,language,body,comment", BLOCKS,
                         ids=[f"{block[0].name}:{block[1]}" for block in BLOCKS])
def test_every_code_block_is_run(path, line, language, body, comment):
    assert how_it_runs(path, line, language, body, comment), (
        f"{path.name}:{line}: a ```{language} block that no test runs: make it a console "
        "session or >>> doctest, a <!-- file: NAME --> a later example uses, or mark it "
        "<!-- not-executed: why -->")


def test_docs_runner_reads_every_console_session():
    """Each ``$ shapeinfer`` line of every page is one of test_docs.py's examples."""
    commands = sum(1 for path, _, language, body, _ in BLOCKS if language == "console"
                   for b in body if b.strip().startswith("$ "))
    examples = sum(1 for ex in runner.EXAMPLES if ex.command != "eval" or ex.argv)
    assert examples == commands


# ---------------------------------------------------------------- drift is caught

DRIFTED_PAGE = '''# A page whose examples no longer hold

```console
$ shapeinfer eval "vmap(add, (0, None), 1)((a, b, c), (a, b, c))"
(a, b, c)
$ shapeinfer table "vmap(exp, ?)((2, 3))"
in_axes  result
0        (2, 3)
1        (2, 3)
```
'''


def test_a_drifting_example_fails(tmp_path, monkeypatch):
    """The runner compares what the page shows with what the command prints."""
    page = tmp_path / "drift.md"
    page.write_text(DRIFTED_PAGE, encoding="utf-8")
    monkeypatch.setattr(runner, "ROOT", tmp_path)
    evaluated, table = runner.extract(page)
    assert runner.engine_answer(evaluated) == "(a, a, b, c)" != runner.expected_answer(evaluated)
    assert runner.run_cli(table.argv) != table.expected
