"""TransactWriteItems and TransactGetItems: all or nothing, reasons, idempotency."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .builders import (
    get,
    req,
    scan,
    tcheck,
    tdelete,
    tget,
    tput,
    transact_get,
    transact_write,
    tupdate,
)
from .fixtures import HR, HS, IDX
from .harness import Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"
RNF = "ResourceNotFoundException"
TC = "TransactionCanceledException"

_ALL_KINDS = (
    tput(HS, {"pk": "new", "v": 1}),
    tupdate(HS, {"pk": "a"}, "SET n = n + :one", vals={":one": 1}),
    tdelete(HS, {"pk": "b"}),
    tcheck(HS, {"pk": "c"}, "attribute_exists(pk)"),
)

WRITES = [
    case(
        "transact-all-kinds",
        transact_write(*_ALL_KINDS),
        scan(HS),
    ),
    case(
        "transact-two-tables",
        transact_write(
            tput(HS, {"pk": "new"}),
            tupdate(HR, {"pk": "a", "sk": 1}, "REMOVE tags"),
        ),
        get(HR, {"pk": "a", "sk": 1}),
    ),
    case(
        "transact-condition-fails-nothing-applied",
        transact_write(
            tput(HS, {"pk": "new"}),
            tcheck(HS, {"pk": "c"}, "n = :v", vals={":v": 99}),
            tdelete(HS, {"pk": "b"}),
            error=TC,
        ),
        scan(HS),
    ),
    case(
        "transact-several-conditions-fail",
        transact_write(
            tput(HS, {"pk": "a"}, ConditionExpression="attribute_not_exists(pk)"),
            tupdate(
                HS, {"pk": "b"}, "SET x = :v", ConditionExpression="n = :c", vals={":v": 1, ":c": 2}
            ),
            tdelete(HS, {"pk": "c"}, ConditionExpression="n = :c", vals={":c": 1}),
            error=TC,
        ),
    ),
    case(
        "transact-return-old-on-failure",
        transact_write(
            tput(
                HS,
                {"pk": "a"},
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            tcheck(
                HS,
                {"pk": "nope"},
                "attribute_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            error=TC,
        ),
    ),
    case(
        "transact-update-creates",
        transact_write(tupdate(HS, {"pk": "fresh"}, "ADD c :one", vals={":one": 1})),
        get(HS, {"pk": "fresh"}),
    ),
    case(
        "transact-same-item-twice",
        transact_write(tput(HS, {"pk": "a"}), tdelete(HS, {"pk": "a"}), error=V),
    ),
    case(
        "transact-same-item-check-and-put",
        transact_write(
            tput(HS, {"pk": "a"}), tcheck(HS, {"pk": "a"}, "attribute_exists(pk)"), error=V
        ),
    ),
    case("transact-100-actions", transact_write(*[tput(HS, {"pk": f"t{i}"}) for i in range(100)])),
    case(
        "transact-101-actions",
        transact_write(*[tput(HS, {"pk": f"t{i}"}) for i in range(101)], error=V),
    ),
    case("transact-empty", transact_write(error=V)),
    case("transact-missing-table", transact_write(tput("missing", {"pk": "a"}), error=RNF)),
    case("transact-wrong-key", transact_write(tdelete(HR, {"pk": "a"}), error=V)),
    case(
        "transact-update-key",
        transact_write(tupdate(HS, {"pk": "a"}, "SET pk = :v", vals={":v": "b"}), error=TC),
    ),
    case(
        "transact-update-type-error",
        transact_write(
            tput(HS, {"pk": "new"}),
            tupdate(HS, {"pk": "a"}, "SET s = s + :one", vals={":one": 1}),
            error=V,
        ),
        get(HS, {"pk": "new"}),
    ),
    case(
        "transact-item-too-large",
        transact_write(tput(HS, {"pk": "big", "a": "x" * 409600}), error=V),
    ),
    case(
        "transact-syntax-error",
        transact_write(tupdate(HS, {"pk": "a"}, "SET = :v", vals={":v": 1}), error=V),
    ),
    case(
        "transact-unused-value",
        transact_write(tcheck(HS, {"pk": "a"}, "attribute_exists(pk)", vals={":v": 1}), error=V),
    ),
    case(
        "transact-check-without-condition",
        req(
            "TransactWriteItems",
            {"TransactItems": [{"ConditionCheck": {"TableName": HS, "Key": {"pk": {"S": "a"}}}}]},
            error=V,
        ),
    ),
    case(
        "transact-two-kinds-in-one-entry",
        req(
            "TransactWriteItems",
            {
                "TransactItems": [
                    {
                        "Put": {"TableName": HS, "Item": {"pk": {"S": "x"}}},
                        "Delete": {"TableName": HS, "Key": {"pk": {"S": "y"}}},
                    }
                ]
            },
            error=V,
        ),
    ),
    case(
        "transact-index-key-type",
        transact_write(tput(IDX, {"pk": "x", "sk": "y", "gpk": 1}), error=TC),
    ),
    case(
        "transact-idempotent-token",
        transact_write(
            tupdate(HS, {"pk": "a"}, "ADD c :one", vals={":one": 1}), ClientRequestToken="tok-1"
        ),
        transact_write(
            tupdate(HS, {"pk": "a"}, "ADD c :one", vals={":one": 1}), ClientRequestToken="tok-1"
        ),
        get(HS, {"pk": "a"}),
    ),
    case(
        "transact-index-key-set-type-before-conditions",
        transact_write(
            tput(IDX, {"pk": "x", "sk": "y", "gpk": {"p"}}),
            tcheck(HS, {"pk": "a"}, "attribute_not_exists(pk)"),
            error=V,
        ),
    ),
    case(
        "transact-token-mismatch",
        transact_write(tput(HS, {"pk": "x", "v": 1}), ClientRequestToken="tok-2"),
        transact_write(
            tput(HS, {"pk": "x", "v": 2}),
            ClientRequestToken="tok-2",
            error="IdempotentParameterMismatchException",
            message=False,
            why="DynamoDB Local sends this error without a message",
        ),
        get(HS, {"pk": "x"}),
    ),
    case(
        "transact-token-too-long",
        transact_write(tput(HS, {"pk": "x"}), ClientRequestToken="t" * 37, error=V),
    ),
]

GETS = [
    case(
        "transact-get",
        transact_get(
            tget(HS, {"pk": "a"}), tget(HS, {"pk": "nope"}), tget(HR, {"pk": "a", "sk": 2})
        ),
    ),
    case(
        "transact-get-projection",
        transact_get(tget(HS, {"pk": "a"}, ProjectionExpression="#m.y", names={"#m": "m"})),
    ),
    case(
        "transact-get-projection-reserved",
        transact_get(tget(HS, {"pk": "a"}, ProjectionExpression="name"), error=V),
    ),
    case("transact-get-missing-table", transact_get(tget("missing", {"pk": "a"}), error=RNF)),
    case("transact-get-wrong-key", transact_get(tget(HR, {"pk": "a"}), error=TC)),
    case(
        "transact-get-same-item-twice",
        transact_get(tget(HS, {"pk": "a"}), tget(HS, {"pk": "a"}), error=V),
    ),
    case("transact-get-100", transact_get(*[tget(HR, {"pk": "a", "sk": i}) for i in range(100)])),
    case(
        "transact-get-101",
        transact_get(*[tget(HR, {"pk": "a", "sk": i}) for i in range(101)], error=V),
    ),
    case(
        "transact-get-empty",
        transact_get(
            error=V, message=False, why="DynamoDB Local calls the empty list null in its message"
        ),
    ),
]

CASES = WRITES + GETS


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
