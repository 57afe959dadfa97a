"""sortkey for asyncio: :class:`AsyncDatabase`, the async twin of :class:`sortkey.Database`.

Same method names, same arguments, same results and errors; the methods that talk to the
database are coroutines, queries are read with ``await q.all()`` or ``async for``, and
transactions and batches are ``async with`` blocks::

    db = sortkey.aio.connect()                         # embedded engine, in memory
    db = sortkey.aio.connect("http://127.0.0.1:8000")  # any endpoint, through aiobotocore
    db = sortkey.aio.connect("aws://eu-west-1")        # AWS DynamoDB

Theory of operation: ``AsyncDatabase`` decides nothing. Every method runs the very flow of
:mod:`sortkey._ops` that ``Database`` runs (unique guards, versions, paging, batch retries,
transactions), answering each request with ``await backend.acall(...)`` and each pause with
``await asyncio.sleep(...)``. Query, collection, transaction and batch builders share their
state and flows with the sync ones (bases in :mod:`sortkey._ops`); only the terminals differ.

Backends: anything with ``acall``/``aclose`` (:class:`~sortkey.backends.AsyncBackend`, e.g.
:class:`~sortkey.backends.aiobotocore.AiobotocoreBackend`), or a synchronous backend wrapped
in :class:`AsyncAdapter` — done for you when ``AsyncDatabase`` is given one.

Example:
    >>> import asyncio
    >>> from sortkey import Entity, Key, Table
    >>> notes = Table("Notes", pk="pk", sk="sk")
    >>> class Note(Entity):
    ...     __table__ = notes
    ...     __key__ = Key(pk="NOTE#{note_id}", sk="#")
    ...     note_id: str
    ...     text: str
    >>> async def main() -> str:
    ...     async with connect() as db:
    ...         await db.create_table(notes)
    ...         await db.create(Note(note_id="n1", text="hello"))
    ...         note = await db.get(Note, note_id="n1")
    ...         return note.text
    >>> asyncio.run(main())
    'hello'
"""

from __future__ import annotations

import asyncio
import builtins
import gc
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import Any, Literal, NoReturn, TypeVar, overload
from urllib.parse import urlparse

from . import _ops as ops
from ._connect import REMOTE_SCHEMES, backend_for, remote_endpoint
from ._expr.nodes import Condition
from ._model.entity import Entity
from ._model.table import Table
from ._ops.batch import BatchWriter
from ._ops.builders import CollectionBuilder, QueryBuilder
from ._ops.collection import CollectionResult
from ._ops.query import Page
from ._ops.steps import (
    Context,
    Emit,
    EmitEach,
    Flow,
    Request,
    Sleep,
    Step,
    Vouched,
    raise_translated,
)
from ._ops.targets import KeyInput, key_input
from ._ops.transact import TransactionBuilder
from .backends.base import AsyncBackend, Backend
from .errors import DynamoDBError, InvalidInput
from .expr import PathLike

__all__ = [
    "AsyncAdapter",
    "AsyncBatch",
    "AsyncCollection",
    "AsyncDatabase",
    "AsyncQuery",
    "AsyncTableClient",
    "AsyncTransaction",
    "connect",
]

E = TypeVar("E", bound=Entity)
T = TypeVar("T")

_NEEDS_AIOBOTOCORE = "the async client needs: pip install 'sortkey[async]'"


# --------------------------------------------------------------------------- backends


class AsyncAdapter:
    """An :class:`~sortkey.backends.AsyncBackend` over a synchronous backend.

    Two ways to run a call, chosen by ``threaded``:

    * inline (``threaded=False``): the call runs on the event loop's thread. Right for the
      embedded engine in memory: a request takes tens of microseconds and never waits on
      I/O, less than handing it to a thread and back would cost. The loop is blocked for
      that long, as it is by any CPU work.
    * in a thread (``threaded=True``, :func:`asyncio.to_thread`): the loop keeps running
      while the call waits. Right for a file-backed engine (a commit writes to disk and may
      wait for another process's lock) and for network backends such as
      :class:`~sortkey.backends.http.HttpBackend`. The engine serialises calls with its own
      lock, so concurrent calls from threads are safe. A cancelled task does not stop a call
      already running in its thread: the request may still be applied, as with any request
      already sent over a network.

    :class:`AsyncDatabase` and :func:`connect` pick the mode when given a sync backend:
    inline for the embedded engine in memory, a thread for everything else.

    Args:
        backend: the synchronous backend.
        threaded: run each call in a worker thread (see above).

    Example:
        >>> import asyncio
        >>> from sortkey.backends.embedded import EmbeddedBackend
        >>> adapter = AsyncAdapter(EmbeddedBackend(), threaded=False)
        >>> asyncio.run(adapter.acall("ListTables", {}))
        {'TableNames': []}
    """

    def __init__(self, backend: Backend, *, threaded: bool = True) -> None:
        self.backend = backend
        self.threaded = threaded

    @property
    def in_process(self) -> bool:
        """Whether calls run inline on a backend in this process (the embedded engine).

        Then :meth:`acall` returns without ever suspending or waiting on I/O, and drivers may
        pause the cyclic GC around it, as ``Database`` does around ``call``.
        """
        return not self.threaded and getattr(self.backend, "in_process", False) is True

    async def acall(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run one request on the wrapped backend; see :meth:`sortkey.backends.Backend.call`."""
        if self.threaded:
            return await asyncio.to_thread(self.backend.call, operation, params)
        return self.backend.call(operation, params)

    @property
    def acall_vouched(
        self,
    ) -> Callable[[str, Mapping[str, Any], Vouched | None], Awaitable[dict[str, Any]]] | None:
        """:meth:`acall` with a request's codec-built items, when the wrapped backend takes them.

        See :attr:`sortkey._ops.steps.Request.vouched`. None when the wrapped backend has no
        ``call_vouched``, or when a subclass overrides :meth:`acall` (which must then see
        every request).
        """
        if (
            getattr(self.backend, "call_vouched", None) is None
            or type(self).acall is not AsyncAdapter.acall
        ):
            return None
        return self._acall_vouched

    async def _acall_vouched(
        self, operation: str, params: Mapping[str, Any], vouched: Vouched | None
    ) -> dict[str, Any]:
        call_vouched = self.backend.call_vouched  # type: ignore[attr-defined]
        if self.threaded:
            return await asyncio.to_thread(call_vouched, operation, params, vouched)
        return call_vouched(operation, params, vouched)  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Close the wrapped backend."""
        if self.threaded:
            await asyncio.to_thread(self.backend.close)
        else:
            self.backend.close()


async def _acall(backend: AsyncBackend, request: Request[Any]) -> dict[str, Any]:
    """Send ``request``, with its vouched items if the backend takes them (see ``_call``)."""
    if request.vouched is not None:
        acall_vouched = getattr(backend, "acall_vouched", None)
        if acall_vouched is not None:
            return await acall_vouched(request.operation, request.params, request.vouched)  # type: ignore[no-any-return]
    return await backend.acall(request.operation, request.params)


def _runs_inline(backend: Backend) -> bool:
    """Whether calls of ``backend`` are quick enough to run on the loop (memory engine)."""
    from .backends.embedded import EmbeddedBackend

    return isinstance(backend, EmbeddedBackend) and backend.engine.path == ":memory:"


def _as_async(backend: AsyncBackend | Backend, threaded: bool | None = None) -> AsyncBackend:
    if isinstance(backend, AsyncBackend):
        if threaded is not None:
            raise InvalidInput("threaded= applies to synchronous backends only")
        return backend
    if isinstance(backend, Backend):
        return AsyncAdapter(
            backend, threaded=not _runs_inline(backend) if threaded is None else threaded
        )
    raise InvalidInput(
        f"{type(backend).__name__} is not a backend: it needs acall()/aclose() (async) or "
        "call()/close() (sync)"
    )


# --------------------------------------------------------------------------- driving


class _Running(AsyncIterator[Any]):
    """One flow being driven: iterating gives what it emits; ``result`` is what it returns.

    With an in-process backend (:attr:`AsyncAdapter.in_process`: the embedded engine called
    inline), the cyclic GC is paused while a step runs, as ``Database`` does and for the
    same reason (a query page's thousands of young containers): the flow's code between two
    yields and the backend call, which never suspends, so no other task ever runs with the
    GC paused. Never across an ``await`` that suspends (sleeps, network, threads), never
    while the caller's ``async for`` body runs; only a step that disabled the GC re-enables
    it, in a ``finally``.
    """

    def __init__(self, backend: AsyncBackend, flow: Flow[Any]) -> None:
        self._backend = backend
        self._flow = flow
        self._answer: Any = None
        self._error: DynamoDBError | None = None
        self._done = False
        self._pause_gc = getattr(backend, "in_process", False) is True
        self._page: Iterator[Any] | None = None  # the rest of an EmitEach being handed on
        self._convert: Callable[[Any], Any] | None = None
        self.result: Any = None

    def __aiter__(self) -> _Running:
        return self

    async def __anext__(self) -> Any:
        while True:
            if self._page is not None:
                for item in self._page:
                    return self._converted(item)
                self._page = None
            if self._done:
                raise StopAsyncIteration
            paused = self._pause_gc and gc.isenabled()
            if paused:
                gc.disable()
            try:
                step = self._advance()
                if step is None:
                    raise StopAsyncIteration
                if paused and isinstance(step, Request):
                    await self._call(step)  # in process: returns without suspending
                    continue
            finally:
                if paused:
                    gc.enable()
            if isinstance(step, EmitEach):
                self._page, self._convert = iter(step.items), step.convert
            elif isinstance(step, Emit):
                return step.value
            elif isinstance(step, Sleep):
                try:
                    await asyncio.sleep(step.seconds)
                except BaseException:
                    self._stop()
                    raise
            else:
                await self._call(step)

    def _advance(self) -> Step | None:
        """The flow's next step (``None``: it returned, its value is ``result``)."""
        try:
            if self._error is None:
                step = self._flow.send(self._answer)
            else:
                step = self._flow.throw(self._error)
        except StopIteration as stop:
            self._done = True
            self.result = stop.value
            return None
        except BaseException:
            self._done = True
            raise
        self._answer, self._error = None, None
        return step

    async def _call(self, request: Request[Any]) -> None:
        """Send ``request``; its answer or error goes back into the flow at the next step."""
        try:
            self._answer = await _acall(self._backend, request)
        except DynamoDBError as exc:
            self._error = exc
        except BaseException:
            # Cancelled (or interrupted) while waiting: end the flow where it stands.
            self._stop()
            raise

    def _converted(self, item: Any) -> Any:
        """An item of the page being handed on, converted (a failure ends the flow)."""
        assert self._convert is not None
        paused = self._pause_gc and gc.isenabled()
        if paused:
            gc.disable()
        try:
            return self._convert(item)
        except BaseException:
            self._page = None
            self._stop()
            raise
        finally:
            if paused:
                gc.enable()

    def _stop(self) -> None:
        self._done = True
        self._flow.close()


# --------------------------------------------------------------------------- the database


class AsyncDatabase:
    """A DynamoDB database reached from asyncio: :class:`sortkey.Database`'s async twin.

    Every method has the name, arguments, result and errors of its ``Database`` namesake;
    those that talk to the database are awaited.

    Args:
        backend: an async backend (``acall``/``aclose``), or a sync one, which is wrapped in
            an :class:`AsyncAdapter` (inline for the embedded engine in memory, else in a
            thread).
        table_prefix: prepended to every table name.
        cursor_secret: signs page cursors, so that cursors handed to clients cannot be forged.

    Example:
        >>> import asyncio
        >>> from sortkey.backends.embedded import EmbeddedBackend
        >>> async def tables() -> list[str]:
        ...     async with AsyncDatabase(EmbeddedBackend()) as db:
        ...         response = await db.backend.acall("ListTables", {})
        ...         return response["TableNames"]
        >>> asyncio.run(tables())
        []
    """

    def __init__(
        self,
        backend: AsyncBackend | Backend,
        *,
        table_prefix: str = "",
        cursor_secret: bytes | str | None = None,
    ) -> None:
        self.backend: AsyncBackend = _as_async(backend)
        secret = cursor_secret.encode() if isinstance(cursor_secret, str) else cursor_secret
        self.context = Context(table_prefix=table_prefix, cursor_secret=secret or b"")

    # ------------------------------------------------------------------ driving

    def _stream(self, flow: Flow[Any]) -> _Running:
        return _Running(self.backend, flow)

    async def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its end and return its result (emitted values are dropped)."""
        running = self._stream(flow)
        async for _ in running:
            pass
        return running.result  # type: ignore[no-any-return]

    async def send(self, request: Request[T]) -> T:
        """Send one request built by :mod:`sortkey._ops` and return its parsed result."""
        # ``await self.run(ops.send(request))`` without driving a generator: the lone read or
        # write is the common call. The GC pause is the driver's (see ``_Running``).
        backend = self.backend
        paused = getattr(backend, "in_process", False) is True and gc.isenabled()
        if paused:
            gc.disable()
        try:
            try:
                response = await _acall(backend, request)
            except DynamoDBError as exc:
                raise_translated(request, exc)
            return request.parse(response)
        finally:
            if paused:
                gc.enable()

    async def aclose(self) -> None:
        """Close the backend."""
        await self.backend.aclose()

    async def __aenter__(self) -> AsyncDatabase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ tables

    async def create_table(self, table: Table) -> None:
        """Create ``table`` with its indexes, wait until active, and enable its TTL."""
        await self.run(ops.create_table_flow(table, ctx=self.context))

    async def delete_table(self, table: Table) -> None:
        """Delete ``table`` and everything in it."""
        await self.send(ops.delete_table(table, ctx=self.context))

    async def ensure_table(self, table: Table) -> bool:
        """Create ``table`` if missing (``True``); else check it matches (``False``).

        Raises:
            sortkey.errors.DefinitionError: the live table differs; the message lists how.
        """
        return await self.run(ops.ensure_table_flow(table, ctx=self.context))

    def table(self, table: Table | str) -> AsyncTableClient:
        """Plain-dict access to a table, for items modelled by hand."""
        return AsyncTableClient(self, table)

    # ------------------------------------------------------------------ entity writes

    async def create(self, entity: E) -> E:
        """Write a new entity and return it as written; see :meth:`sortkey.Database.create`."""
        return await self.send(ops.create(entity, ctx=self.context))

    async def put(self, entity: E, *, condition: Condition | None = None) -> E:
        """Create or replace an entity; see :meth:`sortkey.Database.put`."""
        return await self.run(ops.put_flow(entity, condition=condition, ctx=self.context))

    @overload
    async def update(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        set: Mapping[Any, Any] | None = ...,  # noqa: A002
        remove: Iterable[PathLike] = ...,
        add: Mapping[Any, Any] | None = ...,
        delete: Mapping[Any, Any] | None = ...,
        append: Mapping[Any, Any] | None = ...,
        condition: Condition | None = ...,
        returning: Literal["none"] = ...,
        fetch: bool = ...,
    ) -> None: ...

    @overload
    async def update(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        set: Mapping[Any, Any] | None = ...,  # noqa: A002
        remove: Iterable[PathLike] = ...,
        add: Mapping[Any, Any] | None = ...,
        delete: Mapping[Any, Any] | None = ...,
        append: Mapping[Any, Any] | None = ...,
        condition: Condition | None = ...,
        returning: Literal["new", "old"],
        fetch: bool = ...,
    ) -> E: ...

    @overload
    async def update(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        set: Mapping[Any, Any] | None = ...,  # noqa: A002
        remove: Iterable[PathLike] = ...,
        add: Mapping[Any, Any] | None = ...,
        delete: Mapping[Any, Any] | None = ...,
        append: Mapping[Any, Any] | None = ...,
        condition: Condition | None = ...,
        returning: Literal["updated_old", "updated_new"],
        fetch: bool = ...,
    ) -> dict[str, Any]: ...

    async def update(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        set: Mapping[Any, Any] | None = None,  # noqa: A002
        remove: Iterable[PathLike] = (),
        add: Mapping[Any, Any] | None = None,
        delete: Mapping[Any, Any] | None = None,
        append: Mapping[Any, Any] | None = None,
        condition: Condition | None = None,
        returning: ops.writes.Returning = "none",
        fetch: bool = False,
    ) -> Any:
        """Change fields of a stored entity in one request; see :meth:`sortkey.Database.update`."""
        return await self.run(
            ops.update_flow(
                entity,
                key,
                fetch=fetch,
                returning=returning,
                ctx=self.context,
                set=set,
                remove=remove,
                add=add,
                delete=delete,
                append=append,
                condition=condition,
            )
        )

    @overload
    async def delete(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        condition: Condition | None = ...,
        returning: Literal["none"] = ...,
    ) -> None: ...

    @overload
    async def delete(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        condition: Condition | None = ...,
        returning: Literal["old"],
    ) -> E | None: ...

    async def delete(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        condition: Condition | None = None,
        returning: Literal["none", "old"] = "none",
    ) -> E | None:
        """Delete an entity (and its unique guards); see :meth:`sortkey.Database.delete`."""
        return await self.run(
            ops.delete_flow(entity, key, condition=condition, returning=returning, ctx=self.context)
        )

    # ------------------------------------------------------------------ entity reads

    @overload
    async def get(
        self,
        entity: type[E],
        key: KeyInput | None = ...,
        /,
        *,
        consistent: bool = ...,
        projection: None = ...,
        **key_fields: Any,
    ) -> E | None: ...

    @overload
    async def get(
        self,
        entity: type[E],
        key: KeyInput | None = ...,
        /,
        *,
        consistent: bool = ...,
        projection: Sequence[PathLike],
        **key_fields: Any,
    ) -> dict[str, Any] | None: ...

    async def get(
        self,
        entity: type[E],
        key: KeyInput | None = None,
        /,
        *,
        consistent: bool = False,
        projection: Sequence[PathLike] | None = None,
        **key_fields: Any,
    ) -> E | dict[str, Any] | None:
        """Read one entity by key, ``None`` if absent; see :meth:`sortkey.Database.get`."""
        request = ops.get(
            entity,
            key_input(key, key_fields),
            consistent=consistent,
            projection=projection,
            ctx=self.context,
        )
        return await self.send(request)

    async def exists(
        self,
        entity: type[Entity],
        key: KeyInput | None = None,
        /,
        *,
        consistent: bool = False,
        **key_fields: Any,
    ) -> bool:
        """Whether an entity with this key exists."""
        return await self.send(
            ops.exists(entity, key_input(key, key_fields), consistent=consistent, ctx=self.context)
        )

    def query(
        self, entity: type[E], /, *, index: str | None = None, **key_fields: Any
    ) -> AsyncQuery[E]:
        """Query entities by key fields: an immutable, chainable :class:`AsyncQuery`.

        Building it sends nothing; read it with ``await q.all()``, ``await q.first()``,
        ``await q.page(...)``, ``await q.count()`` or ``async for item in q``.
        """
        return AsyncQuery(self, ops.entity_query(entity, index, key_fields))

    def scan(self, entity: type[E], /, *, index: str | None = None) -> AsyncQuery[E]:
        """Every ``entity`` of its table (a filtered Scan); see :meth:`sortkey.Database.scan`."""
        return AsyncQuery(self, ops.entity_scan(entity, index))

    def list(self, entity: type[E], /) -> AsyncQuery[E]:
        """Every ``entity``, through the table's type index; see :meth:`sortkey.Database.list`."""
        return AsyncQuery(self, ops.type_listing(entity))

    def collection(self, *entities: type[Entity], index: str | None = None) -> AsyncCollection:
        """Entity types that share a partition, read back with one Query."""
        return AsyncCollection(self, entities, index)

    # ------------------------------------------------------------------ several items

    def transaction(self, *, token: str | None = None) -> AsyncTransaction:
        """A transaction: ``async with db.transaction() as tx: tx.create(...)``.

        It commits when the block ends (all or nothing) and sends nothing if the block
        raises; see :meth:`sortkey.Database.transaction`.
        """
        return AsyncTransaction(self, token=token)

    @overload
    async def transact_get(
        self, entity: type[E], keys: Iterable[KeyInput], /
    ) -> builtins.list[E | None]: ...

    @overload
    async def transact_get(
        self, entity: Iterable[tuple[type[Entity], KeyInput]], /
    ) -> builtins.list[Any]: ...

    async def transact_get(
        self,
        entity: type[Entity] | Iterable[tuple[type[Entity], KeyInput]],
        keys: Iterable[KeyInput] | None = None,
        /,
    ) -> builtins.list[Any]:
        """Read up to 100 entities as one snapshot; see :meth:`sortkey.Database.transact_get`."""
        return await self.send(ops.transact_get(entity, keys, ctx=self.context))

    @overload
    async def batch_get(
        self, entity: type[E], keys: Iterable[KeyInput], /, *, consistent: bool = ...
    ) -> builtins.list[E | None]: ...

    @overload
    async def batch_get(
        self, entity: Iterable[tuple[type[Entity], KeyInput]], /, *, consistent: bool = ...
    ) -> builtins.list[Any]: ...

    async def batch_get(
        self,
        entity: type[Entity] | Iterable[tuple[type[Entity], KeyInput]],
        keys: Iterable[KeyInput] | None = None,
        /,
        *,
        consistent: bool = False,
    ) -> builtins.list[Any]:
        """Read many entities, ``None`` where missing; see :meth:`sortkey.Database.batch_get`."""
        return await self.run(
            ops.batch_get_flow(entity, keys, consistent=consistent, ctx=self.context)
        )

    def batch(self) -> AsyncBatch:
        """Batched writes: ``async with db.batch() as b: b.put(x)``; sent when the block ends.

        See :meth:`sortkey.Database.batch` for what is refused and how retries work.
        """
        return AsyncBatch(self)

    async def batch_write(
        self,
        *,
        put: Iterable[Entity] = (),
        delete: Iterable[tuple[type[Entity], KeyInput]] = (),
    ) -> None:
        """Write many entities at once: ``await db.batch_write(put=[a], delete=[(Post, k)])``."""
        await self.run(ops.batch_write_flow(put=put, delete=delete, ctx=self.context))


# --------------------------------------------------------------------------- builders


def _not_sync(kind: str) -> NoReturn:
    raise TypeError(f"an async {kind} is used with 'async with', not 'with'")


class AsyncTransaction(TransactionBuilder):
    """The transaction of ``async with db.transaction() as tx:`` — commits when it ends.

    Operations are added without ``await`` (``tx.create(...)``, ``tx.update(...)``); they are
    checked as they are added and sent together at the end of the block.
    """

    def __init__(self, db: AsyncDatabase, *, token: str | None = None) -> None:
        super().__init__(db.context, token=token)
        self._db = db

    async def __aenter__(self) -> AsyncTransaction:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.commit()

    def __enter__(self) -> NoReturn:
        _not_sync("transaction")

    def __exit__(self, *exc: object) -> None:  # pragma: no cover - __enter__ always raises
        return None

    async def commit(self) -> None:
        """Send the transaction now (the ``async with`` block does it on exit)."""
        await self._db.run(self.flow())


class AsyncBatch(BatchWriter):
    """The batch of ``async with db.batch() as b:`` — sent when the block ends."""

    def __init__(self, db: AsyncDatabase) -> None:
        super().__init__(db.context)
        self._db = db

    async def __aenter__(self) -> AsyncBatch:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.send()

    def __enter__(self) -> NoReturn:
        _not_sync("batch")

    def __exit__(self, *exc: object) -> None:  # pragma: no cover - __enter__ always raises
        return None

    async def send(self) -> None:
        """Send the batch now (the ``async with`` block does it on exit)."""
        await self._db.run(self.flow())


class AsyncCollection(CollectionBuilder[AsyncDatabase]):
    """Entity types sharing a partition (``db.collection(User, Membership)``)."""

    async def query(self, *, consistent: bool = False, **key_fields: Any) -> CollectionResult:
        """Read the whole partition the key fields name: every page, one result object."""
        return await self._db.run(self._query_flow(key_fields, consistent=consistent))


class AsyncQuery(QueryBuilder[AsyncDatabase, T]):
    """An immutable query: modifiers (``desc()``, ``limit()``, ``where()``...) return a new one.

    Nothing is sent until it is read: ``await q.all()``, ``await q.first()``,
    ``await q.page(cursor=...)``, ``await q.count()``, or ``async for item in q`` (pages are
    fetched as the loop goes).
    """

    def __aiter__(self) -> AsyncIterator[T]:
        return self._db._stream(self._items_flow())

    async def all(self) -> list[T]:
        """Every result (all pages, up to the limit)."""
        return await self._db.run(self._all_flow())

    async def first(self) -> T | None:
        """The first result, or ``None``."""
        return await self._db.run(self._first_flow())

    async def page(self, cursor: str | None = None, *, size: int | None = None) -> Page:
        """One request's worth of results and the cursor of the next page (``None``: last).

        ``size`` bounds the items *read* by the request (a filter may return fewer).
        """
        return await self._db.run(self._page_flow(cursor, size))

    async def count(self) -> int:
        """How many items match (filter included), without transferring them."""
        return await self._db.run(self._count_flow())


class AsyncTableClient:
    """Plain-dict operations on one table; see :class:`sortkey.TableClient`."""

    def __init__(self, db: AsyncDatabase, table: Table | str) -> None:
        self._db = db
        self.table = table

    async def put_item(
        self,
        item: Mapping[str, Any],
        /,
        *,
        condition: Condition | None = None,
        returning: Literal["none", "old"] = "none",
    ) -> dict[str, Any] | None:
        """Write an item (``returning="old"``: the item it replaced)."""
        return await self._db.send(
            ops.put_item(
                self.table, item, condition=condition, returning=returning, ctx=self._db.context
            )
        )

    async def get_item(
        self,
        key: Mapping[str, Any],
        /,
        *,
        consistent: bool = False,
        projection: Sequence[PathLike] | None = None,
    ) -> dict[str, Any] | None:
        """Read an item by its key attributes."""
        return await self._db.send(
            ops.get_item(
                self.table, key, consistent=consistent, projection=projection, ctx=self._db.context
            )
        )

    async def update_item(
        self,
        key: Mapping[str, Any],
        /,
        *,
        set: Mapping[Any, Any] | None = None,  # noqa: A002
        remove: Iterable[PathLike] = (),
        add: Mapping[Any, Any] | None = None,
        delete: Mapping[Any, Any] | None = None,
        append: Mapping[Any, Any] | None = None,
        condition: Condition | None = None,
        returning: Literal["none", "old", "new", "updated_old", "updated_new"] = "none",
    ) -> dict[str, Any] | None:
        """Update an item in place (creates it if absent, like DynamoDB)."""
        return await self._db.send(
            ops.update_item(
                self.table,
                key,
                set=set,
                remove=remove,
                add=add,
                delete=delete,
                append=append,
                condition=condition,
                returning=returning,
                ctx=self._db.context,
            )
        )

    async def delete_item(
        self,
        key: Mapping[str, Any],
        /,
        *,
        condition: Condition | None = None,
        returning: Literal["none", "old"] = "none",
    ) -> dict[str, Any] | None:
        """Delete an item (``returning="old"``: the deleted item)."""
        return await self._db.send(
            ops.delete_item(
                self.table, key, condition=condition, returning=returning, ctx=self._db.context
            )
        )

    def query(
        self,
        key_condition: Condition | None = None,
        /,
        *,
        index: str | None = None,
        **equals: Any,
    ) -> AsyncQuery[dict[str, Any]]:
        """Query with a key condition and/or key attribute equalities (``UserID="USR001"``)."""
        return AsyncQuery(self._db, ops.table_query(self.table, key_condition, index, equals))

    def scan(
        self,
        filter: Condition | None = None,  # noqa: A002 - the DynamoDB word
        /,
        *,
        index: str | None = None,
    ) -> AsyncQuery[dict[str, Any]]:
        """Every item of the table (or index), optionally filtered; ``.count()`` counts them."""
        return AsyncQuery(self._db, ops.table_scan(self.table, index, filter))


# --------------------------------------------------------------------------- connect


def _aiobotocore_backend(url: str, options: dict[str, Any]) -> AsyncBackend:
    try:
        import aiobotocore  # noqa: F401 - only to fail early and helpfully
    except ImportError as exc:
        raise ImportError(_NEEDS_AIOBOTOCORE) from exc
    from .backends.aiobotocore import AiobotocoreBackend

    return AiobotocoreBackend(remote_endpoint(url, options), **options)


def connect(
    url: str | None = None,
    *,
    backend: AsyncBackend | Backend | None = None,
    table_prefix: str = "",
    transport: str = "botocore",
    cursor_secret: bytes | str | None = None,
    threaded: bool | None = None,
    **options: Any,
) -> AsyncDatabase:
    """Open an :class:`AsyncDatabase`: :func:`sortkey.connect`'s URLs and options, async.

    * ``connect()``, ``connect("memory://")``, ``connect("sqlite:///app.db")`` — the embedded
      engine behind an :class:`AsyncAdapter` (inline in memory, a thread for files);
    * ``connect("http://127.0.0.1:8000")``, ``connect("aws://eu-west-1")`` — aiobotocore
      (``pip install 'sortkey[async]'``); with ``transport="http"``, the lean
      :class:`~sortkey.backends.http.HttpBackend` in a thread instead (no extra needed).

    Args:
        url: where the data lives; the in-memory embedded engine when omitted.
        backend: a ready backend (async, or sync to be adapted) instead of a URL.
        table_prefix: prepended to every table name.
        transport: for HTTP endpoints, ``"botocore"`` (aiobotocore) or ``"http"``.
        cursor_secret: signs page cursors, so that cursors handed to clients cannot be forged.
        threaded: for synchronous backends, run calls in a thread (``True``) or on the loop
            (``False``); see :class:`AsyncAdapter`. Chosen by the backend when omitted.
        **options: passed to the backend (e.g. ``max_attempts=5``).

    Raises:
        ImportError: aiobotocore is needed and not installed.

    Example:
        >>> db = connect("http://127.0.0.1:8000")  # doctest: +SKIP
    """
    if transport not in ("botocore", "http"):
        raise InvalidInput(f"transport={transport!r}: use 'botocore' or 'http'")
    if backend is not None:
        if url is not None or options:
            raise InvalidInput("give either a URL (and its options) or a backend, not both")
        chosen = _as_async(backend, threaded)
    elif (
        url is not None
        and transport == "botocore"
        and urlparse(url).scheme.lower() in REMOTE_SCHEMES
    ):
        if threaded is not None:
            raise InvalidInput("threaded= applies to the embedded engine and transport='http'")
        chosen = _aiobotocore_backend(url, options)
    else:
        chosen = _as_async(backend_for(url, transport=transport, **options), threaded)
    return AsyncDatabase(chosen, table_prefix=table_prefix, cursor_secret=cursor_secret)
