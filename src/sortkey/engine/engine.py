"""The embedded engine: DynamoDB's API on wire-format dicts, stored in SQLite."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import EngineError
from .operations import batch, items, reads, tables, transactions, ttl
from .operations.catalog import Catalog
from .operations.items import Vouched
from .storage import Storage

Handler = Callable[[Catalog, dict[str, Any]], dict[str, Any]]

_OPERATIONS: dict[str, Handler] = {
    "CreateTable": tables.create_table,
    "DeleteTable": tables.delete_table,
    "DescribeTable": tables.describe_table,
    "ListTables": tables.list_tables,
    "UpdateTable": tables.update_table,
    "UpdateTimeToLive": tables.update_time_to_live,
    "DescribeTimeToLive": tables.describe_time_to_live,
    "PutItem": items.put_item,
    "GetItem": items.get_item,
    "DeleteItem": items.delete_item,
    "UpdateItem": items.update_item,
    "Query": reads.query,
    "Scan": reads.scan,
    "BatchGetItem": batch.batch_get_item,
    "BatchWriteItem": batch.batch_write_item,
    "TransactWriteItems": transactions.transact_write_items,
    "TransactGetItems": transactions.transact_get_items,
}

#: The operations that take a request's vouched-for items (see :data:`Vouched`).
_VOUCHING: dict[str, Callable[[Catalog, dict[str, Any], Vouched], dict[str, Any]]] = {
    "PutItem": items.put_item,
    "BatchWriteItem": batch.batch_write_item,
    "TransactWriteItems": transactions.transact_write_items,
}


class Engine:
    """A DynamoDB-compatible database in one SQLite file (or in memory).

    Requests and responses are botocore's wire format: AttributeValue dicts with ``N`` as
    text and ``B`` as bytes. Errors raise :class:`EngineError` with DynamoDB's code and message.

    Args:
        path: ``":memory:"`` (the default) or a file name; a file keeps its tables and items
            across processes, and every acknowledged write is on disk.
        ttl_sweep_interval: seconds between background sweeps deleting expired items
            (tables with TTL enabled); None turns the background thread off
            (call :meth:`sweep_ttl` yourself).
        fsync: for files, sync every write to disk before answering, so it survives power
            loss. By default a write survives the process being killed (SQLite WAL with
            ``synchronous=NORMAL``) and costs microseconds instead of an fsync.

    Example:
        >>> engine = Engine()
        >>> _ = engine.call("CreateTable", {
        ...     "TableName": "Users", "BillingMode": "PAY_PER_REQUEST",
        ...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        ...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        >>> engine.call("PutItem", {"TableName": "Users", "Item": {"pk": {"S": "u1"}}})
        {}
        >>> engine.call("GetItem", {"TableName": "Users", "Key": {"pk": {"S": "u1"}}})
        {'Item': {'pk': {'S': 'u1'}}}
        >>> engine.close()
    """

    def __init__(
        self,
        path: str = ":memory:",
        *,
        ttl_sweep_interval: float | None = 60.0,
        fsync: bool = False,
    ) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._storage = Storage(path, fsync=fsync)
        self._catalog = Catalog(self._storage)
        self._shared_file = path != ":memory:"
        self._closed = threading.Event()
        self._sweeper: threading.Thread | None = None
        if ttl_sweep_interval is not None:
            self._sweeper = threading.Thread(
                target=self._sweep_forever,
                args=(ttl_sweep_interval,),
                name="sortkey-ttl-sweeper",
                daemon=True,
            )
            self._sweeper.start()

    def call(
        self, operation: str, params: dict[str, Any], *, vouched: Vouched | None = None
    ) -> dict[str, Any]:
        """Run one DynamoDB operation.

        Args:
            operation: the API name, e.g. ``"PutItem"``.
            params: the request in botocore's wire format.
            vouched: for sortkey's own layers only: items of ``params`` that the caller built
                with sortkey's codec and sized, ``{id(item): (item, size)}``; PutItem,
                BatchWriteItem and TransactWriteItems then skip validating them again (see
                :data:`sortkey.engine.operations.items.Vouched`). Never pass items built
                any other way: they would be stored unchecked.

        Returns:
            The response in wire format (without ``ResponseMetadata``).

        Raises:
            EngineError: DynamoDB's error code and message.
        """
        handler = _OPERATIONS.get(operation)
        if handler is None:
            raise EngineError("UnknownOperationException", f"Unknown operation: {operation}")
        if not isinstance(params, dict):
            raise EngineError("SerializationException", "Request parameters must be a map")
        with self._lock:
            if self._closed.is_set():
                raise RuntimeError("the engine is closed")
            if self._shared_file:
                self._catalog.refresh_if_changed()
            if vouched is not None:
                vouching = _VOUCHING.get(operation)
                if vouching is not None:
                    return vouching(self._catalog, params, vouched)
            return handler(self._catalog, params)

    def sweep_ttl(self, now: float | None = None) -> int:
        """Delete items whose TTL attribute holds an epoch-seconds time before ``now``.

        Args:
            now: the current time in epoch seconds (default: the clock).

        Returns:
            How many items were deleted.
        """
        with self._lock:
            if self._closed.is_set():
                return 0
            if self._shared_file:
                self._catalog.refresh_if_changed()
            return ttl.sweep(self._catalog, time.time() if now is None else now)

    def close(self) -> None:
        """Stop the TTL thread and close the database."""
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
            self._storage.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _sweep_forever(self, interval: float) -> None:
        while not self._closed.wait(interval):
            self._sweep_quietly()

    def _sweep_quietly(self) -> None:
        try:
            self.sweep_ttl()
        except Exception:  # a failed sweep must not kill the thread; the next one retries
            return
