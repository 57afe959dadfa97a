"""Real clients against ``sortkey serve`` — and the same assertions against DynamoDB Local.

Every test runs with four clients: botocore and :class:`HttpBackend` on ``sortkey serve``, and
the same two on DynamoDB Local. The two local runs keep the assertions honest (they state what
DynamoDB answers); the two server runs prove the HTTP front carries it through unchanged:
binary values base64-encoded at every depth, error types, condition items, cancellation reasons.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sortkey.backends import Backend, BotocoreBackend
from sortkey.backends.http import HttpBackend
from sortkey.errors import (
    ConditionFailed,
    ItemTooLarge,
    ResourceInUse,
    TableNotFound,
    TransactionCanceled,
    ValidationError,
)
from sortkey.server import Server

CLIENTS = ["serve-botocore", "serve-http", "local-botocore", "local-http"]
_names = itertools.count()


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest) -> Iterator[Backend]:
    where, kind = request.param.split("-")
    if where == "serve":
        endpoint = request.getfixturevalue("sortkey_server").endpoint_url
    else:
        endpoint = request.getfixturevalue("dynamodb_local").endpoint_url
    backend: Backend
    if kind == "botocore":
        backend = BotocoreBackend(endpoint, max_attempts=1)
    else:
        backend = HttpBackend(endpoint, max_attempts=1)
    yield backend
    backend.close()


@pytest.fixture
def make_table(client: Backend) -> Iterator[Callable[..., str]]:
    created: list[str] = []

    def make(sk_type: str | None = "S") -> str:
        name = f"serve_{next(_names)}"
        keys = [("pk", "S", "HASH")] + ([("sk", sk_type, "RANGE")] if sk_type else [])
        client.call(
            "CreateTable",
            {
                "TableName": name,
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": a, "KeyType": k} for a, _, k in keys],
                "AttributeDefinitions": [
                    {"AttributeName": a, "AttributeType": t} for a, t, _ in keys
                ],
            },
        )
        created.append(name)
        return name

    yield make
    for name in created:
        client.call("DeleteTable", {"TableName": name})


BINARY_ITEM: dict[str, Any] = {
    "pk": {"S": "bin"},
    "sk": {"S": "item"},
    "raw": {"B": bytes(range(256))},
    "bs": {"BS": [b"\x00", b"\xff\xfe", b"plain ascii"]},
    "nested": {
        "M": {
            "list": {
                "L": [{"B": b"\x01\x02"}, {"BS": [b"a", b"b"]}, {"M": {"deep": {"B": b"\x00"}}}]
            },
            "B": {"B": b"attribute named B"},
            "BS": {"S": "an attribute named BS holding a string"},
        }
    },
    "numbers": {"NS": ["1", "-2.5", "1000"]},
    "null": {"NULL": True},
    "bool": {"BOOL": False},
}


def _sorted_sets(value: Any) -> Any:
    """Sets come back in any order: compare them sorted."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k in ("SS", "NS", "BS") else _sorted_sets(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_sorted_sets(v) for v in value]
    return value


def test_binary_values_round_trip_at_every_depth(
    client: Backend, make_table: Callable[..., str]
) -> None:
    table = make_table()
    client.call("PutItem", {"TableName": table, "Item": BINARY_ITEM})
    got = client.call(
        "GetItem", {"TableName": table, "Key": {"pk": {"S": "bin"}, "sk": {"S": "item"}}}
    )
    assert _sorted_sets(got["Item"]) == _sorted_sets(BINARY_ITEM)
    assert isinstance(got["Item"]["raw"]["B"], bytes)


def test_binary_keys_page_through_query_with_binary_last_evaluated_key(
    client: Backend, make_table: Callable[..., str]
) -> None:
    table = make_table(sk_type="B")
    sort_keys = [bytes([i, 0xFF - i]) for i in range(7)]
    for sk in sort_keys:
        client.call("PutItem", {"TableName": table, "Item": {"pk": {"S": "p"}, "sk": {"B": sk}}})
    params: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p AND sk > :low",
        "ExpressionAttributeValues": {":p": {"S": "p"}, ":low": {"B": b"\x00\xff"}},
        "Limit": 3,
    }
    pages: list[list[bytes]] = []
    while True:
        response = client.call("Query", params)
        pages.append([item["sk"]["B"] for item in response["Items"]])
        if "LastEvaluatedKey" not in response:
            break
        last = response["LastEvaluatedKey"]
        assert last == {"pk": {"S": "p"}, "sk": {"B": pages[-1][-1]}}
        params = {**params, "ExclusiveStartKey": last}
    assert pages == [sort_keys[1:4], sort_keys[4:7], []]


def test_condition_failure_returns_the_old_item_with_binaries(
    client: Backend, make_table: Callable[..., str]
) -> None:
    table = make_table()
    client.call("PutItem", {"TableName": table, "Item": BINARY_ITEM})
    with pytest.raises(ConditionFailed) as caught:
        client.call(
            "PutItem",
            {
                "TableName": table,
                "Item": {"pk": {"S": "bin"}, "sk": {"S": "item"}},
                "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
        )
    assert caught.value.code == "ConditionalCheckFailedException"
    assert caught.value.message == "The conditional request failed"
    assert caught.value.item is not None
    assert _sorted_sets(caught.value.item) == _sorted_sets(BINARY_ITEM)


def test_condition_failure_without_all_old_has_no_item(
    client: Backend, make_table: Callable[..., str]
) -> None:
    table = make_table()
    with pytest.raises(ConditionFailed) as caught:
        client.call(
            "DeleteItem",
            {
                "TableName": table,
                "Key": {"pk": {"S": "missing"}, "sk": {"S": "x"}},
                "ConditionExpression": "attribute_exists(pk)",
            },
        )
    assert caught.value.item is None


def test_transaction_cancellation_reasons_per_item(
    client: Backend, make_table: Callable[..., str]
) -> None:
    table = make_table()
    client.call("PutItem", {"TableName": table, "Item": BINARY_ITEM})
    with pytest.raises(TransactionCanceled) as caught:
        client.call(
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": table, "Item": {"pk": {"S": "new"}, "sk": {"S": "1"}}}},
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {"pk": {"S": "bin"}, "sk": {"S": "item"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                ]
            },
        )
    reasons = caught.value.reasons
    assert [r.code for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1].message == "The conditional request failed"
    assert reasons[1].item is not None
    assert _sorted_sets(reasons[1].item) == _sorted_sets(BINARY_ITEM)
    assert "ConditionalCheckFailed" in caught.value.message
    # nothing of the transaction was written
    got = client.call(
        "GetItem", {"TableName": table, "Key": {"pk": {"S": "new"}, "sk": {"S": "1"}}}
    )
    assert "Item" not in got


def test_batch_write_and_get_with_binary_values(
    client: Backend, make_table: Callable[..., str]
) -> None:
    table = make_table(sk_type="B")
    items = [
        {"pk": {"S": "b"}, "sk": {"B": bytes([i])}, "v": {"BS": [bytes([i]), b"z"]}}
        for i in range(5)
    ]
    response = client.call(
        "BatchWriteItem", {"RequestItems": {table: [{"PutRequest": {"Item": i}} for i in items]}}
    )
    assert response["UnprocessedItems"] == {}
    keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
    got = client.call("BatchGetItem", {"RequestItems": {table: {"Keys": keys}}})
    returned = sorted(got["Responses"][table], key=lambda item: item["sk"]["B"])
    assert _sorted_sets(returned) == _sorted_sets(items)
    assert got["UnprocessedKeys"] == {}


def test_update_returns_binary_attributes(client: Backend, make_table: Callable[..., str]) -> None:
    table = make_table()
    key = {"pk": {"S": "u"}, "sk": {"S": "1"}}
    response = client.call(
        "UpdateItem",
        {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET #b = :b ADD #s :s",
            "ExpressionAttributeNames": {"#b": "blob", "#s": "blobs"},
            "ExpressionAttributeValues": {":b": {"B": b"\x00\x10"}, ":s": {"BS": [b"\x01"]}},
            "ReturnValues": "ALL_NEW",
        },
    )
    assert response["Attributes"] == {**key, "blob": {"B": b"\x00\x10"}, "blobs": {"BS": [b"\x01"]}}


def test_transact_get_returns_binary_items(client: Backend, make_table: Callable[..., str]) -> None:
    table = make_table()
    client.call("PutItem", {"TableName": table, "Item": BINARY_ITEM})
    response = client.call(
        "TransactGetItems",
        {
            "TransactItems": [
                {"Get": {"TableName": table, "Key": {"pk": {"S": "bin"}, "sk": {"S": "item"}}}},
                {"Get": {"TableName": table, "Key": {"pk": {"S": "none"}, "sk": {"S": "x"}}}},
            ]
        },
    )
    first, second = response["Responses"]
    assert _sorted_sets(first["Item"]) == _sorted_sets(BINARY_ITEM)
    assert second == {}


@pytest.mark.parametrize(
    ("params", "error", "message_part"),
    [
        pytest.param(
            {"Key": {"pk": {"N": "1"}, "sk": {"S": "x"}}},
            ValidationError,
            "Type mismatch for key",
            id="key-type-mismatch",
        ),
        pytest.param(
            {"Key": {"pk": {"S": "x"}}},
            ValidationError,
            "The number of conditions on the keys is invalid",
            id="missing-sort-key",
        ),
        pytest.param(
            {"Key": {"pk": {"S": "x"}, "sk": {"S": "x"}}, "ProjectionExpression": "a,, b"},
            ValidationError,
            "Invalid ProjectionExpression",
            id="bad-projection",
        ),
    ],
)
def test_validation_errors(
    client: Backend,
    make_table: Callable[..., str],
    params: dict[str, Any],
    error: type[Exception],
    message_part: str,
) -> None:
    table = make_table()
    with pytest.raises(error) as caught:
        client.call("GetItem", {"TableName": table, **params})
    assert message_part in str(caught.value)
    assert getattr(caught.value, "code", None) == "ValidationException"


def test_item_too_large(client: Backend, make_table: Callable[..., str]) -> None:
    table = make_table()
    item = {"pk": {"S": "big"}, "sk": {"S": "x"}, "blob": {"B": b"\x00" * 409_600}}
    with pytest.raises(ItemTooLarge):
        client.call("PutItem", {"TableName": table, "Item": item})


def test_missing_table_and_duplicate_table(client: Backend, make_table: Callable[..., str]) -> None:
    with pytest.raises(TableNotFound):
        client.call("GetItem", {"TableName": "no_such_table", "Key": {"pk": {"S": "x"}}})
    table = make_table()
    with pytest.raises(ResourceInUse):
        client.call(
            "CreateTable",
            {
                "TableName": table,
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            },
        )


def test_describe_table_through_http(client: Backend, make_table: Callable[..., str]) -> None:
    table = make_table()
    description = client.call("DescribeTable", {"TableName": table})["Table"]
    assert description["TableName"] == table
    assert description["TableStatus"] == "ACTIVE"
    assert {d["AttributeName"] for d in description["AttributeDefinitions"]} == {"pk", "sk"}


def test_server_fixture_is_in_memory(sortkey_server: Server) -> None:
    assert sortkey_server.engine.path == ":memory:"
