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
from contextlib import contextmanager

from .. import syntax as S
from ..engine import Evaluator
from ..errors import ShapeError
from ..library import Library, builtins
from .annotations import (Imports, MalformedAnnotation, module_aliases, parse_python,
                          read_annotation)
from .convert import Converter, Unknown, line_offsets
from .findings import CODES, Finding, selected, suppressed
from .package import package_functions
from .infer import (TRANSPARENT_DECORATORS, UNKNOWN, AnnotatedFunction, Signature,
                    _all_args)
from .variadic import check_function

__all__ = ["CODES", "Finding", "lint_source", "lint_file"]

# Comments that can change a finding: `# shape:`, a bare `# noqa`, a `# noqa:`
# naming an SHP code (most files' `# noqa: F401` cannot, and tokenizing costs).
_COMMENT_WORTH_READING = re.compile(r"#\s*(?:shape:|noqa(?!\s*:)|noqa\s*:[^\n]*SHP)", re.I)
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
        self.owners: dict[int, ast.ClassDef] = {}   # id(method) -> its class
        self.silent = 0   # > 0: a trial run of a loop body, which reports nothing
        self.held: list[Finding] = []   # what a muted run would have reported

    # ------------------------------------------------------------ reporting

    @contextmanager
    def muted(self, held: list | None = None):
        """Findings and losses inside are not reported (a loop body's trial
        runs); the findings go to ``held`` when one is given."""
        self.silent += 1
        outer, self.held = self.held, held if held is not None else []
        try:
            yield
        finally:
            self.silent -= 1
            self.held = outer

    def report(self, node, code: str, message: str):
        if self.silent:
            line, col = node if isinstance(node, tuple) else (node.lineno, node.col_offset + 1)
            self.held.append(Finding(self.path, line, col, code, message))
            return
        if isinstance(node, tuple):
            line, col = node
        else:
            line, col = node.lineno, node.col_offset + 1
        self.add(Finding(self.path, line, col, code, message))

    def add(self, finding: Finding):
        if self.silent:
            self.held.append(finding)
        else:
            self.findings.append(finding)

    def lost(self, reason: str):
        """Shape tracking stopped here, for the statistics."""
        if self.silent:
            return
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
        if _COMMENT_WORTH_READING.search(self.text):
            self.read_comments()  # tokenizing is the slow part: only when needed
        functions, sigs = self.prepare(tree)
        self.functions.update(package_functions(tree, self.path, self.library, self.functions))
        for func in functions:
            sig = sigs[id(func)]
            if sig is not None and (sig.specs or sig.returns or sig.returns_tuple):
                self.stats["annotated functions"] += 1
                before, proved = self.lost_count, True
                try:
                    proved = check_function(self, func, sig, self.fields.get(id(func), {}),
                                            self.methods.get(id(func), {}))
                except Exception as bug:  # noqa: BLE001 - one function must not stop the file
                    self.lost(f"internal error ({type(bug).__name__}: {bug}); "
                              "a bug in shapeinfer, please report it")
                if self.lost_count == before:  # nothing unknown on the way
                    # `*name` items are checked at a few ranks only: no proof
                    self.stats["fully checked" if proved else "checked at ranks 0-3"] += 1
        return self.findings

    def prepare(self, tree):
        """Read the module's imports, aliases and signatures; bind its
        module-level annotated functions by name. (annotated functions and
        methods, their signatures by id)"""
        self.imports = Imports(tree)
        self.classes = {s.name: s for s in tree.body if isinstance(s, ast.ClassDef)}
        self.field_cache: dict[int, dict] = {}   # id(class) -> its fields, read once
        self.aliases = module_aliases(tree, self.imports, self.malformed)
        functions = list(self.annotated_functions(tree))
        sigs = {id(func): self.signature(func) for func in functions}
        for func in functions:  # module-level functions are callable by name
            sig = sigs[id(func)]
            if func in tree.body and sig is not None and (sig.specs or sig.returns):
                value = self.decorated(func, AnnotatedFunction(sig))
                if value is not UNKNOWN:
                    self.functions[func.name] = value
        self.bind_methods(tree, sigs)
        return functions, sigs

    def exports(self) -> dict:
        """The module's annotated functions by name, for the modules of its
        package that import them (nothing is reported)."""
        if "jaxtyping" not in self.text:
            return {}
        try:
            tree = ast.parse(self.text, filename=self.path)
        except (SyntaxError, ValueError):
            return {}
        self.prepare(tree)
        return self.functions

    def malformed(self, node, message):
        self.report(node, "SHP001", f"malformed annotation: {message}")

    def read_comments(self):
        several = set()   # lines with `;`: which statement a `# shape:` means is unclear
        try:
            for tok in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if tok.type == tokenize.OP and tok.string == ";":
                    several.add(tok.start[0])
                if tok.type == tokenize.COMMENT:
                    self.comments[tok.start[0]] = tok.string
                    m = _SHAPE_COMMENT.match(tok.string)  # the comment's own start
                    if m:
                        self.shape_comments[tok.start[0]] = m.group(1)
        except (tokenize.TokenError, SyntaxError):
            pass
        for line in several:
            self.shape_comments.pop(line, None)

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
                        self.owners[id(item)] = stmt
                        yield item

    def bind_methods(self, tree, sigs):
        """``self.project(x)`` in a method calls its class's annotated method
        ``project`` (its own or inherited from a class of the module) with the
        signature after ``self`` (plain methods only)."""
        for cls in (s for s in tree.body if isinstance(s, ast.ClassDef)):
            own = [m for m in cls.body if isinstance(m, ast.FunctionDef)]
            methods = self.inherited_methods(cls) + own   # later ones override
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
            for m in own:
                self.methods[id(m)] = siblings

    def inherited_methods(self, cls, seen=frozenset()) -> list:
        """The methods of ``cls``'s base classes defined in the module, the
        farthest first."""
        found = []
        for base in cls.bases:
            parent = self.classes.get(base.id) if isinstance(base, ast.Name) else None
            if parent is not None and parent.name not in seen | {cls.name}:
                found += self.inherited_methods(parent, seen | {cls.name})
                found += [m for m in parent.body if isinstance(m, ast.FunctionDef)]
        return found

    def class_fields(self, cls: ast.ClassDef, seen=frozenset()) -> dict:
        """``weight: Float[Array, "out in"]`` in a class body (an equinox
        Module, a dataclass), and those of its base classes defined in the same
        module (the class's own win): field name -> (spec, line)."""
        if id(cls) in self.field_cache:
            return self.field_cache[id(cls)]
        fields = {}
        for base in cls.bases:
            parent = self.classes.get(base.id) if isinstance(base, ast.Name) else None
            if parent is not None and parent.name not in seen | {cls.name}:
                fields.update(self.class_fields(parent, seen | {cls.name}))
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                spec = self.read(stmt.annotation)
                if spec is not None:
                    fields[stmt.target.id] = (spec, stmt.lineno)
        self.field_cache[id(cls)] = fields
        return fields

    def annotated_class(self, annotation) -> ast.ClassDef | None:
        """The module's class an annotation names (``_State``, ``"_State"``,
        ``_State[Y]``), or None."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = parse_python(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(annotation, ast.Subscript):   # a generic class: its parameters
            annotation = annotation.value            # do not change its array fields
        if isinstance(annotation, ast.Name):
            return self.classes.get(annotation.id)
        return None

    def float_fields(self, cls: ast.ClassDef, seen=frozenset()) -> dict[str, int]:
        """The fields annotated ``float`` (``atol: float``), those of its base
        classes in the module too: name -> line. Like a parameter annotated
        ``float``, each is a Python float: a weak f32 scalar."""
        found = {}
        for base in cls.bases:
            parent = self.classes.get(base.id) if isinstance(base, ast.Name) else None
            if parent is not None and parent.name not in seen | {cls.name}:
                found.update(self.float_fields(parent, seen | {cls.name}))
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if isinstance(stmt.annotation, ast.Name) and stmt.annotation.id == "float":
                    found[stmt.target.id] = stmt.lineno
                else:
                    found.pop(stmt.target.id, None)   # redefined otherwise
        return found

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

