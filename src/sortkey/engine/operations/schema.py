"""A table's definition as the engine uses it: key attributes, indexes, TTL, billing.

Stored in the catalog as JSON (:meth:`TableSchema.to_json`), kept in memory between calls.
Also computes the storage keys of an item for the table and for each index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import EngineError, validation
from ..expressions.context import java_hash_set_order
from ..keys import (
    encode_composite,
    encode_value,
    partition_hash,
    partition_key,
    scalar_partition_key,
    typed_partition_key,
)

AV = dict[str, Any]
Item = dict[str, AV]

ACCOUNT_ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/"


def not_found() -> EngineError:
    """DynamoDB Local's answer for an unknown table."""
    return EngineError("ResourceNotFoundException", "Cannot do operations on a non-existent table")


@dataclass
class IndexSchema:
    """One secondary index."""

    name: str
    local: bool
    number: int
    hash_attrs: list[str]
    range_attrs: list[str]
    projection: dict[str, Any]
    throughput: dict[str, Any] | None = None
    on_demand: bool = False

    @property
    def key_schema(self) -> list[dict[str, str]]:
        """The index's KeySchema in wire format."""
        return [{"AttributeName": a, "KeyType": "HASH"} for a in self.hash_attrs] + [
            {"AttributeName": a, "KeyType": "RANGE"} for a in self.range_attrs
        ]

    @property
    def key_names(self) -> list[str]:
        """Every key attribute of the index."""
        return self.hash_attrs + self.range_attrs

    @property
    def projection_type(self) -> str:
        """``ALL``, ``KEYS_ONLY`` or ``INCLUDE``."""
        kind: str = self.projection["ProjectionType"]
        return kind


@dataclass
class TableSchema:
    """One table: its keys, attribute types, indexes and settings."""

    id: int
    name: str
    hash_key: str
    range_key: str | None
    attribute_types: dict[str, str]
    attribute_definitions: list[dict[str, str]]
    created: float
    billing_mode: str = "PAY_PER_REQUEST"
    throughput: dict[str, Any] | None = None
    indexes: dict[str, IndexSchema] = field(default_factory=dict)
    ttl_attribute: str | None = None
    deletion_protection: bool = False
    stream: dict[str, Any] | None = None
    next_index_number: int = 1
    billing_changed: bool = False
    #: index_check_order's answers, by (updated, index names): UpdateTable edits ``indexes``.
    _check_order: dict[tuple[bool, tuple[str, ...]], list[str]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: put_key's ``(hash key, its type, range key or None, its type or "")``: the key schema
    #: and the key attributes' types never change.
    _key_types: tuple[str, str, str | None, str] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    #: put_key's last partition: ``(hash key value, stored partition key)``.
    _last_partition: tuple[str | bytes, bytes] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    # ------------------------------------------------------------ serialisation

    def to_json(self) -> str:
        """The catalog form."""
        data = {
            "name": self.name,
            "hash_key": self.hash_key,
            "range_key": self.range_key,
            "attribute_definitions": self.attribute_definitions,
            "created": self.created,
            "billing_mode": self.billing_mode,
            "throughput": self.throughput,
            "indexes": [
                {
                    "name": ix.name,
                    "local": ix.local,
                    "number": ix.number,
                    "hash_attrs": ix.hash_attrs,
                    "range_attrs": ix.range_attrs,
                    "projection": ix.projection,
                    "throughput": ix.throughput,
                    "on_demand": ix.on_demand,
                }
                for ix in self.indexes.values()
            ],
            "ttl_attribute": self.ttl_attribute,
            "deletion_protection": self.deletion_protection,
            "stream": self.stream,
            "next_index_number": self.next_index_number,
            "billing_changed": self.billing_changed,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, table_id: int, text: str) -> TableSchema:
        """Rebuild from the catalog form."""
        data = json.loads(text)
        defs = data["attribute_definitions"]
        schema = cls(
            id=table_id,
            name=data["name"],
            hash_key=data["hash_key"],
            range_key=data["range_key"],
            attribute_types={d["AttributeName"]: d["AttributeType"] for d in defs},
            attribute_definitions=defs,
            created=data["created"],
            billing_mode=data["billing_mode"],
            throughput=data["throughput"],
            ttl_attribute=data["ttl_attribute"],
            deletion_protection=data["deletion_protection"],
            stream=data["stream"],
            next_index_number=data["next_index_number"],
            billing_changed=data.get("billing_changed", False),
        )
        for ix in data["indexes"]:
            schema.indexes[ix["name"]] = IndexSchema(**ix)
        return schema

    # ------------------------------------------------------------ keys

    @property
    def key_names(self) -> list[str]:
        """The table's key attributes, hash first."""
        return [self.hash_key] if self.range_key is None else [self.hash_key, self.range_key]

    def storage_key(self, item: Item) -> tuple[bytes, bytes]:
        """``(hk, rk)`` of an item whose key attributes were validated."""
        hk = scalar_partition_key(item[self.hash_key])
        rk = b"" if self.range_key is None else encode_value(item[self.range_key])
        return hk, rk

    def put_key(self, item: Item) -> tuple[bytes, bytes]:
        """:meth:`check_item_keys` (index types included), then :meth:`storage_key`.

        ``item`` must be validated (every attribute a one-key AV). A batch write does this for
        every item: on a table without indexes, keys of the declared type and of a size well
        within the limits are vouched for here; anything else takes the full checks, with
        their messages and order.
        """
        if not self.indexes:
            key_types = self._key_types
            if key_types is None:
                key_types = self._key_types = (
                    self.hash_key,
                    self.attribute_types[self.hash_key],
                    self.range_key,
                    "" if self.range_key is None else self.attribute_types[self.range_key],
                )
            hash_key, hash_type, range_key, range_type = key_types
            hash_av = item.get(hash_key)
            hash_value = None if hash_av is None else hash_av.get(hash_type)
            # Non-empty; 512 characters are at most 2048 UTF-8 bytes; hashable.
            if hash_value and len(hash_value) <= 512 and type(hash_value) is not bytearray:
                # The items of a batch are mostly of one partition: its key is remembered.
                last = self._last_partition
                if last is not None and last[0] == hash_value:
                    hk = last[1]
                else:
                    hk = typed_partition_key(hash_type, hash_value)
                    self._last_partition = (hash_value, hk)
                if range_key is None:
                    return hk, b""
                range_av = item.get(range_key)
                if range_av is not None:
                    value = range_av.get(range_type)
                    if value and len(value) <= 256:  # at most 1024 bytes
                        if range_type == "S":
                            return hk, value.encode("utf-8")  # encode_value, inline
                        return hk, encode_value(range_av)
        self.check_item_keys(item)
        return self.storage_key(item)

    def key_of(self, item: Item) -> Item:
        """Only the table key attributes of an item."""
        return {name: item[name] for name in self.key_names}

    def index_key(
        self, index: IndexSchema, item: Item, table_key: tuple[bytes, bytes]
    ) -> tuple[bytes, bytes, bytes, bytes, bytes] | None:
        """The entry key ``(hk, rk, th, thk, trk)`` of ``item`` in ``index``, or None (sparse).

        An item belongs to an index only when it has every index key attribute with the
        attribute's declared type. Entries are ordered as DynamoDB Local orders them: a global
        index by its partition key's value (not a hash), a local one like the table; equal index
        keys by the hash of the table key (``th``).
        """
        values = []
        for name in index.key_names:
            av = item.get(name)
            if av is None or self.attribute_types[name] not in av:
                return None
            values.append(av)
        n = len(index.hash_attrs)
        hk = table_key[0] if index.local else encode_composite(values[:n])
        rk = encode_composite(values[n:]) if len(values) > n else b""
        # Equal index keys are ordered by a hash of the table key: for a local index (one
        # partition) of the sort key alone, for a global one of the whole key.
        table_key_names = self.key_names[1:] if index.local else self.key_names
        th = partition_hash([item[name] for name in table_key_names])
        return hk, rk, th, table_key[0], table_key[1]

    def index_partition(self, index: IndexSchema, hash_values: list[AV]) -> bytes:
        """The stored ``hk`` of an index partition (for Query)."""
        if index.local:
            return partition_key(hash_values)
        return encode_composite(hash_values)

    def check_item_keys(
        self, item: Item, *, updated: bool = False, index_types: bool = True
    ) -> None:
        """DynamoDB Local's checks of a written item's key and index-key attributes.

        ``updated`` selects UpdateItem's wording for an empty index key and its order of
        indexes; ``index_types=False`` leaves wrong scalar index key types to
        :meth:`check_index_types` (transactions report them as cancellation reasons). A set,
        list, map, boolean or null in an index key attribute is always refused, with
        DynamoDB Local's "Invalid attribute value type".
        """
        for name in self.key_names:
            if name not in item:
                raise validation("One of the required keys was not given a value")
        for name in self.key_names:
            check_key_value(name, self.attribute_types[name], item[name])
        if self.indexes:
            self.check_index_keys(item, updated=updated, index_types=index_types)
        check_key_sizes(self, item)

    def check_index_keys(
        self, item: Item, *, updated: bool = False, index_types: bool = True
    ) -> None:
        """The index key attributes of a written item: scalar, of the declared type, not empty."""
        for index in self.index_check_order(updated=updated):
            for name in index.key_names:
                av = item.get(name)
                if av is None:
                    continue
                expected = self.attribute_types[name]
                if updated and _is_empty_string_or_binary(av):
                    # DynamoDB Local: an update's empty S / B beats a type mismatch, and the
                    # message names the value's type, not the declared one.
                    raise validation(_updated_to_empty(next(iter(av))))
                if expected not in av:
                    if not ("S" in av or "N" in av or "B" in av):
                        raise validation("Invalid attribute value type")
                    if not index_types:
                        # The first problem decides (DynamoDB Local): this one is reported
                        # later, per item, so a set in a later index key is not refused.
                        return
                    raise validation(INDEX_TYPE_MISMATCH)
                if not _non_empty(av[expected]):
                    if updated:
                        raise validation(_updated_to_empty(expected))
                    raise validation(
                        "One or more parameter values are not valid. A value specified for a "
                        "secondary index key is not supported. The AttributeValue for a key "
                        f"attribute cannot contain an empty {_KIND[expected]} value. "
                        f"IndexName: {index.name}, IndexKey: {name}"
                    )

    def index_check_order(self, *, updated: bool) -> list[IndexSchema]:
        """Indexes in the order DynamoDB Local checks a written item against them.

        Measured against DynamoDB Local: a put checks local indexes first, an update global
        ones first; within each group, in Java HashSet order of the index names.
        """
        indexes = self.indexes
        cache_key = (updated, tuple(indexes))
        names = self._check_order.get(cache_key)
        if names is None:
            ordered = java_hash_set_order(indexes)
            local = [n for n in ordered if indexes[n].local]
            global_ = [n for n in ordered if not indexes[n].local]
            names = global_ + local if updated else local + global_
            self._check_order[cache_key] = names
        return [indexes[n] for n in names]

    def check_key_paths(self, paths: Iterable[tuple[str | int, ...]]) -> None:
        """Refuse a document path into a key attribute (``pk.x``, ``gs[0]``) in an expression.

        DynamoDB Local's rule for conditions, filters and update paths: table keys first,
        then index keys in the order an update checks indexes.
        """
        nested = {path[0] for path in paths if len(path) > 1}
        if not nested:
            return
        for name in self.key_names:
            if name in nested:
                raise validation(f"{_KEY_PATH}Key: {name}")
        for index in self.index_check_order(updated=True) if self.indexes else ():
            for name in index.key_names:
                if name in nested:
                    raise validation(f"{_KEY_PATH}IndexKey: {name}")

    def check_index_types(self, item: Item) -> None:
        """Index key attributes present in the item have their declared types."""
        for index in self.indexes.values():
            for name in index.key_names:
                av = item.get(name)
                if av is not None and self.attribute_types[name] not in av:
                    raise validation(INDEX_TYPE_MISMATCH)

    def check_key(self, key: Any) -> None:
        """Checks of a ``Key`` parameter (GetItem, DeleteItem, UpdateItem, ...)."""
        if not isinstance(key, dict) or len(key) != len(self.key_names):
            raise validation("The number of conditions on the keys is invalid")
        for name in self.key_names:
            if name not in key:
                raise validation("One of the required keys was not given a value")
        for name in self.key_names:
            check_key_value(name, self.attribute_types[name], key[name])
        check_key_sizes(self, key)


_KIND = {"S": "string", "B": "binary", "N": "number"}

_KEY_PATH = (
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
)

INDEX_TYPE_MISMATCH = "One or more parameter values were invalid: Type mismatch for Index Key"


def _updated_to_empty(kind: str) -> str:
    return (
        "One or more parameter values are not valid. The update expression attempted to update "
        "a secondary index key to a value that is not supported. The AttributeValue for a key "
        f"attribute cannot contain an empty {_KIND[kind]} value."
    )


def _is_empty_string_or_binary(av: AV) -> bool:
    value = av.get("S")
    if value is None:
        value = av.get("B")
    return value is not None and not value


def _non_empty(value: Any) -> bool:
    return len(value) > 0


def check_key_value(name: str, expected: str, av: Any) -> None:
    """One key attribute: right type, not empty."""
    if not isinstance(av, dict) or expected not in av or len(av) != 1:
        raise validation("One or more parameter values were invalid: Type mismatch for key")
    if not _non_empty(av[expected]):
        raise validation(
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            f"cannot contain an empty {_KIND[expected]} value. Key: {name}"
        )


def _key_size(av: AV) -> int:
    if "S" in av:
        text: str = av["S"]
        return len(text) if text.isascii() else len(text.encode("utf-8"))
    if "B" in av:
        return len(av["B"])
    return 0  # numbers are at most 21 bytes, far under both limits


def check_key_sizes(schema: TableSchema, item: Item) -> None:
    """Partition key at most 2048 bytes, sort key at most 1024."""
    too_big = _key_size(item[schema.hash_key]) > 2048 or (
        schema.range_key is not None and _key_size(item[schema.range_key]) > 1024
    )
    if too_big:
        raise validation(
            "Hash primary key values must be under 2048 bytes, and range primary key values "
            "must be under 1024 bytes"
        )
