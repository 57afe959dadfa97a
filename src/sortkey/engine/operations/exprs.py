"""The expression parameters of one request, parsed with one shared placeholder context.

DynamoDB checks that every ``ExpressionAttributeNames`` / ``ExpressionAttributeValues`` entry is
used by some expression of the request; :meth:`Expressions.finish` does that after all of the
request's expressions were parsed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import validation
from ..expressions import (
    Condition,
    ExpressionContext,
    KeyCondition,
    Path,
    Projection,
    Update,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project_paths,
)
from .schema import Item


class Expressions:
    """Parses the expressions of a request on demand (each returns None when absent)."""

    def __init__(
        self, params: dict[str, Any], *, absent: str = "ConditionExpression is null"
    ) -> None:
        self.params = params
        self._ctx: ExpressionContext | None = None
        # DynamoDB Local names the expressions that were missing when values are given alone.
        self._absent = absent

    def _text(self, name: str) -> str | None:
        text = self.params.get(name)
        if text is None:
            return None
        if not isinstance(text, str):
            raise validation(f"Invalid {name}: the expression must be a string")
        return text

    def _context(self) -> ExpressionContext:
        if self._ctx is None:
            self._ctx = ExpressionContext(
                self.params.get("ExpressionAttributeNames"),
                self.params.get("ExpressionAttributeValues"),
            )
        return self._ctx

    def condition(self) -> Condition | None:
        """The ConditionExpression, or None."""
        text = self._text("ConditionExpression")
        if text is None:
            return None
        return parse_condition(text, self._context(), kind="ConditionExpression")

    def filter(self) -> Condition | None:
        """The FilterExpression, or None."""
        text = self._text("FilterExpression")
        if text is None:
            return None
        return parse_condition(text, self._context(), kind="FilterExpression")

    def projection(self) -> Projection | None:
        """The ProjectionExpression, or None."""
        text = self._text("ProjectionExpression")
        if text is None:
            return None
        return parse_projection(text, self._context())

    def update(self) -> Update | None:
        """The UpdateExpression, or None."""
        text = self._text("UpdateExpression")
        if text is None:
            return None
        return parse_update(text, self._context())

    def key_condition(
        self,
        hash_keys: list[str],
        range_keys: list[str],
        types: dict[str, str],
        table_keys: list[str] | None = None,
    ) -> KeyCondition | None:
        """The KeyConditionExpression bound to a key schema, or None.

        ``table_keys``: the table's key names when an index is queried (for messages).
        """
        text = self._text("KeyConditionExpression")
        if text is None:
            return None
        return parse_key_condition(
            text,
            self._context(),
            hash_key=hash_keys,
            range_key=range_keys or None,
            hash_type=[types[n] for n in hash_keys],
            range_type=[types[n] for n in range_keys] or None,
            table_keys=table_keys,
        )

    def finish(self) -> None:
        """Refuse placeholders defined but not used, or given with no expression at all."""
        if self._ctx is not None:
            self._ctx.check_all_used()
            return
        # An empty map with no expression is accepted (DynamoDB Local treats it as absent).
        if self.params.get("ExpressionAttributeNames"):
            raise validation(
                "ExpressionAttributeNames can only be specified when using expressions"
            )
        if self.params.get("ExpressionAttributeValues"):
            raise validation(
                "ExpressionAttributeValues can only be specified when using expressions: "
                + self._absent
            )


def paths_of(item: Item, paths: Iterable[Path]) -> Item:
    """The parts of ``item`` at ``paths`` (ReturnValues UPDATED_OLD / UPDATED_NEW)."""
    return project_paths(item, paths)
