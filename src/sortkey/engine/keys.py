"""Order-preserving binary encoding of key values, and the partition hash.

Theory of operation
-------------------
SQLite compares BLOBs with ``memcmp`` and then by length. Every key value is encoded so that this
byte order is exactly DynamoDB's order for the key's type:

* ``S``: the UTF-8 bytes (DynamoDB orders strings by their UTF-8 bytes).
* ``B``: the bytes themselves (unsigned byte order).
* ``N``: a base-100 encoding (the one DynamoDB Local uses internally): one byte of sign and
  exponent, then the digits in pairs, each pair ``p`` written as ``p + 1`` for positive numbers or
  ``101 - p`` for negative ones, negatives closed by ``102`` so that a shorter mantissa (larger in
  magnitude... smaller as a negative number) sorts correctly. Zero is the single byte ``0x80``.
  Equal numbers written differently (``1``, ``1.0``, ``10E-1``) encode identically.

Within one key column all values have the same type (the key schema fixes it), so no type tag is
needed. Composite values (multi-attribute index keys) concatenate the parts with ``0x00`` escaped
as ``0x00 0xFF`` and each part closed by ``0x00 0x01``, which keeps tuple order.

Partitions are stored in the order of :func:`partition_hash`: SHA-1 over a fixed salt and the
encoded value, exactly as DynamoDB Local orders them, so a Scan returns items in DynamoDB Local's
order and Segment/TotalSegments split the same hash space.
"""

from __future__ import annotations

import functools
import hashlib
from decimal import Decimal
from typing import Any

#: Salt DynamoDB Local mixes into its partition hash (the ASCII bytes of ``LocalDdb``).
_SALT = b"LocalDdb"

#: Bytes of :func:`partition_hash`, at the start of every stored partition key.
HASH_BYTES = hashlib.sha1().digest_size

#: The encoding of zero, between all negative numbers (< 0x80) and all positive ones (>= 0x80).
_ZERO = b"\x80"


def encode_number(text: str) -> bytes:
    """Encode a DynamoDB number so that byte order equals numeric order.

    Args:
        text: the number as DynamoDB accepts it (``"12"``, ``"-1.5E3"``); assumed valid.

    Returns:
        The order-preserving encoding; equal numbers give equal bytes.
    """
    value = Decimal(text)
    if not value:
        return _ZERO
    # as_tuple() is exact (normalize() would round to the context's 28 digits).
    sign, digits_tuple, exponent = value.as_tuple()
    negative = sign == 1
    digits = "".join(map(str, digits_tuple)).rstrip("0")
    assert isinstance(exponent, int)
    exponent += len(digits_tuple) - len(digits)
    # The value is 0.<digits> * 10**point; pairs of digits are aligned on an even point.
    point = len(digits) + exponent
    if point % 2:
        digits = "0" + digits
        point += 1
    if len(digits) % 2:
        digits += "0"
    pairs = [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    head = (192 + point // 2) & 0xFF
    if negative:
        out = bytearray([~head & 0xFF])
        out.extend(101 - p for p in pairs)
        if len(pairs) < 20:
            out.append(102)
        return bytes(out)
    out = bytearray([head])
    out.extend(p + 1 for p in pairs)
    return bytes(out)


def encode_value(av: dict[str, Any]) -> bytes:
    """Encode one scalar key AttributeValue (``S``, ``N`` or ``B``) in its type's order."""
    if "S" in av:
        text: str = av["S"]
        return text.encode("utf-8")
    if "N" in av:
        return encode_number(av["N"])
    data: bytes = av["B"]
    return bytes(data)


def encode_composite(values: list[dict[str, Any]]) -> bytes:
    """Encode several key values so that byte order equals tuple order (multi-attribute keys)."""
    if len(values) == 1:
        return encode_value(values[0])
    parts = [encode_value(v).replace(b"\x00", b"\x00\xff") + b"\x00\x01" for v in values]
    return b"".join(parts)


def partition_hash(values: list[dict[str, Any]]) -> bytes:
    """The hash (:data:`HASH_BYTES` long) that orders partitions (DynamoDB Local's salted SHA-1)."""
    if len(values) == 1:
        return hashlib.sha1(_SALT + encode_value(values[0])).digest()
    digest = hashlib.sha1(_SALT)
    for v in values:
        digest.update(hashlib.sha1(_SALT + encode_value(v)).digest())
    return digest.digest()


def partition_key(values: list[dict[str, Any]]) -> bytes:
    """The stored partition column: the hash (for DynamoDB Local's order) then the value itself."""
    return partition_hash(values) + encode_composite(values)


def scalar_partition_key(av: dict[str, Any]) -> bytes:
    """:func:`partition_key` of one key value; recent values are remembered.

    Writes and reads of one partition (a batch of a customer's orders, a query's page of
    them) hash the same value again and again: the SHA-1 is computed once.
    """
    for kind, value in av.items():
        if type(value) is not bytearray:  # hashable: S / N text, B bytes
            return typed_partition_key(kind, value)
    return partition_key([av])


@functools.lru_cache(maxsize=4096)
def typed_partition_key(kind: str, value: str | bytes) -> bytes:
    """:func:`scalar_partition_key` of ``{kind: value}`` (``value`` hashable: not a bytearray)."""
    return partition_key([{kind: value}])


#: Upper bound of the 160-bit hash space, used to split it into scan segments.
HASH_SPACE = 1 << (8 * HASH_BYTES)


def segment_bounds(segment: int, total: int) -> tuple[bytes, bytes | None]:
    """The partition-column range ``[low, high)`` covered by one parallel-scan segment."""
    low = (HASH_SPACE * segment) // total
    high = (HASH_SPACE * (segment + 1)) // total
    low_bytes = low.to_bytes(20, "big")
    if high >= HASH_SPACE:
        return low_bytes, None
    return low_bytes, high.to_bytes(20, "big")
