"""Findings: the stable codes, the :class:`Finding` record, ``# noqa``."""
from __future__ import annotations

import re
from dataclasses import dataclass

# The stable codes (docs/lint.md explains each one).
CODES = {
    "SHP000": "the file does not parse as Python",
    "SHP001": "a malformed jaxtyping annotation",
    "SHP002": "a returned shape differs from the return annotation",
    "SHP003": "an assigned shape differs from its annotation or `# shape:` comment",
    "SHP004": "call arguments contradict the callee's annotation",
    "SHP005": "a shape error inside a function body",
}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int        # 1-based
    col: int         # 1-based
    code: str
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"

    def to_json(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.col,
                "code": self.code, "message": self.message}


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
                   re.IGNORECASE)


def suppressed(finding: Finding, comments: dict[int, str]) -> bool:
    """``# noqa`` on the finding's line silences every code there; ``# noqa:
    SHP002, SHP004`` only those codes (flake8's convention)."""
    comment = comments.get(finding.line)
    if not comment:
        return False
    m = _NOQA.search(comment)
    if m is None:
        return False
    codes = m.group("codes")
    if not codes:
        return True
    return finding.code in {c.upper() for c in re.split(r"[,\s]+", codes) if c}


def selected(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    """``--select`` / ``--ignore`` by prefix, as flake8 does (``SHP00`` selects
    SHP001..SHP009)."""
    if select and not any(code.startswith(s) for s in select):
        return False
    return not (ignore and any(code.startswith(s) for s in ignore))
