"""Which names of a program are size symbols (``n`` in ``(n, 3)``).

One reading of the syntax tree, shared by :func:`shapeinfer.infer` (a
``sizes=`` name the program does not use is a mistake), the command line
and the JAX checker (which sizes to sample).
"""
from __future__ import annotations

from . import syntax as ast
from .engine import dotted_name
from .library import Library, resolve
from .values import DTYPES


def size_symbols(program: ast.Program, library: Library | None = None) -> list[str]:
    """Names the program uses as size symbols, in order of appearance.

    Scoped as the engine resolves names: a statement binds its name for the
    statements after it, a lambda its parameters in its body; called names,
    dotted library names and dtype names are never sizes.
    """
    library = resolve(library)
    names: list[str] = []

    def visit(node, bound):
        if isinstance(node, ast.Name):
            if node.id not in bound and node.id not in library and node.id not in names:
                names.append(node.id)
            return
        if isinstance(node, ast.Lambda):
            visit(node.body, bound | set(node.params))
            return
        if isinstance(node, ast.Attribute):
            dotted = dotted_name(node)
            if dotted is not None and dotted.split(".")[0] not in bound:
                return  # a library name (or an unknown one), not a size
        skipped = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            skipped = node.func
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
              and node.value.id in DTYPES and node.value.id not in bound):
            skipped = node.value
        for child in ast.children(node):
            if child is not skipped:
                visit(child, bound)

    bound: frozenset = frozenset()
    for stmt in program.statements:
        if isinstance(stmt, ast.Assign):
            visit(stmt.value, bound)
            bound = bound | {stmt.name}
        else:
            visit(stmt, bound)
    visit(program.expr, bound)
    return names
