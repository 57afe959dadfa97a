"""Plain-dict requests, for tables modelled by hand: Python values in, Python values out.

Values go through the same storage rules as entities (datetimes as ISO text, enums as their
value...) and then the codec; conditions and updates are :mod:`sortkey.expr` expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from .._expr.compiler import compile_params
from .._expr.nodes import Condition, to_path
from .._expr.update import Update
from .._model.item import storable, storable_item
from .._model.table import Table
from ..codec import deserialize_item, serialize_item, serialize_item_sized
from ..errors import InvalidInput, SerializationError
from ..expr import PathLike, if_not_exists, list_append
from .steps import DEFAULT_CONTEXT, Context, Request, return_values

__all__ = ["delete_item", "get_item", "put_item", "update_item"]

W = TypeVar("W")


def _item(
    values: Mapping[str, Any],
    what: str,
    serialize: Callable[[Mapping[str, object]], W],
) -> W:
    """An item or key given as Python values, in wire format (``None`` attributes absent).

    ``serialize``: the codec function that makes it: ``serialize_item``, or
    ``serialize_item_sized`` for an item and its size.
    """
    if type(values) is dict:
        # Most items hold only what the codec stores as it is (str, numbers, sets, lists,
        # dicts...), and then the storage rules change nothing: serialize directly, one pass
        # instead of two. Whatever the rules would change makes the codec refuse (datetimes,
        # enums that are not str/int, UUIDs, models, empty sets, non-str keys) or is a
        # top-level None (None = absence; the codec would store NULL); such items take the
        # full path below, which also gives any error its usual message. (None is looked for
        # in the values, by identity: cheaper than looking for NULL in the wire item.)
        for value in values.values():
            if value is None:
                break
        else:
            try:
                return serialize(values)
            except SerializationError:
                pass
    elif not isinstance(values, Mapping):
        raise InvalidInput(
            f"{what} must be a dict of attribute values, got {type(values).__name__}"
        )
    return serialize(storable_item(values))


def table_key_names(table: Table) -> tuple[str, ...]:
    """The names of ``table``'s primary key attributes, partition key first."""
    sk = table.sk_attribute
    return (table.pk_attribute.name,) if sk is None else (table.pk_attribute.name, sk.name)


def plain_key(
    table: Table,
    names: tuple[str, ...],
    wire: Mapping[str, Any],
    what: str,
    *,
    exact: bool = False,
) -> dict[str, Any]:
    """The key attributes ``names`` of a wire item or key given by hand; refuses missing ones.

    ``exact``: ``wire`` is a key, so it may hold nothing else.
    """
    try:
        key = {n: wire[n] for n in names}
    except KeyError:
        missing = [n for n in names if n not in wire]
        raise InvalidInput(
            f"the {what} lacks key attributes {missing} of table {table.name!r}"
        ) from None
    if exact and len(wire) != len(key):
        extra = sorted(set(wire) - set(key))
        raise InvalidInput(f"a key has only the key attributes; remove {extra}")
    return key


def _attributes(response: dict[str, Any]) -> dict[str, Any] | None:
    attributes = response.get("Attributes")
    return deserialize_item(attributes) if attributes else None


def put_item(
    table: Table | str,
    item: Mapping[str, Any],
    *,
    condition: Condition | None = None,
    returning: Literal["none", "old"] = "none",
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[dict[str, Any] | None]:
    """PutItem with Python values.

    Example:
        >>> put_item("Users", {"PK": "USER#USR001", "SK": "PROFILE", "Amount": 50}).params
        {'TableName': 'Users', 'Item': {'PK': {'S': 'USER#USR001'}, 'SK': {'S': 'PROFILE'}, 'Amount': {'N': '50'}}}
    """  # noqa: E501
    wire, size = _item(item, "item", serialize_item_sized)
    params: dict[str, Any] = {"TableName": ctx.table_name(table), "Item": wire}
    if condition is not None:  # (compiling nothing still costs a placeholder accumulator)
        params.update(compile_params(condition_=condition))
    if returning != "none":
        params["ReturnValues"] = return_values(returning, ("none", "old"))
    return Request("PutItem", params, parse=_attributes, vouched={id(wire): (wire, size)})


def get_item(
    table: Table | str,
    key: Mapping[str, Any],
    *,
    consistent: bool = False,
    projection: Sequence[PathLike] | None = None,
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[dict[str, Any] | None]:
    """GetItem with Python values: the item as a dict, or ``None``."""
    params: dict[str, Any] = {
        "TableName": ctx.table_name(table),
        "Key": _item(key, "key", serialize_item),
    }
    if consistent:
        params["ConsistentRead"] = True
    if projection is not None:
        params.update(compile_params(projection=list(projection)))

    def parse(response: dict[str, Any]) -> dict[str, Any] | None:
        item = response.get("Item")
        return deserialize_item(item) if item else None

    return Request("GetItem", params, parse=parse)


def update_item(
    table: Table | str,
    key: Mapping[str, Any],
    *,
    set: Mapping[Any, Any] | None = None,  # noqa: A002 - the DynamoDB word
    remove: Iterable[PathLike] = (),
    add: Mapping[Any, Any] | None = None,
    delete: Mapping[Any, Any] | None = None,
    append: Mapping[Any, Any] | None = None,
    condition: Condition | None = None,
    returning: Literal["none", "old", "new", "updated_old", "updated_new"] = "none",
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[dict[str, Any] | None]:
    """UpdateItem with Python values; ``set`` values may be expressions (``attr("n") + 1``).

    Example:
        >>> r = update_item("Users", {"PK": "USER#1", "SK": "ORDER#1"}, set={"Status": "Shipped"})
        >>> r.params["UpdateExpression"], r.params["ExpressionAttributeNames"]
        ('SET #n0 = :v0', {'#n0': 'Status'})
    """
    update = Update()
    for path, value in (set or {}).items():
        update = update.set(path, value if not _plain(value) else storable(value))
    if isinstance(remove, str):
        remove = (remove,)
    update = update.remove(*remove)
    for path, value in (add or {}).items():
        update = update.add(path, storable(value))
    for path, value in (delete or {}).items():
        update = update.delete(path, storable(value))
    for path, value in (append or {}).items():
        target = to_path(path)
        update = update.set(target, list_append(if_not_exists(target, []), storable(list(value))))
    params: dict[str, Any] = {
        "TableName": ctx.table_name(table),
        "Key": _item(key, "key", serialize_item),
        **compile_params(update=update, condition_=condition),
    }
    if returning != "none":
        params["ReturnValues"] = return_values(returning)
    return Request("UpdateItem", params, parse=_attributes)


def _plain(value: object) -> bool:
    from .writes import _is_expression

    return not _is_expression(value)


def delete_item(
    table: Table | str,
    key: Mapping[str, Any],
    *,
    condition: Condition | None = None,
    returning: Literal["none", "old"] = "none",
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[dict[str, Any] | None]:
    """DeleteItem with Python values; ``returning="old"`` gives the deleted item."""
    params: dict[str, Any] = {
        "TableName": ctx.table_name(table),
        "Key": _item(key, "key", serialize_item),
    }
    if condition is not None:
        params.update(compile_params(condition_=condition))
    if returning != "none":
        params["ReturnValues"] = return_values(returning, ("none", "old"))
    return Request("DeleteItem", params, parse=_attributes)
