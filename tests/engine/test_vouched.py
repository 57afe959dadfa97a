"""Puts of items that sortkey's codec built and sized (``Engine.call(..., vouched=...)``).

The engine stores such items without validating them a second time; everything it still
checks (the key, the 400 KB limit) and everything it computes from the size (capacity) must
come out as for the same item sent without ``vouched``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sortkey.codec import serialize_item_sized
from sortkey.engine import Engine, EngineError


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(ttl_sweep_interval=None) as e:
        e.call(
            "CreateTable",
            {
                "TableName": "tab",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        )
        yield e


def sized(values: dict[str, Any]) -> tuple[dict[str, Any], dict[int, Any]]:
    """A wire item and the ``vouched`` mapping that vouches for it."""
    wire, size = serialize_item_sized(values)
    return wire, {id(wire): (wire, size)}


def stored(engine: Engine, pk: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = engine.call(
        "GetItem", {"TableName": "tab", "Key": {"pk": {"S": pk}}}
    ).get("Item")
    return item


def put_capacity(engine: Engine, item: dict[str, Any], vouched: Any) -> Any:
    return engine.call(
        "PutItem",
        {"TableName": "tab", "Item": item, "ReturnConsumedCapacity": "TOTAL"},
        vouched=vouched,
    )["ConsumedCapacity"]["CapacityUnits"]


def test_vouched_puts_store_the_item_and_count_its_size(engine: Engine) -> None:
    values = {"pk": "a", "blob": "é" * 1600, "n": [1, 2.5, {"x": None}]}  # 3,221 bytes: 4 WCU
    wire, vouched = sized(values)
    plain, _ = sized({**values, "pk": "b"})
    assert put_capacity(engine, wire, vouched) == put_capacity(engine, plain, None) == 4.0
    assert stored(engine, "a") == wire
    wire, vouched = sized({"pk": "c", "x": 1})
    engine.call("PutItem", {"TableName": "tab", "Item": wire}, vouched=vouched)  # fast path
    assert stored(engine, "c") == wire


def test_the_vouched_size_is_the_size_used(engine: Engine) -> None:
    # The contract the capacity tests rely on: a vouched item is not measured again. (Only
    # sortkey's own layers may vouch; a wrong size here stands for a bug in them.)
    wire = {"pk": {"S": "tiny"}}
    assert put_capacity(engine, wire, {id(wire): (wire, 5000)}) == 5.0
    other = {"pk": {"S": "tiny2"}}
    assert put_capacity(engine, other, None) == 1.0


def test_vouched_transaction_puts_count_their_sizes(engine: Engine) -> None:
    wire, vouched = sized({"pk": "t", "blob": "é" * 1600})  # 3,208 bytes: 4 WCU, doubled
    out = engine.call(
        "TransactWriteItems",
        {
            "TransactItems": [{"Put": {"TableName": "tab", "Item": wire}}],
            "ReturnConsumedCapacity": "TOTAL",
        },
        vouched=vouched,
    )
    assert out["ConsumedCapacity"][0]["CapacityUnits"] == 8.0
    assert stored(engine, "t") == wire


def test_vouched_batch_puts_count_their_sizes(engine: Engine) -> None:
    items = [sized({"pk": f"p{i}", "blob": "x" * (1024 * i)}) for i in range(1, 4)]
    vouched = {k: v for _, mine in items for k, v in mine.items()}
    out = engine.call(
        "BatchWriteItem",
        {
            "RequestItems": {"tab": [{"PutRequest": {"Item": wire}} for wire, _ in items]},
            "ReturnConsumedCapacity": "TOTAL",
        },
        vouched=vouched,
    )
    assert out["ConsumedCapacity"] == [{"TableName": "tab", "CapacityUnits": 2.0 + 3.0 + 4.0}]
    assert [stored(engine, f"p{i}") for i in range(1, 4)] == [wire for wire, _ in items]


def test_only_the_very_object_that_was_sized_is_trusted(engine: Engine) -> None:
    # A non-canonical number that the engine normalises when it checks the item: if the
    # vouched entry were trusted for a different object, "1.50" would be stored as it is.
    item = {"pk": {"S": "a"}, "n": {"N": "1.50"}}
    lookalike = dict(item)
    engine.call("PutItem", {"TableName": "tab", "Item": item}, vouched={id(item): (lookalike, 9)})
    assert stored(engine, "a") == {"pk": {"S": "a"}, "n": {"N": "1.5"}}
    bad: dict[str, Any] = {"pk": {"S": "b"}, "n": {"S": 5}}
    for operation in PUTS:
        with pytest.raises(EngineError) as info:
            engine.call(operation, put_params(operation, bad), vouched={id(bad): (dict(bad), 3)})
        assert info.value.code == "SerializationException"  # DynamoDB's answer to {"S": 5}
        assert stored(engine, "b") is None


def put_params(operation: str, wire: dict[str, Any]) -> dict[str, Any]:
    """A request of ``operation`` that puts ``wire`` into table ``tab``."""
    if operation == "PutItem":
        return {"TableName": "tab", "Item": wire}
    if operation == "BatchWriteItem":
        return {"RequestItems": {"tab": [{"PutRequest": {"Item": wire}}]}}
    return {"TransactItems": [{"Put": {"TableName": "tab", "Item": wire}}]}


PUTS = ["PutItem", "BatchWriteItem", "TransactWriteItems"]


@pytest.mark.parametrize("operation", PUTS)
def test_vouched_items_still_have_their_key_and_size_checked(
    engine: Engine, operation: str
) -> None:
    def send(wire: dict[str, Any], vouched: Any) -> tuple[str, str]:
        params = put_params(operation, wire)
        with pytest.raises(EngineError) as info:
            engine.call(operation, params, vouched=vouched)
        return info.value.code, info.value.message

    for values in ({"pk": 1}, {"x": "no key"}, {"pk": "big", "s": "x" * (400 * 1024)}):
        wire, vouched = sized(values)
        assert send(wire, vouched) == send(wire, None)
    assert engine.call("Scan", {"TableName": "tab"})["Count"] == 0


def test_other_operations_ignore_vouched(engine: Engine) -> None:
    wire, vouched = sized({"pk": "a", "n": 1})
    engine.call("PutItem", {"TableName": "tab", "Item": wire}, vouched=vouched)
    out = engine.call(
        "UpdateItem",
        {
            "TableName": "tab",
            "Key": {"pk": {"S": "a"}},
            "UpdateExpression": "SET n = n + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
            "ReturnValues": "UPDATED_NEW",
        },
        vouched=vouched,
    )
    assert out["Attributes"] == {"n": {"N": "2"}}
