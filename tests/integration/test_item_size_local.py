"""sortkey.codec checked against real engines: item sizes at 400 KB, number text, nesting.

Runs on every ``backend`` of tests/conftest.py (DynamoDB Local, the oracle, and the embedded
engine). Each item size case pads an item with a string attribute until :func:`item_size` says
exactly 409,600 bytes: the engine must accept it, and refuse the same item one byte larger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sortkey.backends import Backend
from sortkey.codec import MAX_ITEM_SIZE, item_size, serialize, serialize_item
from sortkey.errors import ItemTooLarge

pytestmark = pytest.mark.integration

KEY = {"pk": "size", "sk": "0"}

SHAPES: list[Any] = [
    pytest.param({}, id="strings-only"),
    pytest.param({"n": 1, "m": -12, "big": 10**50, "tiny": Decimal("1E-130")}, id="ints"),
    pytest.param({"d": Decimal("-123.456"), "f": 0.1, "e": 12.5, "z": 0}, id="fractions"),
    pytest.param({"n38": Decimal("1." + "9" * 37), "neg38": -(10**37 + 1)}, id="38-digits"),
    pytest.param({"ütf": "é€😀", "b": b"\x00\xff\x10", "empty": "", "eb": b""}, id="utf8-binary"),
    pytest.param({"t": True, "f": False, "null": None}, id="bool-null"),
    pytest.param({"ss": {"a", "bc", "é"}, "ns": {1, 123, Decimal("-0.5")}}, id="sets"),
    pytest.param({"bs": {b"a", b"bcd"}}, id="binary-set"),
    pytest.param({"l": [], "m": {}, "l2": ["ab", 5, None]}, id="lists-maps"),
    pytest.param({"doc": {"l": [{"q": None}, {"z"}], "é": {"x": [1, [2, {"y": "z"}]]}}}, id="deep"),
]


def padded(extra: dict[str, Any], size: int) -> dict[str, Any]:
    """The item KEY + extra + a filler string, whose item_size is exactly ``size``."""
    item = serialize_item({**KEY, **extra, "filler": ""})
    missing = size - item_size(item)
    assert missing >= 0
    item["filler"] = {"S": "x" * missing}
    assert item_size(item) == size
    return item


@pytest.mark.parametrize("extra", SHAPES)
def test_item_of_exactly_max_size_is_accepted_and_one_byte_more_refused(
    backend: Backend, table_name: str, extra: dict[str, Any]
) -> None:
    backend.call("PutItem", {"TableName": table_name, "Item": padded(extra, MAX_ITEM_SIZE)})
    with pytest.raises(ItemTooLarge, match="Item size has exceeded the maximum allowed size"):
        backend.call("PutItem", {"TableName": table_name, "Item": padded(extra, MAX_ITEM_SIZE + 1)})


NUMBERS = [
    0,
    -7,
    10**50,
    -(10**125),
    Decimal("1E+2"),
    Decimal("1.50"),
    Decimal("-0.000"),
    Decimal("1E-130"),
    Decimal("9.9999999999999999999999999999999999999E+125"),
    Decimal("0.000012300"),
    0.1,
    1e16,
    1.5e-7,
    -0.0,
    123.0,
]


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
def test_number_text_is_what_the_engine_returns(
    backend: Backend, table_name: str, value: object
) -> None:
    sent = serialize(value)
    item = {**serialize_item(KEY), "n": sent}
    backend.call("PutItem", {"TableName": table_name, "Item": item})
    key = serialize_item(KEY)
    stored = backend.call("GetItem", {"TableName": table_name, "Key": key, "ConsistentRead": True})
    assert stored["Item"]["n"] == sent


def test_deepest_nesting_the_codec_allows_is_accepted(backend: Backend, table_name: str) -> None:
    value: Any = "x"
    for level in range(31):  # 31 lists and maps around a scalar: the scalar is at level 32
        value = {"k": value} if level % 2 else [value]
    item = serialize_item({**KEY, "deep": value})
    backend.call("PutItem", {"TableName": table_name, "Item": item})
