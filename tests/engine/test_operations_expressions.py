"""Operations that use expressions, paging, batches, transactions and consumed capacity.

Expected values were checked against DynamoDB Local (2026-05 release).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sortkey.engine import Engine, EngineError


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(ttl_sweep_interval=None) as e:
        e.call(
            "CreateTable",
            {
                "TableName": "tab",
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"},
                    {"AttributeName": "g", "AttributeType": "S"},
                ],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "byG",
                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                    }
                ],
            },
        )
        yield e


def put(engine: Engine, pk: str, sk: int, **attrs: Any) -> None:
    engine.call(
        "PutItem", {"TableName": "tab", "Item": {"pk": {"S": pk}, "sk": {"N": str(sk)}, **attrs}}
    )


def query(engine: Engine, **params: Any) -> dict[str, Any]:
    base = {
        "TableName": "tab",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "a"}},
    }
    return engine.call("Query", {**base, **params})


def failure(engine: Engine, op: str, params: dict[str, Any]) -> EngineError:
    with pytest.raises(EngineError) as info:
        engine.call(op, params)
    return info.value


def test_query_orders_numerically_and_pages_with_limit(engine: Engine) -> None:
    for sk in (10, -2, 3, 100, 0):
        put(engine, "a", sk)
    put(engine, "b", 1)
    first = query(engine, Limit=2)
    assert [i["sk"]["N"] for i in first["Items"]] == ["-2", "0"]
    # A full page always carries LastEvaluatedKey, even if nothing follows.
    assert first["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "0"}}
    rest = query(engine, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [i["sk"]["N"] for i in rest["Items"]] == ["3", "10", "100"]
    assert "LastEvaluatedKey" not in rest
    backwards = query(engine, ScanIndexForward=False, Limit=5)
    assert [i["sk"]["N"] for i in backwards["Items"]] == ["100", "10", "3", "0", "-2"]
    assert "LastEvaluatedKey" in backwards


def test_filter_counts_after_reading(engine: Engine) -> None:
    for sk in range(6):
        put(engine, "a", sk, n={"N": str(sk)})
    page = query(
        engine,
        FilterExpression="n >= :min",
        ExpressionAttributeValues={":p": {"S": "a"}, ":min": {"N": "4"}},
        Limit=5,
    )
    assert (page["Count"], page["ScannedCount"]) == (1, 5)
    assert page["LastEvaluatedKey"]["sk"] == {"N": "4"}


def test_one_megabyte_pages_stop_after_the_item_crossing_the_limit(engine: Engine) -> None:
    blob = "x" * (300 * 1024)
    for sk in range(6):
        put(engine, "a", sk, d={"S": blob})
    page = query(engine, Select="COUNT")
    assert (page["Count"], page["LastEvaluatedKey"]["sk"]) == (4, {"N": "3"})


def test_gsi_query_is_sparse_projects_keys_and_pages_with_table_keys(engine: Engine) -> None:
    put(engine, "a", 1, g={"S": "x"}, other={"S": "hidden"})
    put(engine, "a", 2, g={"S": "x"})
    put(engine, "a", 3)  # no index key: not in the index
    page = engine.call(
        "Query",
        {
            "TableName": "tab",
            "IndexName": "byG",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "x"}},
            "Limit": 1,
        },
    )
    assert page["Items"][0].keys() == {"pk", "sk", "g"}
    assert page["LastEvaluatedKey"].keys() == {"pk", "sk", "g"}
    rest = engine.call(
        "Query",
        {
            "TableName": "tab",
            "IndexName": "byG",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "x"}},
            "ExclusiveStartKey": page["LastEvaluatedKey"],
        },
    )
    assert rest["Count"] == 1 and rest["Items"][0]["sk"] != page["Items"][0]["sk"]
    error = failure(
        engine,
        "Query",
        {
            "TableName": "tab",
            "IndexName": "byG",
            "Select": "ALL_ATTRIBUTES",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "x"}},
        },
    )
    assert "projection type is not ALL" in error.message


def test_index_entry_follows_updates(engine: Engine) -> None:
    put(engine, "a", 1, g={"S": "x"})
    engine.call(
        "UpdateItem",
        {
            "TableName": "tab",
            "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "UpdateExpression": "SET g = :y",
            "ExpressionAttributeValues": {":y": {"S": "y"}},
        },
    )

    def count(value: str) -> int:
        page = engine.call(
            "Query",
            {
                "TableName": "tab",
                "IndexName": "byG",
                "KeyConditionExpression": "g = :g",
                "ExpressionAttributeValues": {":g": {"S": value}},
            },
        )
        return int(page["Count"])

    assert (count("x"), count("y")) == (0, 1)


def test_conditional_put_failure_returns_the_old_item_when_asked(engine: Engine) -> None:
    put(engine, "a", 1, v={"S": "old"})
    error = failure(
        engine,
        "PutItem",
        {
            "TableName": "tab",
            "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    )
    assert error.code == "ConditionalCheckFailedException"
    assert error.item == {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "old"}}


def test_update_return_values(engine: Engine) -> None:
    put(engine, "a", 1, n={"N": "1"}, keep={"S": "k"})
    response = engine.call(
        "UpdateItem",
        {
            "TableName": "tab",
            "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "UpdateExpression": "SET n = n + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
            "ReturnValues": "UPDATED_OLD",
        },
    )
    assert response == {"Attributes": {"n": {"N": "1"}}}
    error = failure(
        engine,
        "UpdateItem",
        {
            "TableName": "tab",
            "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "UpdateExpression": "SET sk = :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        },
    )
    assert error.message.endswith("Cannot update attribute sk. This attribute is part of the key")


def test_unused_values_without_expression(engine: Engine) -> None:
    error = failure(
        engine,
        "PutItem",
        {
            "TableName": "tab",
            "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "ExpressionAttributeValues": {":x": {"N": "1"}},
        },
    )
    assert error.message == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null"
    )


def test_batch_write_and_get(engine: Engine) -> None:
    writes = [{"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": str(i)}}}} for i in range(3)]
    assert engine.call("BatchWriteItem", {"RequestItems": {"tab": writes}}) == {
        "UnprocessedItems": {}
    }
    keys = [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in (0, 2, 9)]
    got = engine.call("BatchGetItem", {"RequestItems": {"tab": {"Keys": keys}}})
    assert sorted(i["sk"]["N"] for i in got["Responses"]["tab"]) == ["0", "2"]
    assert got["UnprocessedKeys"] == {}
    duplicate = [writes[0], {"DeleteRequest": {"Key": keys[0]}}]
    error = failure(engine, "BatchWriteItem", {"RequestItems": {"tab": duplicate}})
    assert error.message == "Provided list of item keys contains duplicates"
    too_many = [
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": str(i)}}}} for i in range(26)
    ]
    error = failure(engine, "BatchWriteItem", {"RequestItems": {"tab": too_many}})
    assert error.message == "Too many items requested for the BatchWriteItem call"


def test_transaction_is_all_or_nothing_with_reasons(engine: Engine) -> None:
    put(engine, "a", 1)
    error = failure(
        engine,
        "TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Put": {
                        "TableName": "tab",
                        "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {"Put": {"TableName": "tab", "Item": {"pk": {"S": "new"}, "sk": {"N": "1"}}}},
            ]
        },
    )
    assert error.code == "TransactionCanceledException"
    assert error.message == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed, None]"
    )
    assert error.cancellation_reasons == [
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        },
        {"Code": "None"},
    ]
    missing = engine.call(
        "GetItem", {"TableName": "tab", "Key": {"pk": {"S": "new"}, "sk": {"N": "1"}}}
    )
    assert missing == {}


def test_transaction_refuses_two_operations_on_one_item(engine: Engine) -> None:
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    error = failure(
        engine,
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "tab", "Item": key}},
                {"Delete": {"TableName": "tab", "Key": key}},
            ]
        },
    )
    assert error.message == "Transaction request cannot include multiple operations on one item"


def test_client_request_token_makes_a_transaction_idempotent(engine: Engine) -> None:
    request = {
        "ClientRequestToken": "token-1",
        "TransactItems": [
            {
                "Update": {
                    "TableName": "tab",
                    "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ],
    }
    engine.call("TransactWriteItems", request)
    engine.call("TransactWriteItems", request)
    item = engine.call("GetItem", {"TableName": "tab", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}})
    assert item["Item"]["n"] == {"N": "1"}
    changed = {
        **request,
        "TransactItems": [
            {"Delete": {"TableName": "tab", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}}
        ],
    }
    assert (
        failure(engine, "TransactWriteItems", changed).code
        == "IdempotentParameterMismatchException"
    )


@pytest.mark.parametrize(
    ("size", "consistent", "units"),
    [
        pytest.param(100, False, 0.5, id="small-eventual"),
        pytest.param(100, True, 1.0, id="small-strong"),
        pytest.param(5000, True, 2.0, id="two-4kb-blocks"),
    ],
)
def test_read_capacity(engine: Engine, size: int, consistent: bool, units: float) -> None:
    put(engine, "a", 1, d={"S": "x" * size})
    response = engine.call(
        "GetItem",
        {
            "TableName": "tab",
            "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
            "ConsistentRead": consistent,
            "ReturnConsumedCapacity": "TOTAL",
        },
    )
    assert response["ConsumedCapacity"] == {"TableName": "tab", "CapacityUnits": units}


def test_write_capacity_counts_gsi_writes(engine: Engine) -> None:
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}, "d": {"S": "x" * 1500}}
    response = engine.call(
        "PutItem", {"TableName": "tab", "Item": item, "ReturnConsumedCapacity": "INDEXES"}
    )
    assert response["ConsumedCapacity"] == {
        "TableName": "tab",
        "CapacityUnits": 3.0,
        "Table": {"CapacityUnits": 2.0},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 1.0}},
    }
