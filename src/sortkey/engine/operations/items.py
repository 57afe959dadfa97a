"""Single-item operations: PutItem, GetItem, DeleteItem, UpdateItem.

Checks run in DynamoDB Local's order: the table must exist, then the item/key is validated
(size, attribute values, key attributes), then expressions, then the condition against the
stored item. Each operation is one SQLite transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from .. import values
from ..errors import EngineError, validation
from ..expressions import Condition
from ..storage import encode_item
from .capacity import Consumed, read_consumed, write_consumed
from .catalog import Catalog
from .common import enum, refuse_legacy, require, return_capacity, table_name
from .exprs import Expressions
from .schema import Item, TableSchema

MAX_ITEM_SIZE = 400 * 1024
_TOO_LARGE = "Item size has exceeded the maximum allowed size"  # DynamoDB's message for a put

Vouched: TypeAlias = Mapping[int, tuple[Item, int]]
"""Items a request's sender built and sized itself, ``{id(item): (item, size)}``.

sortkey's model layer serializes Python values with its codec, which only produces valid
AttributeValues with canonical numbers and computes the item's size as it goes
(``codec.serialize_item_sized``). In this process it hands those sizes along
(``Engine.call(..., vouched=...)``), and a put of such an item skips the validation walk: it
would find nothing to refuse and the same size. The key and the 400 KB limit are still
checked. An item counts as vouched for only if it is the very object that was sized (the
identity is checked, not just the ``id``).
"""


def check_item_values(item: Any, vouched: Vouched | None = None) -> int:
    """The checks of an item that need no table: attribute values, then size (returned).

    An item in ``vouched`` (see :data:`Vouched`) has only its size checked.
    """
    size = _vouched_size(vouched, item)
    if size is None:
        size = values.validate_item_size(item)
    if size > MAX_ITEM_SIZE:
        raise validation(_TOO_LARGE)
    return size


def _vouched_size(vouched: Vouched | None, item: Any) -> int | None:
    """The size of ``item`` when its sender vouched for it, else None."""
    if vouched is None:
        return None
    entry = vouched.get(id(item))
    return entry[1] if entry is not None and entry[0] is item else None


def check_item(
    schema: TableSchema, item: Any, *, index_types: bool = True, vouched: Vouched | None = None
) -> tuple[Item, int]:
    """Validate a whole item for writing; returns it with normalised numbers, and its size."""
    size = _vouched_size(vouched, item)
    if size is None:
        normalized, size = values.validate_normalize_item(item)
    else:
        normalized = dict(item)  # as validate_normalize_item: a copy the caller may keep
    if size > MAX_ITEM_SIZE:
        raise validation(_TOO_LARGE)
    schema.check_item_keys(item, index_types=index_types)
    return normalized, size


def checked_put(
    schema: TableSchema, item: Any, vouched: Vouched | None = None
) -> tuple[Item, int, tuple[bytes, bytes]]:
    """:func:`check_item` and the storage key, the fast way (PutItem's and batches' puts).

    ``(item with normalised numbers, size, storage key)``. An item in ``vouched`` is taken
    as it is; otherwise the one-pass walk vouches for the common item, and whatever it does
    not vouch for goes through the reference checks, which decide and raise DynamoDB's
    errors in its order.
    """
    size = _vouched_size(vouched, item)
    if size is not None:
        canonical = True
    else:
        try:
            size, canonical = values.vouch_item(item)
        except Exception:  # not vouched for: the reference checks decide, and raise
            size, canonical = values.validate_item_canonical(item)
    if size > MAX_ITEM_SIZE:
        raise validation(_TOO_LARGE)
    if not canonical:
        item = values.normalize_item_numbers(item)
    return item, size, schema.put_key(item)


def normalized_key(schema: TableSchema, key: Any) -> Item:
    """Validate a ``Key`` parameter; returns it with normalised numbers."""
    values.validate_item_size(key)
    schema.check_key(key)
    return values.normalize_item_numbers(key)


def return_values(params: dict[str, Any], allowed: tuple[str, ...]) -> str:
    """The ReturnValues parameter, refused with DynamoDB Local's message when not allowed."""
    value = params.get("ReturnValues") or "NONE"
    if value not in allowed:
        raise validation("Return values set to invalid value")
    return str(value)


def on_failure(params: dict[str, Any]) -> str:
    """ReturnValuesOnConditionCheckFailure: ``ALL_OLD`` or ``NONE``."""
    value = enum(
        params,
        "ReturnValuesOnConditionCheckFailure",
        "returnValuesOnConditionCheckFailure",
        ("ALL_OLD", "NONE"),
    )
    return str(value or "NONE")


def condition_failed(old: Item | None, mode: str) -> EngineError:
    """ConditionalCheckFailedException, carrying the item when asked for."""
    item = old if (mode == "ALL_OLD" and old is not None) else None
    return EngineError(
        "ConditionalCheckFailedException", "The conditional request failed", item=item
    )


def add_capacity(out: dict[str, Any], consumed: Consumed, mode: str) -> dict[str, Any]:
    """Attach ConsumedCapacity to a response when asked for."""
    if mode != "NONE":
        out["ConsumedCapacity"] = consumed.wire(mode)
    return out


# ---------------------------------------------------------------------------- PutItem


def put_item(
    catalog: Catalog, params: dict[str, Any], vouched: Vouched | None = None
) -> dict[str, Any]:
    """PutItem; ``vouched``: see :data:`Vouched`."""
    if len(params) == 2:
        # Only TableName and Item (the common request): every other check would pass, so
        # the item's checks are the only ones, then one statement writes it.
        item = params.get("Item")
        name = params.get("TableName")
        schema = catalog.tables.get(name) if type(name) is str else None  # a known name is valid
        if item is not None and schema is not None and not schema.indexes:
            item, size, (hk, rk) = checked_put(schema, item, vouched)
            catalog.storage.put(schema.id, hk, rk, size, encode_item(item))
            return {}
    refuse_legacy(params)
    schema = catalog.table(table_name(params))
    item_param = params.get("Item")
    if item_param is None:
        raise validation("Item to put in PutItem cannot be null")
    item, size = check_item(schema, item_param, vouched=vouched)
    mode = return_values(params, ("NONE", "ALL_OLD"))
    failure_mode = on_failure(params)
    capacity = return_capacity(params)
    exprs = Expressions(params)
    condition = exprs.condition()
    exprs.finish()
    if condition is not None:
        schema.check_key_paths(condition.paths)
    key = schema.storage_key(item)
    if condition is None and mode == "NONE" and capacity == "NONE" and not schema.indexes:
        # One statement: atomic on its own, no need for BEGIN/COMMIT.
        catalog.storage.put(schema.id, key[0], key[1], size, encode_item(item))
        return {}
    return _checked_write(catalog, schema, key, item, size, condition, mode, failure_mode, capacity)


def _checked_write(
    catalog: Catalog,
    schema: TableSchema,
    key: tuple[bytes, bytes],
    new: Item | None,
    new_size: int,
    condition: Condition | None,
    mode: str,
    failure_mode: str,
    capacity: str,
) -> dict[str, Any]:
    """Read the stored item, check the condition, then put ``new`` (or delete when ``None``).

    The shared second half of PutItem and DeleteItem, with ``ALL_OLD`` and consumed capacity.
    """
    storage = catalog.storage
    # Without indexes the write is one statement (see Storage.read_then_write).
    with storage.transaction() if schema.indexes else storage.read_then_write():
        found = catalog.get(schema, key)
        old, old_size = found if found is not None else (None, 0)
        if condition is not None and not condition.evaluate(old or {}):
            raise condition_failed(old, failure_mode)
        if new is not None or old is not None:
            catalog.write(schema, key, old, new, new_size)
    out: dict[str, Any] = {}
    if mode == "ALL_OLD" and old is not None:
        out["Attributes"] = old
    if capacity != "NONE":
        consumed = write_consumed(schema, old, new, old_size, new_size)
        out["ConsumedCapacity"] = consumed.wire(capacity)
    return out


# ---------------------------------------------------------------------------- GetItem


def get_item(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """GetItem."""
    refuse_legacy(params)
    schema = catalog.table(table_name(params))
    key = normalized_key(schema, require(params, "Key", "key"))
    capacity = return_capacity(params)
    exprs = Expressions(params)
    projection = exprs.projection()
    exprs.finish()
    found = catalog.get(schema, schema.storage_key(key))
    out: dict[str, Any] = {}
    size = 0
    if found is not None:
        item, size = found
        out["Item"] = projection.apply(item) if projection is not None else item
    consistent = bool(params.get("ConsistentRead"))
    return add_capacity(out, read_consumed(schema.name, size, consistent), capacity)


# ---------------------------------------------------------------------------- DeleteItem


def delete_item(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteItem."""
    refuse_legacy(params)
    schema = catalog.table(table_name(params))
    key_item = normalized_key(schema, require(params, "Key", "key"))
    mode = return_values(params, ("NONE", "ALL_OLD"))
    failure_mode = on_failure(params)
    capacity = return_capacity(params)
    exprs = Expressions(params)
    condition = exprs.condition()
    exprs.finish()
    if condition is not None:
        schema.check_key_paths(condition.paths)
    key = schema.storage_key(key_item)
    if condition is None and mode == "NONE" and capacity == "NONE" and not schema.indexes:
        catalog.storage.delete(schema.id, *key)  # one statement: atomic on its own
        return {}
    return _checked_write(catalog, schema, key, None, 0, condition, mode, failure_mode, capacity)


# ---------------------------------------------------------------------------- UpdateItem

_UPDATE_RETURN = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


def update_item(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateItem: applies the UpdateExpression to the stored item (or a new one)."""
    refuse_legacy(params)
    schema = catalog.table(table_name(params))
    key_item = normalized_key(schema, require(params, "Key", "key"))
    mode = return_values(params, _UPDATE_RETURN)
    failure_mode = on_failure(params)
    capacity = return_capacity(params)
    exprs = Expressions(params, absent="UpdateExpression and ConditionExpression are null")
    update = exprs.update()
    condition = exprs.condition()
    exprs.finish()
    if condition is not None:
        schema.check_key_paths(condition.paths)
    key = schema.storage_key(key_item)
    storage = catalog.storage
    with storage.transaction() if schema.indexes else storage.read_then_write():
        found = catalog.get(schema, key)
        old, old_size = found if found is not None else (None, 0)
        # DynamoDB Local's order: the updated item's size, then the condition, then an update
        # of a key attribute or into an index key's value, then errors from applying the
        # update, then the new item's keys.
        base = old if old is not None else key_item  # apply never changes its input
        apply_error: EngineError | None = None
        new, new_size = base, 0
        try:
            new = update.apply(base) if update is not None else base
        except EngineError as exc:
            apply_error = exc
        else:
            new_size = updated_size(old, old_size, new, update)
            if new_size > MAX_ITEM_SIZE:
                raise validation("Item size to update has exceeded the maximum allowed size")
        if condition is not None and not condition.evaluate(old or {}):
            raise condition_failed(old, failure_mode)
        if update is not None:
            check_key_unchanged(schema, update)
            schema.check_key_paths(update.updated_paths)
        if apply_error is not None:
            raise apply_error
        schema.check_item_keys(new, updated=True)
        catalog.write(schema, key, old, new, new_size)
    out: dict[str, Any] = {}
    attributes = update_return(mode, old, new, update)
    if attributes:
        out["Attributes"] = attributes
    if capacity != "NONE":
        consumed = write_consumed(schema, old, new, old_size, new_size)
        out["ConsumedCapacity"] = consumed.wire(capacity)
    return out


def updated_size(old: Item | None, old_size: int, new: Item, update: Any) -> int:
    """The size of ``new``, the result of ``update`` on ``old`` (whose size is ``old_size``).

    An item's size is a sum over its top-level attributes, and an update changes only the
    attributes it names: measure those instead of the whole item.
    """
    if old is None or update is None:
        return values.item_size(new)
    names = update.top_level_names
    before = values.item_size({n: old[n] for n in names if n in old})
    after = values.item_size({n: new[n] for n in names if n in new})
    return old_size - before + after


def check_key_unchanged(schema: TableSchema, update: Any) -> None:
    """Refuse an update that writes a key attribute."""
    if update is None:
        return
    for name in schema.key_names:
        if name in update.top_level_names:
            raise validation(
                "One or more parameter values were invalid: Cannot update attribute "
                f"{name}. This attribute is part of the key"
            )


def update_return(mode: str, old: Item | None, new: Item, update: Any) -> Item | None:
    """The Attributes of an UpdateItem response for a ReturnValues mode."""
    if mode == "NONE":
        return None
    if mode == "ALL_OLD":
        return old
    if mode == "ALL_NEW":
        return new
    if update is None:
        return None
    source = old if mode == "UPDATED_OLD" else new
    if source is None:
        return None
    # DynamoDB Local returns each touched top-level attribute whole, even for nested paths.
    touched = {name: source[name] for name in source if name in update.top_level_names}
    return touched or None
