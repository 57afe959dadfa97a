"""The expression parameters of one request, parsed with one shared placeholder context.

DynamoDB checks that every ``ExpressionAttributeNames`` / ``ExpressionAttributeValues`` entry is
used by some expression of the request; :meth:`Expressions.finish` does that after all of the
request's expressions were parsed.
"""

from __future__ import annotations

from typing import Any

from ..errors import validation


class Expressions:
    """Parses the expressions of a request on demand (each returns None when absent)."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        names = params.get("ExpressionAttributeNames")
        vals = params.get("ExpressionAttributeValues")
        self._used = False
        self._names = names
        self._values = vals

    def _text(self, name: str) -> str | None:
        text = self.params.get(name)
        if text is None:
            return None
        if not isinstance(text, str):
            raise validation(f"Invalid {name}: must be a string")
        self._used = True
        # STOPGAP until engine.expressions lands: expressions are not parsed yet.
        raise validation(f"{name} is not supported by this engine build yet")

    def condition(self) -> Any:
        """The ConditionExpression, or None."""
        return self._text("ConditionExpression")

    def filter(self) -> Any:
        """The FilterExpression, or None."""
        return self._text("FilterExpression")

    def projection(self) -> Any:
        """The ProjectionExpression, or None."""
        return self._text("ProjectionExpression")

    def update(self) -> Any:
        """The UpdateExpression, or None."""
        return self._text("UpdateExpression")

    def key_condition(self, hash_keys: list[str], range_keys: list[str]) -> Any:
        """The KeyConditionExpression, or None."""
        return self._text("KeyConditionExpression")

    def finish(self) -> None:
        """Refuse placeholders defined but not used, or given with no expression at all."""
        if not self._used:
            if self._names:
                raise validation(
                    "ExpressionAttributeNames can only be specified when using expressions"
                )
            if self._values:
                raise validation(
                    "ExpressionAttributeValues can only be specified when using expressions"
                )
