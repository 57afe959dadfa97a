"""Steps of a flow: what a generator yields to its driver, and how drivers answer.

Theory of operation: a *flow* is a generator that yields steps and returns a result.

* :class:`Request` — send one API call; the driver sends back the response dict, or throws
  the :class:`~sortkey.errors.DynamoDBError` the backend raised into the generator.
* :class:`Sleep` — wait; the driver sends back ``None``.
* :class:`Emit` — hand a value to the caller; the driver sends back ``None``.
* :class:`EmitEach` — hand each of a page's items, converted one by one as the caller reaches
  it, to the caller (query results); the driver sends back ``None`` once all were handed on.
  A caller that stops early never has the rest converted, nor the flow resumed.

Drivers (``Database``, ``AsyncDatabase``) hold no other logic, so every operation is
written once. A :class:`Request` is also a plain value: ``ops.put(user).params`` is what would
be sent, inspectable offline.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, TypeVar

from ..errors import DynamoDBError, InvalidInput

__all__ = [
    "RETURN_VALUES",
    "Context",
    "Emit",
    "EmitEach",
    "Flow",
    "Request",
    "Sleep",
    "Step",
    "Vouched",
    "collect",
    "raise_translated",
    "return_values",
    "send",
]

T = TypeVar("T")

Vouched = Mapping[int, tuple[dict[str, Any], int]]
"""Wire items the codec built, with their sizes: ``{id(item): (item, size)}``."""


def _identity(response: dict[str, Any]) -> Any:
    return response


def _same(exc: DynamoDBError) -> BaseException:
    return exc


@dataclass(frozen=True)
class Request(Generic[T]):
    """One API call as a value.

    Attributes:
        operation: the DynamoDB operation, e.g. ``"PutItem"``.
        params: its parameters in botocore's wire format.
        parse: turns the response into the operation's result.
        translate: turns a backend error into the error by cause (``ItemExists``...).
        vouched: the items of ``params`` that the codec built, with their sizes,
            ``{id(item): (item, size)}`` (``codec.serialize_item_sized``). Drivers hand them
            to a backend in this process (the embedded engine), which then stores them
            without validating them again; other backends never see them. A request is
            sent as it was built: change its ``params`` and build a new one instead.
    """

    operation: str
    params: Mapping[str, Any]
    parse: Callable[[dict[str, Any]], T] = field(default=_identity, repr=False, compare=False)
    translate: Callable[[DynamoDBError], BaseException] = field(
        default=_same, repr=False, compare=False
    )
    vouched: Vouched | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` before the next step (polling, backoff)."""

    seconds: float


@dataclass(frozen=True)
class Emit:
    """A result handed to the caller while the flow goes on (an item of a query)."""

    value: Any


@dataclass(frozen=True)
class EmitEach:
    """``convert(item)`` for each of ``items``, handed to the caller in order (a query page).

    One step per page rather than one :class:`Emit` per item: ``.all()`` converts a page with
    one loop, and ``for x in query`` still converts each item only when the loop reaches it,
    so an item that fails to convert raises after the items before it were handed on.
    """

    items: Sequence[Any]
    convert: Callable[[Any], Any] = field(default=_identity, repr=False, compare=False)


Step = Request[Any] | Sleep | Emit | EmitEach
Flow = Generator[Step, Any, T]


def send(request: Request[T]) -> Flow[T]:
    """The flow of a single request: send it, translate its error, parse its response."""
    try:
        response = yield request
    except DynamoDBError as exc:
        raise_translated(request, exc)
    return request.parse(response)


def raise_translated(request: Request[Any], exc: DynamoDBError) -> NoReturn:
    """Raise the error by cause that ``request`` makes of ``exc`` (``exc`` itself if none).

    For drivers that send a lone request without the :func:`send` flow (a fast path); it
    must be called in the ``except`` block that caught ``exc``.
    """
    translated = request.translate(exc)
    if translated is exc:
        raise exc
    raise translated from exc


def collect(flow: Flow[Any]) -> Flow[list[Any]]:
    """The flow of ``flow`` with what it emits gathered into a list (its result).

    Requests and sleeps pass through to the driver, and errors back into ``flow``, untouched.
    """
    out: list[Any] = []
    answer: Any = None
    error: DynamoDBError | None = None
    while True:
        try:
            step = flow.send(answer) if error is None else flow.throw(error)
        except StopIteration:
            return out
        answer, error = None, None
        if isinstance(step, EmitEach):
            convert = step.convert
            out.extend([convert(item) for item in step.items])
            continue
        if isinstance(step, Emit):
            out.append(step.value)
            continue
        try:
            answer = yield step
        except DynamoDBError as exc:
            error = exc


@dataclass(frozen=True)
class Context:
    """What every request builder needs to know about the database it targets.

    Attributes:
        table_prefix: prepended to every table name (one namespace per test, per stage).
        cursor_secret: keys the checksum of page cursors (set it when cursors travel through
            untrusted hands, e.g. an API's ``?cursor=``); without it, cursors are still bound
            to their query, but anyone who knows the scheme could forge one.
    """

    table_prefix: str = ""
    cursor_secret: bytes = field(default=b"", repr=False)

    def table_name(self, table: Any) -> str:
        """The name of ``table`` (a ``Table`` or a name) on the server."""
        name = table if isinstance(table, str) else table.name
        return f"{self.table_prefix}{name}"


DEFAULT_CONTEXT = Context()


#: ``returning=`` words → DynamoDB's ``ReturnValues``.
RETURN_VALUES = {
    "none": "NONE",
    "old": "ALL_OLD",
    "new": "ALL_NEW",
    "updated_old": "UPDATED_OLD",
    "updated_new": "UPDATED_NEW",
}


def return_values(returning: str, allowed: Sequence[str] = tuple(RETURN_VALUES)) -> str:
    """DynamoDB's ``ReturnValues`` for ``returning=``; refuses a word not in ``allowed``.

    Example:
        >>> return_values("updated_new")
        'UPDATED_NEW'
    """
    if returning not in allowed:
        raise InvalidInput(f"returning must be one of {', '.join(allowed)}, got {returning!r}")
    return RETURN_VALUES[returning]
