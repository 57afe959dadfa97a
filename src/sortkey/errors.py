"""The one exception tree of sortkey.

Every error sortkey raises derives from :class:`SortkeyError`. Errors are grouped by *cause*,
not by operation: ``except sortkey.errors.ConditionFailed`` catches a failed condition whether
it came from a put, an update or a delete.

::

    SortkeyError
    ├── DefinitionError            a Table / Entity / index definition is wrong
    ├── InvalidInput (ValueError)  bad arguments caught before any request is sent
    │   ├── SerializationError     a value that cannot be stored in DynamoDB
    │   └── ExpressionError        an expression that DynamoDB would refuse
    ├── BackendUnavailable         the backend cannot be reached or started
    └── DynamoDBError              DynamoDB (or the embedded engine) refused a request
        ├── ConditionFailed        ConditionalCheckFailedException; ``.item`` when returned
        │   ├── ItemExists         ``create`` found an item with the same key
        │   ├── ItemNotFound       ``update`` (or a conditional delete) found no item
        │   ├── StaleVersion       a versioned write based on an outdated read
        │   └── UniqueViolation    a ``__unique__`` value is taken; ``.field``, ``.value``
        ├── TransactionCanceled    TransactionCanceledException; ``.reasons`` per item,
        │                          ``.failures``: the operations that caused it, by cause
        ├── BatchIncomplete        a batch kept coming back unprocessed; ``.unprocessed``
        ├── TransactionConflict    TransactionConflictException
        ├── TransactionInProgress  TransactionInProgressException
        ├── IdempotentParameterMismatch
        ├── Throttled              ProvisionedThroughputExceeded, Throttling, RequestLimit
        ├── ValidationError        ValidationException
        │   └── ItemTooLarge       an item over DynamoDB's 400 KB limit
        ├── TableNotFound          ResourceNotFoundException
        ├── ResourceInUse          ResourceInUseException (table exists or is busy)
        ├── LimitExceeded          LimitExceededException
        ├── AccessDenied           AccessDenied, UnrecognizedClient, signature errors
        └── ServiceError           InternalServerError, ServiceUnavailable and unknown codes

Each :class:`DynamoDBError` carries the DynamoDB error ``code``, its ``message``, the
``operation`` that failed and the request ``params`` (the request context), and its string form
says what to do about it. :func:`from_code` is the one table that maps DynamoDB error codes to
these classes; every backend goes through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AccessDenied",
    "BackendUnavailable",
    "BatchIncomplete",
    "CancellationReason",
    "ConditionFailed",
    "DefinitionError",
    "DynamoDBError",
    "ExpressionError",
    "IdempotentParameterMismatch",
    "InvalidInput",
    "ItemExists",
    "ItemNotFound",
    "ItemTooLarge",
    "LimitExceeded",
    "ResourceInUse",
    "SerializationError",
    "ServiceError",
    "SortkeyError",
    "StaleVersion",
    "TableNotFound",
    "Throttled",
    "TransactionCanceled",
    "TransactionConflict",
    "TransactionFailure",
    "TransactionInProgress",
    "UniqueViolation",
    "ValidationError",
    "from_code",
]


class SortkeyError(Exception):
    """Base class of every error raised by sortkey."""


class DefinitionError(SortkeyError):
    """A table, entity or index definition is invalid; raised when the class is created."""


class InvalidInput(SortkeyError, ValueError):
    """Arguments that sortkey refuses before sending any request; nothing was written."""


class SerializationError(InvalidInput):
    """A Python value that cannot be represented as a DynamoDB attribute value."""


class ExpressionError(InvalidInput):
    """An expression that DynamoDB would refuse (empty update, two operations on one path...)."""


class BackendUnavailable(SortkeyError):
    """The backend (DynamoDB Local, an HTTP endpoint, an optional dependency) is not available."""


class DynamoDBError(SortkeyError):
    """DynamoDB, or the embedded engine, refused a request.

    Attributes:
        code: the DynamoDB error code, e.g. ``"ValidationException"``.
        message: DynamoDB's message.
        operation: the API operation, e.g. ``"PutItem"``.
        params: the request parameters in wire format (the request context).
    """

    hint = ""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        operation: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.operation = operation
        self.params: Mapping[str, Any] = params if params is not None else {}
        super().__init__(message)

    @property
    def table_name(self) -> str | None:
        """The table the failed request addressed, when it names one."""
        name = self.params.get("TableName")
        return name if isinstance(name, str) else None

    def __str__(self) -> str:
        where = self.operation or "request"
        if self.table_name:
            where += f" on table {self.table_name!r}"
        text = f"{where} failed: {self.code or type(self).__name__}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConditionFailed(DynamoDBError):
    """The request's condition expression evaluated to false; nothing was written.

    Attributes:
        item: the item as stored, in wire format, when the request asked for it with
            ``ReturnValuesOnConditionCheckFailure=ALL_OLD``; otherwise ``None``.
    """

    hint = "read the item again and retry, or relax the condition"

    def __init__(
        self, message: str, *, item: Mapping[str, Any] | None = None, **context: Any
    ) -> None:
        super().__init__(message, **context)
        self.item = item


class ItemExists(ConditionFailed):
    """``create`` refused: an item with the same primary key already exists."""

    hint = "use put() to replace it, or update() to change it"


class ItemNotFound(ConditionFailed):
    """The item to update (or conditionally delete) does not exist; nothing was written."""

    hint = "create it first, or check the key"


class StaleVersion(ConditionFailed):
    """A versioned write was based on an outdated read; nothing was written.

    Attributes:
        expected: the version the write was based on.
        actual: the version stored now (``None`` if the item is gone).
    """

    hint = "read the item again, reapply the change, and write it back"

    def __init__(
        self,
        message: str,
        *,
        expected: int | None = None,
        actual: int | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, **context)
        self.expected = expected
        self.actual = actual


class UniqueViolation(ConditionFailed):
    """A value of a ``__unique__`` field is already taken by another item; nothing was written.

    It derives from :class:`ConditionFailed` (the cause is a failed condition on a guard item),
    although it comes from a cancelled transaction: the transaction is how sortkey writes
    guard items, not what went wrong.

    Attributes:
        entity: the entity type, e.g. ``"User"``.
        field: the unique field, e.g. ``"email"``.
        value: the value that is taken.
        reasons: the transaction's cancellation reasons, one per item.
    """

    hint = "choose another value"

    def __init__(
        self,
        message: str,
        *,
        entity: str = "",
        field: str = "",
        value: Any = None,
        reasons: Sequence[CancellationReason] = (),
        **context: Any,
    ) -> None:
        super().__init__(message, **context)
        self.entity = entity
        self.field = field
        self.value = value
        self.reasons: tuple[CancellationReason, ...] = tuple(reasons)


@dataclass(frozen=True)
class CancellationReason:
    """Why one item of a transaction was cancelled (``code`` ``"None"``: that item was fine)."""

    code: str
    message: str | None = None
    item: Mapping[str, Any] | None = None

    @property
    def failed(self) -> bool:
        """Whether this item caused the cancellation."""
        return self.code not in ("None", "")


@dataclass(frozen=True)
class TransactionFailure:
    """One operation of a transaction that caused its cancellation.

    Attributes:
        index: its position among the request's items (``TransactItems``).
        operation: what it was, e.g. ``"create Post {'pk': 'USER#1', 'sk': 'POST#9'}"``.
        entity: the entity type name (``""`` for plain items).
        error: the cause, as the error the operation alone would raise (:class:`ItemExists`,
            :class:`ItemNotFound`, :class:`StaleVersion`, :class:`UniqueViolation`,
            :class:`ConditionFailed`, :class:`TransactionConflict`...).
        reason: DynamoDB's cancellation reason for the item.
    """

    index: int
    operation: str
    entity: str
    error: SortkeyError
    reason: CancellationReason


class TransactionCanceled(DynamoDBError):
    """A transaction was cancelled; nothing in it was written.

    Attributes:
        reasons: one :class:`CancellationReason` per item of the request, in request order.
        failures: the operations that caused it, each with its cause as an error
            (filled by sortkey's transactions; empty for raw requests).
    """

    hint = "see .failures (or .reasons) for the item that caused it"

    def __init__(
        self,
        message: str,
        *,
        reasons: Sequence[CancellationReason] = (),
        failures: Sequence[TransactionFailure] = (),
        **context: Any,
    ) -> None:
        super().__init__(message, **context)
        self.reasons: tuple[CancellationReason, ...] = tuple(reasons)
        self.failures: tuple[TransactionFailure, ...] = tuple(failures)

    def __str__(self) -> str:
        text = super().__str__()
        if self.failures:
            text += " — " + "; ".join(
                f"#{f.index} {f.operation}: {type(f.error).__name__}: "
                f"{getattr(f.error, 'message', str(f.error))}"
                for f in self.failures
            )
            return text
        failed = [f"#{i}: {r.code}" for i, r in enumerate(self.reasons) if r.failed]
        if failed:
            text += " — failed items: " + ", ".join(failed)
        return text


class BatchIncomplete(DynamoDBError):
    """DynamoDB kept returning part of a batch unprocessed, past every retry.

    What is not in ``unprocessed`` was done: a batch is not atomic.

    Attributes:
        unprocessed: what was not done — for writes, ``("put" | "delete", description)``
            pairs; for reads, the keys (wire format) that were not read.
    """

    hint = "the table's capacity is exhausted; retry later, or raise its capacity"

    def __init__(self, message: str, *, unprocessed: Sequence[Any] = (), **context: Any) -> None:
        super().__init__(message, **context)
        self.unprocessed: tuple[Any, ...] = tuple(unprocessed)


class TransactionConflict(DynamoDBError):
    """Another transaction is writing one of the same items; retry the request."""

    hint = "another transaction touched the same item; retry"


class TransactionInProgress(DynamoDBError):
    """A transaction with the same client request token is still running."""

    hint = "wait and retry with the same client request token"


class IdempotentParameterMismatch(DynamoDBError):
    """A client request token was reused with different parameters."""

    hint = "use a new client request token for a different request"


class Throttled(DynamoDBError):
    """The request rate exceeded the table's or account's capacity."""

    hint = "retry with backoff, or raise the table's capacity"


class ValidationError(DynamoDBError):
    """DynamoDB refused the request as invalid; nothing was written."""

    hint = "fix the request; DynamoDB's message says what is wrong"


class ItemTooLarge(ValidationError):
    """An item exceeds DynamoDB's 400 KB item size limit."""

    hint = "store large values elsewhere (S3) or split the item"


class TableNotFound(DynamoDBError):
    """The table (or index) does not exist, or is not active yet."""

    hint = "create it first, e.g. db.create_table(table)"


class ResourceInUse(DynamoDBError):
    """The table already exists or is being created, updated or deleted."""

    hint = "the table already exists or is busy; wait or use another name"


class LimitExceeded(DynamoDBError):
    """An account or table limit was reached (too many tables, indexes or control-plane calls)."""


class AccessDenied(DynamoDBError):
    """The credentials are missing, wrong or lack permission for this request."""

    hint = "check the credentials and IAM permissions of this client"


class ServiceError(DynamoDBError):
    """DynamoDB failed on its side, or answered an error code sortkey does not know."""

    hint = "retry later"


_BY_CODE: dict[str, type[DynamoDBError]] = {
    "ConditionalCheckFailedException": ConditionFailed,
    "TransactionCanceledException": TransactionCanceled,
    "TransactionConflictException": TransactionConflict,
    "TransactionInProgressException": TransactionInProgress,
    "IdempotentParameterMismatchException": IdempotentParameterMismatch,
    "ProvisionedThroughputExceededException": Throttled,
    "ThrottlingException": Throttled,
    "RequestLimitExceeded": Throttled,
    "ValidationException": ValidationError,
    "SerializationException": ValidationError,
    "ResourceNotFoundException": TableNotFound,
    "ResourceInUseException": ResourceInUse,
    "LimitExceededException": LimitExceeded,
    "AccessDeniedException": AccessDenied,
    "UnrecognizedClientException": AccessDenied,
    "MissingAuthenticationTokenException": AccessDenied,
    "InvalidSignatureException": AccessDenied,
    "IncompleteSignatureException": AccessDenied,
    "InternalServerError": ServiceError,
    "ServiceUnavailable": ServiceError,
}

_TOO_LARGE_MARKERS = ("Item size has exceeded", "Item size to update has exceeded")


def _reasons(raw: Sequence[Mapping[str, Any]] | None) -> list[CancellationReason]:
    return [
        CancellationReason(
            code=str(r.get("Code", "None")), message=r.get("Message"), item=r.get("Item")
        )
        for r in raw or ()
    ]


def from_code(
    code: str,
    message: str,
    *,
    operation: str = "",
    params: Mapping[str, Any] | None = None,
    item: Mapping[str, Any] | None = None,
    cancellation_reasons: Sequence[Mapping[str, Any]] | None = None,
) -> DynamoDBError:
    """Build the sortkey error for a DynamoDB error code: the one translation table.

    Args:
        code: DynamoDB's error code (the ``__type`` suffix), e.g. ``"ValidationException"``.
        message: DynamoDB's message.
        operation: the API operation that failed.
        params: the request parameters, kept as context.
        item: for a failed condition, the item DynamoDB returned (wire format).
        cancellation_reasons: for a cancelled transaction, DynamoDB's ``CancellationReasons``.

    Example:
        >>> err = from_code("ConditionalCheckFailedException", "The conditional request failed")
        >>> type(err).__name__
        'ConditionFailed'
    """
    cls = _BY_CODE.get(code, ServiceError)
    if cls is ValidationError and any(m in message for m in _TOO_LARGE_MARKERS):
        cls = ItemTooLarge
    context: dict[str, Any] = {"code": code, "operation": operation, "params": params}
    if cls is ConditionFailed:
        return ConditionFailed(message, item=item, **context)
    if cls is TransactionCanceled:
        return TransactionCanceled(message, reasons=_reasons(cancellation_reasons), **context)
    return cls(message, **context)
