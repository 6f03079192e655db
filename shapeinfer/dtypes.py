"""Dtypes, as far as shapes need them.

Results report shapes; dtypes matter only where JAX rejects a dtype (``-x``
on bool, ``sigmoid`` on ints) and for the checker, which builds inputs of the
dtype the program names. Promotion follows JAX's lattice in outline: weak
Python scalars defer to arrays, then bool < integers < floats < complex.
"""
from __future__ import annotations

_KIND = {"bool": "bool", "i8": "int", "i16": "int", "i32": "int", "i64": "int",
         "u8": "uint", "u16": "uint", "u32": "uint", "u64": "uint",
         "f16": "float", "bf16": "float", "f32": "float", "f64": "float",
         "c64": "complex", "c128": "complex"}
_ORDER = {"bool": 0, "uint": 1, "int": 1, "float": 2, "complex": 3}
_WIDTH = {"bool": 1, "i8": 8, "i16": 16, "i32": 32, "i64": 64, "u8": 8, "u16": 16,
          "u32": 32, "u64": 64, "f16": 16, "bf16": 16, "f32": 32, "f64": 64,
          "c64": 64, "c128": 128}

# numpy names, for the checker
NUMPY_NAME = {"bool": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
              "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
              "f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64",
              "c64": "complex64", "c128": "complex128"}


def kind(dtype: str) -> str:
    return _KIND[dtype]


def is_inexact(dtype: str) -> bool:
    return kind(dtype) in ("float", "complex")


def to_inexact(dtype: str) -> str:
    """What a float-valued function (sin, sqrt, /) returns for this input."""
    return dtype if is_inexact(dtype) else "f32"


def promote(arrays) -> tuple[str, bool]:
    """(dtype, weak) of the result of combining ``arrays`` elementwise."""
    strong = [a for a in arrays if not a.weak]
    pool = strong or list(arrays)
    best = max(pool, key=lambda a: (_ORDER[kind(a.dtype)], _WIDTH[a.dtype]))
    dtype = best.dtype
    if strong:
        # A weak scalar of a higher kind lifts the strong dtype to its kind's default.
        top_weak = max((a for a in arrays if a.weak),
                       key=lambda a: _ORDER[kind(a.dtype)], default=None)
        if top_weak is not None and _ORDER[kind(top_weak.dtype)] > _ORDER[kind(dtype)]:
            dtype = {"int": "i32", "float": "f32", "complex": "c64"}.get(kind(top_weak.dtype), dtype)
    return dtype, not strong
