"""Single-item operations: PutItem, GetItem, DeleteItem, UpdateItem basics and value rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .builders import Num, delete, get, put, req, update
from .fixtures import HB, HN, HR, HS, IDX
from .harness import Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"
CCF = "ConditionalCheckFailedException"
RNF = "ResourceNotFoundException"

PUT = [
    case(
        "put-new-then-get",
        put(HS, {"pk": "new", "a": 1}),
        get(HS, {"pk": "new"}, ConsistentRead=True),
    ),
    case("put-replaces-whole-item", put(HS, {"pk": "a", "z": 1}), get(HS, {"pk": "a"})),
    case("put-return-all-old-existing", put(HS, {"pk": "a", "z": 1}, ReturnValues="ALL_OLD")),
    case("put-return-all-old-new", put(HS, {"pk": "zz", "z": 1}, ReturnValues="ALL_OLD")),
    case("put-return-none", put(HS, {"pk": "a"}, ReturnValues="NONE")),
    case("put-return-all-new", put(HS, {"pk": "a"}, ReturnValues="ALL_NEW", error=V)),
    case("put-return-updated-old", put(HS, {"pk": "a"}, ReturnValues="UPDATED_OLD", error=V)),
    case("put-return-bogus", put(HS, {"pk": "a"}, ReturnValues="EVERYTHING", error=V)),
    case("put-missing-hash-key", put(HS, {"x": "a"}, error=V)),
    case("put-missing-range-key", put(HR, {"pk": "a"}, error=V)),
    case("put-hash-key-wrong-type", put(HS, {"pk": 1}, error=V)),
    case("put-range-key-wrong-type", put(HR, {"pk": "a", "sk": "1"}, error=V)),
    case("put-number-hash-key", put(HN, {"id": Num("1E+2"), "v": "x"}), get(HN, {"id": 100})),
    case("put-binary-hash-key", put(HB, {"id": b"\x00\xff", "v": 1}), get(HB, {"id": b"\x00\xff"})),
    case("put-empty-string-hash-key", put(HS, {"pk": ""}, error=V)),
    case("put-empty-binary-hash-key", put(HB, {"id": b""}, error=V)),
    case("put-empty-string-range-key", put(IDX, {"pk": "a", "sk": ""}, error=V)),
    case("put-empty-string-gsi-key", put(IDX, {"pk": "a", "sk": "b", "gpk": ""}, error=V)),
    case("put-empty-string-lsi-key", put(IDX, {"pk": "a", "sk": "b", "lsk": ""}, error=V)),
    case("put-gsi-key-wrong-type", put(IDX, {"pk": "a", "sk": "b", "gpk": 5}, error=V)),
    case("put-gsi-key-set-type", put(IDX, {"pk": "a", "sk": "b", "gpk": {"x", "y"}}, error=V)),
    case("put-gsi-range-list-type", put(IDX, {"pk": "a", "sk": "b", "gsk": [1]}, error=V)),
    case("put-lsi-key-bool-type", put(IDX, {"pk": "a", "sk": "b", "lsk": True}, error=V)),
    case("put-gsi-range-wrong-type", put(IDX, {"pk": "a", "sk": "b", "gsk": "5"}, error=V)),
    case(
        "put-empty-non-key-values",
        put(HS, {"pk": "e1", "s": "", "b": b"", "l": [], "m": {}, "deep": {"x": ""}}),
        get(HS, {"pk": "e1"}),
    ),
    case(
        "put-empty-string-set",
        req("PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "ss": {"SS": []}}}, error=V),
    ),
    case(
        "put-empty-number-set",
        req("PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "ns": {"NS": []}}}, error=V),
    ),
    case(
        "put-duplicate-string-set",
        req(
            "PutItem",
            {"TableName": HS, "Item": {"pk": {"S": "x"}, "ss": {"SS": ["a", "a"]}}},
            error=V,
        ),
    ),
    case(
        "put-duplicate-number-set",
        req(
            "PutItem",
            {"TableName": HS, "Item": {"pk": {"S": "x"}, "ns": {"NS": ["1", "1.0"]}}},
            error=V,
        ),
    ),
    case(
        "put-duplicate-binary-set",
        req(
            "PutItem",
            {"TableName": HS, "Item": {"pk": {"S": "x"}, "bs": {"BS": [b"a", b"a"]}}},
            error=V,
        ),
    ),
    case(
        "put-empty-string-in-set",
        req("PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "ss": {"SS": [""]}}}),
        get(HS, {"pk": "x"}),
    ),
    case(
        "put-bad-number",
        req("PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "n": {"N": "abc"}}}, error=V),
    ),
    case(
        "put-bad-number-in-set",
        req(
            "PutItem",
            {"TableName": HS, "Item": {"pk": {"S": "x"}, "n": {"NS": ["1", "x"]}}},
            error=V,
        ),
    ),
    case(
        "put-empty-number",
        req("PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "n": {"N": ""}}}, error=V),
    ),
    case(
        "put-two-types",
        req(
            "PutItem",
            {"TableName": HS, "Item": {"pk": {"S": "x"}, "a": {"S": "1", "N": "1"}}},
            error=V,
        ),
    ),
    case(
        "put-no-type",
        req("PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "a": {}}}, error=V),
    ),
    case(
        "put-null-false",
        req(
            "PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "a": {"NULL": False}}}, error=V
        ),
    ),
    case(
        "put-nested-bad-value",
        req(
            "PutItem",
            {"TableName": HS, "Item": {"pk": {"S": "x"}, "m": {"M": {"a": {"N": "x"}}}}},
            error=V,
        ),
    ),
    case(
        "put-empty-attribute-name",
        req("PutItem", {"TableName": HS, "Item": {"pk": {"S": "x"}, "": {"S": "v"}}}, error=V),
    ),
    case("put-missing-table", put("missing", {"pk": "a"}, error=RNF)),
    case("put-no-item", req("PutItem", {"TableName": HS}, error=V)),
    case(
        "put-condition-not-exists-fails",
        put(HS, {"pk": "a"}, ConditionExpression="attribute_not_exists(pk)", error=CCF),
    ),
    case(
        "put-condition-fails-all-old",
        put(
            HS,
            {"pk": "a"},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            error=CCF,
        ),
    ),
    case(
        "put-condition-fails-none",
        put(
            HS,
            {"pk": "a"},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="NONE",
            error=CCF,
        ),
    ),
    case(
        "put-condition-fails-bogus-rvoccf",
        put(
            HS,
            {"pk": "a"},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_NEW",
            error=V,
        ),
    ),
    case(
        "put-condition-passes",
        put(
            HS,
            {"pk": "a", "v": 2},
            ConditionExpression="n = :one",
            vals={":one": 1},
            ReturnValues="ALL_OLD",
        ),
    ),
    case(
        "put-condition-on-missing-item",
        put(
            HS,
            {"pk": "nope"},
            ConditionExpression="attribute_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            error=CCF,
        ),
    ),
    case(
        "put-legacy-expected",
        req(
            "PutItem",
            {"TableName": HS, "Item": {"pk": {"S": "a"}}, "Expected": {"pk": {"Exists": False}}},
            engine_error=V,
            engine_message="ConditionExpression",
        ),
    ),
]

GET = [
    case("get-existing", get(HS, {"pk": "a"})),
    case("get-all-types", get(HS, {"pk": "b"}), get(HS, {"pk": "c"}), get(HS, {"pk": "d"})),
    case("get-missing", get(HS, {"pk": "nope"})),
    case("get-consistent", get(HS, {"pk": "a"}, ConsistentRead=True)),
    case("get-range", get(HR, {"pk": "a", "sk": 3})),
    case("get-number-key-normalised", get(HN, {"id": Num("1.0")}), get(HN, {"id": Num("1E+1")})),
    case("get-binary-key", get(HB, {"id": b"\xff"})),
    case("get-projection", get(HS, {"pk": "a"}, ProjectionExpression="s, m.y.z, l[1]")),
    case(
        "get-projection-missing-paths",
        get(HS, {"pk": "a"}, ProjectionExpression="nope, m.nope, l[7]"),
    ),
    case(
        "get-projection-names",
        get(HS, {"pk": "f"}, ProjectionExpression="#n, #s", names={"#n": "Name", "#s": "size"}),
    ),
    case(
        "get-projection-reserved-word", get(HS, {"pk": "f"}, ProjectionExpression="Name", error=V)
    ),
    case("get-projection-size-not-reserved", get(HS, {"pk": "f"}, ProjectionExpression="size")),
    case("get-projection-undefined-name", get(HS, {"pk": "a"}, ProjectionExpression="#x", error=V)),
    case(
        "get-projection-unused-name",
        get(HS, {"pk": "a"}, ProjectionExpression="s", names={"#x": "s"}, error=V),
    ),
    case("get-projection-overlap", get(HS, {"pk": "a"}, ProjectionExpression="m, m.x", error=V)),
    case(
        "get-projection-same-path-twice", get(HS, {"pk": "a"}, ProjectionExpression="s, s", error=V)
    ),
    case(
        "get-projection-list-overlap", get(HS, {"pk": "a"}, ProjectionExpression="l[0], l", error=V)
    ),
    case("get-projection-syntax", get(HS, {"pk": "a"}, ProjectionExpression="s,, n", error=V)),
    case("get-projection-empty", get(HS, {"pk": "a"}, ProjectionExpression="", error=V)),
    case("get-projection-key-only", get(HR, {"pk": "a", "sk": 3}, ProjectionExpression="sk")),
    case("get-extra-key-attribute", get(HS, {"pk": "a", "x": 1}, error=V)),
    case("get-missing-range-key", get(HR, {"pk": "a"}, error=V)),
    case("get-wrong-key-type", get(HS, {"pk": 1}, error=V)),
    case("get-wrong-key-name", get(HS, {"id": "a"}, error=V)),
    case("get-empty-key", get(HS, {}, error=V)),
    case("get-empty-string-key", get(HS, {"pk": ""}, error=V)),
    case("get-missing-table", get("missing", {"pk": "a"}, error=RNF)),
    case("get-bad-table-name", get("x", {"pk": "a"}, error=V)),
    case(
        "get-legacy-attributes-to-get",
        req(
            "GetItem",
            {"TableName": HS, "Key": {"pk": {"S": "a"}}, "AttributesToGet": ["s"]},
            engine_error=V,
            engine_message="ProjectionExpression",
        ),
    ),
]

DELETE = [
    case(
        "delete-return-all-old",
        delete(HS, {"pk": "a"}, ReturnValues="ALL_OLD"),
        get(HS, {"pk": "a"}),
    ),
    case("delete-missing-item", delete(HS, {"pk": "nope"}, ReturnValues="ALL_OLD")),
    case("delete-return-all-new", delete(HS, {"pk": "a"}, ReturnValues="ALL_NEW", error=V)),
    case("delete-return-updated-new", delete(HS, {"pk": "a"}, ReturnValues="UPDATED_NEW", error=V)),
    case(
        "delete-condition-fails",
        delete(HS, {"pk": "a"}, ConditionExpression="n = :v", vals={":v": 9}, error=CCF),
        get(HS, {"pk": "a"}),
    ),
    case(
        "delete-condition-fails-all-old",
        delete(
            HS,
            {"pk": "a"},
            ConditionExpression="n = :v",
            vals={":v": 9},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            error=CCF,
        ),
    ),
    case(
        "delete-condition-passes",
        delete(
            HS, {"pk": "a"}, ConditionExpression="n = :v", vals={":v": 1}, ReturnValues="ALL_OLD"
        ),
    ),
    case(
        "delete-condition-missing-item",
        delete(HS, {"pk": "nope"}, ConditionExpression="attribute_exists(pk)", error=CCF),
    ),
    case("delete-wrong-key", delete(HR, {"pk": "a"}, error=V)),
    case("delete-missing-table", delete("missing", {"pk": "a"}, error=RNF)),
    case("delete-unused-value", delete(HS, {"pk": "a"}, vals={":v": 1}, error=V)),
    case(
        "delete-legacy-expected",
        req(
            "DeleteItem",
            {"TableName": HS, "Key": {"pk": {"S": "a"}}, "Expected": {"n": {"Value": {"N": "1"}}}},
            engine_error=V,
            engine_message="ConditionExpression",
        ),
    ),
]

_ITEM = {"pk": "a"}
UPDATE = [
    case(
        "update-upsert-all-new",
        update(HS, {"pk": "new"}, "SET a = :v", vals={":v": 1}, ReturnValues="ALL_NEW"),
    ),
    case(
        "update-without-expression-creates", update(HS, {"pk": "new"}, None), get(HS, {"pk": "new"})
    ),
    case("update-without-expression-existing", update(HS, _ITEM, None, ReturnValues="ALL_NEW")),
    *[
        case(
            f"update-return-{rv.lower()}",
            update(
                HS,
                _ITEM,
                "SET s = :s, q = :q REMOVE l",
                vals={":s": "new", ":q": 5},
                ReturnValues=rv,
            ),
        )
        for rv in ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
    ],
    case(
        "update-return-nested-updated-new",
        update(
            HS,
            _ITEM,
            "SET m.y.z = :v, m.x = m.x + :one",
            vals={":v": "d2", ":one": 1},
            ReturnValues="UPDATED_NEW",
        ),
    ),
    case(
        "update-return-nested-updated-old",
        update(
            HS, _ITEM, "SET m.y.z = :v, l[0] = :v", vals={":v": "d2"}, ReturnValues="UPDATED_OLD"
        ),
    ),
    case(
        "update-return-updated-old-new-attribute",
        update(HS, _ITEM, "SET brand_new = :v", vals={":v": 1}, ReturnValues="UPDATED_OLD"),
    ),
    case(
        "update-return-updated-new-remove",
        update(HS, _ITEM, "REMOVE s", ReturnValues="UPDATED_NEW"),
    ),
    case(
        "update-return-bogus",
        update(HS, _ITEM, "SET s = :s", vals={":s": "x"}, ReturnValues="ALL", error=V),
    ),
    case("update-hash-key", update(HS, _ITEM, "SET pk = :v", vals={":v": "b"}, error=V)),
    case(
        "update-range-key", update(HR, {"pk": "a", "sk": 1}, "SET sk = :v", vals={":v": 2}, error=V)
    ),
    case("update-remove-key", update(HS, _ITEM, "REMOVE pk", error=V)),
    case(
        "update-gsi-key-wrong-type",
        update(IDX, {"pk": "u1", "sk": "a"}, "SET gpk = :v", vals={":v": 1}, error=V),
    ),
    case(
        "update-gsi-key-empty",
        update(IDX, {"pk": "u1", "sk": "a"}, "SET gpk = :v", vals={":v": ""}, error=V),
    ),
    case("update-missing-table", update("missing", _ITEM, "SET a = :v", vals={":v": 1}, error=RNF)),
    case(
        "update-wrong-key", update(HS, {"pk": "a", "sk": 1}, "SET a = :v", vals={":v": 1}, error=V)
    ),
    case(
        "update-condition-fails-all-old",
        update(
            HS,
            _ITEM,
            "SET a = :v",
            ConditionExpression="n > :v",
            vals={":v": 5},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            error=CCF,
        ),
    ),
    case(
        "update-condition-missing-item",
        update(
            HS,
            {"pk": "nope"},
            "SET a = :v",
            ConditionExpression="attribute_exists(pk)",
            vals={":v": 5},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            error=CCF,
        ),
        get(HS, {"pk": "nope"}),
    ),
    case(
        "update-legacy-attribute-updates",
        req(
            "UpdateItem",
            {
                "TableName": HS,
                "Key": {"pk": {"S": "a"}},
                "AttributeUpdates": {"n": {"Action": "PUT", "Value": {"N": "5"}}},
            },
            engine_error=V,
            engine_message="UpdateExpression",
        ),
    ),
]

CASES = PUT + GET + DELETE + UPDATE


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
