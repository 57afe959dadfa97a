"""Limits and number rules: precision and normalisation, item size, key size, nesting."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .builders import get, put, req
from .fixtures import HB, HS, IDX
from .harness import Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"

NUMBERS = [
    ("1E+2", None),
    ("-0", None),
    ("1.50", None),
    ("0.0", None),
    ("00012", None),
    ("1e2", None),
    ("-1.0E-5", None),
    ("+5", None),
    (".5", None),
    ("5.", None),
    ("12345678901234567890123456789012345678", None),
    ("1234567890123456789012345678901234567.8", None),
    ("123456789012345678901234567890123456789", V),
    ("1.23456789012345678901234567890123456789", V),
    ("1000000000000000000000000000000000000000", None),
    ("9.9999999999999999999999999999999999999E+125", None),
    ("1E+126", V),
    ("1E-130", None),
    ("1E-131", V),
    ("-1E+126", V),
    ("0.000000000000000000000000000000000000000000001", None),
    ("1_000", V),
    ("0x10", V),
    ("Infinity", V),
    ("NaN", V),
    (" 1", V),
]


def _number_case(text: str, error: str | None) -> object:
    name = f"number-{text.strip() or 'blank'}"
    put_req = req(
        "PutItem", {"TableName": HS, "Item": {"pk": {"S": "num"}, "v": {"N": text}}}, error=error
    )
    if error:
        return case(name, put_req)
    return case(name, put_req, get(HS, {"pk": "num"}))


NUMBER_CASES = [_number_case(t, e) for t, e in NUMBERS]


def _nest(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = {"x": value}
    return value


LIMITS = [
    case(
        "item-just-under-400kb",
        put(HS, {"pk": "big", "a": "x" * (400 * 1024 - 10)}),
        get(HS, {"pk": "big"}, ProjectionExpression="pk"),
    ),
    case("item-over-400kb", put(HS, {"pk": "big", "a": "x" * (400 * 1024)}, error=V)),
    # The limit is 409600 bytes of UTF-8 attribute names plus values ("pk" + "big" = 5).
    case("item-exactly-400kb", put(HS, {"pk": "big", "a": "x" * 409594})),
    case("item-400kb-plus-one", put(HS, {"pk": "big", "a": "x" * 409595}, error=V)),
    case("item-400kb-names-count", put(HS, {"pk": "big", "a" * 1019: "x" * (399 * 1024)})),
    case(
        "item-over-400kb-by-name", put(HS, {"pk": "big", "a" * 1020: "x" * (399 * 1024)}, error=V)
    ),
    case("item-400kb-multibyte", put(HS, {"pk": "big", "a": "é" * 204798}, error=V)),
    case("hash-key-2048-bytes", put(HS, {"pk": "k" * 2048}), get(HS, {"pk": "k" * 2048})),
    case("hash-key-2049-bytes", put(HS, {"pk": "k" * 2049}, error=V)),
    case("hash-key-multibyte-over", put(HS, {"pk": "é" * 1025}, error=V)),
    case("range-key-1024-bytes", put(IDX, {"pk": "a", "sk": "s" * 1024})),
    case("range-key-1025-bytes", put(IDX, {"pk": "a", "sk": "s" * 1025}, error=V)),
    case("binary-hash-key-over", put(HB, {"id": b"\x01" * 2049}, error=V)),
    case("get-hash-key-over", get(HS, {"pk": "k" * 2049}, error=V)),
    case("deeply-nested-32", put(HS, {"pk": "deep", "d": _nest(31)})),
    case("deeply-nested-over-32", put(HS, {"pk": "deep", "d": _nest(32)}, error=V)),
]


CASES = NUMBER_CASES + LIMITS


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
