"""The suite's size claim stays true: at least 400 requests, at least a third of them errors."""

from __future__ import annotations

from collections import Counter

from . import (
    test_batch,
    test_capacity,
    test_expressions,
    test_items,
    test_limits,
    test_query_scan,
    test_tables,
    test_transactions,
)
from .harness import WAIT, Case

MODULES = (
    test_tables,
    test_items,
    test_limits,
    test_expressions,
    test_query_scan,
    test_batch,
    test_transactions,
    test_capacity,
)


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for module in MODULES:
        cases.extend(param.values[0] for param in module.CASES)
    return cases


def test_at_least_400_requests_a_third_of_them_errors() -> None:
    requests = [r for c in all_cases() for r in c.requests if r.op != WAIT]
    errors = [r for r in requests if r.error or r.engine_error]
    assert len(requests) >= 400, len(requests)
    assert len(errors) * 3 >= len(requests), (len(errors), len(requests))


def test_every_operation_is_covered() -> None:
    operations = Counter(r.op for c in all_cases() for r in c.requests)
    expected = {
        "CreateTable",
        "DeleteTable",
        "DescribeTable",
        "ListTables",
        "UpdateTable",
        "UpdateTimeToLive",
        "DescribeTimeToLive",
        "PutItem",
        "GetItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
    }
    assert expected <= set(operations), expected - set(operations)


def test_case_names_are_unique() -> None:
    names = Counter(c.name for c in all_cases())
    assert not [n for n, k in names.items() if k > 1]
