"""A seeded generator of random vmap programs, for the conformance test.

Programs are built inside out so that most are plausible: a function (an
elementwise operation or a lambda) gets per-example argument shapes that
mostly broadcast; each vmap layer picks in_axes and a mapped size and
inserts that size into the argument shapes. Then, with some probability,
something is perturbed (a size, an axis, out_axes, the in_axes length) so
that a good share of programs are ones JAX rejects.

Size symbols (a, b, c) appear in some programs; ``Program.sizes`` gives the
concrete assignment to check them at.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from shapeinfer.symbols import size_symbols
from shapeinfer.syntax import parse

UNARY = ["sin", "exp", "negative", "abs", "tanh", "jnp.cos", "sqrt", "square", "sign", "ceil",
         "jax.nn.relu", "jax.nn.sigmoid", "floor", "jax.numpy.log1p", "logical_not"]
BINARY = ["add", "subtract", "multiply", "maximum", "jnp.add", "divide", "jnp.minimum", "floor_divide",
          "power", "arctan2", "equal", "less", "jax.numpy.hypot", "mod"]
SYMBOLS = ("a", "b", "c")
INDICES = ["0", "-1", "1:", ":-1", "::2", "None", ":, None", "..., 0", "1:3", "::-1", "None, ...",
           "0, 1", "-2:", ":2, ::2"]


@dataclass
class Program:
    text: str
    sizes: dict = field(default_factory=dict)

    def __post_init__(self):
        # A dim drawn for a shape the program then did not use leaves its
        # symbol behind; infer refuses sizes for names a program does not use.
        used = size_symbols(parse(self.text))
        self.sizes = {k: v for k, v in self.sizes.items() if k in used}


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.sizes: dict[str, int] = {}
        self.symbolic = False

    # ---------------------------------------------------------------- dims
    def dim(self) -> str:
        r = self.rng
        if self.symbolic and r.random() < 0.5:
            name = r.choice(SYMBOLS)
            self.sizes.setdefault(name, r.randint(1, 4))
            return name
        return str(r.choice([1, 2, 2, 3, 3, 4]))

    def shape(self, rank: int | None = None) -> list[str]:
        if rank is None:
            rank = self.rng.choice([0, 1, 1, 2, 2, 3])
        return [self.dim() for _ in range(rank)]

    def broadcastable(self, base: list[str]) -> list[str]:
        """A shape that broadcasts with ``base``: a suffix, some dims set to 1."""
        r = self.rng
        if r.random() < 0.12:
            return self.shape()  # anything: often an error
        k = r.randint(0, len(base)) if r.random() < 0.3 else len(base)
        out = base[len(base) - k:]
        return [("1" if r.random() < 0.15 else d) for d in out]

    # ---------------------------------------------------------------- functions
    def leaf_function(self, arity: int) -> tuple[str, list[list[str]]]:
        r = self.rng
        if r.random() < 0.12:
            return self.closure_function(arity)
        base = self.shape()
        shapes = [base] + [self.broadcastable(base) for _ in range(arity - 1)]
        r.shuffle(shapes)
        if arity == 1 and r.random() < 0.5:
            return r.choice(UNARY), shapes
        if arity == 2 and r.random() < 0.5:
            return r.choice(BINARY), shapes
        params = ["x", "y", "z"][:arity]
        body = self.body(params)
        return f"lambda {', '.join(params)}: {body}", shapes

    def term(self, params) -> str:
        r = self.rng
        p = r.choice(params)
        if r.random() < 0.25:
            return self.structure_term(p, params)
        if r.random() < 0.06:
            return self.joining_term(p, params)
        if r.random() < 0.05:
            return self.linalg_term(p, params)
        roll = r.random()
        if roll < 0.45:
            return p
        if roll < 0.6:
            return f"{r.choice(UNARY)}({p})"
        if roll < 0.7:
            return f"{p} * {r.randint(1, 3)}"
        if roll < 0.8 and len(params) > 1:
            return f"{r.choice(BINARY)}({p}, {r.choice(params)})"
        if roll < 0.88:
            return f"-{p}"
        if roll < 0.93:
            return f"{p}[{r.choice(INDICES)}]"
        return f"{p} {r.choice(['+', '-', '*'])} {r.choice(params)}"

    def structure_term(self, p: str, params) -> str:
        """Structure operations, reductions, products, methods, ** and comparisons,
        and control flow on ``p``."""
        r = self.rng
        q = r.choice(params)
        return r.choice([
            f"reshape({p}, (-1,))", f"{p}.ravel()", f"expand_dims({p}, {r.choice([0, -1, 2])})",
            f"{p}.T", f"swapaxes({p}, 0, -1)", f"moveaxis({p}, 0, -1)", f"flip({p})",
            f"squeeze({p})", f"{p}.reshape({p}.shape[0], -1)", f"{p} ** 2",
            f"({p} < {q})", f"jnp.tril({p})", f"{p}.transpose()",
            f"lax.cond(True, lambda u: u, lambda u: -u, {p})",
            f"lax.cond({p} > 0, lambda: {p}, lambda: {q})" if r.random() < 0.3 else
            f"lax.switch(1, [lambda u: u * 2, lambda u: u + 1], {p})",
            f"lax.fori_loop(0, 2, lambda i, u: u * 2, {p})",
            f"lax.scan(lambda c, u: (c + u, u * 2), {p}[0], {p})",
            f"lax.while_loop(lambda c: c[1] < 2, lambda c: (c[0] * 2, c[1] + 1), ({p}, 0))[0]",
            f"sum({p})", f"{p}.mean(axis=0)", f"max({p}, axis=-1, keepdims=True)",
            f"argmax({p})", f"{p} @ {q}", f"dot({p}, {q})", f"outer({p}, {q})",
            # advanced indexing: index arrays computed from the arguments
            f"{p}[argmax({q})]", f"{p}[argmax({q}, axis=0)]", f"{p}[:, argmax({q}, axis=-1)]",
            f"{p}[argmax({q}, axis=0), ..., 0]", f"{p}[[0, 1], ...]", f"{p}[True]",
            f"{p}[{q} > 0]",
        ])

    def joining_term(self, p: str, params) -> str:
        """Sequences of arrays (concatenate, stack, hstack, vstack, einsum) and
        the array operations (sort, roll, tile, pad, take, split, ...)."""
        r = self.rng
        q = r.choice(params)
        return r.choice([
            f"concatenate([{p}, {q}])", f"jnp.concatenate(({p}, {p}), axis=-1)",
            f"concatenate([{p}, {q}], axis=None)", f"stack([{p}, {q}])",
            f"stack([{p}, {p}, {q}], axis=-1)", f"hstack([{p}, {q}])", f"vstack([{p}, {q}])",
            f"einsum('ij,jk->ik', {p}, {q})", f"einsum('...i,...i->...', {p}, {q})",
            f"einsum('ii', {p})", f"einsum('ij->ji', {p})", f"einsum('i,j', {p}, {q})",
            f"jnp.einsum('...j,j', {p}, {q})",
            # array operations (arrays.rules)
            f"sort({p})", f"argsort({p}, axis=None)", f"roll({p}, 1)", f"tile({p}, 2)",
            f"repeat({p}, 2, axis=0)", f"pad({p}, 1)", f"take({p}, i32[2], axis=0)",
            f"diagonal({p})", f"split({p}, 2)[0]", f"asarray([{p}, {q}])", f"jnp.trace({p})",
            f"jax.nn.one_hot(argmax({p}, axis=-1), 3)",
        ])

    def linalg_term(self, p: str, params) -> str:
        """Contractions, jnp.linalg and lax's dynamic slices (often errors:
        the operands are rarely square, of matching sizes or large enough)."""
        r = self.rng
        q = r.choice(params)
        order = r.choice(["1", "jnp.inf", "'nuc'"])
        return r.choice([
            f"tensordot({p}, {q}, {r.choice([0, 1, 2])})", f"jnp.tensordot({p}, {q}, axes=(0, 0))",
            f"tensordot({p}, {q}, axes=((0,), (-1,)))", f"jnp.linalg.inv({p})",
            f"jnp.linalg.det({p})", f"jnp.linalg.solve({p}, {q})", f"jnp.linalg.norm({p})",
            f"jnp.linalg.norm({p}, axis=0)", f"jnp.linalg.norm({p}, 'fro', axis=(0, -1))",
            f"jnp.linalg.norm({p}, {order})",
            f"lax.dynamic_slice({p}, [0, 1], (1, 1))", f"lax.dynamic_slice({p}, [1], (2,))",
            f"lax.dynamic_update_slice({p}, {q}, [0, 0])",
            f"lax.dot_general({p}, {q}, (((0,), (0,)), ((), ())))",
            f"lax.dynamic_index_in_dim({p}, 0, keepdims=False)",
        ])

    def body(self, params) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.4:
            return self.term(params)
        if roll < 0.65:
            return f"{self.term(params)} {r.choice(['+', '-', '*'])} {self.term(params)}"
        if roll < 0.8:
            return f"({self.term(params)}, {self.term(params)})"
        if roll < 0.86:
            return f"[{self.term(params)}, {r.choice(params)}]"
        if roll < 0.92:
            return f'{{"u": {self.term(params)}, "v": {r.choice(params)}}}'
        if roll < 0.96:
            return str(r.randint(0, 3))  # a constant output: never batched
        return f"({r.choice(params)},)"

    def axis_for(self, rank: int) -> int:
        """An in_axes entry for an argument whose per-example rank is ``rank``."""
        pos = self.rng.randint(0, rank)
        return pos - (rank + 1) if self.rng.random() < 0.3 else pos

    def vmapped(self, depth: int, arity: int) -> tuple[str, list[list[str]]]:
        if depth == 0:
            return self.leaf_function(arity)
        r = self.rng
        inner, shapes = self.vmapped(depth - 1, arity)
        size = self.dim()
        axes: list[int | None] = []
        outer: list[list[str]] = []
        for s in shapes:
            if r.random() < 0.25:
                axes.append(None)
                outer.append(s)
                continue
            ax = self.axis_for(len(s))
            pos = ax if ax >= 0 else ax + len(s) + 1
            axes.append(ax)
            outer.append(s[:pos] + [size] + s[pos:])
        # perturbations that JAX should reject (or accept, if harmless)
        roll = r.random()
        if roll < 0.06 and outer and any(outer):
            i = r.randrange(len(outer))
            if outer[i]:
                j = r.randrange(len(outer[i]))
                outer[i][j] = self.dim()
        elif roll < 0.1:
            i = r.randrange(len(axes))
            axes[i] = r.choice([3, 4, -4, -5])
        elif roll < 0.13:
            axes = [None] * len(axes)
        in_axes = self.fmt_in_axes(axes)
        out_axes = self.out_axes()
        extra = ""
        if r.random() < 0.1:
            extra = f", axis_size={size if r.random() < 0.7 else self.dim()}"
        fn = r.choice(["vmap", "vmap", "jax.vmap"])
        text = f"{fn}({inner}, {in_axes}, {out_axes}{extra})"
        if r.random() < 0.08:
            text = f"jit({text})"
        return text, outer

    def fmt_in_axes(self, axes) -> str:
        r = self.rng
        items = ["None" if a is None else str(a) for a in axes]
        if len(set(items)) == 1 and r.random() < 0.5:
            return items[0]
        if r.random() < 0.05:
            items = items + ["0"]  # wrong length
        if r.random() < 0.15:
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

    def out_axes(self) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.5:
            return "0"
        if roll < 0.62:
            return "None"
        if roll < 0.72:
            return f"({r.randint(-2, 2)}, {r.randint(-1, 2)})"
        return str(r.randint(-3, 3))

    def arg(self, shape: list[str]) -> str:
        if self.rng.random() < 0.15:
            return "f32[" + ", ".join(shape) + "]"
        return "(" + ", ".join(shape) + ("," if len(shape) == 1 else "") + ")"

    def closure_function(self, arity: int) -> tuple[str, list[list[str]]]:
        """A lambda whose body vmaps an inner lambda that captures a parameter."""
        r = self.rng
        base = self.shape(r.choice([1, 2, 3]))
        shapes = [base] + [self.broadcastable(base[1:]) for _ in range(arity - 1)]
        params = ["x", "y", "z"][:arity]
        captured = r.choice(params)
        inner = f"lambda u: {r.choice(['u + ', 'u * ', ''])}{captured}"
        out = r.choice(["0", "0", "-1", "None"])
        body = f"vmap({inner}, 0, {out})({params[0]})"
        if r.random() < 0.3:
            body = f"({body}, {r.choice(params)})"
        return f"lambda {', '.join(params)}: {body}", shapes

    def pytree_program(self) -> Program:
        """vmap over a tuple / dict argument with a pytree-prefix in_axes."""
        r = self.rng
        size = self.dim()
        s1, s2, s3 = self.shape(r.choice([0, 1, 2])), self.shape(), self.shape()
        a1, a2, a3 = (r.choice([None, 0, 0, -1]) for _ in range(3))

        def mapped(s, ax):
            if ax is None:
                return s
            pos = ax if ax >= 0 else len(s) + 1 + ax
            return s[:pos] + [size] + s[pos:]

        def fa(a):
            return "None" if a is None else str(a)

        t1, t2, t3 = (self.arg(mapped(s, a)) for s, a in ((s1, a1), (s2, a2), (s3, a3)))
        if r.random() < 0.5:
            tree = f'{{"w": {t1}, "b": {t2}}}'
            spec = f'{{"w": {fa(a1)}, "b": {fa(a2)}}}' if r.random() < 0.8 else f'{{"w": {fa(a1)}}}'
            items = ['p["w"]', 'p["b"]']
        else:
            tree = f"({t1}, {t2})" if r.random() < 0.8 else f"[{t1}, {t2}]"
            spec = f"({fa(a1)}, {fa(a2)})" if r.random() < 0.85 else f"({fa(a1)}, {fa(a2)}, 0)"
            items = ["p[0]", "p[1]", "p[-1]"]
        in_axes = f"({spec}, {fa(a3)})" if r.random() < 0.8 else f"({fa(a3)}, {spec})"
        item = r.choice(items)
        body = r.choice(["(p, y)", "p", "y", "(y, p)", "[p, y * 2]",
                         f"{item} * y", f"({item}, y)", f"{item}"])
        out = self.out_axes() if r.random() < 0.6 else "((0, 0), 0)"
        return Program(f"vmap(lambda p, y: {body}, {in_axes}, {out})({tree}, {t3})",
                       dict(self.sizes))

    def grad_program(self) -> Program:
        """vmap of grad / value_and_grad / jacfwd / jacrev of an elementwise lambda.

        out_axes=None is frequent: whether a derivative is batched depends on
        the derivative, which is what this exercises.
        """
        r = self.rng
        arity = r.choice([1, 2, 2, 3])
        params = ["x", "y", "z"][:arity]
        body = self.body(params) if r.random() < 0.3 else self.term(params)
        if r.random() < 0.5:
            body = f"{self.term(params)} {r.choice(['+', '-', '*'])} {self.term(params)}"
        transform = r.choice(["grad", "grad", "value_and_grad", "jacfwd", "jacrev", "jax.grad",
                              "hessian"])
        argnums = r.choice(["", "", ", argnums=1", ", argnums=(0, 1)", ", argnums=-1"])
        if arity == 1 and argnums != "":
            argnums = ""
        if r.random() < 0.15:
            body = f"({body}, {r.choice(params)})"
            argnums += ", has_aux=True"
        per_example = [[] if r.random() < 0.85 else self.shape(1) for _ in params]
        size = self.dim()
        axes = [r.choice([0, 0, None]) for _ in params]
        if all(a is None for a in axes):
            axes[0] = 0
        args = []
        for shape, ax in zip(per_example, axes):
            full = shape if ax is None else [size] + shape
            dtype = "i32" if r.random() < 0.04 else None
            args.append(f"{dtype}[{', '.join(full)}]" if dtype else self.arg(full))
        in_axes = "(" + ", ".join("None" if a is None else str(a) for a in axes) + \
            ("," if len(axes) == 1 else "") + ")"
        out_axes = r.choice(["None", "None", "0", "(None, None)", "(0, None)"])
        if transform == "hessian" and r.random() < 0.7:
            out_axes = "0"  # out_axes=None on a second derivative may be `unsupported`
        text = f"vmap({transform}(lambda {', '.join(params)}: {body}{argnums}), {in_axes}, {out_axes})"
        return Program(f"{text}({', '.join(args)})", dict(self.sizes))

    def program(self) -> Program:
        r = self.rng
        self.sizes = {}
        self.symbolic = r.random() < 0.3
        if r.random() < 0.15:
            return self.pytree_program()
        if r.random() < 0.15:
            return self.grad_program()
        arity = r.choice([1, 2, 2, 2, 3])
        depth = r.choice([1, 1, 2, 2, 3])
        fn, shapes = self.vmapped(depth, arity)
        args = ", ".join(self.arg(s) for s in shapes)
        return Program(f"{fn}({args})", dict(self.sizes))


def programs(n: int, seed: int = 0) -> list[Program]:
    gen = Generator(seed)
    return [gen.program() for _ in range(n)]


# ---------------------------------------------------------------- loose symbolic programs

LOOSE_SYMBOLS = ("a", "b", "c", "d", "e")


class LooseGenerator(Generator):
    """Programs whose sizes are mostly symbols, and whose argument shapes now
    and then swap a symbol for another: many size comparisons are then left
    undecided, which default mode answers under guards and strict mode as
    JAX's symbolic shapes do."""

    def dim(self) -> str:
        r = self.rng
        if r.random() < 0.6:
            name = r.choice(SYMBOLS)
            self.sizes.setdefault(name, r.randint(1, 4))
            return name
        return str(r.choice([1, 2, 2, 3, 3, 4]))

    def arg(self, shape: list[str]) -> str:
        r = self.rng
        loose = [r.choice(LOOSE_SYMBOLS) if d in LOOSE_SYMBOLS and r.random() < 0.25 else d
                 for d in shape]
        return super().arg(loose)


def loose_programs(n: int, seed: int = 0) -> list[Program]:
    gen = LooseGenerator(seed)
    return [gen.program() for _ in range(n)]
