"""Entities ↔ items, in Python values (the codec turns those into wire format).

Storage rules:

* ``None`` is stored as absence: a field set to ``None`` has no attribute, and an update that
  sets a field to ``None`` removes it. Empty sets (which DynamoDB cannot store) are absent too.
* datetimes are ISO 8601 UTC text with microseconds (fixed width, so text order is time
  order), or epoch seconds for fields marked ``Epoch()`` / ``CreatedAt(epoch=True)``; dates
  and times are ISO text, enums their value, UUIDs text, nested models maps, tuples lists.
* Every key attribute is derived from the fields on every write (templates), the type
  attribute names the entity type, the type index's sort key gets the write time and the
  table's TTL attribute gets the TTL field in epoch seconds.
* On read, attributes that are not fields are stripped; the raw item stays reachable with
  :func:`raw`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from ..errors import InvalidInput, SerializationError
from .entity import Entity, EntitySpec, spec_of
from .table import Table
from .template import format_datetime

__all__ = [
    "epoch_seconds",
    "from_item",
    "key_from",
    "parse_item",
    "raw",
    "storable",
    "storable_field",
    "storable_item",
    "to_attributes",
]

E = TypeVar("E", bound=Entity)

#: The slot of :class:`Entity` that holds the item an entity was read from or written as.
#: A slot, not a private attribute: copies (``model_copy``, ``deepcopy``, pickling) and
#: equality ignore it, and it costs no registry, lock or finalizer per entity.
_ITEM_SLOT = "__sortkey_item__"


def epoch_seconds(value: datetime) -> int:
    """Whole seconds since 1970-01-01 UTC (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


# --------------------------------------------------------------------------- storable values
#
# storable() is on the hot path of every write: it sees every value of every item. So it
# dispatches on the exact type: a type stored unchanged costs one set lookup, the usual
# containers and special types one dict lookup. Any other class (str and int enums, pydantic
# models, dict subclasses...) goes once through the isinstance chain of _resolve_converter,
# in the order of the storage rules, and the answer is cached for the class. Containers test
# their members inline, and a container holding only unchanged values is checked, then
# copied whole, which is cheaper than building the copy member by member.

#: Types stored as they are (``Decimal`` and ``None`` included; the codec takes it from here).
_UNCHANGED: frozenset[type] = frozenset({str, int, float, bool, bytes, Decimal, type(None)})

_Converter = Callable[[Any], Any]
_MAX_CONVERTERS = 1000


def _same(value: Any) -> Any:
    return value


def _from_enum(value: Enum) -> Any:
    return storable(value.value)


def _isoformat(value: date | time) -> str:
    return value.isoformat()


def _model_converter(cls: type[BaseModel]) -> _Converter:
    """The converter of one model class, with its field names read once."""
    names = tuple(cls.model_fields)  # a pydantic property, dearer than a small model's fields

    def from_model(value: BaseModel) -> dict[str, Any]:
        # Fields set to None are left out of nested models (the absence rule, one level down).
        out: dict[str, Any] = {}
        for name in names:
            v = getattr(value, name)
            if v is not None:
                out[name] = v if type(v) in _UNCHANGED else _convert(v)
        return out

    return from_model


def _from_mapping(value: Mapping[Any, Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for k, v in value.items():
        if type(k) is not str and isinstance(k, Enum):
            k = k.value
        out[k] = v if type(v) in _UNCHANGED else _convert(v)
    return out


def _from_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    for k, v in value.items():
        if type(v) not in _UNCHANGED or type(k) is not str:
            return _from_mapping(value)
    return value.copy()


def _from_set(value: AbstractSet[Any]) -> set[Any] | None:
    for v in value:
        if type(v) not in _UNCHANGED:
            return {v if type(v) in _UNCHANGED else _convert(v) for v in value} or None
    # Empty: absent (DynamoDB cannot store an empty set). Built member by member, not with
    # set(value): a copy can iterate in another order, and the codec's error for a mixed set
    # names the first member it meets.
    return {v for v in value} or None


def _from_sequence(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    for v in value:
        if type(v) not in _UNCHANGED:
            return [v if type(v) in _UNCHANGED else _convert(v) for v in value]
    return list(value)


_CONVERTERS: dict[type, _Converter] = {
    dict: _from_dict,
    list: _from_sequence,
    tuple: _from_sequence,
    set: _from_set,
    frozenset: _from_set,
    datetime: format_datetime,
    date: _isoformat,
    time: _isoformat,
    uuid.UUID: str,
}


def _resolve_converter(value: Any) -> _Converter:
    """The converter of a class not in the tables yet: the storage rules, in their order."""
    convert: _Converter
    if isinstance(value, str | bool | int | float | bytes):
        convert = _same  # subclasses too: str and int enums are stored as they are
    elif isinstance(value, Enum):
        convert = _from_enum
    elif isinstance(value, datetime):
        convert = format_datetime
    elif isinstance(value, date | time):
        convert = _isoformat
    elif isinstance(value, uuid.UUID):
        convert = str
    elif isinstance(value, BaseModel):
        convert = _model_converter(type(value))
    elif isinstance(value, Mapping):
        convert = _from_mapping
    elif isinstance(value, set | frozenset):
        convert = _from_set
    elif isinstance(value, list | tuple):
        convert = _from_sequence
    else:
        convert = _same  # Decimal subclasses, bytearray... or what the codec refuses by name
    # Cached unless the value is a proxy claiming another class, or the classes seen are so
    # many (made on the fly?) that the table would only grow.
    if value.__class__ is type(value) and len(_CONVERTERS) < _MAX_CONVERTERS:
        _CONVERTERS[type(value)] = convert
    return convert


def _convert(value: Any) -> Any:
    """:func:`storable` for a value whose type is known not to be unchanged."""
    convert = _CONVERTERS.get(type(value))
    if convert is None:
        convert = _resolve_converter(value)
    return convert(value)


def storable(value: Any) -> Any:
    """A Python value in the types the codec stores, following the storage rules above.

    Containers in the result are new (``dict``, ``list``, ``set``), never the caller's own.

    Example:
        >>> class Size(Enum):
        ...     S = "small"
        >>> storable({Size.S: [datetime(2024, 5, 1), Size.S], "none": set()})
        {'small': ['2024-05-01T00:00:00.000000Z', 'small'], 'none': None}
    """
    if type(value) in _UNCHANGED:
        return value
    return _convert(value)


def storable_item(values: Mapping[Any, Any]) -> dict[str, Any]:
    """A whole item's attributes as :func:`storable` values, ``None`` ones left out.

    At the top level of an item ``None`` means absence, and so does an empty set. The result
    is ``{k: v for k, v in storable(dict(values)).items() if v is not None}``, in one pass.

    Example:
        >>> storable_item({"pk": "a", "gone": None, "tags": set(), "n": 1})
        {'pk': 'a', 'n': 1}
    """
    source = values if type(values) is dict else dict(values)
    out = source.copy()  # every value at once; the few that change are replaced below
    holes = False
    for k, v in source.items():
        if type(k) is not str:
            return _item_keyed(source)  # enum keys may collide with str keys: the slow way
        if type(v) not in _UNCHANGED:
            v = out[k] = _convert(v)
        if v is None:
            holes = True
    if holes:
        return {k: v for k, v in out.items() if v is not None}
    return out


def _item_keyed(values: dict[Any, Any]) -> dict[str, Any]:
    """:func:`storable_item` for an item with keys that are not ``str`` (enums...)."""
    return {k: v for k, v in _from_mapping(values).items() if v is not None}


def storable_field(spec: EntitySpec, name: str, value: Any) -> Any:
    """One top-level field's stored value (honours epoch storage)."""
    if spec.is_epoch(name) and isinstance(value, datetime):
        return epoch_seconds(value)
    return storable(value)


def field_values(entity: Entity) -> dict[str, Any]:
    """The entity's field values (Python objects), ``None`` left out."""
    return {
        name: v for name in type(entity).model_fields if (v := getattr(entity, name)) is not None
    }


def primary_key(spec: EntitySpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key attributes (Python values) from field values; refuses missing fields."""
    out: dict[str, Any] = {}
    for source in spec.key:
        if source.template is not None:
            missing = source.template.missing(values)
            if missing:
                raise InvalidInput(
                    f"{spec.name} key attribute {source.attribute.name!r} (template "
                    f"{source.template.text!r}) needs {', '.join(map(repr, missing))}"
                )
            out[source.attribute.name] = source.template.render(values)
        else:
            assert source.field is not None
            value = values.get(source.field)
            if value is None:
                raise InvalidInput(f"{spec.name} key field {source.field!r} is missing")
            out[source.attribute.name] = storable_field(spec, source.field, value)
    return out


def index_attributes(spec: EntitySpec, values: Mapping[str, Any]) -> dict[str, str | None]:
    """Templated index key attributes: rendered text, or ``None`` when a field is missing."""
    out: dict[str, str | None] = {}
    for sources in spec.indexes.values():
        for source in sources:
            if source.template is not None:
                out[source.attribute.name] = source.template.render(values)
    return out


def to_attributes(entity: Entity, *, now: datetime) -> dict[str, Any]:
    """The full item (Python values) for a put: fields, keys, index keys, type, TTL."""
    spec = spec_of(entity)
    values = {n: v for n in spec.field_names if (v := getattr(entity, n)) is not None}
    # storable_field for each value, inline: most are stored unchanged.
    item = values.copy()
    holes = False
    for name, value in values.items():
        if type(value) not in _UNCHANGED:
            if isinstance(value, datetime) and spec.is_epoch(name):
                item[name] = epoch_seconds(value)
                continue
            stored = item[name] = _convert(value)
            if stored is None:
                holes = True  # an empty set
    if holes:
        item = {name: value for name, value in item.items() if value is not None}
    item.update(primary_key(spec, values))
    item.update({a: text for a, text in index_attributes(spec, values).items() if text is not None})
    table = spec.table
    item[table.type_attribute] = spec.type_name
    if table.timestamp_attribute:
        item[table.timestamp_attribute] = format_datetime(now)
    ttl_field = spec.ttl_field
    if ttl_field is not None and table.ttl and isinstance(values.get(ttl_field), datetime):
        item[table.ttl] = epoch_seconds(values[ttl_field])
    return item


def key_from(
    spec: EntitySpec, key: Mapping[str, Any] | Entity
) -> tuple[dict[str, Any], dict[str, Any], int | None]:
    """Normalise a key given as an entity or a field dict.

    Returns:
        ``(key attributes, key field values, expected version)``; the version is the entity's
        (or the dict's version field) when the entity is versioned, else ``None``.
    """
    version_field = spec.version_field
    version: int | None = None
    if isinstance(key, Entity):
        if type(key) is not spec.cls:
            raise InvalidInput(f"expected a {spec.name} or a key dict, got {type(key).__name__}")
        values = field_values(key)
        version = getattr(key, version_field) if version_field else None
        return primary_key(spec, values), {f: values.get(f) for f in spec.key_fields}, version
    if not isinstance(key, Mapping):
        raise InvalidInput(
            f"a {spec.name} key is a dict of its key fields "
            f"({', '.join(spec.key_fields)}) or a {spec.name}, got {type(key).__name__}"
        )
    values = {}
    for name, value in key.items():
        if name == version_field and version_field is not None:
            version = int(spec.coerce(name, value))
            continue
        if name not in spec.key_fields:
            raise InvalidInput(
                f"{name!r} is not part of {spec.name}'s key (its key fields: "
                f"{', '.join(spec.key_fields)})"
            )
        values[name] = spec.coerce(name, value)
    missing = [f for f in spec.key_fields if values.get(f) is None]
    if missing:
        raise InvalidInput(f"{spec.name} key needs {', '.join(map(repr, missing))}")
    return primary_key(spec, values), values, version


def _remember(entity: Entity, item: dict[str, Any]) -> None:
    object.__setattr__(entity, _ITEM_SLOT, item)


def raw(entity: Entity) -> dict[str, Any] | None:
    """The item an entity was read from (or written as), every attribute included.

    Keys, index keys, the type attribute and the TTL attribute are stripped from entities;
    this is where to find them. ``None`` for an entity that never met the database.

    Example:
        >>> raw(object.__new__(Entity)) is None
        True
    """
    item: dict[str, Any] | None = getattr(entity, _ITEM_SLOT, None)
    return dict(item) if item is not None else None


def from_item(cls: type[E], item: Mapping[str, Any]) -> E:
    """Build an entity from an item (Python values), stripping attributes that are not fields."""
    spec = spec_of(cls)
    data = {name: item[name] for name in spec.field_names if name in item}
    try:
        entity = cls.model_validate(data)
    except PydanticValidationError as exc:
        raise SerializationError(
            f"stored item does not fit {spec.name}: {exc.errors()[0].get('msg')} "
            f"(at {exc.errors()[0].get('loc')}); raw item keys: {sorted(item)}"
        ) from None
    _remember(entity, dict(item))
    return entity


def remember(entity: Entity, item: Mapping[str, Any]) -> None:
    """Attach the item just written to the entity returned by a write."""
    _remember(entity, dict(item))


def parse_item(
    table: Table, item: Mapping[str, Any], default: type[Entity] | None = None
) -> Entity | dict[str, Any]:
    """Dispatch an item to its entity class by the type attribute; unknown types stay dicts."""
    type_name = item.get(table.type_attribute)
    cls: type[Entity] | None = None
    if isinstance(type_name, str):
        cls = table.entity_for(type_name)
    if cls is None and type_name is None and default is not None:
        cls = default
    if cls is None:
        return dict(item)
    return from_item(cls, item)
