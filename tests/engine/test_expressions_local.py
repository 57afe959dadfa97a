"""The expression modules against DynamoDB Local: same outcome, same message.

Each case runs once on DynamoDB Local (a conditional UpdateItem / Query on a real table) and
once on ``sortkey.engine.expressions`` alone, and the two answers must be equal.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from sortkey.backends import BotocoreBackend
from sortkey.engine.errors import EngineError
from sortkey.engine.expressions import (
    ExpressionContext,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
)
from sortkey.engine.values import normalize_item_numbers, validate_item
from sortkey.errors import DynamoDBError

pytestmark = pytest.mark.integration

_names = itertools.count()

ITEM: dict[str, Any] = {
    "pk": {"S": "a"},
    "n": {"N": "5"},
    "s": {"S": "abc"},
    "l": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}]},
    "m": {"M": {"a": {"N": "1"}, "b": {"M": {}}}},
    "ss": {"SS": ["a", "b"]},
}


@pytest.fixture(scope="module")
def tables(local_backend: BotocoreBackend) -> Iterator[dict[str, str]]:
    names = {"hash": f"exprA{next(_names)}", "range": f"exprB{next(_names)}"}
    local_backend.call(
        "CreateTable",
        {
            "TableName": names["hash"],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    local_backend.call(
        "CreateTable",
        {
            "TableName": names["range"],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    yield names
    for name in names.values():
        local_backend.call("DeleteTable", {"TableName": name})


def _placeholders(text: str, pool: dict[str, Any]) -> dict[str, Any] | None:
    words = set(text.replace("(", " ").replace(")", " ").replace(",", " ").split())
    return {k: v for k, v in pool.items() if k in words} or None


def local_answer(backend: BotocoreBackend, operation: str, params: dict[str, Any]) -> Any:
    try:
        response = backend.call(operation, params)
    except DynamoDBError as exc:
        return (exc.code, exc.message)
    return response


def _engine(call: Any) -> Any:
    try:
        return call()
    except EngineError as exc:
        return (exc.code, exc.message)


CONDITION_VALUES = {":v": {"N": "1"}, ":w": {"S": "a"}, ":l": {"L": []}, ":t": {"S": "N"}}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("n = :v AND AND s = :w", id="syntax-double-and"),
        pytest.param("n = :v)", id="syntax-paren"),
        pytest.param(" n   =   :v  foo", id="syntax-near-keeps-spaces"),
        pytest.param("a[00] = :v", id="syntax-index"),
        pytest.param("status = :v", id="reserved"),
        pytest.param("n = :nope", id="undefined-value"),
        pytest.param("#nope = :v", id="undefined-name"),
        pytest.param("size(n)", id="size-as-condition"),
        pytest.param("foo(n)", id="unknown-function"),
        pytest.param("attribute_exists(n, s)", id="arity"),
        pytest.param("((n = :v)) AND s = :w", id="redundant-parens"),
        pytest.param("n = n", id="distinct-operands"),
        pytest.param("l < :l", id="ordered-list-value"),
        pytest.param("n BETWEEN :v AND :w", id="between-types"),
        pytest.param("attribute_type(n, :w)", id="attribute-type-name"),
        pytest.param("begins_with(s, :v)", id="begins-with-number"),
        pytest.param("n = :v OR s = :w AND NOT n = :v", id="precedence-false"),
        pytest.param("x <> :v AND attribute_type(n, :t)", id="ne-missing-true"),
        pytest.param("n IN (:v)", id="unused-values"),
    ],
)
def test_condition_expression(
    local_backend: BotocoreBackend, tables: dict[str, str], text: str
) -> None:
    values = _placeholders(text, CONDITION_VALUES)
    if text == "n IN (:v)":
        values = {":v": {"N": "1"}, ":w": {"S": "a"}, ":x": {"S": "a"}}
    params: dict[str, Any] = {
        "TableName": tables["hash"],
        "Item": ITEM,
        "ConditionExpression": text,
    }
    if values:
        params["ExpressionAttributeValues"] = values
    local_backend.call("PutItem", {"TableName": tables["hash"], "Item": ITEM})
    local = local_answer(local_backend, "PutItem", params)
    if local == {}:
        local = True
    elif local[0] == "ConditionalCheckFailedException":
        local = False

    def engine() -> Any:
        ctx = ExpressionContext(None, values)
        condition = parse_condition(text, ctx, kind="ConditionExpression")
        ctx.check_all_used()
        return condition.evaluate(ITEM)

    assert _engine(engine) == local


UPDATE_VALUES = {
    ":n": {"N": "1"},
    ":s": {"S": "a"},
    ":l": {"L": [{"S": "z"}]},
    ":ss": {"SS": ["a", "c"]},
    ":ns": {"NS": ["2"]},
    ":m": {"M": {}},
    ":half": {"N": "0.50"},
}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SET n = n + :half", id="arithmetic-keeps-scale"),
        pytest.param("SET s = s + :n", id="arithmetic-type"),
        pytest.param("SET x = x + :n", id="missing-operand"),
        pytest.param("SET l[10] = :s", id="index-past-end-appends"),
        pytest.param("REMOVE l[0], l[1]", id="remove-shifts"),
        pytest.param("REMOVE l[1] SET l[2] = :s", id="set-before-remove"),
        pytest.param("SET x.y = :n", id="invalid-path"),
        pytest.param("SET m.a = :n REMOVE m", id="overlap"),
        pytest.param("SET l[0] = :n, l.x = :n", id="conflict"),
        pytest.param("ADD ss :ss, n :n", id="add"),
        pytest.param("ADD s :s", id="add-type"),
        pytest.param("DELETE ss :ss", id="delete"),
        pytest.param("ADD ss :ns", id="add-set-type"),
        pytest.param("SET n = :n SET s = :s", id="clause-twice"),
        pytest.param("SET n = :n + :n + :n", id="chained-arithmetic"),
        pytest.param("SET n = size(s)", id="size-in-update"),
        pytest.param("SET l = list_append(:l, l)", id="list-append"),
        pytest.param("SET n = s, s = n", id="swap"),
    ],
)
def test_update_expression(
    local_backend: BotocoreBackend, tables: dict[str, str], text: str
) -> None:
    values = _placeholders(text, UPDATE_VALUES)
    local_backend.call("PutItem", {"TableName": tables["hash"], "Item": ITEM})
    params: dict[str, Any] = {
        "TableName": tables["hash"],
        "Key": {"pk": ITEM["pk"]},
        "UpdateExpression": text,
        "ReturnValues": "ALL_NEW",
    }
    if values:
        params["ExpressionAttributeValues"] = values
    local = local_answer(local_backend, "UpdateItem", params)
    if isinstance(local, dict):
        local = local["Attributes"]

    def engine() -> Any:
        ctx = ExpressionContext(None, values)
        update = parse_update(text, ctx)
        ctx.check_all_used()
        return update.apply(normalize_item_numbers(ITEM))

    assert _engine(engine) == local


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("l[2], m.a", id="nested"),
        pytest.param("l[1], l[0]", id="index-order"),
        pytest.param("m.a, m", id="overlap"),
        pytest.param("l[9], x, n.x", id="missing"),
        pytest.param("n,", id="syntax"),
    ],
)
def test_projection_expression(
    local_backend: BotocoreBackend, tables: dict[str, str], text: str
) -> None:
    local_backend.call("PutItem", {"TableName": tables["hash"], "Item": ITEM})
    local = local_answer(
        local_backend,
        "GetItem",
        {"TableName": tables["hash"], "Key": {"pk": ITEM["pk"]}, "ProjectionExpression": text},
    )
    if isinstance(local, dict):
        local = local.get("Item", {})
    assert _engine(lambda: parse_projection(text, ExpressionContext(None, None)).apply(ITEM)) == (
        local
    )


KEY_VALUES = {":a": {"S": "x"}, ":b": {"N": "1"}, ":c": {"N": "2"}}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("pk = :a AND sk > :b", id="ok"),
        pytest.param(":b < sk AND pk = :a", id="flipped"),
        pytest.param("sk = :b", id="missing-hash"),
        pytest.param("pk < :a", id="hash-operator"),
        pytest.param("pk = :a OR sk = :b", id="or"),
        pytest.param("pk = :a AND sk <> :b", id="ne"),
        pytest.param("pk = :a AND size(sk) = :b", id="nested"),
        pytest.param("pk = :a AND sk > :b AND sk < :c", id="twice"),
        pytest.param("pk = :a AND sk > :b AND x = :c", id="three"),
        pytest.param("pk = :b", id="type"),
        pytest.param("pk = :a AND begins_with(sk, :b)", id="begins-with-number"),
    ],
)
def test_key_condition_expression(
    local_backend: BotocoreBackend, tables: dict[str, str], text: str
) -> None:
    values = _placeholders(text, KEY_VALUES)
    local = local_answer(
        local_backend,
        "Query",
        {
            "TableName": tables["range"],
            "KeyConditionExpression": text,
            "ExpressionAttributeValues": values,
        },
    )
    if isinstance(local, dict):
        local = "accepted"

    def engine() -> Any:
        ctx = ExpressionContext(None, values)
        parse_key_condition(text, ctx, hash_key="pk", range_key="sk", hash_type="S", range_type="N")
        ctx.check_all_used()
        return "accepted"

    assert _engine(engine) == local


@pytest.mark.parametrize(
    "number",
    ["1E+2", "-0", "1.50", "0.00", "1e-130", "1e-131", "1E+126", "1" * 39, " 5", "-.5", "1e+5"],
)
def test_number_normalisation(
    local_backend: BotocoreBackend, tables: dict[str, str], number: str
) -> None:
    item = {"pk": {"S": "num"}, "n": {"N": number}}
    local = local_answer(local_backend, "PutItem", {"TableName": tables["hash"], "Item": item})
    if local == {}:
        stored = local_backend.call(
            "GetItem", {"TableName": tables["hash"], "Key": {"pk": {"S": "num"}}}
        )
        local = stored["Item"]

    def engine() -> Any:
        validate_item(item)
        return normalize_item_numbers(item)

    assert _engine(engine) == local
