"""Reading jaxtyping annotations from Python syntax (``ast``), never importing
the linted module nor jaxtyping.

An annotation such as ``Float[Array, "batch d_in"]`` becomes an
:class:`ArraySpec`: the dtype class and one :class:`DimSpec` per item of the
shape string. jaxtyping's shape syntax (docs/api/array.md in jaxtyping):

- ``name``: a size, the same everywhere it appears in one call;
- ``28``: a fixed size; ``dim-1``: an expression of sizes (no spaces);
- ``*name`` / ``...``: zero or more axes (at most one per array);
- ``#name``: that size or 1 (broadcastable);
- ``_`` and ``_name``: any size, not checked;
- ``?name``: may vary inside a PyTree;
- ``name=4``: ``name`` is documentation only, the size is ``4``;
- ``{var}``: an f-string of the function's arguments;
- a leading space (``" dim"``) only keeps pyflakes from reading the string as
  a forward reference; whitespace separates items and is otherwise ignored.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# jaxtyping's dtype classes -> the dtype shapeinfer gives a parameter so
# annotated. Classes that admit several dtypes get a representative one: the
# linter reports shapes, never dtypes, so the choice only has to be a dtype
# the operations accept. None: a dtype the library does not model (keys).
DTYPE_CLASSES = {
    "Shaped": "f32", "Num": "f32", "Inexact": "f32", "Real": "f32", "Float": "f32",
    "BFloat16": "bf16", "Float16": "f16", "Float32": "f32", "Float64": "f64",
    "Complex": "c64", "Complex64": "c64", "Complex128": "c128",
    "Integer": "i32", "Int": "i32", "Int2": "i8", "Int4": "i8", "Int8": "i8",
    "Int16": "i16", "Int32": "i32", "Int64": "i64",
    "UInt": "u32", "UInt2": "u8", "UInt4": "u8", "UInt8": "u8", "UInt16": "u16",
    "UInt32": "u32", "UInt64": "u64",
    "Bool": "bool", "Key": None,
}
# jaxtyping's ready-made aliases: Scalar is Shaped[Array, ""].
SCALAR_ALIASES = {"Scalar": "f32", "ScalarLike": "f32"}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_INT = re.compile(r"[0-9]+$")
_NEGATIVE_INT = re.compile(r"-[0-9]+$")
_EXPR = re.compile(r"[A-Za-z0-9_+\-*/() ]+$")


class MalformedAnnotation(Exception):
    """An annotation jaxtyping would reject; the message says why."""


@dataclass(frozen=True)
class DimSpec:
    """One item of a shape string. ``kind`` is one of ``name``, ``int``,
    ``expr``, ``variadic``, ``broadcast``, ``anonymous``, ``tree``,
    ``fstring``; ``text`` is the name, the digits or the expression;
    ``modifiers`` the ``*``, ``#``, ``?`` written before it (``*#`` for
    ``*#name``)."""
    kind: str
    text: str
    modifiers: str = ""

    @property
    def checkable(self) -> bool:
        """A single axis of a size the linter can state (``_`` is a single
        axis too, of a size that is not checked)."""
        return self.kind in ("name", "int", "expr", "anonymous")


@dataclass(frozen=True)
class ArraySpec:
    """``Float[Array, "b n"]``: the dtype class, the items, where it is."""
    dtype_class: str
    dtype: str | None
    dims: tuple[DimSpec, ...]
    text: str          # the shape string as written

    @property
    def exact(self) -> bool:
        """Every item is a single axis: the rank is known."""
        return all(d.checkable for d in self.dims)


def parse_python(text: str, mode: str = "exec", filename: str = "<unknown>") -> ast.AST:
    """``ast.parse``, with Python's own limits as a SyntaxError: a program
    nested too deeply makes the parser raise RecursionError or MemoryError
    (``-`` * 10,000), which every caller here reports like bad syntax."""
    try:
        return ast.parse(text, filename=filename, mode=mode)
    except (RecursionError, MemoryError):
        raise SyntaxError("too deeply nested for Python's parser") from None


def parse_shape_string(text: str) -> tuple[DimSpec, ...]:
    """``"batch *rest #c _ 3 dim-1"`` -> its items, or MalformedAnnotation."""
    items = []
    for word in text.split():
        items.append(_parse_item(word))
    variadic = [d for d in items if d.kind == "variadic"]
    if len(variadic) > 1:
        raise MalformedAnnotation(
            f"{text!r} has {len(variadic)} multiple-axes items (`...` or `*name`); "
            "jaxtyping allows at most one per array")
    return tuple(items)


def _parse_item(word: str) -> DimSpec:
    if word == "...":
        return DimSpec("variadic", "...", "*")
    if "=" in word:  # `rows=4`: the name is documentation, the size is what follows
        _, _, word = word.partition("=")
        if not word:
            raise MalformedAnnotation("a `name=` item needs a size after `=`")
    modifiers = ""
    while word and word[0] in "*#?" :
        modifiers += word[0]
        word = word[1:]
    if "{" in word:
        return DimSpec("fstring", word)
    if _NEGATIVE_INT.match(word) and int(word) < 0 and "#" not in modifiers:
        # jaxtyping reads `-1` as the fixed size -1, which no array has
        # (`#-1` still takes axes of size 1)
        raise MalformedAnnotation(f"{word!r} is a negative size: no array matches it, so "
                                  "jaxtyping rejects every argument here")
    if word == "_" or (word.startswith("_") and _NAME.match(word)):
        kind = "variadic" if "*" in modifiers else "anonymous"
        return DimSpec(kind, word, modifiers)
    if not word:
        raise MalformedAnnotation(f"the modifier {modifiers!r} is not followed by a name")
    if "*" in modifiers:
        if not _NAME.match(word):
            raise MalformedAnnotation(f"`*{word}`: a multiple-axes item needs a name")
        return DimSpec("variadic", word, modifiers)
    if "#" in modifiers:
        return DimSpec("broadcast", word, modifiers)
    if "?" in modifiers:
        return DimSpec("tree", word, modifiers)
    if _INT.match(word):
        return DimSpec("int", word)
    if _NAME.match(word):
        return DimSpec("name", word)
    if _EXPR.match(word) and _is_dim_expression(word):
        return DimSpec("expr", word)
    raise MalformedAnnotation(f"{word!r} is not a size: write a name, an integer or an "
                              "expression of names such as dim-1")


def _is_dim_expression(word: str) -> bool:
    """``dim-1``, ``2*n``, ``(a+b)//2``: Python arithmetic on names and ints
    (jaxtyping evaluates it with Python). ``-`` alone, as in the spaced
    ``"n - 1"`` (three axes to jaxtyping), is not one."""
    try:
        tree = parse_python(word, mode="eval")
    except SyntaxError:
        return False
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.operator,
               ast.unaryop)
    return all(isinstance(n, allowed) or (isinstance(n, ast.Constant) and type(n.value) is int)
               for n in ast.walk(tree))


class Imports:
    """What the module's imports bind: a local name -> the dotted name it
    stands for (``jnp`` -> ``jax.numpy``, ``jsum`` -> ``jax.numpy.sum``,
    ``F`` -> ``jaxtyping.Float``)."""

    def __init__(self, tree: ast.Module):
        self.names: dict[str, str] = {}
        for node in _import_statements(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:  # `import jax.numpy` binds `jax`
                        root = alias.name.split(".")[0]
                        self.names[root] = root
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def dotted(self, node: ast.AST) -> str | None:
        """The full dotted name an expression such as ``jt.Float`` or
        ``np2.sum`` stands for, through the imports; None if it is not one."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.names:
            return None
        return ".".join([self.names[node.id]] + list(reversed(parts)))


def _import_statements(body):
    """Imports at module level, also under ``if`` / ``try`` (``try: import
    jax.numpy as jnp``, ``if TYPE_CHECKING:``), not inside functions."""
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield stmt
        elif isinstance(stmt, (ast.If, ast.Try)):
            for block in (stmt.body, stmt.orelse, getattr(stmt, "finalbody", []),
                          *[h.body for h in getattr(stmt, "handlers", [])]):
                yield from _import_statements(block)


def jaxtyping_class(node: ast.AST, imports: Imports) -> str | None:
    """``Float`` for ``jaxtyping.Float`` / ``jt.Float`` / ``F`` (imported as Float)."""
    dotted = imports.dotted(node)
    if dotted and dotted.startswith("jaxtyping."):
        return dotted[len("jaxtyping."):]
    return None


def read_annotation(node: ast.AST | None, imports: Imports, aliases: dict) -> ArraySpec | None:
    """The :class:`ArraySpec` of an annotation expression, None when it is not
    a jaxtyping array annotation (or one the linter does not follow), or
    MalformedAnnotation. ``aliases`` maps module-level names to specs."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:  # a forward reference: "Float[Array, 'b n']"
            node = parse_python(node.value, mode="eval").body
        except SyntaxError:
            return None  # a string jaxtyping never sees as an annotation
    if isinstance(node, ast.Name) and node.id in aliases:
        return aliases[node.id]
    cls = jaxtyping_class(node, imports)
    if cls in SCALAR_ALIASES:
        return ArraySpec(cls, SCALAR_ALIASES[cls], (), "")
    if not isinstance(node, ast.Subscript):
        return None
    cls = jaxtyping_class(node.value, imports)
    if cls is None or cls not in DTYPE_CLASSES:
        return None
    items = node.slice
    if not isinstance(items, ast.Tuple) or len(items.elts) != 2:
        raise MalformedAnnotation(f"{cls}[...] takes two items, an array type and a shape "
                                  "string, as in Float[Array, \"b n\"]")
    array_type, shape = items.elts
    if not (isinstance(shape, ast.Constant) and isinstance(shape.value, str)):
        raise MalformedAnnotation(f"the shape of {cls}[...] must be a string such as \"b n\"")
    dims = parse_shape_string(shape.value)
    if not _plain_array_type(array_type, imports):
        return None  # nested specs (Shaped[PRNGKeyArray, "2"]) and unions: not followed
    return ArraySpec(cls, DTYPE_CLASSES[cls], dims, shape.value)


def _plain_array_type(node: ast.AST, imports: Imports) -> bool:
    """``Array`` / ``jax.Array`` / ``jnp.ndarray`` / ``np.ndarray``: an array
    with nothing more to say about it."""
    dotted = imports.dotted(node) or (node.id if isinstance(node, ast.Name) else None)
    return dotted is not None and dotted.split(".")[-1] in ("Array", "ndarray", "ArrayLike")


def module_aliases(tree: ast.Module, imports: Imports, on_malformed) -> dict:
    """Module-level type aliases: ``Vec = Float[Array, "n"]``, ``Vec:
    TypeAlias = ...`` and ``type Vec = ...``."""
    aliases: dict = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
                stmt.targets[0], ast.Name):
            name, value = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and (
                stmt.value is not None and "TypeAlias" in ast.unparse(stmt.annotation)):
            name, value = stmt.target.id, stmt.value
        elif type(stmt).__name__ == "TypeAlias":  # Python 3.12's `type X = ...`
            name, value = stmt.name.id, stmt.value
        else:
            continue
        try:
            spec = read_annotation(value, imports, aliases)
        except MalformedAnnotation as e:
            on_malformed(value, str(e))
            continue
        if spec is not None:
            aliases[name] = spec
    return aliases
