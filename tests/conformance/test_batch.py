"""BatchGetItem and BatchWriteItem (items of a BatchGetItem table compare as a multiset)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .builders import Num, batch_get, batch_write, get, query, req, scan, wdel, wput
from .fixtures import HB, HN, HR, HRN, HS, IDX, MANY
from .harness import Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"
RNF = "ResourceNotFoundException"

GETS = [
    case(
        "batch-get-two-tables",
        batch_get({HS: [{"pk": "a"}, {"pk": "b"}, {"pk": "nope"}], HR: [{"pk": "a", "sk": 1}]}),
    ),
    case("batch-get-100-keys", batch_get({MANY: [{"pk": f"k{i:03d}"} for i in range(100)]})),
    case(
        "batch-get-101-keys", batch_get({MANY: [{"pk": f"k{i:03d}"} for i in range(101)]}, error=V)
    ),
    case(
        "batch-get-100-keys-two-tables",
        batch_get(
            {MANY: [{"pk": f"k{i:03d}"} for i in range(60)], HS: [{"pk": c} for c in "abcdef"]}
        ),
    ),
    case(
        "batch-get-101-keys-two-tables",
        batch_get(
            {MANY: [{"pk": f"k{i:03d}"} for i in range(95)], HS: [{"pk": c} for c in "abcdef"]},
            error=V,
        ),
    ),
    case("batch-get-duplicate-keys", batch_get({HS: [{"pk": "a"}, {"pk": "a"}]}, error=V)),
    case(
        "batch-get-projection",
        batch_get(
            {HS: [{"pk": "a"}, {"pk": "f"}]},
            per_table={
                HS: {"ProjectionExpression": "#n, m.y", "ExpressionAttributeNames": {"#n": "Name"}}
            },
        ),
    ),
    case(
        "batch-get-projection-unused-name",
        batch_get(
            {HS: [{"pk": "a"}]},
            per_table={
                HS: {"ProjectionExpression": "s", "ExpressionAttributeNames": {"#n": "Name"}}
            },
            error=V,
        ),
    ),
    case(
        "batch-get-projection-reserved",
        batch_get({HS: [{"pk": "a"}]}, per_table={HS: {"ProjectionExpression": "name"}}, error=V),
    ),
    case(
        "batch-get-consistent",
        batch_get({HS: [{"pk": "a"}]}, per_table={HS: {"ConsistentRead": True}}),
    ),
    case("batch-get-missing-table", batch_get({"missing": [{"pk": "a"}]}, error=RNF)),
    case(
        "batch-get-missing-and-existing-table",
        batch_get({"missing": [{"pk": "a"}], HS: [{"pk": "a"}]}, error=RNF),
    ),
    case("batch-get-wrong-key", batch_get({HR: [{"pk": "a"}]}, error=V)),
    case("batch-get-wrong-key-type", batch_get({HS: [{"pk": 1}]}, error=V)),
    case("batch-get-empty-request", req("BatchGetItem", {"RequestItems": {}}, error=V)),
    case("batch-get-empty-keys", batch_get({HS: []}, error=V)),
    case(
        "batch-get-binary-keys", batch_get({HB: [{"id": b"\x00"}, {"id": b"\xff"}, {"id": b"zz"}]})
    ),
    case(
        "batch-get-legacy-attributes-to-get",
        req(
            "BatchGetItem",
            {"RequestItems": {HS: {"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["s"]}}},
            engine_error=V,
            engine_message="ProjectionExpression",
        ),
    ),
]

WRITES = [
    case(
        "batch-write-put-delete-two-tables",
        batch_write(
            {
                HS: [wput({"pk": "new", "v": 1}), wdel({"pk": "a"}), wdel({"pk": "nope"})],
                HR: [wput({"pk": "z", "sk": 1}), wdel({"pk": "a", "sk": 1})],
            }
        ),
        scan(HS),
        scan(HR),
    ),
    case(
        "batch-write-25",
        batch_write({HS: [wput({"pk": f"w{i}", "i": i}) for i in range(25)]}),
        scan(HS, Select="COUNT"),
    ),
    case("batch-write-26", batch_write({HS: [wput({"pk": f"w{i}"}) for i in range(26)]}, error=V)),
    case(
        "batch-write-26-two-tables",
        batch_write(
            {
                HS: [wput({"pk": f"w{i}"}) for i in range(13)],
                HR: [wput({"pk": "w", "sk": i}) for i in range(13)],
            },
            error=V,
        ),
    ),
    case(
        "batch-write-same-key-twice",
        batch_write({HS: [wput({"pk": "a", "v": 1}), wdel({"pk": "a"})]}, error=V),
        get(HS, {"pk": "a"}),
    ),
    case(
        "batch-write-same-key-put-twice",
        batch_write({HS: [wput({"pk": "x", "v": 1}), wput({"pk": "x", "v": 2})]}, error=V),
    ),
    case(
        "batch-write-one-item-too-large",
        batch_write({HS: [wput({"pk": "x"}), wput({"pk": "big", "a": "x" * 409600})]}, error=V),
        get(HS, {"pk": "x"}),
    ),
    case("batch-write-missing-table", batch_write({"missing": [wput({"pk": "a"})]}, error=RNF)),
    case("batch-write-missing-key", batch_write({HS: [wput({"x": "a"})]}, error=V)),
    case("batch-write-wrong-key-type", batch_write({HS: [wdel({"pk": 5})]}, error=V)),
    case("batch-write-delete-extra-key", batch_write({HS: [wdel({"pk": "a", "n": 1})]}, error=V)),
    case("batch-write-empty-key", batch_write({HS: [wput({"pk": ""})]}, error=V)),
    case("batch-write-empty-request", req("BatchWriteItem", {"RequestItems": {}}, error=V)),
    case("batch-write-empty-list", batch_write({HS: []}, error=V)),
    case(
        "batch-write-both-put-and-delete",
        batch_write(
            {
                HS: [
                    {
                        "PutRequest": {"Item": {"pk": {"S": "x"}}},
                        "DeleteRequest": {"Key": {"pk": {"S": "y"}}},
                    }
                ]
            },
            error=V,
        ),
    ),
    case("batch-write-neither", batch_write({HS: [{}]}, error=V)),
    case(
        "batch-write-bad-number",
        batch_write(
            {HS: [{"PutRequest": {"Item": {"pk": {"S": "x"}, "n": {"N": "1e999"}}}}]}, error=V
        ),
    ),
    case(
        "batch-write-index-key-type",
        batch_write({IDX: [wput({"pk": "x", "sk": "y", "gsk": "not-a-number"})]}, error=V),
    ),
    case(
        "batch-write-updates-indexes",
        batch_write(
            {
                IDX: [
                    wput({"pk": "u9", "sk": "a", "gpk": "G1", "gsk": 0}),
                    wdel({"pk": "u1", "sk": "a"}),
                ]
            }
        ),
        query(IDX, "gpk = :g", vals={":g": "G1"}, IndexName="gsi_all"),
    ),
    case(
        # Top-level numbers are stored in canonical text, nested ones as written; items with
        # and without numbers to rewrite in one batch (the engine copies only the former).
        "batch-write-numbers-normalised",
        batch_write(
            {
                HS: [
                    wput({"pk": "n1", "n": Num("1.50"), "m": {"x": Num("2.50")}}),
                    wput({"pk": "n2", "n": Num("7"), "ns": {Num("1E+2"), Num("3.0")}}),
                    wput({"pk": "n3", "n": Num("-0.000"), "l": [Num("1E+1"), Num("10")]}),
                    wput({"pk": "n4", "n": Num("12.5"), "m": {"x": Num("0012")}}),
                ]
            }
        ),
        get(HS, {"pk": "n1"}),
        get(HS, {"pk": "n2"}),
        get(HS, {"pk": "n3"}),
        get(HS, {"pk": "n4"}),
    ),
    case(
        "batch-write-number-keys",
        batch_write(
            {
                HN: [wput({"id": Num("1E+3"), "v": "a"}), wdel({"id": Num("1.0")})],
                HRN: [wput({"pk": "p", "sk": Num("-0.50"), "v": "b"})],
            }
        ),
        scan(HN),
        query(HRN, "pk = :p", vals={":p": "p"}),
    ),
    case(
        "batch-write-number-keys-same-value-twice",
        batch_write({HN: [wput({"id": Num("1E+3")}), wput({"id": Num("1000.0")})]}, error=V),
    ),
    case(
        "batch-write-deletes-only",
        batch_write({HS: [wdel({"pk": "a"}), wdel({"pk": "b"}), wdel({"pk": "nope"})]}),
        scan(HS),
    ),
    case(
        "batch-write-one-delete",
        batch_write({HS: [wdel({"pk": "a"})]}),
        scan(HS),
    ),
    case(
        # A table without indexes, then one with: every write still lands, indexes follow.
        "batch-write-plain-and-indexed-tables",
        batch_write(
            {
                HS: [wput({"pk": "p1", "v": Num("1.50")}), wdel({"pk": "a"})],
                IDX: [wput({"pk": "u8", "sk": "a", "gpk": "G1", "gsk": Num("2.0")})],
            }
        ),
        scan(HS),
        query(IDX, "gpk = :g", vals={":g": "G1"}, IndexName="gsi_all"),
    ),
    case(
        # A bad item in the second table: nothing of the first is written either.
        "batch-write-bad-item-in-second-table",
        batch_write(
            {
                HS: [wput({"pk": "ok1"}), wput({"pk": "ok2"})],
                HR: [wput({"pk": "z", "sk": 1, "bad": Num("x")})],
            },
            error=V,
        ),
        get(HS, {"pk": "ok1"}),
    ),
    case(
        "batch-write-item-collection-metrics",
        batch_write({IDX: [wput({"pk": "u1", "sk": "z"})]}, ReturnItemCollectionMetrics="SIZE"),
    ),
]

CASES = GETS + WRITES


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
