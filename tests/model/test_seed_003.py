"""Seed 003 (TypeDORM internals): a unique email guarded in one transaction, a GSI1 sort key
built from ``status`` and rewritten on update, guards removed on delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pytest

from sortkey._model.entity import Entity
from sortkey._model.fields import ID
from sortkey._model.item import raw
from sortkey._model.table import GSI, Table
from sortkey._model.template import Key
from sortkey.client import Database
from sortkey.errors import UniqueViolation

pytestmark = pytest.mark.integration

table = Table("my-table", pk="PK", sk="SK", indexes=[GSI("GSI1", pk="GSI1PK", sk="GSI1SK")])


class User(Entity):
    __table__ = table
    __type__ = "USER"
    __key__ = Key(pk="USER#{id}", sk="USER#{id}")
    __indexes__ = {"GSI1": Key(pk="USER#{id}", sk="USER#{id}#STATUS#{status}")}
    __unique__ = ("email",)
    id: str = ID()
    name: str
    status: Literal["active", "inactive"] = "active"
    email: str


class Order(Entity):
    __table__ = table
    __type__ = "ORDER"
    __key__ = Key(pk="ORDER#{id}", sk="ORDER#{id}")
    __indexes__ = {"GSI1": Key(pk="USER#{user_id}", sk="ORDER#{status}#{id}")}
    id: str = ID()
    user_id: str
    status: Literal["open", "cancelled"] = "open"


Snapshot = Callable[[Table], list[str]]


def test_unique_email_and_status_index(db: Database, snapshot: Snapshot) -> None:
    def guards(_: Database) -> list[str]:
        return [i for i in snapshot(table) if "_unique" in i]

    db.create_table(table)
    loki = db.create(User(name="Loki", email="loki@asgard.com"))
    stored = raw(loki)
    assert stored is not None
    assert stored["GSI1SK"] == f"USER#{loki.id}#STATUS#active"
    assert len(guards(db)) == 1

    # Updating status rewrites GSI1SK in the same request.
    db.update(User, {"id": loki.id}, set={"name": "Ex-Loki", "status": "inactive"})
    found = db.query(User, index="GSI1", id=loki.id, status="inactive").all()
    assert [u.name for u in found] == ["Ex-Loki"]
    assert db.query(User, index="GSI1", id=loki.id, status="active").all() == []

    # A second user with the same email is refused, and nothing of it is written.
    before = snapshot(table)
    with pytest.raises(UniqueViolation) as caught:
        db.create(User(name="Imposter", email="loki@asgard.com"))
    assert (caught.value.field, caught.value.value) == ("email", "loki@asgard.com")
    assert "email" in str(caught.value) and "loki@asgard.com" in str(caught.value)
    assert snapshot(table) == before

    # Changing the email moves the guard: the old address is free again.
    db.update(User, {"id": loki.id}, set={"email": "loki@midgard.com"})
    thor = db.create(User(name="Thor", email="loki@asgard.com"))
    with pytest.raises(UniqueViolation):
        db.update(User, {"id": thor.id}, set={"email": "loki@midgard.com"})
    assert len(guards(db)) == 2

    # Delete removes the guard with the item.
    db.delete(User, {"id": loki.id})
    assert db.get(User, id=loki.id) is None
    assert len(guards(db)) == 1
    db.create(User(name="Loki again", email="loki@midgard.com"))


def test_query_orders_by_status_prefix(db: Database) -> None:
    db.create_table(table)
    for status in ["open", "cancelled", "cancelled"]:
        db.create(Order(user_id="user-1", status=status))
    db.create(Order(user_id="user-10", status="cancelled"))
    query = db.query(Order, index="GSI1", user_id="user-1", status="cancelled")
    assert query.params["KeyConditionExpression"] == "#n0 = :v0 AND begins_with(#n1, :v1)"
    assert query.params["ExpressionAttributeValues"][":v1"] == {"S": "ORDER#cancelled#"}
    assert len(query.all()) == 2
    assert len(db.query(Order, index="GSI1", user_id="user-1").all()) == 3
