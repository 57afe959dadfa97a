"""The engine's one error type: a DynamoDB error code and message, as the service answers them.

The engine stands alone (standard library only), so it does not raise :mod:`sortkey.errors`
classes; ``backends/embedded.py`` translates :class:`EngineError` through
:func:`sortkey.errors.from_code`, and ``sortkey serve`` writes it as DynamoDB's JSON error body.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """A request refused the way DynamoDB refuses it.

    Attributes:
        code: DynamoDB's error code, e.g. ``"ValidationException"`` (the ``__type`` suffix).
        message: DynamoDB's message text.
        item: for ``ConditionalCheckFailedException`` with
            ``ReturnValuesOnConditionCheckFailure=ALL_OLD``, the stored item (wire format).
        cancellation_reasons: for ``TransactionCanceledException``, one dict per request item
            in DynamoDB's format (``{"Code": "None"}``, ``{"Code": "ConditionalCheckFailed",
            "Message": ..., "Item": ...}``).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        item: dict[str, Any] | None = None,
        cancellation_reasons: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.item = item
        self.cancellation_reasons = cancellation_reasons


def validation(message: str) -> EngineError:
    """Build a ``ValidationException`` (the most common refusal)."""
    return EngineError("ValidationException", message)
