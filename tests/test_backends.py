"""Backends against DynamoDB Local: the async one, and what `import sortkey` must not do."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from sortkey.backends import BotocoreBackend
from sortkey.backends.aiobotocore import AiobotocoreBackend
from sortkey.errors import BackendUnavailable, ConditionFailed, TableNotFound
from sortkey.local import DynamoDBLocal


def test_import_sortkey_does_not_import_botocore() -> None:
    code = "import sys, sortkey, sortkey.errors, sortkey.expr, sortkey.codec; " \
        "print('botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unreachable_endpoint_is_backend_unavailable() -> None:
    # Port 9 (discard) has no listener here: the connection is refused, as HttpBackend reports.
    backend = BotocoreBackend("http://127.0.0.1:9", max_attempts=1)
    with pytest.raises(BackendUnavailable, match="ListTables to http://127.0.0.1:9 failed"):
        backend.call("ListTables", {})
    backend.close()

    async def scenario() -> None:
        async with AiobotocoreBackend("http://127.0.0.1:9", max_attempts=1) as backend:
            await backend.acall("ListTables", {})

    with pytest.raises(BackendUnavailable, match="EndpointConnectionError"):
        asyncio.run(scenario())


def test_async_backend_opens_one_client_for_concurrent_first_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aiobotocore.session import AioSession

    from sortkey.server import Server

    opened: list[object] = []
    create_client = AioSession.create_client

    def counting_create_client(self: AioSession, *args: object, **kwargs: object) -> object:
        opened.append(args)
        return create_client(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AioSession, "create_client", counting_create_client)

    async def scenario(endpoint: str) -> None:
        async with AiobotocoreBackend(endpoint, max_attempts=1) as backend:
            calls = [backend.acall("ListTables", {}) for _ in range(5)]
            assert await asyncio.gather(*calls) == [{"TableNames": []}] * 5

    with Server(port=0, ttl_sweep=False).start() as server:
        asyncio.run(scenario(server.endpoint_url))
    assert len(opened) == 1


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
