"""Rule file text -> :class:`~shapeinfer.rules.model.Rule` objects, or a
:class:`RuleError` naming the file, line and column.

Two passes, as in the expression language: the Lark grammar
(``grammar/rules.lark``) gives structure, :class:`_ToRules` builds the model,
and :func:`_validate` checks meaning (names bound, shape functions known and
called with their arity, parameter types and defaults, exception classes,
placeholders). A file with any mistake loads nothing.
"""
from __future__ import annotations

import ast as python_ast
import builtins
import functools
import re
import string
import sys

from lark import Lark, Token, Transformer_NonRecursive, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from .. import dims, dtype_rules, dtypes
from ..autodiff import DERIVATIVE_RULES
from ..errors import RuleError  # noqa: F401 - re-exported: the loader's error
from ..hooks import HOOK_PARAMS, HOOKS
from ..shape_functions import SHAPE_FUNCTIONS
from ..syntax import _grammar_text
from . import model as m


# Exception classes a rule may name: Python's own and the JAX classes that
# jax.eval_shape raises for shapes.
EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception)
    and not issubclass(value, (Warning, StopIteration, StopAsyncIteration))) | {
    "InconclusiveDimensionOperation", "ConcretizationTypeError", "TracerBoolConversionError",
    "TracerIntegerConversionError"}

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$")


class _Refused(Exception):
    """Raised inside the transformer; turned into a RuleError with the path."""

    def __init__(self, message: str, loc: m.Loc):
        super().__init__(message)
        self.loc = loc


@functools.lru_cache(maxsize=None)
def _parser() -> Lark:
    return Lark(_grammar_text("rules.lark"), parser="lalr", propagate_positions=True,
                maybe_placeholders=True, cache=True)


def parse_rules(text: str, path: str = "<rules>") -> list[m.Rule]:
    """Every rule of a rule file, one :class:`Rule` per name; raises :class:`RuleError`."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # Lark and the transformer recurse per nesting level
    try:
        return _parse_rules(text.removeprefix("\ufeff"), path)
    except RecursionError:
        raise RuleError("the rule file nests too deeply", path) from None
    finally:
        sys.setrecursionlimit(limit)


def _parse_rules(text: str, path: str) -> list[m.Rule]:
    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as e:
        raise RuleError(f"unexpected character {text[e.pos_in_stream]!r}",
                        path, e.line, e.column) from None
    except UnexpectedEOF:
        line = text.count("\n") + 1
        raise RuleError("unexpected end of file", path, line,
                        len(text) - text.rfind("\n")) from None
    except UnexpectedInput as e:
        token = getattr(e, "token", None)
        if token is not None and token.type == "$END":
            line = text.count("\n") + 1
            raise RuleError("unexpected end of file" + _expected(e), path, line,
                            len(text) - text.rfind("\n")) from None
        shown = repr(str(token)) if token is not None else "input"
        raise RuleError(f"unexpected {shown}" + _expected(e), path, e.line, e.column) from None
    _check_depth(tree, path)
    try:
        rules = _ToRules(path).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, _Refused):
            raise RuleError(str(e.orig_exc), path, *e.orig_exc.loc) from None
        raise e.orig_exc from None
    out = []
    for rule in rules:
        try:
            _validate(rule)
        except _Refused as e:
            raise RuleError(str(e), path, *e.loc) from None
        out.append(rule)
    return [r for group in out for r in _per_name(group)]


# The deepest parse tree a rule file may have. Rules are short and written by
# hand (a shape template nests a few levels); the matcher evaluates dims by
# recursion, so a deeper file is refused with its position instead.
MAX_DEPTH = 200


def _check_depth(tree: Tree, path: str) -> None:
    stack = [(tree, 1)]
    while stack:  # a loop: the tree may be arbitrarily deep
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RuleError(f"the rule nests more than {MAX_DEPTH} levels deep", path,
                            *_loc(node.meta if isinstance(node, Tree) else node))
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


_WORDS = {"RPAR": "')'", "LPAR": "'('", "COMMA": "','", "COLON": "':'", "NAME": "a name",
          "INT": "an integer", "STRING": "a string", "__ANON_0": "'->'", "MINUS": "'-'",
          "VBAR": "'|'", "RULE": "'rule'", "$END": "the end of the file", "EQUAL": "'='"}


def _expected(e) -> str:
    expected = getattr(e, "expected", None) or getattr(e, "allowed", None) or ()
    words = sorted({_WORDS.get(t, t.lower()) for t in expected})
    return f" (expected {', '.join(words)})" if 0 < len(words) <= 6 else ""


def _int(token: Token) -> int:
    if len(token.lstrip("0")) > dims.MAX_INT_DIGITS:  # dims.MAX_INT_DIGITS says why
        raise _Refused(f"integer literal too long (more than {dims.MAX_INT_DIGITS} digits)",
                       _loc(token))
    return int(token)


def _loc(meta_or_token) -> m.Loc:
    return (getattr(meta_or_token, "line", 0) or 0, getattr(meta_or_token, "column", 0) or 0)


def _string(token: Token) -> str:
    try:
        return python_ast.literal_eval(str(token))
    except (SyntaxError, ValueError) as e:
        raise _Refused(f"bad string {str(token)}: {e.msg if isinstance(e, SyntaxError) else e}",
                       _loc(token)) from None


# ---------------------------------------------------------------- parse tree -> model

class _Group:
    """A rule as written, before it is split into one Rule per name;
    :func:`_validate` adds ``signature`` (the Params) and ``settings``
    (its directives)."""

    def __init__(self, names, params, clauses, directives, loc, source):
        self.names, self.params, self.clauses = names, params, clauses
        self.directives, self.loc, self.source = directives, loc, source


@v_args(meta=True)
class _ToRules(Transformer_NonRecursive):  # any depth of tree is safe
    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def start(self, meta, children):
        return children

    def rule(self, meta, children):
        *names, params, body = children
        directives, clauses = body
        return _Group(names, params, clauses, directives, _loc(meta), self.source)

    def rule_name(self, meta, children):
        return ".".join(str(t) for t in children), _loc(meta)

    # -- parameters
    def params(self, meta, children):
        return [c for c in children if c is not None]

    def param(self, meta, children):
        name, type_, default = children
        return ("param", str(name), None if type_ is None else str(type_),
                m.REQUIRED if default is None else default[1], _loc(name))

    def default(self, meta, children):
        return ("default", _python_value(children[0]))

    def varargs_param(self, meta, children):
        name, type_ = children
        return ("varargs", str(name), None if type_ is None else str(type_), m.REQUIRED,
                _loc(name))

    def positional_marker(self, meta, children):
        return ("/", _loc(meta))

    def keyword_marker(self, meta, children):
        return ("*", _loc(meta))

    # -- body
    def body(self, meta, children):
        directives = [c for c in children if isinstance(c, tuple) and c and c[0] == "directive"]
        clauses = next((c for c in children if isinstance(c, list)), [])
        return directives, clauses

    def _directive(kind):  # noqa: N805 - a small factory used at class creation
        def method(self, meta, children):
            return ("directive", kind, children, _loc(meta))
        return method

    raises = _directive("raises")
    jax_callable = _directive("jax")
    python_callable = _directive("python")
    dtype = _directive("dtype")
    derivative = _directive("derivative")
    primitive = _directive("primitive")
    hook = _directive("hook")

    def rejects(self, meta, children):
        return ("rejects", [str(c) for c in children], _loc(meta))

    def early(self, meta, children):
        return ("early", None, _loc(meta))

    def message(self, meta, children):
        return ("message", _string(children[0]), _loc(meta))

    def weak(self, meta, children):
        return ("weak", str(children[0]), _loc(children[0]))

    def scalar(self, meta, children):
        return ("scalar", str(children[0]), _loc(children[0]))

    # -- clauses
    def clauses(self, meta, children):
        return children

    def clause(self, meta, children):
        patterns, outputs, *requirements = children
        return m.Clause(tuple(patterns or ()), tuple(outputs), tuple(requirements), _loc(meta))

    def patterns(self, meta, children):
        return children

    def shape_pattern(self, meta, children):
        items = tuple(c for c in children if c is not None)
        variadics = [i for i in items if isinstance(i, m.Variadic)]
        if len(variadics) > 1:
            raise _Refused(f"a pattern has at most one variadic, this one has "
                           f"{len(variadics)}: {', '.join(map(str, variadics))}", _loc(meta))
        return m.ShapePattern(items)

    def none_pattern(self, meta, children):
        return m.NonePattern()

    def variadic(self, meta, children):
        name = str(children[0])
        return m.Variadic(None if name == "_" else name)

    def outputs(self, meta, children):
        return [m.ShapeOf(c) if isinstance(c, m.DimCall) else c for c in children]

    def shape_template(self, meta, children):
        return m.ShapeTemplate(tuple(c for c in children if c is not None))

    def name_output(self, meta, children):
        return m.ShapeOf(m.DimName(str(children[0]), _loc(children[0])))

    def raise_output(self, meta, children):
        exception, message = children
        _check_exception(str(exception), _loc(exception))
        return m.RaiseOutput(str(exception), _string(message))

    def splice(self, meta, children):
        expr = children[0]
        return m.Splice(expr)

    def requirement(self, meta, children):
        *conditions, exception, message = children
        if exception is not None:
            _check_exception(str(exception), _loc(exception))
        return m.Requirement(tuple(conditions), None if exception is None else str(exception),
                             None if message is None else _string(message), _loc(meta))

    def condition(self, meta, children):
        left, op, right = children
        return m.Condition(left, str(op), right)

    # -- dims
    def _op(op):  # noqa: N805
        def method(self, meta, children):
            return m.DimOp(op, tuple(children))
        return method

    add, sub, mul, floordiv, mod = _op("+"), _op("-"), _op("*"), _op("//"), _op("%")

    def neg(self, meta, children):
        return m.DimOp("neg", tuple(children))

    def int(self, meta, children):
        return m.DimInt(_int(children[0]))

    def negative_int(self, meta, children):
        return m.DimInt(-_int(children[0]))

    def name(self, meta, children):
        return m.DimName(str(children[0]), _loc(children[0]))

    def arguments(self, meta, children):
        return tuple(children)

    def call(self, meta, children):
        name, args = children
        args = args or ()
        fn = SHAPE_FUNCTIONS.get(str(name))
        if fn is None:
            raise _Refused(f"unknown shape function {str(name)!r} (known: "
                           f"{', '.join(sorted(SHAPE_FUNCTIONS))})", _loc(name))
        if len(args) < fn.min_args or (fn.max_args is not None and len(args) > fn.max_args):
            raise _Refused(f"{fn.name}() takes {fn.arity_text()} argument"
                           f"{'s' if fn.max_args != 1 else ''}, got {len(args)}", _loc(name))
        return m.DimCall(str(name), args, _loc(name))

    # -- literals
    def string(self, meta, children):
        return _string(children[0])

    def none_literal(self, meta, children):
        return None

    def true_literal(self, meta, children):
        return True

    def false_literal(self, meta, children):
        return False

    def literals(self, meta, children):
        return tuple(children)

    def tuple_literal(self, meta, children):
        return children[0] or ()


def _python_value(literal):
    """A default as the Python value a caller would pass (2, (0, 1), None, ...)."""
    if isinstance(literal, m.DimInt):
        return literal.value
    if isinstance(literal, tuple):
        return tuple(_python_value(v) for v in literal)
    return literal


def _check_exception(name: str, loc):
    if name not in EXCEPTIONS:
        raise _Refused(f"unknown exception class {name!r} (use a Python exception class "
                       "such as TypeError or ValueError)", loc)


# ---------------------------------------------------------------- meaning

def _signature(group: _Group) -> tuple:
    """The group's parameters as :class:`Param` objects, Python's rules enforced."""
    params: list[m.Param] = []
    items = group.params or ()
    # Before a `/` parameters are positional-only; after a `*`, keyword-only.
    kind = "positional-only" if any(p[0] == "/" for p in items) else "positional"
    seen_default = False
    for item in items:
        if item[0] == "/":
            if kind != "positional-only":
                raise _Refused("'/' must come before '*' and appear once", item[1])
            if not params:
                raise _Refused("at least one parameter must come before '/'", item[1])
            kind = "positional"
            continue
        if item[0] == "*":
            if kind == "keyword":
                raise _Refused("'*' may appear once, and not after *name", item[1])
            if item is items[-1]:
                raise _Refused("named parameters must follow a bare '*'", item[1])
            kind = "keyword"
            continue
        what, name, type_, default, loc = item
        if any(p.name == name for p in params):
            raise _Refused(f"duplicate parameter {name!r}", loc)
        if what == "varargs":
            # `*operands`: the extra positional arguments, always arrays; the
            # parameters after it are keyword-only, as in Python.
            if kind == "keyword":
                raise _Refused(f"*{name} must come before '*' and appear once", loc)
            if type_ not in (None, "arrays"):
                raise _Refused(f"*{name} collects arrays; its type is arrays, not {type_}", loc)
            params.append(m.Param(name, "arrays", m.REQUIRED, "varargs", loc))
            kind = "keyword"
            continue
        type_ = type_ or "array"
        if type_ not in m.PARAM_TYPES:
            raise _Refused(f"unknown parameter type {type_!r} (known: "
                           f"{', '.join(m.PARAM_TYPES)})", loc)
        if default is not m.REQUIRED and type_ == "arrays":
            raise _Refused(f"{name!r} is a sequence of arrays; it has no default", loc)
        if default is not m.REQUIRED:
            _check_default(name, type_, default, loc)
            seen_default = True
        elif seen_default and kind != "keyword":
            raise _Refused(f"parameter {name!r} without a default follows one with a default",
                           loc)
        params.append(m.Param(name, type_, default, kind, loc))
    return tuple(params)


def _check_default(name: str, type_: str, default, loc):
    def fits() -> bool:
        if default is None:
            return True  # None means "not given" for every type
        if type_ == "int":
            return isinstance(default, int) and not isinstance(default, bool)
        if type_ == "number":
            return isinstance(default, (int, float)) and not isinstance(default, bool)
        if type_ == "bool":
            return isinstance(default, bool)
        if type_ == "str":
            return isinstance(default, str)
        if type_ == "value":
            return True  # any literal: the shape function taking it checks it
        if type_ == "dtype":
            return isinstance(default, str) and default in dtypes.SHORT_NAME
        ints = isinstance(default, tuple) and all(
            isinstance(d, int) and not isinstance(d, bool) for d in default)
        if type_ == "axes":
            return ints or (isinstance(default, int) and not isinstance(default, bool))
        if type_ == "shape":
            return ints
        return False  # arrays default to None only
    if not fits():
        shown = "None" if default is None else (str(default) if not isinstance(default, tuple)
                                                 else "(" + ", ".join(map(str, default)) + ")")
        raise _Refused(f"the default of {name!r} ({shown}) is not of type {type_}", loc)


def _directives(group: _Group) -> dict:
    out: dict = {}
    for _, kind, children, loc in group.directives:
        if kind in out:
            raise _Refused(f"a rule has one {kind!r} line", loc)
        if kind == "raises":
            exception, message = children
            _check_exception(str(exception), _loc(exception))
            out["raises"] = (str(exception), _string(message), loc)
        elif kind == "jax":
            target = _string(children[0])
            if not _DOTTED.match(target) or not target.startswith("jax."):
                raise _Refused(f"jax wants a JAX function's dotted name such as "
                               f"\"jax.nn.relu\", got {target!r} (use python "
                               "\"module:function\" for other code)", loc)
            out["jax"] = m.Callable("jax", target)
        elif kind == "python":
            target = _string(children[0])
            module, sep, attr = target.partition(":")
            if not sep or not _DOTTED.match(module) or not _DOTTED.match(attr):
                raise _Refused(f'python wants "module:function" (such as '
                               f'"mypkg.layers:attention"), got {target!r}', loc)
            out["python"] = m.Callable("python", target)
        elif kind == "dtype":
            out["dtype"] = _dtype_spec(children, loc)
        elif kind == "derivative":
            name = str(children[0])
            if name not in DERIVATIVE_RULES:
                raise _Refused(f"unknown derivative rule {name!r} (known: "
                               f"{', '.join(DERIVATIVE_RULES)})", _loc(children[0]))
            out["derivative"] = name
        elif kind == "primitive":
            out["primitive"] = _string(children[0])
        elif kind == "hook":
            name = str(children[0])
            if name not in HOOKS:
                raise _Refused(f"unknown hook {name!r} (known: {', '.join(sorted(HOOKS))})",
                               _loc(children[0]))
            out["hook"] = name
    if "jax" in out and "python" in out:
        raise _Refused("a rule stands for one callable: 'jax' or 'python', not both", group.loc)
    return out


def _dtype_spec(children, loc) -> m.DtypeSpec:
    base, *options = children
    if str(base) not in dtype_rules.BASES:
        raise _Refused(f"unknown dtype rule {str(base)!r} (known: "
                       f"{', '.join(dtype_rules.BASES)})", _loc(base))
    spec = m.DtypeSpec(str(base))
    rejects: list = []
    for option, value, oloc in options:
        if option == "rejects":
            kinds = [v for v in value if v in dtype_rules.KINDS]
            others = [v for v in value if v not in dtype_rules.KINDS]
            if not kinds or len(others) > 1:
                raise _Refused(f"rejects wants dtype kinds ({', '.join(dtype_rules.KINDS)}) "
                               "and at most one exception class", oloc)
            exception = others[0] if others else "TypeError"
            _check_exception(exception, oloc)
            rejects += [(k, exception) for k in kinds]
        elif option == "early":
            spec = m.DtypeSpec(**{**spec.__dict__, "early": True})
        elif option == "message":
            if "{" in value:
                raise _Refused("a dtype message is printed as written; it takes no "
                               "placeholders", oloc)
            spec = m.DtypeSpec(**{**spec.__dict__, "message": value})
        elif option == "weak":
            if value not in dtype_rules.WEAKNESS:
                raise _Refused(f"weak is one of {', '.join(dtype_rules.WEAKNESS)}", oloc)
            spec = m.DtypeSpec(**{**spec.__dict__, "weak": value})
        elif option == "scalar":
            if value not in dtype_rules.SCALARS:
                raise _Refused(f"scalar is one of {', '.join(dtype_rules.SCALARS)}", oloc)
            spec = m.DtypeSpec(**{**spec.__dict__, "scalar": value})
    return m.DtypeSpec(**{**spec.__dict__, "rejects": tuple(rejects)})


# Names the expression language keeps for itself: a rule so named could never be called.
_KEYWORDS = {"lambda", "assume", "None", "True", "False"}


def _validate(group: _Group):
    for name, loc in group.names:
        if name in _KEYWORDS:
            raise _Refused(f"{name!r} is a keyword of the expression language; a rule so "
                           "named could never be called", loc)
    params = _signature(group)
    directives = _directives(group)
    names = {p.name for p in params}
    needs = {**({directives["hook"]: HOOK_PARAMS[directives["hook"]]}
                if "hook" in directives else {}),
             **({f"dtype {directives['dtype'].base}":
                 dtype_rules.BASE_PARAMS.get(directives["dtype"].base, ())}
                if "dtype" in directives else {})}
    for what, wanted in needs.items():
        missing = [w for w in wanted if w not in names]
        if missing:
            raise _Refused(f"{what} reads the parameters {', '.join(wanted)}; this rule has "
                           f"no {', '.join(missing)}", group.loc)
    arrays = [p for p in params if p.array]
    counts = {len(c.patterns) for c in group.clauses}
    if not arrays and counts - {0}:
        # No array parameter declared: the patterns name them, positional-only.
        if len(counts) > 1:
            raise _Refused("the clauses take different numbers of arrays; declare the array "
                           "parameters, e.g. (x, y = None)", group.loc)
        n = counts.pop()
        implicit = tuple(m.Param(f"arg{i}", "array", m.REQUIRED, "positional-only", group.loc)
                         for i in range(n))
        params = implicit + params
        arrays = list(implicit)
    for clause in group.clauses:
        if len(clause.patterns) != len(arrays):
            raise _Refused(f"this clause has {len(clause.patterns)} pattern"
                           f"{'s' if len(clause.patterns) != 1 else ''} but the rule takes "
                           f"{len(arrays)} array{'s' if len(arrays) != 1 else ''} "
                           f"({', '.join(p.name for p in arrays)})", clause.loc)
        for pattern, param in zip(clause.patterns, arrays):
            if isinstance(pattern, m.NonePattern) and param.default is not None:
                raise _Refused(f"None matches an omitted argument, but {param.name!r} has no "
                               "default None", clause.loc)
        _check_names(clause, params)
    if not group.clauses and "hook" not in directives:
        raise _Refused("a rule needs at least one clause (patterns -> outputs)", group.loc)
    if "raises" in directives:
        _check_placeholders(directives["raises"][1], directives["raises"][2], params,
                            group.clauses, len(arrays))
    for clause in group.clauses:
        for req in clause.requirements:
            if req.message is not None:
                _check_placeholders(req.message, req.loc, params, [clause], len(arrays))
        for out in clause.outputs:
            if isinstance(out, m.RaiseOutput):
                _check_placeholders(out.message, clause.loc, params, [clause], len(arrays))
    group.signature = params
    group.settings = directives


def _pattern_names(clause: m.Clause) -> tuple[set, set]:
    """(dim names, variadic names) the clause's patterns bind."""
    dim_names: set = set()
    variadics: set = set()
    for pattern in clause.patterns:
        if isinstance(pattern, m.ShapePattern):
            for item in pattern.items:
                if isinstance(item, m.Variadic):
                    if item.name:
                        variadics.add(item.name)
                else:
                    dim_names |= m.names_in(item) - {"_"}
    return dim_names, variadics


def _check_names(clause: m.Clause, params):
    """Every name in the clause is bound, and used as what it is: a dim
    (a pattern name, an int parameter), a shape (a variadic, a shape
    parameter) or a value (any static parameter, as a shape function's
    argument)."""
    dim_names, variadics = _pattern_names(clause)
    by_name = {p.name: p for p in params if not p.array and not p.sequence}
    sequences = {p.name for p in params if p.sequence}
    for name in (dim_names | variadics) & sequences:
        raise _Refused(f"{name!r} is a sequence of arrays; patterns match single arrays",
                       clause.loc)
    for name in variadics:
        if name in by_name and by_name[name].type != "shape":
            raise _Refused(f"{name!r} is a parameter of type {by_name[name].type}; a variadic "
                           "(*name) can only be compared with a shape parameter", clause.loc)
    for name in dim_names:
        if name in by_name and by_name[name].type != "int":
            raise _Refused(f"{name!r} is a parameter of type {by_name[name].type}; only int "
                           "parameters are dims in a pattern", clause.loc)
    both = dim_names & variadics
    if both:
        raise _Refused(f"{sorted(both)[0]!r} is used both as a dim and as a variadic (*name)",
                       clause.loc)
    shapes = variadics | {n for n, p in by_name.items() if p.type == "shape"}
    dims_ = dim_names | {n for n, p in by_name.items() if p.type == "int"}
    values = set(by_name)

    def unbound(name, loc):
        return _Refused(f"{name!r} is bound by no pattern of this clause and is no parameter",
                        loc)

    def not_sequence(expr):
        if isinstance(expr, m.DimName) and expr.name in sequences:
            raise _Refused(f"{expr.name!r} is a sequence of arrays; pass it to a shape function "
                           "that takes arrays, such as concatenate(arrays, axis)", expr.loc)

    def check_dim(expr, where="here"):
        """``expr`` in a dim position."""
        not_sequence(expr)
        if isinstance(expr, m.DimName):
            if expr.name == "_":
                raise _Refused("'_' matches any dim in a pattern; it has no value here", expr.loc)
            if expr.name in shapes:
                hint = ("conditions compare dims: use rank(x) or prod(x)" if where == "condition"
                        else f"splice it with *{expr.name}")
                raise _Refused(f"{expr.name!r} is a shape, not a dim; {hint}", expr.loc)
            if expr.name in values and expr.name not in dims_:
                raise _Refused(f"{expr.name!r} is a parameter of type "
                               f"{by_name[expr.name].type}, not a dim", expr.loc)
            if expr.name not in dims_:
                raise unbound(expr.name, expr.loc)
        elif isinstance(expr, m.DimOp):
            for a in expr.args:
                check_dim(a, where)
        elif isinstance(expr, m.DimCall):
            if SHAPE_FUNCTIONS[expr.name].returns != "dim":
                raise _Refused(f"{expr.name}() gives a shape, not a dim; splice it with "
                               f"*{expr.name}(...)", expr.loc)
            check_args(expr)
        elif not isinstance(expr, m.DimInt):
            raise _Refused(f"{expr!r} is not a dim", clause.loc)

    def check_shape(expr):
        """``expr`` where a shape is wanted (a splice, a whole output, an argument)."""
        not_sequence(expr)
        if isinstance(expr, m.DimName):
            if expr.name in shapes:
                return
            if expr.name in dims_:
                raise _Refused(f"{expr.name!r} is a dim, not a shape; write ({expr.name})",
                               expr.loc)
            if expr.name in values:
                raise _Refused(f"{expr.name!r} is a parameter of type "
                               f"{by_name[expr.name].type}, not a shape", expr.loc)
            raise unbound(expr.name, expr.loc)
        if isinstance(expr, m.DimCall) and SHAPE_FUNCTIONS[expr.name].returns == "shape":
            check_args(expr)
            return
        raise _Refused(f"{expr} is not a shape", getattr(expr, "loc", clause.loc))

    def check_args(call: m.DimCall):
        fn = SHAPE_FUNCTIONS[call.name]
        for i, a in enumerate(call.args):
            kind = fn.kind_of(i)
            if kind == "arrays":
                if not (isinstance(a, m.DimName) and a.name in sequences):
                    raise _Refused(f"argument {i + 1} of {call.name}() is a sequence of arrays: "
                                   "a parameter of type arrays (or *name)", call.loc)
            elif kind == "shape":
                check_shape(a)
            elif kind == "dim":
                check_dim(a)
            elif isinstance(a, m.DimName) and a.name in values:
                continue  # a parameter of any type
            elif isinstance(a, m.DimName) and a.name in sequences:
                not_sequence(a)
            elif isinstance(a, (m.DimName, m.DimOp, m.DimCall, m.DimInt)):
                check_dim(a)

    for pattern in clause.patterns:
        if isinstance(pattern, m.ShapePattern):
            for item in pattern.items:
                if isinstance(item, (m.DimOp, m.DimCall)):
                    if "_" in m.names_in(item):
                        raise _Refused("'_' stands alone in a pattern", clause.loc)
                    if isinstance(item, m.DimCall):
                        check_dim(item)
    for out in clause.outputs:
        if isinstance(out, m.ShapeTemplate):
            for item in out.items:
                if isinstance(item, m.Splice):
                    check_shape(item.expr)
                else:
                    check_dim(item)
        elif isinstance(out, m.ShapeOf):
            check_shape(out.expr)
    for req in clause.requirements:
        for cond in req.conditions:
            check_dim(cond.left, "condition")
            check_dim(cond.right, "condition")


def _check_placeholders(message: str, loc, params, clauses, n_arrays: int):
    known = {p.name for p in params}
    for clause in clauses:
        dim_names, variadics = _pattern_names(clause)
        known |= dim_names | variadics
    try:
        parsed = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(message)
                  if f is not None]
    except ValueError as e:
        raise _Refused(f"bad message {message!r}: {e}", loc) from None
    for name, spec, conversion in parsed:
        if spec or conversion or not (name.isdigit() or name.isidentifier()):
            raise _Refused(f"a placeholder is {{NAME}} or {{NUMBER}}, without a format: "
                           f"{message!r}", loc)
        if name.isdigit():
            if int(name) >= n_arrays:
                raise _Refused(f"placeholder {{{name}}} names argument {name}, but the rule "
                               f"takes {n_arrays} array{'s' if n_arrays != 1 else ''}", loc)
        elif name not in known:
            raise _Refused(f"placeholder {{{name}}} names nothing: no parameter or pattern "
                           f"name is called {name!r}", loc)


# ---------------------------------------------------------------- one Rule per name

def default_callable(name: str) -> m.Callable:
    """``jax.numpy.NAME``, or the function a JAX-style name spells
    (``lax.rsqrt`` is ``jax.lax.rsqrt``, ``jnp.linalg.norm`` is ``jax.numpy.linalg.norm``)."""
    if name.startswith("jax."):
        return m.Callable("jax", name)
    for full, short in m.PREFIXES:
        if name.startswith(short):
            return m.Callable("jax", full + name[len(short):])
    return m.Callable("jax", f"jax.numpy.{name}")


def _per_name(group: _Group) -> list[m.Rule]:
    settings = group.settings
    raises = settings.get("raises")
    rules = []
    for name, loc in group.names:
        call = settings.get("jax") or settings.get("python")
        rules.append(m.Rule(
            name=name, params=group.signature, clauses=tuple(group.clauses),
            callable=call or default_callable(name),
            dtype=settings.get("dtype", m.DtypeSpec()),
            derivative=settings.get("derivative", "unknown"),
            primitive=settings.get("primitive", name.rpartition(".")[2]),
            hook=settings.get("hook"),
            raises=None if raises is None else raises[:2],
            source=group.source, loc=loc))
    return rules
