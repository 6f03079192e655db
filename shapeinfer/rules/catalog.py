"""The operations a library knows, written out for people: ``shapeinfer rules``
lists them, and docs/operations.md is :func:`operations_markdown` of the
built-in library (a test keeps the page in step with the rule files).
"""
from __future__ import annotations

from pathlib import Path

from . import model as m

# Section titles of the built-in rule files, by file name.
_SECTIONS = {"elementwise": "Elementwise", "structure": "Structure",
             "reductions": "Reductions", "linalg": "Linear algebra", "lax": "jax.lax"}

# SPEC section 2's operations; those the library has no rule for are listed
# as not supported yet.
SPEC_OPERATIONS = (
    "negative positive abs sign exp exp2 expm1 log log1p log2 sqrt square reciprocal sin cos "
    "tan sinh cosh tanh arcsin arccos arctan floor ceil round logical_not isnan isfinite relu "
    "sigmoid gelu silu softplus add subtract multiply divide true_divide floor_divide power mod "
    "maximum minimum arctan2 hypot equal not_equal less less_equal greater greater_equal "
    "logical_and logical_or where clip sum mean prod max min argmax argmin var std all any "
    "median logsumexp cumsum cumprod softmax log_softmax matmul dot vdot inner outer tensordot "
    "einsum reshape ravel transpose swapaxes moveaxis expand_dims squeeze broadcast_to "
    "concatenate stack hstack vstack split tile repeat flip roll pad tril triu sort argsort "
    "one_hot zeros ones full zeros_like ones_like eye arange asarray array take "
    "take_along_axis diag diagonal astype result_type linalg.norm linalg.inv linalg.det "
    "linalg.solve linalg.cholesky linalg.qr linalg.eigh linalg.svd lax.stop_gradient lax.select "
    "lax.rsqrt lax.dot_general lax.dynamic_slice lax.dynamic_update_slice lax.broadcast_in_dim "
    "lax.convert_element_type jax.tree.map vectorize lax.cond lax.switch lax.scan lax.while_loop "
    "lax.fori_loop").split()


def signature(rule: m.Rule) -> str:
    """``sum(a, axis: axes = None, keepdims: bool = False)``, in Python's style."""
    return f"{rule.name}({_params(rule)})"


def _params(rule: m.Rule) -> str:
    parts: list[str] = []
    kinds = [p.kind for p in rule.params]
    for i, p in enumerate(rule.params):
        if p.kind == "keyword" and (i == 0 or kinds[i - 1] not in ("keyword", "varargs")):
            parts.append("*")
        text = (f"*{p.name}" if p.kind == "varargs" else p.name if p.array
                else f"{p.name}: {p.type}")
        if p.default is not m.REQUIRED:
            text += f" = {p.default!r}" if not isinstance(p.default, str) else f' = "{p.default}"'
        parts.append(text)
        if p.kind == "positional-only" and (i + 1 == len(kinds)
                                            or kinds[i + 1] != "positional-only"):
            parts.append("/")
    return ", ".join(parts)


def rule_text(rule: m.Rule) -> str:
    """A rule as a rule file would say it (its clauses, dtype, derivative, callable)."""
    lines = [f"rule {rule.name} ({_params(rule)}):"]
    for i, clause in enumerate(rule.clauses):
        lines.append(f"  {'|' if i else ' '} {clause}")
        for req in clause.requirements:
            conditions = ", ".join(map(str, req.conditions))
            tail = f' else {req.exception} "{req.message}"' if req.exception else ""
            lines.append(f"      requires {conditions}{tail}")
    if rule.hook:
        lines.append(f"    hook {rule.hook}")
    if rule.raises:
        lines.append(f'    raises {rule.raises[0]} "{rule.raises[1]}"')
    lines.append(f"    dtype {rule.dtype.base}" + "".join(
        f" rejects {kind} {exc}" for kind, exc in rule.dtype.rejects))
    lines.append(f"    derivative {rule.derivative}")
    lines.append(f"    {rule.callable}")
    return "\n".join(lines)


def current_rules(library) -> list[m.Rule]:
    """The rules a library's names resolve to, in load order (overridden ones left out)."""
    return [r for r in library.rules if library.rule(r.name) is r]


def aliases_in(library, rule: m.Rule) -> list[str]:
    """The other names that reach ``rule`` in ``library``."""
    op = library[rule.name]
    return [n for n in library if library[n] is op and n != rule.name]


def operations_markdown(library) -> str:
    """docs/operations.md: every operation of ``library``, by rule file."""
    out = ["# Operations", "",
           "<!-- Generated from shapeinfer/rules/builtin/*.rules by "
           "`shapeinfer rules --markdown`; tests/test_catalog.py fails when it is stale. -->",
           "",
           "Every operation below is a rule in the package's rule files (see "
           "[rules](rules.md)); `shapeinfer rules NAME` prints one. Array parameters have "
           "no type; the others are static. Each is checked against the JAX function it "
           "stands for (`jax.numpy.NAME` unless the table says otherwise).", "",
           "Transformations: `vmap`, `jit`, `checkpoint` / `remat`, `partial`, `grad`, "
           "`value_and_grad`, `jacfwd`, `jacrev` / `jacobian`, `hessian` "
           "(see [language](language.md) and [derivatives](derivatives.md)); control flow: "
           "`lax.cond`, `lax.switch`, `lax.fori_loop`, `lax.while_loop`, `lax.scan` (also "
           "as `jax.lax.NAME`); and `jax.tree.map` / `jax.tree_util.tree_map`, "
           "`jnp.vectorize(f, signature=...)`.", ""]
    sections: dict[str, list[m.Rule]] = {}
    for rule in current_rules(library):
        sections.setdefault(Path(rule.source).stem, []).append(rule)
    for stem, rules in sections.items():
        out += [f"## {_SECTIONS.get(stem, stem)}", "",
                "| operation | also reachable as | JAX function |", "|---|---|---|"]
        for rule in rules:
            also = ", ".join(f"`{n}`" for n in aliases_in(library, rule)
                             if n != rule.callable.target)
            out.append(f"| `{signature(rule)}` | {also} | `{rule.callable.target}` |")
        out.append("")
    missing = [name for name in SPEC_OPERATIONS if name not in library]
    out += ["## Not supported yet", ""]
    if missing:
        out += ["Of SPEC section 2, these have no rule yet; a program using one is refused "
                "(you can write its rule yourself, see [rules](rules.md)):", "",
                ", ".join(f"`{n}`" for n in missing) + ".", ""]
    else:
        out += ["Every operation of SPEC section 2 has a rule.", ""]
    out += ["Any other JAX function is `unsupported`: a program calling it is answered with "
            "that code (\"jnp.NAME has no shape rule yet\"), which the checker reports as "
            "unchecked; write its rule to add it (see [rules](rules.md)).", ""]
    return "\n".join(out)
