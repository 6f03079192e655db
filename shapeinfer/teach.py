"""``shapeinfer table`` and ``shapeinfer solve``: every in_axes / out_axes.

A program with ``?`` placeholders, such as ``vmap(add, ?, ?)((2,2), (2,2))``,
stands for the programs with each ``?`` filled by a valid value:

- a ``?`` standing for a whole ``in_axes`` is a tuple with one entry per
  positional argument, each entry None or an axis of that argument, every
  axis positive and negative (``(0, None)``, ``(-1, 1)``, ...);
- a ``?`` standing for a part of an in_axes (a tuple entry, a dict value,
  at any depth) is None or an axis of the part of the arguments it
  describes;
- a ``?`` standing for ``out_axes`` (or a part of it) is None or a position
  of the output with the mapped axis added, positive and negative;
- a ``?`` standing for an operation's ``axis`` is None or an axis of its
  first argument (a position of the result for :data:`NEW_AXIS_OPERATIONS`).

``?`` is not part of the grammar: it is replaced textually (outside string
literals and comments). What each ``?`` is and which values it takes is
learnt by running the program with a :class:`~shapeinfer.explain.Tracer`
listening: the engine decides, nothing here re-derives shapes. The rows are
found setting by setting (:meth:`Table._search`): the placeholders not yet
set are filled with 0, the first one the run reaches is given each of its
values in turn, and so on, so that a placeholder's values are those of the
setting it is reached in (an inner vmap's arguments depend on the outer
in_axes; a row's output rank on its in_axes). A row that fails before it
reaches a placeholder gets every value that placeholder takes in any row,
since JAX's error does not depend on it.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from . import dims, pytree, syntax as ast
from .api import Result, error_json, infer_parsed
from .errors import ShapeError, ShapeSyntaxError
from .explain import Tracer
from .library import resolve
from .operation import Operation
from .values import Array, arrayify

# A program with more rows than this is refused rather than run for minutes.
MAX_ROWS = 20_000

# Operations whose ``axis`` is a position of the result, which has one axis
# more than the operand: a ``?`` there ranges over one more position.
NEW_AXIS_OPERATIONS = {"stack", "expand_dims", "one_hot"}


class TableError(Exception):
    """The placeholders cannot be filled (a usage error, exit code 2)."""


def placeholder_offsets(text: str) -> list[int]:
    """Offsets of the ``?`` characters outside string literals and comments."""
    return [i for i, ch in ast.code_characters(text) if ch == "?"]


def fill(text: str, offsets: list[int], values: list[str]) -> str:
    """``text`` with the placeholder at each offset replaced by its value."""
    parts, last = [], 0
    for offset, value in zip(offsets, values):
        parts.append(text[last:offset])
        parts.append(value)
        last = offset + 1
    parts.append(text[last:])
    return "".join(parts)


def fmt_axes(value) -> str:
    """An axis spec as it is written: ``None``, ``1``, ``(0, None)``, ``(0,)``."""
    if isinstance(value, tuple):
        inner = [fmt_axes(v) for v in value]
        return "(" + inner[0] + ",)" if len(inner) == 1 else "(" + ", ".join(inner) + ")"
    return str(value)


def axis_choices(rank: int) -> list:
    """None, then every axis of an array of that rank, positive then negative."""
    return [None] + list(range(rank)) + list(range(-rank, 0))


def _rank(arg) -> int:
    """The axes every leaf of an argument has (0 for a non-array)."""
    leaves = pytree.leaves(arg)
    if not leaves or not all(isinstance(leaf, Array) for leaf in leaves):
        return 0
    return min(leaf.rank for leaf in leaves)


@dataclass
class Placeholder:
    offset: int
    role: str = ""          # "in_axes", "in_axes[1]['a']", "out_axes", "sum axis", once known
    label: str = "?"        # the column header
    choices: list | None = None  # every value it takes in any setting
    vmap_key: tuple = ()    # its vmap's in_axes and out_axes offsets (("op", span) for an axis)


@dataclass
class Reached:
    """A placeholder that a run reached: what it is, the values it can take."""
    index: int
    role: str
    choices: list
    vmap_key: tuple


@dataclass
class Row:
    values: tuple           # the placeholders' values, as written
    expr: str               # the filled-in program
    result: Result | None = None
    error: ShapeError | None = None

    @property
    def answer(self) -> str:
        """The resulting shape(s) with their guards, or the error's code."""
        return self.result.describe() if self.result is not None else self.error.code

    def to_json(self) -> dict:
        head = self.result.to_json() if self.result is not None else error_json(
            self.expr, self.error)
        return {**head, "fill": list(self.values)}


class Table:
    """The rows of a program with placeholders (see the module docstring)."""

    def __init__(self, text: str, *, sizes=None, rules=None):
        self.text = text
        self.sizes = sizes
        self.library = resolve(rules)
        self.offsets = placeholder_offsets(text)
        if not self.offsets:
            raise TableError("the expression has no ? placeholder to fill "
                             "(write e.g. vmap(add, ?, ?)((2,2), (2,2)))")
        self.holes = [Placeholder(o) for o in self.offsets]
        self._cache: dict[str, tuple] = {}
        self.rows = self._rows()

    # -- running a filled program

    def run(self, expr: str):
        """(Result or None, ShapeError or None, Tracer) for a filled program."""
        if expr not in self._cache:
            tracer = Tracer()
            try:
                program = ast.parse(expr)
            except ShapeSyntaxError as e:
                # shown on the text as written when the fill kept the offsets
                shown = self.text if len(expr) == len(self.text) else expr
                raise TableError(f"the expression does not parse:\n{e.render(shown)}") from None
            try:
                result = infer_parsed(program, expr, sizes=self.sizes, library=self.library,
                                      trace=tracer)
                self._cache[expr] = (result, None, tracer)
            except ShapeError as e:
                self._cache[expr] = (None, e, tracer)
        return self._cache[expr]

    def _filled(self, assignment: dict) -> tuple[str, list]:
        """Fill the placeholders in ``assignment`` (index -> value), the others
        with 0: the program, and where each placeholder's value now stands."""
        values = [fmt_axes(assignment[i]) if i in assignment else "0"
                  for i in range(len(self.holes))]
        return fill(self.text, self.offsets, values), _filled_spans(self.offsets, values)

    def _original(self, position: int, spans: list) -> int:
        """A position in a filled program, as an offset into the original text."""
        shift = sum((end - start) - 1 for start, end in spans if end <= position)
        return position - shift

    # -- which vmap each ? belongs to

    # -- which values each ? takes, row by row

    def _search(self) -> list[dict]:
        """Every setting of the placeholders the program reaches, as dicts
        (placeholder index -> value): run the program, take the first
        placeholder it reached that has no value yet, and try each of its
        values. A placeholder's values can depend on earlier ones (an inner
        vmap's arguments lose the axis the outer one maps), so they are
        learnt anew for each setting. A setting that fails before reaching
        some placeholders leaves them out."""
        settings = []

        def visit(assignment: dict, breadth: int):
            """``breadth``: how many settings like this one there are, judging by
            the values of the placeholders set so far (to refuse a table that
            is too big before running it)."""
            expr, spans = self._filled(assignment)
            for reached in self._reached(self.run(expr)[2], expr, spans):
                hole = self.holes[reached.index]
                if not hole.role:
                    hole.role, hole.vmap_key = reached.role, reached.vmap_key
                hole.choices = _union(hole.choices or [], reached.choices)
                if reached.index not in assignment:
                    wider = breadth * len(reached.choices)
                    if wider > MAX_ROWS or len(self._cache) > MAX_ROWS:
                        raise TableError(f"about {wider} settings to try (more than "
                                         f"{MAX_ROWS}); fix some of the ? to values")
                    for value in reached.choices:
                        visit({**assignment, reached.index: value}, wider)
                    return
            settings.append(assignment)

        visit({}, 1)
        unknown = [h for h in self.holes if not h.role]
        if unknown:
            _, error, _ = self.run(self._filled({})[0])
            why = (f"\n(with every ? 0 the program fails first: {error.exception}: "
                   f"{error.message.splitlines()[0]} [{error.code}])" if error else "")
            raise TableError(
                "this ? is not an in_axes (or a part of one), an out_axes or an operation's "
                "axis argument that the program reaches; table fills only those:\n"
                + _pointing(self.text, unknown[0].offset) + why)
        self._label()
        return settings

    def _reached(self, tracer: Tracer, expr: str, spans: list) -> list[Reached]:
        """The placeholders a run reached, in the order it reached them, with
        what each one is and the values it can take there."""
        nodes = _nodes_by_span(expr)
        found: dict[int, Reached] = {}

        def claim(container_span, tree, role, key, whole=None):
            """The placeholders inside the literal at ``container_span``, whose
            values are axes of the matching part of ``tree``."""
            for i, at in enumerate(spans):
                path = None if i in found else _path(nodes, container_span, at)
                if path is None:
                    continue
                if path == () and whole is not None:
                    choices = whole
                else:
                    part = _subtree(tree, path)
                    if part is _MISSING:
                        continue
                    choices = axis_choices(_rank(part))
                found[i] = Reached(i, role + "".join(f"[{k!r}]" for k in path), choices, key)

        for event in tracer.events:
            if event[0] == "vmap":
                _, vmapped, args = event
                whole = list(itertools.product(*(axis_choices(_rank(a)) for a in args)))
                claim(_value_span(expr, vmapped.spans["in_axes"]), args, "in_axes",
                      self._vmap_key(vmapped, expr, spans), whole)
            elif event[0] == "vmap-result":
                _, vmapped, result = event
                claim(_value_span(expr, vmapped.spans["out_axes"]), result, "out_axes",
                      self._vmap_key(vmapped, expr, spans))
            elif isinstance(event[1], Operation):
                _, op, args, kwargs, site = event
                names = op.param_names()
                if "axis" not in names or not args:
                    continue
                at = names.index("axis")
                span = (site.kw_spans.get("axis") if "axis" in kwargs
                        else site.arg_spans[at] if at < len(args) else None)
                operand = args[0] if isinstance(args[0], Array) else arrayify(args[0])
                rank = _rank(operand) + (op.name in NEW_AXIS_OPERATIONS)
                claim(_value_span(expr, span), None, f"{op.name} axis", ("op", span),
                      whole=axis_choices(rank))
        return list(found.values())

    def _vmap_key(self, vmapped, expr: str, spans: list) -> tuple:
        """A vmap, as offsets into the original text (for the column labels)."""
        return tuple(None if sp is None else self._original(sp[0], spans)
                     for sp in (_value_span(expr, vmapped.spans[k])
                                for k in ("in_axes", "out_axes")))

    def _label(self):
        vmaps = sorted({h.vmap_key for h in self.holes if h.vmap_key[0] != "op"}, key=str)
        for h in self.holes:
            numbered = len(vmaps) > 1 and h.vmap_key in vmaps
            h.label = (f"vmap{vmaps.index(h.vmap_key) + 1} " if numbered else "") + h.role

    # -- the rows

    def _rows(self) -> list[Row]:
        """One row per setting; a placeholder a setting never reached (its
        program failed before) takes every value it takes anywhere, since
        JAX's answer does not depend on it."""
        settings = self._search()
        count = sum(math.prod(len(h.choices) for i, h in enumerate(self.holes)
                              if i not in setting) for setting in settings)
        if count > MAX_ROWS:
            raise TableError(f"the table would have {count} rows (more than {MAX_ROWS}); "
                             "fix some of the ? to values")
        rows = []
        for setting in settings:
            missing = [i for i in range(len(self.holes)) if i not in setting]
            for combo in itertools.product(*(self.holes[i].choices for i in missing)):
                full = {**setting, **dict(zip(missing, combo))}
                values = tuple(fmt_axes(full[i]) for i in range(len(self.holes)))
                expr = fill(self.text, self.offsets, list(values))
                result, error, _ = self.run(expr)
                rows.append(Row(values, expr, result, error))
        return rows

    # -- printing

    @property
    def labels(self) -> list[str]:
        return [h.label for h in self.holes]

    def render(self) -> str:
        header = self.labels + ["result"]
        body = [list(r.values) + [r.answer] for r in self.rows]
        widths = [max(len(line[c]) for line in [header] + body) for c in range(len(header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
                         for line in [header] + body)

    def render_grouped(self) -> str:
        groups: dict[str, list[Row]] = {}
        for row in self.rows:
            groups.setdefault(row.answer, []).append(row)
        lines = []
        for answer, rows in groups.items():
            lines.append(f"{answer}  ({len(rows)} row{'s' if len(rows) != 1 else ''})")
            for row in rows:
                lines.append("    " + ", ".join(f"{label}={value}" for label, value
                                                in zip(self.labels, row.values)))
        return "\n".join(lines)


def _value_span(expr: str, span):
    """The span of a keyword argument's value (``in_axes=?`` -> the ``?``)."""
    if span is None:
        return None
    start, end = span
    match = re.match(r"\s*[A-Za-z_]\w*\s*=(?!=)\s*", expr[start:end])
    return (start + match.end(), end) if match else (start, end)


def _filled_spans(offsets: list[int], values: list[str]) -> list[tuple]:
    """Where each filled-in value stands in the filled program."""
    spans, shift = [], 0
    for offset, value in zip(offsets, values):
        spans.append((offset + shift, offset + shift + len(value)))
        shift += len(value) - 1
    return spans


_MISSING = object()


def _union(known: list, more: list) -> list:
    """Both lists' values once each, the longer list's order first (so the
    axes of the highest rank read in order)."""
    first, second = (more, known) if len(more) > len(known) else (known, more)
    return first + [v for v in second if v not in first]


def _pointing(text: str, offset: int) -> str:
    """The line of ``text`` holding ``offset``, with a caret under it."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start:] if end < 0 else text[start:end]
    return f"  {line}\n  {' ' * (offset - start)}^"


def wanted_shape(text: str) -> tuple:
    """The shape ``solve --want`` is given, such as ``(a, b)``."""
    from .api import infer

    try:
        result = infer(text)
    except ShapeError as e:
        raise TableError(f"the wanted shape: {e.render(text)}") from None
    if len(result.leaves) != 1 or not hasattr(result.value, "shape"):
        raise TableError(f"the wanted shape should be one shape such as (a, b), got {text!r}")
    return result.value.shape


def _nodes_by_span(expr: str) -> dict:
    """The tuple, list and dict literals of a program by their span."""
    return {node.span: node for node in ast.walk(ast.parse(expr))
            if isinstance(node, (ast.TupleExpr, ast.ListExpr, ast.DictExpr))}


def _path(nodes: dict, container, at) -> tuple | None:
    """The keys leading from the literal written at ``container`` to the
    placeholder at ``at`` (``()`` when it is the whole literal), or None when
    it is not inside it."""
    if container is None:
        return None
    if tuple(container) == tuple(at):
        return ()
    node = nodes.get(tuple(container))
    if isinstance(node, ast.DictExpr):
        items = [(_literal_key(k), v) for k, v in zip(node.keys, node.values)]
    elif node is not None:
        items = list(enumerate(node.items))
    else:
        return None
    for key, item in items:
        if key is not _MISSING and item.span[0] <= at[0] and at[1] <= item.span[1]:
            rest = _path(nodes, item.span, at)
            return None if rest is None else (key,) + rest
    return None


def _literal_key(node):
    return node.value if isinstance(node, (ast.Str, ast.Int)) else _MISSING


def _subtree(tree, path: tuple):
    """The part of an argument (or a result) that an axis spec at ``path`` describes."""
    for key in path:
        try:
            tree = tree[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return tree


# ---------------------------------------------------------------- solve

@dataclass
class Solution:
    table: Table
    want: tuple
    matches: list      # rows giving the wanted shape
    closest: list      # when none does: the rows that come closest

    def to_json(self) -> dict:
        return {"want": dims.fmt_shape(self.want), "labels": self.table.labels,
                "found": bool(self.matches),
                "matches": [r.to_json() for r in self.matches],
                "closest": [r.to_json() for r in self.closest]}

    def render(self) -> str:
        def line(row):
            return ("  " + ", ".join(f"{label}={value}" for label, value
                                     in zip(self.table.labels, row.values))
                    + f"  ->  {row.answer}")
        if self.matches:
            return "\n".join(line(r) for r in self.matches)
        out = [f"none of the {len(self.table.rows)} settings gives {dims.fmt_shape(self.want)}"]
        if self.closest:
            out.append("closest:")
            out.extend(line(r) for r in self.closest)
        return "\n".join(out)


def _same_dim(a, b) -> bool:
    """Equal as expressions (``a*b`` is ``b*a``), not just as text."""
    return dims.decide_eq(a, b) is dims.Decision.TRUE


def closeness(shape: tuple, want: tuple) -> tuple:
    """Smaller is closer: first the difference in rank, then the number of
    positions whose dims differ, then the dims of ``want`` missing anywhere."""
    same = sum(_same_dim(a, b) for a, b in zip(shape, want))
    unplaced = list(shape)
    missing = 0
    for d in want:
        hit = next((i for i, e in enumerate(unplaced) if _same_dim(d, e)), None)
        if hit is None:
            missing += 1
        else:
            unplaced.pop(hit)
    return (abs(len(shape) - len(want)), max(len(shape), len(want)) - same, missing)


def solve(table: Table | str, want: tuple, *, sizes=None, rules=None,
          closest: int = 5) -> Solution:
    """The settings of the placeholders whose result is one array of shape
    ``want`` (a :class:`Table`, or a program with placeholders)."""
    if isinstance(table, str):
        table = Table(table, sizes=sizes, rules=rules)
    # answers that hold for every size: a guarded one (``(a, b)  if a == b``)
    # gives the shape only where its guard holds, which is no answer to "which
    # in_axes give this shape?"
    single = [r for r in table.rows if r.result is not None and len(r.result.leaves) == 1
              and not r.result.guards]
    scored = [(closeness(r.result.leaves[0], want), r) for r in single]
    matches = [r for score, r in scored if score == (0, 0, 0)]
    near = []
    if not matches and scored:
        scored.sort(key=lambda pair: pair[0])
        near = [r for _, r in scored[:closest]]
    return Solution(table, want, matches, near)
