"""The flake8 plugin: ``flake8 --select SHP`` runs the linter on each file.

Registered in pyproject.toml under ``[project.entry-points."flake8.extension"]``
with the code prefix ``SHP``. flake8 gives the source lines; the plugin lints
them as :func:`~shapeinfer.lint.lint_source` does (nothing imported, nothing
run) and hands each finding back. ``# noqa`` is flake8's to apply.
"""
from __future__ import annotations

from .. import __version__


class Plugin:
    name = "shapeinfer"
    version = __version__

    def __init__(self, tree, filename: str, lines: list[str]):
        # flake8 has parsed the file already (``tree``); the linter reads its
        # own comments (``# shape:``) from the text, so it takes the lines
        self.filename = filename
        self.lines = lines

    def run(self):
        from . import lint_source

        for f in lint_source("".join(self.lines), self.filename):
            # flake8 counts columns from 0 and prints them from 1
            yield f.line, f.col - 1, f"{f.code} {f.message}", type(self)
