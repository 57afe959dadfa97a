"""Query and Scan: key conditions, ordering, pages, Select, indexes, segments, the 1 MB rule.

Queries (one partition) are compared in order, page by page, ``LastEvaluatedKey`` included.
Scans over several partitions are compared as sorted multisets (see ``harness``); Scans of a
table with a single partition are compared in order, since there the order is the sort key's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .builders import Num, query, req, scan
from .fixtures import BIG, HR, HRB, HRN, HRS, HS, IDX, MANY, MULTI
from .harness import SEGMENTS, Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"
RNF = "ResourceNotFoundException"
A = {":p": "a"}

LOCAL_FILTERS_BEFORE_1MB = (
    "DynamoDB applies the 1 MB page limit to the data read, before the filter; DynamoDB "
    "Local applies it after the filter, so a filter that drops everything reads all in one page"
)
BIG_FILTER_PAGES = {
    "pages": [
        {
            "Count": 0,
            "Items": [],
            "LastEvaluatedKey": {"pk": {"S": "p"}, "sk": {"N": "20"}},
            "ScannedCount": 21,
        },
        {"Count": 0, "Items": [], "ScannedCount": 9},
    ]
}


def _q(
    name: str,
    condition: str | None,
    given: dict[str, Any] | None = None,
    table: str = HR,
    **params: Any,
) -> Any:
    if given is not None:
        params["vals"] = {**given, **params.get("vals", {})}
    return case(f"query-{name}", query(table, condition, **params))


KEY_CONDITIONS = [
    _q("hash-only", "pk = :p", A),
    _q("hash-names", "#p = :p", A, names={"#p": "pk"}),
    _q("descending", "pk = :p", A, ScanIndexForward=False),
    _q("sk-eq", "pk = :p AND sk = :s", {**A, ":s": 3}),
    _q("sk-lt", "pk = :p AND sk < :s", {**A, ":s": 3}),
    _q("sk-le", "pk = :p AND sk <= :s", {**A, ":s": 3}),
    _q("sk-gt", "pk = :p AND sk > :s", {**A, ":s": 10}),
    _q("sk-ge", "pk = :p AND sk >= :s", {**A, ":s": 10}, ScanIndexForward=False),
    _q("sk-between", "pk = :p AND sk BETWEEN :a AND :b", {**A, ":a": 4, ":b": 6}),
    _q(
        "sk-between-decimal",
        "pk = :p AND sk BETWEEN :a AND :b",
        {**A, ":a": Num("3.5"), ":b": Num("6.01")},
    ),
    _q("sk-between-reversed", "pk = :p AND sk BETWEEN :a AND :b", {**A, ":a": 6, ":b": 4}, error=V),
    _q("sk-first", "sk > :s AND pk = :p", {**A, ":s": 10}),
    _q("parenthesised", "(pk = :p) AND (sk > :s)", {**A, ":s": 10}),
    _q("value-first", ":p = pk", A),
    _q("no-match", "pk = :p", {":p": "zzz"}),
    _q("missing-hash", "sk > :s", {":s": 1}, error=V),
    _q("hash-not-eq", "pk > :p", A, error=V),
    _q("or", "pk = :p OR sk = :s", {**A, ":s": 1}, error=V),
    _q("two-sk-conditions", "pk = :p AND sk > :a AND sk < :b", {**A, ":a": 1, ":b": 5}, error=V),
    _q("non-key", "pk = :p AND n > :n", {**A, ":n": 1}, error=V),
    _q("hash-in", "pk IN (:p)", A, error=V),
    _q("not", "NOT pk = :p", A, error=V),
    _q("sk-ne", "pk = :p AND sk <> :s", {**A, ":s": 1}, error=V),
    _q("attribute-exists", "pk = :p AND attribute_exists(sk)", A, error=V),
    _q("begins-with-number", "pk = :p AND begins_with(sk, :s)", {**A, ":s": 1}, error=V),
    _q("hash-type-mismatch", "pk = :p", {":p": 1}, error=V),
    _q("sk-type-mismatch", "pk = :p AND sk > :s", {**A, ":s": "1"}, error=V),
    _q("no-condition", None, error=V),
    _q("empty-condition", "", error=V),
    _q("unused-value", "pk = :p", {**A, ":x": 1}, error=V),
    _q("undefined-value", "pk = :q", A, error=V),
    _q("reserved-word", "pk = :p AND size > :s", {**A, ":s": 1}, error=V),
    _q("missing-table", "pk = :p", A, table="missing", error=RNF),
    _q("size-on-key", "size(pk) = :p", {":p": 1}, error=V),
    _q("strings-bytes-order", "pk = :p", {":p": "p"}, table=HRS),
    _q("strings-bytes-order-desc", "pk = :p", {":p": "p"}, table=HRS, ScanIndexForward=False),
    _q("strings-gt", "pk = :p AND sk > :s", {":p": "p", ":s": "a"}, table=HRS),
    _q("strings-begins-with", "pk = :p AND begins_with(sk, :s)", {":p": "p", ":s": "a"}, table=HRS),
    _q(
        "strings-begins-with-unicode",
        "pk = :p AND begins_with(sk, :s)",
        {":p": "p", ":s": "\u00e4"},
        table=HRS,
    ),
    _q(
        "strings-between",
        "pk = :p AND sk BETWEEN :a AND :b",
        {":p": "p", ":a": "B", ":b": "b"},
        table=HRS,
    ),
    _q("binary-order", "pk = :p", {":p": b"p"}, table=HRB),
    _q("binary-gt", "pk = :p AND sk > :s", {":p": b"p", ":s": b"\x7f"}, table=HRB),
    _q(
        "binary-begins-with",
        "pk = :p AND begins_with(sk, :s)",
        {":p": b"p", ":s": b"\x00"},
        table=HRB,
    ),
    _q("numbers-order", "pk = :p", {":p": "p"}, table=HRN),
    _q("numbers-lt-zero", "pk = :p AND sk < :s", {":p": "p", ":s": Num("-0")}, table=HRN),
    _q(
        "numbers-between-tiny",
        "pk = :p AND sk BETWEEN :a AND :b",
        {":p": "p", ":a": Num("-1E-99"), ":b": Num("1E-2")},
        table=HRN,
    ),
    _q("hash-only-table", "pk = :p", {":p": "b"}, table=HS),
    _q(
        "hash-only-table-range-condition",
        "pk = :p AND n > :n",
        {":p": "b", ":n": 1},
        table=HS,
        error=V,
    ),
]

PAGES = [
    _q("limit-pages", "pk = :p", A, Limit=5, paginate=True),
    _q("limit-pages-desc", "pk = :p", A, Limit=5, ScanIndexForward=False, paginate=True),
    _q("limit-exact-fit", "pk = :p", A, Limit=12, paginate=True),
    _q("limit-one", "pk = :p", {":p": "b"}, Limit=1, paginate=True),
    _q(
        "limit-filter-pages",
        "pk = :p",
        A,
        Limit=4,
        FilterExpression="odd = :t",
        vals={**A, ":t": True},
        paginate=True,
    ),
    _q("filter-count", "pk = :p", A, FilterExpression="n > :n", vals={**A, ":n": 55}),
    _q("filter-nothing", "pk = :p", A, FilterExpression="n > :n", vals={**A, ":n": 1000}),
    _q("filter-on-key", "pk = :p", A, FilterExpression="sk > :n", vals={**A, ":n": 1}, error=V),
    _q("filter-on-hash-key", "pk = :p", A, FilterExpression="pk = :p", error=V),
    _q("exclusive-start-key", "pk = :p", A, ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "6"}}),
    _q(
        "exclusive-start-key-desc",
        "pk = :p",
        A,
        ScanIndexForward=False,
        ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "6"}},
    ),
    _q(
        "exclusive-start-key-absent-item",
        "pk = :p",
        A,
        ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "6.5"}},
    ),
    _q(
        "exclusive-start-key-last",
        "pk = :p",
        A,
        ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "12"}},
    ),
    _q(
        "exclusive-start-key-other-partition",
        "pk = :p",
        A,
        ExclusiveStartKey={"pk": {"S": "b"}, "sk": {"N": "1"}},
        error=V,
    ),
    _q(
        "exclusive-start-key-missing-range",
        "pk = :p",
        A,
        ExclusiveStartKey={"pk": {"S": "a"}},
        error=V,
    ),
    _q(
        "exclusive-start-key-wrong-type",
        "pk = :p",
        A,
        ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"S": "6"}},
        error=V,
    ),
    _q("limit-zero", "pk = :p", A, Limit=0, error=V),
    _q("limit-negative", "pk = :p", A, Limit=-1, error=V),
    _q("select-count", "pk = :p", A, Select="COUNT"),
    _q("select-count-limit", "pk = :p", A, Select="COUNT", Limit=5, paginate=True),
    _q("select-all-attributes", "pk = :p", A, Select="ALL_ATTRIBUTES", Limit=2),
    _q(
        "select-specific",
        "pk = :p",
        A,
        Select="SPECIFIC_ATTRIBUTES",
        ProjectionExpression="n",
        Limit=2,
    ),
    _q("select-specific-no-projection", "pk = :p", A, Select="SPECIFIC_ATTRIBUTES", error=V),
    _q(
        "select-count-with-projection",
        "pk = :p",
        A,
        Select="COUNT",
        ProjectionExpression="n",
        error=V,
    ),
    _q(
        "select-all-with-projection",
        "pk = :p",
        A,
        Select="ALL_ATTRIBUTES",
        ProjectionExpression="n",
        error=V,
    ),
    _q("select-projected-on-table", "pk = :p", A, Select="ALL_PROJECTED_ATTRIBUTES", error=V),
    _q("select-bogus", "pk = :p", A, Select="SOME", error=V),
    _q("projection", "pk = :p", A, ProjectionExpression="s, tags", Limit=3),
    _q(
        "projection-with-filter",
        "pk = :p",
        A,
        ProjectionExpression="s",
        FilterExpression="n > :n",
        vals={**A, ":n": 100},
    ),
    _q("projection-limit-pages", "pk = :p", A, ProjectionExpression="n", Limit=7, paginate=True),
    _q("consistent", "pk = :p", A, ConsistentRead=True, Limit=2),
    _q("big-page-1mb", "pk = :p", {":p": "p"}, table=BIG, ProjectionExpression="sk", paginate=True),
    _q(
        "big-page-1mb-desc",
        "pk = :p",
        {":p": "p"},
        table=BIG,
        ProjectionExpression="sk",
        ScanIndexForward=False,
        paginate=True,
    ),
    _q("big-page-count", "pk = :p", {":p": "p"}, table=BIG, Select="COUNT", paginate=True),
    _q(
        "big-page-filter",
        "pk = :p",
        {":p": "p", ":z": "nope"},
        table=BIG,
        FilterExpression="#b = :z",
        names={"#b": "blob"},
        paginate=True,
        engine_expect=BIG_FILTER_PAGES,
        engine_why=LOCAL_FILTERS_BEFORE_1MB,
    ),
]

_G1 = {":g": "G1"}
INDEXES = [
    _q("gsi", "gpk = :g", _G1, table=IDX, IndexName="gsi_all"),
    _q("gsi-desc", "gpk = :g", _G1, table=IDX, IndexName="gsi_all", ScanIndexForward=False),
    _q("gsi-range", "gpk = :g AND gsk > :n", {**_G1, ":n": 3}, table=IDX, IndexName="gsi_all"),
    _q("gsi-pages", "gpk = :g", _G1, table=IDX, IndexName="gsi_all", Limit=1, paginate=True),
    _q("gsi-keys-only", "gpk = :g", {":g": "G2"}, table=IDX, IndexName="gsi_keys"),
    _q(
        "gsi-keys-only-all-attributes",
        "gpk = :g",
        _G1,
        table=IDX,
        IndexName="gsi_keys",
        Select="ALL_ATTRIBUTES",
        error=V,
    ),
    _q("gsi-include", "gpk2 = :g", {":g": "H"}, table=IDX, IndexName="gsi_incl"),
    _q(
        "gsi-include-projected",
        "gpk2 = :g",
        {":g": "H"},
        table=IDX,
        IndexName="gsi_incl",
        Select="ALL_PROJECTED_ATTRIBUTES",
    ),
    _q(
        "gsi-include-projection-expression",
        "gpk2 = :g",
        {":g": "H"},
        table=IDX,
        IndexName="gsi_incl",
        ProjectionExpression="color, pk",
    ),
    _q(
        "gsi-non-projected-attribute",
        "gpk2 = :g",
        {":g": "H"},
        table=IDX,
        IndexName="gsi_incl",
        ProjectionExpression="size",
        error=V,
    ),
    _q(
        "gsi-consistent-read",
        "gpk = :g",
        _G1,
        table=IDX,
        IndexName="gsi_all",
        ConsistentRead=True,
        error=V,
    ),
    _q(
        "gsi-filter",
        "gpk = :g",
        {**_G1, ":c": "red"},
        table=IDX,
        IndexName="gsi_all",
        FilterExpression="color = :c",
    ),
    _q(
        "gsi-filter-on-table-key",
        "gpk = :g",
        {**_G1, ":s": "a"},
        table=IDX,
        IndexName="gsi_all",
        FilterExpression="sk = :s",
    ),
    _q(
        "gsi-filter-on-index-key",
        "gpk = :g",
        {**_G1, ":n": 1},
        table=IDX,
        IndexName="gsi_all",
        FilterExpression="gsk > :n",
        error=V,
    ),
    _q(
        "gsi-exclusive-start-key",
        "gpk = :g",
        _G1,
        table=IDX,
        IndexName="gsi_all",
        ExclusiveStartKey={
            "pk": {"S": "u1"},
            "sk": {"S": "b"},
            "gpk": {"S": "G1"},
            "gsk": {"N": "2"},
        },
    ),
    _q(
        "gsi-exclusive-start-key-table-only",
        "gpk = :g",
        _G1,
        table=IDX,
        IndexName="gsi_all",
        ExclusiveStartKey={"pk": {"S": "u1"}, "sk": {"S": "b"}},
        error=V,
    ),
    _q("gsi-wrong-key", "pk = :p", {":p": "u1"}, table=IDX, IndexName="gsi_all", error=V),
    _q("gsi-missing-index", "gpk = :g", _G1, table=IDX, IndexName="nope", error=V),
    _q("gsi-count", "gpk = :g", _G1, table=IDX, IndexName="gsi_all", Select="COUNT"),
    _q("lsi", "pk = :p", {":p": "u1"}, table=IDX, IndexName="lsi_all"),
    _q(
        "lsi-range", "pk = :p AND lsk > :l", {":p": "u1", ":l": "d"}, table=IDX, IndexName="lsi_all"
    ),
    _q("lsi-keys-only", "pk = :p", {":p": "u1"}, table=IDX, IndexName="lsi_keys"),
    _q(
        "lsi-keys-only-all-attributes",
        "pk = :p",
        {":p": "u1"},
        table=IDX,
        IndexName="lsi_keys",
        Select="ALL_ATTRIBUTES",
    ),
    _q(
        "lsi-keys-only-projection-fetch",
        "pk = :p",
        {":p": "u1"},
        table=IDX,
        IndexName="lsi_keys",
        ProjectionExpression="color",
    ),
    _q(
        "lsi-consistent",
        "pk = :p",
        {":p": "u1"},
        table=IDX,
        IndexName="lsi_all",
        ConsistentRead=True,
    ),
    _q(
        "lsi-pages", "pk = :p", {":p": "u1"}, table=IDX, IndexName="lsi_all", Limit=1, paginate=True
    ),
    _q(
        "lsi-desc", "pk = :p", {":p": "u1"}, table=IDX, IndexName="lsi_keys", ScanIndexForward=False
    ),
    _q(
        "multi-all-keys",
        "org = :o AND area = :r",
        {":o": "acme", ":r": "eu"},
        table=MULTI,
        IndexName="byOrg",
    ),
    _q(
        "multi-desc",
        "org = :o AND area = :r",
        {":o": "acme", ":r": "eu"},
        table=MULTI,
        IndexName="byOrg",
        ScanIndexForward=False,
    ),
    _q(
        "multi-first-range",
        "org = :o AND area = :r AND #s = :s",
        {":o": "acme", ":r": "eu", ":s": "open"},
        table=MULTI,
        IndexName="byOrg",
        names={"#s": "status"},
    ),
    _q(
        "multi-second-range",
        "org = :o AND area = :r AND #s = :s AND created > :c",
        {":o": "acme", ":r": "eu", ":s": "open", ":c": 1},
        table=MULTI,
        IndexName="byOrg",
        names={"#s": "status"},
    ),
    _q(
        "multi-begins-with",
        "org = :o AND area = :r AND begins_with(#s, :s)",
        {":o": "acme", ":r": "eu", ":s": "c"},
        table=MULTI,
        IndexName="byOrg",
        names={"#s": "status"},
    ),
    _q("multi-partial-hash", "org = :o", {":o": "acme"}, table=MULTI, IndexName="byOrg", error=V),
    _q(
        "multi-skip-range",
        "org = :o AND area = :r AND created > :c",
        {":o": "acme", ":r": "eu", ":c": 1},
        table=MULTI,
        IndexName="byOrg",
        error=V,
    ),
    _q(
        "multi-range-on-first-not-eq",
        "org = :o AND area = :r AND #s > :s AND created = :c",
        {":o": "acme", ":r": "eu", ":s": "a", ":c": 1},
        table=MULTI,
        IndexName="byOrg",
        names={"#s": "status"},
        error=V,
    ),
    _q(
        "multi-pages",
        "org = :o AND area = :r",
        {":o": "acme", ":r": "eu"},
        table=MULTI,
        IndexName="byOrg",
        Limit=1,
        paginate=True,
    ),
    _q(
        "multi-keys-only",
        "org = :o",
        {":o": "acme"},
        table=MULTI,
        IndexName="byOrgOnly",
        unordered=True,
    ),
    _q(
        "multi-hash-or",
        "org = :o OR area = :r",
        {":o": "acme", ":r": "eu"},
        table=MULTI,
        IndexName="byOrg",
        error=V,
    ),
]


def _s(name: str, table: str = HS, **params: Any) -> Any:
    return case(f"scan-{name}", scan(table, **params))


SCANS = [
    _s("all"),
    _s("all-many", MANY),
    _s("pages", MANY, Limit=25, paginate=True),
    _s(
        "pages-filter",
        MANY,
        Limit=30,
        FilterExpression="grp = :g",
        vals={":g": "odd"},
        paginate=True,
    ),
    _s("count", MANY, Select="COUNT"),
    _s("count-filter", MANY, Select="COUNT", FilterExpression="n < :n", vals={":n": 10}),
    _s("projection", HS, ProjectionExpression="pk, m.y"),
    _s("single-partition-ordered", HRS, unordered=False),
    _s("single-partition-binary-ordered", HRB, unordered=False),
    _s("single-partition-numbers-ordered", HRN, unordered=False),
    _s("single-partition-pages", HRS, Limit=4, unordered=False, paginate=True),
    _s("gsi", IDX, IndexName="gsi_all"),
    _s("gsi-keys-only", IDX, IndexName="gsi_keys"),
    _s("gsi-include", IDX, IndexName="gsi_incl"),
    _s("lsi", IDX, IndexName="lsi_all"),
    _s("lsi-keys-only", IDX, IndexName="lsi_keys"),
    _s("multi-gsi-sparse", MULTI, IndexName="byOrg"),
    _s("gsi-consistent", IDX, IndexName="gsi_all", ConsistentRead=True, error=V),
    _s("missing-index", IDX, IndexName="nope", error=V),
    _s("limit-zero", MANY, Limit=0, error=V),
    _s("big-1mb-pages", BIG, ProjectionExpression="pk, sk", paginate=True),
    _s("big-1mb-count", BIG, Select="COUNT", paginate=True),
    _s(
        "big-1mb-filter",
        BIG,
        FilterExpression="#b = :z",
        names={"#b": "blob"},
        vals={":z": "nope"},
        paginate=True,
        engine_expect={
            "pages": [
                {"Count": 0, "LastEvaluatedKey": "<present>", "ScannedCount": 21},
                {"Count": 0, "ScannedCount": 19},
            ],
            "items": [],
        },
        engine_why=LOCAL_FILTERS_BEFORE_1MB,
    ),
    _s("exclusive-start-key-bad", HR, ExclusiveStartKey={"pk": {"S": "a"}}, error=V),
    _s("missing-table", "missing", error=RNF),
    _s("segment-too-large", MANY, Segment=4, TotalSegments=4, error=V),
    _s("segment-without-total", MANY, Segment=0, error=V),
    _s("total-without-segment", MANY, TotalSegments=2, error=V),
    _s("total-segments-zero", MANY, Segment=0, TotalSegments=0, error=V),
    _s("total-segments-over", MANY, Segment=0, TotalSegments=1000001, error=V),
    _s("segment-negative", MANY, Segment=-1, TotalSegments=2, error=V),
    _s("filter-on-key", HR, FilterExpression="pk = :p", vals=A),
    _s("select-specific", HS, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="s"),
    _s("select-projected-on-table", HS, Select="ALL_PROJECTED_ATTRIBUTES", error=V),
    case("scan-segments-4", req(SEGMENTS, {"TableName": MANY, "TotalSegments": 4})),
    case(
        "scan-segments-3-limited",
        req(SEGMENTS, {"TableName": MANY, "TotalSegments": 3, "Limit": 7}),
    ),
    case("scan-segments-1", req(SEGMENTS, {"TableName": HS, "TotalSegments": 1})),
    case(
        "scan-segments-gsi",
        req(SEGMENTS, {"TableName": IDX, "TotalSegments": 2, "IndexName": "gsi_all"}),
    ),
]

LEGACY = [
    case(
        "legacy-key-conditions",
        req(
            "Query",
            {
                "TableName": HR,
                "KeyConditions": {
                    "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}
                },
            },
            engine_error=V,
            engine_message="KeyConditionExpression",
        ),
    ),
    case(
        "legacy-query-filter",
        req(
            "Query",
            {
                "TableName": HR,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "a"}},
                "QueryFilter": {
                    "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "5"}]}
                },
            },
            engine_error=V,
            engine_message="FilterExpression",
        ),
    ),
    case(
        "legacy-scan-filter",
        req(
            "Scan",
            {
                "TableName": HS,
                "ScanFilter": {
                    "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}
                },
            },
            engine_error=V,
            engine_message="FilterExpression",
        ),
    ),
    case(
        "legacy-scan-attributes-to-get",
        req(
            "Scan",
            {"TableName": HS, "AttributesToGet": ["pk"]},
            engine_error=V,
            engine_message="ProjectionExpression",
        ),
    ),
]

CASES = KEY_CONDITIONS + PAGES + INDEXES + SCANS + LEGACY


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
