"""``Database``: the synchronous driver. It builds nothing and decides nothing.

Every method hands a request or a flow from :mod:`sortkey._ops` to :meth:`Database.run`,
which sends each yielded request with ``backend.call``, sleeps on :class:`~._ops.steps.Sleep`
and passes emitted values on. :class:`sortkey.aio.AsyncDatabase` drives the same flows with
``await backend.acall``; the builders (``Query``, ``Transaction``, ``Batch``, ``Collection``)
share their state and flows with its ``Async*`` twins through bases in :mod:`sortkey._ops`.
"""

from __future__ import annotations

import builtins
import gc
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from . import _ops as ops
from ._expr.nodes import Condition
from ._model.entity import Entity
from ._model.table import Table
from ._ops.batch import BatchWriter
from ._ops.builders import CollectionBuilder, QueryBuilder
from ._ops.collection import CollectionResult
from ._ops.query import Page
from ._ops.steps import Context, Emit, EmitEach, Flow, Request, raise_translated
from ._ops.targets import KeyInput, key_input
from ._ops.transact import TransactionBuilder
from .backends.base import Backend
from .errors import DynamoDBError
from .expr import PathLike

__all__ = ["Batch", "Collection", "Database", "Query", "TableClient", "Transaction"]

E = TypeVar("E", bound=Entity)
T = TypeVar("T")


def _call(backend: Backend, request: Request[Any]) -> dict[str, Any]:
    """Send ``request`` through ``backend``, with its vouched items if the backend takes them.

    See :attr:`sortkey._ops.steps.Request.vouched`; only in-process backends have
    ``call_vouched``.
    """
    if request.vouched is not None:
        call_vouched = getattr(backend, "call_vouched", None)
        if call_vouched is not None:
            return call_vouched(request.operation, request.params, request.vouched)  # type: ignore[no-any-return]
    return backend.call(request.operation, request.params)


class Database:
    """A DynamoDB database reached through a backend.

    Args:
        backend: what answers requests (see :func:`sortkey.connect`).
        table_prefix: prepended to every table name (isolates tests, stages, tenants).
        cursor_secret: a secret that signs page cursors, so that cursors handed to clients
            (``?cursor=...``) cannot be forged; any bytes or text, kept private.

    Method examples run on a fresh database holding these definitions
    (``tests/test_docstrings.py`` executes this block before each of them)::

        from typing import Literal
        from sortkey import GSI, Entity, Key, Table, attr, connect

        app = Table("Docs", pk="pk", sk="sk",
                    indexes=[GSI("GSI1", pk="gsi1pk", sk="gsi1sk")],
                    type_index=GSI("TypeIndex", pk="_type", sk="_timestamp"))

        class User(Entity):
            __table__ = app
            __type__ = "USER"
            __key__ = Key(pk="USER#{user_id}", sk="#PROFILE")
            __indexes__ = {"GSI1": Key(pk="EMAIL#{email}", sk="#PROFILE")}
            __unique__ = ("email",)
            user_id: str
            email: str
            name: str
            post_count: int = 0

        class Post(Entity):
            __table__ = app
            __type__ = "POST"
            __key__ = Key(pk="USER#{user_id}", sk="POST#{post_id}")
            user_id: str
            post_id: str
            title: str
            status: Literal["draft", "published"] = "draft"
            views: int = 0

        db = connect()
        db.create_table(app)
    """

    def __init__(
        self,
        backend: Backend,
        *,
        table_prefix: str = "",
        cursor_secret: bytes | str | None = None,
    ) -> None:
        self.backend = backend
        secret = cursor_secret.encode() if isinstance(cursor_secret, str) else cursor_secret
        self.context = Context(table_prefix=table_prefix, cursor_secret=secret or b"")

    # ------------------------------------------------------------------ driving

    def _pauses_gc(self) -> bool:
        """Whether steps pause the cyclic GC: only for a backend that runs in this process.

        A query page allocates thousands of short-lived containers (wire items, then Python
        values), and collections in the middle promote them to older generations, whose full
        collections walk the whole heap. Measured: a 100-item query spent ~0.5 ms of ~2 ms
        in those collections. Never around network I/O, never across a yield to the caller;
        only the thread that disabled the GC re-enables it, in a ``finally``.
        """
        return getattr(self.backend, "in_process", False) is True

    def _stream(self, flow: Flow[T]) -> Iterator[Any]:
        """Run ``flow``, yielding what it emits; its return value ends the iteration."""
        answer: Any = None
        error: DynamoDBError | None = None
        pause_gc = self._pauses_gc()
        backend = self.backend
        while True:
            paused = pause_gc and gc.isenabled()
            if paused:
                gc.disable()
            try:
                try:
                    step = flow.send(answer) if error is None else flow.throw(error)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                answer, error = None, None
                if isinstance(step, Request):
                    try:
                        answer = _call(backend, step)
                    except DynamoDBError as exc:
                        error = exc
                    continue
            finally:
                if paused:
                    gc.enable()
            if isinstance(step, EmitEach):
                # Each item is converted when the caller asks for it, with the GC paused as
                # in a step (the page's wire items are young and numerous).
                convert = step.convert
                for item in step.items:
                    paused = pause_gc and gc.isenabled()
                    if paused:
                        gc.disable()
                    try:
                        value = convert(item)
                    finally:
                        if paused:
                            gc.enable()
                    yield value
            elif isinstance(step, Emit):
                yield step.value
            else:
                time.sleep(step.seconds)

    def run(self, flow: Flow[T]) -> T:
        """Drive a flow to its end and return its result."""
        stream = self._stream(flow)
        try:
            while True:
                next(stream)  # run() drives flows that emit nothing; values are dropped
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    def send(self, request: Request[T]) -> T:
        """Send one request built by :mod:`sortkey._ops` and return its parsed result."""
        # ``self.run(ops.send(request))`` without the two generators: a lone GetItem spent
        # ~5 us of ~25 us driving them.
        paused = self._pauses_gc() and gc.isenabled()
        if paused:
            gc.disable()
        try:
            try:
                response = _call(self.backend, request)
            except DynamoDBError as exc:
                raise_translated(request, exc)
            return request.parse(response)
        finally:
            if paused:
                gc.enable()

    def close(self) -> None:
        """Close the backend.

        Example:
            >>> with connect() as scratch:   # closes on exit
            ...     scratch.backend.call("ListTables", {})
            {'TableNames': []}
        """
        self.backend.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ tables

    def create_table(self, table: Table) -> None:
        """Create ``table`` with its indexes, wait until active, and enable its TTL.

        Example:
            >>> db.create_table(Table("Audit", pk="pk"))
            >>> db.backend.call("DescribeTable", {"TableName": "Audit"})["Table"]["TableStatus"]
            'ACTIVE'
        """
        self.run(ops.create_table_flow(table, ctx=self.context))

    def delete_table(self, table: Table) -> None:
        """Delete ``table`` and everything in it.

        Example:
            >>> db.delete_table(app)
            >>> db.ensure_table(app)   # gone, so created again
            True
        """
        self.send(ops.delete_table(table, ctx=self.context))

    def ensure_table(self, table: Table) -> bool:
        """Create ``table`` if missing (``True``); else check it matches (``False``).

        Raises:
            sortkey.errors.DefinitionError: the live table differs; the message lists how.

        Example:
            >>> db.ensure_table(app)
            False
        """
        return self.run(ops.ensure_table_flow(table, ctx=self.context))

    def table(self, table: Table | str) -> TableClient:
        """Plain-dict access to a table, for items modelled by hand.

        Example:
            >>> db.table(app).put_item({"pk": "NOTE#1", "sk": "v1", "text": "by hand"})
            >>> db.table(app).get_item({"pk": "NOTE#1", "sk": "v1"})
            {'pk': 'NOTE#1', 'sk': 'v1', 'text': 'by hand'}
        """
        return TableClient(self, table)

    # ------------------------------------------------------------------ entity writes

    def create(self, entity: E) -> E:
        """Write a new entity and return it as written.

        Raises:
            sortkey.errors.ItemExists: an item with the same key exists.
            sortkey.errors.UniqueViolation: a ``__unique__`` value is taken.

        Example:
            >>> ada = db.create(User(user_id="u1", email="ada@example.com", name="Ada"))
            >>> db.create(ada)
            Traceback (most recent call last):
            ...
            sortkey.errors.ItemExists: ...
        """
        return self.send(ops.create(entity, ctx=self.context))

    def put(self, entity: E, *, condition: Condition | None = None) -> E:
        """Create or replace an entity; return it as written (new version, ``UpdatedAt``).

        Raises:
            sortkey.errors.StaleVersion: a versioned entity was changed since it was read.
            sortkey.errors.UniqueViolation: a ``__unique__`` value is taken.
            sortkey.errors.ConditionFailed: ``condition`` did not hold.

        Example:
            >>> _ = db.put(Post(user_id="u1", post_id="p1", title="Hello"))
            >>> _ = db.put(Post(user_id="u1", post_id="p1", title="Hello again"))
            >>> db.get(Post, user_id="u1", post_id="p1").title
            'Hello again'
        """
        return self.run(ops.put_flow(entity, condition=condition, ctx=self.context))

    @overload
    def update(
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
    def update(
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
    def update(
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

    def update(
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
        """Change fields of a stored entity in one request (atomic).

        Args:
            entity: the entity class.
            key: its key fields as a dict, or an entity (whose version is then checked).
            set: ``{field or path: value}``; values may be expressions (``attr("n") + 1``,
                ``if_not_exists(...)``); ``None`` removes the field.
            remove: fields or paths to remove.
            add: ``{field: number or set}`` to add (atomic counters, set union).
            delete: ``{field: set}`` elements to remove from a set.
            append: ``{field: list}`` to append to a list (created if absent).
            condition: a condition on the stored item.
            returning: ``"none"``, ``"old"``/``"new"`` (the entity), ``"updated_old"`` /
                ``"updated_new"`` (a dict of the changed attributes).
            fetch: read fields that index key templates need but the update lacks
                (consistently), and condition the update on them being unchanged.

        Raises:
            sortkey.errors.ItemNotFound: no such item.
            sortkey.errors.StaleVersion: the entity given as ``key`` is outdated.
            sortkey.errors.UniqueViolation: a new ``__unique__`` value is taken.
            sortkey.errors.InvalidInput: a key field, an internal attribute, or an index key
                that cannot be rebuilt (the message names the fields it needs).

        Example:
            >>> _ = db.create(Post(user_id="u1", post_id="p1", title="Hello"))
            >>> db.update(Post, {"user_id": "u1", "post_id": "p1"}, set={"status": "published"},
            ...           add={"views": 1}, condition=attr("status") == "draft", returning="new")
            Post(user_id='u1', post_id='p1', title='Hello', status='published', views=1)
        """
        return self.run(
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
    def delete(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        condition: Condition | None = ...,
        returning: Literal["none"] = ...,
    ) -> None: ...

    @overload
    def delete(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        condition: Condition | None = ...,
        returning: Literal["old"],
    ) -> E | None: ...

    def delete(
        self,
        entity: type[E],
        key: KeyInput,
        /,
        *,
        condition: Condition | None = None,
        returning: Literal["none", "old"] = "none",
    ) -> E | None:
        """Delete an entity (and its unique guards); ``returning="old"`` gives what was deleted.

        Example:
            >>> _ = db.create(User(user_id="u1", email="ada@example.com", name="Ada"))
            >>> db.delete(User, {"user_id": "u1"}, returning="old").name
            'Ada'
            >>> _ = db.create(User(user_id="u2", email="ada@example.com", name="Ada"))  # email free
        """
        return self.run(  # type: ignore[no-any-return]
            ops.delete_flow(entity, key, condition=condition, returning=returning, ctx=self.context)
        )

    # ------------------------------------------------------------------ entity reads

    @overload
    def get(
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
    def get(
        self,
        entity: type[E],
        key: KeyInput | None = ...,
        /,
        *,
        consistent: bool = ...,
        projection: Sequence[PathLike],
        **key_fields: Any,
    ) -> dict[str, Any] | None: ...

    def get(
        self,
        entity: type[E],
        key: KeyInput | None = None,
        /,
        *,
        consistent: bool = False,
        projection: Sequence[PathLike] | None = None,
        **key_fields: Any,
    ) -> E | dict[str, Any] | None:
        """Read one entity by key: ``db.get(User, user_id="u1")`` or ``db.get(User, {...})``.

        Returns ``None`` when there is no such item; with ``projection``, a dict of those
        attributes. The raw item is available with :func:`sortkey.raw`.

        Example:
            >>> _ = db.create(User(user_id="u1", email="ada@example.com", name="Ada"))
            >>> db.get(User, user_id="u1", consistent=True).email
            'ada@example.com'
            >>> db.get(User, user_id="nobody") is None
            True
        """
        request = ops.get(
            entity,
            key_input(key, key_fields),
            consistent=consistent,
            projection=projection,
            ctx=self.context,
        )
        return self.send(request)  # type: ignore[no-any-return]

    def exists(
        self,
        entity: type[Entity],
        key: KeyInput | None = None,
        /,
        *,
        consistent: bool = False,
        **key_fields: Any,
    ) -> bool:
        """Whether an entity with this key exists.

        Example:
            >>> db.exists(User, user_id="u1")
            False
        """
        return self.send(
            ops.exists(entity, key_input(key, key_fields), consistent=consistent, ctx=self.context)
        )

    def query(self, entity: type[E], /, *, index: str | None = None, **key_fields: Any) -> Query[E]:
        """Query entities by key fields: an immutable, chainable :class:`Query`.

        The partition key template must be complete; a sort key template given only its
        leading fields becomes ``begins_with`` on the rendered prefix.

        Example:
            >>> for i in range(3):
            ...     _ = db.create(Post(user_id="u1", post_id=f"p{i}", title=f"T{i}"))
            >>> [p.post_id for p in db.query(Post, user_id="u1").desc().limit(2)]
            ['p2', 'p1']
            >>> db.query(User, index="GSI1", email="nobody@example.com").first() is None
            True
        """
        return Query(self, ops.entity_query(entity, index, key_fields))

    def scan(self, entity: type[E], /, *, index: str | None = None) -> Query[E]:
        """Every ``entity`` of its table (a Scan filtered on the type attribute).

        A Scan reads the whole table; prefer :meth:`list` (the type index) or a query.
        Chain ``.where(...)`` for more filters, ``.count()`` to count.

        Example:
            >>> _ = db.create(User(user_id="u1", email="ada@example.com", name="Ada"))
            >>> [u.name for u in db.scan(User)]
            ['Ada']
        """
        return Query(self, ops.entity_scan(entity, index))

    # ------------------------------------------------------------------ several items

    def transaction(self, *, token: str | None = None) -> Transaction:
        """A transaction: ``with db.transaction() as tx: tx.create(...); tx.update(...)``.

        It commits when the block ends (all or nothing) and sends nothing if the block
        raises. Unique guards and versions join the same TransactWriteItems.

        Args:
            token: a ``ClientRequestToken`` (up to 36 characters): the same transaction sent
                again with it within 10 minutes is not applied twice.

        Raises:
            sortkey.errors.TransactionCanceled: nothing was written; ``.failures`` names each
                operation that caused it, with its cause (``ItemExists``, ``ItemNotFound``,
                ``UniqueViolation``, ``ConditionFailed``...).
            sortkey.errors.InvalidInput: over 100 items, or two operations on one item
                (raised by the line that adds it, or at commit; nothing is sent).

        Example:
            >>> _ = db.create(User(user_id="u1", email="ada@example.com", name="Ada"))
            >>> with db.transaction() as tx:
            ...     _ = tx.create(Post(user_id="u1", post_id="p1", title="Hello"))
            ...     tx.update(User, {"user_id": "u1"}, add={"post_count": 1})
            >>> db.get(User, user_id="u1").post_count
            1
        """
        return Transaction(self, token=token)

    @overload
    def transact_get(
        self, entity: type[E], keys: Iterable[KeyInput], /
    ) -> builtins.list[E | None]: ...

    @overload
    def transact_get(
        self, entity: Iterable[tuple[type[Entity], KeyInput]], /
    ) -> builtins.list[Any]: ...

    def transact_get(
        self,
        entity: type[Entity] | Iterable[tuple[type[Entity], KeyInput]],
        keys: Iterable[KeyInput] | None = None,
        /,
    ) -> builtins.list[Any]:
        """Read up to 100 entities as one snapshot: ``None`` where missing, in request order.

        ``db.transact_get(User, [k1, k2])`` or ``db.transact_get([(User, k1), (Post, k2)])``.

        Example:
            >>> _ = db.create(User(user_id="u1", email="ada@example.com", name="Ada"))
            >>> found = db.transact_get(User, [{"user_id": "u1"}, {"user_id": "u9"}])
            >>> [u and u.name for u in found]
            ['Ada', None]
        """
        return self.send(ops.transact_get(entity, keys, ctx=self.context))

    @overload
    def batch_get(
        self, entity: type[E], keys: Iterable[KeyInput], /, *, consistent: bool = ...
    ) -> builtins.list[E | None]: ...

    @overload
    def batch_get(
        self, entity: Iterable[tuple[type[Entity], KeyInput]], /, *, consistent: bool = ...
    ) -> builtins.list[Any]: ...

    def batch_get(
        self,
        entity: type[Entity] | Iterable[tuple[type[Entity], KeyInput]],
        keys: Iterable[KeyInput] | None = None,
        /,
        *,
        consistent: bool = False,
    ) -> builtins.list[Any]:
        """Read many entities: ``None`` where missing, in request order.

        ``db.batch_get(User, [k1, k2])`` or ``db.batch_get([(User, k1), (Post, k2)])``. Any
        number of keys (100 per request); unprocessed keys are retried with backoff.

        Raises:
            sortkey.errors.BatchIncomplete: keys still unprocessed after every retry.

        Example:
            >>> db.batch_write(put=[Post(user_id="u1", post_id=p, title="") for p in ("p0", "p2")])
            >>> keys = [{"user_id": "u1", "post_id": p} for p in ("p2", "p9", "p0")]
            >>> [p and p.post_id for p in db.batch_get(Post, keys)]
            ['p2', None, 'p0']
        """
        return self.run(ops.batch_get_flow(entity, keys, consistent=consistent, ctx=self.context))

    def batch(self) -> Batch:
        """Batched writes: ``with db.batch() as b: b.put(x); b.delete(Post, key)``.

        Sent when the block ends (nothing if it raises), 25 per request, unprocessed items
        retried with exponential backoff. Not atomic and without conditions: entities with
        ``__unique__`` fields or a ``Version()`` are refused (use put/delete or a
        transaction), as are two requests for one item.

        Raises:
            sortkey.errors.BatchIncomplete: writes still unprocessed after every retry
                (``.unprocessed`` lists them; the others were written).

        Example:
            >>> with db.batch() as b:
            ...     for i in range(30):                      # two requests: 25 + 5
            ...         _ = b.put(Post(user_id="u1", post_id=f"p{i:02d}", title="t"))
            >>> db.query(Post, user_id="u1").count()
            30
        """
        return Batch(self)

    def batch_write(
        self,
        *,
        put: Iterable[Entity] = (),
        delete: Iterable[tuple[type[Entity], KeyInput]] = (),
    ) -> None:
        """Write many entities at once: ``db.batch_write(put=[a, b], delete=[(Post, key)])``.

        See :meth:`batch` for what is refused and how retries work.

        Example:
            >>> db.batch_write(put=[Post(user_id="u1", post_id="p1", title="t")])
            >>> db.batch_write(delete=[(Post, {"user_id": "u1", "post_id": "p1"})])
            >>> db.exists(Post, user_id="u1", post_id="p1")
            False
        """
        self.run(ops.batch_write_flow(put=put, delete=delete, ctx=self.context))

    def collection(self, *entities: type[Entity], index: str | None = None) -> Collection:
        """Entity types that share a partition, read back with one Query.

        Example:
            >>> _ = db.create(User(user_id="u1", email="ada@example.com", name="Ada"))
            >>> _ = db.create(Post(user_id="u1", post_id="p1", title="Hello"))
            >>> found = db.collection(User, Post).query(user_id="u1")   # one Query
            >>> found.first(User).name, [p.title for p in found.of(Post)]
            ('Ada', ['Hello'])
        """
        return Collection(self, entities, index)

    def list(self, entity: type[E], /) -> Query[E]:
        """Every ``entity``, through the table's type index, oldest first.

        The order is the type index's timestamp: the time of the last ``create`` or ``put``
        (a full write). Updates keep it, so a listing being paged does not reorder as items
        change (the timestamp records creation, as dynamodb-provider's ``typeIndex`` does).

        Chain ``.desc()``, ``.limit(n)``, ``.where(...)``; page with ``.page(size=...)`` and
        ``.page(cursor=page.cursor)``.

        Example:
            >>> for i in range(3):
            ...     _ = db.create(User(user_id=f"u{i}", email=f"{i}@example.com", name=f"N{i}"))
            >>> page = db.list(User).page(size=2)
            >>> [u.user_id for u in page.items], page.cursor is not None
            (['u0', 'u1'], True)
            >>> [u.user_id for u in db.list(User).page(cursor=page.cursor, size=2).items]
            ['u2']
        """
        return Query(self, ops.type_listing(entity))


class Transaction(TransactionBuilder):
    """The transaction of ``with db.transaction() as tx:`` — commits when the block ends."""

    def __init__(self, db: Database, *, token: str | None = None) -> None:
        super().__init__(db.context, token=token)
        self._db = db

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()

    def commit(self) -> None:
        """Send the transaction now (the ``with`` block does it on exit)."""
        self._db.run(self.flow())


class Batch(BatchWriter):
    """The batch of ``with db.batch() as b:`` — sent when the block ends."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.context)
        self._db = db

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.send()

    def send(self) -> None:
        """Send the batch now (the ``with`` block does it on exit)."""
        self._db.run(self.flow())


class Collection(CollectionBuilder["Database"]):
    """Entity types sharing a partition (``db.collection(User, Membership)``)."""

    def query(self, *, consistent: bool = False, **key_fields: Any) -> CollectionResult:
        """Read the whole partition the key fields name: every page, one result object."""
        return self._db.run(self._query_flow(key_fields, consistent=consistent))


class Query(QueryBuilder["Database", T]):
    """An immutable query: every modifier returns a new one; nothing runs until read.

    Iterating pages automatically; :meth:`page` returns one page and a cursor.
    """

    def __iter__(self) -> Iterator[T]:
        return self._db._stream(self._items_flow())

    def all(self) -> list[T]:
        """Every result (all pages, up to the limit)."""
        return self._db.run(self._all_flow())

    def first(self) -> T | None:
        """The first result, or ``None``."""
        return self._db.run(self._first_flow())  # type: ignore[no-any-return]

    def page(self, cursor: str | None = None, *, size: int | None = None) -> Page:
        """One request's worth of results and the cursor of the next page (``None``: last).

        ``size`` bounds the items *read* by the request (a filter may return fewer).
        """
        return self._db.run(self._page_flow(cursor, size))

    def count(self) -> int:
        """How many items match (filter included), without transferring them."""
        return self._db.run(self._count_flow())


class TableClient:
    """Plain-dict operations on one table, for items modelled by hand.

    Python values in and out; conditions and updates are :mod:`sortkey.expr` expressions.
    """

    def __init__(self, db: Database, table: Table | str) -> None:
        self._db = db
        self.table = table

    def put_item(
        self,
        item: Mapping[str, Any],
        /,
        *,
        condition: Condition | None = None,
        returning: Literal["none", "old"] = "none",
    ) -> dict[str, Any] | None:
        """Write an item (``returning="old"``: the item it replaced)."""
        return self._db.send(
            ops.put_item(
                self.table, item, condition=condition, returning=returning, ctx=self._db.context
            )
        )

    def get_item(
        self,
        key: Mapping[str, Any],
        /,
        *,
        consistent: bool = False,
        projection: Sequence[PathLike] | None = None,
    ) -> dict[str, Any] | None:
        """Read an item by its key attributes."""
        return self._db.send(
            ops.get_item(
                self.table, key, consistent=consistent, projection=projection, ctx=self._db.context
            )
        )

    def update_item(
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
        return self._db.send(
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

    def delete_item(
        self,
        key: Mapping[str, Any],
        /,
        *,
        condition: Condition | None = None,
        returning: Literal["none", "old"] = "none",
    ) -> dict[str, Any] | None:
        """Delete an item (``returning="old"``: the deleted item)."""
        return self._db.send(
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
    ) -> Query[dict[str, Any]]:
        """Query with a key condition and/or key attribute equalities (``UserID="USR001"``).

        Items are returned as dicts, except items whose type attribute names an entity of
        this table, which come back as that entity.
        """
        return Query(self._db, ops.table_query(self.table, key_condition, index, equals))

    def scan(
        self,
        filter: Condition | None = None,  # noqa: A002 - the DynamoDB word
        /,
        *,
        index: str | None = None,
    ) -> Query[dict[str, Any]]:
        """Every item of the table (or index), optionally filtered; ``.count()`` counts them."""
        return Query(self._db, ops.table_scan(self.table, index, filter))
