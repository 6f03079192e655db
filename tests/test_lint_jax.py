"""JAX confirms the linter: each return finding (SHP002) and body error
(SHP005) in the fixtures is what ``jax.eval_shape`` does with the fixture's
function at sampled sizes, and every checkable function of a clean twin
returns its annotated shape there. (The linter never imports the code it
lints; this test does, with a stand-in for jaxtyping, which is not a
dependency.)"""
from __future__ import annotations

import ast
import importlib.util
import re
import sys
import types
from pathlib import Path

import pytest

from shapeinfer import syntax as S
from shapeinfer.engine import Evaluator
from shapeinfer.library import builtins
from shapeinfer.lint import lint_source
from shapeinfer.lint.annotations import Imports, module_aliases, read_annotation

jax = pytest.importorskip("jax")

FIXTURES = Path(__file__).resolve().parent / "lint_fixtures"
PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53)
DTYPES = {"f32": "float32", "f64": "float32", "f16": "float16", "bf16": "bfloat16",
          "i32": "int32", "i64": "int32", "i8": "int8", "i16": "int16", "bool": "bool",
          "c64": "complex64", "c128": "complex64", "u8": "uint8", "u16": "uint16",
          "u32": "uint32", "u64": "uint32"}


def _is_float(annotation) -> bool:
    return isinstance(annotation, ast.Name) and annotation.id == "float"


class _Annotation:
    """Stands for jaxtyping's classes: subscripting gives the class back."""

    def __class_getitem__(cls, item):
        return cls


def _stub_jaxtyping():
    module = types.ModuleType("jaxtyping")
    module.__getattr__ = lambda name: _Annotation
    return module


def _stub_equinox():
    module = types.ModuleType("equinox")
    module.Module = type("Module", (), {})
    return module


def load(path: Path):
    sys.modules.setdefault("jaxtyping", _stub_jaxtyping())
    sys.modules.setdefault("equinox", _stub_equinox())
    spec = importlib.util.spec_from_file_location(f"lint_fixture_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Fixture:
    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text()
        self.tree = ast.parse(self.text)
        self.imports = Imports(self.tree)
        self.aliases = module_aliases(self.tree, self.imports, lambda *a: None)
        self.module = load(path)

    def functions(self):
        """Module functions, and methods as (class, method) pairs' methods;
        ``self.owner`` maps a method to its class."""
        out, self.owner = [], {}
        for s in self.tree.body:
            if isinstance(s, ast.FunctionDef):
                out.append(s)
            elif isinstance(s, ast.ClassDef):
                for item in s.body:
                    if isinstance(item, ast.FunctionDef):
                        out.append(item)
                        self.owner[id(item)] = s
        return out

    def params(self, func):
        """The annotated arrays a call needs: fields first (for a method), then
        the parameters (without ``self``); a parameter annotated with a class
        of the module stands for its fields, ``state.lower``, whose size names
        are the function's, as the linter reads them."""
        cls = self.owner.get(id(func))
        args = func.args.args if cls is None else func.args.args[1:]
        out = [] if cls is None else list(dict(self.fields(cls)).items())
        for a in args:
            instance = self.instance_class(a.annotation)
            if instance is None:
                out.append((a.arg, a.annotation))
            else:
                out += [(f"{a.arg}.{name}", ann) for name, ann in dict(
                    self.fields(instance)).items()]
        return out

    def instance_class(self, annotation):
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = ast.parse(annotation.value, mode="eval").body
        classes = {s.name: s for s in self.tree.body if isinstance(s, ast.ClassDef)}
        return classes.get(annotation.id) if isinstance(annotation, ast.Name) else None

    def fields(self, cls):
        """The class's annotated array fields, those of its bases in the module first."""
        classes = {s.name: s for s in self.tree.body if isinstance(s, ast.ClassDef)}
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                yield from self.fields(classes[base.id])
        yield from ((s.target.id, s.annotation) for s in cls.body
                    if isinstance(s, ast.AnnAssign) and (self.spec(s.annotation) is not None
                                                         or _is_float(s.annotation)))

    def containing(self, line: int) -> ast.FunctionDef:
        return next(f for f in self.functions() if f.lineno <= line <= f.end_lineno)

    def checkable(self, func) -> bool:
        """Every parameter an array annotation JAX can be given a shape for
        (``*name``, ``...`` and ``#name`` at a case) or ``float``; only
        jit-like decorators."""
        if any("jit" not in ast.unparse(d) for d in func.decorator_list):
            return False
        specs = [self.spec(annotation) for _, annotation in self.params(func)
                 if not _is_float(annotation)]
        return all(s is not None and s.dtype and all(
            d.checkable or (d.kind, d.modifiers) in (("variadic", "*"), ("broadcast", "#"))
            for d in s.dims) for s in specs)

    def spec(self, annotation):
        try:
            return read_annotation(annotation, self.imports, self.aliases)
        except Exception:  # noqa: BLE001 - a malformed annotation is not checkable
            return None

    def tuple_specs(self, func):
        annotation = func.returns
        if isinstance(annotation, ast.Constant):
            annotation = ast.parse(annotation.value, mode="eval").body
        return [self.spec(e) for e in annotation.slice.elts]

    def names(self, func, case=None) -> dict[str, int]:
        """Distinct primes for the size names, and for the axes a case gives
        a `*name` (``batch_0``...) and `...` / ``_`` (``x.shape[0]``...), as
        the linter names them."""
        case = case or Case()
        names = []
        for pname, annotation in self.params(func):
            if _is_float(annotation):
                continue
            axis = 0
            for d in self.spec(annotation).dims:
                if d.kind == "variadic" and d.text != "..." and not d.text.startswith("_"):
                    case.bound.add(d.text)
                    names += [f"{d.text}_{i}" for i in range(case.rank)]
                    axis += case.rank
                    continue
                width = case.rank if d.kind == "variadic" else 1
                if d.kind in ("variadic", "anonymous"):
                    names += [f"{pname}.shape[{axis + i}]" for i in range(width)]
                elif d.kind in ("name", "broadcast"):
                    names.append(d.text)
                axis += width
        return {n: PRIMES[i] for i, n in enumerate(dict.fromkeys(names))}

    def shape(self, spec, owner, sizes, case=None, free=None) -> tuple:
        """The concrete shape of a parameter's ``spec`` at ``sizes`` and
        ``case``; for a return, ``free`` (the result's shape) fills its
        `...` and `#name` items, which accept any axes and 1 there."""
        case, shape = case or Case(), []
        for d in spec.dims:
            axis = len(shape)
            if d.kind == "variadic" and free is not None and d.text not in case.bound:
                shape += free[axis:len(free) - (len(spec.dims) - spec.dims.index(d) - 1)]
            elif d.kind == "variadic" and d.text != "..." and not d.text.startswith("_"):
                shape += [sizes[f"{d.text}_{i}"] for i in range(case.rank)]
            elif d.kind == "variadic":
                shape += [sizes[f"{owner}.shape[{axis + i}]"] for i in range(case.rank)]
            elif d.kind == "anonymous":
                shape.append(sizes.get(f"{owner}.shape[{axis}]", 4))
            elif d.kind == "broadcast" and ((owner, d.text) in case.ones or (
                    free is not None and free[axis] == 1)):
                shape.append(1)
            else:
                shape.append(size_of(d.text, sizes))
        return tuple(shape)

    def run(self, func, sizes, case=None):
        args = []
        for pname, annotation in self.params(func):
            if _is_float(annotation):
                args.append(0.5)  # a Python float: JAX traces it as a weak f32 scalar
                continue
            spec = self.spec(annotation)
            shape = self.shape(spec, pname, sizes, case)
            args.append(jax.ShapeDtypeStruct(shape, DTYPES[spec.dtype]))
        cls = self.owner.get(id(func))
        names = [name for name, _ in self.params(func)]
        n_fields = 0 if cls is None else len(dict(self.fields(cls)))   # the method's

        def call(*values):  # by_param holding the traced fields
            params = func.args.args if cls is None else func.args.args[1:]
            by_param = {a.arg: object.__new__(getattr(self.module, self.instance_class(
                a.annotation).name)) for a in params if self.instance_class(a.annotation)}
            for name, value in zip(names[n_fields:], values[n_fields:]):
                if "." in name:
                    owner, attr = name.split(".")
                    object.__setattr__(by_param[owner], attr, value)
                else:
                    by_param[name] = value
            positional = [by_param[a.arg] for a in params]
            if cls is None:
                return getattr(self.module, func.name)(*positional)
            obj = object.__new__(getattr(self.module, cls.name))
            for name, value in zip(names[:n_fields], values):
                object.__setattr__(obj, name, value)
            return getattr(obj, func.name)(*positional)

        return jax.eval_shape(call, *args)


class Case:
    """A case of a function with `*name` / `#name` parameters, as a
    finding's ``(when *batch has 2 axes and #n of x is 1)`` states it."""

    def __init__(self, rank=0, ones=()):
        self.rank, self.ones = rank, set(ones)
        self.bound = set()   # the `*name`s of the parameters (Fixture.names)

    @classmethod
    def of(cls, message: str) -> "Case":
        note = re.search(r"\(when (.*?)\)(?: \[|$)", message)
        if note is None:
            return cls(1)   # no note: every case has it; the first is rank 1
        text = note.group(1)
        count = re.search(r"ha(?:s|ve) (no|\d+) ax", text)
        ones = re.findall(r"#(\w+) of (\w+) is 1", text)
        return cls(0 if count is None or count.group(1) == "no" else int(count.group(1)),
                   [(owner, name) for name, owner in ones])


def size_of(text: str, sizes) -> int:
    return int(Evaluator(builtins(), sizes=sizes).eval(S.parse(text).expr, {}))


def shape_at(text: str, sizes) -> tuple:
    # `x.shape[0]`: an axis of a `...`, as the linter names it
    text = re.sub(r"\w+\.shape\[\d+\]", lambda m: str(sizes[m.group(0)]), text)
    value = Evaluator(builtins(), sizes=sizes).eval(S.parse(text).expr, {})
    return tuple(int(d) for d in value)


FIXTURE_PATHS = sorted(p for p in FIXTURES.glob("*.py") if not p.stem.endswith("_clean"))


@pytest.mark.parametrize("path", FIXTURE_PATHS, ids=lambda p: p.name)
def test_findings_agree_with_jax(path):
    fx = Fixture(path)
    confirmed = 0
    for f in lint_source(fx.text, str(path)):
        if f.code not in ("SHP002", "SHP005"):
            continue
        func = fx.containing(f.line)
        assert fx.checkable(func), f"{func.name}: make the fixture checkable by JAX"
        case = Case.of(f.message)
        sizes = fx.names(func, case)
        if f.code == "SHP005":
            exception = f.message.split(":", 1)[0]
            with pytest.raises(Exception) as raised:
                fx.run(func, sizes, case)
            assert type(raised.value).__name__ == exception, f.message
        else:
            confirm_return(fx, func, sizes, f.message, case)
        confirmed += 1
    assert confirmed, "no finding of this fixture was confirmed by JAX"


def sizes_where(condition: str, sizes) -> dict | None:
    """``sizes`` changed so that ``condition`` (``2*n == m``, ``a == b and
    b == c``) holds, by setting the name on one side of each equality to the
    other side's value; None when that does not make it hold."""
    sizes = dict(sizes)
    value = lambda text: size_of(re.sub(r"\w+\.shape\[\d+\]", lambda m: str(sizes[m.group(0)]),
                                        text), sizes)
    clauses = [c.split(" == ") for c in condition.split(" and ")]
    for left, right in clauses:
        if right in sizes:
            sizes[right] = value(left)
        elif left in sizes:
            sizes[left] = value(right)
    if all(value(left) == value(right) for left, right in clauses):
        return sizes
    return None


@pytest.mark.parametrize("path", FIXTURE_PATHS, ids=lambda p: p.name)
def test_conditions_agree_with_jax(path):
    """Each condition an SHP005 message gives (`it would pass if 2*n == m`)
    makes JAX pass at sizes where it holds."""
    fx = Fixture(path)
    for f in lint_source(fx.text, str(path)):
        conditions = re.search(r"\(it would pass if (.*?)\)(?: \(when| \[|$)", f.message)
        if f.code != "SHP005" or conditions is None:
            continue
        func = fx.containing(f.line)
        case = Case.of(f.message)
        for condition in conditions.group(1).split(" or if "):
            sizes = sizes_where(condition, fx.names(func, case))
            assert sizes is not None, (f.message, condition)
            fx.run(func, sizes, case)   # raises if the condition is wrong


def confirm_return(fx, func, sizes, message, case):
    """JAX returns what the SHP002 message says, and not the annotated shape."""
    result = fx.run(func, sizes, case)
    count = re.match(r"returns (\d+) values where a tuple of (\d+)", message)
    if count:
        assert (len(result), len(fx.tuple_specs(func))) == tuple(map(int, count.groups()))
        return
    item = re.match(r"returns (?:as item (\d+) )?(\(.*?\)) where", message)
    if item.group(1) is not None:
        result = result[int(item.group(1))]
        annotated = fx.tuple_specs(func)[int(item.group(1))]
    else:
        annotated = fx.spec(func.returns)
    assert result.shape == shape_at(item.group(2), sizes), message
    assert result.shape != fx.shape(annotated, "return", sizes, case, free=result.shape)


def cases_of(fx, func):
    """Ranks 0-3 when a parameter has a `*name` or `...` (else one), each
    with every choice of size 1 for its `#name` items."""
    specs = [(p, fx.spec(a)) for p, a in fx.params(func) if not _is_float(a)]
    ranks = (0, 1, 2, 3) if any(d.kind == "variadic" for _, s in specs for d in s.dims) else (0,)
    items = [(p, d.text) for p, s in specs for d in s.dims if d.kind == "broadcast"]
    for rank in ranks:
        for k in range(2 ** len(items)):
            yield Case(rank, [it for i, it in enumerate(items) if k >> i & 1])


@pytest.mark.parametrize("path", [p.with_name(p.stem + "_clean.py") for p in FIXTURE_PATHS],
                         ids=lambda p: p.name)
def test_clean_twins_agree_with_jax(path):
    fx = Fixture(path)
    checked = 0
    for func in fx.functions():
        annotated = fx.spec(func.returns)
        if not fx.checkable(func) or annotated is None:
            continue
        for case in cases_of(fx, func):
            sizes = fx.names(func, case)
            if any(d.kind == "name" and d.text not in sizes for d in annotated.dims):
                continue   # a size only the return names: any size passes
            result = fx.run(func, sizes, case)
            want = fx.shape(annotated, "return", sizes, case, free=result.shape)
            assert result.shape == want, (func.name, case.rank, case.ones)
        checked += 1
    assert checked >= 3
