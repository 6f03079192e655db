"""Sphinx configuration: the documentation site, built from the Markdown pages
in this folder (MyST, as JAX's own docs) and the docstrings of ``shapeinfer``.

Build it, with warnings as errors (tests/test_docsite.py does the same):

    python -m sphinx -W --keep-going -b html docs docs/_build/html

A new page is one line: add its file name (without ``.md``) to a toctree in
``index.md``. A page left out of every toctree is a warning, so the build
fails until it is listed.
"""
from __future__ import annotations

import sys
from pathlib import Path

# autodoc imports the package from this checkout (an installed copy works too).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import shapeinfer  # noqa: E402

project = "shapeinfer"
author = "the shapeinfer authors"
copyright = "the shapeinfer authors"
release = version = shapeinfer.__version__

extensions = [
    "myst_parser",          # the pages are Markdown
    "sphinx.ext.autodoc",   # the API reference, from docstrings
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# ``[text](#some-heading)`` and ``[text](page.md#some-heading)`` links: the
# pages link to their own sections the way GitHub renders them.
myst_heading_anchors = 3

# The checker's module imports JAX; its docstrings are read without it, so the
# site builds with the ``docs`` extra alone (and faster).
autodoc_mock_imports = ["jax", "jaxlib"]

# The API reference lists the members in the order of the source, and the
# signatures keep their annotations as written.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"

html_theme = "alabaster"   # ships with Sphinx: no extra dependency
html_title = f"shapeinfer {release}"
html_theme_options = {
    "description": "What shape comes out of this JAX program, for every size?",
    "fixed_sidebar": True,
}
