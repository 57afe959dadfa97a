"""ProjectionExpression: which parts of an item to return, structure preserved.

``a.b[1]`` yields ``{"a": {"M": {"b": {"L": [<element 1>]}}}}``: maps keep the requested keys,
lists keep the requested elements in index order (compacted), missing parts are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..values import AV, Item
from .condition import _Binder
from .context import ExpressionContext, Path
from .syntax import ProjectionNode, parse
from .update import check_overlaps

KIND = "ProjectionExpression"

# A trie of requested segments; None marks "the whole value here".
_Trie = dict[Any, Any]


class Projection:
    """A bound ProjectionExpression.

    Attributes:
        paths: the requested paths, resolved, in source order.
        top_level_names: the top-level attributes involved.
    """

    __slots__ = ("_trie", "paths", "top_level_names")

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.top_level_names: set[str] = {str(p[0]) for p in paths}
        self._trie = _build_trie(paths)

    def apply(self, item: Item) -> Item:
        """The projected copy of ``item`` (shares leaf values with it)."""
        return _project_item(item, self._trie)


def _build_trie(paths: Iterable[Path]) -> _Trie:
    trie: _Trie = {}
    for path in paths:
        node = trie
        for segment in path[:-1]:
            child = node.get(segment)
            if child is None:
                child = node[segment] = {}
            node = child
        node[path[-1]] = None
    return trie


def _project_item(item: Item, trie: _Trie) -> Item:
    out: Item = {}
    for name, sub in trie.items():
        av = item.get(name)
        if av is None:
            continue
        if sub is None:
            out[name] = av
        else:
            projected = _project(av, sub)
            if projected is not None:
                out[name] = projected
    return out


def _project(av: AV, trie: _Trie) -> AV | None:
    if isinstance(next(iter(trie)), int):
        elements = av.get("L")
        if elements is None:
            return None
        kept: list[AV] = []
        for index in sorted(trie):
            if index < len(elements):
                sub = trie[index]
                value = elements[index] if sub is None else _project(elements[index], sub)
                if value is not None:
                    kept.append(value)
        return {"L": kept} if kept else None
    members = av.get("M")
    if members is None:
        return None
    found = _project_item(members, trie)
    return {"M": found} if found else None


def project_paths(item: Item, paths: Iterable[Path]) -> Item:
    """Project ``item`` onto resolved ``paths`` (no overlap checks; for UPDATED_OLD/NEW)."""
    return _project_item(item, _build_trie(paths))


def parse_projection(text: str, ctx: ExpressionContext) -> Projection:
    """Parse and bind a ProjectionExpression.

    Raises:
        EngineError: ValidationException with DynamoDB's message (syntax, reserved words,
            undefined names, overlapping or conflicting paths).
    """
    tree = parse(KIND, text)
    assert isinstance(tree, ProjectionNode)
    binder = _Binder(ctx, KIND)
    paths = [binder.path(node) for node in tree.paths]
    check_overlaps(paths, KIND)
    return Projection(paths)
