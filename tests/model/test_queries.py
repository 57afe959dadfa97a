"""Queries and tables on every backend: prefixes, paging, cursors, dispatch, ensure_table."""

from __future__ import annotations

import pytest

from sortkey._model.entity import Entity
from sortkey._model.table import GSI, LSI, Table
from sortkey._model.template import Key
from sortkey.client import Database
from sortkey.errors import DefinitionError, InvalidInput
from sortkey.expr import attr

pytestmark = pytest.mark.integration

shop = Table(
    "Shop",
    pk="pk",
    sk="sk",
    indexes=[GSI("byOrg", pk=["org_id", "region"], sk=["status", ("order_no", "N")])],
    type_index=GSI("TypeIndex", pk="_type", sk="_timestamp"),
)


class Customer(Entity):
    __table__ = shop
    __key__ = Key(pk="ORG#{org_id}", sk="CUSTOMER#{customer_no}#")
    org_id: str
    customer_no: int


class Order(Entity):
    __table__ = shop
    __key__ = Key(pk="ORG#{org_id}", sk="ORDER#{order_no:05d}")
    org_id: str
    region: str = "eu"
    status: str = "open"
    order_no: int


def test_complete_field_never_prefix_matches(db: Database) -> None:
    db.create_table(shop)
    for n in (1, 10, 11, 2):
        db.create(Customer(org_id="o", customer_no=n))
    assert [c.customer_no for c in db.query(Customer, org_id="o", customer_no=1)] == [1]
    assert len(db.query(Customer, org_id="o").all()) == 4


def test_paging_limit_and_cursor(db: Database) -> None:
    db.create_table(shop)
    for n in range(25):
        db.create(Order(org_id="o", order_no=n))
    query = db.query(Order, org_id="o")
    assert [o.order_no for o in query] == list(range(25))
    assert [o.order_no for o in query.desc().limit(3)] == [24, 23, 22]
    assert query.first() is not None and query.desc().first().order_no == 24  # type: ignore[union-attr]
    seen: list[int] = []
    page = query.page(size=10)
    while True:
        seen.extend(o.order_no for o in page.items)
        if page.cursor is None:
            break
        page = query.page(page.cursor, size=10)
    assert seen == list(range(25))
    filtered = query.where(attr("order_no") >= 20).where(attr("order_no") < 23)
    assert [o.order_no for o in filtered] == [20, 21, 22]
    assert [o.order_no for o in query.limit(30)] == list(range(25))


def test_dispatch_by_type_keeps_unknown_items(db: Database) -> None:
    db.create_table(shop)
    db.create(Customer(org_id="o", customer_no=1))
    db.create(Order(org_id="o", order_no=1))
    db.table(shop).put_item({"pk": "ORG#o", "sk": "NOTE#1", "_type": "NOTE", "text": "hi"})
    db.table(shop).put_item({"pk": "ORG#o", "sk": "ZZZ", "text": "untyped"})
    everything = db.table(shop).query(pk="ORG#o").all()
    kinds = [type(x).__name__ for x in everything]
    assert kinds == ["Customer", "dict", "Order", "dict"]
    assert everything[1]["text"] == "hi"
    assert [o.order_no for o in db.query(Order, index="TypeIndex")] == [1]


def test_multi_attribute_gsi(db: Database) -> None:
    db.create_table(shop)
    db.create(Order(org_id="o", region="eu", status="open", order_no=1))
    db.create(Order(org_id="o", region="eu", status="closed", order_no=2))
    db.create(Order(org_id="o", region="us", status="open", order_no=3))
    found = db.query(Order, index="byOrg", org_id="o", region="eu", status="open").all()
    assert [o.order_no for o in found] == [1]
    assert len(db.query(Order, index="byOrg", org_id="o", region="eu").all()) == 2
    with pytest.raises(InvalidInput, match="'region'"):
        db.query(Order, index="byOrg", org_id="o")
    # DynamoDB maintains it from the real attributes: an update needs nothing more.
    db.update(Order, {"org_id": "o", "order_no": 2}, set={"status": "open"})
    found = db.query(Order, index="byOrg", org_id="o", region="eu", status="open").all()
    assert [o.order_no for o in found] == [1, 2]


def test_ensure_table(db: Database) -> None:
    assert db.ensure_table(shop) is True
    assert db.ensure_table(shop) is False
    other = Table("Shop", pk="pk", sk=("sk", "N"), indexes=[GSI("GSI9", pk="x")])
    with pytest.raises(DefinitionError) as caught:
        db.ensure_table(other)
    text = str(caught.value)
    assert "attribute 'sk' has type S, expected N" in text
    assert "'GSI9' is missing" in text and "'byOrg' exists but is not defined" in text
    db.delete_table(shop)
    assert db.ensure_table(shop) is True


def test_query_input_errors(db: Database) -> None:
    with pytest.raises(InvalidInput, match="needs 'org_id'"):
        db.query(Order, order_no=1)
    with pytest.raises(InvalidInput, match="not part of Order's key"):
        db.query(Order, org_id="o", status="open")
    with pytest.raises(DefinitionError, match="no index 'nope'"):
        db.query(Order, index="nope", org_id="o")


ledger = Table("Ledger", pk="pk", sk="sk", indexes=[LSI("byAmount", sk="lsi1sk")])


class Entry(Entity):
    __table__ = ledger
    __key__ = Key(pk="ACCOUNT#{account}", sk="ENTRY#{entry_no:05d}")
    __indexes__ = {"byAmount": Key(sk="AMOUNT#{amount:08d}#{entry_no:05d}")}
    account: str
    entry_no: int
    amount: int


def test_lsi_query_takes_the_table_partition_key(db: Database) -> None:
    db.create_table(ledger)
    for n, amount in [(1, 300), (2, 20), (3, 300), (4, 5)]:
        db.create(Entry(account="a", entry_no=n, amount=amount))
    db.create(Entry(account="b", entry_no=9, amount=1))
    by_amount = db.query(Entry, index="byAmount", account="a").all()
    assert [e.entry_no for e in by_amount] == [4, 2, 1, 3]
    large = db.query(Entry, index="byAmount", account="a", amount=300).consistent().all()
    assert [e.entry_no for e in large] == [1, 3]
    with pytest.raises(InvalidInput, match="needs 'account'"):
        db.query(Entry, index="byAmount", amount=300)
