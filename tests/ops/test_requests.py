"""Requests as values, offline: golden wire requests, and flows driven by a scripted backend."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

import pytest

from sortkey import _ops as ops
from sortkey._model.entity import Entity
from sortkey._model.table import GSI, Table
from sortkey._model.template import Key
from sortkey._ops.steps import Request
from sortkey.errors import InvalidInput
from sortkey.expr import attr

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
table = Table("my-table", pk="PK", sk="SK", indexes=[GSI("GSI1", pk="GSI1PK", sk="GSI1SK")])


class User(Entity):
    __table__ = table
    __type__ = "USER"
    __key__ = Key(pk="USER#{id}", sk="USER#{id}")
    __indexes__ = {"GSI1": Key(pk="USER#{id}", sk="USER#{id}#STATUS#{status}")}
    __unique__ = ("email",)
    id: str
    name: str
    status: Literal["active", "inactive"] = "active"
    email: str


def test_create_with_unique_email_is_one_transaction() -> None:
    request = ops.create(User(id="11", name="Loki", email="loki@asgard.com"), now=NOW)
    assert request.operation == "TransactWriteItems"
    assert request.params == {
        "TransactItems": [
            {
                "Put": {
                    "TableName": "my-table",
                    "Item": {
                        "id": {"S": "11"},
                        "name": {"S": "Loki"},
                        "status": {"S": "active"},
                        "email": {"S": "loki@asgard.com"},
                        "PK": {"S": "USER#11"},
                        "SK": {"S": "USER#11"},
                        "GSI1PK": {"S": "USER#11"},
                        "GSI1SK": {"S": "USER#11#STATUS#active"},
                        "_type": {"S": "USER"},
                    },
                    "ConditionExpression": "attribute_not_exists(#n0)",
                    "ExpressionAttributeNames": {"#n0": "PK"},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
            {
                "Put": {
                    "TableName": "my-table",
                    "Item": {
                        "PK": {"S": "_unique#USER#email#loki@asgard.com"},
                        "SK": {"S": "_unique#USER#email#loki@asgard.com"},
                        "_owner": {"S": '["USER#11", "USER#11"]'},
                    },
                    "ConditionExpression": "attribute_not_exists(#n0)",
                    "ExpressionAttributeNames": {"#n0": "PK"},
                }
            },
        ]
    }


def test_update_of_status_rewrites_gsi1sk() -> None:
    request = ops.update(
        User, {"id": "11"}, set={"name": "Ex-Loki", "status": "inactive"}, returning="new", now=NOW
    )
    assert request.operation == "UpdateItem"
    assert request.params == {
        "TableName": "my-table",
        "Key": {"PK": {"S": "USER#11"}, "SK": {"S": "USER#11"}},
        "UpdateExpression": "SET #n0 = :v0, #n1 = :v1, #n2 = :v2",
        "ConditionExpression": "attribute_exists(#n3)",
        "ExpressionAttributeNames": {"#n0": "name", "#n1": "status", "#n2": "GSI1SK", "#n3": "PK"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "Ex-Loki"},
            ":v1": {"S": "inactive"},
            ":v2": {"S": "USER#11#STATUS#inactive"},
        },
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnValues": "ALL_NEW",
    }


def test_query_with_leading_sort_fields_is_begins_with() -> None:
    spec = ops.entity_query(User, "GSI1", {"id": "user-1"})
    assert spec.params() == {
        "TableName": "my-table",
        "KeyConditionExpression": "#n0 = :v0 AND begins_with(#n1, :v1)",
        "ExpressionAttributeNames": {"#n0": "GSI1PK", "#n1": "GSI1SK"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "USER#user-1"},
            ":v1": {"S": "USER#user-1#STATUS#"},
        },  # noqa: E501
        "IndexName": "GSI1",
    }


def test_delete_and_get_golden() -> None:
    assert ops.get(User, {"id": "1"}).params == {
        "TableName": "my-table",
        "Key": {"PK": {"S": "USER#1"}, "SK": {"S": "USER#1"}},
    }
    with pytest.raises(ops.NeedsRead):  # guards need the stored email first
        ops.delete(User, {"id": "1"})
    request = ops.delete(
        User, {"id": "1"}, read={"email": "a@b.c"}, condition=attr("status") == "inactive"
    )
    assert request.operation == "TransactWriteItems"
    items = request.params["TransactItems"]
    assert items[0]["Delete"]["ConditionExpression"] == "#n0 = :v0 AND #n1 = :v1"
    assert items[1]["Delete"]["Key"]["PK"] == {"S": "_unique#USER#email#a@b.c"}


def test_plain_requests() -> None:
    request = ops.put_item(
        "Users", {"PK": "USER#1", "SK": "PROFILE", "Amount": 50}, condition=attr("PK").not_exists()
    )
    assert request.params["ConditionExpression"] == "attribute_not_exists(#n0)"
    update = ops.update_item(
        "Users", {"PK": "USER#1", "SK": "ORDER#1"}, set={"Amount": attr("Amount") + 5}
    )
    assert update.params["UpdateExpression"] == "SET #n0 = #n0 + :v0"


class ScriptedBackend:
    """Answers calls from a script and records them: flows driven offline."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        self.calls.append((operation, dict(params)))
        return self.answers.pop(0)

    def close(self) -> None:
        pass


def test_update_of_unique_field_reads_then_transacts() -> None:
    from sortkey.client import Database

    backend = ScriptedBackend(
        [
            {"Item": {"email": {"S": "old@x.io"}, "PK": {"S": "USER#1"}}},  # GetItem
            {},  # TransactWriteItems
        ]
    )
    Database(backend).update(User, {"id": "1"}, set={"email": "new@x.io"})
    assert [op for op, _ in backend.calls] == ["GetItem", "TransactWriteItems"]
    assert backend.calls[0][1]["ConsistentRead"] is True
    entries = backend.calls[1][1]["TransactItems"]
    assert [next(iter(e)) for e in entries] == ["Update", "Put", "Delete"]
    assert entries[1]["Put"]["Item"]["PK"] == {"S": "_unique#USER#email#new@x.io"}
    assert entries[2]["Delete"]["Key"]["PK"] == {"S": "_unique#USER#email#old@x.io"}


def test_query_pages_until_no_last_key() -> None:
    from sortkey.client import Database

    item = {
        "PK": {"S": "USER#1"},
        "SK": {"S": "USER#1"},
        "id": {"S": "1"},
        "name": {"S": "n"},
        "email": {"S": "e"},
        "_type": {"S": "USER"},
    }
    backend = ScriptedBackend(
        [
            {"Items": [item], "LastEvaluatedKey": {"PK": {"S": "USER#1"}, "SK": {"S": "USER#1"}}},
            {"Items": [item]},
        ]
    )
    found = Database(backend).query(User, id="1").all()
    assert [u.name for u in found] == ["n", "n"]
    assert backend.calls[1][1]["ExclusiveStartKey"] == {
        "PK": {"S": "USER#1"},
        "SK": {"S": "USER#1"},
    }


def test_request_is_a_value() -> None:
    request = ops.get(User, {"id": "1"})
    assert isinstance(request, Request)
    with pytest.raises(InvalidInput):
        ops.get(User, {"uid": "1"})


class Vote(Entity):
    __table__ = table
    __key__ = Key(pk="VOTE#{id}", sk="#")
    id: str


@pytest.mark.parametrize(
    ("build", "allowed"),
    [
        pytest.param(
            lambda r: ops.update(User, {"id": "1"}, set={"name": "x"}, returning=r),
            "none, old, new, updated_old, updated_new",
            id="update",
        ),
        pytest.param(
            lambda r: ops.delete(Vote, {"id": "1"}, returning=r), "none, old", id="delete"
        ),
        pytest.param(
            lambda r: ops.update_item(table, {"PK": "a", "SK": "b"}, set={"x": 1}, returning=r),
            "none, old, new, updated_old, updated_new",
            id="update_item",
        ),
        pytest.param(
            lambda r: ops.delete_item(table, {"PK": "a", "SK": "b"}, returning=r),
            "none, old",
            id="delete_item",
        ),
    ],
)
def test_returning_is_checked_the_same_way_everywhere(build: Any, allowed: str) -> None:
    with pytest.raises(InvalidInput, match=f"returning must be one of {allowed}, got 'all_new'"):
        build("all_new")
    assert "ReturnValues" not in build("none").params
