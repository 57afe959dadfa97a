"""DynamoDB Local launcher and the botocore backend against it."""

from __future__ import annotations

import socket

import pytest

from sortkey.backends import Backend, BotocoreBackend
from sortkey.errors import (
    BackendUnavailable,
    ConditionFailed,
    ResourceInUse,
    TableNotFound,
    ValidationError,
)
from sortkey.local import DynamoDBLocal, find_jar

pytestmark = pytest.mark.integration


def test_endpoint_answers_and_stops(dynamodb_local: DynamoDBLocal) -> None:
    with DynamoDBLocal() as local:
        backend = BotocoreBackend(local.endpoint_url, max_attempts=1)
        assert backend.call("ListTables", {}) == {"TableNames": []}
        url = local.endpoint_url
        process = local._process
    assert process is not None and process.poll() is not None
    with pytest.raises(Exception):  # noqa: B017 - any connection error: nothing listens now
        BotocoreBackend(url, max_attempts=1).call("ListTables", {})


def test_jar_is_found_after_install(dynamodb_local: DynamoDBLocal) -> None:
    jar = find_jar()
    assert jar is not None and jar.name == "DynamoDBLocal.jar"


def test_errors_are_translated_with_context(backend: Backend, table_name: str) -> None:
    item = {"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1"}}
    backend.call("PutItem", {"TableName": table_name, "Item": item})
    params = {
        "TableName": table_name,
        "Item": item,
        "ConditionExpression": "attribute_not_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    with pytest.raises(ConditionFailed) as failed:
        backend.call("PutItem", params)
    assert failed.value.code == "ConditionalCheckFailedException"
    assert failed.value.operation == "PutItem"
    assert failed.value.table_name == table_name
    assert failed.value.item == item
    assert table_name in str(failed.value)

    with pytest.raises(TableNotFound):
        backend.call("GetItem", {"TableName": "missing", "Key": {"pk": {"S": "a"}}})
    with pytest.raises(ValidationError):
        backend.call("GetItem", {"TableName": table_name, "Key": {"pk": {"S": "a"}}})


def test_creating_an_existing_table_is_resource_in_use(backend: Backend, table_name: str) -> None:
    described = backend.call("DescribeTable", {"TableName": table_name})["Table"]
    with pytest.raises(ResourceInUse):
        backend.call(
            "CreateTable",
            {
                "TableName": table_name,
                "KeySchema": described["KeySchema"],
                "AttributeDefinitions": described["AttributeDefinitions"],
                "BillingMode": "PAY_PER_REQUEST",
            },
        )


def test_a_port_in_use_is_refused_before_starting_java() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # A java that does not exist: the port check must come first and say what is wrong.
        local = DynamoDBLocal(port=port, java="no-such-java")
        with pytest.raises(BackendUnavailable, match=f"port {port} is already in use"):
            local.start()


def test_missing_java_is_a_clear_error() -> None:
    with pytest.raises(BackendUnavailable, match="needs Java 17"):
        DynamoDBLocal(java="no-such-java").start()
