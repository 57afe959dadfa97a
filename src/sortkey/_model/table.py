"""Tables and their secondary indexes: pure definitions, no I/O.

A :class:`Table` names the key attributes of a DynamoDB table and its indexes. Entities bind to
a table (``__table__``) and say how their fields fill those attributes. A key attribute is
given as its name (type ``S``) or as ``(name, "S" | "N" | "B")``. A GSI key may list several
attributes (DynamoDB's multi-attribute keys: up to 4 partition and 4 sort attributes), which
DynamoDB then maintains from the real attributes itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import DefinitionError

if TYPE_CHECKING:
    from .entity import Entity

__all__ = ["GSI", "LSI", "KeyAttribute", "KeySpec", "Table"]

AttributeType = Literal["S", "N", "B"]
KeySpec = str | tuple[str, str]
Projection = Literal["all", "keys_only"] | Sequence[str]

_TYPES = ("S", "N", "B")
_MAX_MULTI = 4


#: DynamoDB's naming rule for tables and indexes: letters, digits, ``_``, ``-`` and ``.``.
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
_MAX_NAME = 255
_MIN_INDEX_NAME = 3
#: Key attribute names are 1 to 255 bytes (UTF-8).
_MAX_KEY_ATTRIBUTE_NAME = 255


def _check_name(kind: str, name: object, *, minimum: int) -> str:
    """Refuse a table or index name DynamoDB would refuse at CreateTable, with the rule."""
    if not isinstance(name, str) or not name:
        raise DefinitionError(f"{kind} name must be a non-empty string, got {name!r}")
    bad = sorted(set(name) - _NAME_CHARACTERS)
    if bad:
        raise DefinitionError(
            f"{kind} name {name!r} has {''.join(bad)!r}: DynamoDB allows only letters, digits, "
            "'_', '-' and '.'"
        )
    if not minimum <= len(name) <= _MAX_NAME:
        raise DefinitionError(
            f"{kind} name {name!r} has {len(name)} characters: DynamoDB allows {minimum} to "
            f"{_MAX_NAME}"
        )
    return name


def _check_key_attribute_name(name: str, where: str) -> str:
    if not name:
        raise DefinitionError(f"{where}: a key attribute name cannot be empty")
    if len(name.encode()) > _MAX_KEY_ATTRIBUTE_NAME:
        raise DefinitionError(
            f"{where}: key attribute name {name[:20]!r}... is {len(name.encode())} bytes; "
            f"DynamoDB allows at most {_MAX_KEY_ATTRIBUTE_NAME}"
        )
    return name


@dataclass(frozen=True)
class KeyAttribute:
    """One key attribute: its name and DynamoDB scalar type."""

    name: str
    type: AttributeType = "S"


def _key_attribute(spec: object, where: str) -> KeyAttribute:
    if isinstance(spec, KeyAttribute):
        return spec
    if isinstance(spec, str):
        return KeyAttribute(_check_key_attribute_name(spec, where))
    if (
        isinstance(spec, tuple)
        and len(spec) == 2
        and isinstance(spec[0], str)
        and spec[1] in _TYPES
    ):
        return KeyAttribute(_check_key_attribute_name(spec[0], where), spec[1])
    raise DefinitionError(
        f"{where}: expected an attribute name or (name, 'S' | 'N' | 'B'), got {spec!r}"
    )


def _key_attributes(spec: object, where: str, *, multi: bool) -> tuple[KeyAttribute, ...]:
    if isinstance(spec, list):
        if not multi:
            raise DefinitionError(f"{where}: only a GSI key may list several attributes")
        if not 1 <= len(spec) <= _MAX_MULTI:
            raise DefinitionError(
                f"{where}: a multi-attribute key has 1 to {_MAX_MULTI} attributes, got {len(spec)}"
            )
        attrs = tuple(_key_attribute(s, where) for s in spec)
        names = [a.name for a in attrs]
        if len(set(names)) != len(names):
            raise DefinitionError(f"{where}: attribute listed twice in {names}")
        return attrs
    return (_key_attribute(spec, where),)


def _projection(value: object, where: str) -> tuple[str, tuple[str, ...]]:
    if value in ("all", "ALL"):
        return "ALL", ()
    if value in ("keys_only", "KEYS_ONLY"):
        return "KEYS_ONLY", ()
    if isinstance(value, Sequence) and not isinstance(value, str):
        names = tuple(value)
        if names and all(isinstance(n, str) and n for n in names):
            return "INCLUDE", names
    raise DefinitionError(
        f"{where}: projection must be 'all', 'keys_only' or a list of attribute names, "
        f"got {value!r}"
    )


class _Index:
    name: str
    pk: tuple[KeyAttribute, ...]
    sk: tuple[KeyAttribute, ...]
    projection_type: str
    non_key_attributes: tuple[str, ...]

    @property
    def attributes(self) -> tuple[KeyAttribute, ...]:
        """Every key attribute of the index, partition first."""
        return self.pk + self.sk

    @property
    def multi_attribute(self) -> bool:
        """Whether the index uses DynamoDB's multi-attribute keys."""
        return len(self.pk) > 1 or len(self.sk) > 1

    def key_schema(self) -> list[dict[str, str]]:
        """The index's ``KeySchema`` (several HASH/RANGE entries for multi-attribute keys)."""
        return [{"AttributeName": a.name, "KeyType": "HASH"} for a in self.pk] + [
            {"AttributeName": a.name, "KeyType": "RANGE"} for a in self.sk
        ]

    def projection(self) -> dict[str, Any]:
        """The index's ``Projection``."""
        out: dict[str, Any] = {"ProjectionType": self.projection_type}
        if self.non_key_attributes:
            out["NonKeyAttributes"] = list(self.non_key_attributes)
        return out


class GSI(_Index):
    """A global secondary index.

    Args:
        name: the index name.
        pk: the partition key attribute, ``(name, type)``, or a list of up to 4 of them
            (a multi-attribute key, maintained by DynamoDB from the real attributes).
        sk: the sort key attribute(s), like ``pk``; optional.
        projection: ``"all"`` (default), ``"keys_only"`` or a list of attributes to include.

    Example:
        >>> GSI("GSI1", pk="gsi1pk", sk="gsi1sk").key_schema()
        [{'AttributeName': 'gsi1pk', 'KeyType': 'HASH'}, {'AttributeName': 'gsi1sk', 'KeyType': 'RANGE'}]
        >>> len(GSI("byOrg", pk=["org_id", "region"], sk=["status", "created_at"]).key_schema())
        4
    """  # noqa: E501

    def __init__(
        self,
        name: str,
        pk: KeySpec | list[KeySpec],
        sk: KeySpec | list[KeySpec] | None = None,
        *,
        projection: Projection = "all",
    ) -> None:
        _check_name("GSI", name, minimum=_MIN_INDEX_NAME)
        where = f"GSI {name!r}"
        self.name = name
        self.pk = _key_attributes(pk, where + " pk", multi=True)
        self.sk = () if sk is None else _key_attributes(sk, where + " sk", multi=True)
        self.projection_type, self.non_key_attributes = _projection(projection, where)

    def __repr__(self) -> str:
        return f"GSI({self.name!r}, pk={[a.name for a in self.pk]}, sk={[a.name for a in self.sk]})"


class LSI(_Index):
    """A local secondary index: the table's partition key with another sort key.

    Args:
        name: the index name.
        sk: the sort key attribute (name or ``(name, type)``).
        projection: ``"all"`` (default), ``"keys_only"`` or a list of attributes to include.
    """

    def __init__(self, name: str, sk: KeySpec, *, projection: Projection = "all") -> None:
        _check_name("LSI", name, minimum=_MIN_INDEX_NAME)
        where = f"LSI {name!r}"
        self.name = name
        self.pk = ()  # the table's partition key, filled in by the Table
        self.sk = _key_attributes(sk, where + " sk", multi=False)
        self.projection_type, self.non_key_attributes = _projection(projection, where)

    def __repr__(self) -> str:
        return f"LSI({self.name!r}, sk={self.sk[0].name!r})"


@dataclass(eq=False)
class Table:
    """A DynamoDB table: key attributes, secondary indexes, type attribute, TTL.

    Args:
        name: the table name (a ``Database`` may add a prefix, e.g. per test).
        pk: the partition key attribute (name, or ``(name, "S" | "N" | "B")``).
        sk: the sort key attribute, if the table has one.
        indexes: its :class:`GSI` and :class:`LSI` definitions.
        type_attribute: the attribute holding each entity's ``__type__``.
        type_index: a GSI whose partition key is ``type_attribute`` (and whose sort key, if
            any, receives the write time of each entity): lists every entity of a type.
        ttl: the attribute DynamoDB's TTL reads (epoch seconds); enabled by ``create_table``.
        separator: the separator of generated keys (unique-constraint guard items).

    Example:
        >>> app = Table("AppData", pk="pk", sk="sk", indexes=[GSI("GSI1", pk="gsi1pk")])
        >>> app.index("GSI1").pk[0].name
        'gsi1pk'
    """

    name: str
    pk: KeySpec
    sk: KeySpec | None = None
    indexes: Sequence[GSI | LSI] = ()
    type_attribute: str = "_type"
    type_index: GSI | None = None
    ttl: str | None = None
    separator: str = "#"
    pk_attribute: KeyAttribute = field(init=False)
    sk_attribute: KeyAttribute | None = field(init=False)
    timestamp_attribute: str | None = field(init=False)
    _indexes: dict[str, GSI | LSI] = field(init=False, repr=False)
    _entities: dict[str, type[Entity]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        where = f"Table {self.name!r}"
        # At least 1 character here, not DynamoDB's 3: a Database's table_prefix comes first.
        _check_name("table", self.name, minimum=1)
        self.pk_attribute = _key_attribute(self.pk, where + " pk")
        self.sk_attribute = None if self.sk is None else _key_attribute(self.sk, where + " sk")
        if self.sk_attribute and self.sk_attribute.name == self.pk_attribute.name:
            raise DefinitionError(f"{where}: pk and sk are both {self.pk_attribute.name!r}")
        if not self.separator:
            raise DefinitionError(f"{where}: separator cannot be empty")
        all_indexes: list[GSI | LSI] = list(self.indexes)
        self.timestamp_attribute = None
        if self.type_index is not None:
            if not isinstance(self.type_index, GSI):
                raise DefinitionError(f"{where}: type_index must be a GSI")
            if [a.name for a in self.type_index.pk] != [self.type_attribute]:
                raise DefinitionError(
                    f"{where}: type_index {self.type_index.name!r} must have the type attribute "
                    f"{self.type_attribute!r} as its partition key"
                )
            if len(self.type_index.sk) > 1:
                raise DefinitionError(f"{where}: type_index takes one sort key attribute")
            if self.type_index.sk:
                self.timestamp_attribute = self.type_index.sk[0].name
            all_indexes.append(self.type_index)
        self._indexes = {}
        for index in all_indexes:
            if not isinstance(index, GSI | LSI):
                raise DefinitionError(f"{where}: indexes must be GSI or LSI, got {index!r}")
            if index.name in self._indexes:
                raise DefinitionError(f"{where}: two indexes are named {index.name!r}")
            if isinstance(index, LSI):
                if self.sk_attribute is None:
                    raise DefinitionError(
                        f"{where}: LSI {index.name!r} needs a table with a sort key"
                    )
                index.pk = (self.pk_attribute,)
            self._indexes[index.name] = index
        self._check_attribute_types()
        self._entities = {}

    def _check_attribute_types(self) -> None:
        seen: dict[str, str] = {}
        for attribute in self.key_attributes():
            other = seen.setdefault(attribute.name, attribute.type)
            if other != attribute.type:
                raise DefinitionError(
                    f"Table {self.name!r}: attribute {attribute.name!r} is declared both as "
                    f"{other} and as {attribute.type}"
                )

    def key_attributes(self) -> Iterable[KeyAttribute]:
        """Every key attribute of the table and its indexes (may repeat a name)."""
        yield self.pk_attribute
        if self.sk_attribute is not None:
            yield self.sk_attribute
        for index in self._indexes.values():
            yield from index.attributes

    @property
    def primary_key(self) -> tuple[KeyAttribute, ...]:
        """The table's key attributes, partition first."""
        return (self.pk_attribute,) + ((self.sk_attribute,) if self.sk_attribute else ())

    @property
    def all_indexes(self) -> Mapping[str, GSI | LSI]:
        """Every secondary index by name, the type index included."""
        return dict(self._indexes)

    def index(self, name: str) -> GSI | LSI:
        """The index called ``name``; :class:`DefinitionError` naming the known ones otherwise."""
        try:
            return self._indexes[name]
        except KeyError:
            known = ", ".join(repr(n) for n in self._indexes) or "none"
            raise DefinitionError(
                f"table {self.name!r} has no index {name!r} (its indexes: {known})"
            ) from None

    def entity_for(self, type_name: str) -> type[Entity] | None:
        """The entity class stored with ``type_name`` in this table, if one is defined."""
        return self._entities.get(type_name)

    def register(self, type_name: str, entity: type[Entity]) -> None:
        """Bind an entity class to its type name (called when the class is defined)."""
        existing = self._entities.get(type_name)
        same_class = existing is not None and (
            existing.__module__,
            existing.__qualname__,
        ) == (entity.__module__, entity.__qualname__)
        if existing is not None and not same_class:
            raise DefinitionError(
                f"{entity.__name__}.__type__ {type_name!r} is already used by "
                f"{existing.__qualname__} in table {self.name!r}; give one of them another "
                "__type__"
            )
        self._entities[type_name] = entity

    @property
    def internal_attributes(self) -> frozenset[str]:
        """Attributes the library owns on every item of the table (type, timestamp, ttl)."""
        names = {self.type_attribute}
        if self.timestamp_attribute:
            names.add(self.timestamp_attribute)
        if self.ttl:
            names.add(self.ttl)
        return frozenset(names)
