"""Does a change to the engine keep every answer? (Not a test: a tool for
whoever changes the parser or the evaluator for speed.) A differential
check: the same programs answered by two checkouts, in separate processes.

    python benchmarks/differential.py corpus /tmp/diff.json   # once, any tree
    PYTHONPATH=/old/tree python benchmarks/differential.py dump /tmp/diff.json /tmp/old.jsonl
    PYTHONPATH=.         python benchmarks/differential.py dump /tmp/diff.json /tmp/new.jsonl
    python benchmarks/differential.py compare /tmp/old.jsonl /tmp/new.jsonl

The corpus is parse_identity.py's (test and docs strings, conformance and
fuzz programs) plus seeded programs that call the same operations many
times, with the same and with different arguments, under guards, between
``assume`` statements and inside vmap/grad/scan/cond bodies (the
evaluation's call memo is keyed by operation, arguments and scope), and
``?`` tables for the teaching tools.

``dump`` records for each text: ``infer`` (symbolic, strict, at concrete
sizes, and ``Result.at`` at the same sizes) as shape text, dtypes, weak
types, guards and ``describe()``, or the error's class, code, message and
span; for ``?`` texts the table's rows and a solve; for some, ``explain``.
"""
from __future__ import annotations

import json
import random
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SECONDS_PER_TEXT = 10


# ---------------------------------------------------------------- corpus

SHAPES = ["(a,)", "(b,)", "(a, b)", "(b, a)", "(a, 1)", "(1, b)", "(3,)", "(a, 3)", "f32[]",
          "i32[a]", "(c, a, b)", "f16[a, b]", "bool[a]"]
UNARY = ["sin({})", "-{}", "exp({})", "{}.T", "jnp.sum({})", "jnp.sum({}, axis=0)",
         "{}[0]", "jnp.mean({}, axis=-1)", "{} * 2", "{} + 1.0", "jnp.abs({})"]
BINARY = ["add({}, {})", "{} + {}", "{} * {}", "jnp.maximum({}, {})", "matmul({}, {})",
          "{} @ {}", "jnp.where({} > 0, {}, 0.0)", "jnp.concatenate([{}, {}])",
          "jnp.stack([{}, {}])", "jnp.dot({}, {})"]
FACTS = ["a == b", "a == 3", "b == 1", "a >= 2", "c == a", "a == b + 1"]


def repeated_call_program(rng: random.Random) -> str:
    """Several statements calling a few operations again and again."""
    names: list[str] = []
    lines = []
    for i in range(rng.randint(2, 7)):
        if rng.random() < 0.2:
            lines.append(f"assume {rng.choice(FACTS)}")
        if rng.random() < 0.5 or not names:
            args = [rng.choice(SHAPES) for _ in range(2)]
        else:
            args = [rng.choice(names + SHAPES) for _ in range(2)]
        expr = (rng.choice(BINARY).format(*args) if rng.random() < 0.65
                else rng.choice(UNARY).format(args[0]))
        name = f"x{i}"
        lines.append(f"{name} = {expr}")
        names.append(name)
        if rng.random() < 0.4:  # the very same call again
            names.append(f"y{i}")
            lines.append(f"y{i} = {expr}")
    lines.append("(" + ", ".join(rng.sample(names, min(len(names), 3))) + ",)")
    return rng.choice(["\n", "; "]).join(lines)


def repeated_call_body(rng: random.Random) -> str:
    """The same operation called with the same and different arguments in a
    body that is evaluated more than once or under a transform."""
    op = rng.choice(BINARY)
    unary = rng.choice(UNARY)
    same = op.format("x", "x")
    mixed = op.format("x", rng.choice(["y", "x", "(b,)", "(a,)"]))
    twice = f"({same}, {same}, {mixed}, {unary.format('x')}, {unary.format('x')})"
    shape = rng.choice(["(n, a)", "(n, b)", "(n, a, b)", "(n, 1)", "(n, 3)"])
    shape2 = rng.choice(["(n, a)", "(n, b)", "(n, 1)", "(n, 3)"])
    return rng.choice([
        f"vmap(lambda x, y: {twice})({shape}, {shape2})",
        f"vmap(lambda x, y: {twice}, (0, None))({shape}, {shape2})",
        f"vmap(vmap(lambda x, y: {twice}))({shape}, {shape2})",
        f"lax.scan(lambda c, x: (c, {twice}), f32[], {shape})",
        f"lax.scan(lambda x, y: (x, {twice}), {shape}, ({shape}, {shape2}))",
        f"lax.cond(True, lambda x, y: {twice}, lambda x, y: {twice}, {shape}, {shape2})",
        f"lax.cond(bool[], lambda x, y: {same}, lambda x, y: {mixed}, {shape}, {shape2})",
        f"grad(lambda x, y: jnp.sum({op.format('x', 'x')}))({shape}, {shape2})",
        f"vmap(grad(lambda x, y: jnp.sum({mixed})))({shape}, {shape2})",
        f"jax.jit(lambda x, y: {twice})({shape}, {shape2})",
        f"f = lambda x, y: {twice}\n"
        f"(f({shape}, {shape2}), f({shape2}, {shape}), f({shape}, {shape}))",
        f"assume a == b\nvmap(lambda x, y: {twice})({shape}, {shape2})",
        f"r = {op.format(shape, shape2)}\nassume a == b\n(r, {op.format(shape, shape2)})",
        f"add((a,),(b,))\n{op.format(shape, shape2)}\n"
        f"({mixed.replace('x', shape).replace('y', shape2)})",
    ])


LAYERS = ["relu(add(matmul({x}, w), b))", "jnp.tanh({x} @ w + b)", "sin({x}) * {x}",
          "jnp.where({x} > 0, {x}, 0.1 * {x})", "{x} / jnp.sum({x}, axis=-1, keepdims=True)"]
OPERANDS = ["(n, d)", "(d,)", "(1, d)", "(e, d)", "f32[n, d]", "i32[n, d]", "2.0", "1", "True"]


def repeated_layers(rng: random.Random) -> str:
    """A layer applied again and again (the same call on the same and on new
    arrays), under vmap, grad or scan, with facts assumed or guards taken
    between the layers."""
    layer = rng.choice(LAYERS)
    h = "x"
    for _ in range(rng.randint(1, 5)):
        h = layer.format(x=h)
    setup = [f"w = {rng.choice(['(d, d)', '(d, e)', '(e, d)', '(d, 1)'])}",
             f"b = {rng.choice(['(d,)', '(e,)', '(1,)', 'f32[]'])}"]
    if rng.random() < 0.3:
        setup.append(f"assume {rng.choice(['d == e', 'e == 1', 'n == d', 'd >= 2'])}")
    if rng.random() < 0.3:
        setup.append(f"g = add({rng.choice(OPERANDS)}, {rng.choice(OPERANDS)})")
    body = f"lambda x: {h}"
    x = rng.choice(["(n, d)", "(n, e)", "(m, n, d)", "f16[n, d]", "i32[n, d]"])
    outer = rng.choice([
        f"({body})({x})",
        f"vmap({body})({x})",
        f"vmap({body}, in_axes=1, out_axes=1)({x})",
        f"(vmap({body})({x}), ({body})({x}), vmap({body})({x}))",
        f"grad(lambda x: jnp.sum({h}))({x.replace('i32', 'f32')})",
        f"vmap(grad(lambda x: jnp.sum({h})))({x.replace('i32', 'f32')})",
        f"lax.scan(lambda c, x: (c, {h}), f32[], {x})",
        f"lax.scan(lambda c, x: ({layer.format(x='c')}, {h}), (d,), {x})",
        f"lax.cond(bool[], {body}, {body}, {x})",
        f"jax.jit({body})({x})",
        f"jax.value_and_grad(lambda x: jnp.sum({h}))({x.replace('i32', 'f32')})",
    ])
    return "\n".join(setup + [outer])


def teaching_texts(rng: random.Random) -> list[str]:
    shapes = ["(a,b)", "(a,b,c)", "(2,3)", "(a,1)", "(n,m)"]
    ops = ["add", "multiply", "lambda x, y: x @ y.T", "lambda x, y: x + y",
           "lambda x, y: (x, add(x, y), add(x, y))"]
    texts = []
    for _ in range(150):
        s = rng.choice(shapes)
        op = rng.choice(ops)
        texts.append(rng.choice([
            f"vmap({op}, ?, ?)({s},{s})",
            f"vmap({op}, in_axes=(?, None), out_axes=?)({s},{s})",
            f"vmap(vmap({op}, ?, 0), ?)({s},{s})",
            f"vmap({op}, (?, ?))({s},{rng.choice(shapes)})",
        ]))
    return list(dict.fromkeys(texts))


def corpus() -> dict:
    sys.path.insert(0, str(ROOT))
    import parse_identity
    rng = random.Random(10)
    programs = parse_identity.corpus()
    programs += [repeated_call_program(rng) for _ in range(3000)]
    programs += [repeated_call_body(rng) for _ in range(3000)]
    programs += [repeated_layers(rng) for _ in range(4000)]
    return {"programs": list(dict.fromkeys(programs)), "tables": teaching_texts(rng)}


# ---------------------------------------------------------------- dump

class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def error_record(e: BaseException) -> list:
    from shapeinfer.errors import ShapeError
    if isinstance(e, ShapeError):
        return ["error", type(e).__name__, e.code, e.exception, e.message,
                list(e.span) if e.span else None, [str(g) for g in e.guards]]
    if isinstance(e, Timeout):
        return ["timeout"]
    return ["exception", f"{type(e).__module__}.{type(e).__name__}", str(e)[:300]]


def result_record(r) -> list:
    return ["ok", str(r), r.dtypes, [a.weak for a in r.arrays], [str(g) for g in r.guards],
            r.describe(), sorted(r.symbols)]


def attempt(call) -> list:
    signal.alarm(SECONDS_PER_TEXT)
    try:
        return result_record(call())
    except Exception as e:  # noqa: BLE001 - recorded, to be compared
        return error_record(e)
    finally:
        signal.alarm(0)


def assignments(symbols, rng: random.Random) -> list[dict]:
    names = sorted(symbols)
    if not names:
        return []
    return [{n: 1 for n in names}, {n: 3 for n in names},
            {n: rng.randint(1, 6) for n in names}]


def dump_program(text: str, rng: random.Random, explain_too: bool) -> dict:
    from shapeinfer import infer
    out: dict = {"text": text}
    signal.alarm(SECONDS_PER_TEXT)
    try:
        r = infer(text)
        out["infer"] = result_record(r)
    except Exception as e:  # noqa: BLE001
        r = None
        out["infer"] = error_record(e)
    finally:
        signal.alarm(0)
    if out["infer"][0] == "timeout" or out["infer"][1:2] == ["ShapeSyntaxError"]:
        return out  # (nothing more to ask)
    out["strict"] = attempt(lambda: infer(text, strict=True))
    if r is not None:
        for i, sizes in enumerate(assignments(r.symbols, rng)):
            out[f"sizes{i}"] = [sizes, attempt(lambda: infer(text, sizes=sizes)),
                                attempt(lambda: r.at(sizes))]
    if explain_too:
        from shapeinfer.explain import explain
        signal.alarm(SECONDS_PER_TEXT)
        try:
            ex = explain(text)
            out["explain"] = ex.render()
        except Exception as e:  # noqa: BLE001
            out["explain"] = error_record(e)
        finally:
            signal.alarm(0)
    return out


def dump_table(text: str) -> dict:
    from shapeinfer import infer
    from shapeinfer.teach import Table, solve
    out: dict = {"text": text}
    signal.alarm(SECONDS_PER_TEXT * 3)
    try:
        table = Table(text)
        out["table"] = table.render()
        out["rows"] = [row.to_json() for row in table.rows]
        want = infer("(a, b, b)").shape
        out["solve"] = solve(table, want).to_json()
    except Exception as e:  # noqa: BLE001
        out["table"] = error_record(e)
    finally:
        signal.alarm(0)
    return out


def dump(corpus_path: str, out_path: str) -> None:
    import shapeinfer
    print("shapeinfer from", shapeinfer.__file__, file=sys.stderr)
    signal.signal(signal.SIGALRM, _alarm)
    data = json.loads(Path(corpus_path).read_text(encoding="utf-8"))
    with open(out_path, "w", encoding="utf-8") as out:
        for i, text in enumerate(data["programs"]):
            # a generator per text (seeded by it): one answer that changes
            # its size symbols does not shift every later text's sizes
            rng = random.Random(text.encode("utf-8", "surrogatepass"))
            out.write(json.dumps(dump_program(text, rng, explain_too=i % 10 == 0),
                                 default=str) + "\n")
        for text in data["tables"]:
            out.write(json.dumps(dump_table(text), default=str) + "\n")


# ---------------------------------------------------------------- compare

def compare(old_path: str, new_path: str, limit: int = 40) -> int:
    with open(old_path, encoding="utf-8") as a, open(new_path, encoding="utf-8") as b:
        old, new = [json.loads(x) for x in a], [json.loads(x) for x in b]
    assert len(old) == len(new), (len(old), len(new))
    kinds: dict[str, int] = {}
    shown = 0
    answers = 0
    for x, y in zip(old, new):
        assert x["text"] == y["text"]
        answers += len(x) - 1
        for key in sorted(set(x) | set(y) - {"text"}):
            if key == "text" or x.get(key) == y.get(key):
                continue
            kinds[key] = kinds.get(key, 0) + 1
            if shown < limit:
                shown += 1
                print(f"--- {key}: {x['text'][:300]!r}\n  old: {str(x.get(key))[:400]}"
                      f"\n  new: {str(y.get(key))[:400]}")
    print(f"{len(old)} texts, {answers} answers compared; differences by kind: {kinds}")
    return 1 if kinds else 0


def main(argv: list[str]) -> int:
    command, *paths = argv
    if command == "corpus":
        data = corpus()
        Path(paths[0]).write_text(json.dumps(data), encoding="utf-8")
        print(f"{len(data['programs'])} programs, {len(data['tables'])} tables")
    elif command == "dump":
        dump(*paths)
    elif command == "compare":
        return compare(paths[0], paths[1], *(int(p) for p in paths[2:]))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
