"""Every condition and update operator of sortkey.expr, sent to a real engine.

Each case is compiled by :func:`sortkey.expr.compile_request` and sent through the ``backend``
fixture (DynamoDB Local, and the embedded engine once it exists); its effect on the stored item
is read back. A last group sends the raw expressions that the builders refuse, to check that
DynamoDB refuses them too (so the client-side refusals are not stricter than the service).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from sortkey.backends import Backend
from sortkey.codec import deserialize_item, serialize, serialize_item
from sortkey.errors import ConditionFailed, ExpressionError, ValidationError
from sortkey.expr import (
    Condition,
    Update,
    attr,
    compile_request,
    if_not_exists,
    list_append,
    projection,
    size,
)

pytestmark = pytest.mark.integration

ITEM: dict[str, Any] = {
    "pk": "item",
    "sk": "0",
    "n": 5,
    "same": 5,
    "lo": 1,
    "hi": 9,
    "s": "hello",
    "tags": {"a", "b"},
    "nums": {1, 2},
    "l": [1, "two", [3]],
    "m": {"x": 1, "y.z": 2, "deep": {"k": "v"}},
    "bin": b"\x01\x02",
    "t": True,
    "nul": None,
    "select": "reserved",
    "a.b": "dotted name",
}
KEY = {"pk": {"S": "item"}, "sk": {"S": "0"}}


def get(backend: Backend, table: str, key: dict[str, Any] = KEY) -> dict[str, Any] | None:
    response = backend.call("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
    return deserialize_item(response["Item"]) if "Item" in response else None


def put(backend: Backend, table: str, item: dict[str, Any]) -> None:
    backend.call("PutItem", {"TableName": table, "Item": serialize_item(item)})


# --------------------------------------------------------------------------- conditions

CONDITIONS: list[Any] = [
    pytest.param(lambda: attr("n") == 5, True, id="eq"),
    pytest.param(lambda: attr("n") == 6, False, id="eq-fails"),
    pytest.param(lambda: attr("n") != 6, True, id="ne"),
    pytest.param(lambda: attr("n") != 5, False, id="ne-fails"),
    pytest.param(lambda: attr("n") < 6, True, id="lt"),
    pytest.param(lambda: attr("n") < 5, False, id="lt-fails"),
    pytest.param(lambda: attr("n") <= 5, True, id="le"),
    pytest.param(lambda: attr("n") <= 4, False, id="le-fails"),
    pytest.param(lambda: attr("n") > 4, True, id="gt"),
    pytest.param(lambda: attr("n") > 5, False, id="gt-fails"),
    pytest.param(lambda: attr("n") >= 5, True, id="ge"),
    pytest.param(lambda: attr("n") >= 6, False, id="ge-fails"),
    pytest.param(lambda: 4 < attr("n"), True, id="value-on-the-left"),
    pytest.param(lambda: attr("s") > "hell", True, id="string-order"),
    pytest.param(lambda: attr("bin") < b"\x02", True, id="binary-order"),
    pytest.param(lambda: attr("n") == attr("same"), True, id="path-eq-path"),
    pytest.param(lambda: attr("n") > attr("hi"), False, id="path-gt-path-fails"),
    pytest.param(lambda: attr("m.x") == attr("lo"), True, id="nested-path-eq-path"),
    pytest.param(lambda: attr("n").between(1, 5), True, id="between-inclusive"),
    pytest.param(lambda: attr("n").between(6, 9), False, id="between-fails"),
    pytest.param(lambda: attr("n").between(attr("lo"), attr("hi")), True, id="between-paths"),
    pytest.param(lambda: attr("s").is_in("x", "hello"), True, id="in"),
    pytest.param(lambda: attr("s").is_in("x", "y"), False, id="in-fails"),
    pytest.param(lambda: attr("n").is_in(*range(100)), True, id="in-100-values"),
    pytest.param(lambda: attr("s").begins_with("he"), True, id="begins-with"),
    pytest.param(lambda: attr("s").begins_with("lo"), False, id="begins-with-fails"),
    pytest.param(lambda: attr("bin").begins_with(b"\x01"), True, id="begins-with-bytes"),
    pytest.param(lambda: attr("s").contains("ell"), True, id="contains-substring"),
    pytest.param(lambda: attr("tags").contains("a"), True, id="contains-set-element"),
    pytest.param(lambda: attr("tags").contains("z"), False, id="contains-fails"),
    pytest.param(lambda: attr("nums").contains(2), True, id="contains-number-set"),
    pytest.param(lambda: attr("l").contains("two"), True, id="contains-list-element"),
    pytest.param(lambda: attr("m.x").exists(), True, id="exists-nested"),
    pytest.param(lambda: attr("m.q").exists(), False, id="exists-fails"),
    pytest.param(lambda: attr("l[2][0]").exists(), True, id="exists-list-in-list"),
    pytest.param(lambda: attr("l[5]").exists(), False, id="exists-index-past-end"),
    pytest.param(lambda: attr("l[2147483647]").exists(), False, id="largest-list-index"),
    pytest.param(lambda: attr(["m", *["x"] * 31]).not_exists(), True, id="deepest-path"),
    pytest.param(lambda: attr(["m", "y.z"]).exists(), True, id="exists-dotted-map-key"),
    pytest.param(lambda: attr("m.y.z").exists(), False, id="dotted-text-is-two-levels"),
    pytest.param(lambda: attr.name("a.b").exists(), True, id="exists-dotted-top-level"),
    pytest.param(lambda: attr("missing").not_exists(), True, id="not-exists"),
    pytest.param(lambda: attr("n").not_exists(), False, id="not-exists-fails"),
    pytest.param(lambda: attr("n").is_type("N"), True, id="type-N"),
    pytest.param(lambda: attr("n").is_type("S"), False, id="type-fails"),
    pytest.param(lambda: attr("s").is_type(str), True, id="type-str"),
    pytest.param(lambda: attr("tags").is_type("SS"), True, id="type-SS"),
    pytest.param(lambda: attr("nums").is_type("NS"), True, id="type-NS"),
    pytest.param(lambda: attr("l").is_type(list), True, id="type-list"),
    pytest.param(lambda: attr("m").is_type(dict), True, id="type-dict"),
    pytest.param(lambda: attr("bin").is_type(bytes), True, id="type-bytes"),
    pytest.param(lambda: attr("t").is_type(bool), True, id="type-bool"),
    pytest.param(lambda: attr("nul").is_type(None), True, id="type-null"),
    pytest.param(lambda: size("s") == 5, True, id="size-string"),
    pytest.param(lambda: size("tags") > 2, False, id="size-set-fails"),
    pytest.param(lambda: attr("l").size() == 3, True, id="size-list"),
    pytest.param(lambda: size("m") == 3, True, id="size-map"),
    pytest.param(lambda: size("bin").between(1, 2), True, id="size-binary-between"),
    pytest.param(lambda: size("s") == attr("same"), True, id="size-eq-path"),
    pytest.param(lambda: attr("select") == "reserved", True, id="reserved-word"),
    pytest.param(lambda: attr("nul") == None, True, id="eq-null"),  # noqa: E711
    pytest.param(lambda: attr("t") == True, True, id="eq-bool"),  # noqa: E712
    pytest.param(lambda: attr("m.deep") == {"k": "v"}, True, id="eq-map"),
    pytest.param(lambda: attr("l") == [1, "two", [3]], True, id="eq-list"),
    pytest.param(lambda: attr("tags") == {"b", "a"}, True, id="eq-set"),
    pytest.param(lambda: (attr("n") == 5) & (attr("s") == "hello"), True, id="and"),
    pytest.param(lambda: (attr("n") == 5) & (attr("s") == "x"), False, id="and-fails"),
    pytest.param(lambda: (attr("n") == 6) | (attr("s") == "hello"), True, id="or"),
    pytest.param(lambda: ~(attr("n") == 5), False, id="not"),
    pytest.param(lambda: ~((attr("n") == 6) | (attr("s") == "x")), True, id="not-or"),
    pytest.param(
        lambda: ((attr("n") == 6) | (attr("s") == "hello")) & attr("t").exists(),
        True,
        id="or-inside-and",
    ),
    pytest.param(
        lambda: (attr("n") == 6) | (attr("s") == "hello") & attr("q").exists(),
        False,
        id="and-binds-tighter-than-or",
    ),
    pytest.param(lambda: ~~attr("n").exists(), True, id="double-not"),
    pytest.param(
        lambda: attr("n").between(1, 9) & (attr("s") == "hello"), True, id="between-inside-and"
    ),
    pytest.param(lambda: ~attr("n").between(6, 9), True, id="not-between"),
    # Python operands of every codec type, compared with what the item stores
    pytest.param(lambda: attr("n") == Decimal("5.0"), True, id="decimal-equals-int"),
    pytest.param(lambda: attr("n") == 5.0, True, id="float-equals-int"),
    pytest.param(lambda: attr("n") < 5.5, True, id="float-order"),
    pytest.param(lambda: attr("bin") == bytearray(b"\x01\x02"), True, id="bytearray"),
    pytest.param(lambda: attr("bin") == memoryview(b"\x01\x02"), True, id="memoryview"),
    pytest.param(lambda: attr("nums") == frozenset({2, 1}), True, id="number-set"),
    pytest.param(lambda: attr("m") == {"x": 1, "y.z": 2, "deep": {"k": "v"}}, True, id="map"),
    pytest.param(lambda: attr("l") == (1, "two", (3,)), True, id="tuple-is-a-list"),
    pytest.param(lambda: attr("l").contains([3]), True, id="contains-a-list-element"),
    pytest.param(lambda: attr("bin").contains(b"\x02"), True, id="contains-on-binary"),
    pytest.param(lambda: attr("s").is_in("a", *["x"] * 98, "hello"), True, id="in-100-repeated"),
    pytest.param(lambda: attr("s").is_in("hello"), True, id="in-one-value"),
    pytest.param(lambda: attr("n").between(5, 5), True, id="between-equal-bounds"),
    pytest.param(lambda: size("s") == size("s"), True, id="size-vs-same-size"),
    pytest.param(lambda: size("s") == "5", False, id="size-vs-string"),
    pytest.param(lambda: attr("s").begins_with(attr("s2")), False, id="begins-with-a-path"),
    pytest.param(lambda: ~~~(attr("n") == 5), False, id="triple-not"),
    pytest.param(lambda: ~((attr("n") == 5) & ~(attr("s") == "x")), False, id="not-and-not"),
    pytest.param(
        lambda: attr("l[2][0]") > attr("m.x"),
        True,
        id="path-vs-path-nested",
    ),
    pytest.param(lambda: attr.name("naïve 名前").not_exists(), True, id="unicode-name"),
    pytest.param(
        lambda: attr.name("#n0").not_exists() & attr.name(":v0").not_exists(),
        True,
        id="placeholder-like-names",
    ),
]


@pytest.mark.parametrize(("build", "passes"), CONDITIONS)
def test_condition_on_a_write(
    backend: Backend, table_name: str, build: Callable[[], Condition], passes: bool
) -> None:
    put(backend, table_name, ITEM)
    params = {
        "TableName": table_name,
        "Key": KEY,
        **compile_request(update=Update().set("probe", 1), condition=build()),
    }
    if passes:
        backend.call("UpdateItem", params)
        assert get(backend, table_name) == {**ITEM, "probe": 1}
    else:
        with pytest.raises(ConditionFailed):
            backend.call("UpdateItem", params)
        assert get(backend, table_name) == ITEM


@pytest.mark.parametrize(("build", "passes"), CONDITIONS)
def test_condition_as_query_filter(
    backend: Backend, table_name: str, build: Callable[[], Condition], passes: bool
) -> None:
    put(backend, table_name, ITEM)
    response = backend.call(
        "Query",
        {
            "TableName": table_name,
            **compile_request(
                key_condition=(attr("pk") == "item") & (attr("sk") == "0"),
                filter=build(),
                projection=["sk", "n"],
            ),
        },
    )
    expected = [{"sk": "0", "n": 5}] if passes else []
    assert [deserialize_item(i) for i in response["Items"]] == expected


def test_put_guarded_by_not_exists(backend: Backend, table_name: str) -> None:
    guard = compile_request(condition=attr("pk").not_exists())
    params = {"TableName": table_name, "Item": serialize_item(ITEM), **guard}
    backend.call("PutItem", params)
    with pytest.raises(ConditionFailed):
        backend.call("PutItem", params)


# --------------------------------------------------------------------------- key conditions

SORT_KEYS = ["POST#1", "POST#2", "a", "b", "c"]  # in DynamoDB's (UTF-8 byte) order

KEY_CONDITIONS: list[Any] = [
    pytest.param(lambda: attr("pk") == "k", SORT_KEYS, id="partition-only"),
    pytest.param(lambda: (attr("pk") == "k") & (attr("sk") == "b"), ["b"], id="eq"),
    pytest.param(lambda: (attr("pk") == "k") & (attr("sk") < "b"), SORT_KEYS[:3], id="lt"),
    pytest.param(lambda: (attr("pk") == "k") & (attr("sk") <= "b"), SORT_KEYS[:4], id="le"),
    pytest.param(lambda: (attr("pk") == "k") & (attr("sk") > "a"), ["b", "c"], id="gt"),
    pytest.param(lambda: (attr("pk") == "k") & (attr("sk") >= "a"), ["a", "b", "c"], id="ge"),
    pytest.param(
        lambda: (attr("pk") == "k") & attr("sk").between("POST#2", "b"),
        ["POST#2", "a", "b"],
        id="between",
    ),
    pytest.param(
        lambda: (attr("pk") == "k") & attr("sk").begins_with("POST#"),
        ["POST#1", "POST#2"],
        id="begins-with",
    ),
    pytest.param(
        lambda: attr("sk").begins_with("POST#") & (attr("pk") == "k"),
        ["POST#1", "POST#2"],
        id="sort-condition-first",
    ),
]


@pytest.mark.parametrize(("build", "expected"), KEY_CONDITIONS)
def test_key_condition(
    backend: Backend, table_name: str, build: Callable[[], Condition], expected: list[str]
) -> None:
    for sk in reversed(SORT_KEYS):
        put(backend, table_name, {"pk": "k", "sk": sk, "v": len(sk)})
    put(backend, table_name, {"pk": "other", "sk": "a"})
    response = backend.call(
        "Query", {"TableName": table_name, **compile_request(key_condition=build())}
    )
    assert [deserialize_item(i)["sk"] for i in response["Items"]] == expected


def test_key_condition_filter_and_projection_in_one_request(
    backend: Backend, table_name: str
) -> None:
    for sk in SORT_KEYS:
        put(backend, table_name, {"pk": "k", "sk": sk, "v": len(sk), "status": "x"})
    params = compile_request(
        key_condition=(attr("pk") == "k") & (attr("sk") > "POST#1"),
        filter=attr("v") == 1,
        projection=projection("sk", "status"),
    )
    response = backend.call("Query", {"TableName": table_name, **params})
    assert [deserialize_item(i) for i in response["Items"]] == [
        {"sk": s, "status": "x"} for s in ("a", "b", "c")
    ]


# --------------------------------------------------------------------------- updates

BASE: dict[str, Any] = {
    "pk": "u",
    "sk": "0",
    "n": 5,
    "s": "x",
    "tags": {"a", "b"},
    "nums": {1, 2},
    "l": [1, 2],
    "m": {"a": 1},
    "gone": 1,
}
REMOVED = object()


def changed(**changes: Any) -> dict[str, Any]:
    item = {**BASE, **changes}
    return {k: v for k, v in item.items() if v is not REMOVED}


UPDATES: list[Any] = [
    pytest.param(lambda: Update().set("s", "y"), changed(s="y"), id="set"),
    pytest.param(
        lambda: Update().set("new", [1, {"k": None}]),
        changed(new=[1, {"k": None}]),
        id="set-new-document",
    ),
    pytest.param(lambda: Update().set("m.b", 2), changed(m={"a": 1, "b": 2}), id="set-map-key"),
    pytest.param(lambda: Update().set("l[0]", 9), changed(l=[9, 2]), id="set-list-element"),
    pytest.param(lambda: Update().set("l[7]", 3), changed(l=[1, 2, 3]), id="set-past-end-appends"),
    pytest.param(
        lambda: Update().set("l[2147483647]", 3), changed(l=[1, 2, 3]), id="set-largest-index"
    ),
    pytest.param(lambda: Update().set("copy", attr("s")), changed(copy="x"), id="set-copy-path"),
    pytest.param(lambda: Update().set("n", attr("n") + 1), changed(n=6), id="plus"),
    pytest.param(lambda: Update().set("n", attr("n") - 2), changed(n=3), id="minus"),
    pytest.param(lambda: Update().set("n", 20 - attr("n")), changed(n=15), id="value-minus-path"),
    pytest.param(
        lambda: Update().set("n", attr("n") + attr("m.a")), changed(n=6), id="path-plus-path"
    ),
    pytest.param(
        lambda: Update().set("x", if_not_exists("x", 7)), changed(x=7), id="if-not-exists-absent"
    ),
    pytest.param(
        lambda: Update().set("n", if_not_exists("n", 7)), changed(), id="if-not-exists-present"
    ),
    pytest.param(
        lambda: Update().set("c", if_not_exists("c", 0) + 1),
        changed(c=1),
        id="counter-from-nothing",
    ),
    pytest.param(
        lambda: Update().set("l", list_append(attr("l"), [3])),
        changed(l=[1, 2, 3]),
        id="list-append",
    ),
    pytest.param(
        lambda: Update().set("l", list_append([0], attr("l"))),
        changed(l=[0, 1, 2]),
        id="list-prepend",
    ),
    pytest.param(
        lambda: Update().set("log", list_append(if_not_exists("log", []), ["e"])),
        changed(log=["e"]),
        id="list-append-to-absent",
    ),
    pytest.param(lambda: Update().remove("gone"), changed(gone=REMOVED), id="remove"),
    pytest.param(lambda: Update().remove("m.a"), changed(m={}), id="remove-map-key"),
    pytest.param(lambda: Update().remove("l[0]"), changed(l=[2]), id="remove-list-element"),
    pytest.param(
        lambda: Update().remove("gone", "s"), changed(gone=REMOVED, s=REMOVED), id="remove-several"
    ),
    pytest.param(lambda: Update().remove("absent"), changed(), id="remove-absent-is-fine"),
    pytest.param(lambda: Update().add("n", 3), changed(n=8), id="add-number"),
    pytest.param(lambda: Update().add("n", -5), changed(n=0), id="add-negative"),
    pytest.param(lambda: Update().add("cnt", 1), changed(cnt=1), id="add-to-absent-number"),
    pytest.param(lambda: Update().add("m.a", 1), changed(m={"a": 2}), id="add-nested"),
    pytest.param(
        lambda: Update().add("tags", {"c"}), changed(tags={"a", "b", "c"}), id="add-to-set"
    ),
    pytest.param(lambda: Update().add("nums", {3}), changed(nums={1, 2, 3}), id="add-number-set"),
    pytest.param(
        lambda: Update().add("fresh", {b"x"}), changed(fresh={b"x"}), id="add-to-absent-set"
    ),
    pytest.param(
        lambda: Update().delete("tags", {"a", "z"}), changed(tags={"b"}), id="delete-from-set"
    ),
    pytest.param(
        lambda: Update().delete("tags", {"a", "b"}),
        changed(tags=REMOVED),
        id="delete-last-elements-removes-set",
    ),
    pytest.param(lambda: Update().delete("nums", {1}), changed(nums={2}), id="delete-number-set"),
    pytest.param(
        lambda: Update(set={"s": "z"}, remove=["gone"], add={"n": 1}, delete={"tags": {"a"}}),
        changed(s="z", gone=REMOVED, n=6, tags={"b"}),
        id="keyword-form-all-clauses",
    ),
    pytest.param(
        lambda: Update().set(attr.name("a.b"), 1),
        changed(**{"a.b": 1}),
        id="set-dotted-top-level-name",
    ),
    pytest.param(
        lambda: Update().set(attr(["m", "x.y"]), 2),
        changed(m={"a": 1, "x.y": 2}),
        id="set-dotted-map-key",
    ),
    pytest.param(
        lambda: Update().set("select", 1).set("size", 2),
        changed(select=1, size=2),
        id="reserved-words-and-function-names",
    ),
    pytest.param(
        lambda: Update().set("n", attr("s")).set("s", attr("n")),
        changed(n="x", s=5),
        id="actions-read-the-old-item",
    ),
    pytest.param(
        lambda: Update().set("m.b", 1).set("m.c", 2).remove("m.a"),
        changed(m={"b": 1, "c": 2}),
        id="sibling-map-keys",
    ),
    pytest.param(
        lambda: Update().set("l[0]", 7).remove("l[1]"), changed(l=[7]), id="sibling-list-elements"
    ),
    pytest.param(
        lambda: Update().set("c", if_not_exists("c", if_not_exists("n", 0))),
        changed(c=5),
        id="if-not-exists-nested-default",
    ),
    pytest.param(
        lambda: Update().set("c", if_not_exists("c", 10) - if_not_exists("n", 0)),
        changed(c=5),
        id="if-not-exists-minus-if-not-exists",
    ),
    pytest.param(
        lambda: Update().set("n", attr("n") + attr("n")), changed(n=10), id="path-plus-itself"
    ),
    pytest.param(
        lambda: Update().set("l", list_append(if_not_exists("l", []), if_not_exists("q", [0]))),
        changed(l=[1, 2, 0]),
        id="list-append-of-two-defaults",
    ),
    pytest.param(
        lambda: Update().set("l", list_append(attr("l"), attr("l"))),
        changed(l=[1, 2, 1, 2]),
        id="list-append-to-itself",
    ),
    pytest.param(
        lambda: (
            Update().set("d", Decimal("0.1")).add("n", 0.5).add("nums", frozenset({Decimal(3)}))
        ),
        changed(d=Decimal("0.1"), n=Decimal("5.5"), nums={1, 2, 3}),
        id="decimal-and-float-values",
    ),
    pytest.param(
        lambda: Update().set("doc", {"b": b"x", "s": {"a"}, "f": 1.5, "l": [None, True]}),
        changed(doc={"b": b"x", "s": {"a"}, "f": Decimal("1.5"), "l": [None, True]}),
        id="nested-document-of-every-type",
    ),
    pytest.param(
        lambda: Update().add("tags", {"a"}).delete("nums", {9}),
        changed(),
        id="add-present-delete-absent-elements",
    ),
    pytest.param(
        lambda: Update().set(attr.name("#n0"), 1).set(attr.name(":v0"), 2),
        changed(**{"#n0": 1, ":v0": 2}),
        id="placeholder-like-names",
    ),
]


@pytest.mark.parametrize(("build", "expected"), UPDATES)
def test_update_operator(
    backend: Backend, table_name: str, build: Callable[[], Update], expected: dict[str, Any]
) -> None:
    put(backend, table_name, BASE)
    key = {"pk": {"S": "u"}, "sk": {"S": "0"}}
    response = backend.call(
        "UpdateItem",
        {
            "TableName": table_name,
            "Key": key,
            "ReturnValues": "ALL_NEW",
            **compile_request(update=build()),
        },
    )
    assert deserialize_item(response["Attributes"]) == expected
    assert get(backend, table_name, key) == expected


def test_update_with_condition_shares_placeholders(backend: Backend, table_name: str) -> None:
    put(backend, table_name, BASE)
    key = {"pk": {"S": "u"}, "sk": {"S": "0"}}
    params = compile_request(
        update=Update().set("s", "published").add("n", 1),
        condition=(attr("s") == "x") & (attr("n") < 10),
    )
    backend.call("UpdateItem", {"TableName": table_name, "Key": key, **params})
    assert get(backend, table_name, key) == changed(s="published", n=6)
    with pytest.raises(ConditionFailed):  # s is no longer "x"
        backend.call("UpdateItem", {"TableName": table_name, "Key": key, **params})
    assert get(backend, table_name, key) == changed(s="published", n=6)


# --------------------------------------------------------------------------- same refusals

V = {"N": "1"}

REFUSED_BY_BOTH: list[Any] = [
    pytest.param(
        lambda: Update().set("a", 1).remove("a"),
        {"UpdateExpression": "SET #a = :v REMOVE #a", "ExpressionAttributeValues": {":v": V}},
        id="two-actions-one-path",
    ),
    pytest.param(
        lambda: Update().set("m", 1).remove("m.a"),
        {"UpdateExpression": "SET #m = :v REMOVE #m.#a", "ExpressionAttributeValues": {":v": V}},
        id="overlapping-paths",
    ),
    pytest.param(
        lambda: Update().set("m.a", 1).set("m[0]", 1),
        {"UpdateExpression": "SET #m.#a = :v, #m[0] = :v", "ExpressionAttributeValues": {":v": V}},
        id="conflicting-paths",
    ),
    pytest.param(
        lambda: Update().add("n", "x"),
        {"UpdateExpression": "ADD #n :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
        id="add-string",
    ),
    pytest.param(
        lambda: Update().delete("n", 1),
        {"UpdateExpression": "DELETE #n :v", "ExpressionAttributeValues": {":v": V}},
        id="delete-number",
    ),
    pytest.param(
        lambda: Update().set("n", attr("n") + 1 + 1),
        {"UpdateExpression": "SET #n = #n + :v + :v", "ExpressionAttributeValues": {":v": V}},
        id="chained-arithmetic",
    ),
    pytest.param(
        lambda: Update().set("n", attr("n") + "x"),
        {"UpdateExpression": "SET #n = #n + :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
        id="arithmetic-on-a-string",
    ),
    pytest.param(
        lambda: Update().set("l", list_append(attr("l"), 1)),
        {
            "UpdateExpression": "SET #l = list_append(#l, :v)",
            "ExpressionAttributeValues": {":v": V},
        },
        id="list-append-a-number",
    ),
    pytest.param(
        lambda: if_not_exists("n", attr("n") + 1),
        {
            "UpdateExpression": "SET #n = if_not_exists(#n, #n + :v)",
            "ExpressionAttributeValues": {":v": V},
        },
        id="if-not-exists-default-arithmetic",
    ),
    pytest.param(
        lambda: if_not_exists("l", list_append(attr("l"), [1])),
        {
            "UpdateExpression": "SET #l = if_not_exists(#l, list_append(#l, :v))",
            "ExpressionAttributeValues": {":v": {"L": [V]}},
        },
        id="if-not-exists-default-list-append",
    ),
    pytest.param(
        lambda: if_not_exists("n", attr("n")),
        {"UpdateExpression": "SET #x = if_not_exists(#n, #n)"},
        id="if-not-exists-of-itself",
    ),
    pytest.param(
        lambda: list_append(list_append(attr("l"), [1]), [1]),
        {
            "UpdateExpression": "SET #l = list_append(list_append(#l, :v), :v)",
            "ExpressionAttributeValues": {":v": {"L": [V]}},
        },
        id="nested-list-append",
    ),
    pytest.param(
        lambda: compile_request(update=Update()),
        {"UpdateExpression": ""},
        id="empty-update",
    ),
    pytest.param(
        lambda: attr("n") == attr("n"),
        {
            "UpdateExpression": "SET #p = :v",
            "ConditionExpression": "#n = #n",
            "ExpressionAttributeValues": {":v": V},
        },
        id="self-comparison",
    ),
    pytest.param(
        lambda: attr("n").contains(attr("n")),
        {
            "UpdateExpression": "SET #p = :v",
            "ConditionExpression": "contains(#n, #n)",
            "ExpressionAttributeValues": {":v": V},
        },
        id="self-contains",
    ),
    pytest.param(
        lambda: attr("n") < True,
        {
            "UpdateExpression": "SET #p = :v",
            "ConditionExpression": "#n < :t",
            "ExpressionAttributeValues": {":v": V, ":t": {"BOOL": True}},
        },
        id="order-a-bool",
    ),
    pytest.param(
        lambda: attr("n").between(2, 1),
        {
            "UpdateExpression": "SET #p = :v",
            "ConditionExpression": "#n BETWEEN :b AND :v",
            "ExpressionAttributeValues": {":v": V, ":b": {"N": "2"}},
        },
        id="between-bounds-swapped",
    ),
    pytest.param(
        lambda: attr("n").between(1, "x"),
        {
            "UpdateExpression": "SET #p = :v",
            "ConditionExpression": "#n BETWEEN :v AND :s",
            "ExpressionAttributeValues": {":v": V, ":s": {"S": "x"}},
        },
        id="between-mixed-types",
    ),
    pytest.param(
        lambda: attr("s").begins_with(1),
        {
            "UpdateExpression": "SET #p = :v",
            "ConditionExpression": "begins_with(#s, :v)",
            "ExpressionAttributeValues": {":v": V},
        },
        id="begins-with-a-number",
    ),
    pytest.param(
        lambda: attr("n").is_in(*range(101)),
        {
            "UpdateExpression": "SET #p = :v0",
            "ConditionExpression": "#n IN (" + ", ".join(f":v{i}" for i in range(101)) + ")",
            "ExpressionAttributeValues": {f":v{i}": serialize(i) for i in range(101)},
        },
        id="in-101-values",
    ),
]


def _names_for(params: dict[str, Any]) -> dict[str, str]:
    text = " ".join(v for k, v in params.items() if k.endswith("Expression"))
    return {n: n[1:] for n in set(re.findall(r"#\w+", text))}


@pytest.mark.parametrize(("build", "raw"), REFUSED_BY_BOTH)
def test_builder_refuses_only_what_dynamodb_refuses(
    backend: Backend,
    table_name: str,
    build: Callable[[], object],
    raw: dict[str, Any],
    request: pytest.FixtureRequest,
) -> None:
    with pytest.raises(ExpressionError):
        build()
    put(backend, table_name, BASE)
    params: dict[str, Any] = {
        "TableName": table_name,
        "Key": {"pk": {"S": "u"}, "sk": {"S": "0"}},
        **raw,
    }
    if names := _names_for(raw):
        params["ExpressionAttributeNames"] = names
    with pytest.raises(ValidationError):
        backend.call("UpdateItem", params)


REFUSED_QUERIES: list[Any] = [
    pytest.param(
        lambda: (attr("pk") == "k") | (attr("pk") == "j"), "#pk = :a OR #pk = :b", id="or"
    ),
    pytest.param(lambda: attr("sk") > "a", "#sk > :a", id="no-partition-equality"),
    pytest.param(
        lambda: (attr("pk") == "k") & (attr("sk") != "a"), "#pk = :a AND #sk <> :b", id="not-equal"
    ),
    pytest.param(
        lambda: (attr("pk") == "k") & attr("sk").is_in("a"), "#pk = :a AND #sk IN (:b)", id="in"
    ),
    pytest.param(
        lambda: (attr("pk") == "k") & attr("sk").contains("a"),
        "#pk = :a AND contains(#sk, :b)",
        id="contains",
    ),
    pytest.param(
        lambda: (attr("pk") == "k") & attr("sk").exists(),
        "#pk = :a AND attribute_exists(#sk)",
        id="exists",
    ),
    pytest.param(
        lambda: (attr("pk") == "k") & (attr("sk") > "a") & (attr("sk") < "b"),
        "#pk = :a AND #sk > :a AND #sk < :b",
        id="two-sort-conditions",
    ),
    pytest.param(
        lambda: (attr("pk") == "k") & attr("sk").begins_with(attr("x")),
        "#pk = :a AND begins_with(#sk, #x)",
        id="begins-with-a-path",
    ),
]


@pytest.mark.parametrize(("build", "expression"), REFUSED_QUERIES)
def test_key_condition_refusals_match_dynamodb(
    backend: Backend, table_name: str, build: Callable[[], Condition], expression: str
) -> None:
    with pytest.raises(ExpressionError):
        compile_request(key_condition=build())
    params: dict[str, Any] = {"TableName": table_name, "KeyConditionExpression": expression}
    params["ExpressionAttributeNames"] = _names_for(params)
    values = {":a": {"S": "k"}, ":b": {"S": "a"}}
    params["ExpressionAttributeValues"] = {k: v for k, v in values.items() if k in expression}
    with pytest.raises(ValidationError):
        backend.call("Query", params)


def test_projection_overlap_is_refused_by_both(backend: Backend, table_name: str) -> None:
    with pytest.raises(ExpressionError):
        projection("m", "m.a")
    put(backend, table_name, BASE)
    with pytest.raises(ValidationError):
        backend.call(
            "GetItem",
            {
                "TableName": table_name,
                "Key": {"pk": {"S": "u"}, "sk": {"S": "0"}},
                "ProjectionExpression": "#m, #m.#a",
                "ExpressionAttributeNames": {"#m": "m", "#a": "a"},
            },
        )


# --------------------------------------------------------------------------- multi-attribute keys

MULTI_PK, MULTI_SK = ["org", "region"], ["status", "at"]


@pytest.fixture
def multi_key_table(backend: Backend, make_table: Callable[..., str]) -> str:
    """A table with a GSI ``byOrg`` keyed on (org, region) / (status, at)."""
    keys = [("org", "HASH"), ("region", "HASH"), ("status", "RANGE"), ("at", "RANGE")]
    table = make_table(
        pk=("pk", "S"),
        sk=None,
        attribute_types=dict.fromkeys(("org", "region", "status", "at"), "S"),
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byOrg",
                "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t in keys],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    rows = [
        ("o", "eu", "open", "1"),
        ("o", "eu", "open", "2"),
        ("o", "eu", "closed", "1"),
        ("o", "us", "open", "1"),
    ]
    for i, (org, region, status, at) in enumerate(rows):
        item = {"pk": str(i), "org": org, "region": region, "status": status, "at": at}
        put(backend, table, item)
    return table


def o_eu() -> Condition:
    return (attr("org") == "o") & (attr("region") == "eu")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(o_eu, ["2", "0", "1"], id="partition-only"),
        pytest.param(lambda: o_eu() & (attr("status") == "open"), ["0", "1"], id="first-sort-eq"),
        pytest.param(lambda: o_eu() & attr("status").begins_with("c"), ["2"], id="first-range"),
        pytest.param(
            lambda: o_eu() & (attr("status") == "open") & (attr("at") > "1"), ["1"], id="last-range"
        ),
    ],
)
def test_multi_attribute_key_condition(
    backend: Backend, multi_key_table: str, build: Callable[[], Condition], expected: list[str]
) -> None:
    params = compile_request(key_condition=build(), partition_key=MULTI_PK, sort_key=MULTI_SK)
    response = backend.call("Query", {"TableName": multi_key_table, "IndexName": "byOrg", **params})
    assert [deserialize_item(i)["pk"] for i in response["Items"]] == expected


@pytest.mark.parametrize(
    ("build", "expression"),
    [
        pytest.param(lambda: attr("org") == "o", "#org = :o", id="half-the-partition"),
        pytest.param(
            lambda: o_eu() & (attr("at") == "1"),
            "#org = :o AND #region = :eu AND #at = :one",
            id="sort-gap",
        ),
        pytest.param(
            lambda: o_eu() & (attr("status") > "a") & (attr("at") == "1"),
            "#org = :o AND #region = :eu AND #status > :a AND #at = :one",
            id="range-before-last",
        ),
    ],
)
def test_multi_attribute_refusals_match_dynamodb(
    backend: Backend, multi_key_table: str, build: Callable[[], Condition], expression: str
) -> None:
    with pytest.raises(ExpressionError):
        compile_request(key_condition=build(), partition_key=MULTI_PK, sort_key=MULTI_SK)
    values = {":o": "o", ":eu": "eu", ":one": "1", ":a": "a"}
    params: dict[str, Any] = {
        "TableName": multi_key_table,
        "IndexName": "byOrg",
        "KeyConditionExpression": expression,
        "ExpressionAttributeNames": {n: n[1:] for n in re.findall(r"#\w+", expression)},
        "ExpressionAttributeValues": {k: {"S": v} for k, v in values.items() if k in expression},
    }
    with pytest.raises(ValidationError):
        backend.call("Query", params)


# --------------------------------------------------------------------------- limits


def test_300_operators_are_accepted_and_301_refused_by_both(
    backend: Backend, table_name: str
) -> None:
    put(backend, table_name, ITEM)
    cond: Condition = attr("n") != 5
    for _ in range(297):  # an odd number of NOTs: true
        cond = ~cond
    cond = cond & attr("s").exists()  # 297 NOT + <> + AND + a function = 300
    params = compile_request(update=Update().set("probe", 1), condition=cond)
    backend.call("UpdateItem", {"TableName": table_name, "Key": KEY, **params})
    assert get(backend, table_name) == {**ITEM, "probe": 1}
    with pytest.raises(ExpressionError, match="301 operators"):
        compile_request(condition=~cond)
    raw = {**params, "ConditionExpression": "NOT " + params["ConditionExpression"]}
    with pytest.raises(ValidationError, match="too many operators"):
        backend.call("UpdateItem", {"TableName": table_name, "Key": KEY, **raw})


def test_longest_expression_is_accepted_by_both(backend: Backend, table_name: str) -> None:
    put(backend, table_name, ITEM)
    names = ["n", *(f"attribute{i}" for i in range(700))]
    longest = 1
    while len(", ".join(f"#n{i}" for i in range(longest + 1))) <= 4096:
        longest += 1
    params = compile_request(projection=names[:longest])
    assert len(params["ProjectionExpression"]) > 4090
    response = backend.call("GetItem", {"TableName": table_name, "Key": KEY, **params})
    assert deserialize_item(response["Item"]) == {"n": 5}
    with pytest.raises(ExpressionError, match="at most 4096"):
        compile_request(projection=names[: longest + 1])


def test_one_name_in_every_expression_of_a_query(backend: Backend, table_name: str) -> None:
    """``sk`` and ``size`` (a function name) are used by several expressions of one request."""
    for sk, size_ in (("a", 1), ("b", 2), ("c", 3)):
        put(backend, table_name, {"pk": "k", "sk": sk, "size": size_, "n": 0})
    params = compile_request(
        key_condition=(attr("pk") == "k") & (attr("sk") > "a"),
        filter=(attr("size") == 2) | (size("size") > 100) | (attr("size") > attr("n")),
        projection=["sk", "size"],
    )
    response = backend.call("Query", {"TableName": table_name, **params})
    assert [deserialize_item(i) for i in response["Items"]] == [
        {"sk": "b", "size": 2},
        {"sk": "c", "size": 3},
    ]
    assert params["ExpressionAttributeNames"]["#n3"] == "n"


def test_one_name_in_update_and_condition_of_a_transaction(
    backend: Backend, table_name: str
) -> None:
    put(backend, table_name, BASE)
    key = {"pk": {"S": "u"}, "sk": {"S": "0"}}
    params = compile_request(
        update=Update().set("n", if_not_exists("n", 0) + 1).add("tags", {"z"}),
        condition=(attr("n") == 5) & attr("tags").contains("a") & (size("tags") < 3),
    )
    backend.call(
        "TransactWriteItems",
        {"TransactItems": [{"Update": {"TableName": table_name, "Key": key, **params}}]},
    )
    assert get(backend, table_name, key) == changed(n=6, tags={"a", "b", "z"})
