"""``shapeinfer table`` and ``shapeinfer solve``: every in_axes / out_axes.

A program with ``?`` placeholders, such as ``vmap(add, ?, ?)((2,2), (2,2))``,
stands for the programs with each ``?`` filled by a valid value:

- a ``?`` standing for a whole ``in_axes`` is a tuple with one entry per
  positional argument, each entry None or an axis of that argument, every
  axis positive and negative (``(0, None)``, ``(-1, 1)``, ...);
- a ``?`` standing for one entry of an in_axes tuple is None or an axis of
  its argument;
- a ``?`` standing for ``out_axes`` is None or a position of the output with
  the mapped axis added, positive and negative.

``?`` is not part of the grammar: it is replaced textually (outside string
literals and comments). Which vmap each ``?`` belongs to and how many axes
its arguments have is learnt by running the program with the placeholders
filled (first with 0) and a :class:`~shapeinfer.explain.Tracer` listening
to each vmap: the engine decides, nothing here re-derives shapes. A program
whose rows differ in rank (an in_axes None adds an axis) gets, for each row,
the out_axes positions of that row's output; rows whose in_axes already fail
get every out_axes any row has, since JAX's error does not depend on it.
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
from .values import Array

# A program with more rows than this is refused rather than run for minutes.
MAX_ROWS = 20_000


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
    role: str = ""          # "in_axes", "in_axes entry" or "out_axes", once known
    label: str = "?"        # the column header
    choices: list | None = None  # for in_axes roles: the values, in order
    vmap_key: tuple = ()    # the vmap it belongs to: its in_axes and out_axes offsets


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
        self._discover()
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

    def _in_holes(self) -> list[int]:
        return [i for i, h in enumerate(self.holes) if h.choices is not None]

    def _in_assignments(self):
        """Every combination of the in_axes placeholders known so far."""
        holes = self._in_holes()
        for combo in itertools.product(*(self.holes[i].choices for i in holes)):
            yield dict(zip(holes, combo))

    def _discover(self):
        """Run the program until every placeholder's role is known: a nested
        vmap is reached only when the outer one's in_axes work."""
        tried: set = set()
        while True:
            progress = False
            for assignment in self._in_assignments():
                expr, spans = self._filled(assignment)
                if expr in tried:
                    continue
                tried.add(expr)
                if len(tried) > MAX_ROWS:
                    raise TableError(f"more than {MAX_ROWS} settings to try; fix some of "
                                     "the ? to values")
                _, _, tracer = self.run(expr)
                if self._learn(tracer, expr, spans):
                    progress = True
                    break  # new in_axes choices: enumerate again
                if all(h.role for h in self.holes):
                    break
            if not progress:
                break
        unknown = [h for h in self.holes if not h.role]
        if unknown:
            col = unknown[0].offset
            raise TableError(
                f"the ? at offset {col} is not an in_axes, an in_axes entry or an out_axes of "
                f"a vmap that the program reaches; table fills only those:\n"
                f"  {self.text}\n  {' ' * col}^")
        self._label()

    def _learn(self, tracer: Tracer, expr: str, spans: list) -> bool:
        """Give roles to placeholders from the vmaps the tracer saw; True when
        an in_axes placeholder got its choices (so there is more to try)."""
        learnt = False
        for vmapped, args in tracer.vmap_calls:
            in_span, out_span = (_value_span(expr, vmapped.spans[k])
                                 for k in ("in_axes", "out_axes"))
            # the vmap, as offsets into the original text (for the column labels)
            key = tuple(None if sp is None else self._original(sp[0], spans)
                        for sp in (in_span, out_span))
            for hole, at in zip(self.holes, spans):
                if hole.role:
                    continue
                if at == in_span:
                    hole.role, hole.vmap_key = "in_axes", key
                    hole.choices = list(itertools.product(*(axis_choices(_rank(a))
                                                            for a in args)))
                    learnt = True
                elif at == out_span:
                    hole.role, hole.vmap_key = "out_axes", key
                elif in_span and in_span[0] < at[0] < in_span[1]:
                    entry = _tuple_entry(expr, in_span, at)
                    if entry is not None and entry < len(args):
                        hole.role, hole.vmap_key = f"in_axes[{entry}]", key
                        hole.choices = axis_choices(_rank(args[entry]))
                        learnt = True
        return learnt

    def _label(self):
        vmaps = sorted({h.vmap_key for h in self.holes}, key=str)
        for h in self.holes:
            prefix = f"vmap{vmaps.index(h.vmap_key) + 1} " if len(vmaps) > 1 else ""
            h.label = prefix + h.role

    # -- the rows

    def _out_ranks(self, tracer: Tracer, expr: str, spans: list) -> dict:
        """The rank of each out_axes placeholder's output (the mapped axis
        included), by placeholder index, for the vmaps that finished."""
        ranks = {}
        for vmapped, result in tracer.vmap_results:
            leaves = [leaf for leaf in pytree.leaves(result) if isinstance(leaf, Array)]
            out_span = _value_span(expr, vmapped.spans["out_axes"])
            for i, at in enumerate(spans):
                if leaves and at == out_span and self.holes[i].role == "out_axes":
                    ranks[i] = min(leaf.rank for leaf in leaves)
        return ranks

    def _rows(self) -> list[Row]:
        outs = [i for i, h in enumerate(self.holes) if h.role == "out_axes"]
        per_combo = []
        widest: dict = {}  # for rows that fail before their output exists
        for assignment in self._in_assignments():
            expr, spans = self._filled(assignment)
            ranks = self._out_ranks(self.run(expr)[2], expr, spans)
            per_combo.append((assignment, ranks))
            for i, rank in ranks.items():
                widest[i] = max(widest.get(i, 0), rank)
        choices = [(assignment, [axis_choices(ranks.get(i, widest.get(i, 0))) for i in outs])
                   for assignment, ranks in per_combo]
        count = sum(math.prod(len(c) for c in out_choices) for _, out_choices in choices)
        if count > MAX_ROWS:
            raise TableError(f"the table would have {count} rows (more than {MAX_ROWS}); "
                             "fix some of the ? to values")
        rows = []
        for assignment, out_choices in choices:
            for combo in itertools.product(*out_choices):
                full = {**assignment, **dict(zip(outs, combo))}
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


def _tuple_entry(expr: str, span, at) -> int | None:
    """The index of the item of the tuple written at ``span`` that is at ``at``."""
    try:
        program = ast.parse(expr)
    except ShapeSyntaxError:
        return None
    for node in ast.walk(program):
        if isinstance(node, (ast.TupleExpr, ast.ListExpr)) and node.span == tuple(span):
            for i, item in enumerate(node.items):
                if item.span == tuple(at):
                    return i
    return None


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
