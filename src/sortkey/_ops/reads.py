"""Reads of single entities: ``get`` and ``exists`` as request values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from .._expr.compiler import compile_params
from .._model.entity import Entity, spec_of
from .._model.item import from_item, key_from
from ..codec import deserialize_item, serialize_item
from ..expr import PathLike, attr
from .steps import DEFAULT_CONTEXT, Context, Request

__all__ = ["exists", "get"]

E = TypeVar("E", bound=Entity)


def get(
    entity: type[E],
    key: Mapping[str, Any] | Entity,
    *,
    consistent: bool = False,
    projection: Sequence[PathLike] | None = None,
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[Any]:
    """Read one entity by key: the entity, or ``None``.

    With ``projection`` the result is a dict of just those attributes (a partial item is not
    a valid entity).

    Example:
        >>> from sortkey._model.table import Table
        >>> from sortkey._model.template import Key
        >>> t = Table("T", pk="pk", sk="sk")
        >>> class Doc(Entity):
        ...     __table__ = t
        ...     __key__ = Key(pk="DOC#{doc_id}", sk="#")
        ...     doc_id: str
        >>> get(Doc, {"doc_id": "1"}, consistent=True).params
        {'TableName': 'T', 'Key': {'pk': {'S': 'DOC#1'}, 'sk': {'S': '#'}}, 'ConsistentRead': True}
    """
    spec = spec_of(entity)
    key_attrs, _, _ = key_from(spec, key)
    params: dict[str, Any] = {
        "TableName": ctx.table_name(spec.table),
        "Key": serialize_item(key_attrs),
    }
    if consistent:
        params["ConsistentRead"] = True
    if projection is not None:
        params.update(compile_params(projection=list(projection)))

    def parse(response: dict[str, Any]) -> Any:
        item = response.get("Item")
        if not item:
            return None
        values = deserialize_item(item)
        if projection is not None:
            return values
        return from_item(entity, values)

    return Request("GetItem", params, parse=parse)


def exists(
    entity: type[Entity],
    key: Mapping[str, Any] | Entity,
    *,
    consistent: bool = False,
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[bool]:
    """Whether an entity with this key exists (reads only the partition key attribute)."""
    spec = spec_of(entity)
    key_attrs, _, _ = key_from(spec, key)
    params: dict[str, Any] = {
        "TableName": ctx.table_name(spec.table),
        "Key": serialize_item(key_attrs),
        **_projection_of(spec.table.pk_attribute.name),
    }
    if consistent:
        params["ConsistentRead"] = True
    return Request("GetItem", params, parse=_found)


def _found(response: dict[str, Any]) -> bool:
    return bool(response.get("Item"))


_PROJECTIONS: dict[str, dict[str, Any]] = {}


def _projection_of(name: str) -> dict[str, Any]:
    """The parameters projecting an item onto attribute ``name`` (a fresh copy each time).

    ``name`` is one top-level attribute even if it holds a dot (``"a.b"`` is not the path
    ``a`` → ``b``). Compiled once per name: compiling was ~6 us of an ``exists`` call.
    """
    compiled = _PROJECTIONS.get(name)
    if compiled is None:
        compiled = _PROJECTIONS[name] = compile_params(projection=[attr.name(name)])
    return {
        key: dict(value) if isinstance(value, dict) else value for key, value in compiled.items()
    }
