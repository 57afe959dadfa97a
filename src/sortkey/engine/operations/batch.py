"""BatchGetItem and BatchWriteItem.

The engine never throttles, so ``UnprocessedKeys`` / ``UnprocessedItems`` are always empty. A
batch write is validated as a whole before anything is written, then applied in one SQLite
transaction.
"""

from __future__ import annotations

from typing import Any

from ..errors import validation
from ..storage import encode_item
from .capacity import Consumed, read_consumed, write_consumed
from .catalog import Catalog
from .common import refuse_legacy, return_capacity
from .exprs import Expressions
from .items import Vouched, checked_put, normalized_key
from .schema import Item, TableSchema

MAX_GET_KEYS = 100
MAX_WRITES = 25


def _request_items(params: dict[str, Any], empty_message: str) -> dict[str, Any]:
    request = params.get("RequestItems")
    if not isinstance(request, dict) or not request:
        raise validation(empty_message)
    return request


def batch_get_item(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """BatchGetItem."""
    request = _request_items(params, "BatchGetItem must have some requests set")
    capacity = return_capacity(params)
    total = sum(len(spec.get("Keys") or []) for spec in request.values())
    if total > MAX_GET_KEYS:
        raise validation("Too many items requested for the BatchGetItem call")
    plans: list[tuple[TableSchema, list[tuple[bytes, bytes]], Any, bool]] = []
    for name, spec in request.items():
        refuse_legacy(spec)
        schema = catalog.table(name)
        keys = spec.get("Keys") or []
        if not keys:
            raise validation(
                f"The list of keys in RequestItems for BatchGetItem is required: {name} has "
                "empty list"
            )
        storage_keys = [schema.storage_key(normalized_key(schema, key)) for key in keys]
        if len(set(storage_keys)) != len(storage_keys):
            raise validation("Provided list of item keys contains duplicates")
        exprs = Expressions(spec)
        projection = exprs.projection()
        exprs.finish()
        plans.append((schema, storage_keys, projection, bool(spec.get("ConsistentRead"))))
    responses: dict[str, list[Item]] = {}
    consumed_list: list[Consumed] = []
    for schema, storage_keys, projection, consistent in plans:
        found_items = responses.setdefault(schema.name, [])
        consumed = Consumed(schema.name)
        for key in storage_keys:
            found = catalog.get(schema, key)
            size = 0
            if found is not None:
                item, size = found
                found_items.append(projection.apply(item) if projection is not None else item)
                # DynamoDB Local charges nothing for a key that is not there.
                consumed.merge(read_consumed(schema.name, size, consistent))
        consumed_list.append(consumed)
    out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": {}}
    if capacity != "NONE":
        out["ConsumedCapacity"] = in_answer_order(consumed_list, capacity)
    return out


def in_answer_order(consumed: list[Consumed], mode: str) -> list[dict[str, Any]]:
    """ConsumedCapacity entries in the order DynamoDB Local lists them (last table first)."""
    return [c.wire(mode) for c in reversed(consumed)]


def batch_write_item(
    catalog: Catalog, params: dict[str, Any], vouched: Vouched | None = None
) -> dict[str, Any]:
    """BatchWriteItem: puts and deletes, at most 25, no two on the same item.

    ``vouched``: items the sender sized itself (see :data:`~.items.Vouched`).
    """
    request = _request_items(params, "BatchWriteItem cannot have a null or no requests set")
    capacity = return_capacity(params)
    total = sum(len(writes or []) for writes in request.values())
    if total > MAX_WRITES:
        raise validation("Too many items requested for the BatchWriteItem call")
    # Every write is checked before anything is written: (table id, hk, rk, size, item) per
    # write, item None for a delete. The item is the request's own when its numbers are
    # already canonical (it is only read from here on).
    rows: list[tuple[int, bytes, bytes, int, Item | None]] = []
    schemas: dict[int, TableSchema] = {}
    has_deletes = False
    for name, writes in request.items():
        schema = catalog.table(name)
        if not writes:
            raise validation(
                f"The batch write request list for a table cannot be null or empty: {name}"
            )
        table_id = schema.id
        schemas[table_id] = schema
        seen: set[tuple[bytes, bytes]] = set()
        for write in writes:
            put = write.get("PutRequest")
            delete = write.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise validation(
                    "Supplied AttributeValue has more than one datatypes set, must contain "
                    "exactly one of the supported datatypes"
                )
            if put is not None:
                item, size, key = checked_put(schema, put.get("Item"), vouched)
            else:
                key = schema.storage_key(normalized_key(schema, delete.get("Key")))
                item = None
                size = 0
                has_deletes = True
            if key in seen:
                raise validation("Provided list of item keys contains duplicates")
            seen.add(key)
            rows.append((table_id, key[0], key[1], size, item))
    storage = catalog.storage
    if capacity == "NONE" and not any(schema.indexes for schema in schemas.values()):
        # Nothing needs the replaced items: write without reading them, in one statement
        # when all are puts. The keys are all different: the order does not matter.
        if not has_deletes:
            storage.write_many(rows, [])  # type: ignore[arg-type]  # every item is set
        else:
            storage.write_many(
                [(t, hk, rk, size, item) for t, hk, rk, size, item in rows if item is not None],
                [(t, hk, rk) for t, hk, rk, _, item in rows if item is None],
            )
        return {"UnprocessedItems": {}}
    consumed_by_table: dict[str, Consumed] = {}
    with storage.transaction():
        for table_id, hk, rk, size, new in rows:
            schema = schemas[table_id]
            key = (hk, rk)
            if new is not None:
                new = dict(new)  # may be the caller's own item: the catalog may keep it
            if capacity == "NONE" and not schema.indexes:
                # Nothing needs the replaced item: write without reading it.
                if new is None:
                    storage.delete(table_id, hk, rk)
                else:
                    storage.put(table_id, hk, rk, size, encode_item(new))
                continue
            found = catalog.get(schema, key)
            old, old_size = found if found is not None else (None, 0)
            if new is not None or old is not None:
                catalog.write(schema, key, old, new, size)
            if capacity == "NONE":
                continue
            consumed = write_consumed(schema, old, new, old_size, size)
            if schema.name in consumed_by_table:
                consumed_by_table[schema.name].merge(consumed)
            else:
                consumed_by_table[schema.name] = consumed
    out: dict[str, Any] = {"UnprocessedItems": {}}
    if capacity != "NONE":
        out["ConsumedCapacity"] = in_answer_order(list(consumed_by_table.values()), capacity)
    return out
