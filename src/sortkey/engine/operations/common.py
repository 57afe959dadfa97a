"""Request checks shared by operations: required parameters, names, enums, legacy parameters."""

from __future__ import annotations

import re
from typing import Any

from ..errors import EngineError, validation

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.\-]{3,255}")

#: Legacy parameters and the expression that replaces each (sortkey refuses them on purpose).
LEGACY = {
    "AttributesToGet": "ProjectionExpression",
    "KeyConditions": "KeyConditionExpression",
    "Expected": "ConditionExpression",
    "AttributeUpdates": "UpdateExpression",
    "QueryFilter": "FilterExpression",
    "ScanFilter": "FilterExpression",
    "ConditionalOperator": "ConditionExpression or FilterExpression (with AND / OR)",
}


def refuse_legacy(params: dict[str, Any]) -> None:
    """Refuse DynamoDB's legacy parameters, naming the expression to use instead.

    This is a deliberate difference from DynamoDB, which still supports them.
    """
    if params.keys().isdisjoint(LEGACY):
        return  # the common case: one set operation instead of a lookup per name
    for name, replacement in LEGACY.items():
        if params.get(name) is not None:
            raise validation(
                f"The legacy parameter {name} is not supported by the sortkey engine; "
                f"use {replacement} instead"
            )


def require(params: dict[str, Any], name: str, wire_name: str) -> Any:
    """A required parameter, or DynamoDB's "must not be null" message."""
    value = params.get(name)
    if value is None:
        raise validation(
            f"1 validation error detected: Value null at '{wire_name}' failed to satisfy "
            "constraint: Member must not be null"
        )
    return value


INVALID_NAME = (
    "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, "
    "and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'"
)


def table_name(params: dict[str, Any]) -> str:
    """The TableName parameter, checked (DynamoDB Local's message for any bad name)."""
    name = require(params, "TableName", "tableName")
    if not isinstance(name, str) or not _TABLE_NAME.fullmatch(name):
        raise validation(INVALID_NAME)
    return name


def check_name(name: Any, wire_name: str) -> None:
    """DynamoDB's table/index name constraints, with its messages."""
    if not isinstance(name, str):
        raise EngineError("SerializationException", f"Unexpected value type for {wire_name}")
    if len(name) < 3:
        raise validation(
            f"1 validation error detected: Value '{name}' at '{wire_name}' failed to satisfy "
            "constraint: Member must have length greater than or equal to 3"
        )
    if len(name) > 255:
        raise validation(
            f"1 validation error detected: Value '{name}' at '{wire_name}' failed to satisfy "
            "constraint: Member must have length less than or equal to 255"
        )
    if not _TABLE_NAME.fullmatch(name):
        raise validation(
            f"1 validation error detected: Value '{name}' at '{wire_name}' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )


def enum(params: dict[str, Any], name: str, wire_name: str, allowed: tuple[str, ...]) -> Any:
    """An optional enum parameter, checked."""
    value = params.get(name)
    if value is not None and value not in allowed:
        raise validation(
            f"1 validation error detected: Value '{value}' at '{wire_name}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    return value


RETURN_CAPACITY = ("INDEXES", "TOTAL", "NONE")


def return_capacity(params: dict[str, Any]) -> str:
    """ReturnConsumedCapacity: ``INDEXES``, ``TOTAL`` or ``NONE``."""
    value = enum(params, "ReturnConsumedCapacity", "returnConsumedCapacity", RETURN_CAPACITY)
    return str(value or "NONE")
