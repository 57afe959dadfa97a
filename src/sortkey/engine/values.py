"""AttributeValues: validation, number rules, ordering, equality, sizes and arithmetic.

Everything here works on botocore's wire format: an AttributeValue (AV) is a dict with exactly
one type key -- ``S`` (str), ``N`` (number as text), ``B`` (bytes), ``SS``/``NS``/``BS`` (lists),
``M`` (dict of AVs), ``L`` (list of AVs), ``NULL`` (True), ``BOOL`` (bool).

Numbers (checked against DynamoDB Local):

* at most 38 significant digits (leading and trailing zeros do not count), magnitude between
  1E-130 and 9.9999999999999999999999999999999999999E+125, or zero;
* the text is Java's ``BigDecimal`` syntax: optional sign, digits with an optional ``.``, an
  optional exponent; no spaces, no ``NaN``/``Infinity``, no hexadecimal;
* canonical text (:func:`normalize_number`) is plain notation without trailing zeros:
  ``"1E+2"`` -> ``"100"``, ``"-0"`` -> ``"0"``, ``"1.50"`` -> ``"1.5"``. DynamoDB Local applies it
  to top-level ``N``/``NS`` attributes of a written item (not inside ``L``/``M``, and not to values
  written by an update), see :func:`normalize_item_numbers`;
* update arithmetic is exact (Java's ``BigDecimal.add``), keeps the operands' scale (``1.25 +
  0.25`` is ``"1.50"``) and is then checked against the limits above.

Ordering (:func:`compare`): ``N`` numerically, ``S`` by UTF-8 bytes (the same as by code
point), ``B`` by unsigned bytes; other types have no order.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .errors import EngineError, validation

AV = dict[str, Any]
"""An AttributeValue in wire format."""

Item = dict[str, AV]
"""An item: attribute name -> AttributeValue."""

TYPE_KEYS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})

MAX_DIGITS = 38
"""Significant digits a DynamoDB number may have."""

_MIN_ADJUSTED = -130  # smallest magnitude: 1E-130
_MAX_ADJUSTED = 125  # largest magnitude: 9.99...E+125
_JAVA_INT_MAX = 2**31 - 1  # BigDecimal refuses exponents beyond an int

# Exact arithmetic: operands are at most 38 digits within 1E-130..1E+126, so any sum fits in
# well under 300 digits; Inexact would mean a bug, so it traps.
_EXACT = decimal.Context(
    prec=400, Emax=999_999, Emin=-999_999, traps=[decimal.InvalidOperation, decimal.Inexact]
)

MAX_NESTING = 31
"""Levels of ``M``/``L`` an attribute of an item (or a key) may hold: DynamoDB's 32 levels,
the item itself being the first."""

MSG_NESTING = "Nesting Levels have exceeded supported limits"
MSG_ITEM_NESTING = (
    f"{MSG_NESTING}: Attributes in the item have nested levels beyond supported limit"
)

MSG_NOT_A_NUMBER = "A value provided cannot be converted into a number"
MSG_PRECISION = "DynamoDB only supports precision up to 38 digits"
MSG_OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
MSG_UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


def _syntax_ok(text: str) -> bool:
    """Whether ``text`` is Java ``BigDecimal`` syntax (what DynamoDB accepts), exponent in range."""
    n = len(text)
    i = 0
    if i < n and text[i] in "+-":
        i += 1
    digits = 0
    while i < n and text[i].isdecimal():
        i += 1
        digits += 1
    if i < n and text[i] == ".":
        i += 1
        while i < n and text[i].isdecimal():
            i += 1
            digits += 1
    if digits == 0:
        return False
    if i < n and text[i] in "eE":
        i += 1
        if i < n and text[i] in "+-":
            i += 1
        start = i
        while i < n and text[i].isdecimal():
            i += 1
        if i == start:
            return False
        if int(text[start:i]) > _JAVA_INT_MAX:
            return False
    return i == n


@functools.lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal:
    """Parse and validate DynamoDB number text; return its exact value.

    Raises:
        EngineError: ValidationException with DynamoDB's message for bad syntax, more than
            38 significant digits, overflow or underflow.
    """
    if not isinstance(text, str) or not _syntax_ok(text):
        raise validation(MSG_NOT_A_NUMBER)
    value = Decimal(text)
    check_number_limits(value)
    return value


def check_number_limits(value: Decimal) -> None:
    """Raise DynamoDB's error if ``value`` has > 38 significant digits or is out of range."""
    if not value:
        return
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    # Significant digits: the coefficient without trailing zeros (leading ones never occur).
    count = len(digits)
    while count > 1 and digits[count - 1] == 0:
        count -= 1
    if count > MAX_DIGITS:
        raise validation(MSG_PRECISION)
    adjusted = value.adjusted()
    if adjusted > _MAX_ADJUSTED:
        raise validation(MSG_OVERFLOW)
    if adjusted < _MIN_ADJUSTED:
        raise validation(MSG_UNDERFLOW)


def plain_text(value: Decimal) -> str:
    """Java ``BigDecimal.toPlainString``: plain notation, scale kept, never ``-0``."""
    text = format(value, "f")
    if text.startswith("-") and not value:
        text = text[1:]
    return text


def normalize_number(text: str) -> str:
    """Validate number text and return DynamoDB's canonical form.

    >>> normalize_number("1E+2"), normalize_number("-0"), normalize_number("1.50")
    ('100', '0', '1.5')

    Raises:
        EngineError: ValidationException as :func:`parse_number`.
    """
    if type(text) is str and len(text) <= MAX_DIGITS and _is_canonical(text):
        return text  # valid (see checked_number_size) and already canonical
    return _normalize(text)


@functools.lru_cache(maxsize=4096)
def _normalize(text: str) -> str:
    value = parse_number(text)
    if not value:
        return "0"
    return plain_text(value.normalize(_EXACT))


def _is_canonical(text: str) -> bool:
    """Whether plain number text is canonical: no leading/trailing zeros, no ``-0``, not empty."""
    # _plain_parts, inline: this runs for every top-level number of every written item.
    if not text.isascii():
        return False
    negative = text[:1] == "-"
    whole, dot, fraction = (text[1:] if negative else text).partition(".")
    if dot:
        if not fraction.isdigit() or fraction[-1] == "0":
            return False
        return whole == "0" or (whole.isdigit() and whole[0] != "0")
    return whole.isdigit() and (whole[0] != "0" or (whole == "0" and not negative))


def number_value(av: AV) -> Decimal:
    """The exact value of an ``N`` AV (assumed validated)."""
    return _decimal(av["N"])


@functools.lru_cache(maxsize=16384)
def _decimal(text: str) -> Decimal:
    return Decimal(text)


def add_numbers(a: str, b: str) -> str:
    """``a + b`` as DynamoDB computes it in ``SET x = x + :v`` and ``ADD``.

    Exact; the result keeps the operands' scale (``"1.25" + "0.25"`` is ``"1.50"``) and is then
    checked: more than 38 significant digits -> precision error, out of range -> overflow or
    underflow, as DynamoDB Local answers.
    """
    result = _EXACT.add(_decimal(a), _decimal(b))
    check_number_limits(result)
    return plain_text(result)


def subtract_numbers(a: str, b: str) -> str:
    """``a - b`` as DynamoDB computes it in ``SET x = x - :v`` (see :func:`add_numbers`)."""
    result = _EXACT.subtract(_decimal(a), _decimal(b))
    check_number_limits(result)
    return plain_text(result)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

_EMPTY_SET_MESSAGES = {
    "SS": "One or more parameter values were invalid: An string set  may not be empty",
    "NS": "One or more parameter values were invalid: An number set  may not be empty",
    "BS": "One or more parameter values were invalid: Binary sets should not be empty",
}


def validate_attribute_value(av: Any, *, path: str = "") -> None:
    """Check one AttributeValue against DynamoDB's rules, recursively.

    Args:
        av: the value, wire format.
        path: where it sits (for messages that name a location; DynamoDB's own messages
            mostly do not).

    Raises:
        EngineError: ValidationException with DynamoDB Local's message.
    """
    if not isinstance(av, dict) or not av:
        raise validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    # An empty set is reported before "more than one datatype" (DynamoDB Local's order).
    for key in ("SS", "NS", "BS"):
        if key in av and isinstance(av[key], list) and not av[key]:
            raise validation(_EMPTY_SET_MESSAGES[key])
    if len(av) != 1:
        raise validation(
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes"
        )
    ((kind, value),) = av.items()
    if kind == "S":
        if not isinstance(value, str):
            raise _serialization(kind)
    elif kind == "N":
        if not isinstance(value, str):
            raise _serialization(kind)
        parse_number(value)
    elif kind == "B":
        if not isinstance(value, (bytes, bytearray)):
            raise _serialization(kind)
    elif kind == "BOOL":
        if not isinstance(value, bool):
            raise _serialization(kind)
    elif kind == "NULL":
        if value is not True:
            raise validation(
                "One or more parameter values were invalid: "
                "Null attribute value types must have the value of true"
            )
    elif kind == "SS":
        _validate_set_members(value, str, kind)
        if len(set(value)) != len(value):
            raise validation(
                "One or more parameter values were invalid: "
                f"Input collection [{', '.join(value)}] contains duplicates"
            )
    elif kind == "BS":
        _validate_set_members(value, (bytes, bytearray), kind)
        if len({bytes(v) for v in value}) != len(value):
            raise validation(
                "One or more parameter values were invalid: "
                "Input collection of type BS contains duplicates."
            )
    elif kind == "NS":
        _validate_set_members(value, str, kind)
        for text in value:
            if not _syntax_ok(text):
                raise validation(MSG_NOT_A_NUMBER)
        # Duplicates are found (numerically) before the limits are checked.
        if len({_decimal(text) for text in value}) != len(value):
            raise validation("Input collection contains duplicates")
        for text in value:
            parse_number(text)
    elif kind == "L":
        if not isinstance(value, list):
            raise _serialization(kind)
        for index, element in enumerate(value):
            validate_attribute_value(element, path=f"{path}[{index}]")
    elif kind == "M":
        if not isinstance(value, dict):
            raise _serialization(kind)
        for name, element in value.items():
            if name == "":
                raise validation("Empty attribute name")
            validate_attribute_value(element, path=f"{path}.{name}" if path else name)
    else:
        raise EngineError("SerializationException", f"Unknown AttributeValue data type: {kind}")


def _validate_set_members(value: Any, member_type: Any, kind: str) -> None:
    if not isinstance(value, list):
        raise _serialization(kind)
    for member in value:
        if not isinstance(member, member_type):
            raise _serialization(kind)


def _serialization(kind: str) -> EngineError:
    # DynamoDB answers a wrongly typed JSON value before it looks at the request.
    return EngineError("SerializationException", f"Unexpected value type for {kind}")


def nesting_depth(av: Any, limit: int) -> int:
    """Levels of ``M``/``L`` containers in ``av`` (0 for a scalar or a set).

    Breadth-first and counted up to ``limit + 1`` at most, so a hostile depth costs nothing
    and cannot exhaust the stack of the recursive checks that follow.
    """
    depth = 0
    level: list[Any] = [av]
    while depth <= limit:
        below: list[Any] = []
        found = False
        for value in level:
            if not isinstance(value, dict):
                continue
            members = value.get("M")
            if isinstance(members, dict):
                found = True
                below.extend(members.values())
                continue
            elements = value.get("L")
            if isinstance(elements, list):
                found = True
                below.extend(elements)
        if not found:
            break
        depth += 1
        level = below
    return depth


def _is_container(value: Any) -> bool:
    return isinstance(value, dict) and ("M" in value or "L" in value)


def check_item_nesting(item: Mapping[str, Any], *, message: str = MSG_ITEM_NESTING) -> None:
    """Refuse an item (or key) with an attribute nested deeper than DynamoDB allows.

    DynamoDB Local checks this before anything else in the item (number syntax, empty sets);
    an updated item is checked too, with the shorter :data:`MSG_NESTING`.

    Raises:
        EngineError: ValidationException ``Nesting Levels have exceeded supported limits: ...``.
    """
    for av in item.values():
        if _is_container(av) and nesting_depth(av, MAX_NESTING) > MAX_NESTING:
            raise validation(message)


def validate_item(item: Any) -> None:
    """Validate every attribute of an item (nesting, names non-empty, values valid).

    Raises:
        EngineError: ValidationException with DynamoDB Local's message.
    """
    if not isinstance(item, dict):
        raise EngineError("SerializationException", "Item must be a map")
    check_item_nesting(item)
    for name, av in item.items():
        if name == "":
            raise validation("Empty attribute name")
        validate_attribute_value(av, path=name)


def validate_item_size(item: Any) -> int:
    """Validate an item as :func:`validate_item` does and return its :func:`item_size`.

    One walk over the item does both for the common case (every value valid, nesting within
    limits). When that walk meets anything it does not accept -- an invalid value, a deep
    nesting, an unusual form -- it stops, and :func:`validate_item` runs from the start, so
    errors are exactly those of :func:`validate_item` in exactly its order (nesting first, then
    attribute by attribute, depth first).

    Raises:
        EngineError: ValidationException / SerializationException as :func:`validate_item`.
    """
    try:
        return vouch_item(item)[0]
    except Exception:  # any surprise: the reference path below decides, and raises
        pass
    validate_item(item)
    return item_size(item)


def validate_normalize_item(item: Any) -> tuple[Item, int]:
    """:func:`validate_item_size`, then :func:`normalize_item_numbers`: ``(item, size)``.

    The one walk also notes whether any top-level number needs rewriting (rarely), so the
    common item is only copied.
    """
    try:
        size, canonical = vouch_item(item)
    except Exception:  # any surprise: the reference path below decides, and raises
        validate_item(item)
        size, canonical = item_size(item), False
    return (dict(item) if canonical else normalize_item_numbers(item)), size


def validate_item_canonical(item: Any) -> tuple[int, bool]:
    """:func:`validate_item_size`, and whether the item's numbers are already canonical.

    ``(size, canonical)``: when ``canonical`` is true, :func:`normalize_item_numbers` would
    only copy the item, so a caller that does not keep the item can use it as it is.
    """
    try:
        return vouch_item(item)
    except Exception:  # any surprise: the reference path below decides, and raises
        pass
    validate_item(item)
    return item_size(item), False


def is_valid_value(av: Any, *, levels: int = MAX_NESTING) -> bool:
    """Whether one walk vouches for ``av``: valid, at most ``levels`` levels of ``M``/``L``.

    False means "not vouched for" (not necessarily invalid): run the reference checks
    (:func:`validate_attribute_value` and :func:`nesting_depth`) for the verdict and message.
    """
    try:
        _walk(av, MAX_NESTING - levels)
    except Exception:  # any surprise: not vouched for
        return False
    return True


class _NotFast(Exception):
    """The one-pass walk cannot vouch for a value: fall back to the reference checks."""


_NOT_FAST = _NotFast()

# How the one-pass walk stays fast. It runs for every value of every written item, and in
# CPython each operation of the loop body costs (a call to ``len``, a ``type`` test, a method
# call are ~100-300 machine instructions each, counted with valgrind's cachegrind on 3.11),
# so the walk does as few per value as it can:
#
# * Texts are not sized one by one: attribute names (a map's keys, added with one
#   ``list.extend``), ``S`` values and ``SS`` members are collected in one list and joined
#   once per item; the joined text's UTF-8 length is the sum of theirs, and ``str.join``
#   refuses anything that is not a string.
# * ``_get(av, "S")`` is ``dict.get`` unbound: it both probes and refuses a value that is not
#   a dict (a ``TypeError``), saving a separate ``type`` test.
# * A number's size and canonical form are looked up by its *shape* (``_NUMBER_SHAPES``:
#   ``"98.85"`` has the shape ``b"11.11"``): two C calls and a probe instead of a dozen string
#   operations; values vary but a workload's numbers have few shapes.
# * ``S`` and ``N`` (the commonest types) are probed for; any other type is unpacked once
#   (``((tag, value),) = av.items()``) and dispatched on its tag. Maps and lists are walked by
#   their own loops (``_walk_map`` / ``_walk_list``, which walks maps in lists inline) with
#   the same inline cases.
#
# Tried and slower: bulk C-level passes (``map``/``sum`` over a map's values: ~300-500
# instructions per element here), walking nested containers level by level without
# recursion, unpacking every AV instead of probing, a cache of number *texts* (on fresh
# numbers a miss costs more than the shape lookup).
#
# Anything unusual -- a wrong type, an empty name, a second type key, too deep a nesting, a
# ``bytearray`` -- raises _NotFast (or any other exception), and the reference checks decide.

_get = dict.get
_join = "".join


def _texts_size(texts: list[str]) -> int:
    """UTF-8 bytes of all ``texts`` (a ``TypeError`` if one is not a string)."""
    text = _join(texts)
    return len(text) if text.isascii() else _utf8_len(text)


def vouch_item(item: Any) -> tuple[int, bool]:
    """The one-pass walk of :func:`validate_item_canonical` alone, for hot loops.

    Returns ``(size, whether every top-level N is canonical and there is no NS)`` for an item
    it vouches for; raises anything (_NotFast, TypeError, ...) otherwise, and then
    :func:`validate_item_canonical` must decide (it raises DynamoDB's error, or returns for
    the rare valid forms the walk leaves to the reference checks).
    """
    if type(item) is not dict or "" in item:
        raise _NOT_FAST
    texts = list(item)  # the names; S values and SS members join them below
    append = texts.append
    get = _get
    shapes = _NUMBER_SHAPES
    size = 0
    canonical = True
    for av in item.values():
        value = get(av, "S")
        if len(av) != 1:
            raise _NOT_FAST
        if value is not None:
            append(value)
            continue
        value = get(av, "N")
        if value is not None:
            entry = shapes.get(_encode(value).translate(_SHAPE))
            if entry is None:
                entry = _number_entry(value)
            if entry > 0:
                size += entry
            else:  # valid, but DynamoDB stores it rewritten (normalize_item_numbers)
                size -= entry
                canonical = False
            continue
        ((tag, value),) = av.items()
        if tag == "M":
            if type(value) is not dict:
                raise _NOT_FAST
            size += _walk_map(value, 0, texts)
        elif tag == "L":
            if type(value) is not list:
                raise _NOT_FAST
            size += _walk_list(value, 0, texts)
        elif tag == "BOOL":
            if type(value) is not bool:
                raise _NOT_FAST
            size += 1
        elif tag == "SS":
            if type(value) is not list or not value or len(set(value)) != len(value):
                raise _NOT_FAST
            texts.extend(value)
        else:
            if tag == "NS":
                canonical = False
            size += _walk(av, 0)
    text = _join(texts)  # _texts_size, inline
    return size + (len(text) if text.isascii() else _utf8_len(text)), canonical


def _walk_map(members: dict[str, Any], depth: int, texts: list[str]) -> int:
    """Size of the ``M`` value of an AV at ``depth``, but for its texts (added to ``texts``).

    Its members are at ``depth + 1``.
    """
    if depth >= MAX_NESTING or "" in members:
        raise _NOT_FAST
    texts.extend(members)  # the names
    append = texts.append
    get = _get
    shapes = _NUMBER_SHAPES
    size = 3 + len(members)  # 3 for the map, 1 per member
    for av in members.values():
        # _walk, inline for the common scalars: a call per value is most of the walk's cost.
        value = get(av, "S")
        if len(av) != 1:
            raise _NOT_FAST
        if value is not None:
            append(value)
            continue
        value = get(av, "N")
        if value is not None:
            entry = shapes.get(_encode(value).translate(_SHAPE))
            if entry is None:
                entry = _number_entry(value)
            size += entry if entry > 0 else -entry
            continue
        size += _walk_nested(av, depth + 1, texts)
    return size


def _walk_list(elements: list[Any], depth: int, texts: list[str]) -> int:
    """Size of the ``L`` value of an AV at ``depth``, but for its texts (added to ``texts``).

    Its elements are at ``depth + 1``.
    """
    if depth >= MAX_NESTING:
        raise _NOT_FAST
    depth += 1
    append = texts.append
    get = _get
    shapes = _NUMBER_SHAPES
    size = 3 + len(elements)  # 3 for the list, 1 per element
    for av in elements:
        value = get(av, "M")
        if len(av) != 1:
            raise _NOT_FAST
        if value is not None:
            # _walk_map, inline: lists of maps are common (order lines, events, ...).
            if type(value) is not dict or depth >= MAX_NESTING or "" in value:
                raise _NOT_FAST
            texts.extend(value)  # the names
            size += 3 + len(value)
            for member in value.values():
                scalar = get(member, "S")
                if len(member) != 1:
                    raise _NOT_FAST
                if scalar is not None:
                    append(scalar)
                    continue
                scalar = get(member, "N")
                if scalar is not None:
                    entry = shapes.get(_encode(scalar).translate(_SHAPE))
                    if entry is None:
                        entry = _number_entry(scalar)
                    size += entry if entry > 0 else -entry
                    continue
                size += _walk_nested(member, depth + 1, texts)
            continue
        value = get(av, "S")
        if value is not None:
            append(value)
            continue
        value = get(av, "N")
        if value is not None:
            entry = shapes.get(_encode(value).translate(_SHAPE))
            if entry is None:
                entry = _number_entry(value)
            size += entry if entry > 0 else -entry
            continue
        size += _walk_nested(av, depth, texts)
    return size


def _walk_nested(av: dict[str, Any], depth: int, texts: list[str]) -> int:
    """Size of a one-key AV at ``depth`` in a map or list, but for texts (added to ``texts``)."""
    ((tag, value),) = av.items()
    if tag == "M":
        if type(value) is not dict:
            raise _NOT_FAST
        return _walk_map(value, depth, texts)
    if tag == "L":
        if type(value) is not list:
            raise _NOT_FAST
        return _walk_list(value, depth, texts)
    if tag == "BOOL":
        if type(value) is not bool:
            raise _NOT_FAST
        return 1
    if tag == "SS":
        if type(value) is not list or not value or len(set(value)) != len(value):
            raise _NOT_FAST
        texts.extend(value)
        return 0
    return _walk(av, depth)


def _walk(av: Any, depth: int) -> int:
    """Size of a valid AV of at most ``MAX_NESTING - depth`` levels; raises _NotFast otherwise."""
    if type(av) is not dict or len(av) != 1:
        raise _NOT_FAST
    ((tag, value),) = av.items()
    if tag == "S":
        if type(value) is not str:
            raise _NOT_FAST
        return len(value) if value.isascii() else _utf8_len(value)
    if tag == "N":
        if type(value) is not str:
            raise _NOT_FAST
        entry = _number_entry(value)
        return entry if entry > 0 else -entry
    if tag == "M" or tag == "L":
        texts: list[str] = []
        if tag == "M":
            if type(value) is not dict:
                raise _NOT_FAST
            size = _walk_map(value, depth, texts)
        else:
            if type(value) is not list:
                raise _NOT_FAST
            size = _walk_list(value, depth, texts)
        return size + _texts_size(texts)
    if tag == "BOOL":
        if type(value) is not bool:
            raise _NOT_FAST
        return 1
    if tag == "SS":
        if type(value) is not list or not value or len(set(value)) != len(value):
            raise _NOT_FAST
        return _texts_size(value)
    if tag == "NS":
        if type(value) is not list or not value:
            raise _NOT_FAST
        size = 0
        for member in value:
            if type(member) is not str:
                raise _NOT_FAST
            entry = _number_entry(member)
            size += entry if entry > 0 else -entry
        # Validated members: equal values have equal canonical text.
        if len({normalize_number(member) for member in value}) != len(value):
            raise _NOT_FAST
        return size
    if tag == "B":
        if type(value) is not bytes:
            raise _NOT_FAST
        return len(value)
    if tag == "NULL":
        if value is not True:
            raise _NOT_FAST
        return 1
    if tag == "BS":
        if type(value) is not list or not value:
            raise _NOT_FAST
        size = 0
        for member in value:
            if type(member) is not bytes:
                raise _NOT_FAST
            size += len(member)
        if len(set(value)) != len(value):
            raise _NOT_FAST
        return size
    raise _NOT_FAST


def normalize_item_numbers(item: Item) -> Item:
    """Return ``item`` with top-level ``N`` and ``NS`` values in canonical text.

    This is what DynamoDB Local stores for PutItem: ``{"N": "1.50"}`` reads back as ``"1.5"``,
    while numbers nested in ``L``/``M`` keep their text. The item must be validated first.
    """
    for av in item.values():
        if ("N" in av and normalize_number(av["N"]) != av["N"]) or (
            "NS" in av and any(normalize_number(text) != text for text in av["NS"])
        ):
            break
    else:
        return dict(item)  # already canonical (the common case): a shallow copy, as below
    out: Item = {}
    for name, av in item.items():
        if "N" in av:
            out[name] = {"N": normalize_number(av["N"])}
        elif "NS" in av:
            out[name] = {"NS": [normalize_number(text) for text in av["NS"]]}
        else:
            out[name] = av
    return out


# --------------------------------------------------------------------------------------------
# Ordering and equality
# --------------------------------------------------------------------------------------------


def type_of(av: AV) -> str:
    """The type key of an AV (``"S"``, ``"N"``, ...)."""
    for key in av:
        return key
    raise validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )


def compare(a: AV, b: AV) -> int | None:
    """Order two AVs: -1, 0 or 1; ``None`` when they are not of one ordered type (S, N, B).

    ``N`` compares numerically, ``S`` by UTF-8 bytes (equivalently by code point), ``B`` by
    unsigned bytes.
    """
    if "S" in a:
        if "S" not in b:
            return None
        x: Any = a["S"]
        y: Any = b["S"]
    elif "N" in a:
        if "N" not in b:
            return None
        x = _decimal(a["N"])
        y = _decimal(b["N"])
    elif "B" in a:
        if "B" not in b:
            return None
        x = bytes(a["B"])
        y = bytes(b["B"])
    else:
        return None
    return -1 if x < y else (1 if x > y else 0)


def equal(a: AV, b: AV) -> bool:
    """DynamoDB equality: same type and value; sets as sets; numbers numerically."""
    kind = type_of(a)
    if kind not in b:
        return False
    x = a[kind]
    y = b[kind]
    if kind == "N":
        return _decimal(x) == _decimal(y)
    if kind in ("S", "BOOL", "NULL"):
        return bool(x == y)
    if kind == "B":
        return bytes(x) == bytes(y)
    if kind == "SS":
        return len(x) == len(y) and set(x) == set(y)
    if kind == "NS":
        return len(x) == len(y) and {_decimal(v) for v in x} == {_decimal(v) for v in y}
    if kind == "BS":
        return len(x) == len(y) and {bytes(v) for v in x} == {bytes(v) for v in y}
    if kind == "L":
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y, strict=True))
    if kind == "M":
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    return False


def set_contains(av: AV, member: AV) -> bool:
    """Whether the set ``av`` (SS/NS/BS) holds ``member`` (an S/N/B of the matching type)."""
    if "SS" in av:
        return "S" in member and member["S"] in av["SS"]
    if "NS" in av:
        if "N" not in member:
            return False
        wanted = _decimal(member["N"])
        return any(_decimal(v) == wanted for v in av["NS"])
    if "BS" in av:
        if "B" not in member:
            return False
        wanted_b = bytes(member["B"])
        return any(bytes(v) == wanted_b for v in av["BS"])
    return False


# --------------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------------


#: Plain number text: optional ``-``, digits, optional fraction; no exponent (ASCII digits only).
def _plain_parts(text: str) -> tuple[bool, str, str] | None:
    """``(negative, whole digits, fraction digits)`` of plain text (``-12.50``), else None.

    Plain: an optional ``-``, ASCII digits with at most one ``.``, at least one digit, no
    exponent. String methods instead of a regular expression: this runs for every number.
    """
    if not text.isascii():
        return None
    negative = text[:1] == "-"
    whole, _, fraction = (text[1:] if negative else text).partition(".")
    if whole:
        if not whole.isdigit() or (fraction and not fraction.isdigit()):
            return None
    elif not fraction.isdigit():  # also refuses "", "-", "."
        return None
    return negative, whole, fraction


def number_size(text: str) -> int:
    """Bytes DynamoDB counts for a number: one per base-100 digit, plus one (two if negative).

    The base-100 digits are aligned on the decimal point, leading and trailing zeros trimmed.
    The developer guide says "approximately 1 byte per two significant digits + 1 byte"; the
    aligned count is the exact form of that rule (an Oracle-NUMBER-like encoding).
    """
    size = _plain_number_size(text)
    return size if size is not None else _decimal_number_size(text)


def checked_number_size(text: str) -> int:
    """:func:`number_size` of number text that is validated first (as :func:`parse_number`).

    Plain text of at most 38 characters (``"906.83"``, ``"-3"``) is valid by construction --
    at most 38 digits, magnitude between 1E-37 and 1E+38 -- and sized from the text itself;
    anything else goes through :func:`parse_number` (which raises DynamoDB's errors).
    """
    if len(text) <= MAX_DIGITS and text.isascii():
        if text.isdigit() and text[0] != "0":
            # A positive integer (the commonest number): the general case below, simplified.
            digits = len(text)
            return (digits - 1) // 2 - (digits - len(text.rstrip("0"))) // 2 + 2
        # _plain_number_size, inline: this runs for every number of every written item.
        negative = text[:1] == "-"
        whole, _, fraction = (text[1:] if negative else text).partition(".")
        if (whole.isdigit() if whole else fraction.isdigit()) and (
            not fraction or fraction.isdigit()
        ):
            # _digits_size, inline (a call per number is a measurable share of a batch).
            whole = whole.lstrip("0")
            fraction = fraction.rstrip("0")
            if whole:
                adjusted = len(whole) - 1
                exponent = -len(fraction) if fraction else len(whole) - len(whole.rstrip("0"))
            elif fraction:
                adjusted = len(fraction.lstrip("0")) - len(fraction) - 1
                exponent = -len(fraction)
            else:
                return 1
            return adjusted // 2 - exponent // 2 + 2 + negative
    parse_number(text)
    return _decimal_number_size(text)


#: Bytes 1-9 as ``1``: number text with this table applied keeps only its *shape* (where the
#: sign, the zeros, the other digits and the point are), and the size of a number written
#: without exponent, and whether it is canonical, depend on nothing else.
_SHAPE = bytes.maketrans(b"123456789", b"111111111")

#: Shapes of valid short plain number texts (``b"11.11"`` for ``"98.85"``) -> the texts' size,
#: negated when such texts are not canonical (:func:`normalize_number` would rewrite them).
#: Values vary, shapes repeat (a workload has a few dozen): one probe sizes and checks a
#: number, ~5x less work than doing it from the text. Bounded: emptied when full.
_NUMBER_SHAPES: dict[bytes, int] = {}
_NUMBER_SHAPES_LIMIT = 4096

_encode = str.encode  # unbound: refuses what is not a str (a TypeError) without a type test


def _number_entry(text: str) -> int:
    """:func:`checked_number_size` of ``text``, negated unless it is canonical.

    Looks the text's shape up in ``_NUMBER_SHAPES`` (callers in the walk do that inline
    first); a plain ASCII text of at most 38 characters adds its shape there.

    Raises:
        EngineError: as :func:`parse_number`, for invalid text.
    """
    if len(text) <= MAX_DIGITS and text.isascii():
        shape = _encode(text).translate(_SHAPE)
        entry = _NUMBER_SHAPES.get(shape)
        if entry is not None:
            return entry
        # The shape's digits stand for the text's: same size, same canonical form.
        entry = _plain_entry(shape.decode())
        if entry is not None:
            if len(_NUMBER_SHAPES) >= _NUMBER_SHAPES_LIMIT:
                _NUMBER_SHAPES.clear()  # unusual data: start again with what comes now
            _NUMBER_SHAPES[shape] = entry
            return entry
    # Exponents, a '+', more than 38 characters: never canonical (normalize_number rewrites
    # the first two and leaves the last as it is, so "not canonical" is safe for it).
    return -checked_number_size(text)


def _plain_entry(text: str) -> int | None:
    """:func:`_number_entry` of short ASCII text written without exponent; None otherwise."""
    if text.isdigit() and text[0] != "0":
        # A positive integer (the commonest number): canonical; the general case, simplified.
        digits = len(text)
        return (digits - 1) // 2 - (digits - len(text.rstrip("0"))) // 2 + 2
    negative = text[:1] == "-"
    whole, dot, fraction = (text[1:] if negative else text).partition(".")
    if not (whole.isdigit() if whole else fraction.isdigit()) or (
        fraction and not fraction.isdigit()
    ):
        return None
    # Canonical (_is_canonical): no leading zero but "0.", no trailing zero, no "-0".
    if dot:
        canonical = (
            fraction != ""
            and fraction[-1] != "0"
            and (whole == "0" or (whole != "" and whole[0] != "0"))
        )
    else:
        canonical = whole[0] != "0" or (whole == "0" and not negative)
    # _digits_size, inline.
    whole = whole.lstrip("0")
    fraction = fraction.rstrip("0")
    if whole:
        adjusted = len(whole) - 1
        exponent = -len(fraction) if fraction else len(whole) - len(whole.rstrip("0"))
    elif fraction:
        adjusted = len(fraction.lstrip("0")) - len(fraction) - 1
        exponent = -len(fraction)
    else:
        return 1 if canonical else -1  # zero
    size = adjusted // 2 - exponent // 2 + 2 + negative
    return size if canonical else -size


def _plain_number_size(text: str) -> int | None:
    """The size of a number written without exponent, from its text; None for other forms."""
    parts = _plain_parts(text)
    if parts is None:
        return None
    return _digits_size(*parts)


def _digits_size(negative: bool, whole: str, fraction: str) -> int:
    """The size of the number ``[-]whole.fraction`` (digit strings, not both empty)."""
    whole = whole.lstrip("0")
    fraction = fraction.rstrip("0")
    if whole:
        adjusted = len(whole) - 1  # power of ten of the first significant digit
        exponent = -len(fraction) if fraction else len(whole) - len(whole.rstrip("0"))
    elif fraction:
        adjusted = len(fraction.lstrip("0")) - len(fraction) - 1
        exponent = -len(fraction)  # power of ten of the last significant digit
    else:
        return 1  # zero
    return adjusted // 2 - exponent // 2 + 2 + negative


def _decimal_number_size(text: str) -> int:
    value = _decimal(text)
    if not value:
        return 1
    exponent = value.normalize(_EXACT).as_tuple().exponent
    assert isinstance(exponent, int)
    # Digit positions run from 10**exponent up to 10**adjusted; each base-100 digit covers the
    # positions 2k and 2k+1. A negative number costs one more byte (its terminator), as
    # DynamoDB Local measures at the 400 KB limit.
    negative = 1 if value < 0 else 0
    return value.adjusted() // 2 - exponent // 2 + 1 + 1 + negative


def attribute_value_size(av: AV) -> int:
    """Size in bytes of a value (without its attribute name), by DynamoDB's documented rules.

    S: UTF-8 bytes; N: :func:`number_size`; B: raw bytes; BOOL/NULL: 1; sets: sum of members;
    L/M: 3 bytes + 1 byte per element + elements (map keys count their UTF-8 bytes).
    """
    if "S" in av:
        return _utf8_len(av["S"])
    if "N" in av:
        return number_size(av["N"])
    if "B" in av:
        return len(av["B"])
    if "M" in av:
        return 3 + sum(_utf8_len(k) + attribute_value_size(v) + 1 for k, v in av["M"].items())
    if "L" in av:
        return 3 + sum(attribute_value_size(v) + 1 for v in av["L"])
    if "SS" in av:
        return sum(_utf8_len(v) for v in av["SS"])
    if "NS" in av:
        return sum(number_size(v) for v in av["NS"])
    if "BS" in av:
        return sum(len(v) for v in av["BS"])
    return 1  # BOOL, NULL


def item_size(item: Mapping[str, AV]) -> int:
    """Size in bytes of an item: attribute names (UTF-8) plus values."""
    return sum(_utf8_len(name) + attribute_value_size(av) for name, av in item.items())


def _utf8_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))
