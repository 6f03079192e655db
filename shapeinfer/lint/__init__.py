"""The linter: proves jaxtyping shape annotations statically (SPEC section 7).

:func:`lint_source` lints one module's text; it reads the code with Python's
``ast`` and never imports or runs it (nor jaxtyping, nor JAX).
"""
from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from collections import Counter

from .. import syntax as S
from ..engine import Evaluator
from ..errors import ShapeError
from ..library import Library, builtins
from .annotations import (Imports, MalformedAnnotation, module_aliases, parse_python,
                          read_annotation)
from .convert import Converter, Unknown, line_offsets
from .findings import CODES, Finding, selected, suppressed
from .infer import (TRANSPARENT_DECORATORS, UNKNOWN, AnnotatedFunction, BodyChecker,
                    Signature, _all_args)

__all__ = ["CODES", "Finding", "lint_source", "lint_file"]

_SHAPE_COMMENT = re.compile(r"#\s*shape:\s*([^#]+?)\s*(?:#.*)?$")


def lint_source(text: str, path: str = "<string>", library: Library | None = None,
                select=None, ignore=None, stats: Counter | None = None) -> list[Finding]:
    """The findings for one module, sorted by position, ``# noqa`` applied."""
    module = ModuleLinter(text, path, library or builtins(), stats)
    found = module.run()
    return sorted(f for f in found
                  if selected(f.code, select, ignore) and not suppressed(f, module.comments))


def lint_file(path, library=None, select=None, ignore=None, stats=None) -> list[Finding]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        text = raw.decode(tokenize.detect_encoding(io.BytesIO(raw).readline)[0])
    except (OSError, UnicodeDecodeError, SyntaxError) as e:
        return [Finding(str(path), 1, 1, "SHP000", f"cannot read the file: {e}")]
    return lint_source(text, str(path), library, select, ignore, stats)


class ModuleLinter:
    """One module: its imports, aliases, annotated functions, findings."""

    def __init__(self, text: str, path: str, library: Library, stats: Counter | None):
        self.text = text
        self.path = path
        self.library = library
        self.stats = stats if stats is not None else Counter()
        self.findings: list[Finding] = []
        self.offsets = line_offsets(text)
        self.comments: dict[int, str] = {}
        self.shape_comments: dict[int, str] = {}
        self.functions: dict[str, object] = {}   # module function name -> value
        self.lost_count = 0
        self.fields: dict[int, dict] = {}   # id(method) -> its class's annotated fields
        self.methods: dict[int, dict] = {}  # id(method) -> its class's annotated methods

    # ------------------------------------------------------------ reporting

    def report(self, node, code: str, message: str):
        if isinstance(node, tuple):
            line, col = node
        else:
            line, col = node.lineno, node.col_offset + 1
        self.findings.append(Finding(self.path, line, col, code, message))

    def lost(self, reason: str):
        """Shape tracking stopped here, for the statistics."""
        self.stats["lost: " + reason] += 1
        self.lost_count += 1

    def position_of(self, offset: int):
        """A character offset -> (line, 1-based column)."""
        line = bisect.bisect_right(self.offsets, offset) - 1
        if line < 0 or line >= len(self.offsets) - 1:
            return None
        return (line + 1, offset - self.offsets[line] + 1)

    # ------------------------------------------------------------ the module

    def run(self) -> list[Finding]:
        try:
            tree = parse_python(self.text, filename=self.path)
        except (SyntaxError, ValueError) as e:  # ValueError: a NUL byte
            line = getattr(e, "lineno", None) or 1
            col = getattr(e, "offset", None) or 1
            msg = getattr(e, "msg", str(e))
            return [Finding(self.path, line, col, "SHP000", f"syntax error: {msg}")]
        if "jaxtyping" not in self.text:
            return []  # every annotation the linter reads is imported from jaxtyping
        if re.search(r"#\s*shape:", self.text) or "noqa" in self.text:
            self.read_comments()  # tokenizing is the slow part: only when needed
        self.imports = Imports(tree)
        self.aliases = module_aliases(tree, self.imports, self.malformed)
        functions = list(self.annotated_functions(tree))
        sigs = {}
        for func in functions:
            sigs[id(func)] = self.signature(func)
        for func in functions:  # module-level functions are callable by name
            sig = sigs[id(func)]
            if func in tree.body and sig is not None and (sig.specs or sig.returns):
                value = self.decorated(func, AnnotatedFunction(sigs[id(func)]))
                if value is not UNKNOWN:
                    self.functions[func.name] = value
        self.bind_methods(tree, sigs)
        for func in functions:
            sig = sigs[id(func)]
            if sig is not None and (sig.specs or sig.returns or sig.returns_tuple):
                self.stats["annotated functions"] += 1
                before = self.lost_count
                try:
                    BodyChecker(self, func, sig, self.fields.get(id(func), {}),
                                self.methods.get(id(func), {})).run()
                except Exception as bug:  # noqa: BLE001 - one function must not stop the file
                    self.lost(f"internal error ({type(bug).__name__}: {bug}); "
                              "a bug in shapeinfer, please report it")
                if self.lost_count == before:  # nothing unknown on the way
                    self.stats["fully checked"] += 1
        return self.findings

    def malformed(self, node, message):
        self.report(node, "SHP001", f"malformed annotation: {message}")

    def read_comments(self):
        try:
            for tok in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if tok.type == tokenize.COMMENT:
                    self.comments[tok.start[0]] = tok.string
                    m = _SHAPE_COMMENT.match(tok.string)  # the comment's own start
                    if m:
                        self.shape_comments[tok.start[0]] = m.group(1)
        except (tokenize.TokenError, SyntaxError):
            pass

    def annotated_functions(self, tree):
        """Module functions and methods of module classes (nested defs are
        unknown values inside their parent)."""
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield stmt
            elif isinstance(stmt, ast.ClassDef):
                fields = self.class_fields(stmt)
                for item in stmt.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.fields[id(item)] = fields
                        yield item

    def bind_methods(self, tree, sigs):
        """``self.project(x)`` in a method calls its class's annotated method
        ``project`` with the signature after ``self`` (plain methods only)."""
        for cls in (s for s in tree.body if isinstance(s, ast.ClassDef)):
            methods = [m for m in cls.body if isinstance(m, ast.FunctionDef)]
            shared = frozenset(d.text for spec, _ in self.class_fields(cls).values()
                               for d in spec.dims if d.kind == "name")
            siblings = {}
            for m in methods:
                sig = sigs[id(m)]
                if (sig is None or not sig.params or sig.params[0] in sig.specs
                        or not all(self.transparent(d) for d in m.decorator_list)
                        or any(ast.unparse(d) in ("staticmethod", "classmethod")
                               for d in m.decorator_list)):
                    continue
                bound = Signature(sig.name, sig.params[1:], sig.specs, sig.returns, sig.line,
                                  sig.returns_tuple)
                siblings[m.name] = AnnotatedFunction(bound, shared)
            for m in methods:
                self.methods[id(m)] = siblings

    def class_fields(self, cls: ast.ClassDef) -> dict:
        """``weight: Float[Array, "out in"]`` in a class body (an equinox
        Module, a dataclass): field name -> (spec, line)."""
        fields = {}
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                spec = self.read(stmt.annotation)
                if spec is not None:
                    fields[stmt.target.id] = (spec, stmt.lineno)
        return fields

    def signature(self, func) -> Signature | None:
        specs = {}
        for arg in _all_args(func.args):
            spec = self.read(arg.annotation)
            if spec is not None:
                specs[arg.arg] = spec
        returns = self.read(func.returns)
        positional = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
        return Signature(func.name, positional, specs, returns, func.lineno,
                         self.read_tuple(func.returns))

    def read_tuple(self, annotation):
        """``tuple[Float[Array, "n"], Float[Array, "d"]]``: one spec (or None)
        per item; None when it is not a tuple of fixed length with a spec."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = parse_python(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        if not isinstance(annotation, ast.Subscript):
            return None
        head = self.imports.dotted(annotation.value) or (
            annotation.value.id if isinstance(annotation.value, ast.Name) else "")
        if head not in ("tuple", "Tuple", "typing.Tuple") or not isinstance(
                annotation.slice, ast.Tuple):
            return None
        items = annotation.slice.elts
        if any(isinstance(e, ast.Constant) and e.value is Ellipsis for e in items):
            return None  # tuple[X, ...]: any length
        specs = tuple(self.read(e) for e in items)
        return specs if any(specs) else None

    def read(self, annotation):
        try:
            return read_annotation(annotation, self.imports, self.aliases)
        except MalformedAnnotation as e:
            self.malformed(annotation, str(e))
            return None

    def decorated(self, func, value):
        """The function's value after its decorators (innermost first): jit-like
        ones are transparent, library transformations (vmap, partial(vmap,
        ...)) apply, anything else makes it unknown."""
        for dec in reversed(func.decorator_list):
            if self.transparent(dec):
                continue
            conv = Converter(lambda n: False, self.library, self.imports, self.offsets,
                             extra_names={"__fn__"})
            try:
                call = S.Call(conv.convert(dec), (S.Name("__fn__", span=conv.span(dec)),), (),
                              span=conv.span(dec))
                value = Evaluator(self.library).eval(call, {"__fn__": value})
            except (Unknown, ShapeError):
                self.lost(f"unknown decorator {ast.unparse(dec)[:40]}")
                return UNKNOWN
        return value

    def transparent(self, dec) -> bool:
        target = dec.func if isinstance(dec, ast.Call) else dec
        dotted = self.imports.dotted(target) or (
            target.id if isinstance(target, ast.Name) else None)
        if dotted in TRANSPARENT_DECORATORS:
            return True
        if dotted == "functools.partial" and isinstance(dec, ast.Call) and dec.args:
            inner = self.imports.dotted(dec.args[0])
            return inner in TRANSPARENT_DECORATORS
        return False

