"""Variadic (``*name``, ``...``) and broadcastable (``#name``) dims: a
function whose parameters have them is checked once per *case*, a concrete
instance of its annotations the engine can evaluate.

The engine has no shapes of unknown rank, so each ``*name`` of the
parameters (and fields) is instantiated at ranks 1, 2, 3 and 0, with a fresh
size symbol per axis (``batch_0``, ``batch_1``); every ``...`` (an
anonymous ``*_``, shared with nothing) gets as many anonymous axes. Each
``#name`` of a parameter is, separately, either ``name`` or ``1``: every
combination is a case. Every case is a set of shapes jaxtyping accepts, so
a finding of one case is a call a caller can make and that fails: it is
reported, saying the case (``when *batch has 1 axis``). Only the broadcast
cases are exhaustive; the ranks are samples, so a function with a ``*name``
is never *fully checked*: the statistics count it as checked at ranks 0-3
(docs/lint.md, "Variadic and broadcastable dims", has the argument).

Items the engine cannot instantiate (``*#name``, ``?*name``, a ``#`` item
of a size expression) leave their parameter unknown, as before.
"""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field, replace

from .annotations import ArraySpec, DimSpec, MalformedAnnotation, _parse_item

# The ranks a `*name` is tried at: 1 first, so that a finding every rank
# shares is reported as the reader most likely pictures it; 0 (a scalar
# batch, which jaxtyping accepts) last.
RANKS = (1, 2, 3, 0)
# At most this many `#name` items are expanded (2**k cases each); a function
# with more keeps those parameters unknown. With a `*name` the cases multiply
# by len(RANKS), hence the smaller bound.
MAX_BROADCAST = 4
MAX_BROADCAST_WITH_RANKS = 2


@dataclass
class Case:
    """One instance of a function's annotations."""
    rank: int | None                 # of every `*name` / `...`; None: there are none
    ones: frozenset = frozenset()    # (owner, item index) of the `#name` items that are 1
    note: str = ""                   # " when *batch has 1 axis", for findings
    variadics: dict = field(default_factory=dict)   # `*name` -> its axes' size names

    def expand(self, spec: ArraySpec, owner: str | None = None) -> ArraySpec:
        """``spec`` with this case's `*name` axes (the parameters' ones;
        another stays a multiple-axes item) and, for an input ``owner``, its
        `#name` items decided. An output keeps its `#name` items: there
        jaxtyping accepts either size."""
        items = []
        for index, item in enumerate(spec.dims):
            if item.kind == "variadic" and item.text in self.variadics and item.modifiers == "*":
                items += [DimSpec("name", n) for n in self.variadics[item.text]]
            elif owner is not None and item.kind == "variadic" and _instantiable(item):
                items += [DimSpec("anonymous", "_")] * self.rank   # `...`: shared with nothing
            elif owner is not None and item.kind == "broadcast" and _instantiable(item):
                items.append(DimSpec("int", "1") if (owner, index) in self.ones
                             else _parse_item(item.text))
            else:
                items.append(item)
        return replace(spec, dims=tuple(items))


def _instantiable(item: DimSpec) -> bool:
    """``*name``, ``...``, ``*_`` and ``#name`` / ``#3``: not ``*#name``
    (which broadcasts whole shapes), not ``?`` items (of PyTrees)."""
    if item.kind == "variadic":
        return item.modifiers == "*"
    if item.kind == "broadcast" and item.modifiers == "#":
        try:
            return _parse_item(item.text).kind in ("name", "int")
        except MalformedAnnotation:
            return False
    return False


def cases(inputs: dict[str, ArraySpec]) -> tuple[list[Case], bool] | None:
    """The cases of a function whose input specs (parameters and fields, by
    name) are ``inputs``, and whether they are exhaustive (only `#name`
    items); None when no input has an item to instantiate."""
    taken = {d.text for spec in inputs.values() for d in spec.dims}
    named, anonymous, broadcast = [], False, []
    for owner, spec in inputs.items():
        for index, item in enumerate(spec.dims):
            if not _instantiable(item):
                continue
            if item.kind == "broadcast":
                broadcast.append((owner, index))
            elif item.text == "..." or item.text.startswith("_"):
                anonymous = True
            elif item.text not in named:
                named.append(item.text)
    variadic = bool(named) or anonymous
    limit = MAX_BROADCAST_WITH_RANKS if variadic else MAX_BROADCAST
    if len(broadcast) > limit:
        broadcast = []   # too many cases: those parameters stay unknown
    if not variadic and not broadcast:
        return None
    out = []
    for rank in (RANKS if variadic else (None,)):
        variadics = {n: tuple(_axis_name(n, i, taken) for i in range(rank)) for n in named} \
            if variadic else {}
        for choice in itertools.product((False, True), repeat=len(broadcast)):
            ones = frozenset(b for b, one in zip(broadcast, choice) if one)
            out.append(Case(rank, ones, _note(rank, named, anonymous, ones, inputs), variadics))
    return out, not variadic


def restrict(inputs: dict[str, ArraySpec], case: Case) -> dict[str, ArraySpec]:
    """The input specs as this case instantiates them."""
    return {owner: case.expand(spec, owner) for owner, spec in inputs.items()}


def _axis_name(name: str, axis: int, taken: set) -> str:
    """``batch_0``; with more underscores if the annotations use that name."""
    text = f"{name}_{axis}"
    while text in taken:
        text = text.replace("_", "__", 1)
    return text


def _note(rank, named, anonymous, ones, inputs) -> str:
    parts = []
    if rank is not None:
        items = [f"*{n}" for n in named] + (["..."] if anonymous else [])
        size = "no axes" if rank == 0 else "1 axis" if rank == 1 else f"{rank} axes"
        verb = "has" if len(items) == 1 else "have"
        each = " each" if len(items) > 1 and rank else ""
        parts.append(f"{' and '.join(items)} {verb} {size}{each}")
    for owner, index in sorted(ones):
        parts.append(f"#{inputs[owner].dims[index].text} of {owner} is 1")
    return f" (when {' and '.join(parts)})" if parts else ""


def check_function(module, func, sig, fields: dict, methods: dict) -> bool:
    """Check one function, once per case when its inputs have `*name` /
    `#name` items. True when checking without a loss proves it for all
    sizes (no ranks were sampled). A finding of several cases is reported
    once, as the first case (in :data:`RANKS` order) found it."""
    from .infer import BodyChecker   # infer's checker knows nothing of cases

    inputs = dict(sig.specs)
    inputs.update({f"field {n}": spec for n, (spec, _) in fields.items()})
    found = cases(inputs)
    if found is None:
        BodyChecker(module, func, sig, fields, methods).run()
        return True
    all_cases, exhaustive = found
    start, seen, kept = len(module.findings), set(), []
    base, worst = Counter(module.stats), Counter()
    for case in all_cases:
        specs = restrict(inputs, case)
        case_sig = replace(sig, specs={p: specs[p] for p in sig.specs})
        case_fields = {n: (specs[f"field {n}"], line) for n, (_, line) in fields.items()}
        BodyChecker(module, func, case_sig, case_fields, methods, case).run()
        new = module.findings[start:]
        del module.findings[start:]
        kept += [f for f in new if (f.line, f.col, f.code) not in seen]
        seen.update((f.line, f.col, f.code) for f in new)
        # the statistics count a loss once, not once per case
        worst |= Counter({k: v - base[k] for k, v in module.stats.items() if v > base[k]})
        module.stats.clear()
        module.stats.update(base)
    module.stats.update(worst)
    module.findings.extend(kept)
    return exhaustive
