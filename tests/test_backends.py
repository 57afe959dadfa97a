"""Backends against DynamoDB Local: the async one, and what `import sortkey` must not do."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from sortkey.backends import BotocoreBackend
from sortkey.backends.aiobotocore import AiobotocoreBackend
from sortkey.errors import ConditionFailed, TableNotFound
from sortkey.local import DynamoDBLocal


def test_import_sortkey_does_not_import_botocore() -> None:
    code = "import sys, sortkey, sortkey.errors, sortkey.expr, sortkey.codec; " \
        "print('botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.integration
def test_async_backend_round_trip_and_errors(
    dynamodb_local: DynamoDBLocal, local_backend: BotocoreBackend
) -> None:
    name = "async_backend_table"
    local_backend.call(
        "CreateTable",
        {
            "TableName": name,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )

    async def scenario() -> None:
        async with AiobotocoreBackend(dynamodb_local.endpoint_url, max_attempts=1) as backend:
            item = {"pk": {"S": "k"}, "v": {"N": "1"}}
            await backend.acall("PutItem", {"TableName": name, "Item": item})
            got = await backend.acall("GetItem", {"TableName": name, "Key": {"pk": {"S": "k"}}})
            assert got == {"Item": item}
            with pytest.raises(ConditionFailed):
                condition = "attribute_not_exists(pk)"
                await backend.acall(
                    "PutItem", {"TableName": name, "Item": item, "ConditionExpression": condition}
                )
            with pytest.raises(TableNotFound):
                await backend.acall("DescribeTable", {"TableName": "nope"})

    try:
        asyncio.run(scenario())
    finally:
        local_backend.call("DeleteTable", {"TableName": name})
