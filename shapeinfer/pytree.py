"""Pytrees as JAX sees them: tuples, lists and dicts are nodes, None is an
empty node, everything else is a leaf. Dicts flatten in sorted key order,
as ``jax.tree.leaves`` does.
"""
from __future__ import annotations

from typing import Callable, Iterator

from .errors import ShapeError


def sorted_keys(tree: dict) -> list:
    """A dict's keys in JAX's order: sorted, with Python's own comparisons
    (so None and tuple keys work), and JAX's ValueError when two cannot be
    compared (``{1: x, "a": y}``)."""
    try:
        return sorted(tree)
    except TypeError as e:
        raise ShapeError("bad-argument", "ValueError",
                         "Comparator raised exception while sorting pytree dictionary keys "
                         f"({e}): JAX sorts a dict's keys, so they must be comparable with "
                         f"each other; got {list(tree)}") from None


def _children(tree) -> list[tuple[str, object]] | None:
    """(key-path piece, child) pairs of a node, or None for a leaf."""
    if isinstance(tree, (tuple, list)):
        return [(f"[{i}]", c) for i, c in enumerate(tree)]
    if isinstance(tree, dict):
        return [(f"[{k!r}]", tree[k]) for k in sorted_keys(tree)]
    return None


def leaves_with_paths(tree, path: str = "") -> Iterator[tuple[str, object]]:
    """``(key path, leaf)`` in JAX's leaf order. A loop over an explicit stack,
    not recursion: a program may nest lists thousands deep."""
    stack = [(path, tree)]
    while stack:
        path, tree = stack.pop()
        if tree is None:
            continue
        children = _children(tree)
        if children is None:
            yield path, tree
        else:
            stack.extend((path + key, child) for key, child in reversed(children))


def leaves(tree) -> list:
    return [leaf for _, leaf in leaves_with_paths(tree)]


def map_leaves(fn: Callable, tree):
    """The same structure with ``fn`` applied to each leaf, in leaf order."""
    if tree is None:
        return None
    if isinstance(tree, tuple):
        return tuple(map_leaves(fn, c) for c in tree)
    if isinstance(tree, list):
        return [map_leaves(fn, c) for c in tree]
    if isinstance(tree, dict):
        return {k: map_leaves(fn, tree[k]) for k in sorted_keys(tree)}
    return fn(tree)


def _kind(tree) -> str:
    if isinstance(tree, tuple):
        return "tuple"
    if isinstance(tree, list):
        return "list"
    if isinstance(tree, dict):
        return "dict"
    return "leaf"


class PrefixError(ValueError):
    """``prefix`` is not a tree prefix of ``full``; the message says where."""


def broadcast_prefix(prefix, full, name: str, is_spec_leaf: Callable) -> list:
    """One prefix leaf per leaf of ``full`` (JAX's ``flatten_axes``).

    A spec leaf (``is_spec_leaf``: an int or None for axis specs) stands for
    the whole subtree below it; otherwise the node kinds, lengths and dict
    keys must agree.
    """
    out: list = []

    def go(p, f, path):
        if is_spec_leaf(p):
            out.extend(p for _ in leaves(f))
            return
        pk, fk = _kind(p), _kind(f)
        where = f"{name}{path}"
        if f is None or fk != pk:
            got = "None" if f is None else ("a leaf (an array)" if fk == "leaf" else f"a {fk}")
            raise PrefixError(
                f"{name} specification must be a tree prefix of the corresponding value; "
                f"at {where} the specification has a {pk} but the value has {got}")
        if pk in ("tuple", "list") and len(p) != len(f):
            raise PrefixError(
                f"{name} specification must be a tree prefix of the corresponding value; "
                f"at {where} the specification has a {pk} of length {len(p)} but the value "
                f"has a {fk} of length {len(f)}")
        if pk == "dict" and sorted_keys(p) != sorted_keys(f):
            raise PrefixError(
                f"{name} specification must be a tree prefix of the corresponding value; "
                f"at {where} the specification has dict keys {sorted_keys(p)} but the value "
                f"has keys {sorted_keys(f)}")
        for (key, pc), (_, fc) in zip(_children(p), _children(f)):
            go(pc, fc, path + key)

    go(prefix, full, "")
    return out


def unflatten_like(tree, new_leaves: list):
    """Put ``new_leaves`` (in leaf order) into the structure of ``tree``."""
    it = iter(new_leaves)
    result = map_leaves(lambda _: next(it), tree)
    return result


def prefix_subtrees(prefix, full, name: str) -> list:
    """For each leaf of ``prefix``, the subtree of ``full`` at its place
    (``jax.tree.map``'s extra trees may be deeper than the first); raises
    :class:`PrefixError` where ``prefix`` is not a prefix of ``full``."""
    out: list = []

    def go(p, f, path):
        where = f"{name}{path}"
        if p is None:  # (a node without children: the others have None there too)
            if f is not None:
                raise PrefixError(f"pytree structure error: at key path {where} the first tree "
                                  "has None but this one has "
                                  + ("a leaf" if _kind(f) == "leaf" else f"a {_kind(f)}"))
            return
        if _children(p) is None:
            out.append(f)
            return
        pk, fk = _kind(p), _kind(f)
        if fk != pk or len(_children(p)) != len(_children(f)) or (
                pk == "dict" and sorted_keys(p) != sorted_keys(f)):
            raise PrefixError(f"pytree structure error: at key path {where} the first tree has "
                              f"a {pk} of length {len(_children(p))} but this one has "
                              + ("a leaf" if fk == "leaf" else f"a {fk} of length "
                                 f"{len(_children(f)) if f is not None else 0}"))
        for (key, pc), (_, fc) in zip(_children(p), _children(f)):
            go(pc, fc, path + key)

    go(prefix, full, "")
    return out
