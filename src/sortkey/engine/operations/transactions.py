"""TransactWriteItems and TransactGetItems: all or nothing, in one SQLite transaction.

TransactWriteItems checks in DynamoDB Local's phases (each measured against it):

1. every request without its table: shape, attribute values, put item size, expressions;
2. per request in order: the table; a put item's keys; an update of a key attribute (which
   cancels the transaction with that single reason); an update applied to the stored item;
3. the keys of deletes and condition checks;
4. conditions, each against the item as the requests before it left it; a second operation
   on one item is refused when its condition passes.

If any request has a reason (a failed condition, an index key of the wrong scalar type),
nothing is written and the answer is ``TransactionCanceledException`` with one reason per
request, in request order (``None`` for the ones that did not fail). A ``ClientRequestToken``
seen in the last 10 minutes with the same request returns the first answer again without
writing; with a different request it is refused.
"""

from __future__ import annotations

import json
import time
from typing import Any

from .. import values
from ..errors import EngineError, validation
from .batch import in_answer_order
from .capacity import Consumed, read_consumed, write_consumed
from .catalog import Catalog
from .common import refuse_legacy, return_capacity
from .exprs import Expressions
from .items import (
    MAX_ITEM_SIZE,
    Vouched,
    check_item_values,
    check_key_unchanged,
    normalized_key,
    on_failure,
)
from .schema import INDEX_TYPE_MISMATCH, Item, TableSchema

MAX_ITEMS = 100
TOKEN_SECONDS = 600

_KINDS = ("ConditionCheck", "Put", "Delete", "Update")


class _Request:
    __slots__ = (
        "condition",
        "failure_mode",
        "key",
        "key_item",
        "kind",
        "new",
        "old",
        "old_size",
        "outcome",
        "schema",
        "size",
        "spec",
        "update",
    )

    def __init__(self, parsed: _Parsed, schema: TableSchema) -> None:
        self.kind = parsed.kind
        self.spec = parsed.spec
        self.schema = schema
        self.condition: Any = parsed.condition
        self.update: Any = parsed.update
        self.failure_mode = parsed.failure_mode
        self.key: tuple[bytes, bytes] = (b"", b"")
        self.key_item: Item = {}
        #: The item written: a Put's item, or an Update's result once applied.
        self.new: Item | None = None
        self.size = 0
        #: The stored item (read for updates in phase 2, for the others in phase 4).
        self.old: Item | None = None
        self.old_size = 0
        #: An update's (reason, new item, size), evaluated in phase 2.
        self.outcome: tuple[dict[str, Any], Item | None, int] | None = None


def _items_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    entries = params.get("TransactItems")
    if entries is None:
        raise validation(
            "1 validation error detected: Value null at 'transactItems' failed to satisfy "
            "constraint: Member must not be null"
        )
    if not isinstance(entries, list) or not entries:
        raise validation(
            "Value [] at 'transactItems' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1"
        )
    if len(entries) > MAX_ITEMS:
        raise validation("Member must have length less than or equal to 100")
    return entries


class _Parsed:
    """A request after the checks that need no table (phase 1)."""

    __slots__ = ("condition", "failure_mode", "kind", "size", "spec", "update")

    def __init__(self, kind: str, spec: dict[str, Any]) -> None:
        self.kind = kind
        self.spec = spec
        self.size = 0  # a put item's size
        self.condition: Any = None
        self.update: Any = None
        self.failure_mode = "NONE"


def _parse(entry: dict[str, Any], position: int, vouched: Vouched | None) -> _Parsed:
    """Phase 1: shape, attribute values, item size and expressions; no table needed.

    DynamoDB Local runs these for every request before it looks at any table, so an
    invalid value in the last request beats an unknown table in the first.
    """
    kinds = [k for k in _KINDS if entry.get(k) is not None]
    if len(kinds) != 1:
        raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
    kind = kinds[0]
    spec = entry[kind]
    refuse_legacy(spec)
    parsed = _Parsed(kind, spec)
    if kind == "Put":
        parsed.size = check_item_values(spec.get("Item"), vouched)
    else:
        values.validate_item_size(spec.get("Key"))
    parsed.failure_mode = on_failure(spec)
    exprs = Expressions(spec)
    if kind == "Update":
        parsed.update = exprs.update()
        if parsed.update is None:
            raise validation(
                "1 validation error detected: Value null at "
                "'transactItems.member.update.updateExpression' failed to satisfy constraint: "
                "Member must not be null"
            )
    parsed.condition = exprs.condition()
    if kind == "ConditionCheck" and parsed.condition is None:
        raise validation(
            f"Value null at 'transactItems.{position}.member.conditionCheck.conditionExpression' "
            "failed to satisfy constraint: Member must not be null"
        )
    exprs.finish()
    return parsed


def _resolve(catalog: Catalog, parsed: _Parsed) -> _Request:
    """Phase 2, per request in order: the table, a put item's keys, an update evaluated.

    Measured against DynamoDB Local: a set, list, map, boolean or null in a put item's index
    key refuses the whole request here (before any condition, and before later requests'
    tables); an update of a key attribute cancels the transaction with that single reason;
    an update is applied here, so its errors beat later requests' unknown tables and keys.
    """
    spec = parsed.spec
    schema = catalog.table(spec.get("TableName"))
    request = _Request(parsed, schema)
    if parsed.kind == "Put":
        item = spec["Item"]  # phase 1 validated it
        # Wrong scalar index key types are per-item reasons (phase 4).
        schema.check_item_keys(item, index_types=False)
        request.new = values.normalize_item_numbers(item)
        request.size = parsed.size
        request.key_item = schema.key_of(request.new)
        request.key = schema.storage_key(request.key_item)
    elif parsed.kind == "Update":
        try:
            check_key_unchanged(schema, parsed.update)
        except EngineError as exc:
            raise EngineError(
                "TransactionCanceledException",
                "Transaction cancelled, please refer cancellation reasons for specific reasons "
                "[ValidationError]",
                cancellation_reasons=[{"Code": "ValidationError", "Message": exc.message}],
            ) from None
        _resolve_key(request)
        found = catalog.get(schema, request.key)
        if found is not None:
            request.old, request.old_size = found
        request.outcome = _evaluate_update(request, request.old)
    return request


def _identity(request: _Request) -> tuple[int, bytes, bytes] | None:
    """The item a request writes or checks; None while its ``Key`` is invalid (phase 3)."""
    key = request.key  # set by phase 2 for puts and updates
    if request.kind in ("Delete", "ConditionCheck"):
        try:
            request.schema.check_key(request.spec["Key"])
        except EngineError:
            return None
        key = request.schema.storage_key(values.normalize_item_numbers(request.spec["Key"]))
    return (request.schema.id, *key)


def _resolve_key(request: _Request) -> None:
    """The ``Key`` of a delete, check or update, against the table's key schema."""
    key = request.spec["Key"]  # phase 1 validated its values
    request.schema.check_key(key)
    request.key_item = values.normalize_item_numbers(key)
    request.key = request.schema.storage_key(request.key_item)


def transact_write_items(
    catalog: Catalog, params: dict[str, Any], vouched: Vouched | None = None
) -> dict[str, Any]:
    """TransactWriteItems; ``vouched``: put items the sender sized (see :data:`Vouched`)."""
    entries = _items_list(params)
    capacity = return_capacity(params)
    token = params.get("ClientRequestToken")
    fingerprint = ""
    if token is not None and (not isinstance(token, str) or len(token) > 36):
        raise validation(
            f"Value {token} at 'clientRequestToken' failed to satisfy constraint: Member must "
            "have length less than or equal to 36"
        )
    if token is not None:
        fingerprint = json.dumps(entries, sort_keys=True, default=repr)
        now = time.time()
        for old_token, (_, _, seen) in list(catalog.tokens.items()):
            if now - seen > TOKEN_SECONDS:
                del catalog.tokens[old_token]
        previous = catalog.tokens.get(token)
        if previous is not None:
            if previous[0] != fingerprint:
                # DynamoDB Local's message is empty.
                raise EngineError("IdempotentParameterMismatchException", "")
            return previous[1]
    parsed = [_parse(entry, n, vouched) for n, entry in enumerate(entries, 1)]
    consumed: dict[str, Consumed] = {}
    with catalog.storage.transaction():
        requests: list[_Request] = []
        unconditional: set[tuple[int, bytes, bytes]] = set()
        for p in parsed:
            request = _resolve(catalog, p)
            # DynamoDB Local refuses a second operation on an item here, in request order
            # (before later requests' tables and index keys), when neither it nor the first
            # has a condition; otherwise a condition may fail, and phase 4 judges the pair.
            ident = _identity(request) if request.condition is None else None
            if ident is not None:
                if ident in unconditional:
                    raise validation(
                        "Transaction request cannot include multiple operations on one item"
                    )
                unconditional.add(ident)
            requests.append(request)
        # Phase 3: the keys of deletes and checks.
        for request in requests:
            if request.kind in ("Delete", "ConditionCheck"):
                _resolve_key(request)
        # Phase 4: conditions, in request order, each against the item as the requests before
        # it left it. A second operation on an item is refused when its condition passes
        # (DynamoDB Local: a delete, then a put whose condition fails on the deleted item,
        # answers the condition's reason, not "multiple operations").
        outcomes: list[tuple[Item | None, int, Item | None, int]] = []
        reasons: list[dict[str, Any]] = []
        staged: dict[tuple[int, bytes, bytes], Item | None] = {}
        for request in requests:
            ident = (request.schema.id, *request.key)
            if ident in staged:
                current = staged[ident]
                # A put's wrong index key type is its reason even then (DynamoDB Local:
                # delete, then put of the same item with a wrong index key type ->
                # ValidationError, not "multiple operations"), as it precedes its condition.
                type_error = _index_type_error(request)
                if type_error is not None:
                    reasons.append(type_error)
                    outcomes.append((None, 0, None, 0))
                    continue
                if request.condition is None or request.condition.evaluate(current or {}):
                    raise validation(
                        "Transaction request cannot include multiple operations on one item"
                    )
                reasons.append(_condition_reason(request, current))
                outcomes.append((None, 0, None, 0))
                continue
            if request.kind != "Update":
                found = catalog.get(request.schema, request.key)
                if found is not None:
                    request.old, request.old_size = found
            old, old_size = request.old, request.old_size
            reason, new, size = _evaluate(request, old)
            reasons.append(reason)
            outcomes.append((old, old_size, new, size))
            if reason["Code"] == "None":
                staged[ident] = old if request.kind == "ConditionCheck" else new
        if any(r["Code"] != "None" for r in reasons):
            codes = ", ".join(r["Code"] for r in reasons)
            raise EngineError(
                "TransactionCanceledException",
                "Transaction cancelled, please refer cancellation reasons for specific reasons "
                f"[{codes}]",
                cancellation_reasons=reasons,
            )
        for request, (old, old_size, new, size) in zip(requests, outcomes, strict=True):
            schema = request.schema
            if request.kind == "ConditionCheck":
                continue  # DynamoDB Local charges nothing for a condition check
            if new is not None or old is not None:
                catalog.write(schema, request.key, old, new, size)
            _add(consumed, write_consumed(schema, old, new, old_size, size))
    out: dict[str, Any] = {}
    if capacity != "NONE":
        for c in consumed.values():
            c.scale(2.0)
        out["ConsumedCapacity"] = in_answer_order(list(consumed.values()), capacity)
    if token is not None:
        catalog.tokens[token] = (fingerprint, out, time.time())
    return out


def _index_type_error(request: _Request) -> dict[str, Any] | None:
    """A put's index key attribute of the wrong scalar type, as a cancellation reason."""
    if request.kind != "Put":
        return None
    assert request.new is not None
    try:
        request.schema.check_index_types(request.new)
    except EngineError as exc:
        return {"Code": "ValidationError", "Message": exc.message}
    return None


def _evaluate(request: _Request, old: Item | None) -> tuple[dict[str, Any], Item | None, int]:
    """One request against the stored item: its cancellation reason and the item it writes.

    Problems only visible against the stored data (a failed condition, an update that cannot
    apply) are reasons, not errors: DynamoDB Local reports them per item.
    """
    if request.outcome is not None:
        return request.outcome  # an update, evaluated in phase 2
    # DynamoDB Local reports a wrong index key type before the put's condition.
    type_error = _index_type_error(request)
    if type_error is not None:
        return type_error, None, 0
    if request.condition is not None and not request.condition.evaluate(old or {}):
        return _condition_reason(request, old), None, 0
    if request.kind == "Put":
        return {"Code": "None"}, request.new, request.size
    return {"Code": "None"}, None, 0


def _condition_reason(request: _Request, old: Item | None) -> dict[str, Any]:
    # DynamoDB Local ends the message with a period for a ConditionCheck only.
    period = "." if request.kind == "ConditionCheck" else ""
    reason: dict[str, Any] = {
        "Code": "ConditionalCheckFailed",
        "Message": "The conditional request failed" + period,
    }
    if request.failure_mode == "ALL_OLD" and old is not None:
        reason["Item"] = old
    return reason


def _evaluate_update(
    request: _Request, old: Item | None
) -> tuple[dict[str, Any], Item | None, int]:
    """An update against the stored item, in UpdateItem's order.

    The result's size, then the condition (a per-item reason), then errors from applying
    the update, then the new item's index keys: only a wrong scalar type is a per-item
    reason, other bad index key values refuse the whole request.
    """
    base = old if old is not None else request.key_item
    apply_error: EngineError | None = None
    new: Item = base
    size = 0
    try:
        new = request.update.apply(base)
    except EngineError as exc:
        apply_error = exc
    else:
        size = values.item_size(new)
        if size > MAX_ITEM_SIZE:
            raise validation("Item size to update has exceeded the maximum allowed size")
    if request.condition is not None and not request.condition.evaluate(old or {}):
        return _condition_reason(request, old), None, 0
    request.schema.check_key_paths(request.update.updated_paths)
    if apply_error is not None:
        raise apply_error
    try:
        request.schema.check_item_keys(new, updated=True)
    except EngineError as exc:
        if exc.message != INDEX_TYPE_MISMATCH:
            raise
        return {"Code": "ValidationError", "Message": exc.message}, None, 0
    return {"Code": "None"}, new, size


def _add(consumed: dict[str, Consumed], units: Consumed) -> None:
    if units.table_name in consumed:
        consumed[units.table_name].merge(units)
    else:
        consumed[units.table_name] = units


def transact_get_items(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """TransactGetItems: a consistent snapshot of up to 100 items."""
    entries = params.get("TransactItems")
    if not entries:
        raise validation(
            "Value null at 'transactItems' failed to satisfy constraint: Member must not be null"
        )
    entries = _items_list(params)
    capacity = return_capacity(params)
    plans = []
    seen: set[tuple[int, bytes, bytes]] = set()
    for entry in entries:
        spec = entry.get("Get")
        if spec is None:
            raise validation(
                "1 validation error detected: Value null at 'transactItems.member.get' failed "
                "to satisfy constraint: Member must not be null"
            )
        refuse_legacy(spec)
        schema = catalog.table(spec.get("TableName"))
        try:
            key = schema.storage_key(normalized_key(schema, spec.get("Key")))
        except EngineError as exc:
            # DynamoDB Local answers a bad key here with this code (and no reasons).
            raise EngineError("TransactionCanceledException", exc.message) from None
        if (schema.id, *key) in seen:
            raise validation("Transaction request cannot include multiple operations on one item")
        seen.add((schema.id, *key))
        exprs = Expressions(spec)
        projection = exprs.projection()
        exprs.finish()
        plans.append((schema, key, projection))
    responses: list[dict[str, Any]] = []
    consumed: dict[str, Consumed] = {}
    with catalog.storage.transaction():
        for schema, key, projection in plans:
            found = catalog.get(schema, key)
            size = 0
            if found is None:
                responses.append({})
            else:
                item, size = found
                responses.append(
                    {"Item": projection.apply(item) if projection is not None else item}
                )
            _add(consumed, read_consumed(schema.name, size, True))
    out: dict[str, Any] = {"Responses": responses}
    if capacity != "NONE":
        for c in consumed.values():
            c.scale(2.0)
        out["ConsumedCapacity"] = [c.wire(capacity) for c in consumed.values()]
    return out
