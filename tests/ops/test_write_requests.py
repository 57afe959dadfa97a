"""Puts, creates and deletes as requests: golden wire params, conditions built fresh each time."""

from __future__ import annotations

from datetime import datetime, timezone

from sortkey._model.entity import Entity
from sortkey._model.fields import Version
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey._ops import plain, writes
from sortkey.expr import attr

docs = Table("docs", pk="pk", sk="sk")
other = Table("other", pk="id")
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


class Note(Entity):
    __table__ = docs
    __key__ = Key(pk="NOTE#{note_id}", sk="#")
    note_id: str
    tags: set[str] = set()


class Page(Entity):
    __table__ = docs
    __key__ = Key(pk="PAGE#{page_id}", sk="#")
    page_id: str
    version: int = Version()


class Thing(Entity):
    __table__ = other
    __key__ = Key(pk="T#{thing_id}")
    thing_id: str


def test_create_is_conditioned_on_absence() -> None:
    params = writes.create(Note(note_id="1", tags={"a"}), now=NOW).params
    assert params == {
        "TableName": "docs",
        "Item": {
            "note_id": {"S": "1"},
            "tags": {"SS": ["a"]},
            "pk": {"S": "NOTE#1"},
            "sk": {"S": "#"},
            "_type": {"S": "Note"},
        },
        "ConditionExpression": "attribute_not_exists(#n0)",
        "ExpressionAttributeNames": {"#n0": "pk"},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    assert writes.create(Thing(thing_id="t"), now=NOW).params["ExpressionAttributeNames"] == {
        "#n0": "id"  # each table's own partition key
    }


def test_create_requests_share_nothing() -> None:
    first = writes.create(Note(note_id="1"), now=NOW).params
    first["ExpressionAttributeNames"]["#n0"] = "changed"  # a caller may edit a request
    second = writes.create(Note(note_id="2"), now=NOW).params
    assert second["ExpressionAttributeNames"] == {"#n0": "pk"}


def test_put_has_no_condition_unless_versioned() -> None:
    params = writes.put(Note(note_id="1"), now=NOW).params
    assert "ConditionExpression" not in params
    assert "ReturnValuesOnConditionCheckFailure" not in params
    new = writes.put(Page(page_id="p"), now=NOW).params
    assert new["ConditionExpression"] == "attribute_not_exists(#n0)"
    assert new["ExpressionAttributeNames"] == {"#n0": "pk"}
    assert new["Item"]["version"] == {"N": "1"}
    stale = writes.put(Page(page_id="p", version=3), now=NOW).params
    assert stale["ConditionExpression"] == "#n0 = :v0"
    assert stale["ExpressionAttributeNames"] == {"#n0": "version"}
    assert stale["ExpressionAttributeValues"] == {":v0": {"N": "3"}}
    assert stale["Item"]["version"] == {"N": "4"}


def test_plain_put_and_delete_golden() -> None:
    item = {"pk": "a", "sk": "b", "at": NOW, "gone": None, "tags": set(), "n": 1}
    assert plain.put_item(docs, item).params == {
        "TableName": "docs",
        "Item": {
            "pk": {"S": "a"},
            "sk": {"S": "b"},
            "at": {"S": "2025-01-02T03:04:05.000000Z"},
            "n": {"N": "1"},
        },
    }
    guarded = plain.put_item(
        "docs", {"pk": "a", "sk": "b"}, condition=attr("pk").not_exists(), returning="old"
    )
    assert guarded.params == {
        "TableName": "docs",
        "Item": {"pk": {"S": "a"}, "sk": {"S": "b"}},
        "ConditionExpression": "attribute_not_exists(#n0)",
        "ExpressionAttributeNames": {"#n0": "pk"},
        "ReturnValues": "ALL_OLD",
    }
    assert plain.delete_item(docs, {"pk": "a", "sk": "b"}).params == {
        "TableName": "docs",
        "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}},
    }
    deleted = plain.delete_item(docs, {"pk": "a", "sk": "b"}, condition=attr("n") > 1)
    assert deleted.params == {
        "TableName": "docs",
        "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}},
        "ConditionExpression": "#n0 > :v0",
        "ExpressionAttributeNames": {"#n0": "n"},
        "ExpressionAttributeValues": {":v0": {"N": "1"}},
    }
