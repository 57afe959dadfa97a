"""Key encoding: byte order of encoded values is DynamoDB's order for S, N and B."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sortkey.engine.keys import (
    encode_composite,
    encode_number,
    encode_value,
    partition_hash,
    partition_key,
    scalar_partition_key,
    segment_bounds,
)

# Numbers DynamoDB accepts: up to 38 significant digits, magnitude 1E-130 .. <1E+126.
numbers = st.builds(
    lambda digits, exponent, negative: Decimal(f"{'-' if negative else ''}{digits}E{exponent}"),
    st.integers(min_value=1, max_value=10**38 - 1),
    st.integers(min_value=-130, max_value=88),
    st.booleans(),
) | st.just(Decimal(0))


def _cmp(a: object, b: object) -> int:
    return int((a > b) - (a < b))  # type: ignore[operator]


@given(numbers, numbers)
def test_number_byte_order_is_numeric_order(a: Decimal, b: Decimal) -> None:
    assert _cmp(encode_number(str(a)), encode_number(str(b))) == _cmp(a, b)


@given(numbers)
def test_equal_numbers_encode_equally_whatever_their_text(a: Decimal) -> None:
    sign, digits, exponent = a.as_tuple()
    assert isinstance(exponent, int)
    padded = f"{'-' if sign else ''}{''.join(map(str, digits))}000E{exponent - 3}"
    assert encode_number(str(a)) == encode_number(padded)


@given(st.text(), st.text())
def test_string_byte_order_is_utf8_order(a: str, b: str) -> None:
    # DynamoDB compares strings by UTF-8 bytes (not by UTF-16 code units).
    assert _cmp(encode_value({"S": a}), encode_value({"S": b})) == _cmp(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


@given(st.binary(), st.binary())
def test_binary_byte_order_is_unsigned_byte_order(a: bytes, b: bytes) -> None:
    assert _cmp(encode_value({"B": a}), encode_value({"B": b})) == _cmp(a, b)


@given(st.lists(st.tuples(st.binary(), numbers), min_size=2, max_size=2))
def test_composite_order_is_tuple_order(pairs: list[tuple[bytes, Decimal]]) -> None:
    (a1, a2), (b1, b2) = pairs
    ea = encode_composite([{"B": a1}, {"N": str(a2)}])
    eb = encode_composite([{"B": b1}, {"N": str(b2)}])
    assert _cmp(ea, eb) == _cmp((a1, a2), (b1, b2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("0", "80", id="zero"),
        pytest.param("1", "c102", id="one"),
        pytest.param("-1", "3e6466", id="minus-one"),
        pytest.param("100", "c202", id="hundred"),
    ],
)
def test_number_encoding_golden(text: str, expected: str) -> None:
    # DynamoDB Local's base-100 encoding (LocalDBUtils.encodeBigDecimal).
    assert encode_number(text).hex() == expected


def test_partition_hash_orders_like_dynamodb_local_scan() -> None:
    # Observed on DynamoDB Local: Scan order of a table with string keys p0..p19.
    observed = [
        "p7",
        "p9",
        "p13",
        "p3",
        "p14",
        "p0",
        "p18",
        "p10",
        "p15",
        "p2",
        "p16",
        "p5",
        "p11",
        "p17",
        "p6",
        "p19",
        "p1",
        "p12",
        "p8",
        "p4",
    ]
    assert sorted(observed, key=lambda v: partition_hash([{"S": v}])) == observed
    numbers_seen = [
        "2",
        "9",
        "12",
        "15",
        "1",
        "3",
        "5",
        "8",
        "10",
        "7",
        "11",
        "14",
        "0",
        "17",
        "19",
        "13",
        "16",
        "6",
        "18",
        "4",
    ]
    assert sorted(numbers_seen, key=lambda v: partition_hash([{"N": v}])) == numbers_seen


def test_segments_cover_the_hash_space_without_overlap() -> None:
    total = 7
    bounds = [segment_bounds(i, total) for i in range(total)]
    assert bounds[0][0] == bytes(20)
    assert bounds[-1][1] is None
    for (_, high), (low, _) in zip(bounds, bounds[1:], strict=False):
        assert high == low


@given(
    st.one_of(
        st.builds(lambda s: {"S": s}, st.text(min_size=1)),
        st.builds(lambda n: {"N": str(n)}, numbers),
        st.builds(lambda b: {"B": b}, st.binary(min_size=1)),
        st.builds(lambda b: {"B": bytearray(b)}, st.binary(min_size=1)),
    )
)
def test_scalar_partition_key_is_partition_key(av: dict[str, Any]) -> None:
    assert scalar_partition_key(av) == partition_key([av])
    assert scalar_partition_key(av) == partition_key([av])  # remembered: the same answer
