"""Unit and property tests of sortkey.codec (Python values <-> DynamoDB wire format)."""

from __future__ import annotations

import collections
import doctest
import enum
import math
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from sortkey import codec
from sortkey.codec import (
    MAX_ITEM_SIZE,
    deserialize,
    deserialize_item,
    item_size,
    serialize,
    serialize_item,
)
from sortkey.errors import SerializationError


class Color(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Plain(enum.Enum):
    A = 1


class MyFloat(float):
    pass


def nested_lists(depth: int, inner: Any) -> Any:
    for _ in range(depth):
        inner = [inner]
    return inner


def nested_maps(depth: int, inner: Any) -> Any:
    for _ in range(depth):
        inner = {"x": inner}
    return inner


# --- serialize: every supported type --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("x", {"S": "x"}, id="str"),
        pytest.param("", {"S": ""}, id="empty-str"),
        pytest.param(True, {"BOOL": True}, id="bool-true-before-int"),
        pytest.param(False, {"BOOL": False}, id="bool-false"),
        pytest.param(None, {"NULL": True}, id="none"),
        pytest.param(0, {"N": "0"}, id="int-zero"),
        pytest.param(-42, {"N": "-42"}, id="int-negative"),
        pytest.param(10**50, {"N": "1" + "0" * 50}, id="int-trailing-zeros-not-significant"),
        pytest.param(10**38 - 1, {"N": "9" * 38}, id="int-38-digits"),
        pytest.param(-(10**125), {"N": "-1" + "0" * 125}, id="int-most-negative-magnitude"),
        pytest.param(Decimal("1E+2"), {"N": "100"}, id="decimal-exponent-to-positional"),
        pytest.param(Decimal("1.50"), {"N": "1.5"}, id="decimal-trailing-zero"),
        pytest.param(Decimal("-0.00"), {"N": "0"}, id="decimal-negative-zero"),
        pytest.param(Decimal("0E-200"), {"N": "0"}, id="decimal-zero-any-exponent"),
        pytest.param(Decimal("12.34"), {"N": "12.34"}, id="decimal-plain"),
        pytest.param(Decimal("1E-130"), {"N": "0." + "0" * 129 + "1"}, id="decimal-smallest"),
        pytest.param(
            Decimal("9.9999999999999999999999999999999999999E+125"),
            {"N": "9" * 38 + "0" * 88},
            id="decimal-largest",
        ),
        pytest.param(
            Decimal("1.234567890123456789012345678901234567800"),
            {"N": "1.2345678901234567890123456789012345678"},
            id="decimal-38-digits-never-rounded",
        ),
        pytest.param(0.1, {"N": "0.1"}, id="float-shortest-repr"),
        pytest.param(123.0, {"N": "123"}, id="float-integral"),
        pytest.param(-0.0, {"N": "0"}, id="float-negative-zero"),
        pytest.param(1e16, {"N": "10000000000000000"}, id="float-exponent-repr"),
        pytest.param(1.5e-7, {"N": "0.00000015"}, id="float-small"),
        pytest.param(b"\x00\xff", {"B": b"\x00\xff"}, id="bytes"),
        pytest.param(bytearray(b"ab"), {"B": b"ab"}, id="bytearray"),
        pytest.param(memoryview(b"ab"), {"B": b"ab"}, id="memoryview"),
        pytest.param(Binary(b"ab"), {"B": b"ab"}, id="boto3-binary"),
        pytest.param({"b", "a"}, {"SS": ["a", "b"]}, id="string-set-sorted"),
        pytest.param(frozenset({2, Decimal("1.5"), 0.5}), {"NS": ["0.5", "1.5", "2"]}, id="ns"),
        pytest.param({b"b", b"a"}, {"BS": [b"a", b"b"]}, id="binary-set"),
        pytest.param([1, "a", None], {"L": [{"N": "1"}, {"S": "a"}, {"NULL": True}]}, id="list"),
        pytest.param((1,), {"L": [{"N": "1"}]}, id="tuple"),
        pytest.param([], {"L": []}, id="empty-list"),
        pytest.param({}, {"M": {}}, id="empty-map"),
        pytest.param(
            {"a": {"b": [True]}}, {"M": {"a": {"M": {"b": {"L": [{"BOOL": True}]}}}}}, id="map"
        ),
        pytest.param(collections.OrderedDict(a=1), {"M": {"a": {"N": "1"}}}, id="dict-subclass"),
        pytest.param(Color.RED, {"S": "red"}, id="str-enum-as-str"),
        pytest.param(Level.HIGH, {"N": "3"}, id="int-enum-as-int"),
        pytest.param(MyFloat(2.5), {"N": "2.5"}, id="float-subclass"),
        pytest.param({Color.RED: [Level.HIGH]}, {"M": {"red": {"L": [{"N": "3"}]}}}, id="enum-key"),
        pytest.param({"a": 1}.keys(), {"SS": ["a"]}, id="abstract-set"),
    ],
)
def test_serialize(value: object, expected: dict[str, Any]) -> None:
    assert serialize(value) == expected


def nested_wire(depth: int, inner: Any) -> Any:
    for _ in range(depth):
        inner = {"L": [inner]}
    return inner


def test_deepest_scalar_wire_shape() -> None:
    # 31 lists around a scalar: the scalar sits at level 32, the most DynamoDB accepts.
    assert serialize(nested_lists(31, "x")) == nested_wire(31, {"S": "x"})


def test_serialize_sets_are_deterministic_lists() -> None:
    out = serialize({"c", "a", "b"})
    assert out == {"SS": ["a", "b", "c"]}
    assert type(out["SS"]) is list


def test_serialize_bytes_like_become_bytes() -> None:
    assert type(serialize(bytearray(b"x"))["B"]) is bytes
    assert type(serialize(memoryview(b"x"))["B"]) is bytes


def test_serialize_item() -> None:
    assert serialize_item({"pk": "USER#1", "n": 1, "f": 0.5, "d": Decimal("2"), "ok": True}) == {
        "pk": {"S": "USER#1"},
        "n": {"N": "1"},
        "f": {"N": "0.5"},
        "d": {"N": "2"},
        "ok": {"BOOL": True},
    }


def test_serialize_does_not_depend_on_decimal_context() -> None:
    # The default context has 28 digits; a 38-digit Decimal must not be rounded to it.
    value = Decimal("12345678901234567890123456789012345678")
    assert serialize(value) == {"N": "12345678901234567890123456789012345678"}
    assert serialize(Decimal(f"{value}E-100")) == {"N": "0." + "0" * 62 + str(value)}


# --- serialize: every refusal, with its message -----------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(object(), "at value: cannot store a value of type 'object'", id="object"),
        pytest.param(Plain.A, "type 'test_codec.Plain'", id="plain-enum"),
        pytest.param(
            {"a": {"b": [1, 2, object()]}},
            "at value['a']['b'][2]: cannot store a value of type 'object'",
            id="path-in-message",
        ),
        pytest.param(float("nan"), "at value: number nan cannot be stored", id="nan"),
        pytest.param(float("inf"), "DynamoDB refuses NaN and Infinity", id="inf"),
        pytest.param(Decimal("NaN"), "DynamoDB refuses NaN and Infinity", id="decimal-nan"),
        pytest.param(Decimal("-Infinity"), "refuses NaN and Infinity", id="decimal-inf"),
        pytest.param(Decimal("sNaN"), "refuses NaN and Infinity", id="decimal-snan"),
        pytest.param(10**126, "is too large", id="int-overflow"),
        pytest.param(10**5000, "number 1.000000E+5000 is too large", id="huge-int-short-message"),
        pytest.param(Decimal("1E+126"), "smaller in magnitude than 1E+126", id="decimal-overflow"),
        pytest.param(Decimal("-1E-131"), "at least 1E-130 in magnitude", id="decimal-underflow"),
        pytest.param(1e200, "number 1e+200 is too large", id="float-overflow"),
        pytest.param(1e-200, "number 1e-200 is too small", id="float-underflow"),
        pytest.param(
            10**38 + 1, "has 39 significant digits; DynamoDB keeps at most 38", id="int-39-digits"
        ),
        pytest.param(
            Decimal("1.23456789012345678901234567890123456789"),
            "has 39 significant digits",
            id="decimal-39-digits",
        ),
        pytest.param(set(), "empty set: DynamoDB refuses empty sets", id="empty-set"),
        pytest.param(frozenset(), "empty set", id="empty-frozenset"),
        pytest.param({"a", 1}, "a set mixing", id="mixed-set"),
        pytest.param({b"a", "a"}, "a set mixing", id="mixed-set-bytes-str"),
        pytest.param({True, "x"}, "a set may hold only strings, numbers or bytes", id="bool-set"),
        pytest.param({None}, "found None (NoneType)", id="none-set"),
        pytest.param({(1,)}, "found (1,) (tuple)", id="tuple-in-set"),
        pytest.param(
            {0.1, Decimal("0.1")},
            "number set has members that are equal once normalised (0.1)",
            id="ns-duplicates-after-normalisation",
        ),
        pytest.param({1: "a"}, "at value[1]: map key 1 (int) is not a str", id="int-key"),
        pytest.param({"": 1}, "at value['']: empty attribute name", id="empty-key"),
        pytest.param({"a": {"": 1}}, "at value['a']['']: empty attribute name", id="nested-key"),
        pytest.param(nested_lists(32, "x"), "too deeply nested: a list at level 32", id="deep-l"),
        pytest.param(nested_maps(31, {}), "a dict at level 32", id="deep-empty-map"),
        pytest.param(nested_lists(31, []), "a list at level 32", id="deep-empty-list"),
        pytest.param({"s": {1, "x"}}, "at value['s']: a set mixing", id="set-path"),
        pytest.param([1, [2, float("nan")]], "at value[1][1]: number nan", id="list-path"),
    ],
)
def test_serialize_refuses(value: object, message: str) -> None:
    with pytest.raises(SerializationError, match="^at ") as info:
        serialize(value)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_refusal_names_supported_types() -> None:
    with pytest.raises(SerializationError, match="supported: str, int, float, Decimal"):
        serialize(object())


def test_serialize_item_refusals_name_the_item_path() -> None:
    with pytest.raises(SerializationError, match=r"^at item\['a'\]\['b'\]\[2\]: cannot store"):
        serialize_item({"ok": 1, "a": {"b": [1, 2, object()]}})
    with pytest.raises(SerializationError, match=r"^at item\[''\]: empty attribute name"):
        serialize_item({"": 1})
    with pytest.raises(SerializationError, match="an item must be a mapping"):
        serialize_item([("a", 1)])  # type: ignore[arg-type]


# --- deserialize --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("av", "expected"),
    [
        pytest.param({"S": "x"}, "x", id="S"),
        pytest.param({"N": "12"}, 12, id="N-int"),
        pytest.param({"N": "-12"}, -12, id="N-negative-int"),
        pytest.param({"N": "1.5"}, Decimal("1.5"), id="N-decimal"),
        pytest.param({"N": "-0.25"}, Decimal("-0.25"), id="N-negative-decimal"),
        pytest.param({"N": "1.0"}, 1, id="N-integral-with-point"),
        pytest.param({"N": "1E+2"}, 100, id="N-exponent-integral"),
        pytest.param({"N": "1.5e-3"}, Decimal("0.0015"), id="N-exponent-fraction"),
        pytest.param({"N": "1" + "0" * 125}, 10**125, id="N-huge-int"),
        pytest.param({"N": "1."}, 1, id="N-integral-trailing-point"),
        pytest.param({"N": "-2.50"}, Decimal("-2.5"), id="N-trailing-zero-fraction"),
        pytest.param({"N": "1.5E+1"}, 15, id="N-exponent-ends-in-nonzero"),
        pytest.param({"M": {"a": {"N": "1.5e+1"}}}, {"a": 15}, id="M-N-exponent"),
        pytest.param({"L": [{"N": "2.5E+1"}, {"N": "0.5"}]}, [25, Decimal("0.5")], id="L-N"),
        pytest.param({"M": {"a": {"N": "3."}}}, {"a": 3}, id="M-N-trailing-point"),
        pytest.param({"B": b"ab"}, b"ab", id="B"),
        pytest.param({"B": bytearray(b"ab")}, b"ab", id="B-bytearray"),
        pytest.param({"B": memoryview(b"ab")}, b"ab", id="B-memoryview"),
        pytest.param({"B": Binary(b"ab")}, b"ab", id="B-boto3-binary"),
        pytest.param({"SS": ["a", "b"]}, {"a", "b"}, id="SS"),
        pytest.param({"NS": ["1", "2.5"]}, {1, Decimal("2.5")}, id="NS"),
        pytest.param({"BS": [b"a", Binary(b"b")]}, {b"a", b"b"}, id="BS"),
        pytest.param({"L": [{"S": "a"}, {"N": "1"}, {"M": {}}]}, ["a", 1, {}], id="L"),
        pytest.param({"M": {"a": {"L": [{"NULL": True}]}}}, {"a": [None]}, id="M"),
        pytest.param({"NULL": True}, None, id="NULL"),
        pytest.param({"BOOL": False}, False, id="BOOL"),
    ],
)
def test_deserialize(av: dict[str, Any], expected: object) -> None:
    value = deserialize(av)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("text", ["1E+1000000", "-1e999999999", "1E-1000000"])
def test_deserialize_refuses_numbers_outside_dynamodb_range_quickly(text: str) -> None:
    # int(Decimal("1E+1000000")) takes tens of seconds: a bad server must not hang the reader,
    # so the range is checked on the text, before any conversion (a regression shows up as this
    # test taking that long; speed itself is measured by bench/codec.py, not asserted here).
    with pytest.raises(SerializationError, match="outside DynamoDB's range"):
        deserialize({"M": {"a": {"N": text}}})


def test_deserialize_types_of_members() -> None:
    assert type(deserialize({"B": Binary(b"x")})) is bytes
    assert {type(m) for m in deserialize({"BS": [bytearray(b"x")]})} == {bytes}
    assert {type(m) for m in deserialize({"NS": ["1", "1.5"]})} == {int, Decimal}
    assert type(deserialize({"SS": ["a"]})) is set


@pytest.mark.parametrize(
    ("item", "message"),
    [
        pytest.param({"a": {"N": "x"}}, "at item['a']: N value 'x' is not a valid number", id="N"),
        pytest.param({"a": {"N": "NaN"}}, "N value 'NaN' is not a valid number", id="N-nan"),
        pytest.param({"a": {"NS": ["1", "zz"]}}, "NS value ['1', 'zz'] is not a valid", id="NS"),
        pytest.param({"a": {"Q": 1}}, "at item['a']: unknown AttributeValue type 'Q'", id="tag"),
        pytest.param({"a": {}}, "exactly one type key, got []", id="no-key"),
        pytest.param({"a": {"S": "x", "N": "1"}}, "exactly one type key, got ['N', 'S']", id="2"),
        pytest.param({"a": "x"}, "expected an AttributeValue dict, got str", id="not-a-dict"),
        pytest.param({"a": {"B": "YQ=="}}, "a B value must be bytes, not str", id="B-base64"),
        pytest.param(
            {"a": {"L": [{"S": "x"}, {"M": {"z": 5}}]}},
            "at item['a'][1]['z']: expected an AttributeValue dict, got int",
            id="nested-path",
        ),
    ],
)
def test_deserialize_refuses(item: dict[str, Any], message: str) -> None:
    with pytest.raises(SerializationError) as info:
        deserialize_item(item)
    assert message in str(info.value)


def test_deserialize_refusal_path_root_is_value() -> None:
    with pytest.raises(SerializationError, match=r"^at value\[0\]: unknown AttributeValue"):
        deserialize({"L": [{"X": 1}]})
    with pytest.raises(SerializationError, match=r"^at value: unknown AttributeValue type 'X'"):
        deserialize({"X": 1})


def test_deserialize_item_needs_a_mapping() -> None:
    with pytest.raises(SerializationError, match="an item must be a mapping"):
        deserialize_item([("a", {"S": "x"})])  # type: ignore[arg-type]


# --- floats read back exactly ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [0.1, 0.2 + 0.1, 1 / 3, 1e16, 1e-100, 1e125, -2.5e-130 * 1e10, 5e-5, 123456789.123, 2.0**53],
)
def test_float_round_trip_is_exact(value: float) -> None:
    assert float(deserialize(serialize(value))) == value


# --- item_size ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "size"),
    [
        # The developer guide's rules, one type at a time (name length + value size).
        pytest.param({"name": {"S": "abc"}}, 4 + 3, id="S"),
        pytest.param({"é": {"S": "é€😀"}}, 2 + 9, id="S-utf8"),
        pytest.param({"b": {"B": b"\x00\x01\x02"}}, 1 + 3, id="B-raw-bytes"),
        pytest.param({"b": {"B": b""}}, 1, id="B-empty"),
        pytest.param({"t": {"BOOL": True}}, 2, id="BOOL"),
        pytest.param({"t": {"NULL": True}}, 2, id="NULL"),
        pytest.param({"l": {"L": []}}, 1 + 3, id="L-empty"),
        pytest.param({"m": {"M": {}}}, 1 + 3, id="M-empty"),
        pytest.param({"l": {"L": [{"S": "ab"}, {"N": "5"}]}}, 1 + 3 + (1 + 2) + (1 + 2), id="L"),
        pytest.param(
            {"m": {"M": {"ab": {"S": "xyz"}, "é": {"BOOL": False}}}},
            1 + 3 + (2 + 1 + 3) + (2 + 1 + 1),
            id="M",
        ),
        pytest.param({"s": {"SS": ["a", "bc", "é"]}}, 1 + 5, id="SS"),
        pytest.param({"s": {"NS": ["1", "123", "-0.5"]}}, 1 + 2 + 3 + 3, id="NS"),
        pytest.param({"s": {"BS": [b"a", b"bcd"]}}, 1 + 4, id="BS"),
        # Numbers: 1 byte + base-100 digits (pairs aligned on the point) + 1 if negative.
        # Each size below was measured on DynamoDB Local at the 400 KB boundary.
        pytest.param({"n": {"N": "0"}}, 1 + 1, id="N-0"),
        pytest.param({"n": {"N": "1"}}, 1 + 2, id="N-1"),
        pytest.param({"n": {"N": "12"}}, 1 + 2, id="N-12"),
        pytest.param({"n": {"N": "100"}}, 1 + 2, id="N-100"),
        pytest.param({"n": {"N": "123"}}, 1 + 3, id="N-123"),
        pytest.param({"n": {"N": "1234"}}, 1 + 3, id="N-1234"),
        pytest.param({"n": {"N": "-1"}}, 1 + 3, id="N-negative"),
        pytest.param({"n": {"N": "0.1"}}, 1 + 2, id="N-0.1"),
        pytest.param({"n": {"N": "0.01"}}, 1 + 2, id="N-0.01"),
        pytest.param({"n": {"N": "1.5"}}, 1 + 3, id="N-1.5"),
        pytest.param({"n": {"N": "12.5"}}, 1 + 3, id="N-12.5"),
        pytest.param({"n": {"N": "9" * 38}}, 1 + 20, id="N-38-digits"),
        pytest.param({"n": {"N": "1E-130"}}, 1 + 2, id="N-exponent-text"),
        pytest.param({"n": {"N": "1.00"}}, 1 + 2, id="N-non-canonical-text"),
        pytest.param(
            {"m": {"M": {"l": {"L": [{"M": {"q": {"NULL": True}}}, {"SS": ["z"]}]}}}},
            1 + 3 + (1 + 1 + 3 + (1 + 3 + (1 + 1 + 1)) + (1 + 1)),
            id="nested",
        ),
    ],
)
def test_item_size(item: dict[str, Any], size: int) -> None:
    assert item_size(item) == size


def test_item_size_of_a_full_item() -> None:
    item = serialize_item({"pk": "x" * 100, "data": b"\x00" * (MAX_ITEM_SIZE - 106)})
    assert item_size(item) == MAX_ITEM_SIZE
    assert MAX_ITEM_SIZE == 409600


def test_item_size_refuses_non_wire_items() -> None:
    with pytest.raises(SerializationError, match="item_size"):
        item_size({"a": "plain"})  # type: ignore[dict-item]
    with pytest.raises(SerializationError, match="unknown AttributeValue type 'Q'"):
        item_size({"a": {"Q": 1}})


def reference_number_size(text: str) -> int:
    """item_size's number rule computed another way: from Decimal.as_tuple()."""
    value = Decimal(text)
    if not value:
        return 1
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    significant = list(digits)
    while significant[-1] == 0:
        significant.pop()
        exponent += 1
    lead = exponent + len(significant) - 1
    return 1 + (lead // 2 - exponent // 2 + 1) + sign


# --- property tests -------------------------------------------------------------------------

MAX_DECIMAL = Decimal("9.9999999999999999999999999999999999999E+125")

ints = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)


def significant_digits(value: Decimal) -> int:
    """Significant digits, counted without any decimal context (which would round)."""
    return len("".join(map(str, value.as_tuple().digits)).strip("0"))


decimals = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-MAX_DECIMAL, max_value=MAX_DECIMAL
).filter(
    lambda d: d == 0 or (Decimal("1E-130") <= abs(d) <= MAX_DECIMAL and significant_digits(d) <= 38)
)
floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: f == 0 or 1e-130 <= abs(f) < 1e126
)
texts = st.text()
binaries = st.binary()
scalars = st.one_of(st.none(), st.booleans(), ints, decimals, texts, binaries)
sets = st.one_of(
    st.frozensets(texts, min_size=1),
    st.frozensets(binaries, min_size=1),
    st.frozensets(ints, min_size=1),
)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(min_size=1), children, max_size=4)
    )


values = st.recursive(st.one_of(scalars, sets), containers, max_leaves=20)
items = st.dictionaries(st.text(min_size=1), values, max_size=6)


def normalised(value: Any) -> Any:
    """What deserialize(serialize(value)) gives: integral numbers as int, sets as set..."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, (set, frozenset)):
        return {normalised(m) for m in value}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    raise AssertionError(value)


@given(values)
def test_round_trip(value: Any) -> None:
    back = deserialize(serialize(value))
    assert back == normalised(value)


@given(items)
def test_round_trip_items(item: dict[str, Any]) -> None:
    assert deserialize_item(serialize_item(item)) == normalised(item)


@given(floats)
def test_round_trip_floats(value: float) -> None:
    assert float(deserialize(serialize(value))) == value


@given(st.one_of(ints, decimals, floats))
def test_number_text_is_canonical(value: int | Decimal | float) -> None:
    text = serialize(value)["N"]
    # Canonical = what DynamoDB returns: positional, no exponent, no redundant zeros, no -0.
    assert "e" not in text.lower()
    assert text != "-0"
    digits = text.lstrip("-")
    assert digits == "0" or not digits.startswith("0") or digits.startswith("0.")
    if "." in text:
        assert not text.endswith("0") and not text.endswith(".")
    assert Decimal(text) == Decimal(repr(value) if isinstance(value, float) else value)


@given(st.one_of(ints, decimals, floats))
def test_number_size_matches_reference(value: int | Decimal | float) -> None:
    text = serialize(value)["N"]
    assert item_size({"n": {"N": text}}) == 1 + reference_number_size(text)


@given(decimals)
def test_number_size_of_non_canonical_text(value: Decimal) -> None:
    text = str(value)  # may use an exponent or carry trailing zeros
    assert item_size({"n": {"N": text}}) == 1 + reference_number_size(text)


# --- equality with boto3 on the shared domain ---------------------------------------------


def boto3_can_read(value: Decimal) -> bool:
    # boto3's TypeDeserializer raises decimal.Rounded on N text of more than 38 digits, even
    # when the extra digits are zeros (e.g. "1" followed by 50 zeros, which DynamoDB returns
    # for 10**50): the shared domain is numbers whose canonical text has at most 38 digits.
    # Its TypeSerializer likewise refuses input written with more than 38 digits, trailing
    # zeros included (Decimal("1.0000…0") with 39 digits), though the number fits.
    text = serialize(value)["N"]
    fits_text = len(text.lstrip("-").replace(".", "").lstrip("0")) <= 38
    return fits_text and len(value.as_tuple().digits) <= 38


boto_scalars = st.one_of(
    st.none(), st.booleans(), ints, decimals.filter(boto3_can_read), texts, binaries
)
boto_values = st.recursive(st.one_of(boto_scalars, sets), containers, max_leaves=20)


def boto_comparable(av: Any) -> Any:
    """boto3's wire output with Binary unwrapped, sets sorted, and numbers canonicalised."""
    if isinstance(av, Binary):
        return av.value
    if isinstance(av, dict):
        ((tag, value),) = av.items()
        if tag == "N":
            return {"N": serialize(Decimal(value))["N"]}
        if tag == "NS":
            return {"NS": sorted(serialize(Decimal(v))["N"] for v in value)}
        if tag in ("SS", "BS"):
            return {tag: sorted(boto_comparable(v) for v in value)}
        if tag == "L":
            return {"L": [boto_comparable(v) for v in value]}
        if tag == "M":
            return {"M": {k: boto_comparable(v) for k, v in value.items()}}
        return {tag: boto_comparable(value)}
    return av


@given(boto_values)
@settings(max_examples=200)
def test_serialize_agrees_with_boto3(value: Any) -> None:
    theirs = TypeSerializer().serialize(value)
    assert serialize(value) == boto_comparable(theirs)


def _unwrap(value: Any) -> Any:
    if isinstance(value, Binary):
        return value.value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, (set, frozenset)):
        return {_unwrap(m) for m in value}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


@given(boto_values)
@settings(max_examples=200)
def test_deserialize_agrees_with_boto3(value: Any) -> None:
    wire = serialize(value)
    assert deserialize(wire) == _unwrap(TypeDeserializer().deserialize(wire))


# --- the docstring examples run -------------------------------------------------------------


def test_docstring_examples() -> None:
    result = doctest.testmod(codec, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0


def test_nan_is_not_silently_stored_inside_containers() -> None:
    with pytest.raises(SerializationError, match=r"at item\['m'\]\['x'\]"):
        serialize_item({"m": {"x": math.nan}})


# --- serialize_item_sized: the put path's item and size in one pass -----------------------


class Tag(str):
    pass


# Everything the codec takes (tuples, floats, subclasses, bytes-likes, other mappings, ints
# beyond 38 digits, non-ASCII text...) and some of what it refuses (objects, empty or mixed
# sets, too many digits): the sized form must agree on both.
wide_scalars = st.one_of(
    scalars,
    floats,
    st.floats(),  # NaN and infinities: refused
    st.integers(min_value=1, max_value=10**37).map(lambda n: n * 10**60),  # 98 digits, fine
    st.integers(min_value=10**38, max_value=10**40),  # more than 38 significant digits
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.builds(Tag, texts),
    st.sampled_from([Color.RED, Level.HIGH, MyFloat(0.5), Plain.A, object()]),
    st.binary().map(bytearray),
)
wide_sets = st.one_of(
    sets,
    st.frozensets(decimals, min_size=1),
    st.frozensets(floats, min_size=1, max_size=3),
    st.just(frozenset()),
    st.just(frozenset({"a", 1})),
)


def wide_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        containers(children),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.text(min_size=1), children, max_size=3).map(collections.OrderedDict),
    )


wide_values = st.recursive(st.one_of(wide_scalars, wide_sets), wide_containers, max_leaves=25)
wide_items = st.dictionaries(st.text(), wide_values, max_size=8)  # "" as a name: refused


@settings(max_examples=400)
@given(wide_items)
def test_serialize_item_sized_is_serialize_item_and_item_size(item: dict[str, Any]) -> None:
    try:
        wire = serialize_item(item)
    except SerializationError as exc:
        with pytest.raises(SerializationError) as sized_error:
            codec.serialize_item_sized(item)
        assert str(sized_error.value) == str(exc)
        return
    sized_wire, size = codec.serialize_item_sized(item)
    assert sized_wire == wire
    assert size == item_size(wire)


def test_serialize_item_sized_deep_and_wide() -> None:
    deep = {"d": nested_maps(27, {"x": [1, "é", {"y": Decimal("-0.05")}]})}
    wide = {f"k{i}": ["é" * i, i * 10**40, float(i) / 7] for i in range(300)}
    for item in (deep, wide, {"s": "x" * 500_000}):
        wire, size = codec.serialize_item_sized(item)
        assert wire == serialize_item(item)
        assert size == item_size(wire)


@settings(max_examples=300)
@given(items)
def test_sized_items_are_what_the_engine_would_store_as_they_are(item: dict[str, Any]) -> None:
    # The embedded engine stores a vouched-for item without validating it: that is right
    # only if its own checks would accept it as it is, with the same size.
    from sortkey.engine import values as engine_values

    wire, size = codec.serialize_item_sized(item)
    assert engine_values.item_size(wire) == size
    checked_size, _ = engine_values.validate_item_canonical(wire)
    assert checked_size == size
    assert engine_values.normalize_item_numbers(wire) == wire
