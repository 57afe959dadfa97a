"""DynamoDB's JSON wire format <-> botocore's wire format (the one conversion at HTTP borders).

Both HTTP layers — ``sortkey serve`` (JSON in, engine, JSON out) and :class:`HttpBackend`
(wire dict out, JSON in) — go through this module, so they agree byte for byte.

The two formats differ only in binary values: botocore's wire format holds ``B`` as ``bytes``
and ``BS`` as a list of ``bytes``; on the HTTP wire both are base64 text. Rules:

* **Encoding** needs no walk: the only ``bytes`` in a wire dict are ``B``/``BS`` values, so
  :func:`dumps` hands ``json.dumps`` a ``default`` hook that base64-encodes them wherever they
  sit (items, keys, ``L``/``M`` nesting, ``UnprocessedItems``, ``CancellationReasons``...).
* **Decoding** uses ``json.loads``'s ``object_hook``: a JSON object with exactly one member,
  ``"B"`` holding a string or ``"BS"`` holding a list of strings, is an AttributeValue (no other
  DynamoDB structure has a member of that name, and an item or map whose only attribute is
  named ``B`` holds an AttributeValue object, never a string). When the body holds no ``"B"``
  or ``"BS"`` key at all — most requests — the hook is skipped, so plain JSON parsing is all
  that is paid.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Any

__all__ = ["WireFormatError", "dumps", "loads"]


class WireFormatError(ValueError):
    """A body that is not JSON, or a ``B``/``BS`` value that is not base64."""


def _default(value: object) -> object:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        # botocore hands timestamps out as datetimes; JSON 1.0 carries epoch seconds.
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not valid in a DynamoDB request or response")


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, default=_default
)
# A lone surrogate (JSON allows "\ud800") cannot be UTF-8: such bodies are sent as \u escapes.
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=_default)


def dumps(value: Any) -> bytes:
    r"""Serialize a botocore-wire value to DynamoDB's JSON (UTF-8), binaries as base64.

    Example:
        >>> dumps({"Item": {"b": {"B": b"\x00\x01"}, "s": {"S": "é"}}})
        b'{"Item":{"b":{"B":"AAE="},"s":{"S":"\xc3\xa9"}}}'
    """
    text = _ENCODER.encode(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _ASCII_ENCODER.encode(value).encode("ascii")


def _decode_b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WireFormatError(f"invalid base64 in a binary value ({exc})") from None


def _binary_hook(obj: dict[str, Any]) -> dict[str, Any]:
    if len(obj) == 1:
        value = obj.get("B")
        if isinstance(value, str):
            obj["B"] = _decode_b64(value)
            return obj
        values = obj.get("BS")
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            obj["BS"] = [_decode_b64(v) for v in values]
    return obj


def loads(body: bytes) -> Any:
    r"""Parse DynamoDB's JSON into botocore's wire format, base64 binaries back to ``bytes``.

    Raises:
        WireFormatError: the body is not UTF-8 JSON, or a binary value is not base64.

    Example:
        >>> loads(b'{"Item": {"b": {"BS": ["AAE=", "/w=="]}}}')
        {'Item': {'b': {'BS': [b'\x00\x01', b'\xff']}}}
    """
    hook = _binary_hook if (b'"B"' in body or b'"BS"' in body) else None
    try:
        return json.loads(body, object_hook=hook)
    except WireFormatError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise WireFormatError(f"the body is not valid JSON ({exc})") from None
