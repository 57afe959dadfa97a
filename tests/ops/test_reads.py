"""Single-entity reads as values: ``get`` and ``exists`` requests, and their parsing."""

from __future__ import annotations

from typing import Any

from sortkey import _ops as ops
from sortkey import connect
from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key

table = Table("reads", pk="PK", sk="SK")
dotted = Table("dotted", pk="a.b")


class Doc(Entity):
    __table__ = table
    __type__ = "DOC"
    __key__ = Key(pk="DOC#{doc_id}", sk="#")
    doc_id: str
    title: str = ""


class Odd(Entity):
    __table__ = dotted
    __key__ = Key(pk="ODD#{odd_id}")
    odd_id: str


def _stored(doc_id: str) -> dict[str, Any]:
    return {
        "PK": {"S": f"DOC#{doc_id}"},
        "SK": {"S": "#"},
        "_type": {"S": "DOC"},
        "doc_id": {"S": doc_id},
        "title": {"S": "T"},
    }


def test_exists_reads_only_the_partition_key_attribute() -> None:
    request = ops.exists(Doc, {"doc_id": "1"}, consistent=True)
    assert request.operation == "GetItem"
    assert request.params == {
        "TableName": "reads",
        "Key": {"PK": {"S": "DOC#1"}, "SK": {"S": "#"}},
        "ProjectionExpression": "#n0",
        "ExpressionAttributeNames": {"#n0": "PK"},
        "ConsistentRead": True,
    }
    assert request.parse({"Item": {"PK": {"S": "DOC#1"}}}) is True
    assert request.parse({}) is False


def test_exists_requests_share_nothing_mutable() -> None:
    first = ops.exists(Doc, {"doc_id": "1"})
    first.params["ExpressionAttributeNames"]["#n0"] = "changed"
    assert ops.exists(Doc, {"doc_id": "2"}).params["ExpressionAttributeNames"] == {"#n0": "PK"}


def test_exists_projects_a_key_attribute_whose_name_holds_a_dot() -> None:
    # "a.b" is one attribute, not the path a -> b (which found nothing: exists said False).
    params = ops.exists(Odd, {"odd_id": "1"}).params
    assert params["ProjectionExpression"] == "#n0"
    assert params["ExpressionAttributeNames"] == {"#n0": "a.b"}
    with connect() as db:
        db.create_table(dotted)
        assert not db.exists(Odd, odd_id="1")
        db.create(Odd(odd_id="1"))
        assert db.exists(Odd, odd_id="1")


def test_get_parses_the_entity_or_none_and_projections_as_dicts() -> None:
    request = ops.get(Doc, {"doc_id": "1"})
    assert request.parse({"Item": _stored("1")}) == Doc(doc_id="1", title="T")
    assert request.parse({}) is None
    projected = ops.get(Doc, {"doc_id": "1"}, projection=["title"])
    assert projected.parse({"Item": {"title": {"S": "T"}}}) == {"title": "T"}
