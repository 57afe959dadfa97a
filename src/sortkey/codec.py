"""Python values ↔ DynamoDB AttributeValues, in botocore's low-level wire format.

Theory of operation
===================

The wire format is what botocore's low-level DynamoDB client sends and returns: one-key dicts
such as ``{"S": "x"}``, ``{"N": "12"}`` (numbers as text), ``{"B": b"..."}`` (raw bytes),
``{"SS": [...]}``, ``{"NS": [...]}``, ``{"BS": [...]}``, ``{"L": [...]}``, ``{"M": {...}}``,
``{"NULL": True}`` and ``{"BOOL": True}``.

Python → wire (:func:`serialize`, :func:`serialize_item`):

========================================  ===========================================
Python                                    AttributeValue
========================================  ===========================================
``str``                                   ``S``
``bool`` (checked before ``int``)         ``BOOL``
``None``                                  ``NULL``
``int``, ``decimal.Decimal``              ``N``, exact (never through ``float``)
``float``                                 ``N``, from its shortest round-trip text (``repr``)
``bytes``, ``bytearray``, ``memoryview``  ``B`` (always ``bytes`` on the wire)
``set``/``frozenset`` of str/number/bytes ``SS`` / ``NS`` / ``BS``, members sorted
``list``, ``tuple``                       ``L``
``dict`` and any ``Mapping`` (str keys)   ``M``
========================================  ===========================================

Subclasses are stored as their base type (a ``str`` enum as ``S``, an ``IntEnum`` as ``N``),
other ``Mapping`` and ``AbstractSet`` types as ``M`` and sets, ``numbers.Integral`` (numpy
integers) as ``N`` and boto3's ``Binary`` as ``B``. Every other type (``datetime``, ``UUID``,
plain ``Enum``, arbitrary objects...) is refused: the model layer decides how those are stored,
the codec does not guess. Every refusal raises :class:`~sortkey.errors.SerializationError`
saying what is wrong and where, e.g. ``at item['a']['b'][2]: cannot store a value of type
'object'``.

Numbers follow DynamoDB's rules. At most 38 significant digits (leading and trailing zeros do not
count, so ``10**50`` is fine), magnitude between ``1E-130`` and
``9.9999999999999999999999999999999999999E+125``, or zero; NaN and Infinity are refused.
The text sent is the *canonical* text, the very text DynamoDB returns after it normalises a
number on storage: positional notation, no exponent, no leading zeros, no trailing fractional
zeros, no ``-0`` (``Decimal("1E+2")`` → ``"100"``, ``Decimal("1.50")`` → ``"1.5"``,
``1e-05`` → ``"0.00001"``). So two numerically equal numbers always have the same text, and a
request can be compared with what DynamoDB stores.

Sets: empty sets are refused (DynamoDB refuses them), a set mixing strings, numbers and bytes is
refused, and so is a number set whose members become equal once normalised
(``{0.1, Decimal("0.1")}`` — two different Python values, one DynamoDB number): DynamoDB refuses
duplicates, and silently dropping one would change the set's size. Set members are sent sorted
(by their wire text or bytes), so a request is deterministic whatever the hash seed.

Nesting: the attribute values of an item are at level 1; a list or map at level 32 or deeper is
refused (DynamoDB's limit: 32 levels, counting the scalar innermost).

Wire → Python (:func:`deserialize`, :func:`deserialize_item`): ``S`` → ``str``, ``N`` → ``int``
when integral and ``Decimal`` otherwise, ``B`` → ``bytes`` (``bytearray``, ``memoryview`` and
boto3's ``Binary`` are accepted), ``SS``/``NS``/``BS`` → plain ``set``, ``L`` → ``list``,
``M`` → ``dict``, ``NULL`` → ``None``, ``BOOL`` → ``bool``. A float written by this codec reads
back as an ``int`` or ``Decimal`` whose ``float()`` is exactly the original float (``-0.0`` reads
back as ``0``).

Sizes: :func:`item_size` is a wire item's size by DynamoDB's rules (what the 400 KB limit and
capacity units count); :func:`serialize_item_sized` gives an item's wire form and its size in
one pass, which is how the Database API hands the embedded engine items it need not check
again.

Speed: this module is on every request's hot path. Values are dispatched on ``type(value)``
through dicts (subclasses are resolved once and cached), strings and numbers are handled inline
in the container loops, and the path of a refused value is only computed when something is
refused: an internal exception collects the keys and indexes as it unwinds.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import Any, TypeAlias

from .errors import SerializationError

__all__ = [
    "MAX_ITEM_SIZE",
    "MAX_NESTING_DEPTH",
    "AttributeValue",
    "Item",
    "deserialize",
    "deserialize_item",
    "item_size",
    "serialize",
    "serialize_item",
    "serialize_item_sized",
]

AttributeValue: TypeAlias = dict[str, Any]
"""One value in wire format, e.g. ``{"S": "x"}`` or ``{"N": "12"}``."""

Item: TypeAlias = dict[str, AttributeValue]
"""An item in wire format: attribute name → :data:`AttributeValue`."""

MAX_ITEM_SIZE = 400 * 1024
"""DynamoDB's item size limit in bytes, as computed by :func:`item_size`."""

MAX_NESTING_DEPTH = 32
"""Deepest level a value may sit at; the item's attribute values are at level 1."""

_MAX_DIGITS = 38
_INT_FAST_LIMIT = 10**_MAX_DIGITS  # any int strictly inside ±10**38 is always valid
_INT_FAST_LOW = -_INT_FAST_LIMIT
_INT_OVERFLOW = 10**126  # smallest magnitude DynamoDB refuses
_NONZERO_DIGITS = "123456789"
_MAX_ADJUSTED_EXPONENT = 125
_MIN_ADJUSTED_EXPONENT = -130

_SUPPORTED = (
    "str, int, float, Decimal, bool, None, bytes, bytearray, memoryview, "
    "set/frozenset of str, numbers or bytes, list, tuple, dict with str keys"
)


class _Refusal(Exception):
    """Internal: a value cannot be converted; collects its path while unwinding."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str | int] = []  # innermost first

    def to_error(self, root: str) -> SerializationError:
        where = root + "".join(
            f"[{part}]" if type(part) is int else f"[{part!r}]" for part in reversed(self.path)
        )
        return SerializationError(f"at {where}: {self.message}")


def _type_name(value: object) -> str:
    cls = type(value)
    if cls.__module__ in ("builtins", "decimal"):
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _short(value: object) -> str:
    """A bounded repr for error messages (a 10**5000 int must not flood the message)."""
    text = _int_repr(value) if type(value) is int else repr(value)
    return text if len(text) <= 60 else text[:45] + "..." + text[-12:]


def _int_repr(value: int) -> str:
    if -_INT_OVERFLOW < value < _INT_OVERFLOW:
        return int.__repr__(value)
    return f"{Decimal(value):.6E}"  # Decimal(int) is exact and has no digit limit


# --- numbers: Python → canonical text -------------------------------------------------------


def _significant_digits(text: str) -> int:
    """Number of significant digits of a positional number text (no exponent)."""
    return len(text.lstrip("-").replace(".", "").strip("0"))


def _too_many_digits(value: object, digits: int) -> _Refusal:
    return _Refusal(
        f"number {_short(value)} has {digits} significant digits; DynamoDB keeps at most "
        f"{_MAX_DIGITS} (round it, or store it as a string)"
    )


def _int_text(value: int) -> str:
    """Canonical N text of an exact ``int``."""
    if -_INT_FAST_LIMIT < value < _INT_FAST_LIMIT:
        return int.__repr__(value)
    if not -_INT_OVERFLOW < value < _INT_OVERFLOW:
        raise _Refusal(
            f"number {_short(value)} is too large: DynamoDB numbers must be smaller in "
            "magnitude than 1E+126"
        )
    text = int.__repr__(value)
    digits = _significant_digits(text)
    if digits > _MAX_DIGITS:
        raise _too_many_digits(value, digits)
    return text


def _decimal_text(value: Decimal, shown: object = None) -> str:
    """Canonical N text of a ``Decimal``; exact, never rounded by the decimal context.

    ``shown`` is the value to name in error messages when it is not ``value`` itself.
    """
    text = Decimal.__str__(value)
    # Fast path: Decimal's own text is already canonical when it is positional (no 'E'),
    # ends in a non-zero digit (no trailing fractional zeros, not NaN/Infinity/-0) and is
    # too short to hold more than 38 digits. (_map_body and _list_body inline this test.)
    if "E" not in text and text[-1] in _NONZERO_DIGITS and len(text) <= _MAX_DIGITS:
        return text
    if shown is None:
        shown = value
    if not value.is_finite():
        raise _Refusal(f"number {value} cannot be stored: DynamoDB refuses NaN and Infinity")
    if not value:
        return "0"  # any zero, whatever its sign or exponent
    adjusted = value.adjusted()  # exponent of the leading digit
    if adjusted > _MAX_ADJUSTED_EXPONENT:
        raise _Refusal(
            f"number {_short(shown)} is too large: DynamoDB numbers must be smaller in "
            "magnitude than 1E+126"
        )
    if adjusted < _MIN_ADJUSTED_EXPONENT:
        raise _Refusal(
            f"number {_short(shown)} is too small: DynamoDB numbers other than 0 must be at "
            "least 1E-130 in magnitude"
        )
    text = format(value, "f")  # positional and exact: no precision given, so no rounding
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # A text of at most 38 characters cannot hold more than 38 digits: skip the count.
    if len(text) > _MAX_DIGITS:
        digits = _significant_digits(text)
        if digits > _MAX_DIGITS:
            raise _too_many_digits(shown, digits)
    return text


def _float_text(value: float) -> str:
    """Canonical N text of an exact ``float``, from its shortest round-trip text (``repr``)."""
    text = repr(value)
    if "e" in text or "n" in text:  # exponent form, or 'inf' / 'nan'
        if not math.isfinite(value):
            raise _Refusal(f"number {text} cannot be stored: DynamoDB refuses NaN and Infinity")
        return _decimal_text(Decimal(text), value)
    # Positional repr (1e-4 <= |value| < 1e16): at most 17 digits and no trailing fractional
    # zeros, except the '.0' of an integral value.
    if text[-1] == "0":
        return text[:-2] if value else "0"  # '-0.0' is stored as 0
    return text


# --- serialization -----------------------------------------------------------------------------

_Serializer = Callable[[Any, int], AttributeValue]


def _ser_str(value: str, depth: int) -> AttributeValue:
    return {"S": value}


def _ser_bool(value: bool, depth: int) -> AttributeValue:
    return {"BOOL": value}


def _ser_none(value: None, depth: int) -> AttributeValue:
    return {"NULL": True}


def _ser_int(value: int, depth: int) -> AttributeValue:
    return {"N": _int_text(value)}


def _ser_float(value: float, depth: int) -> AttributeValue:
    return {"N": _float_text(value)}


def _ser_decimal(value: Decimal, depth: int) -> AttributeValue:
    return {"N": _decimal_text(value)}


def _ser_bytes(value: bytes, depth: int) -> AttributeValue:
    return {"B": value}


def _ser_bytes_like(value: bytearray | memoryview, depth: int) -> AttributeValue:
    return {"B": bytes(value)}


def _nesting_refusal(value: object) -> _Refusal:
    return _Refusal(
        f"too deeply nested: a {type(value).__name__} at level {MAX_NESTING_DEPTH}; DynamoDB "
        f"allows {MAX_NESTING_DEPTH} levels counting the innermost value, so lists and maps "
        f"stop at level {MAX_NESTING_DEPTH - 1}"
    )


class _Sizes:
    """What :func:`serialize_item_sized` gathers while it serializes, to size the item.

    ``texts``: every attribute name, map key, ``S`` value and ``SS`` member, joined once at the
    end (the joined text's UTF-8 length is the sum of theirs: one C call, not one per text);
    ``other``: every other byte (numbers, booleans, containers' overheads, binaries...).
    """

    __slots__ = ("other", "texts")

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.other = 0


#: Bytes 1-9 as ``1``: a canonical number text with this table applied keeps only its *shape*
#: (where the sign, the zeros, the other digits and the point are), and its size depends on
#: nothing else. Values vary but a workload's numbers have few shapes, so one probe of
#: ``_SHAPE_SIZES`` sizes most numbers.
_SHAPE = bytes.maketrans(b"123456789", b"111111111")
_SHAPE_SIZES: dict[bytes, int] = {}
_SHAPE_SIZES_LIMIT = 4096
_encode = str.encode


def _shape_size(text: str) -> int:
    """:func:`_number_size` of canonical number text, remembered by shape (bounded)."""
    size = _number_size(text)
    if len(_SHAPE_SIZES) >= _SHAPE_SIZES_LIMIT:
        _SHAPE_SIZES.clear()  # unusual data: start again with what comes now
    _SHAPE_SIZES[_encode(text).translate(_SHAPE)] = size
    return size


def _list_body(
    value: Iterable[Any], depth: int, sizes: _Sizes | None = None
) -> list[AttributeValue]:
    """Serialize the elements of a list or tuple that sit at level ``depth``.

    With ``sizes``, also gathers their sizes there (see :class:`_Sizes`); the caller counts
    the list's own 3 bytes and 1 byte per element.
    """
    # Same inline fast paths as _map_body (see there for why they are inline).
    if depth > MAX_NESTING_DEPTH:
        raise _nesting_refusal(value)
    out: list[AttributeValue] = []
    append = out.append
    get = _SERIALIZERS.get
    add_text = None if sizes is None else sizes.texts.append
    other = 0
    try:
        for element in value:
            cls = type(element)
            if cls is str:
                append({"S": element})
                if add_text is not None:
                    add_text(element)
                continue
            if cls is dict:
                append({"M": _map_body(element, depth + 1, sizes)})
                if sizes is not None:
                    other += 3 + len(element)
                continue
            if cls is int and _INT_FAST_LOW < element < _INT_FAST_LIMIT:
                text = repr(element)
            elif cls is float:
                text = repr(element)
                if "e" in text or "n" in text or text[-1] == "0":
                    text = _float_text(element)
            elif cls is Decimal:
                text = str(element)
                if "E" in text or text[-1] not in _NONZERO_DIGITS or len(text) > _MAX_DIGITS:
                    text = _decimal_text(element)
            else:
                av = (get(cls) or _resolve(cls))(element, depth)
                append(av)
                if sizes is not None:
                    other += _value_size(av)
                continue
            append({"N": text})
            if sizes is not None:
                other += _SHAPE_SIZES.get(_encode(text).translate(_SHAPE)) or _shape_size(text)
    except _Refusal as exc:
        exc.path.append(len(out))  # the failing element is the next one to be appended
        raise
    if sizes is not None:
        sizes.other += other
    return out


def _map_body(
    value: Mapping[Any, Any], depth: int, sizes: _Sizes | None = None
) -> dict[str, AttributeValue]:
    """Serialize the values of a mapping that sit at level ``depth``; keys must be str.

    With ``sizes``, also gathers the keys' and values' sizes there (see :class:`_Sizes`); the
    caller counts a nested map's own 3 bytes and 1 byte per member.
    """
    # The hot loop of the codec. A function call costs more than most conversions, so the
    # common exact types are converted inline, each with the cheap test that proves its text
    # canonical (the checks of _float_text / _decimal_text's fast paths); anything else, and
    # any number that fails the test, goes through the type-dispatch dict / the full function.
    # The type is known exactly in each branch, so the builtin repr/str (cheaper than
    # int.__repr__ & co.) cannot reach a subclass's override. With sizing off (serialize_item),
    # sizing costs a test of a local per value and a few per container: ~7% more
    # instructions (cachegrind), the price of one implementation instead of two.
    if depth > MAX_NESTING_DEPTH:
        raise _nesting_refusal(value)
    out: dict[str, AttributeValue] = {}
    get = _SERIALIZERS.get
    key: Any = None
    if sizes is None:
        add_text = None
    else:
        sizes.texts.extend(value)  # the keys (a key that is not a str is refused below)
        add_text = sizes.texts.append
    other = 0
    try:
        for key, element in value.items():
            if type(key) is not str or not key:
                key = _checked_key(key)
            cls = type(element)
            if cls is str:
                out[key] = {"S": element}
                if add_text is not None:
                    add_text(element)
                continue
            if cls is int:
                if _INT_FAST_LOW < element < _INT_FAST_LIMIT:
                    text = repr(element)
                else:
                    text = _int_text(element)
            elif cls is Decimal:
                text = str(element)
                if "E" in text or text[-1] not in _NONZERO_DIGITS or len(text) > _MAX_DIGITS:
                    text = _decimal_text(element)
            elif cls is float:
                text = repr(element)
                if "e" in text or "n" in text or text[-1] == "0":
                    text = _float_text(element)
            elif cls is dict:
                out[key] = {"M": _map_body(element, depth + 1, sizes)}
                if sizes is not None:
                    other += 3 + len(element)
                continue
            elif cls is bool:
                out[key] = {"BOOL": element}
                other += 1
                continue
            elif element is None:
                out[key] = {"NULL": True}
                other += 1
                continue
            elif cls is list:
                out[key] = {"L": _list_body(element, depth + 1, sizes)}
                if sizes is not None:
                    other += 3 + len(element)
                continue
            else:
                av = (get(cls) or _resolve(cls))(element, depth)
                out[key] = av
                if sizes is not None:
                    other += _value_size(av)
                continue
            out[key] = {"N": text}
            if sizes is not None:
                other += _SHAPE_SIZES.get(_encode(text).translate(_SHAPE)) or _shape_size(text)
    except _Refusal as exc:
        exc.path.append(key)
        raise
    if sizes is not None:
        sizes.other += other
    return out


def _ser_list(value: list[Any] | tuple[Any, ...], depth: int) -> AttributeValue:
    return {"L": _list_body(value, depth + 1)}


def _checked_key(key: object) -> str:
    if isinstance(key, str):
        if key:
            return str.__str__(key)  # a str subclass (e.g. a StrEnum member) becomes a str
        raise _Refusal("empty attribute name: DynamoDB refuses empty map keys and attribute names")
    raise _Refusal(
        f"map key {_short(key)} ({_type_name(key)}) is not a str; DynamoDB map keys and "
        "attribute names are strings"
    )


def _ser_map(value: Mapping[Any, Any], depth: int) -> AttributeValue:
    return {"M": _map_body(value, depth + 1)}


# Wire tag of a set member's scalar tag.
_SET_TAGS = {"S": "SS", "N": "NS", "B": "BS"}
_SET_KIND = {"SS": "strings", "NS": "numbers", "BS": "bytes"}


def _ser_set(value: AbstractSet[Any], depth: int) -> AttributeValue:
    if not value:
        raise _Refusal(
            "empty set: DynamoDB refuses empty sets (omit the attribute or store None instead)"
        )
    # Fast path: a set of exact strs, the common case (tags, roles...). A plain loop: all()
    # over a generator costs a frame per member.
    for member in value:
        if type(member) is not str:
            break
    else:
        return {"SS": sorted(value)}
    set_tag = ""
    members: list[Any] = []
    append = members.append
    for member in value:
        cls = type(member)
        serializer = _SERIALIZERS.get(cls) or _resolve(cls)
        if serializer is not _ser_str and serializer not in _SET_MEMBER_SERIALIZERS:
            raise _bad_set_member(member)
        ((tag, wire),) = serializer(member, depth).items()
        member_tag = _SET_TAGS[tag]
        if member_tag != set_tag:
            if set_tag:
                raise _Refusal(
                    f"a set mixing {_SET_KIND[set_tag]} and {_SET_KIND[member_tag]} "
                    f"(found {_short(member)}): a DynamoDB set holds one kind of value"
                )
            set_tag = member_tag
        append(wire)
    if set_tag == "NS" and len(set(members)) != len(members):
        duplicates = sorted({text for text in members if members.count(text) > 1})
        raise _Refusal(
            f"number set has members that are equal once normalised ({', '.join(duplicates)}); "
            "DynamoDB refuses duplicates in a set"
        )
    members.sort()
    return {set_tag: members}


def _bad_set_member(member: object) -> _Refusal:
    return _Refusal(
        f"a set may hold only strings, numbers or bytes, found {_short(member)} "
        f"({_type_name(member)})"
    )


def _ser_binary_wrapper(value: Any, depth: int) -> AttributeValue:
    return {"B": bytes(value.value)}


def _ser_integral(value: Any, depth: int) -> AttributeValue:
    return {"N": _int_text(operator.index(value))}


def _ser_str_subclass(value: str, depth: int) -> AttributeValue:
    return {"S": str.__str__(value)}


def _ser_int_subclass(value: int, depth: int) -> AttributeValue:
    return {"N": _int_text(int.__index__(value))}


def _ser_float_subclass(value: float, depth: int) -> AttributeValue:
    return {"N": _float_text(float.__float__(value))}


def _ser_bytes_subclass(value: bytes, depth: int) -> AttributeValue:
    return {"B": bytes(value)}


def _ser_unsupported(value: object, depth: int) -> AttributeValue:
    raise _Refusal(f"cannot store a value of type {_type_name(value)!r}; supported: {_SUPPORTED}")


_SERIALIZERS: dict[type, _Serializer] = {
    str: _ser_str,
    int: _ser_int,
    bool: _ser_bool,
    type(None): _ser_none,
    float: _ser_float,
    Decimal: _ser_decimal,
    bytes: _ser_bytes,
    bytearray: _ser_bytes_like,
    memoryview: _ser_bytes_like,
    dict: _ser_map,
    list: _ser_list,
    tuple: _ser_list,
    set: _ser_set,
    frozenset: _ser_set,
}

# Scalars that may be set members (their AttributeValue tag then says which set).
_SET_MEMBER_SERIALIZERS = frozenset(
    {
        _ser_int,
        _ser_float,
        _ser_decimal,
        _ser_bytes,
        _ser_bytes_like,
        _ser_binary_wrapper,
        _ser_integral,
        _ser_str_subclass,
        _ser_int_subclass,
        _ser_float_subclass,
        _ser_bytes_subclass,
    }
)

# For a subclass, the serializer of its first registered base (bool cannot be subclassed).
_SUBCLASS_SERIALIZERS: dict[type, _Serializer] = {
    str: _ser_str_subclass,
    int: _ser_int_subclass,
    float: _ser_float_subclass,
    Decimal: _ser_decimal,
    bytes: _ser_bytes_subclass,
    bytearray: _ser_bytes_like,
    dict: _ser_map,
    list: _ser_list,
    tuple: _ser_list,
    set: _ser_set,
    frozenset: _ser_set,
}


def _resolve(cls: type) -> _Serializer:
    """Find (once) the serializer of a type that is not registered exactly; cache it."""
    serializer: _Serializer = _ser_unsupported
    for base in cls.__mro__[1:]:
        found = _SUBCLASS_SERIALIZERS.get(base)
        if found is not None:
            serializer = found
            break
    else:
        if cls.__module__ == "boto3.dynamodb.types" and cls.__name__ == "Binary":
            serializer = _ser_binary_wrapper
        elif issubclass(cls, Mapping):
            serializer = _ser_map
        elif issubclass(cls, AbstractSet):
            serializer = _ser_set
        elif issubclass(cls, numbers.Integral):
            serializer = _ser_integral
    _SERIALIZERS[cls] = serializer
    return serializer


def serialize(value: object) -> AttributeValue:
    """Convert one Python value to a DynamoDB AttributeValue (wire format).

    Args:
        value: a ``str``, number, ``bool``, ``None``, bytes-like, set, list/tuple or mapping
            (see the module documentation for the full table).

    Returns:
        The AttributeValue, e.g. ``{"S": "x"}``.

    Raises:
        SerializationError: the value cannot be stored in DynamoDB (unsupported type, number
            out of range, empty or mixed set, nesting too deep...); the message says what and
            where, e.g. ``at value['tags'][3]: ...``.

    Example:
        >>> serialize({"price": Decimal("9.90"), "ratio": 0.1, "tags": {"b", "a"}})
        {'M': {'price': {'N': '9.9'}, 'ratio': {'N': '0.1'}, 'tags': {'SS': ['a', 'b']}}}
        >>> serialize(Decimal("1E+2"))
        {'N': '100'}
        >>> serialize([1, None, b"ab"])
        {'L': [{'N': '1'}, {'NULL': True}, {'B': b'ab'}]}
    """
    cls = type(value)
    try:
        return (_SERIALIZERS.get(cls) or _resolve(cls))(value, 1)
    except _Refusal as exc:
        raise exc.to_error("value") from None


def serialize_item(item: Mapping[str, object]) -> Item:
    """Convert a mapping of attribute names to Python values into a wire-format item.

    Args:
        item: attribute name → Python value; names must be non-empty strings.

    Returns:
        The item in wire format.

    Raises:
        SerializationError: a value cannot be stored; the message names the path, e.g.
            ``at item['address']['lines'][2]: cannot store a value of type 'object'; ...``.

    Example:
        >>> serialize_item({"pk": "USER#1", "age": 42, "active": True})
        {'pk': {'S': 'USER#1'}, 'age': {'N': '42'}, 'active': {'BOOL': True}}
        >>> serialize_item({"pk": "USER#1", "when": object()})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        sortkey.errors.SerializationError: at item['when']: cannot store ... type 'object'; ...
    """
    if type(item) is not dict and not isinstance(item, Mapping):
        raise SerializationError(
            f"an item must be a mapping of attribute names to values, not {_type_name(item)}"
        )
    try:
        return _map_body(item, 1)
    except _Refusal as exc:
        raise exc.to_error("item") from None


def serialize_item_sized(item: Mapping[str, object]) -> tuple[Item, int]:
    """:func:`serialize_item` and the item's :func:`item_size`, in one pass.

    Cheaper than the two calls: names and strings are sized together, numbers by their shape.

    Args:
        item: attribute name → Python value; names must be non-empty strings.

    Returns:
        ``(wire item, size in bytes by DynamoDB's rules)``.

    Raises:
        SerializationError: as :func:`serialize_item`.

    Example:
        >>> serialize_item_sized({"pk": "USER#1", "age": 42, "tags": ["a"]})
        ({'pk': {'S': 'USER#1'}, 'age': {'N': '42'}, 'tags': {'L': [{'S': 'a'}]}}, 22)
    """
    if type(item) is not dict and not isinstance(item, Mapping):
        raise SerializationError(
            f"an item must be a mapping of attribute names to values, not {_type_name(item)}"
        )
    sizes = _Sizes()
    try:
        wire = _map_body(item, 1, sizes)
    except _Refusal as exc:
        raise exc.to_error("item") from None
    text = "".join(sizes.texts)
    return wire, sizes.other + (len(text) if text.isascii() else _utf8_size(text))


# --- deserialization ---------------------------------------------------------------------------


def _number(text: str) -> int | Decimal:
    """Python value of N text: ``int`` when integral, else ``Decimal`` (exact either way)."""
    # _de_map and _de_list take non-negative integers and canonical fractions inline.
    if "e" not in text and "E" not in text:
        if "." not in text:
            return int(text)
        # A text with a point that ends in a non-zero digit is never integral (canonical
        # text, what DynamoDB returns, has no trailing fractional zeros): skip the check.
        if text[-1] in _NONZERO_DIGITS:
            return Decimal(text)
    value = Decimal(text)
    if not value.is_finite():
        raise _Refusal(f"N value {text!r} is not a finite number")
    # Refused before int(): int(Decimal("1E+999999")) would take minutes and gigabytes.
    if value and not _MIN_ADJUSTED_EXPONENT <= value.adjusted() <= _MAX_ADJUSTED_EXPONENT:
        raise _Refusal(f"N value {_short(text)} is outside DynamoDB's range (1E-130 to 1E+126)")
    # to_integral_value is exact here; it does not round to the context precision.
    if value == value.to_integral_value():
        return int(value)
    return value


def _de_identity(value: Any) -> Any:
    return value


def _de_null(value: Any) -> None:
    return None


def _de_bytes(value: Any) -> bytes:
    if type(value) is bytes:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    cls = type(value)
    if cls.__module__ == "boto3.dynamodb.types" and cls.__name__ == "Binary":
        return bytes(value.value)
    raise _Refusal(f"a B value must be bytes, not {_type_name(value)}")


def _de_number_set(value: Iterable[str]) -> set[int | Decimal]:
    return {_number(text) for text in value}


def _de_binary_set(value: Iterable[Any]) -> set[bytes]:
    return {_de_bytes(member) for member in value}


def _de_list(value: Iterable[Mapping[str, Any]]) -> list[Any]:
    out: list[Any] = []
    append = out.append
    decoders = _DESERIALIZERS
    element: Any = None
    try:
        for element in value:
            (tag,) = element
            if tag == "S":
                append(element["S"])
            elif tag == "N":
                text = element["N"]
                if text.isdigit():
                    append(int(text))
                elif (  # canonical fraction: never integral (see _number)
                    "." in text
                    and text[-1] in _NONZERO_DIGITS
                    and "e" not in text
                    and "E" not in text
                ):
                    append(Decimal(text))
                else:
                    append(_number(text))
            elif tag == "M":
                append(_de_map(element["M"]))
            else:
                append(decoders[tag](element[tag]))
    except _Refusal as exc:
        exc.path.append(len(out))
        raise
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
        refusal = _bad_attribute_value(element, exc)
        refusal.path.append(len(out))
        raise refusal from None
    return out


def _de_map(value: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    decoders = _DESERIALIZERS
    key: Any = None
    element: Any = None
    try:
        for key, element in value.items():
            (tag,) = element
            if tag == "S":
                out[key] = element["S"]
            elif tag == "N":
                text = element["N"]
                if text.isdigit():
                    out[key] = int(text)
                elif (  # canonical fraction: never integral (see _number)
                    "." in text
                    and text[-1] in _NONZERO_DIGITS
                    and "e" not in text
                    and "E" not in text
                ):
                    out[key] = Decimal(text)
                else:
                    out[key] = _number(text)
            elif tag == "M":
                out[key] = _de_map(element["M"])
            elif tag == "L":
                out[key] = _de_list(element["L"])
            else:
                out[key] = decoders[tag](element[tag])
    except _Refusal as exc:
        exc.path.append(key)
        raise
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
        refusal = _bad_attribute_value(element, exc)
        refusal.path.append(key)
        raise refusal from None
    return out


def _bad_attribute_value(value: object, exc: BaseException) -> _Refusal:
    """Explain, after the fact, why ``value`` could not be read as an AttributeValue."""
    if not isinstance(value, Mapping):
        return _Refusal(f"expected an AttributeValue dict, got {_type_name(value)}")
    if len(value) != 1:
        return _Refusal(f"an AttributeValue has exactly one type key, got {sorted(value)!r}")
    (tag,) = value
    if tag not in _DESERIALIZERS:
        return _Refusal(f"unknown AttributeValue type {tag!r}")
    if isinstance(exc, (ValueError, ArithmeticError)) and tag in ("N", "NS"):
        return _Refusal(f"{tag} value {_short(value[tag])} is not a valid number")
    return _Refusal(f"malformed {tag} value {_short(value[tag])}: {exc}")


_DESERIALIZERS: dict[str, Callable[[Any], Any]] = {
    "S": _de_identity,
    "N": _number,
    "BOOL": bool,  # a builtin: cheaper to call than a Python identity function
    "NULL": _de_null,
    "B": _de_bytes,
    "M": _de_map,
    "L": _de_list,
    "SS": set,
    "NS": _de_number_set,
    "BS": _de_binary_set,
}


def deserialize(av: Mapping[str, Any]) -> Any:
    """Convert one DynamoDB AttributeValue (wire format) to a Python value.

    ``N`` becomes ``int`` when integral and ``Decimal`` otherwise; sets become plain ``set``.

    Args:
        av: a one-key AttributeValue dict, e.g. ``{"N": "12"}``.

    Returns:
        The Python value.

    Raises:
        SerializationError: ``av`` is not a well-formed AttributeValue.

    Example:
        >>> deserialize({"M": {"n": {"N": "12"}, "price": {"N": "9.9"}, "b": {"B": b"ab"}}})
        {'n': 12, 'price': Decimal('9.9'), 'b': b'ab'}
        >>> deserialize({"NS": ["1", "2.5"]}) == {1, Decimal("2.5")}
        True
    """
    try:
        return _de_list((av,))[0]
    except _Refusal as exc:
        exc.path.pop()  # drop the index in the one-element wrapper list (the outermost part)
        raise exc.to_error("value") from None


def deserialize_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Convert a wire-format item to a dict of Python values.

    Args:
        item: attribute name → AttributeValue, as botocore returns it.

    Returns:
        attribute name → Python value.

    Raises:
        SerializationError: a value is not a well-formed AttributeValue; the message names it.

    Example:
        >>> deserialize_item({"pk": {"S": "USER#1"}, "tags": {"SS": ["a"]}, "n": {"N": "1.50"}})
        {'pk': 'USER#1', 'tags': {'a'}, 'n': Decimal('1.50')}
    """
    if type(item) is not dict and not isinstance(item, Mapping):
        raise SerializationError(
            f"an item must be a mapping of attribute names to AttributeValues, "
            f"not {_type_name(item)}"
        )
    try:
        return _de_map(item)
    except _Refusal as exc:
        raise exc.to_error("item") from None


# --- item size ---------------------------------------------------------------------------------


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _number_size(text: str) -> int:
    """Stored size of an N text: 1 + base-100 digits (pairs aligned on the point) + 1 if < 0."""
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    negative = text.startswith("-")
    text = text.lstrip("+-")
    whole, _, fraction = text.partition(".")
    whole = whole.lstrip("0")
    fraction = fraction.rstrip("0")
    if whole:
        lead = len(whole) - 1  # decimal exponent of the leading significant digit
        last = -len(fraction) if fraction else len(whole) - len(whole.rstrip("0"))
    else:
        significant = fraction.lstrip("0")
        if not significant:
            return 1  # zero
        lead = len(significant) - len(fraction) - 1
        last = -len(fraction)
    return 1 + (lead // 2 - last // 2 + 1) + negative


def _value_size(av: Mapping[str, Any]) -> int:
    (tag,) = av
    value = av[tag]
    if tag == "S":
        return _utf8_size(value)
    if tag == "N":
        return _number_size(value)
    if tag == "B":
        return len(_de_bytes(value))
    if tag == "M":
        return 3 + sum(_utf8_size(k) + 1 + _value_size(v) for k, v in value.items())
    if tag == "L":
        return 3 + sum(1 + _value_size(v) for v in value)
    if tag == "SS":
        return _utf8_size("".join(value))  # one C call, not one per member
    if tag == "NS":
        return sum(_number_size(member) for member in value)
    if tag == "BS":
        return sum(len(_de_bytes(member)) for member in value)
    if tag in ("BOOL", "NULL"):
        return 1
    raise SerializationError(f"unknown AttributeValue type {tag!r}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Size of a wire-format item in bytes, by DynamoDB's rules ("Item sizes and formats").

    The size is the sum, over attributes, of the UTF-8 length of the name plus the size of the
    value:

    - ``S``: UTF-8 bytes of the string; ``B``: raw bytes (not base64);
    - ``N``: 1 byte, plus 1 byte per pair of significant digits with the pairs aligned on the
      decimal point (DynamoDB stores numbers in base 100), plus 1 byte if negative; zero is
      1 byte. So ``"1"``, ``"12"``, ``"100"`` and ``"0.01"`` take 2 bytes, ``"123"``, ``"1.5"``
      and ``"-1"`` take 3, a 38-digit number 20 or 21. (The guide's "about one byte per two
      significant digits, plus one" is this rule, rounded.)
    - ``BOOL`` and ``NULL``: 1 byte;
    - ``L`` and ``M``: 3 bytes, plus for each element 1 byte plus its size (plus, in a map, the
      UTF-8 length of its key);
    - ``SS``, ``NS``, ``BS``: the sum of their members' sizes.

    These rules reproduce exactly where DynamoDB Local puts the limit: an item is accepted when
    this size is at most :data:`MAX_ITEM_SIZE` (409,600 bytes) and refused above it.

    Args:
        item: the item in wire format.

    Returns:
        The size in bytes.

    Example:
        >>> item_size({"pk": {"S": "USER#1"}, "age": {"N": "42"}, "tags": {"L": [{"S": "a"}]}})
        22

        That is ``(2 + 6) + (3 + 2) + (4 + 3 + 1 + 1)``.
    """
    try:
        return sum(_utf8_size(name) + _value_size(av) for name, av in item.items())
    except _Refusal as exc:
        raise SerializationError(f"item_size: {exc.message}") from None
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
        raise SerializationError(f"item_size needs a wire-format item: {exc!r}") from None
