"""TransactWriteItems and TransactGetItems: all or nothing, in one SQLite transaction.

Every request is validated before anything is checked; then every condition is evaluated
against the stored items; if any fails, nothing is written and the answer is
``TransactionCanceledException`` with one reason per request, in request order (``None`` for
the ones that did not fail). A ``ClientRequestToken`` seen in the last 10 minutes with the same
request returns the first answer again without writing; with a different request it is refused.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ..errors import EngineError, validation
from .batch import in_answer_order
from .capacity import Consumed, read_consumed, write_consumed
from .catalog import Catalog
from .common import refuse_legacy, return_capacity
from .exprs import Expressions
from .items import check_item, check_updated, normalized_key, on_failure
from .schema import Item, TableSchema

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
        "schema",
        "size",
        "update",
    )

    def __init__(self, kind: str, schema: TableSchema) -> None:
        self.kind = kind
        self.schema = schema
        self.key: tuple[bytes, bytes] = (b"", b"")
        self.key_item: Item = {}
        self.new: Item | None = None
        self.size = 0
        self.condition: Any = None
        self.update: Any = None
        self.failure_mode = "NONE"


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


def _parse(catalog: Catalog, entry: dict[str, Any], position: int) -> _Request:
    kinds = [k for k in _KINDS if entry.get(k) is not None]
    if len(kinds) != 1:
        raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
    kind = kinds[0]
    spec = entry[kind]
    refuse_legacy(spec)
    schema = catalog.table(spec.get("TableName"))
    request = _Request(kind, schema)
    if kind == "Put":
        # Index key types are checked per item, as a cancellation reason.
        request.new, request.size = check_item(schema, spec.get("Item"), index_types=False)
        request.key_item = schema.key_of(request.new)
    else:
        request.key_item = normalized_key(schema, spec.get("Key"))
    request.key = schema.storage_key(request.key_item)
    request.failure_mode = on_failure(spec)
    exprs = Expressions(spec)
    if kind == "Update":
        request.update = exprs.update()
        if request.update is None:
            raise validation(
                "1 validation error detected: Value null at "
                "'transactItems.member.update.updateExpression' failed to satisfy constraint: "
                "Member must not be null"
            )
    request.condition = exprs.condition()
    if kind == "ConditionCheck" and request.condition is None:
        raise validation(
            f"Value null at 'transactItems.{position}.member.conditionCheck.conditionExpression' "
            "failed to satisfy constraint: Member must not be null"
        )
    exprs.finish()
    return request


def transact_write_items(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """TransactWriteItems."""
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
    requests = [_parse(catalog, entry, n) for n, entry in enumerate(entries, 1)]
    seen_keys: set[tuple[int, bytes, bytes]] = set()
    for request in requests:
        ident = (request.schema.id, *request.key)
        if ident in seen_keys:
            raise validation("Transaction request cannot include multiple operations on one item")
        seen_keys.add(ident)
    consumed: dict[str, Consumed] = {}
    with catalog.storage.transaction():
        outcomes: list[tuple[Item | None, int, Item | None, int]] = []
        reasons: list[dict[str, Any]] = []
        for request in requests:
            found = catalog.get(request.schema, request.key)
            old, old_size = found if found is not None else (None, 0)
            reason, new, size = _evaluate(request, old)
            reasons.append(reason)
            outcomes.append((old, old_size, new, size))
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


def _evaluate(request: _Request, old: Item | None) -> tuple[dict[str, Any], Item | None, int]:
    """One request against the stored item: its cancellation reason and the item it writes.

    Problems only visible against the stored data (a failed condition, an update that cannot
    apply) are reasons, not errors: DynamoDB Local reports them per item.
    """
    if request.condition is not None and not request.condition.evaluate(old or {}):
        # DynamoDB Local ends the message with a period for a ConditionCheck only.
        period = "." if request.kind == "ConditionCheck" else ""
        reason: dict[str, Any] = {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed" + period,
        }
        if request.failure_mode == "ALL_OLD" and old is not None:
            reason["Item"] = old
        return reason, None, 0
    if request.kind == "Put":
        assert request.new is not None
        try:
            request.schema.check_index_types(request.new)
        except EngineError as exc:
            return {"Code": "ValidationError", "Message": exc.message}, None, 0
        return {"Code": "None"}, request.new, request.size
    if request.kind != "Update":
        return {"Code": "None"}, None, 0
    schema = request.schema
    # An update that cannot apply (wrong operand types) fails the whole request; a key it
    # may not change, or an index key of the wrong type, is a per-item reason.
    base = dict(old) if old is not None else dict(request.key_item)
    applied = request.update.apply(base)
    try:
        for name in schema.key_names:
            if name in request.update.top_level_names:
                raise validation(
                    "One or more parameter values were invalid: Cannot update attribute "
                    f"{name}. This attribute is part of the key"
                )
        new, size = check_updated(schema, applied)
    except EngineError as exc:
        if exc.code != "ValidationException":
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
