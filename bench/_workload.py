"""The engine benchmark's data: one table, deterministic items, the same access patterns for all.

A single-table design: partition ``CUSTOMER#<n>`` holds that customer's orders
(``ORDER#<seq>``), ``ORDERS_PER_CUSTOMER`` of them, so "query one customer's orders" returns
exactly 100 items whatever the table's size. Item ``i`` is a pure function of ``i`` (seeded
RNG), about 10 top-level attributes and 300-500 bytes by DynamoDB's size rules, with strings,
numbers, a bool, a string set, a nested map and a list of maps.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sortkey.codec import item_size, serialize_item

TABLE_NAME = "BenchOrders"
ORDERS_PER_CUSTOMER = 100
BATCH_SIZE = 25

CREATE_TABLE: dict[str, Any] = {
    "TableName": TABLE_NAME,
    "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
}

_WORDS = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
    "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu"
).split()
_CITIES = ("Lyon", "Porto", "Gdansk", "Leeds", "Turin", "Ghent", "Aarhus", "Bilbao")


def customer_pk(customer: int) -> str:
    """The partition key value of customer ``customer``."""
    return f"CUSTOMER#{customer:08d}"


def order_sk(seq: int) -> str:
    """The sort key value of a customer's ``seq``-th order."""
    return f"ORDER#{seq:05d}"


def make_item(i: int) -> dict[str, Any]:
    """Order ``i`` (Python values): customer ``i // 100``, order ``i % 100`` of that customer."""
    rng = random.Random(i)
    customer, seq = divmod(i, ORDERS_PER_CUSTOMER)
    lines: list[dict[str, Any]] = [
        {
            "sku": f"SKU-{rng.randrange(10**6):06d}",
            "qty": rng.randrange(1, 5),
            "price": Decimal(rng.randrange(100, 20000)) / 100,
        }
        for _ in range(rng.randrange(1, 4))
    ]
    return {
        "pk": customer_pk(customer),
        "sk": order_sk(seq),
        "entity": "ORDER",
        "order_id": f"01J{rng.getrandbits(80):020X}",
        "status": rng.choice(("pending", "paid", "shipped", "delivered")),
        "created_at": f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T"
        f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z",
        "total": sum((Decimal(line["qty"]) * line["price"] for line in lines), Decimal(0)),
        "currency": "EUR",
        "gift": rng.random() < 0.2,
        "note": " ".join(rng.sample(_WORDS, rng.randrange(6, 12))),
        "tags": set(rng.sample(_WORDS, 3)),
        "shipping": {
            "name": f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()}",
            "street": f"{rng.randrange(1, 999)} {rng.choice(_WORDS).title()} Street",
            "city": rng.choice(_CITIES),
            "zip": f"{rng.randrange(10**5):05d}",
        },
        "lines": lines,
    }


def wire_item(i: int) -> dict[str, Any]:
    """Order ``i`` in botocore's wire format (what boto3's low-level client sends)."""
    return serialize_item(make_item(i))


def key_of(i: int) -> dict[str, str]:
    """The key of order ``i`` (Python values)."""
    customer, seq = divmod(i, ORDERS_PER_CUSTOMER)
    return {"pk": customer_pk(customer), "sk": order_sk(seq)}


def wire_key(i: int) -> dict[str, Any]:
    """The key of order ``i`` in wire format."""
    return serialize_item(key_of(i))


def query_params(customer: int) -> dict[str, Any]:
    """Query all orders of ``customer`` (100 items, one page) in wire format."""
    return {
        "TableName": TABLE_NAME,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": customer_pk(customer)}},
    }


def batch_request(first: int) -> dict[str, Any]:
    """BatchWriteItem of orders ``first .. first + 24`` in wire format."""
    return {
        "RequestItems": {
            TABLE_NAME: [
                {"PutRequest": {"Item": wire_item(i)}} for i in range(first, first + BATCH_SIZE)
            ]
        }
    }


def random_indexes(count: int, limit: int, *, seed: int) -> Iterator[int]:
    """``count`` pseudo-random numbers in ``[0, limit)``, the same sequence for every target."""
    rng = random.Random(seed)
    for _ in range(count):
        yield rng.randrange(limit)


def size_summary(count: int = 1000) -> tuple[int, int, float]:
    """Min, max and mean DynamoDB item size (bytes) of the first ``count`` items."""
    sizes = [item_size(wire_item(i)) for i in range(count)]
    return min(sizes), max(sizes), sum(sizes) / len(sizes)
