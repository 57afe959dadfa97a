"""Control plane: CreateTable, DescribeTable, DeleteTable, ListTables, UpdateTable, TTL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .builders import create_table, describe, gsi, put, query, req, wait
from .fixtures import HR, HS, IDX, MULTI, PROV
from .harness import Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"
RNF = "ResourceNotFoundException"
PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
H = ("pk", "S", "HASH")
R = ("sk", "S", "RANGE")


def _multi_gsi(name: str, hashes: int, ranges: int) -> dict[str, Any]:
    return gsi(name, [f"h{i}" for i in range(hashes)], [f"r{i}" for i in range(ranges)])


def _attrs(hashes: int, ranges: int) -> dict[str, str]:
    return {**{f"h{i}": "S" for i in range(hashes)}, **{f"r{i}": "N" for i in range(ranges)}}


CREATE = [
    case("create-hash-s", create_table("new", [H]), describe("new")),
    case("create-hash-n-range-b", create_table("new", [("id", "N", "HASH"), ("at", "B", "RANGE")])),
    case("create-hash-b-range-n", create_table("new", [("id", "B", "HASH"), ("at", "N", "RANGE")])),
    case(
        "create-provisioned",
        create_table("new", [H, R], BillingMode="PROVISIONED", ProvisionedThroughput=PT),
        describe("new"),
    ),
    case("create-provisioned-default-mode", create_table("new", [H], ProvisionedThroughput=PT)),
    case(
        "create-indexes-all-projections",
        create_table(
            "new",
            [H, R],
            attrs={"l1": "S", "g1": "N", "g2": "B"},
            LocalSecondaryIndexes=[gsi("lsi1", "pk", "l1", "KEYS_ONLY")],
            GlobalSecondaryIndexes=[
                gsi("gsi1", "g1", None, "INCLUDE", ["a", "b"]),
                gsi("gsi2", "g2", "g1", "ALL"),
            ],
        ),
        describe("new"),
    ),
    case(
        "create-multi-attribute-gsi-4x4",
        create_table(
            "new", [H], attrs=_attrs(4, 4), GlobalSecondaryIndexes=[_multi_gsi("mg4", 4, 4)]
        ),
        describe("new"),
    ),
    case(
        "create-multi-attribute-gsi-2x0",
        create_table(
            "new", [H], attrs=_attrs(2, 0), GlobalSecondaryIndexes=[_multi_gsi("mg2", 2, 0)]
        ),
    ),
    case(
        "create-multi-attribute-gsi-5-hash",
        create_table(
            "new",
            [H],
            attrs=_attrs(5, 1),
            GlobalSecondaryIndexes=[_multi_gsi("mg5", 5, 1)],
            error=V,
        ),
    ),
    case(
        "create-multi-attribute-gsi-5-range",
        create_table(
            "new",
            [H],
            attrs=_attrs(1, 5),
            GlobalSecondaryIndexes=[_multi_gsi("mg5", 1, 5)],
            error=V,
        ),
    ),
    case(
        "create-multi-attribute-lsi-refused",
        create_table(
            "new",
            [H, R],
            attrs={"a": "S", "b": "S"},
            LocalSecondaryIndexes=[gsi("lsi", "pk", ["a", "b"])],
            error=V,
        ),
    ),
    case(
        "create-gsi-range-before-hash",
        create_table(
            "new",
            [H],
            attrs={"a": "S", "b": "S"},
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "bad",
                    "KeySchema": [
                        {"AttributeName": "b", "KeyType": "RANGE"},
                        {"AttributeName": "a", "KeyType": "HASH"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            error=V,
        ),
    ),
    case("create-existing", create_table(HS, [H], error="ResourceInUseException")),
    case(
        "create-key-not-defined",
        req(
            "CreateTable",
            {
                "TableName": "new",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "other", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
            error=V,
        ),
    ),
    case("create-unused-definition", create_table("new", [H], attrs={"extra": "S"}, error=V)),
    case("create-bad-attribute-type", create_table("new", [("pk", "X", "HASH")], error=V)),
    case("create-bool-key-type", create_table("new", [("pk", "BOOL", "HASH")], error=V)),
    case("create-two-hash-keys", create_table("new", [H, ("sk", "S", "HASH")], error=V)),
    case("create-range-only", create_table("new", [("sk", "S", "RANGE")], error=V)),
    case("create-range-first", create_table("new", [R, H], error=V)),
    case("create-three-keys", create_table("new", [H, R, ("x", "S", "RANGE")], error=V)),
    case("create-name-too-short", create_table("ab", [H], error=V)),
    case("create-name-bad-chars", create_table("a$b", [H], error=V)),
    case("create-name-too-long", create_table("n" * 256, [H], error=V)),
    case(
        "create-no-key-schema",
        req(
            "CreateTable",
            {
                "TableName": "new",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
            error=V,
        ),
    ),
    case(
        "create-provisioned-no-throughput",
        create_table("new", [H], BillingMode="PROVISIONED", error=V),
    ),
    case(
        "create-zero-throughput",
        create_table(
            "new",
            [H],
            ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1},
            error=V,
        ),
    ),
    case(
        "create-lsi-other-hash",
        create_table(
            "new",
            [H, R],
            attrs={"x": "S"},
            LocalSecondaryIndexes=[gsi("lsi", "x", "sk")],
            error=V,
        ),
    ),
    case(
        "create-lsi-on-hash-only-table",
        create_table(
            "new", [H], attrs={"x": "S"}, LocalSecondaryIndexes=[gsi("lsi", "pk", "x")], error=V
        ),
    ),
    case(
        "create-six-lsis",
        create_table(
            "new",
            [H, R],
            attrs={f"l{i}": "S" for i in range(6)},
            LocalSecondaryIndexes=[gsi(f"lsi{i}", "pk", f"l{i}") for i in range(6)],
            error=V,
        ),
    ),
    case(
        "create-duplicate-index-names",
        create_table(
            "new",
            [H],
            attrs={"a": "S", "b": "S"},
            GlobalSecondaryIndexes=[gsi("dup", "a"), gsi("dup", "b")],
            error=V,
        ),
    ),
    case(
        "create-include-without-attributes",
        create_table(
            "new",
            [H],
            attrs={"a": "S"},
            GlobalSecondaryIndexes=[gsi("g1x", "a", None, "INCLUDE")],
            error=V,
        ),
    ),
    case(
        "create-keys-only-with-attributes",
        create_table(
            "new",
            [H],
            attrs={"a": "S"},
            GlobalSecondaryIndexes=[gsi("g1x", "a", None, "KEYS_ONLY", ["x"])],
            error=V,
        ),
    ),
    case(
        "create-gsi-key-undefined",
        create_table("new", [H], GlobalSecondaryIndexes=[gsi("g1x", "a")], error=V),
    ),
    case(
        "create-index-name-too-short",
        create_table(
            "new", [H], attrs={"a": "S"}, GlobalSecondaryIndexes=[gsi("gx", "a")], error=V
        ),
    ),
    case(
        "create-provisioned-gsi-without-throughput",
        create_table(
            "new",
            [H],
            attrs={"a": "S"},
            ProvisionedThroughput=PT,
            GlobalSecondaryIndexes=[gsi("g1x", "a")],
            error=V,
        ),
    ),
    case(
        "create-gsi-same-as-table-key",
        create_table("new", [H, R], GlobalSecondaryIndexes=[gsi("g1x", "pk", "sk")]),
        put("new", {"pk": "a", "sk": "b"}),
        query("new", "pk = :p", vals={":p": "a"}, IndexName="g1x"),
    ),
]

DESCRIBE = [
    case("describe-hs", describe(HS)),
    case("describe-hr", describe(HR)),
    case("describe-indexes", describe(IDX)),
    case("describe-multi-attribute", describe(MULTI)),
    case("describe-provisioned", describe(PROV)),
    case("describe-missing", describe("missing", error=RNF)),
    case("describe-bad-name", describe("a", error=V)),
]

DELETE = [
    case(
        "delete-then-use",
        req("DeleteTable", {"TableName": HS}),
        describe(HS, error=RNF),
        put(HS, {"pk": "z"}, error=RNF),
        req("DeleteTable", {"TableName": HS}, error=RNF),
    ),
    case("delete-missing", req("DeleteTable", {"TableName": "missing"}, error=RNF)),
    case(
        "delete-with-indexes",
        req("DeleteTable", {"TableName": IDX}),
        query(IDX, "gpk = :g", vals={":g": "G1"}, IndexName="gsi_all", error=RNF),
    ),
    case(
        "delete-and-recreate",
        req("DeleteTable", {"TableName": HR}),
        create_table(HR, [H]),
        put(HR, {"pk": "x"}),
        req("Scan", {"TableName": HR}),
    ),
]

_ZZ = [f"zzzz-conf-{c}" for c in "abcd"]
LIST = [
    case(
        "list-tables-pages",
        *[create_table(n, [H]) for n in _ZZ],
        req("ListTables", {"ExclusiveStartTableName": "zzzz-conf", "Limit": 2}),
        req("ListTables", {"ExclusiveStartTableName": _ZZ[1], "Limit": 2}),
        req("ListTables", {"ExclusiveStartTableName": _ZZ[3]}),
        req("ListTables", {"ExclusiveStartTableName": "zzzz-conf", "Limit": 10}),
        req("ListTables", {"ExclusiveStartTableName": "zzzz-conf-b0", "Limit": 1}),
        req("DeleteTable", {"TableName": _ZZ[0]}),
        req("ListTables", {"ExclusiveStartTableName": "zzzz-conf"}),
        rename=False,
        cleanup=True,
    ),
    case("list-tables-limit-zero", req("ListTables", {"Limit": 0}, error=V), rename=False),
    case("list-tables-limit-101", req("ListTables", {"Limit": 101}, error=V), rename=False),
    case(
        "list-tables-bad-start",
        req("ListTables", {"ExclusiveStartTableName": "a"}, error=V),
        rename=False,
    ),
]


def _update(table: str, **params: Any) -> Any:
    opts = {k: params.pop(k) for k in ("error", "message", "why") if k in params}
    return req("UpdateTable", {"TableName": table, **params}, **opts)


def _create_index(
    name: str,
    hashes: str | list[str],
    ranges: str | list[str] | None = None,
    projection: str = "ALL",
) -> dict[str, Any]:
    return {"Create": gsi(name, hashes, ranges, projection)}


UPDATE = [
    case(
        "update-add-gsi-backfills",
        _update(
            HR,
            AttributeDefinitions=[{"AttributeName": "s", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[_create_index("byS", "s")],
        ),
        wait(HR),
        query(HR, "s = :s", vals={":s": "x03"}, IndexName="byS"),
        put(HR, {"pk": "z", "sk": 1, "s": "x03"}),
        query(HR, "s = :s", vals={":s": "x03"}, IndexName="byS", unordered=True),
    ),
    case(
        "update-add-gsi-keys-only-range",
        _update(
            HR,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "n", "AttributeType": "N"},
            ],
            GlobalSecondaryIndexUpdates=[_create_index("byN", "pk", "n", "KEYS_ONLY")],
        ),
        wait(HR),
        query(HR, "pk = :p AND n > :n", vals={":p": "a", ":n": 50}, IndexName="byN"),
    ),
    case(
        "update-add-multi-attribute-gsi",
        _update(
            HR,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "s", "AttributeType": "S"},
                {"AttributeName": "n", "AttributeType": "N"},
            ],
            GlobalSecondaryIndexUpdates=[_create_index("byPS", ["pk", "s"], ["n"])],
        ),
        wait(HR),
        query(HR, "pk = :p AND s = :s", vals={":p": "a", ":s": "x05"}, IndexName="byPS"),
        describe(HR),
    ),
    case(
        "update-delete-gsi",
        _update(IDX, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi_all"}}]),
        wait(IDX),
        query(IDX, "gpk = :g", vals={":g": "G1"}, IndexName="gsi_all", error=V),
        describe(IDX),
    ),
    case(
        "update-delete-missing-gsi",
        _update(IDX, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}], error=RNF),
    ),
    case(
        "update-create-existing-gsi",
        _update(
            IDX,
            AttributeDefinitions=[{"AttributeName": "gpk", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[_create_index("gsi_all", "gpk")],
            error=V,
        ),
    ),
    case(
        "update-create-gsi-undefined-attribute",
        _update(HR, GlobalSecondaryIndexUpdates=[_create_index("byQ", "q")], error=V),
    ),
    case(
        "update-billing-to-provisioned",
        _update(HS, BillingMode="PROVISIONED", ProvisionedThroughput=PT),
        describe(HS),
    ),
    case("update-nothing", _update(HS, error=V)),
    case(
        "update-table-missing-table", _update("missing", BillingMode="PAY_PER_REQUEST", error=RNF)
    ),
    case(
        "update-two-index-changes",
        _update(
            IDX,
            GlobalSecondaryIndexUpdates=[
                {"Delete": {"IndexName": "gsi_all"}},
                {"Delete": {"IndexName": "gsi_keys"}},
            ],
            error="LimitExceededException",
        ),
    ),
]


def _ttl(table: str, name: str, enabled: bool, **opts: Any) -> Any:
    return req(
        "UpdateTimeToLive",
        {
            "TableName": table,
            "TimeToLiveSpecification": {"AttributeName": name, "Enabled": enabled},
        },
        **opts,
    )


def _describe_ttl(table: str, **opts: Any) -> Any:
    return req("DescribeTimeToLive", {"TableName": table}, **opts)


TTL = [
    case("ttl-describe-default", _describe_ttl(HS)),
    case("ttl-enable", _ttl(HS, "expires", True), _describe_ttl(HS)),
    case("ttl-enable-twice", _ttl(HS, "expires", True), _ttl(HS, "expires", True, error=V)),
    case(
        "ttl-enable-other-attribute",
        _ttl(HS, "expires", True),
        _ttl(HS, "other", True, error=V),
    ),
    case("ttl-disable-when-disabled", _ttl(HS, "expires", False, error=V)),
    case(
        "ttl-disable-other-attribute",
        _ttl(HS, "expires", True),
        _ttl(HS, "other", False, error=V),
    ),
    case("ttl-disable", _ttl(HS, "expires", True), _ttl(HS, "expires", False), _describe_ttl(HS)),
    case("ttl-missing-table", _ttl("missing", "expires", True, error=RNF)),
    case("ttl-describe-missing-table", _describe_ttl("missing", error=RNF)),
    case("ttl-empty-attribute-name", _ttl(HS, "", True, error=V)),
]

CASES = CREATE + DESCRIBE + DELETE + LIST + UPDATE + TTL


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
