"""``sortkey serve`` under concurrent clients: no mixed-up responses, no lost updates."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sortkey.backends import Backend, BotocoreBackend
from sortkey.backends.http import HttpBackend
from sortkey.codec import deserialize_item, serialize_item
from sortkey.expr import Update, attr, compile_request
from sortkey.server import Server

THREADS = 16
ROUNDS = 25
TABLE = "Concurrency"
COUNTER_KEY = {"pk": {"S": "counter"}, "sk": {"S": "0"}}


def create_table(backend: Backend) -> None:
    backend.call(
        "CreateTable",
        {
            "TableName": TABLE,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def worker(backend: Backend, number: int) -> None:
    """Writes and reads its own partition, and adds to two shared counters."""
    pk = f"worker{number}"
    add_one = compile_request(update=Update().add("hits", 1).add("seen", {pk}))
    for i in range(ROUNDS):
        sk = f"{i:04d}"
        # A payload unique to this request and big enough to span several TCP segments.
        payload = f"{pk}/{sk}/" * 200
        item = {"pk": pk, "sk": sk, "payload": payload, "blob": payload.encode()}
        backend.call("PutItem", {"TableName": TABLE, "Item": serialize_item(item)})
        got = backend.call(
            "GetItem",
            {
                "TableName": TABLE,
                "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                "ConsistentRead": True,
            },
        )
        assert deserialize_item(got["Item"]) == item
        mine = backend.call(
            "Query",
            {
                "TableName": TABLE,
                "ConsistentRead": True,
                **compile_request(key_condition=attr("pk") == pk, projection=["sk"]),
            },
        )
        assert [deserialize_item(i)["sk"] for i in mine["Items"]] == [
            f"{j:04d}" for j in range(i + 1)
        ]
        updated = backend.call(
            "UpdateItem",
            {"TableName": TABLE, "Key": COUNTER_KEY, "ReturnValues": "UPDATED_NEW", **add_one},
        )
        assert pk in deserialize_item(updated["Attributes"])["seen"]
        backend.call(
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "Update": {
                            "TableName": TABLE,
                            "Key": {"pk": {"S": "counter"}, "sk": {"S": "tx"}},
                            **compile_request(update=Update().add("hits", 1)),
                        }
                    },
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": serialize_item({"pk": f"tx-{pk}", "sk": sk}),
                        }
                    },
                ]
            },
        )


def count_items(backend: Backend) -> int:
    """Every item of the table, over as many Scan pages (1 MB each) as it takes."""
    params: dict[str, Any] = {"TableName": TABLE, "Select": "COUNT"}
    count = 0
    while True:
        page = backend.call("Scan", params)
        count += int(page["Count"])
        if "LastEvaluatedKey" not in page:
            return count
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_sixteen_threads_through_both_http_clients() -> None:
    server = Server(port=0, ttl_sweep=False).start()
    http = HttpBackend(server.endpoint_url)
    boto = BotocoreBackend(server.endpoint_url, max_attempts=1)
    try:
        create_table(http)
        backends: list[Backend] = [http, boto]
        run: Callable[[int], Any] = lambda n: worker(backends[n % 2], n)  # noqa: E731
        with ThreadPoolExecutor(THREADS) as pool:
            for future in [pool.submit(run, n) for n in range(THREADS)]:
                future.result()  # re-raises any worker's assertion

        total = THREADS * ROUNDS
        counter = http.call("GetItem", {"TableName": TABLE, "Key": COUNTER_KEY})
        assert deserialize_item(counter["Item"])["hits"] == total
        assert deserialize_item(counter["Item"])["seen"] == {
            f"worker{n}" for n in range(THREADS)
        }
        tx = boto.call(
            "GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "counter"}, "sk": {"S": "tx"}}}
        )
        assert deserialize_item(tx["Item"])["hits"] == total
        assert count_items(http) == 2 * total + 2
    finally:
        http.close()
        boto.close()
        closer = threading.Thread(target=server.close)
        closer.start()
        closer.join(timeout=10)
    assert not closer.is_alive(), "Server.close() hung"
    with socket.socket() as probe:
        assert probe.connect_ex((server.host, server.port)) != 0, "still listening after close"
