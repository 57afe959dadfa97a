"""Keys of several entities, for batch and transactional reads: one normalisation for all.

``(User, [k1, k2])`` (one entity type, many keys) and ``[(User, k1), (Post, k2)]`` (mixed
types) both become a list of :class:`KeyTarget`; every other shape is refused here, once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._model.entity import Entity, EntitySpec, spec_of
from .._model.item import key_from
from ..codec import serialize_item
from ..errors import InvalidInput
from .steps import Context

__all__ = ["KeyId", "KeyInput", "KeyTarget", "key_id", "key_input", "key_targets", "wire_key_id"]

KeyInput = Mapping[str, Any] | Entity

KeyId = tuple[tuple[str, str, Any], ...]
"""A key in wire format as a hashable value: ``((name, type, value), ...)`` sorted by name."""


def key_input(key: KeyInput | None, fields: Mapping[str, Any]) -> KeyInput:
    """One key from ``get(User, {...})`` or ``get(User, user_id=...)``: exactly one form."""
    if key is not None and fields:
        raise InvalidInput("give the key either as a dict (or entity) or as keyword arguments")
    if key is not None:
        return key
    return dict(fields)


@dataclass(frozen=True)
class KeyTarget:
    """One entity to read: its class, table name on the server and key (wire format)."""

    spec: EntitySpec
    table_name: str
    key: dict[str, Any]

    @property
    def id(self) -> tuple[str, str]:
        """Table and canonical key: equal for two requests of the same item."""
        return self.table_name, wire_key_id(self.key)


def wire_key_id(key: Mapping[str, Any]) -> str:
    """A canonical text for a key in wire format (bytes included)."""
    return json.dumps(key, sort_keys=True, default=repr)


def key_id(key: Mapping[str, Any]) -> KeyId:
    """A key in wire format as a hashable value, equal for two keys of one item in any order.

    Cheaper than :func:`wire_key_id` (no text is built): for the per-item bookkeeping of
    batches.

    Example:
        >>> key_id({"sk": {"N": "1"}, "pk": {"S": "a"}})
        (('pk', 'S', 'a'), ('sk', 'N', '1'))
    """
    parts = [(name, kind, value) for name, typed in key.items() for kind, value in typed.items()]
    parts.sort()  # names are distinct: values are never compared
    return tuple(parts)


def key_targets(
    entity: type[Entity] | Iterable[tuple[type[Entity], KeyInput]],
    keys: Iterable[KeyInput] | None,
    ctx: Context,
) -> list[KeyTarget]:
    """Normalise ``(Entity, keys)`` or ``[(Entity, key), ...]`` into :class:`KeyTarget`s."""
    pairs: list[tuple[type[Entity], KeyInput]]
    if isinstance(entity, type):
        if keys is None:
            raise InvalidInput(
                f"give the keys to read: (…, [{{key fields of {entity.__name__}}}, …])"
            )
        if isinstance(keys, Mapping | Entity):
            raise InvalidInput("keys must be a list of keys (dicts or entities), not one key")
        pairs = [(entity, key) for key in keys]
    else:
        if keys is not None:
            raise InvalidInput(
                "give either an entity class and its keys, or a list of (entity class, key) pairs"
            )
        pairs = []
        for pair in entity:
            if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], type)):
                raise InvalidInput(f"expected (entity class, key) pairs, got {pair!r}")
            pairs.append(pair)
    out: list[KeyTarget] = []
    for cls, key in pairs:
        spec = spec_of(cls)
        key_attrs, _, _ = key_from(spec, key)
        out.append(KeyTarget(spec, ctx.table_name(spec.table), serialize_item(key_attrs)))
    return out
