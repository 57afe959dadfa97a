"""sortkey.engine.values: numbers, validation, ordering, equality, sizes, arithmetic.

Expected texts and messages were observed on DynamoDB Local (2026-05-28 build).
"""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sortkey.engine.errors import EngineError
from sortkey.engine.values import (
    MSG_ITEM_NESTING,
    MSG_NOT_A_NUMBER,
    MSG_OVERFLOW,
    MSG_PRECISION,
    MSG_UNDERFLOW,
    _number_entry,
    add_numbers,
    attribute_value_size,
    checked_number_size,
    compare,
    equal,
    is_valid_value,
    item_size,
    nesting_depth,
    normalize_item_numbers,
    normalize_number,
    number_size,
    parse_number,
    subtract_numbers,
    validate_attribute_value,
    validate_item,
    validate_item_canonical,
    validate_item_size,
    validate_normalize_item,
)

TINY = "0." + "0" * 129 + "1"  # 1E-130 in plain text
MAX = "9.9999999999999999999999999999999999999E+125"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        pytest.param("1E+2", "100", id="exponent"),
        pytest.param("-0", "0", id="negative-zero"),
        pytest.param("1.50", "1.5", id="trailing-zero"),
        pytest.param("0.00", "0", id="zero-with-scale"),
        pytest.param("00012", "12", id="leading-zeros"),
        pytest.param("-00.0100", "-0.01", id="signed-fraction"),
        pytest.param("+5", "5", id="plus-sign"),
        pytest.param(".5", "0.5", id="no-integer-part"),
        pytest.param("5.", "5", id="no-fraction-digits"),
        pytest.param("1.23E-7", "0.000000123", id="small-exponent"),
        pytest.param("1e-130", TINY, id="smallest"),
        pytest.param("0E-200", "0", id="zero-any-exponent"),
        pytest.param(MAX, "9" * 38 + "0" * 88, id="largest"),
        pytest.param("1." + "0" * 50, "1", id="trailing-zeros-not-significant"),
        pytest.param("\u0661", "1", id="unicode-digit-like-java"),
    ],
)
def test_normalize_number(text: str, canonical: str) -> None:
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("1e-131", MSG_UNDERFLOW, id="underflow"),
        pytest.param("1E+126", MSG_OVERFLOW, id="overflow"),
        pytest.param("-1E+126", MSG_OVERFLOW, id="negative-overflow"),
        pytest.param("1" * 39, MSG_PRECISION, id="39-digits"),
        pytest.param(
            "1.23456789012345678901234567890123456789E+200", MSG_PRECISION, id="prec-wins"
        ),
        pytest.param(" 5", MSG_NOT_A_NUMBER, id="leading-space"),
        pytest.param("5 ", MSG_NOT_A_NUMBER, id="trailing-space"),
        pytest.param("NaN", MSG_NOT_A_NUMBER, id="nan"),
        pytest.param("Infinity", MSG_NOT_A_NUMBER, id="infinity"),
        pytest.param("0x10", MSG_NOT_A_NUMBER, id="hex"),
        pytest.param("1e", MSG_NOT_A_NUMBER, id="bare-exponent"),
        pytest.param("", MSG_NOT_A_NUMBER, id="empty"),
        pytest.param(".", MSG_NOT_A_NUMBER, id="dot"),
        pytest.param("1_000", MSG_NOT_A_NUMBER, id="underscore"),
        pytest.param("1e9999999999", MSG_NOT_A_NUMBER, id="exponent-beyond-int"),
    ],
)
def test_normalize_number_refuses(text: str, message: str) -> None:
    with pytest.raises(EngineError) as info:
        normalize_number(text)
    assert (info.value.code, info.value.message) == ("ValidationException", message)


numbers = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: d == 0 or -130 <= d.adjusted() <= 125
)


@given(numbers)
def test_normalize_is_idempotent_and_preserves_value(value: Decimal) -> None:
    text = str(value)
    try:
        canonical = normalize_number(text)
    except EngineError as exc:
        assert exc.message == MSG_PRECISION
        return
    assert Decimal(canonical) == value
    assert normalize_number(canonical) == canonical
    assert "E" not in canonical and "e" not in canonical
    assert canonical == "0" or not canonical.rstrip("0").endswith(".")


@pytest.mark.parametrize(
    ("a", "op", "b", "result"),
    [
        pytest.param("1.25", "+", "0.25", "1.50", id="keeps-scale"),
        pytest.param("100", "+", "0.50", "100.50", id="operand-scale"),
        pytest.param("1E+2", "+", "1", "101", id="exponent-operand"),
        pytest.param("1.5", "-", "0.5", "1.0", id="subtract"),
        pytest.param("1", "-", "1", "0", id="zero"),
        pytest.param("9" * 38, "+", "1", "1" + "0" * 38, id="carry-to-39-digits-ok"),
    ],
)
def test_arithmetic(a: str, op: str, b: str, result: str) -> None:
    compute = add_numbers if op == "+" else subtract_numbers
    assert compute(a, b) == result


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        pytest.param("1E+30", "1E-30", MSG_PRECISION, id="precision"),
        pytest.param("1", "1E-40", MSG_PRECISION, id="precision-small"),
        pytest.param("9E+125", "9E+125", MSG_OVERFLOW, id="overflow"),
        pytest.param(MAX, "1E+125", MSG_PRECISION, id="precision-before-overflow"),
    ],
)
def test_arithmetic_limits(a: str, b: str, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        add_numbers(a, b)


@pytest.mark.parametrize(
    ("av", "message"),
    [
        pytest.param(
            {},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            id="empty",
        ),
        pytest.param(
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes",
            id="two-types",
        ),
        pytest.param(
            {"SS": []},
            "One or more parameter values were invalid: An string set  may not be empty",
            id="empty-ss",
        ),
        pytest.param(
            {"NS": []},
            "One or more parameter values were invalid: An number set  may not be empty",
            id="empty-ns",
        ),
        pytest.param(
            {"BS": []},
            "One or more parameter values were invalid: Binary sets should not be empty",
            id="empty-bs",
        ),
        pytest.param(
            {"SS": ["b", "a", "b", "c"]},
            "One or more parameter values were invalid: Input collection [b, a, b, c] contains "
            "duplicates",
            id="dup-ss",
        ),
        pytest.param({"NS": ["1", "1.0"]}, "Input collection contains duplicates", id="dup-ns"),
        pytest.param(
            {"NS": ["1", "1", "1E+126"]}, "Input collection contains duplicates", id="dup-first"
        ),
        pytest.param(
            {"BS": [b"a", b"a"]},
            "One or more parameter values were invalid: Input collection of type BS contains "
            "duplicates.",
            id="dup-bs",
        ),
        pytest.param({"NS": ["x"]}, MSG_NOT_A_NUMBER, id="ns-not-number"),
        pytest.param({"NS": ["1E+126"]}, MSG_OVERFLOW, id="ns-overflow"),
        pytest.param(
            {"NULL": False},
            "One or more parameter values were invalid: Null attribute value types must have the "
            "value of true",
            id="null-false",
        ),
        pytest.param(
            {"L": [{"S": "a"}, {}]},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            id="nested-list",
        ),
        pytest.param({"M": {"": {"S": "a"}}}, "Empty attribute name", id="empty-map-key"),
        pytest.param(
            {"M": {"x": {"SS": ["a", "a"]}}},
            "One or more parameter values were invalid: Input collection [a, a] contains "
            "duplicates",
            id="nested-dup",
        ),
    ],
)
def test_validate_attribute_value_refuses(av: dict[str, object], message: str) -> None:
    with pytest.raises(EngineError) as info:
        validate_attribute_value(av)
    assert info.value.code == "ValidationException"
    assert info.value.message == message


@pytest.mark.parametrize(
    "av",
    [
        pytest.param({"S": ""}, id="empty-string"),
        pytest.param({"B": b""}, id="empty-binary"),
        pytest.param({"SS": [""]}, id="set-of-empty-string"),
        pytest.param({"L": []}, id="empty-list"),
        pytest.param({"M": {}}, id="empty-map"),
        pytest.param({"BOOL": False}, id="bool"),
        pytest.param({"NULL": True}, id="null"),
        pytest.param({"L": [{"M": {"a": {"NS": ["1", "2"]}}}]}, id="nested"),
    ],
)
def test_validate_attribute_value_accepts(av: dict[str, object]) -> None:
    validate_attribute_value(av)


def test_validate_item_refuses_empty_name() -> None:
    with pytest.raises(EngineError, match="Empty attribute name"):
        validate_item({"": {"S": "x"}})


def test_normalize_item_numbers_top_level_only() -> None:
    item: dict[str, Any] = {"n": {"N": "1.50"}, "s": {"NS": ["2E+1"]}, "l": {"L": [{"N": "1.50"}]}}
    assert normalize_item_numbers(item) == {
        "n": {"N": "1.5"},
        "s": {"NS": ["20"]},
        "l": {"L": [{"N": "1.50"}]},
    }


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param({"N": "10"}, {"N": "9"}, 1, id="numeric-not-textual"),
        pytest.param({"N": "-1"}, {"N": "0.5"}, -1, id="negative"),
        pytest.param({"N": "1.0"}, {"N": "1"}, 0, id="scale-ignored"),
        pytest.param({"S": "a"}, {"S": "b"}, -1, id="string"),
        pytest.param({"S": "\uffff"}, {"S": "\U00010000"}, -1, id="utf8-not-utf16"),
        pytest.param({"B": b"\x01"}, {"B": b"\xff"}, -1, id="unsigned-bytes"),
        pytest.param({"S": "1"}, {"N": "1"}, None, id="different-types"),
        pytest.param({"L": []}, {"L": []}, None, id="unordered-type"),
    ],
)
def test_compare(a: dict[str, object], b: dict[str, object], expected: int | None) -> None:
    assert compare(a, b) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param({"N": "5"}, {"N": "5.0"}, True, id="numbers-numeric"),
        pytest.param({"SS": ["a", "b"]}, {"SS": ["b", "a"]}, True, id="sets-unordered"),
        pytest.param({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]}, True, id="number-sets"),
        pytest.param({"L": [{"N": "1"}]}, {"L": [{"N": "1.0"}]}, True, id="lists"),
        pytest.param(
            {"L": [{"N": "1"}, {"N": "2"}]}, {"L": [{"N": "2"}, {"N": "1"}]}, False, id="list-order"
        ),
        pytest.param({"M": {"k": {"N": "1"}}}, {"M": {"k": {"N": "1.0"}}}, True, id="maps"),
        pytest.param({"S": "1"}, {"N": "1"}, False, id="types"),
        pytest.param({"BOOL": True}, {"BOOL": True}, True, id="bool"),
    ],
)
def test_equal(a: dict[str, object], b: dict[str, object], expected: bool) -> None:
    assert equal(a, b) is expected


@pytest.mark.parametrize(
    ("text", "size"),
    [
        pytest.param("0", 1, id="zero"),
        pytest.param("1", 2, id="one-digit"),
        pytest.param("100", 2, id="trailing-zeros-trimmed"),
        pytest.param("123", 3, id="three-digits"),
        pytest.param("1234", 3, id="four-digits"),
        pytest.param("12.5", 3, id="fraction"),
        pytest.param("9" * 38, 20, id="38-digits"),
    ],
)
def test_number_size(text: str, size: int) -> None:
    assert number_size(text) == size


def test_sizes_follow_documented_rules() -> None:
    assert attribute_value_size({"S": "é"}) == 2  # UTF-8 bytes
    assert attribute_value_size({"B": b"abc"}) == 3
    assert attribute_value_size({"BOOL": True}) == 1
    assert attribute_value_size({"NULL": True}) == 1
    assert attribute_value_size({"L": []}) == 3
    assert attribute_value_size({"L": [{"S": "ab"}]}) == 3 + 1 + 2
    assert attribute_value_size({"M": {"k": {"S": "ab"}}}) == 3 + 1 + 1 + 2
    assert attribute_value_size({"SS": ["a", "bc"]}) == 3
    assert item_size({"pk": {"S": "abc"}, "n": {"N": "1"}}) == 2 + 3 + 1 + 2


# -- nesting limit (DynamoDB Local: 31 levels of M/L in an attribute, checked first) ------------


def _nested(levels: int, leaf: dict[str, object], kind: str = "M") -> dict[str, object]:
    value = leaf
    for _ in range(levels):
        value = {"M": {"x": value}} if kind == "M" else {"L": [value]}
    return value


@pytest.mark.parametrize(
    ("attribute", "refused"),
    [
        (_nested(31, {"S": "x"}), False),
        (_nested(31, {"S": "x"}, "L"), False),
        (_nested(31, {"SS": ["a"]}), False),
        (_nested(32, {"S": "x"}), True),
        (_nested(32, {"S": "x"}, "L"), True),
        (_nested(31, {"M": {}}), True),  # an empty map is a level too
        (_nested(5000, {"S": "x"}), True),  # no RecursionError
    ],
)
def test_validate_item_nesting(attribute: dict[str, object], refused: bool) -> None:
    item = {"pk": {"S": "a"}, "n": {"N": "x"}, "d": attribute, "e": {"SS": []}}
    with pytest.raises(EngineError) as info:
        validate_item(item)
    expected = MSG_ITEM_NESTING if refused else "A value provided cannot be converted into a number"
    assert info.value.message == expected


# -- one-pass validate + size (validate_item_size) against the reference two walks -------------

_number_texts = st.one_of(
    st.from_regex(r"-?[0-9]{0,25}(\.[0-9]{0,25})?", fullmatch=True),
    st.sampled_from(
        ["1E+2", "+5", ".5", "5.", "-0", "0.00", "1e-131", MAX, "1" * 39, "x", "\u0661"]
    ),
)

_scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=6)),
    st.builds(lambda n: {"N": n}, _number_texts),
    st.builds(lambda b: {"B": b}, st.binary(max_size=4)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda m: {"SS": m}, st.lists(st.text(max_size=3), max_size=3)),
    st.builds(lambda m: {"NS": m}, st.lists(_number_texts, max_size=3)),
    st.builds(lambda m: {"BS": m}, st.lists(st.binary(max_size=3), max_size=3)),
    # Invalid shapes the reference refuses, each with its own message.
    st.sampled_from(
        [
            {},
            {"S": 1},
            {"NULL": False},
            {"BOOL": None},
            {"S": "a", "N": "1"},
            {"SS": [], "N": "1"},
            {"X": "1"},
            {"B": bytearray(b"ab")},
            "not a dict",
            # Forms the one-pass walk must not vouch for (each a trap for a shortcut in it).
            {"": "x", "S": "y"},
            {"S": "y", "": "x"},
            {"SS": ["a", 1]},
            {"SS": ["a", "a"]},
            {"N": 5},
            {"N": ["1"]},
            {"N": "\ud800"},
            {"N": "1\u0661"},
            {"M": {"": {"S": "x"}}},
            {"M": ["not", "a", "map"]},
            {"L": {"S": "x"}},
            {"BS": [b"a", b"a"]},
            # Valid forms it must size exactly: a lone surrogate, non-ASCII, long number text.
            {"S": "\ud800"},
            {"SS": ["\u00e9", "\U0001f600", "x"]},
            {"N": "0." + "0" * 40 + "1"},
            {"N": "-12.50"},
        ]
    ),
)

_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.builds(lambda m: {"M": m}, st.dictionaries(st.text(max_size=3), inner, max_size=3)),
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
    ),
    max_leaves=12,
)


def _reference(item: Any) -> tuple[str, str] | int:
    try:
        validate_item(item)
    except EngineError as exc:
        return exc.code, exc.message
    return item_size(item)


@given(st.dictionaries(st.text(max_size=3), _values, max_size=5))
def test_validate_item_size_matches_the_two_walks(item: dict[str, Any]) -> None:
    expected = _reference(item)
    try:
        got: tuple[str, str] | int = validate_item_size(item)
    except EngineError as exc:
        got = exc.code, exc.message
    assert got == expected


@pytest.mark.parametrize("levels", [30, 31, 32, 5000])
def test_validate_item_size_nesting_first(levels: int) -> None:
    item = {"a": {"N": "x"}, "d": _nested(levels, {"S": "x"})}
    with pytest.raises(EngineError) as info:
        validate_item_size(item)
    assert info.value.message == (MSG_ITEM_NESTING if levels > 31 else MSG_NOT_A_NUMBER)
    assert validate_item_size({"d": _nested(31, {"S": "x"})}) == item_size(
        {"d": _nested(31, {"S": "x"})}
    )


@given(st.from_regex(r"[-+]?[0-9]{0,45}(\.[0-9]{0,45})?([eE][-+]?[0-9]{1,3})?", fullmatch=True))
def test_checked_number_size_agrees_with_decimal(text: str) -> None:
    try:
        value = parse_number(text)
    except EngineError as exc:
        with pytest.raises(EngineError) as info:
            checked_number_size(text)
        assert info.value.message == exc.message
        return
    assert checked_number_size(text) == number_size(text)
    # The size by the documented rule, through Decimal.
    if not value:
        assert number_size(text) == 1
        return
    exponent = value.normalize(Context(prec=100)).as_tuple().exponent
    assert isinstance(exponent, int)
    negative = 1 if value < 0 else 0
    assert number_size(text) == value.adjusted() // 2 - exponent // 2 + 2 + negative


def test_normalize_item_numbers_copies() -> None:
    item = {"n": {"N": "1"}, "s": {"S": "x"}}
    out = normalize_item_numbers(item)
    assert out == item and out is not item


@given(st.from_regex(r"-?[0-5]{0,6}(\.[0-5]{0,6})?", fullmatch=True))
def test_normalize_number_fast_path_agrees_with_decimal(text: str) -> None:
    try:
        value = parse_number(text)
    except EngineError:
        with pytest.raises(EngineError):
            normalize_number(text)
        return
    expected = "0" if not value else format(value.normalize(Context(prec=100)), "f")
    assert normalize_number(text) == expected


@given(_values, st.sampled_from([0, 1, 2, 31, 32]))
def test_is_valid_value_never_vouches_for_an_invalid_value(av: Any, levels: int) -> None:
    try:
        validate_attribute_value(av)
        valid = nesting_depth(av, levels) <= levels
    except EngineError:
        valid = False
    if is_valid_value(av, levels=levels):
        assert valid
    elif valid:
        # Not vouched for although valid: only forms the one walk leaves to the reference.
        assert "bytearray" in repr(av)


def test_is_valid_value_nesting_levels() -> None:
    assert is_valid_value(_nested(32, {"S": "x"}), levels=32)
    assert not is_valid_value(_nested(33, {"S": "x"}), levels=32)
    assert not is_valid_value(_nested(5000, {"S": "x"}), levels=32)


@given(st.dictionaries(st.text(max_size=3), _values, max_size=5))
def test_validate_normalize_item_matches_the_reference(item: dict[str, Any]) -> None:
    expected = _reference(item)
    try:
        normalized, size = validate_normalize_item(item)
    except EngineError as exc:
        assert (exc.code, exc.message) == expected
        return
    assert size == expected
    assert normalized == normalize_item_numbers(item) and normalized is not item


@given(
    st.one_of(
        st.from_regex(r"-?[0-9]{0,20}(\.[0-9]{0,20})?", fullmatch=True),
        st.from_regex(r"[-+]?[0-9]{0,6}(\.[0-9]{0,6})?([eE][-+]?[0-9]{1,3})?", fullmatch=True),
    )
)
def test_number_entry_sizes_and_flags_canonical_text(text: str) -> None:
    # The walk sizes numbers through their shape (b"11.11" for "98.85"), remembered: the
    # second call answers from the cache, and must agree with the reference too.
    try:
        size = checked_number_size(text)
    except EngineError:
        for _ in range(2):
            with pytest.raises(EngineError):
                _number_entry(text)
        return
    for _ in range(2):
        entry = _number_entry(text)
        assert abs(entry) == size == number_size(text)
        if entry > 0:
            assert normalize_number(text) == text


@pytest.mark.parametrize(
    ("texts", "sizes"),
    [
        pytest.param(["98.85", "12.34", "10.01"], [3, 3, 3], id="same-shape"),
        pytest.param(["100", "120", "123"], [2, 3, 3], id="zeros-change-the-shape"),
        pytest.param(["1.50", "2.5"], [-3, 3], id="trailing-zero-not-canonical"),
        pytest.param(["-0", "0", "-0.5", "0.5"], [-1, 1, 3, 2], id="signs"),
        pytest.param(["007", "7"], [-2, 2], id="leading-zeros"),
    ],
)
def test_number_entry_same_shape_same_entry(texts: list[str], sizes: list[int]) -> None:
    assert [_number_entry(text) for text in texts] == sizes
    assert [_number_entry(text) for text in texts] == sizes  # from the shape cache


@given(st.dictionaries(st.text(max_size=3), _values, max_size=5))
def test_validate_item_canonical_matches_the_reference(item: dict[str, Any]) -> None:
    expected = _reference(item)
    try:
        size, canonical = validate_item_canonical(item)
    except EngineError as exc:
        assert (exc.code, exc.message) == expected
        return
    assert size == expected
    if canonical:  # the item may then be stored as it is
        assert normalize_item_numbers(item) == item


def test_validate_item_canonical_flags_numbers_to_rewrite() -> None:
    item = {"a": {"N": "1"}, "m": {"M": {"n": {"N": "1.50"}}}}
    assert validate_item_canonical(item) == (item_size(item), True)  # nested: kept as written
    for av in ({"N": "1.50"}, {"N": "1E+2"}, {"NS": ["1"]}):
        assert validate_item_canonical({"a": av}) == (item_size({"a": av}), False)


def _lists_of_maps(levels: int, leaf: dict[str, object]) -> dict[str, object]:
    value = leaf
    for level in range(levels):
        value = {"L": [value, {"S": "s"}]} if level % 2 else {"M": {"x": value, "n": {"N": "1"}}}
    return value


@pytest.mark.parametrize("levels", [1, 2, 30, 31, 32, 33])
@pytest.mark.parametrize("leaf", [{"S": "x"}, {"N": "1.50"}, {"BOOL": True}, {"SS": ["a"]}])
def test_one_pass_walk_nesting_through_lists_of_maps(levels: int, leaf: dict[str, object]) -> None:
    # Maps inside lists are walked inline: the nesting limit must still count every level.
    for item in ({"a": _lists_of_maps(levels, leaf)}, {"a": {"L": [_lists_of_maps(levels, leaf)]}}):
        expected = _reference(item)
        try:
            got: tuple[str, str] | int = validate_item_size(item)
        except EngineError as exc:
            got = exc.code, exc.message
        assert got == expected
        assert is_valid_value(item["a"]) == isinstance(expected, int)


def test_number_shape_cache_stays_bounded_and_right(monkeypatch: pytest.MonkeyPatch) -> None:
    import sortkey.engine.values as values_module

    monkeypatch.setattr(values_module, "_NUMBER_SHAPES_LIMIT", 8)
    monkeypatch.setattr(values_module, "_NUMBER_SHAPES", {})
    # 18 shapes, twice over, through a cache of 8: emptied when full, answers unchanged.
    texts = [
        f"{'-' * neg}1{'0' * zeros}.{'5' * fives}"
        for neg in (0, 1)
        for zeros in range(3)
        for fives in range(1, 4)
    ]
    for text in texts * 2:
        assert _number_entry(text) == number_size(text)  # all canonical
        assert len(values_module._NUMBER_SHAPES) <= 8
