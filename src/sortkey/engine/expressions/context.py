"""Placeholder resolution for one request: ``ExpressionAttributeNames`` / ``Values``.

One :class:`ExpressionContext` serves every expression of a request (an UpdateItem may carry an
UpdateExpression and a ConditionExpression); it records which placeholders were used so that
:meth:`ExpressionContext.check_all_used` can refuse unused ones afterwards, as DynamoDB does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import EngineError, validation
from ..values import (
    AV,
    MAX_NESTING,
    MSG_ITEM_NESTING,
    is_valid_value,
    nesting_depth,
    validate_attribute_value,
)

Path = tuple["str | int", ...]
"""A resolved document path: attribute names (str) and list indexes (int)."""


class ExpressionContext:
    """The names and values a request's expressions may refer to.

    Args:
        names: ``ExpressionAttributeNames`` (``{"#n": "name"}``) or None when absent.
        values: ``ExpressionAttributeValues`` (``{":v": {"S": "x"}}``) or None when absent.

    Raises:
        EngineError: ValidationException when a map is given but empty, or a value is not a
            valid AttributeValue (DynamoDB's ``ExpressionAttributeValues contains invalid
            value: <reason> for key :v``).
    """

    __slots__ = ("names", "used_names", "used_values", "values")

    def __init__(self, names: Mapping[str, str] | None, values: Mapping[str, AV] | None) -> None:
        if names is not None and not names:
            raise validation("ExpressionAttributeNames must not be empty")
        if values is not None and not values:
            raise validation("ExpressionAttributeValues must not be empty")
        # DynamoDB Local's order: names' keys, values' keys, values, then names' values.
        if names:
            _check_keys("ExpressionAttributeNames", "#", names)
        if values:
            _check_keys("ExpressionAttributeValues", ":", values)
            for key, av in values.items():
                _validate_value(key, av)
        if names:
            for key, name in names.items():
                if name == "":
                    raise validation(
                        "ExpressionAttributeNames contains invalid value: Empty attribute name "
                        f"for key {key}"
                    )
        self.names: Mapping[str, str] = names or {}
        self.values: Mapping[str, AV] = values or {}
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def fresh_uses(self) -> ExpressionContext:
        """The same names and values (already checked), with no placeholder marked used yet."""
        other = ExpressionContext.__new__(ExpressionContext)
        other.names = self.names
        other.values = self.values
        other.used_names = set()
        other.used_values = set()
        return other

    def name(self, ref: str, kind: str) -> str:
        """Resolve ``#ref`` (raising DynamoDB's error when undefined) and mark it used."""
        try:
            name = self.names[ref]
        except KeyError:
            raise validation(
                f"Invalid {kind}: An expression attribute name used in the document path is "
                f"not defined; attribute name: {ref}"
            ) from None
        self.used_names.add(ref)
        return name

    def value(self, ref: str, kind: str) -> AV:
        """Resolve ``:ref`` (raising DynamoDB's error when undefined) and mark it used."""
        try:
            av = self.values[ref]
        except KeyError:
            raise validation(
                f"Invalid {kind}: An expression attribute value used in expression is not "
                f"defined; attribute value: {ref}"
            ) from None
        self.used_values.add(ref)
        return av

    def check_all_used(self) -> None:
        """Refuse placeholders no expression used (names are reported before values).

        Raises:
            EngineError: ValidationException ``Value provided in ExpressionAttributeNames
                unused in expressions: keys: {#a, #b}`` (or the Values variant); keys listed
                in the order DynamoDB (a Java ``HashSet``) lists them.
        """
        unused_names = [ref for ref in self.names if ref not in self.used_names]
        if unused_names:
            raise validation(
                "Value provided in ExpressionAttributeNames unused in expressions: "
                f"keys: {{{', '.join(java_hash_set_order(unused_names))}}}"
            )
        unused_values = [ref for ref in self.values if ref not in self.used_values]
        if unused_values:
            raise validation(
                "Value provided in ExpressionAttributeValues unused in expressions: "
                f"keys: {{{', '.join(java_hash_set_order(unused_values))}}}"
            )


_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _check_keys(parameter: str, prefix: str, mapping: Mapping[str, Any]) -> None:
    """Refuse a placeholder that is not ``#``/``:`` followed by ``[A-Za-z0-9_]+``."""
    for key in mapping:
        if key == "":
            raise validation(
                f"{parameter} contains invalid key: The expression attribute map contains an "
                "empty key;"
            )
        if len(key) < 2 or key[0] != prefix or not _KEY_CHARS.issuperset(key[1:]):
            raise validation(f'{parameter} contains invalid key: Syntax error; key: "{key}"')


def _is_container(av: Any) -> bool:
    return isinstance(av, dict) and ("M" in av or "L" in av)


def _validate_value(key: str, av: AV) -> None:
    if is_valid_value(av, levels=MAX_NESTING + 1):
        return  # the common case, one walk; otherwise the checks below find the message
    try:
        # A value may be one level deeper than an item's attribute (DynamoDB Local).
        if _is_container(av) and nesting_depth(av, MAX_NESTING + 1) > MAX_NESTING + 1:
            raise validation(MSG_ITEM_NESTING)
        validate_attribute_value(av)
    except EngineError as exc:
        raise validation(
            f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
        ) from None


def _java_string_hash(text: str) -> int:
    # Java's String.hashCode over UTF-16 code units, as an unsigned 32-bit value.
    h = 0
    data = text.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] | (data[i + 1] << 8))) & 0xFFFFFFFF
    return h


def java_hash_set_order(keys: Iterable[str]) -> list[str]:
    """Order strings the way a Java ``HashSet`` built from them iterates.

    Bucket = ``(h ^ (h >>> 16)) & (capacity - 1)`` with capacity the power of two that keeps
    the load factor under 0.75 (at least 16); ties keep insertion order.
    """
    items = list(keys)
    capacity = 16
    while len(items) > capacity * 0.75:
        capacity *= 2

    def bucket(key: str) -> int:
        h = _java_string_hash(key)
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(items, key=bucket)


def format_path(path: Iterable[Any]) -> str:
    """A resolved path as DynamoDB prints it in messages: ``[a, b, [0]]``."""
    return "[" + ", ".join(f"[{s}]" if isinstance(s, int) else s for s in path) + "]"
