"""Does a change to the parser keep every node and every span? (Not a test:
a tool for whoever changes ``shapeinfer/syntax.py``.)

Run from the repository root, before and after the change:

    python benchmarks/parse_identity.py corpus /tmp/corpus.json     # once
    python benchmarks/parse_identity.py dump /tmp/corpus.json /tmp/before.txt
    ... change the parser ...
    python benchmarks/parse_identity.py dump /tmp/corpus.json /tmp/after.txt
    python benchmarks/parse_identity.py compare /tmp/before.txt /tmp/after.txt

The corpus: every string literal in tests/ and benchmarks/, every line and
code block of the docs and the README (most are not programs: their errors
are compared too), every ``shapeinfer eval`` program of the docs and its
prefixes (unexpected ends of input), the benchmarks' programs, the
conformance generator's programs (tests/progen.py, the seeds
tests/test_conformance.py uses), and the fuzz tests' inputs
(tests/test_fuzz.py: mutated programs, random text, random programs,
nesting near the limit, the nasty programs), drawn derandomized.

``dump`` writes one line per text: the whole tree, each node with its type,
span and fields (walked with a loop: some trees are 20,000 deep), or the
error's class, code, message and span.
"""
from __future__ import annotations

import ast
import contextlib
import json
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))


# ---------------------------------------------------------------- corpus

def test_and_benchmark_strings() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests").glob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        texts += [node.value for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return texts


def docs_texts() -> list[str]:
    texts = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        block: list[str] | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            texts.append(line)
            if line.startswith("$ shapeinfer eval "):
                with contextlib.suppress(ValueError):
                    program = shlex.split(line[2:])[-1]
                    texts.append(program)
                    texts += [program[:i] for i in range(1, len(program))]
            if line.startswith("```"):
                if block is None:
                    block = []
                else:
                    texts.append("\n".join(block))
                    block = None
            elif block is not None:
                block.append(line)
    return texts


def benchmark_programs() -> list[str]:
    import bench_infer
    import bench_scaling
    texts = []
    for program in bench_infer.PROGRAMS:
        names = {n: n for n in program.size_names}
        texts.append(program.text_for(names))
    for _, make, sizes, _ in bench_scaling.FAMILIES:
        texts += [make(n, "") for n in sizes]
    return texts


def conformance_programs() -> list[str]:
    from progen import loose_programs, programs
    texts = []
    for chunk in range(12):
        texts += [p.text for p in programs(250, seed=1000 + chunk)]
    texts += [p.text for p in programs(600, seed=77)]
    texts += [p.text for p in programs(1500, seed=4242)]
    for chunk in range(6):
        texts += [p.text for p in loose_programs(250, seed=9000 + chunk)]
    return texts


def fuzz_texts() -> list[str]:
    from hypothesis import HealthCheck, Phase, given, settings, strategies as st
    import test_fuzz

    def draw(strategy, n: int) -> list[str]:
        out: list[str] = []

        @settings(derandomize=True, database=None, max_examples=n, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(strategy)
        def collect(text):
            out.append(text)

        collect()
        return out

    texts = draw(test_fuzz.mutated(test_fuzz.PROGRAMS), 3000)
    texts += draw(st.text(alphabet=st.sampled_from("abn01(),[]{}:;=+-*/%@.#\"' \n\tä\x00")
                          | st.characters(), max_size=40), 1000)
    texts += draw(test_fuzz._expr, 1000)
    for wrapper in ["({})", "[{}]", "{{'k': {}}}", "sin({})", "vmap({})", "(lambda x: {})",
                    "-{}", "({},)"]:
        opening, closing = wrapper.split("{}")
        opening, closing = opening.replace("{{", "{"), closing.replace("}}", "}")
        for depth in (test_fuzz.MAX_DEPTH // 3, test_fuzz.MAX_DEPTH - 3, test_fuzz.MAX_DEPTH + 1):
            texts.append(opening * depth + "(a, b)" + closing * depth)
    texts += list(test_fuzz.NASTY_PROGRAMS.values())
    return texts


# By hand: brackets around an expression (its parent's span starts and ends
# at them), and errors found while building nodes next to a later syntax
# error (which one is reported).
BY_HAND = [
    "(a) + b", "a + (b)", "((a))", "-(a)", "f((a))", "(a)(b)", "(a).T", "(a)[0]", "((a)[0])",
    "x = (a)\n(b)", "\n\n(a)\n;", "; (a) ;\n", "lambda: (x)", "(lambda: x)", "[(a)]",
    "{(a): (b)}", "assume (a) == (b); (a,)", "f(x=(a))", "x[(a):(b):(c)]", "x[(...)]",
    "(a) @ (b) ** (c)", "((a), (b))", "(((a),),)", "not_a, (b)", "f(\n(a)\n)",
    "(lambda x, x: x)((a,))", "lambda x, x: x )", "f(a=1, b) )", "f(a=1, a=2) +",
    "(" + "9" * 1001 + ",) )", "\"\\N\"", "'\\x'", "f(a=1, b=2, c)", "lambda x, y, x: (",
    "None", "(True)", "(None, False)", "...", "x[...]", "x[::]", "x[:]", "x[1:]", "x[:, ::2]",
    "-", "(", ")", "a b", "a\n\nb", "a;;b", "  (a ,)  # c", "\\\n(a,)",
]


def corpus() -> list[str]:
    texts = (BY_HAND + test_and_benchmark_strings() + docs_texts() + benchmark_programs()
             + conformance_programs() + fuzz_texts())
    return list(dict.fromkeys(texts))  # unique, in a stable order


# ---------------------------------------------------------------- dump

def describe_tree(program) -> str:
    """Every node, parents first, with its span and fields (``@`` marks a
    child node, which follows in walk order)."""
    from shapeinfer.syntax import Node, walk

    def field(value) -> str:
        if isinstance(value, Node):
            return "@"
        if isinstance(value, tuple):
            return "(" + ",".join(field(v) for v in value) + ")"
        return repr(value)

    return " ".join(f"{type(node).__name__}{list(node.span)}"
                    + "{" + ",".join(field(v) for k, v in vars(node).items() if k != "span") + "}"
                    for node in walk(program))


def describe(text: str) -> str:
    from shapeinfer.errors import ShapeError
    from shapeinfer.syntax import parse
    try:
        program = parse(text)
    except ShapeError as e:
        return f"{type(e).__name__} {e.code} {e.exception} {e.message!r} {e.span} {e.guards}"
    except Exception as e:  # noqa: BLE001 - recorded, to be compared
        return f"{type(e).__module__}.{type(e).__name__} {e}"
    return describe_tree(program)


def main(argv: list[str]) -> int:
    command, *paths = argv
    if command == "corpus":
        texts = corpus()
        Path(paths[0]).write_text(json.dumps(texts), encoding="utf-8")
        print(f"{len(texts)} texts")
    elif command == "dump":
        texts = json.loads(Path(paths[0]).read_text(encoding="utf-8"))
        with open(paths[1], "w", encoding="utf-8") as out:
            for text in texts:
                out.write(json.dumps([text, describe(text)]) + "\n")
    elif command == "compare":
        with open(paths[0], encoding="utf-8") as a, open(paths[1], encoding="utf-8") as b:
            before, after = a.read().splitlines(), b.read().splitlines()
        assert len(before) == len(after), (len(before), len(after))
        differ = [i for i, (x, y) in enumerate(zip(before, after)) if x != y]
        errors = sum(not json.loads(line)[1].startswith("Program[") for line in before)
        for i in differ[:10]:
            print("before:", before[i][:300], "\nafter: ", after[i][:300])
        print(f"{len(before)} texts ({len(before) - errors} programs, {errors} errors): "
              f"{len(differ)} differ")
        return 1 if differ else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
