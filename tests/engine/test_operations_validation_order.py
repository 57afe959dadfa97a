"""Which error wins when several apply: index key values, transactions, key paths.

Every expectation here was measured against DynamoDB Local (2026-05-28).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sortkey.engine import Engine, EngineError

INVALID_TYPE = "Invalid attribute value type"
MISMATCH = "One or more parameter values were invalid: Type mismatch for Index Key"
MULTIPLE = "Transaction request cannot include multiple operations on one item"
KEY_PATH = (
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
)


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(ttl_sweep_interval=None) as e:
        _create(e)
        yield e


def _create(engine: Engine) -> None:
    def index(name: str, hash_key: str, range_key: str | None = None) -> dict[str, Any]:
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        return {"IndexName": name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}

    types = {"pk": "S", "sk": "S", "lsk": "S", "gpk": "S", "gsk": "N", "hh": "S"}
    engine.call(
        "CreateTable",
        {
            "TableName": "idx",
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": t} for n, t in types.items()
            ],
            "LocalSecondaryIndexes": [index("lsi_all", "pk", "lsk")],
            "GlobalSecondaryIndexes": [index("gsi_all", "gpk", "gsk"), index("zz_g", "hh")],
        },
    )
    engine.call(
        "CreateTable",
        {
            "TableName": "plain",
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        },
    )
    engine.call("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}})


def _error(engine: Engine, op: str, params: dict[str, Any]) -> EngineError:
    with pytest.raises(EngineError) as info:
        engine.call(op, params)
    return info.value


def _item(**attributes: dict[str, Any]) -> dict[str, Any]:
    return {"pk": {"S": "a"}, "sk": {"S": "b"}, **attributes}


def _update(expression: str, values: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "TableName": "idx",
        "Key": {"pk": {"S": "n"}, "sk": {"S": "n"}},
        "UpdateExpression": expression,
        **extra,
    }
    if values:
        spec["ExpressionAttributeValues"] = values
    return spec


FAILING_CHECK = {
    "ConditionCheck": {
        "TableName": "plain",
        "Key": {"pk": {"S": "missing"}},
        "ConditionExpression": "attribute_exists(pk)",
    }
}
SET_IN_INDEX_KEY = {"Put": {"TableName": "idx", "Item": _item(gpk={"SS": ["p"]})}}


# ---------------------------------------------------------------- index key value types


@pytest.mark.parametrize(
    "value", [{"SS": ["x"]}, {"NS": ["1"]}, {"L": []}, {"M": {}}, {"BOOL": True}, {"NULL": True}]
)
def test_a_non_scalar_index_key_is_an_invalid_attribute_value_type(
    engine: Engine, value: dict[str, Any]
) -> None:
    put = {"TableName": "idx", "Item": _item(gpk=value)}
    assert _error(engine, "PutItem", put).message == INVALID_TYPE
    batch = {"RequestItems": {"idx": [{"PutRequest": {"Item": put["Item"]}}]}}
    assert _error(engine, "BatchWriteItem", batch).message == INVALID_TYPE
    update = _update("SET gpk = :v", {":v": value})
    assert _error(engine, "UpdateItem", update).message == INVALID_TYPE


def test_a_wrong_scalar_index_key_type_keeps_its_message(engine: Engine) -> None:
    put = {"TableName": "idx", "Item": _item(gsk={"S": "5"})}
    assert _error(engine, "PutItem", put).message == MISMATCH


@pytest.mark.parametrize(
    ("attributes", "put_message", "update_message"),
    [
        # A put checks local indexes first, an update global ones (each in Java hash order).
        ({"lsk": {"BOOL": True}, "hh": {"N": "1"}}, INVALID_TYPE, MISMATCH),
        ({"hh": {"BOOL": True}, "lsk": {"N": "1"}}, MISMATCH, INVALID_TYPE),
        ({"hh": {"BOOL": True}, "gsk": {"S": "1"}}, INVALID_TYPE, INVALID_TYPE),
        ({"gsk": {"BOOL": True}, "hh": {"N": "1"}}, MISMATCH, MISMATCH),
    ],
)
def test_the_first_index_checked_decides_the_message(
    engine: Engine, attributes: dict[str, Any], put_message: str, update_message: str
) -> None:
    put = {"TableName": "idx", "Item": _item(**attributes)}
    assert _error(engine, "PutItem", put).message == put_message
    names = list(attributes)
    update = _update(
        f"SET {names[0]} = :a, {names[1]} = :b",
        {":a": attributes[names[0]], ":b": attributes[names[1]]},
    )
    assert _error(engine, "UpdateItem", update).message == update_message


# ---------------------------------------------------------------- transactions


def _transact(engine: Engine, *entries: dict[str, Any]) -> EngineError:
    return _error(engine, "TransactWriteItems", {"TransactItems": list(entries)})


def test_transaction_refuses_a_set_in_an_index_key_before_any_condition(engine: Engine) -> None:
    for entries in ((SET_IN_INDEX_KEY, FAILING_CHECK), (FAILING_CHECK, SET_IN_INDEX_KEY)):
        err = _transact(engine, *entries)
        assert (err.code, err.message) == ("ValidationException", INVALID_TYPE)
    # ... and before a second operation on the same item is noticed.
    same_item = {"Put": {"TableName": "idx", "Item": _item()}}
    assert _transact(engine, same_item, SET_IN_INDEX_KEY).message == INVALID_TYPE


def test_transaction_tables_and_item_values_are_checked_in_phases(engine: Engine) -> None:
    nope = {"Put": {"TableName": "nope", "Item": {"pk": {"S": "x"}}}}
    empty_set = {"Put": {"TableName": "plain", "Item": {"pk": {"S": "x"}, "s": {"SS": []}}}}
    # Values and expressions of every request come before any table.
    assert _transact(engine, nope, empty_set).message.endswith("may not be empty")
    # Tables and index key values are then checked in request order.
    assert _transact(engine, nope, SET_IN_INDEX_KEY).code == "ResourceNotFoundException"
    assert _transact(engine, SET_IN_INDEX_KEY, nope).message == INVALID_TYPE


def test_transaction_wrong_scalar_index_key_is_a_reason_before_the_condition(
    engine: Engine,
) -> None:
    put = {
        "Put": {
            "TableName": "idx",
            "Item": _item(gsk={"S": "x"}),
            "ConditionExpression": "attribute_exists(pk)",
        }
    }
    err = _transact(engine, put, FAILING_CHECK)
    assert err.code == "TransactionCanceledException"
    assert [r["Code"] for r in err.cancellation_reasons or []] == [
        "ValidationError",
        "ConditionalCheckFailed",
    ]
    assert (err.cancellation_reasons or [])[0]["Message"] == MISMATCH


def test_transaction_second_put_of_an_item_reports_its_index_key_type_first(
    engine: Engine,
) -> None:
    # Found by the conformance state machine against DynamoDB Local: a delete, then a put of
    # the same item whose condition passes but whose index key has the wrong scalar type, is
    # cancelled with the put's ValidationError, not refused as "multiple operations".
    delete = {"Delete": {"TableName": "idx", "Key": _item()}}
    put = {
        "Put": {
            "TableName": "idx",
            "Item": _item(gsk={"S": "x"}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    err = _transact(engine, delete, FAILING_CHECK, put)
    assert err.code == "TransactionCanceledException"
    assert [r["Code"] for r in err.cancellation_reasons or []] == [
        "None",
        "ConditionalCheckFailed",
        "ValidationError",
    ]
    assert (err.cancellation_reasons or [])[2]["Message"] == MISMATCH
    # With a right index key type, the same pair is still a second operation on the item.
    good_put = {"Put": {**put["Put"], "Item": _item(gsk={"N": "1"})}}
    assert _transact(engine, delete, good_put).message == (
        "Transaction request cannot include multiple operations on one item"
    )


def test_transaction_update_of_a_key_attribute_cancels_with_that_reason_alone(
    engine: Engine,
) -> None:
    key_update = {"Update": _update("SET sk = :k", {":k": {"S": "k"}})}
    bad_key = {"Delete": {"TableName": "plain", "Key": {"pk": {"N": "1"}}}}
    nope = {"Put": {"TableName": "nope", "Item": {"pk": {"S": "x"}}}}
    for entries in ((FAILING_CHECK, key_update), (bad_key, key_update), (key_update, nope)):
        err = _transact(engine, *entries)
        assert err.code == "TransactionCanceledException"
        assert err.cancellation_reasons == [
            {
                "Code": "ValidationError",
                "Message": "One or more parameter values were invalid: Cannot update "
                "attribute sk. This attribute is part of the key",
            }
        ]


def test_transaction_update_results_refuse_the_whole_request(engine: Engine) -> None:
    big = {":big": {"S": "x" * 410_000}}
    assert _transact(engine, FAILING_CHECK, {"Update": _update("SET z = :big", big)}).message == (
        "Item size to update has exceeded the maximum allowed size"
    )
    empty = {"Update": _update("SET gpk = :v", {":v": {"S": ""}})}
    err = _transact(engine, empty, FAILING_CHECK)
    assert err.code == "ValidationException"
    assert "cannot contain an empty string value" in err.message
    added_set = {"Update": _update("ADD gpk :v", {":v": {"SS": ["p"]}})}
    assert _transact(engine, FAILING_CHECK, added_set).message == INVALID_TYPE
    # Its own failed condition comes first.
    guarded = {
        "Update": _update(
            "SET gpk = :v", {":v": {"SS": ["p"]}}, ConditionExpression="attribute_exists(pk)"
        )
    }
    assert _transact(engine, guarded).code == "TransactionCanceledException"


def test_transaction_update_errors_beat_later_requests(engine: Engine) -> None:
    failing = {
        "Update": {
            "TableName": "plain",
            "Key": {"pk": {"S": "n"}},
            "UpdateExpression": "SET z = zz + :k",
            "ExpressionAttributeValues": {":k": {"N": "1"}},
        }
    }
    nope = {"Put": {"TableName": "nope", "Item": {"pk": {"S": "x"}}}}
    err = _transact(engine, failing, nope)
    assert (
        err.message
        == "The provided expression refers to an attribute that does not exist in the item"
    )


def _plain(kind: str, **extra: Any) -> dict[str, Any]:
    if kind == "Put":
        return {"Put": {"TableName": "plain", "Item": {"pk": {"S": "a"}}, **extra}}
    return {kind: {"TableName": "plain", "Key": {"pk": {"S": "a"}}, **extra}}


def test_second_operation_on_an_item_sees_the_first_and_is_refused_only_if_it_passes(
    engine: Engine,
) -> None:
    exists = {"ConditionExpression": "attribute_exists(pk)"}
    not_exists = {"ConditionExpression": "attribute_not_exists(pk)"}
    # The put's condition sees the item as the delete before it left it (gone).
    err = _transact(engine, _plain("Delete"), _plain("Put", **exists))
    assert [r["Code"] for r in err.cancellation_reasons or []] == [
        "None",
        "ConditionalCheckFailed",
    ]
    assert _transact(engine, _plain("Delete"), _plain("Put", **not_exists)).message == MULTIPLE
    # A first operation whose condition failed does not count.
    err = _transact(engine, _plain("Delete", **not_exists), _plain("Put"))
    assert [r["Code"] for r in err.cancellation_reasons or []] == [
        "ConditionalCheckFailed",
        "None",
    ]
    assert _transact(engine, _plain("Delete"), _plain("Put"), FAILING_CHECK).message == MULTIPLE
    assert engine.call("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}})["Item"]


# ---------------------------------------------------------------- paths into key attributes


def test_paths_into_key_attributes_are_refused(engine: Engine) -> None:
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    engine.call("PutItem", {"TableName": "idx", "Item": {**key, "gsk": {"N": "1"}}})
    one = {":v": {"N": "1"}}
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("UpdateItem", {"Key": key, "UpdateExpression": "SET gsk[1] = :v"}, "IndexKey: gsk"),
        ("UpdateItem", {"Key": key, "UpdateExpression": "REMOVE gpk.x"}, "IndexKey: gpk"),
        (
            "UpdateItem",
            {
                "Key": key,
                "UpdateExpression": "SET q = :v",
                "ConditionExpression": "attribute_exists(gsk[0])",  # refused, not evaluated
            },
            "IndexKey: gsk",
        ),
        (
            "UpdateItem",
            {"Key": key, "UpdateExpression": "REMOVE q", "ConditionExpression": "size(sk.x) > :v"},
            "Key: sk",
        ),
        (
            "PutItem",
            {"Item": key, "ConditionExpression": "attribute_not_exists(hh[0])"},
            "IndexKey: hh",
        ),
        (
            "DeleteItem",
            {"Key": key, "ConditionExpression": "attribute_not_exists(pk.a)"},
            "Key: pk",
        ),
        ("Scan", {"FilterExpression": "attribute_not_exists(lsk.a)"}, "IndexKey: lsk"),
    ]
    for op, params, suffix in cases:
        request = {"TableName": "idx", **params}
        text = f"{params.get('UpdateExpression', '')} {params.get('ConditionExpression', '')}"
        if ":v" in text:
            request["ExpressionAttributeValues"] = one
        assert _error(engine, op, request).message == KEY_PATH + suffix, (op, params)


def test_updating_a_key_attribute_beats_path_and_operand_errors(engine: Engine) -> None:
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    for expression in ("SET sk.x = :v", "SET sk = :v, gsk[0] = :v", "SET sk = :v, q = zz + :v"):
        err = _error(
            engine,
            "UpdateItem",
            {
                "TableName": "idx",
                "Key": key,
                "UpdateExpression": expression,
                "ExpressionAttributeValues": {":v": {"N": "1"}},
            },
        )
        assert err.message.endswith("Cannot update attribute sk. This attribute is part of the key")


def test_a_failed_condition_beats_an_update_path_into_an_index_key(engine: Engine) -> None:
    request = _update(
        "SET gsk[1] = :v", {":v": {"N": "1"}}, ConditionExpression="attribute_exists(zz)"
    )
    assert _error(engine, "UpdateItem", request).code == "ConditionalCheckFailedException"


# ---------------------------------------------------------------- paging


@pytest.mark.parametrize(
    ("condition", "forward", "values", "last_key"),
    [
        ("sk <= :a", True, {":a": {"S": "b"}}, False),
        ("sk >= :a", False, {":a": {"S": "b"}}, False),
        ("sk BETWEEN :a AND :b", True, {":a": {"S": "a"}, ":b": {"S": "b"}}, False),
        ("sk BETWEEN :a AND :b", False, {":a": {"S": "b"}, ":b": {"S": "c"}}, False),
        ("sk >= :a", True, {":a": {"S": "c"}}, True),
        ("sk <= :a", False, {":a": {"S": "b"}}, True),
        ("sk = :a", True, {":a": {"S": "b"}}, True),
        ("sk < :a", True, {":a": {"S": "c"}}, True),
    ],
)
def test_full_query_page_ending_on_its_inclusive_bound_has_no_last_key(
    engine: Engine, condition: str, forward: bool, values: dict[str, Any], last_key: bool
) -> None:
    for sk in ("a", "b", "c"):
        engine.call("PutItem", {"TableName": "idx", "Item": {"pk": {"S": "q"}, "sk": {"S": sk}}})
    out = engine.call(
        "Query",
        {
            "TableName": "idx",
            "KeyConditionExpression": f"pk = :p AND {condition}",
            "ExpressionAttributeValues": {":p": {"S": "q"}, **values},
            "ScanIndexForward": forward,
            "Limit": 1 if condition in ("sk = :a", "sk >= :a") and forward else 2,
        },
    )
    assert ("LastEvaluatedKey" in out) is last_key, out


# ---------------------------------------------------------------- sizes kept by updates


def test_updates_keep_the_stored_size_equal_to_the_item_size(engine: Engine) -> None:
    from sortkey.engine import values

    key = {"pk": {"S": "s"}, "sk": {"S": "s"}}
    for table, item_key in (("plain", {"pk": {"S": "s"}}), ("idx", key)):
        engine.call(
            "PutItem",
            {"TableName": table, "Item": {**item_key, "n": {"N": "1.50"}, "m": {"M": {}}}},
        )
    steps = [
        ("SET n = n + :one, s = :text", {":one": {"N": "1"}, ":text": {"S": "héllo"}}),
        ("SET m.deep = :text REMOVE n", {":text": {"S": "x" * 100}}),
        ("ADD tags :tags", {":tags": {"SS": ["a", "bb"]}}),
        ("DELETE tags :tags SET l = :l", {":tags": {"SS": ["a"]}, ":l": {"L": [{"N": "-1"}]}}),
    ]
    for table, item_key in (("plain", {"pk": {"S": "s"}}), ("idx", key)):
        for expression, vals in steps:
            engine.call(
                "UpdateItem",
                {
                    "TableName": table,
                    "Key": item_key,
                    "UpdateExpression": expression,
                    "ExpressionAttributeValues": vals,
                },
            )
            catalog = engine._catalog
            schema = catalog.table(table)
            found = catalog.get(schema, schema.storage_key(item_key))
            assert found is not None
            stored, size = found
            assert size == values.item_size(stored), expression


def test_update_size_limit_counts_the_whole_item(engine: Engine) -> None:
    big = {":big": {"S": "x" * 399_000}}
    key = {"pk": {"S": "big"}}
    update = {"TableName": "plain", "Key": key, "ExpressionAttributeValues": big}
    engine.call("UpdateItem", {**update, "UpdateExpression": "SET a = :big"})
    err = _error(engine, "UpdateItem", {**update, "UpdateExpression": "SET b = :big"})
    assert err.message == "Item size to update has exceeded the maximum allowed size"
    engine.call(
        "UpdateItem",
        {**update, "UpdateExpression": "SET b = :big REMOVE a"},
    )


@pytest.mark.parametrize(
    ("index", "condition", "suffix"),
    [
        ("gsi_all", "gpk = :v AND gsk.x = :n", "IndexKey: gsk"),
        ("gsi_all", "gpk.x = :v", "IndexKey: gpk"),
        ("gsi_all", "gpk = :v AND pk.x = :v", "Key: pk"),
        ("lsi_all", "pk = :v AND lsk.x = :v", "IndexKey: lsk"),
        ("lsi_all", "pk.x = :v", "Key: pk"),
    ],
)
def test_index_query_names_table_and_index_keys_in_path_errors(
    engine: Engine, index: str, condition: str, suffix: str
) -> None:
    vals: dict[str, Any] = {":v": {"S": "a"}}
    if ":n" in condition:
        vals[":n"] = {"N": "1"}
    request = {
        "TableName": "idx",
        "IndexName": index,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": vals,
    }
    assert _error(engine, "Query", request).message == KEY_PATH + suffix


@pytest.mark.parametrize(("value", "kind"), [({"S": ""}, "string"), ({"B": b""}, "binary")])
def test_an_update_to_an_empty_index_key_beats_the_type_mismatch(
    engine: Engine, value: dict[str, Any], kind: str
) -> None:
    # Checked against DynamoDB Local: gsk is declared N; an empty S or B set by an update is
    # refused for being empty (naming the value's type), in UpdateItem and in a transaction.
    expected = (
        "One or more parameter values are not valid. The update expression attempted to update "
        "a secondary index key to a value that is not supported. The AttributeValue for a key "
        f"attribute cannot contain an empty {kind} value."
    )
    update = _update("SET gsk = :v", {":v": value})
    err = _error(engine, "UpdateItem", update)
    assert (err.code, err.message) == ("ValidationException", expected)
    err = _transact(engine, {"Update": update})
    assert (err.code, err.message) == ("ValidationException", expected)
    # A non-empty value of the wrong type is still the type mismatch.
    err = _error(engine, "UpdateItem", _update("SET gsk = :v", {":v": {"S": "x"}}))
    assert err.message == MISMATCH


def test_unconditional_second_operation_is_refused_before_later_requests(engine: Engine) -> None:
    # Checked against DynamoDB Local: two unconditional operations on one item are refused in
    # request order, before a later request's unknown table or bad index key value ...
    nope = {"Put": {"TableName": "nope", "Item": {"pk": {"S": "x"}}}}
    bad_index_key = {"Put": {"TableName": "idx", "Item": _item(sk={"S": "other"}, gpk={"L": []})}}
    for later in (nope, bad_index_key):
        err = _transact(engine, _plain("Delete"), _plain("Delete"), later)
        assert (err.code, err.message) == ("ValidationException", MULTIPLE)
    # ... but after an earlier one's, and not when a condition is involved.
    assert _transact(engine, _plain("Delete"), nope, _plain("Delete")).code == (
        "ResourceNotFoundException"
    )
    assert _transact(engine, _plain("Delete"), bad_index_key, _plain("Delete")).message == (
        INVALID_TYPE
    )
    failing = _plain("Delete", ConditionExpression="attribute_not_exists(pk)")
    assert _transact(engine, _plain("Delete"), failing, bad_index_key).message == INVALID_TYPE
