"""ReturnConsumedCapacity (NONE / TOTAL / INDEXES) on every data operation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .builders import (
    batch_get,
    batch_write,
    delete,
    get,
    put,
    query,
    scan,
    tcheck,
    tget,
    tput,
    transact_get,
    transact_write,
    update,
    wput,
)
from .fixtures import BIG, HR, HS, IDX, PROV
from .harness import Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"
MODES = ("TOTAL", "INDEXES")


def _both(name: str, build: Callable[[str], object]) -> list[object]:
    return [case(f"capacity-{name}-{mode.lower()}", build(mode)) for mode in MODES]


_KB = "x" * 1024

CASES = [
    *_both("put-small", lambda m: put(HS, {"pk": "c1"}, ReturnConsumedCapacity=m)),
    *_both(
        "put-1.5kb", lambda m: put(HS, {"pk": "c1", "a": _KB + "x" * 512}, ReturnConsumedCapacity=m)
    ),
    *_both("put-10kb", lambda m: put(HS, {"pk": "c1", "a": _KB * 10}, ReturnConsumedCapacity=m)),
    *_both(
        "put-replaces-larger",
        lambda m: put(HS, {"pk": "a", "a": _KB * 3}, ReturnConsumedCapacity=m),
    ),
    *_both(
        "put-indexes",
        lambda m: put(
            IDX,
            {"pk": "u1", "sk": "a", "gpk": "G9", "gsk": 1, "lsk": "q"},
            ReturnConsumedCapacity=m,
        ),
    ),
    *_both("put-provisioned", lambda m: put(PROV, {"pk": "b", "g": "y"}, ReturnConsumedCapacity=m)),
    *_both("get-eventual", lambda m: get(HS, {"pk": "a"}, ReturnConsumedCapacity=m)),
    *_both(
        "get-consistent",
        lambda m: get(HS, {"pk": "a"}, ConsistentRead=True, ReturnConsumedCapacity=m),
    ),
    *_both("get-missing", lambda m: get(HS, {"pk": "nope"}, ReturnConsumedCapacity=m)),
    *_both("get-big", lambda m: get(BIG, {"pk": "p", "sk": 1}, ReturnConsumedCapacity=m)),
    *_both(
        "update",
        lambda m: update(HS, {"pk": "a"}, "SET x = :v", vals={":v": 1}, ReturnConsumedCapacity=m),
    ),
    *_both(
        "update-index-key",
        lambda m: update(
            IDX,
            {"pk": "u1", "sk": "a"},
            "SET gpk = :v",
            vals={":v": "G7"},
            ReturnConsumedCapacity=m,
        ),
    ),
    *_both("delete", lambda m: delete(HS, {"pk": "a"}, ReturnConsumedCapacity=m)),
    *_both(
        "delete-indexed", lambda m: delete(IDX, {"pk": "u1", "sk": "a"}, ReturnConsumedCapacity=m)
    ),
    *_both(
        "conditional-failure",
        lambda m: put(
            HS,
            {"pk": "a"},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnConsumedCapacity=m,
            error="ConditionalCheckFailedException",
        ),
    ),
    *_both("query", lambda m: query(HR, "pk = :p", vals={":p": "a"}, ReturnConsumedCapacity=m)),
    *_both(
        "query-gsi",
        lambda m: query(
            IDX, "gpk = :g", vals={":g": "G1"}, IndexName="gsi_all", ReturnConsumedCapacity=m
        ),
    ),
    *_both(
        "query-lsi-fetch",
        lambda m: query(
            IDX,
            "pk = :p",
            vals={":p": "u1"},
            IndexName="lsi_keys",
            Select="ALL_ATTRIBUTES",
            ReturnConsumedCapacity=m,
        ),
    ),
    *_both(
        "query-big-consistent",
        lambda m: query(
            BIG,
            "pk = :p",
            vals={":p": "p"},
            ConsistentRead=True,
            Select="COUNT",
            ReturnConsumedCapacity=m,
        ),
    ),
    *_both("scan", lambda m: scan(HS, ReturnConsumedCapacity=m)),
    *_both("scan-big", lambda m: scan(BIG, Select="COUNT", ReturnConsumedCapacity=m)),
    *_both(
        "batch-get",
        lambda m: batch_get(
            {HS: [{"pk": "a"}, {"pk": "b"}], HR: [{"pk": "a", "sk": 1}]}, ReturnConsumedCapacity=m
        ),
    ),
    *_both(
        "batch-write",
        lambda m: batch_write(
            {
                HS: [wput({"pk": "n1"}), wput({"pk": "n2", "a": _KB * 2})],
                IDX: [wput({"pk": "x", "sk": "y", "gpk": "G"})],
            },
            ReturnConsumedCapacity=m,
        ),
    ),
    *_both(
        "transact-write",
        lambda m: transact_write(
            tput(HS, {"pk": "t1"}),
            tcheck(HS, {"pk": "a"}, "attribute_exists(pk)"),
            ReturnConsumedCapacity=m,
        ),
    ),
    *_both(
        "transact-get",
        lambda m: transact_get(
            tget(HS, {"pk": "a"}), tget(HR, {"pk": "a", "sk": 1}), ReturnConsumedCapacity=m
        ),
    ),
    case("capacity-none", put(HS, {"pk": "c1"}, ReturnConsumedCapacity="NONE")),
]


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
