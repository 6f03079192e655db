"""Python ``ast`` expressions -> shapeinfer syntax nodes, so that the linter
evaluates function bodies with the engine as it is (one engine, one library).

Names are resolved here: a local bound to a known value stays a name; an
imported name (``np2.sum``, ``jsum``, ``jax.vmap``) becomes the library's
dotted name; anything else raises :class:`Unknown`, and the linter stops
tracking what depends on it. Spans are character offsets into the file.
"""
from __future__ import annotations

import ast

from .. import syntax as S

# Python operator classes -> the shapeinfer operator text.
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.MatMult: "@", ast.Pow: "**", ast.BitAnd: "&", ast.BitOr: "|",
           ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_UNOPS = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
# Dotted prefixes the library knows by a shorter name (jax.lax.add is lax.add).
_PREFIX_ALIASES = (("jax.numpy.", "jnp."), ("jax.lax.", "lax."), ("jax.nn.", "jax.nn."),
                   ("numpy.", None))


# finfo's attributes that are floats of the dtype asked about (not ``bits``,
# ``precision``, ... which are ints of values the linter does not know).
_FINFO_FLOAT_ATTRS = {"eps", "epsneg", "max", "min", "tiny", "smallest_normal", "resolution"}
FINFO_SCALAR = "jnp.finfo\u00b7scalar"   # its name in the environment (not an identifier)


class Unknown(Exception):
    """Something the linter does not follow; the message says what (it feeds
    the statistics of lost tracking, never a finding)."""


class Converter:
    """Converts one expression at a time against the names known so far.

    ``known(name)`` tells whether a local is bound to a value the engine has;
    ``local(name)`` whether it is a local at all (a local shadows an import);
    ``library`` is the Library; ``imports`` the module's :class:`Imports`;
    ``offsets`` the character offset of each line's start."""

    def __init__(self, known, library, imports, offsets, extra_names=(), local=None):
        self.known = known
        self.local = local or known
        self.library = library
        self.imports = imports
        self.offsets = offsets
        self.extra_names = set(extra_names)  # module functions bound in the env

    def span(self, node) -> tuple[int, int]:
        start = self.offsets[node.lineno - 1] + node.col_offset
        end = self.offsets[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        return (start, end)

    def convert(self, node):
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            raise Unknown(f"unsupported construct {type(node).__name__}")
        return method(node)

    # ------------------------------------------------------------ names

    def library_name(self, dotted: str) -> str:
        """The library's name for an imported dotted name, or Unknown."""
        candidates = [dotted]
        for long, short in _PREFIX_ALIASES:
            if dotted.startswith(long) and short:
                candidates.append(short + dotted[len(long):])
        for name in candidates:
            if name in self.library or self.known(name):   # known: `math.sqrt`
                return name
        raise Unknown(f"unknown call {dotted}")

    def c_Name(self, node):
        if self.known(node.id) or node.id in self.extra_names:
            return S.Name(node.id, span=self.span(node))
        if self.local(node.id):
            raise Unknown(f"unknown name {node.id}")
        dotted = self.imports.dotted(node)
        if dotted is not None:
            return S.Name(self.library_name(dotted), span=self.span(node))
        if node.id in ("max", "min") or node.id in ("len",):
            raise Unknown(f"unknown call {node.id}")
        raise Unknown(f"unknown name {node.id}")

    def c_Attribute(self, node):
        finfo = self.finfo_scalar(node)
        if finfo is not None:
            return finfo
        if isinstance(node.value, ast.Name):  # self.weight, an annotated field
            key = f"{node.value.id}\u00b7{node.attr}"
            if self.known(key):
                return S.Name(key, span=self.span(node))
        dotted = self.imports.dotted(node)
        if dotted is not None and not self.local(_root(node)):
            return S.Name(self.library_name(dotted), span=self.span(node))
        return S.Attribute(self.convert(node.value), node.attr, span=self.span(node))

    def finfo_scalar(self, node):
        """``jnp.finfo(x.dtype).eps`` -> a call of FINFO_SCALAR on ``x`` (the
        engine has no dtype values; this one idiom needs none)."""
        call = node.value
        if not (node.attr in _FINFO_FLOAT_ATTRS and isinstance(call, ast.Call)
                and len(call.args) == 1 and not call.keywords and self.known(FINFO_SCALAR)
                and isinstance(call.args[0], ast.Attribute) and call.args[0].attr == "dtype"
                and self.imports.dotted(call.func) in ("jax.numpy.finfo", "numpy.finfo")):
            return None
        return S.Call(S.Name(FINFO_SCALAR, span=self.span(call.func)),
                      (self.convert(call.args[0].value),), (), span=self.span(node))

    # ------------------------------------------------------------ literals

    def c_Constant(self, node):
        v, span = node.value, self.span(node)
        if isinstance(v, bool) or v is None:
            return S.Const(v, span=span)
        if isinstance(v, int):
            return S.Int(v, span=span)
        if isinstance(v, float):
            return S.Float(v, span=span)
        if isinstance(v, str):
            return S.Str(v, span=span)
        if v is Ellipsis:
            return S.EllipsisExpr(span=span)
        raise Unknown(f"unsupported constant {type(v).__name__}")

    def c_Tuple(self, node):
        return S.TupleExpr(tuple(self.items(node.elts)), span=self.span(node))

    def c_List(self, node):
        return S.ListExpr(tuple(self.items(node.elts)), span=self.span(node))

    def items(self, elts):
        for e in elts:
            if isinstance(e, ast.Starred):
                raise Unknown("unsupported construct Starred")
            yield self.convert(e)

    # ------------------------------------------------------------ operators

    def c_BinOp(self, node):
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise Unknown(f"unsupported operator {type(node.op).__name__}")
        return S.BinOp(op, self.convert(node.left), self.convert(node.right),
                       span=self.span(node))

    def c_UnaryOp(self, node):
        op = _UNOPS.get(type(node.op))
        if op is None:
            raise Unknown(f"unsupported operator {type(node.op).__name__}")
        return S.UnaryOp(op, self.convert(node.operand), span=self.span(node))

    def c_Compare(self, node):
        if len(node.ops) != 1 or type(node.ops[0]) not in _CMPOPS:
            raise Unknown("unsupported construct chained comparison")
        return S.BinOp(_CMPOPS[type(node.ops[0])], self.convert(node.left),
                       self.convert(node.comparators[0]), span=self.span(node))

    # ------------------------------------------------------------ calls, indexing

    def c_Call(self, node):
        if (self.imports.dotted(node.func) in ("typing.cast", "typing_extensions.cast")
                and len(node.args) == 2 and not node.keywords):
            return self.convert(node.args[1])   # cast(T, x) is x, as a type checker sees it
        func = self.convert(node.func)
        args = tuple(self.items(node.args))
        keywords = []
        for kw in node.keywords:
            if kw.arg is None:
                raise Unknown("unsupported construct **kwargs")
            keywords.append(S.Keyword(kw.arg, self.convert(kw.value), span=self.span(kw.value)))
        return S.Call(func, args, tuple(keywords), span=self.span(node))

    def c_Subscript(self, node):
        index = node.slice
        elts = index.elts if isinstance(index, ast.Tuple) else [index]
        return S.Subscript(self.convert(node.value), tuple(self.items(elts)),
                           span=self.span(node))

    def c_Slice(self, node):
        part = lambda n: None if n is None else self.convert(n)  # noqa: E731
        return S.Slice(part(node.lower), part(node.upper), part(node.step),
                       span=self.span(node))

    def c_Lambda(self, node):
        a = node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs:
            raise Unknown("unsupported construct lambda with defaults or *args")
        params = tuple(p.arg for p in a.args)
        inner = Converter(lambda n: n in params or self.known(n), self.library, self.imports,
                          self.offsets, self.extra_names,
                          local=lambda n: n in params or self.local(n))
        return S.Lambda(params, inner.convert(node.body), span=self.span(node))


def _root(node) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def line_offsets(text: str) -> list[int]:
    """The character offset where each line starts (ast's col_offset counts
    UTF-8 bytes; the linted code's expressions are ASCII in practice, and a
    wrong column is the worst a non-ASCII line can cause)."""
    offsets, pos = [], 0
    for line in text.splitlines(keepends=True):
        offsets.append(pos)
        pos += len(line)
    offsets.append(pos)
    return offsets
