"""Seed 000: users and their orders in one table, orders found through a `UserID-index` GSI.

The seed models it by hand with the AWS CLI and boto3; here it is twice: with typed entities,
and with the plain-dict API for people who keep modelling by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from sortkey import GSI, ConditionFailed, Database, Entity, Key, Table, attr

Say = Callable[[str, object], None]  # prints one labelled result

# The GSI key is the plain attribute UserID: an entity field, so no template is needed.
users = Table("Users", pk="PK", sk="SK", indexes=[GSI("UserID-index", pk="UserID")])


class Profile(Entity):
    __table__ = users
    __type__ = "PROFILE"
    __key__ = Key(pk="USER#{UserID}", sk="PROFILE")
    UserID: str
    Name: str
    Email: str


class Order(Entity):
    __table__ = users
    __type__ = "ORDER"
    __key__ = Key(pk="USER#{UserID}", sk="ORDER#{OrderID}")
    UserID: str
    OrderID: str
    Amount: Decimal
    Status: Literal["Processing", "Shipped", "Delivered"] = "Processing"


def with_entities(db: Database, say: Say) -> None:
    db.create_table(users)
    db.create(Profile(UserID="USR001", Name="Alice", Email="alice@email.com"))
    db.create(Order(UserID="USR001", OrderID="ORD1001", Amount=Decimal(50), Status="Shipped"))
    db.create(Order(UserID="USR001", OrderID="ORD1002", Amount=Decimal(30)))
    db.create(Profile(UserID="USR002", Name="Bob", Email="bob@email.com"))
    db.create(Order(UserID="USR002", OrderID="ORD1003", Amount=Decimal(100), Status="Delivered"))
    say("put", "2 profiles, 3 orders")

    say("profile", db.get(Profile, UserID="USR001", consistent=True))
    for thing in db.table(users).query(index="UserID-index", UserID="USR001"):
        say("UserID-index", thing)  # each item parsed into its own class by its type
    for order in db.query(Order, UserID="USR001").desc():  # sk begins_with "ORDER#" implied
        say("orders, newest first", f"{order.OrderID} {order.Amount} {order.Status}")

    shipped = db.update(
        Order,
        {"UserID": "USR001", "OrderID": "ORD1002"},
        set={"Status": "Shipped"},
        condition=attr("Status") == "Processing",
        returning="new",
    )
    say("shipped", shipped)
    try:
        db.update(
            Order,
            {"UserID": "USR001", "OrderID": "ORD1002"},
            set={"Status": "Delivered"},
            condition=attr("Status") == "Processing",
        )
    except ConditionFailed as exc:
        say("refused", f"{type(exc).__name__}: {exc.message}")
    db.delete_table(users)


def with_plain_dicts(db: Database, say: Say) -> None:
    db.create_table(users)
    table = db.table(users)
    table.put_item(
        {"PK": "USER#USR001", "SK": "PROFILE", "UserID": "USR001", "Name": "Alice",
         "Email": "alice@email.com"}
    )
    for order_id, amount, status in [("ORD1001", 50, "Shipped"), ("ORD1002", 30, "Processing")]:
        table.put_item(
            {"PK": "USER#USR001", "SK": f"ORDER#{order_id}", "UserID": "USR001",
             "Amount": amount, "Status": status}
        )
    say("profile", table.get_item({"PK": "USER#USR001", "SK": "PROFILE"}))
    for item in table.query(index="UserID-index", UserID="USR001"):
        say("UserID-index", item)
    updated = table.update_item(
        {"PK": "USER#USR001", "SK": "ORDER#ORD1002"},
        set={"Status": "Shipped"},
        add={"Amount": 5},
        condition=attr("Status") == "Processing",
        returning="new",
    )
    say("updated", updated)
    db.delete_table(users)


