"""Dtypes and JAX's type promotion, as tables (x64 disabled, JAX's default).

An elementwise jax.numpy function decides its result dtype in two steps, and
shapeinfer follows them:

1. *promotion*: the operands' dtypes meet on JAX's type-promotion lattice
   (``jax/_src/dtypes.py``: ``_type_promotion_lattice``,
   ``lattice_result_type``); :func:`result_type`;
2. *conversion*: the helper the function calls converts the promoted dtype
   (``promote_args_inexact``: ints and bool to f32; ``promote_dtypes_numeric``:
   bool to i32); :func:`convert`.

Weak types: a Python scalar (``1``, ``1.5``) is *weakly typed*, a lattice
node of its own below every dtype of its kind and above the kinds below it,
so ``i8 + 1`` is i8 but ``i8 + 1.5`` is a weak f32. A weak result stays weak
(``1 + 1`` is a weak i32). Python's ``True`` is a strong bool, and no bool is
ever weak.

With x64 disabled JAX canonicalizes the 64-bit dtypes to their 32-bit
counterparts (``i64[n]`` *is* an i32 array), so results never have them.
"""
from __future__ import annotations

import functools

_KIND = {"bool": "bool", "i8": "int", "i16": "int", "i32": "int", "i64": "int",
         "u8": "uint", "u16": "uint", "u32": "uint", "u64": "uint",
         "f16": "float", "bf16": "float", "f32": "float", "f64": "float",
         "c64": "complex", "c128": "complex"}

# numpy names, for the checker and messages
NUMPY_NAME = {"bool": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
              "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
              "f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64",
              "c64": "complex64", "c128": "complex128"}

# What a `dtype=` string argument may spell, as NumPy reads it -> the
# language's short name: NumPy's names, its type codes ("i8" is int64, not
# the language's i8) and Python's type names.
SHORT_NAME = {numpy_name: short for short, numpy_name in NUMPY_NAME.items()}
SHORT_NAME.update({"?": "bool", "b1": "bool", "i1": "i8", "i2": "i16", "i4": "i32", "i8": "i64",
                   "u1": "u8", "u2": "u16", "u4": "u32", "u8": "u64", "f2": "f16", "f4": "f32",
                   "f8": "f64", "c8": "c64", "c16": "c128", "int": "i64", "float": "f64",
                   "complex": "c128"})

# x64 disabled: jax.dtypes.canonicalize_dtype (_dtype_to_32bit_dtype)
_X32 = {"i64": "i32", "u64": "u32", "f64": "f32", "c128": "c64"}

# The lattice of jax._src.dtypes._type_promotion_lattice(strict=False, x64=False),
# without the types the language has no name for (int4, float8, ...): each node
# maps to the nodes immediately above it. "int", "float" and "complex" are the
# weak Python scalar types. x64 disabled makes u32 < i32 (instead of i64), so
# that no promotion of 32-bit inputs forms a 64-bit type.
_LATTICE = {
    "bool": ("int",),
    "int": ("u8", "i8"),
    "u8": ("i16", "u16"), "u16": ("i32", "u32"), "u32": ("i32", "u64"), "u64": ("float",),
    "i8": ("i16",), "i16": ("i32",), "i32": ("i64",), "i64": ("float",),
    "float": ("bf16", "f16", "complex"),
    "bf16": ("f32",), "f16": ("f32",), "f32": ("f64", "c64"), "f64": ("c128",),
    "complex": ("c64",), "c64": ("c128",), "c128": (),
}

# A weak scalar's lattice node, and the dtype a weak node stands for
# (jax.dtypes.default_types, canonical): the one weak dtype of each kind.
_WEAK_NODE = {"int": "int", "uint": "int", "float": "float", "complex": "complex"}
_WEAK_DTYPE = {"int": "i32", "float": "f32", "complex": "c64"}


def _upper_bounds() -> dict[str, frozenset]:
    """Each node with every node above it (itself included)."""
    bounds: dict[str, frozenset] = {}

    def above(node):
        if node not in bounds:
            bounds[node] = frozenset({node}).union(*(above(n) for n in _LATTICE[node]))
        return bounds[node]

    for node in _LATTICE:
        above(node)
    return bounds


_UPPER = _upper_bounds()


def _join(nodes) -> str:
    """The least upper bound of lattice nodes (the lattice guarantees one)."""
    common = frozenset.intersection(*(_UPPER[n] for n in nodes))
    (least,) = [c for c in common if common <= _UPPER[c]]
    return least


def kind(dtype: str) -> str:
    """bool, int, uint, float or complex."""
    return _KIND[dtype]


def is_inexact(dtype: str) -> bool:
    return kind(dtype) in ("float", "complex")


def canonical(dtype: str) -> str:
    """The dtype JAX really uses for ``dtype`` with x64 disabled."""
    return _X32.get(dtype, dtype)


@functools.lru_cache(maxsize=1024)  # (a few combinations recur in every program)
def result_type(*operands: tuple[str, bool]) -> tuple[str, bool]:
    """(dtype, weak) of combining ``(dtype, weak)`` operands, as
    ``jax._src.dtypes.lattice_result_type`` does."""
    ops = [(canonical(d), weak and d != "bool") for d, weak in operands]
    dtypes = {d for d, _ in ops}
    if len(ops) == 1 or (len(dtypes) == 1 and not all(w for _, w in ops)):
        # one operand, or one dtype: nothing to promote; strong wins
        return ops[0][0], len(ops) == 1 and ops[0][1]
    if all(w for _, w in ops):
        # weak scalars among themselves: join their dtypes, stay weak
        return canonical(_join(dtypes)), True
    node = _join({_WEAK_NODE[kind(d)] if w else d for d, w in ops})
    if node in _WEAK_DTYPE:  # a weak scalar outranks the strong operands
        return _WEAK_DTYPE[node], True
    return canonical(node), False


def promote(arrays) -> tuple[str, bool]:
    """(dtype, weak) of the result of combining ``arrays`` elementwise."""
    return result_type(*((a.dtype, a.weak) for a in arrays))


# What jax.numpy's promotion helpers (jax/_src/numpy/util.py) make of a
# promoted dtype: promote_dtypes_inexact (jax.dtypes.to_inexact_dtype; the
# 64-bit ints would become f64, canonically f32) and promote_dtypes_numeric
# (jax.dtypes.to_numeric_dtype). Weakness carries over. "real" is what
# jnp.abs gives: the real dtype of a complex one.
_CONVERSIONS = {
    "args": {},
    "inexact": {d: "f32" for d in _KIND if kind(d) in ("bool", "int", "uint")},
    "numeric": {"bool": "i32"},
    "real": {"c64": "f32", "c128": "f32"},
}


def convert(dtype: str, weak: bool, to: str) -> tuple[str, bool]:
    """(dtype, weak) after the conversion ``to`` (a key of :data:`_CONVERSIONS`)."""
    return canonical(_CONVERSIONS[to].get(dtype, dtype)), weak


# The dtype of a weak Python scalar of each kind (a literal 1 is a weak i32).
WEAK_SCALAR = {"int": ("i32", True), "float": ("f32", True)}
