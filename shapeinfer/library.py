"""The library: every operation and transformation by each name it is
reachable by (bare, ``jnp.``, ``jax.numpy.``, ``jax.nn.``, ``lax.``, ``jax.``).

A :class:`Library` is a value: the built-in one holds the transformations
and the rule files shipped in ``shapeinfer/rules/builtin/``;
:func:`load_rules` gives a new library with more rules on top, a later
definition of a name overriding an earlier one (built-ins included). The
engine and the checker take the same library object, so a user's rule is
seen by both.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from pathlib import Path

from .autodiff import DifferentiateTransform
from .control_flow import (CondTransform, ForiLoopTransform, ScanTransform, TreeMapTransform,
                           WhileLoopTransform)
from .engine import refuse_keywords
from .operation import Operation
from .rules import cache as rule_cache
from .rules.model import PREFIXES, Rule
from .transforms import PartialTransform, PassThroughTransform, VmapTransform
from . import dtypes
from .errors import RuleError, ShapeError
from .values import DType, Function, ScalarType, Transform, to_array
from .vectorize import VectorizeTransform

BUILTIN_RULES = Path(__file__).resolve().parent / "rules" / "builtin"


class Library(Mapping):
    """Names -> :class:`Function` (and the dtypes, ``jnp.float32`` ...).
    ``rules`` lists every rule in load order;
    ``loaded`` those loaded on top of the built-ins, from ``sources`` (the
    rule files, or "<rules>" for text)."""

    def __init__(self, names: dict[str, Function], rules: tuple[Rule, ...] = (),
                 sources: tuple[str, ...] = (), loaded: tuple[Rule, ...] = ()):
        self._names = dict(names)
        self.rules = rules
        self.sources = sources
        self.loaded = loaded

    def __getitem__(self, name: str) -> Function:
        return self._names[name]

    def __contains__(self, name) -> bool:
        # (Mapping's raises and catches a KeyError for every name that is not
        # here: every size symbol the evaluator looks up)
        return name in self._names

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def with_rules(self, rules: list[Rule], source: str = "<rules>") -> "Library":
        """A new library: this one with ``rules`` added, later names overriding."""
        names = dict(self._names)
        for rule in rules:
            op = Operation(rule)
            for alias in aliases(rule):
                if alias in _TRANSFORMS:
                    raise RuleError(f"{alias!r} is a transformation; a rule cannot replace it",
                                    rule.source, *rule.loc)
                names[alias] = op
        return Library(names, self.rules + tuple(rules), self.sources + (source,),
                       self.loaded + tuple(rules))

    def rule(self, name: str) -> Rule | None:
        """The rule a name resolves to (None for transformations and unknown names)."""
        op = self._names.get(name)
        return op.rule if isinstance(op, Operation) else None

    def __repr__(self) -> str:
        return f"<Library of {len(self.rules)} rules, {len(self._names)} names>"


def aliases(rule: Rule) -> list[str]:
    """The names a rule is reachable by: its own, and when it is the rule of a
    JAX function of the same name, every spelling of that function
    (``add`` is also ``jnp.add`` and ``jax.numpy.add``; ``relu`` for
    ``jax.nn.relu`` is also ``nn.relu``; ``lax.rsqrt`` is also
    ``jax.lax.rsqrt``). A rule named ``myrelu`` standing for ``jax.nn.relu``
    is reachable as ``myrelu`` only."""
    names = [rule.name]
    target = rule.callable.target
    if rule.callable.kind != "jax" or rule.name.rpartition(".")[2] != target.rpartition(".")[2]:
        return names
    names.append(target)
    for full, short in PREFIXES:
        if target.startswith(full):
            rest = target[len(full):]
            names.append(short + rest)
            if short != "lax.":  # jax.numpy and jax.nn functions go by their bare names too
                names.append(rest)
    return list(dict.fromkeys(names))


class ResultType(Transform):
    """``jnp.result_type(*args)``: the dtype the arguments promote to, as a
    dtype value (``zeros((n,), result_type(x, y))``). Weak Python scalars
    take part in the promotion; the result is a dtype, so weakness ends here.
    (A Transform only in that its operands reach JAX's own function as they
    are, in the checker.)"""

    name = "result_type"
    jax_name = "jax.numpy.result_type"
    takes_operands = True

    def call(self, ev, args, kwargs, site):
        refuse_keywords("result_type", kwargs, site)
        if not args:
            raise ShapeError("bad-argument", "ValueError",
                             "at least one array or dtype is required", site.span)
        operands = []
        for i, a in enumerate(args):
            if isinstance(a, DType):
                operands.append((dtypes.canonical(a.name), False))
            else:
                value = to_array(a, site.arg(i))
                operands.append((value.dtype, value.weak))
        return DType(dtypes.canonical(dtypes.result_type(*operands)[0]))


def _make_transforms() -> dict[str, Function]:
    # jax.jit's and jax.checkpoint's options in the pinned JAX
    jit = PassThroughTransform("jit", "jax.jit", (
        "in_shardings", "out_shardings", "static_argnums", "static_argnames", "donate_argnums",
        "donate_argnames", "keep_unused", "device", "backend", "inline", "compiler_options"),
        fun_positional_only=True)
    checkpoint = PassThroughTransform("checkpoint", "jax.checkpoint", (
        "prevent_cse", "policy", "static_argnums", "static_argnames", "concrete"))
    transforms = [
        (VmapTransform(), ("vmap", "jax.vmap")),
        (jit, ("jit", "jax.jit")),
        (checkpoint, ("checkpoint", "jax.checkpoint", "remat", "jax.remat")),
        (PartialTransform(), ("partial", "functools.partial")),
        (DifferentiateTransform("grad"), ("grad", "jax.grad")),
        (DifferentiateTransform("value_and_grad"), ("value_and_grad", "jax.value_and_grad")),
        (DifferentiateTransform("jacfwd"), ("jacfwd", "jax.jacfwd")),
        (DifferentiateTransform("jacrev"), ("jacrev", "jax.jacrev", "jacobian", "jax.jacobian")),
        (DifferentiateTransform("hessian"), ("hessian", "jax.hessian")),
        (CondTransform("cond"), ("lax.cond", "jax.lax.cond")),
        (CondTransform("switch"), ("lax.switch", "jax.lax.switch")),
        (ForiLoopTransform("fori_loop"), ("lax.fori_loop", "jax.lax.fori_loop")),
        (WhileLoopTransform("while_loop"), ("lax.while_loop", "jax.lax.while_loop")),
        (ScanTransform("scan"), ("lax.scan", "jax.lax.scan")),
        (VectorizeTransform(), ("vectorize", "jnp.vectorize", "jax.numpy.vectorize")),
        (TreeMapTransform(), ("jax.tree.map", "jax.tree_util.tree_map", "tree.map",
                              "tree_util.tree_map")),
        (ResultType(), ("result_type", "jnp.result_type", "jax.numpy.result_type")),
    ]
    return {alias: t for t, names in transforms for alias in names}


_TRANSFORMS = _make_transforms()

# The dtypes as values: jnp.float32, jax.numpy.int8, jnp.bool_, ...
_DTYPE_NAMES = {f"{prefix}{numpy_name}": ScalarType(short)
                for short, numpy_name in dtypes.NUMPY_NAME.items()
                for prefix in ("jnp.", "jax.numpy.")}
_DTYPE_NAMES.update({"jnp.bool_": ScalarType("bool"), "jax.numpy.bool_": ScalarType("bool")})

# jax.numpy's constants are Python floats (weakly typed where they meet
# arrays), and jnp.newaxis is None.
_CONSTANTS = {f"{prefix}{name}": value
              for name, value in (("pi", math.pi), ("e", math.e), ("inf", math.inf),
                                  ("nan", math.nan), ("euler_gamma", 0.5772156649015329),
                                  ("newaxis", None))
              for prefix in ("jnp.", "jax.numpy.")}


@functools.lru_cache(maxsize=None)
def builtins() -> Library:
    """The built-in library: the transformations and the shipped rule files
    (parsed once per machine and kept in the user's cache directory, see
    :mod:`shapeinfer.rules.cache`)."""
    from . import __version__
    files = [(f"shapeinfer/rules/builtin/{path.name}", path.read_text(encoding="utf-8"))
             for path in sorted(BUILTIN_RULES.glob("*.rules"))]
    library = Library({**_TRANSFORMS, **_DTYPE_NAMES, **_CONSTANTS})
    for rules in rule_cache.load(files, __version__, _parse_rules):
        library = library.with_rules(rules)
    return Library(dict(library), library.rules)


def load_rules(source, library: Library | None = None) -> Library:
    """A library with the rules of ``source`` on top of ``library`` (the built-ins).

    ``source`` is a path (``str`` or ``Path``) to a rule file, or the text of
    rules itself. A file with any mistake loads nothing: :class:`RuleError`
    says ``FILE:LINE:COL: what is wrong``.

    >>> lib = load_rules("rule attention: (*b, q, d), (*b, k, d), (*b, k, v) -> (*b, q, v)")
    >>> from shapeinfer import infer
    >>> str(infer("attention((2,5,8), (2,7,8), (2,7,4))", rules=lib))
    '(2, 5, 4)'
    """
    library = builtins() if library is None else library
    text, name = _read(source)
    return library.with_rules(list(_parsed(text, name)), name)


@functools.lru_cache(maxsize=64)
def _parsed(text: str, name: str) -> tuple[Rule, ...]:
    """Rules are frozen values, so a text loaded again (``infer(rules=PATH)``
    in a loop) is parsed once; a changed file is a different text."""
    return tuple(_parse_rules(text, name))


def _parse_rules(text: str, name: str) -> list[Rule]:
    """The rule loader's parse (it imports Lark and the rules grammar, which
    a process whose built-in rules come from the cache never needs)."""
    from .rules.loader import parse_rules
    return parse_rules(text, name)


def _read(source) -> tuple[str, str]:
    """(text, name for messages) of a rule source: a path, or rules as text."""
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        try:
            return path.read_text(encoding="utf-8"), str(source)
        except (OSError, UnicodeDecodeError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise RuleError(f"cannot read the rule file: {reason}", str(source), 0, 0) from None
    if isinstance(source, str):
        return source, "<rules>"
    raise TypeError(f"load_rules wants a path or the text of rules, got {type(source).__name__}")


def _looks_like_path(text: str) -> bool:
    """A one-line string that is not itself a rule is a file name."""
    return (bool(text.strip()) and "\n" not in text
            and not text.lstrip().startswith(("rule ", "rule\t", "#")))


def resolve(rules) -> Library:
    """The library for an ``infer`` / ``check`` call's ``rules=`` argument:
    None (the built-ins), a :class:`Library`, a path or rules text, or a list
    of those (loaded in order)."""
    if rules is None:
        return builtins()
    if isinstance(rules, Library):
        return rules
    if isinstance(rules, (list, tuple)):
        library = builtins()
        for source in rules:
            if isinstance(source, Library):  # its own rules, on top of what came before
                library = library.with_rules(list(source.loaded), "<library>")
            else:
                _check_rule_source(source)
                library = load_rules(source, library)
        return library
    _check_rule_source(rules)
    return load_rules(rules)


def _check_rule_source(source) -> None:
    """A TypeError naming ``rules=`` for a value that is no rule source."""
    if not isinstance(source, (str, Path)):
        raise TypeError("rules must be a Library, a rule file's path, rules as text, "
                        f"or a list of those; got {type(source).__name__}")
