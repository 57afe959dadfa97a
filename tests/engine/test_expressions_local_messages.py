"""Expression behaviour fixed to match DynamoDB Local (conformance findings), table-driven.

Every expected answer below was observed on DynamoDB Local (2026-05-28 build) with the same
key schema, expression, placeholders and item.
"""

from __future__ import annotations

from typing import Any

import pytest

from sortkey.engine.errors import EngineError
from sortkey.engine.expressions import (
    ExpressionContext,
    parse_condition,
    parse_key_condition,
    parse_update,
)
from sortkey.engine.values import MSG_ITEM_NESTING, MSG_NESTING

# -- key conditions on multi-attribute keys ------------------------------------------------------

SCHEMAS: dict[str, dict[str, Any]] = {
    # A table: one-attribute keys.
    "table": {"hash_key": "pk", "range_key": "sk", "hash_type": "S", "range_type": "N"},
    # Global secondary indexes with multi-attribute keys (table key: pk).
    "h2r2": {
        "hash_key": ["org", "area"],
        "range_key": ["status", "created"],
        "hash_type": ["S", "S"],
        "range_type": ["S", "N"],
        "table_keys": ["pk"],
    },
    "h3r3": {
        "hash_key": ["org", "area", "x"],
        "range_key": ["status", "y", "created"],
        "hash_type": ["S", "S", "S"],
        "range_type": ["S", "S", "N"],
        "table_keys": ["pk"],
    },
    "h1r2": {
        "hash_key": ["org"],
        "range_key": ["status", "created"],
        "hash_type": ["S"],
        "range_type": ["S", "N"],
        "table_keys": ["pk"],
    },
    "h2r0": {
        "hash_key": ["org", "area"],
        "range_key": None,
        "hash_type": ["S", "S"],
        "table_keys": ["pk"],
    },
    "h1r4": {
        "hash_key": ["org"],
        "range_key": ["status", "x", "y", "created"],
        "hash_type": ["S"],
        "range_type": ["S", "S", "S", "N"],
        "table_keys": ["pk"],
    },
}
KEY_VALUES = {
    ":o": {"S": "acme"},
    ":r": {"S": "eu"},
    ":s": {"S": "a"},
    ":c": {"N": "1"},
    ":x": {"S": "x"},
    ":y": {"S": "y"},
}


def _hash(names: str) -> str:
    return f"HASH key attributes {names} must have equality conditions specified in the query"


def _range(names: str, because: str) -> str:
    return (
        f"RANGE key attributes {names} must have equality conditions specified in the query "
        f"because a condition is present on key attribute {because}"
    )


MISSED = "Query condition missed key schema element"
NOT_SUPPORTED = "Query key condition not supported"
TYPE = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
NESTED = "KeyConditionExpressions cannot have conditions on nested attributes"
NO_KEY = "Invalid condition in KeyConditionExpression: No key attribute specified"
MULTIPLE = (
    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
)


def _scalar(label: str) -> str:
    return (
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
        f"allowed: {label}"
    )


KEY_CONDITION_CASES = [
    ("h2r2", "org = :o", _hash("area")),
    ("h2r2", "area = :r AND #s = :s", _hash("org")),
    ("h2r2", "#s = :s AND created = :c", _hash("org, area")),
    ("h2r2", "org > :o AND area = :r", _hash("org")),
    ("h2r2", "org = :o AND begins_with(area, :r)", _hash("area")),
    ("h2r2", "org = :o AND pk = :r", _hash("area")),
    ("h2r2", "org = :c", _hash("area")),
    ("h2r2", "org = :o AND area = :r AND created > :c", _range("status", "created")),
    ("h2r2", "org = :o AND area = :r AND #s > :s AND created = :c", _range("status", "created")),
    (
        "h2r2",
        "org = :o AND area = :r AND #s BETWEEN :s AND :s AND created = :c",
        _range("status", "created"),
    ),
    ("h2r2", "org = :o AND area = :r AND created = :s", _range("status", "created")),
    ("h2r2", "org = :o AND area = :r AND created = :c AND pk = :x", _range("status", "created")),
    ("h2r2", "org = :o AND area = :r AND #s = :s AND created = :c AND pk = :x", NOT_SUPPORTED),
    ("h2r2", "org = :o AND pk = :x AND y = :y AND x = :x AND created = :c", NOT_SUPPORTED),
    ("h2r2", "org = :o AND area = :r AND pk = :x", MISSED),
    ("h2r2", "org = :c AND area = :r AND pk = :x", TYPE),
    ("h2r2", "pk = :x AND org = :c AND area = :r", TYPE),
    ("h2r2", "org = :o AND area = :r AND #s = :c AND created = :c", TYPE),
    (
        "h2r2",
        "org = :o AND org = :o AND area = :r AND #s = :s AND created = :c",
        "KeyConditionExpressions must only contain one condition per key",
    ),
    ("h2r2", "org = :o AND area = :r AND :s = :s", NO_KEY),
    ("h2r2", "org = :o AND area = :r AND #s = created", MULTIPLE),
    ("h2r2", "org = :o AND area = :r AND a.b = :s", NESTED),
    ("h2r2", "org = :c AND area = :r AND a.b = :s", NESTED),
    ("h2r2", "org.b = :s AND area = :r", _scalar("IndexKey: org")),
    ("h2r2", "org[0] = :s AND area = :r", _scalar("IndexKey: org")),
    ("h2r2", "org = :o AND area = :r AND #s.x = :s", _scalar("IndexKey: status")),
    ("h2r2", "pk.x = :o", _scalar("Key: pk")),
    ("h3r3", "org = :o", _hash("area, x")),
    ("h3r3", "org = :o AND area = :r AND x = :x AND created > :c", _range("status, y", "created")),
    ("h3r3", "org = :o AND area = :r AND x = :x AND y > :y", _range("status", "y")),
    (
        "h3r3",
        "org = :o AND area = :r AND x = :x AND #s > :s AND created = :c",
        _range("y", "created"),
    ),
    ("h3r3", "org = :o AND area = :r AND x = :x AND #s > :s AND y > :y", _range("status", "y")),
    (
        "h3r3",
        "org = :o AND area = :r AND x = :x AND #s > :s AND y = :y AND created = :c",
        _range("status", "created"),
    ),
    (
        "h3r3",
        "org = :o AND area = :r AND x = :x AND y = :y AND created = :c",
        _range("status", "y"),
    ),
    ("h1r2", "#s = :s", _hash("org")),
    ("h1r2", "org = :o AND created = :c", _range("status", "created")),
    ("h1r2", "org = :o AND #s = :s AND created = :c AND pk = :x", NOT_SUPPORTED),
    ("h1r2", "org = :o AND pk = :x", MISSED),
    ("h2r0", "org = :o AND area > :r", _hash("area")),
    ("h2r0", "org = :o AND area = :r AND pk = :x", NOT_SUPPORTED),
    ("h1r4", "org = :o AND x = :x AND created = :c", _range("status", "x")),
    ("h1r4", "org = :o AND #s > :s AND y = :y AND created = :c", _range("x", "y")),
    ("h1r4", "org = :o AND #s > :s AND x > :x AND created = :c", _range("y", "created")),
    ("h1r4", "org = :o AND #s = :s AND x > :x AND y > :y", _range("x", "y")),
    # One-attribute keys keep their own family of messages.
    ("table", "pk = :o AND :s = :s", NO_KEY),
    ("table", "pk = :o AND a.b = :s", NESTED),
    ("table", "a.b = :s AND pk = :o AND pk = :o", NESTED),
    ("table", "pk = :o AND sk = :c AND a.b = :s", NESTED),
    ("table", "a.b = :o AND pk.x = :s", _scalar("Key: pk")),
    ("table", "pk = :o AND sk[1] = :c", _scalar("Key: sk")),
    ("table", "pk = :o AND :c = sk.x", _scalar("Key: sk")),
    ("table", "pk = :o AND sk BETWEEN :c AND a.b", MULTIPLE),
    ("table", "pk = :o AND sk = x", MULTIPLE),
    (
        "table",
        "pk = :o AND :c BETWEEN sk AND :c",
        "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
        "attribute as its first operand",
    ),
    ("table", "pk = :o AND sk = :c AND x = :s", "Conditions can be of length 1 or 2 only"),
    ("table", "pk = :o AND x = :c", MISSED),
]


@pytest.mark.parametrize(("schema", "text", "message"), KEY_CONDITION_CASES)
def test_key_condition_messages(schema: str, text: str, message: str) -> None:
    names = {"#s": "status"} if "#s" in text else None
    values = {k: v for k, v in KEY_VALUES.items() if k in text}
    with pytest.raises(EngineError) as info:
        parse_key_condition(text, ExpressionContext(names, values), **SCHEMAS[schema])
    assert (info.value.code, info.value.message) == ("ValidationException", message)


@pytest.mark.parametrize(
    ("schema", "text", "equalities", "op", "values"),
    [
        ("h2r2", ":o = org AND :r = area AND :s < #s", [], ">", [":s"]),
        ("h2r2", "org = :o AND area = :r AND #s = :s AND created >= :c", [":s"], ">=", [":c"]),
        ("h2r2", "org = :o AND area = :r AND begins_with(#s, :s)", [], "begins_with", [":s"]),
        ("h1r4", "org = :o AND #s = :s AND x = :x AND y < :y", [":s", ":x"], "<", [":y"]),
        ("h2r0", "area = :r AND org = :o", [], None, []),
    ],
)
def test_multi_attribute_key_condition_binds(
    schema: str, text: str, equalities: list[str], op: str | None, values: list[str]
) -> None:
    names = {"#s": "status"} if "#s" in text else None
    used = {k: v for k, v in KEY_VALUES.items() if k in text}
    condition = parse_key_condition(text, ExpressionContext(names, used), **SCHEMAS[schema])
    assert (
        condition.hash_values
        == [KEY_VALUES[":o"], KEY_VALUES[":r"]][: len(SCHEMAS[schema]["hash_key"])]
    )
    assert condition.range_equalities == [KEY_VALUES[v] for v in equalities]
    assert condition.range_op == op
    assert condition.range_values == [KEY_VALUES[v] for v in values]


# -- conditions: contains() on binaries, IN operand count ----------------------------------------

ITEM: dict[str, Any] = {
    "pk": {"S": "a"},
    "bin": {"B": b"\x00\x01\x02"},
    "bs": {"BS": [b"\x01", b"\x02\x03"]},
    "s": {"S": "abc"},
    "l": {"L": [{"B": b"\x01"}, {"S": "x"}]},
}

CONTAINS_CASES = [
    ("contains(bin, :p)", {":p": {"B": b"\x01"}}, True),
    ("contains(bin, :p)", {":p": {"B": b"\x01\x02"}}, True),
    ("contains(bin, :p)", {":p": {"B": b""}}, True),
    ("contains(bin, :p)", {":p": {"B": b"\x00\x01\x02"}}, True),
    ("contains(bin, :p)", {":p": {"B": b"\x02\x01"}}, False),
    ("contains(bin, :p)", {":p": {"B": b"\x00\x01\x02\x03"}}, False),
    ("contains(bin, :p)", {":p": {"S": "a"}}, False),
    ("contains(s, :p)", {":p": {"B": b"a"}}, False),
    ("contains(bs, :p)", {":p": {"B": b"\x02"}}, False),  # a set member, not a substring
    ("contains(bs, :p)", {":p": {"B": b"\x02\x03"}}, True),
    ("contains(l, :p)", {":p": {"B": b"\x01"}}, True),
    ("contains(:p, bin)", {":p": {"B": b"\x00\x01\x02\x03"}}, True),
    ("contains(:p, :q)", {":p": {"B": b"\x00\x01\x02\x03"}, ":q": {"B": b"\x01"}}, True),
]


@pytest.mark.parametrize(("text", "values", "expected"), CONTAINS_CASES)
def test_contains(text: str, values: dict[str, Any], expected: bool) -> None:
    condition = parse_condition(text, ExpressionContext(None, values), kind="FilterExpression")
    assert condition.evaluate(ITEM) is expected


@pytest.mark.parametrize(("count", "message"), [(100, None), (101, 101), (150, 150)])
def test_in_operand_count(count: int, message: int | None) -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(count)}
    text = f"n IN ({', '.join(values)})"
    ctx = ExpressionContext(None, values)
    if message is None:
        assert parse_condition(text, ctx, kind="FilterExpression").evaluate({"n": {"N": "7"}})
        return
    with pytest.raises(EngineError) as info:
        parse_condition(text, ctx, kind="FilterExpression")
    assert info.value.message == (
        "Invalid FilterExpression: The IN operator is provided with too many operands; "
        f"number of operands: {message}"
    )


# -- placeholder maps --------------------------------------------------------------------------


def _bad_key(parameter: str, key: str) -> str:
    return f'{parameter} contains invalid key: Syntax error; key: "{key}"'


NAMES = "ExpressionAttributeNames"
VALUES = "ExpressionAttributeValues"
EMPTY_KEY = "contains invalid key: The expression attribute map contains an empty key;"
ONE = {"N": "1"}

PLACEHOLDER_CASES = [
    ({"#": "n"}, {":v": ONE}, _bad_key(NAMES, "#")),
    ({"#a": "n", "a": "x"}, {":v": ONE}, _bad_key(NAMES, "a")),
    ({"#a": "n", "#a-b": "x"}, {":v": ONE}, _bad_key(NAMES, "#a-b")),
    ({"#a": "n", "#a b": "x"}, {":v": ONE}, _bad_key(NAMES, "#a b")),
    ({"#a": "n", "##": "x"}, {":v": ONE}, _bad_key(NAMES, "##")),
    ({"#a": "n", "#ä": "x"}, {":v": ONE}, _bad_key(NAMES, "#ä")),
    ({"#a": "n", "": "x"}, {":v": ONE}, f"{NAMES} {EMPTY_KEY}"),
    ({"#a": "n", "b": "x", "#": "x"}, {":v": ONE}, _bad_key(NAMES, "b")),
    (None, {":": ONE, ":v": ONE}, _bad_key(VALUES, ":")),
    (None, {":v": ONE, "v": ONE}, _bad_key(VALUES, "v")),
    (None, {":v": ONE, ":v-x": ONE}, _bad_key(VALUES, ":v-x")),
    (None, {":v": ONE, "::": ONE}, _bad_key(VALUES, "::")),
    (None, {":v": ONE, "": ONE, ":": ONE}, f"{VALUES} {EMPTY_KEY}"),
    # Keys before values, names before values, values before names' values.
    (None, {":v": ONE, ":x": {"N": "z"}, ":": ONE}, _bad_key(VALUES, ":")),
    ({"#": "n", "#a": "n"}, {":v": ONE, ":": ONE}, _bad_key(NAMES, "#")),
    ({"#a": "n", "#b": ""}, {":v": ONE, ":": ONE}, _bad_key(VALUES, ":")),
    (
        {"#a": "n", "#b": ""},
        {":v": {"N": "z"}},
        f"{VALUES} contains invalid value: A value provided cannot be converted into a number "
        "for key :v",
    ),
    (
        {"#b": "", "#a": "n"},
        {":v": ONE},
        f"{NAMES} contains invalid value: Empty attribute name for key #b",
    ),
]


@pytest.mark.parametrize(("names", "values", "message"), PLACEHOLDER_CASES)
def test_placeholder_maps_refused(
    names: dict[str, str] | None, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(EngineError) as info:
        ExpressionContext(names, values)
    assert (info.value.code, info.value.message) == ("ValidationException", message)


@pytest.mark.parametrize("key", ["#_", "#1", "#aZ_9"])
def test_placeholder_keys_accepted(key: str) -> None:
    ExpressionContext({key: "n"}, {":_": ONE, ":1": ONE})


# -- nesting limits ------------------------------------------------------------------------------


def _maps(levels: int, leaf: dict[str, Any] | None = None) -> dict[str, Any]:
    value: dict[str, Any] = leaf if leaf is not None else {"S": "x"}
    for _ in range(levels):
        value = {"M": {"x": value}}
    return value


def _lists(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"S": "x"}
    for _ in range(levels):
        value = {"L": [value]}
    return value


@pytest.mark.parametrize(
    ("value", "refused"),
    [(_maps(32), False), (_lists(32), False), (_maps(33), True), (_lists(33), True)],
)
def test_expression_value_nesting(value: dict[str, Any], refused: bool) -> None:
    if not refused:
        ExpressionContext(None, {":v": value})
        return
    with pytest.raises(EngineError) as info:
        ExpressionContext(None, {":a": ONE, ":v": value, ":z": {"N": "z"}})
    assert info.value.message == (
        f"ExpressionAttributeValues contains invalid value: {MSG_ITEM_NESTING} for key :v"
    )


@pytest.mark.parametrize(
    ("item", "text", "value", "refused"),
    [
        ({}, "SET d = :v", _maps(31), False),
        ({}, "SET d = :v", _maps(32), True),
        ({}, "SET d = list_append(:v, :w)", _lists(32), True),
        ({}, "SET d = list_append(:v, :w)", _lists(31), False),
        ({"d": _maps(30)}, "SET d.x.x = :v", _maps(29), False),
        ({"d": _maps(30)}, "SET d.x.x = :v", _maps(30), True),
    ],
)
def test_updated_item_nesting(
    item: dict[str, Any], text: str, value: dict[str, Any], refused: bool
) -> None:
    values = {":v": value, ":w": _lists(1)} if ":w" in text else {":v": value}
    update = parse_update(text, ExpressionContext(None, values))
    if not refused:
        update.apply(item)
        return
    with pytest.raises(EngineError) as info:
        update.apply(item)
    assert info.value.message == MSG_NESTING
