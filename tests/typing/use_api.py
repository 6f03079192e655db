"""A user's code, type-checked with ``mypy --strict`` by tests/test_api.py:
every public name of ``shapeinfer`` can be used without an ``Any`` leak or
an untyped call. Never run, only checked."""
from __future__ import annotations

import shapeinfer
from shapeinfer import CODES, Library, Result, RuleError, ShapeError, ShapeSyntaxError


def shapes(program: str) -> list[tuple[object, ...]]:
    result: Result = shapeinfer.infer(program, sizes={"n": 3}, assume=["a == b"], strict=True)
    described: str = result.describe()
    dtypes: list[str] = result.dtypes
    print(described, dtypes, result.to_json()["ok"], repr(result))
    return result.leaves


def error_code(program: str) -> str:
    try:
        shapeinfer.infer(program)
    except ShapeSyntaxError as e:
        return f"{e.code} at {e.span}"
    except ShapeError as e:
        kind: type[Exception] = e.exception_type
        name: str = e.exception
        return f"{e.code}: {name} {kind.__name__} {e.message} {e.render(program)}"
    return "ok"


def library() -> Library:
    try:
        return shapeinfer.load_rules("rule f: (a,) -> (a,)")
    except RuleError as e:
        raise SystemExit(f"{e.path}:{e.line}: {e.reason}") from None


def checked(program: str) -> bool:
    report = shapeinfer.check(program, sizes={"n": 2}, samples=2, rules=library())
    agreed: bool = report.agreed
    return agreed


descriptions: dict[str, str] = CODES
version: str = shapeinfer.__version__
