"""DynamoDB's JSON 1.0 protocol over the embedded engine, without any I/O.

One request is an operation name (from ``X-Amz-Target: DynamoDB_20120810.<Operation>``) and a
JSON body; :func:`respond` turns it into an HTTP status and a JSON body exactly as DynamoDB
shapes them, so botocore, the AWS CLI and every AWS SDK read the answer as they read AWS's:

* success: 200 and the response members, binaries base64-encoded;
* a refused request: 400 and ``{"__type": "<namespace>#<Code>", "message": "..."}``, plus
  ``Item`` for a failed condition with ``ReturnValuesOnConditionCheckFailure=ALL_OLD`` and
  ``CancellationReasons`` for a cancelled transaction. The message member is spelled as
  DynamoDB's service model spells it for that error (``Message`` for the transaction errors,
  ``message`` elsewhere); botocore reads either;
* a failure of the server itself: 500 and ``InternalServerError``.
"""

from __future__ import annotations

import logging
from typing import Any

from ..backends._json_wire import WireFormatError, dumps, loads
from ..engine import Engine, EngineError

__all__ = ["TARGET_PREFIX", "error_body", "respond"]

TARGET_PREFIX = "DynamoDB_20120810."
"""What ``X-Amz-Target`` starts with; the operation name follows."""

_logger = logging.getLogger("sortkey.server")

_DYNAMODB = "com.amazonaws.dynamodb.v20120810#"
_NAMESPACES = {
    "ValidationException": "com.amazon.coral.validate#",
    "SerializationException": "com.amazon.coral.service#",
    "UnknownOperationException": "com.amazon.coral.service#",
}
# Errors whose service model names the member "Message"; all others use "message".
_CAPITALISED_MESSAGE = frozenset(
    {
        "TransactionCanceledException",
        "TransactionInProgressException",
        "IdempotentParameterMismatchException",
    }
)
_STATUS = {"InternalServerError": 500, "ServiceUnavailable": 503}


def error_body(
    code: str,
    message: str,
    *,
    item: dict[str, Any] | None = None,
    cancellation_reasons: list[dict[str, Any]] | None = None,
) -> bytes:
    """DynamoDB's JSON error body for an error code.

    Example:
        >>> error_body("ResourceNotFoundException", "Requested resource not found")
        b'{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}'
    """  # noqa: E501
    body: dict[str, Any] = {"__type": _NAMESPACES.get(code, _DYNAMODB) + code}
    body["Message" if code in _CAPITALISED_MESSAGE else "message"] = message
    if item is not None:
        body["Item"] = item
    if cancellation_reasons is not None:
        body["CancellationReasons"] = cancellation_reasons
    return dumps(body)


def _internal_error() -> tuple[int, bytes]:
    return 500, error_body("InternalServerError", "Internal server error")


def respond(engine: Engine, target: str | None, body: bytes) -> tuple[int, bytes]:
    """Run one JSON 1.0 request on ``engine``; return the HTTP status and response body.

    Args:
        engine: the engine answering the request.
        target: the ``X-Amz-Target`` header, or None when the request has none.
        body: the raw request body.
    """
    if target is None or not target.startswith(TARGET_PREFIX):
        return 400, error_body(
            "UnknownOperationException",
            f"Missing or unknown X-Amz-Target header {target!r}: "
            f"expected {TARGET_PREFIX}<Operation>",
        )
    operation = target[len(TARGET_PREFIX) :]
    try:
        # botocore always sends a body ("{}" at least); an empty one means no parameters.
        params = loads(body) if body else {}
    except WireFormatError as exc:
        return 400, error_body("SerializationException", str(exc))
    if not isinstance(params, dict):
        return 400, error_body("SerializationException", "the request body must be a JSON object")
    try:
        result = engine.call(operation, params)
    except EngineError as exc:
        return _STATUS.get(exc.code, 400), error_body(
            exc.code,
            exc.message,
            item=exc.item,
            cancellation_reasons=exc.cancellation_reasons,
        )
    except Exception:
        _logger.exception("internal error in %s", operation)
        return _internal_error()
    try:
        return 200, dumps(result)
    except (TypeError, ValueError):
        _logger.exception("cannot serialize the response of %s", operation)
        return _internal_error()
