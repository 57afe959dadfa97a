"""Seed 000 at the wire level, for people who want to see every request.

Seed 000 (users and orders in one table, a `UserID-index` GSI): create the table, put a profile
and two orders, read the profile back, query the orders through the GSI — written with sortkey's
wire codec, expression builders and the botocore backend, against AWS DynamoDB Local started by
`sortkey.local`.

    python examples/seed_000_wire.py                 # starts DynamoDB Local itself
    python examples/seed_000_wire.py --endpoint URL  # any DynamoDB endpoint instead
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

from sortkey.backends import Backend, BotocoreBackend
from sortkey.codec import deserialize_item, serialize, serialize_item
from sortkey.expr import attr, compile_request
from sortkey.local import DynamoDBLocal

USERS_TABLE = {
    "TableName": "Users",
    "AttributeDefinitions": [
        {"AttributeName": "PK", "AttributeType": "S"},
        {"AttributeName": "SK", "AttributeType": "S"},
        {"AttributeName": "UserID", "AttributeType": "S"},
    ],
    "KeySchema": [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "UserID-index",
            "KeySchema": [{"AttributeName": "UserID", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        }
    ],
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
}

PROFILE = {
    "PK": "USER#USR001",
    "SK": "PROFILE",
    "UserID": "USR001",
    "Name": "Alice",
    "Email": "alice@email.com",
}
ORDERS = [
    {"PK": "USER#USR001", "SK": "ORDER#ORD1001", "UserID": "USR001", "Amount": 50,
     "Status": "Shipped"},
    {"PK": "USER#USR001", "SK": "ORDER#ORD1002", "UserID": "USR001", "Amount": 30,
     "Status": "Processing"},
]


def show(title: str, value: Any) -> None:
    print(f"  {title}: {value}")


def seed_000_wire(backend: Backend) -> None:
    """Seed 000 with the codec, the expression builders and a raw backend."""
    print("seed 000 — users & orders (codec + expressions + botocore backend)")
    with contextlib.suppress(Exception):
        backend.call("DeleteTable", {"TableName": "Users"})
    backend.call("CreateTable", USERS_TABLE)
    show("created table", "Users with GSI UserID-index")

    # Put the profile only if it is new, as a real sign-up would.
    guard = compile_request(condition=attr("PK").not_exists())
    backend.call("PutItem", {"TableName": "Users", "Item": serialize_item(PROFILE), **guard})
    for order in ORDERS:
        backend.call("PutItem", {"TableName": "Users", "Item": serialize_item(order)})
    show("put", f"1 profile and {len(ORDERS)} orders")

    key = {"PK": serialize("USER#USR001"), "SK": serialize("PROFILE")}
    profile = backend.call("GetItem", {"TableName": "Users", "Key": key, "ConsistentRead": True})
    show("profile", deserialize_item(profile["Item"]))

    # Orders of USR001 through the GSI; the profile carries UserID too, so keep only orders.
    request = compile_request(
        key_condition=attr("UserID") == "USR001",
        filter=attr("SK").begins_with("ORDER#"),
    )
    response = backend.call(
        "Query", {"TableName": "Users", "IndexName": "UserID-index", **request}
    )
    for item in sorted((deserialize_item(i) for i in response["Items"]), key=lambda i: i["SK"]):
        show("order", f"{item['SK']} amount={item['Amount']} status={item['Status']}")
    backend.call("DeleteTable", {"TableName": "Users"})


@contextlib.contextmanager
def open_backend(endpoint: str | None) -> Iterator[Backend]:
    if endpoint:
        backend = BotocoreBackend(endpoint)
        yield backend
        backend.close()
        return
    with DynamoDBLocal() as local:
        print(f"(DynamoDB Local started at {local.endpoint_url})")
        backend = BotocoreBackend(local.endpoint_url)
        yield backend
        backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", help="a DynamoDB endpoint URL (default: DynamoDB Local)")
    args = parser.parse_args()
    with open_backend(args.endpoint) as backend:
        seed_000_wire(backend)


if __name__ == "__main__":
    main()
