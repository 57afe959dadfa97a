"""Seed 000 (users & orders in one table, a ``UserID-index`` GSI on a plain attribute).

Both ways: typed entities, and the plain-dict API for people who model by hand.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from seed_000 import Order, Profile, users  # the models of examples/seed_000.py

from sortkey._model.item import raw
from sortkey.client import Database
from sortkey.errors import ConditionFailed
from sortkey.expr import attr

pytestmark = pytest.mark.integration


def test_entities(db: Database) -> None:
    db.create_table(users)
    db.create(Profile(UserID="USR001", Name="Alice", Email="alice@email.com"))
    db.create(Order(UserID="USR001", OrderID="ORD1001", Amount=Decimal(50), Status="Shipped"))
    db.create(Order(UserID="USR001", OrderID="ORD1002", Amount=Decimal(30)))
    db.create(Profile(UserID="USR002", Name="Bob", Email="bob@email.com"))
    db.create(Order(UserID="USR002", OrderID="ORD1003", Amount=Decimal(100), Status="Delivered"))

    # The GSI key is the plain attribute UserID: no template, DynamoDB indexes it as is.
    everything = db.table(users).query(index="UserID-index", UserID="USR001").all()
    assert {type(x).__name__ for x in everything} == {"Profile", "Order"}
    assert len(everything) == 3

    orders = db.query(Order, UserID="USR001").all()  # sk begins_with "ORDER#" implied
    assert [o.OrderID for o in orders] == ["ORD1001", "ORD1002"]
    assert [o.OrderID for o in db.query(Order, UserID="USR001").desc().all()] == [
        "ORD1002",
        "ORD1001",
    ]
    alice = db.get(Profile, UserID="USR001")
    assert alice is not None and alice.Name == "Alice"
    stored = raw(alice)
    assert stored is not None and stored["PK"] == "USER#USR001" and stored["SK"] == "PROFILE"
    assert stored["_type"] == "PROFILE"

    shipped = db.update(
        Order,
        {"UserID": "USR001", "OrderID": "ORD1002"},
        set={"Status": "Shipped"},
        condition=attr("Status") == "Processing",
        returning="new",
    )
    assert shipped.Status == "Shipped"
    with pytest.raises(ConditionFailed):
        db.update(
            Order,
            {"UserID": "USR001", "OrderID": "ORD1002"},
            set={"Status": "Delivered"},
            condition=attr("Status") == "Processing",
        )


def test_plain_dicts(db: Database) -> None:
    db.create_table(users)
    table = db.table(users)
    table.put_item(
        {
            "PK": "USER#USR001",
            "SK": "PROFILE",
            "UserID": "USR001",
            "Name": "Alice",
            "Email": "alice@email.com",
        }
    )
    for order in [
        {
            "PK": "USER#USR001",
            "SK": "ORDER#ORD1001",
            "UserID": "USR001",
            "Amount": 50,
            "Status": "Shipped",
        },
        {
            "PK": "USER#USR001",
            "SK": "ORDER#ORD1002",
            "UserID": "USR001",
            "Amount": 30,
            "Status": "Processing",
        },
        {
            "PK": "USER#USR002",
            "SK": "ORDER#ORD1003",
            "UserID": "USR002",
            "Amount": 100,
            "Status": "Delivered",
        },
    ]:
        table.put_item(order)

    found = table.query(index="UserID-index", UserID="USR001").all()
    assert sorted(i["SK"] for i in found) == ["ORDER#ORD1001", "ORDER#ORD1002", "PROFILE"]
    orders = table.query(attr("SK").begins_with("ORDER#"), PK="USER#USR001").all()
    assert [o["Amount"] for o in orders] == [50, 30]

    key = {"PK": "USER#USR001", "SK": "ORDER#ORD1002"}
    updated = table.update_item(
        key,
        set={"Status": "Shipped"},
        add={"Amount": 5},
        returning="new",
        condition=attr("Status") == "Processing",
    )
    assert updated is not None and updated["Status"] == "Shipped" and updated["Amount"] == 35
    assert table.get_item(key, consistent=True) == updated
    with pytest.raises(ConditionFailed):
        table.delete_item(key, condition=attr("Status") == "Processing")
    assert table.delete_item(key, returning="old") == updated
    assert table.get_item(key) is None
