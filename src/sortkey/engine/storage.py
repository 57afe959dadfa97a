"""SQLite storage for the engine: the table catalog, items and secondary-index entries.

Layout (one database, any number of DynamoDB tables):

* ``tables(id, name, description)``: the catalog; ``description`` is the table's definition as
  JSON (see :mod:`sortkey.engine.operations.schema`).
* ``items(t, pv, rk, size, item)``, a ``WITHOUT ROWID`` table keyed by ``(t, pv, rk)``: ``pv``
  is the order-preserving encoding of the partition key's value, ``rk`` that of the sort key
  (empty for hash-only tables). A Query is one B-tree range: O(log n + k).
* ``partitions(t, hk)``: one row per partition that holds items, keyed by the *stored partition
  key* ``hk`` = :func:`sortkey.engine.keys.partition_key` (the 20-byte partition hash, then
  ``pv``). A Scan walks this table in hash order -- DynamoDB Local's order, and the space that
  Segment/TotalSegments split -- and reads each partition's items from ``items``.
* ``entries(t, i, hk, rk, th, thk, trk, size)``: one row per item in a secondary index ``i``,
  keyed by the index keys, then ``th`` (DynamoDB Local's hash of the table key, which orders
  items with equal index keys), then the table keys pointing at the item (``thk`` a stored
  partition key; index reads join back to ``items``).

Why items are not keyed by the hash: a key's place in the B-tree decides what a write costs.
Keyed by value, keys that grow over time (ULIDs, timestamps, counters: the usual single-table
keys) append at the right edge of the tree, whose pages stay in cache. Keyed by hash, every new
partition lands at a random leaf: measured on 25-item batches of one new partition, the
SQLite part of the write took 110 µs at 25k items and 240 µs at 200k (cold pages, leaf splits),
against a flat 60-80 µs keyed by value with the partition row. The partition row is small, so
its random place costs little. The callers of this class only see stored partition keys
(``hk``); ``pv`` is internal (``hk[HASH_BYTES:]``).

Items are stored as the wire item in :mod:`marshal` format (version 4, a BLOB): it holds
``B``/``BS`` bytes natively and is the fastest codec in the standard library (measured on a
typical 300-byte item: 1.9 µs to write and 2.8 µs to read, against 8 µs and 6 µs for JSON
with base64 binaries). Marshal's version-4 encoding of dicts, lists, strings, bytes and
booleans has not changed since Python 3.4. Databases written by storage format 1 (compact
JSON text, binaries as base64) are read as they are; their rows are rewritten on update.

Every operation of the engine runs inside :meth:`Storage.transaction` (one SQLite transaction),
so it is atomic. File databases use WAL. By default ``synchronous=NORMAL``: a commit is written
to the WAL file before the call returns, so an acknowledged write survives the process being
killed (the operating system holds the data); only an operating-system crash or power loss can
lose the last commits, and never corrupts the file. That costs microseconds per write instead
of an fsync (milliseconds). ``fsync=True`` selects ``synchronous=FULL``: every commit is synced
to disk and survives power loss too. The class is not thread-safe by itself;
:class:`sortkey.engine.Engine` serialises calls with a lock.
"""

from __future__ import annotations

import base64
import functools
import json
import marshal
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any

from .keys import HASH_BYTES

_SCHEMA_VERSION = "3"
#: Older storage formats this version reads, and upgrades when it opens them: format 1 stored
#: items as JSON text, formats 1 and 2 keyed items by the stored partition key (hash first).
_READABLE_VERSIONS = ("1", "2", "3")

StoredItem = bytes | str
"""An item as stored: marshal bytes (format 2) or JSON text (rows written by format 1)."""

EntryKey = tuple[bytes, bytes, bytes, bytes, bytes]
"""An index entry's key: ``(hk, rk, th, thk, trk)``."""

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

_ITEMS = (
    "CREATE TABLE IF NOT EXISTS {name} ("
    " t INTEGER NOT NULL, pv BLOB NOT NULL, rk BLOB NOT NULL,"
    " size INTEGER NOT NULL, item BLOB NOT NULL,"
    " PRIMARY KEY (t, pv, rk)) WITHOUT ROWID"
)

_PARTITIONS = (
    "CREATE TABLE IF NOT EXISTS partitions ("
    " t INTEGER NOT NULL, hk BLOB NOT NULL, PRIMARY KEY (t, hk)) WITHOUT ROWID"
)

_DDL = (
    "CREATE TABLE IF NOT EXISTS tables ("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL)",
    _ITEMS.format(name="items"),
    _PARTITIONS,
    "CREATE TABLE IF NOT EXISTS entries ("
    " t INTEGER NOT NULL, i INTEGER NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL,"
    " th BLOB NOT NULL, thk BLOB NOT NULL, trk BLOB NOT NULL, size INTEGER NOT NULL,"
    " PRIMARY KEY (t, i, hk, rk, th, thk, trk)) WITHOUT ROWID",
)


_MARSHAL_VERSION = 4
_PAGE_SIZE = 8192

_PUT = "INSERT OR REPLACE INTO items (t, pv, rk, size, item) VALUES (?, ?, ?, ?, ?)"
_DELETE = "DELETE FROM items WHERE t=? AND pv=? AND rk=?"
_ADD_PARTITION = "INSERT OR IGNORE INTO partitions (t, hk) VALUES (?, ?)"
#: Forget a partition once its last item is gone (the scan would find nothing there anyway).
_PRUNE_PARTITION = (
    "DELETE FROM partitions WHERE t=? AND hk=?"
    " AND NOT EXISTS (SELECT 1 FROM items WHERE t=? AND pv=?)"
)


#: Rows per multi-row INSERT (5 parameters a row: well under SQLite's 999 parameters).
_MAX_ROWS_PER_INSERT = 100


@functools.lru_cache(maxsize=_MAX_ROWS_PER_INSERT)
def _put_rows(count: int) -> str:
    """:data:`_PUT` for ``count`` rows in one statement."""
    return _PUT + ", (?, ?, ?, ?, ?)" * (count - 1)


@functools.lru_cache(maxsize=_MAX_ROWS_PER_INSERT)
def _add_partitions(count: int) -> str:
    """:data:`_ADD_PARTITION` for ``count`` rows in one statement."""
    return _ADD_PARTITION + ", (?, ?)" * (count - 1)


#: How BLOB parameters are passed to SQLite. CPython's ``sqlite3`` module binds ``int``,
#: ``float``, ``str`` and ``bytearray`` directly, but looks every other type -- ``bytes``
#: included -- up in its adapter registry first, and the miss raises and clears two
#: ``AttributeError``s (``__adapt__``, ``__conform__``): measured on 3.11, ~2,500 machine
#: instructions per ``bytes`` parameter, a quarter of a 25-row insert. A ``bytearray`` copy of
#: a few hundred bytes costs a fraction of that; SQLite stores the same BLOB either way, and
#: reads it back as ``bytes``.
_blob = bytearray


def _value_of(column: str) -> str:
    """SQL for the ``pv`` part of a stored partition key column (``hk[HASH_BYTES:]``)."""
    return f"substr({column}, {HASH_BYTES + 1})"  # 1-based; a BLOB's substr counts bytes


def _upgrade_to_partitions(conn: sqlite3.Connection) -> None:
    """Rewrite a format 1 or 2 database's items (keyed by ``hk``) into format 3's layout."""
    conn.execute(_ITEMS.format(name="items_by_value"))
    conn.execute(
        "INSERT INTO items_by_value (t, pv, rk, size, item)"
        f" SELECT t, {_value_of('hk')}, rk, size, item FROM items"
    )
    conn.execute(_PARTITIONS)
    conn.execute("INSERT INTO partitions (t, hk) SELECT DISTINCT t, hk FROM items")
    conn.execute("DROP TABLE items")
    conn.execute("ALTER TABLE items_by_value RENAME TO items")


def encode_item(item: dict[str, Any]) -> bytes:
    """Serialise a wire item for storage."""
    return marshal.dumps(item, _MARSHAL_VERSION)


def decode_item(data: StoredItem) -> dict[str, Any]:
    """Read back a stored item in wire format (a fresh object: callers may keep or change it)."""
    if type(data) is bytes:
        item: dict[str, Any] = marshal.loads(data)
        return item
    return _decode_json(str(data))


def _decode_json(text: str) -> dict[str, Any]:
    # Storage format 1: JSON text with binaries as base64.
    item: dict[str, Any] = json.loads(text)
    if '"B' in text:
        for av in item.values():
            _restore_binary(av)
    return item


def _restore_binary(av: dict[str, Any]) -> None:
    if "B" in av:
        av["B"] = base64.b64decode(av["B"])
    elif "BS" in av:
        av["BS"] = [base64.b64decode(v) for v in av["BS"]]
    elif "M" in av:
        for v in av["M"].values():
            _restore_binary(v)
    elif "L" in av:
        for v in av["L"]:
            _restore_binary(v)


def prefix_successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with ``prefix``."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


class Storage:
    """The SQLite database behind one :class:`~sortkey.engine.Engine`.

    Args:
        path: ``":memory:"`` or a file name (created if missing).
        fsync: sync every commit to disk (survives power loss), not only to the OS.
    """

    def __init__(self, path: str, *, fsync: bool = False) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._depth = 0
        self._transaction = _Transaction(self)
        # In memory, this is the only connection to the database (callers serialise calls).
        self._only_connection = path == ":memory:"
        conn = self._conn
        # 8 KB pages (SQLite's default is 4 KB) for new databases: items are WITHOUT ROWID rows
        # of a few hundred bytes each, and measured 25-item batch writes and 100-item range
        # reads are ~25% faster in SQLite with 8 KB pages. An existing file keeps its size.
        conn.execute(f"PRAGMA page_size={_PAGE_SIZE}")
        if path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL" if fsync else "PRAGMA synchronous=NORMAL")
        conn.execute(_META)
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is not None and row[0] not in _READABLE_VERSIONS:
            raise RuntimeError(
                f"{path}: storage format version {row[0]}, this engine reads "
                f"{', '.join(_READABLE_VERSIONS)}"
            )
        with self._transaction:
            if row is not None and row[0] in ("1", "2"):
                _upgrade_to_partitions(conn)
            for statement in _DDL:
                conn.execute(statement)
            if row is None:
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (_SCHEMA_VERSION,))
            elif row[0] != _SCHEMA_VERSION:
                # New rows are written in the current format: older engines must refuse it.
                conn.execute(
                    "UPDATE meta SET value=? WHERE key='schema_version'", (_SCHEMA_VERSION,)
                )

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def data_version(self) -> int:
        """SQLite's counter of commits made by other connections (to spot catalog changes)."""
        row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def transaction(self) -> _Transaction:
        """Run the block as one SQLite transaction (nested uses join the outer one)."""
        return self._transaction

    def read_then_write(self) -> AbstractContextManager[None]:
        """A block that reads, then writes with at most ONE statement.

        In memory, no other connection exists and calls are serialised, so nothing can come
        between the read and the write, and a single statement is atomic by itself: the block
        needs no ``BEGIN`` / ``COMMIT``. A file may have other connections: a transaction.
        """
        if self._only_connection:
            return _NO_TRANSACTION
        return self._transaction

    # ---------------------------------------------------------------- catalog

    def load_tables(self) -> list[tuple[int, str, str]]:
        """Every table as ``(id, name, description JSON)``."""
        rows = self._conn.execute("SELECT id, name, description FROM tables ORDER BY name")
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def insert_table(self, name: str, description: str) -> int:
        """Add a table to the catalog; returns its id."""
        cursor = self._conn.execute(
            "INSERT INTO tables (name, description) VALUES (?, ?)", (name, description)
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_table(self, table_id: int, description: str) -> None:
        """Replace a table's stored definition."""
        self._conn.execute("UPDATE tables SET description=? WHERE id=?", (description, table_id))

    def drop_table(self, table_id: int) -> None:
        """Delete a table with its items and index entries."""
        conn = self._conn
        conn.execute("DELETE FROM entries WHERE t=?", (table_id,))
        conn.execute("DELETE FROM items WHERE t=?", (table_id,))
        conn.execute("DELETE FROM partitions WHERE t=?", (table_id,))
        conn.execute("DELETE FROM tables WHERE id=?", (table_id,))

    def table_stats(self, table_id: int) -> tuple[int, int]:
        """``(item count, total item bytes)`` of a table."""
        row = self._conn.execute(
            "SELECT count(*), total(size) FROM items WHERE t=?", (table_id,)
        ).fetchone()
        return int(row[0]), int(row[1])

    def index_stats(self, table_id: int, index_id: int) -> tuple[int, int]:
        """``(entry count, total projected bytes)`` of one secondary index."""
        row = self._conn.execute(
            "SELECT count(*), total(size) FROM entries WHERE t=? AND i=?", (table_id, index_id)
        ).fetchone()
        return int(row[0]), int(row[1])

    def drop_index(self, table_id: int, index_id: int) -> None:
        """Delete every entry of one secondary index."""
        self._conn.execute("DELETE FROM entries WHERE t=? AND i=?", (table_id, index_id))

    # ---------------------------------------------------------------- items
    #
    # Every item has its partition's row in ``partitions``; a partition row may outlive its
    # items for a moment (a scan finds nothing there). So writes add the partition row before
    # the item and remove it after the item. In memory (the only connection, calls
    # serialised) that order alone keeps the rule, whatever statement fails; a file may have
    # other connections, which must not prune a partition between our two statements: there
    # the pair runs in a transaction.

    def _pair(self) -> AbstractContextManager[None]:
        """The block around a write's two statements (item, partition row)."""
        if self._only_connection or self._depth:
            return _NO_TRANSACTION
        return self._transaction

    def get(self, table_id: int, hk: bytes, rk: bytes) -> tuple[StoredItem, int] | None:
        """The stored ``(encoded item, size)`` under a primary key, or None."""
        row = self._conn.execute(
            "SELECT item, size FROM items WHERE t=? AND pv=? AND rk=?",
            (table_id, _blob(hk[HASH_BYTES:]), _blob(rk)),
        ).fetchone()
        if row is None:
            return None
        return row[0], row[1]

    def put(self, table_id: int, hk: bytes, rk: bytes, size: int, data: bytes) -> None:
        """Insert or replace an item."""
        conn = self._conn
        with self._pair():
            conn.execute(_ADD_PARTITION, (table_id, _blob(hk)))
            conn.execute(_PUT, (table_id, _blob(hk[HASH_BYTES:]), _blob(rk), size, _blob(data)))

    def write_many(
        self,
        puts: list[tuple[int, bytes, bytes, int, dict[str, Any]]],
        deletes: list[tuple[int, bytes, bytes]],
    ) -> None:
        """Insert or replace ``(t, hk, rk, size, wire item)`` rows, delete ``(t, hk, rk)`` keys.

        Items are encoded here (:func:`encode_item`). All of it is one transaction (in memory,
        see :meth:`_pair`: two statements, partition rows first).
        """
        conn = self._conn
        blob = _blob
        dumps = marshal.dumps
        if puts and not deletes and len(puts) <= _MAX_ROWS_PER_INSERT:
            # One multi-row INSERT for the items (SQLite steps it once instead of once per
            # row), one for their partitions.
            params: list[Any] = []
            partitions: list[Any] = []
            last_hk: bytes | None = None
            pv_blob: Any = None
            for t, hk, rk, size, item in puts:
                if hk is not last_hk:  # rows of one partition share their key's object
                    if hk != last_hk:
                        partitions += (t, blob(hk))
                    last_hk, pv_blob = hk, blob(hk[HASH_BYTES:])
                params += (t, pv_blob, blob(rk), size, blob(dumps(item, _MARSHAL_VERSION)))
            with self._pair():
                conn.execute(_add_partitions(len(partitions) // 2), partitions)
                conn.execute(_put_rows(len(puts)), params)
            return
        if not puts and len(deletes) == 1:
            self.delete(*deletes[0])
            return
        with self._transaction:
            if puts:
                conn.executemany(
                    _ADD_PARTITION,
                    [(t, blob(hk)) for t, hk in {(t, hk): None for t, hk, _, _, _ in puts}],
                )
                conn.executemany(
                    _PUT,
                    [
                        (
                            t,
                            blob(hk[HASH_BYTES:]),
                            blob(rk),
                            size,
                            blob(dumps(item, _MARSHAL_VERSION)),
                        )
                        for t, hk, rk, size, item in puts
                    ],
                )
            if deletes:
                conn.executemany(
                    _DELETE, [(t, blob(hk[HASH_BYTES:]), blob(rk)) for t, hk, rk in deletes]
                )
                conn.executemany(
                    _PRUNE_PARTITION,
                    [
                        (t, blob(hk), t, blob(hk[HASH_BYTES:]))
                        for t, hk in {(t, hk): None for t, hk, _ in deletes}
                    ],
                )

    def delete(self, table_id: int, hk: bytes, rk: bytes) -> None:
        """Delete an item (no-op when absent)."""
        conn = self._conn
        pv = _blob(hk[HASH_BYTES:])
        with self._pair():
            conn.execute(_DELETE, (table_id, pv, _blob(rk)))
            conn.execute(_PRUNE_PARTITION, (table_id, _blob(hk), table_id, pv))

    def add_entry(self, table_id: int, index_id: int, key: EntryKey, size: int) -> None:
        """Add (or replace) an index entry ``(hk, rk, th, thk, trk)``."""
        self._conn.execute(
            "INSERT OR REPLACE INTO entries (t, i, hk, rk, th, thk, trk, size)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (table_id, index_id, *map(_blob, key), size),
        )

    def remove_entry(self, table_id: int, index_id: int, key: EntryKey) -> None:
        """Remove an index entry."""
        self._conn.execute(
            "DELETE FROM entries WHERE t=? AND i=? AND hk=? AND rk=? AND th=? AND thk=? AND trk=?",
            (table_id, index_id, *map(_blob, key)),
        )

    # ---------------------------------------------------------------- ranges

    def query(
        self,
        table_id: int,
        hk: bytes,
        bounds: RangeBounds,
        *,
        forward: bool,
        after: bytes | None,
    ) -> Iterator[tuple[bytes, bytes, StoredItem, int]]:
        """Items of one partition in sort-key order: ``(hk, rk, encoded item, size)``.

        Args:
            table_id: the table.
            hk: the stored partition key.
            bounds: the sort-key range of the key condition.
            forward: ascending sort-key order when true.
            after: resume strictly after (forward) or before (backward) this sort key.
        """
        sql = ["SELECT ?, rk, item, size FROM items WHERE t=? AND pv=?"]
        args: list[Any] = [hk, table_id, hk[HASH_BYTES:]]
        bounds.sql("rk", sql, args)
        if after is not None:
            sql.append("AND rk > ?" if forward else "AND rk < ?")
            args.append(after)
        sql.append("ORDER BY rk" if forward else "ORDER BY rk DESC")
        return self._rows(" ".join(sql), args)

    def scan(
        self,
        table_id: int,
        *,
        after: tuple[bytes, bytes] | None,
        low: bytes | None = None,
        high: bytes | None = None,
    ) -> Iterator[tuple[bytes, bytes, StoredItem, int]]:
        """Every item in storage order (partition hash, then sort key), optionally one segment.

        ``after``: the ``(hk, rk)`` to resume after; ``low`` / ``high``: the segment's range
        of stored partition keys.
        """
        # CROSS JOIN keeps ``partitions`` the outer loop: rows come out in (hk, rk) order
        # straight from the two B-trees, without a sort.
        sql = [
            "SELECT p.hk, i.rk, i.item, i.size FROM partitions p"
            f" CROSS JOIN items i ON i.t=p.t AND i.pv={_value_of('p.hk')}"
            " WHERE p.t=?"
        ]
        args: list[Any] = [table_id]
        if low is not None:
            sql.append("AND p.hk >= ?")
            args.append(low)
        if high is not None:
            sql.append("AND p.hk < ?")
            args.append(high)
        if after is not None:
            sql.append("AND p.hk >= ? AND (p.hk > ? OR i.rk > ?)")
            args.extend((after[0], after[0], after[1]))
        sql.append("ORDER BY p.hk, i.rk")
        return self._rows(" ".join(sql), args)

    def query_index(
        self,
        table_id: int,
        index_id: int,
        hk: bytes,
        bounds: RangeBounds,
        *,
        forward: bool,
        after: tuple[bytes, bytes, bytes, bytes] | None,
    ) -> Iterator[tuple[bytes, bytes, StoredItem, int]]:
        """Items of one index partition in index order: ``(table hk, table rk, item, size)``.

        ``after`` is ``(rk, th, thk, trk)`` of the entry to resume after.
        """
        sql = [
            "SELECT e.thk, e.trk, i.item, e.size FROM entries e"
            " JOIN items i ON i.t=e.t"
            f" AND i.pv={_value_of('e.thk')} AND i.rk=e.trk"
            " WHERE e.t=? AND e.i=? AND e.hk=?"
        ]
        args: list[Any] = [table_id, index_id, hk]
        bounds.sql("e.rk", sql, args)
        if after is not None:
            sql.append(
                "AND (e.rk, e.th, e.thk, e.trk) > (?, ?, ?, ?)"
                if forward
                else "AND (e.rk, e.th, e.thk, e.trk) < (?, ?, ?, ?)"
            )
            args.extend(after)
        sql.append(
            "ORDER BY e.rk, e.th, e.thk, e.trk"
            if forward
            else "ORDER BY e.rk DESC, e.th DESC, e.thk DESC, e.trk DESC"
        )
        return self._rows(" ".join(sql), args)

    def scan_index(
        self,
        table_id: int,
        index_id: int,
        *,
        after: EntryKey | None,
        local: bool = False,
    ) -> Iterator[tuple[bytes, bytes, StoredItem, int]]:
        """Every entry of an index in index order: ``(table hk, table rk, item, size)``.

        A local index is scanned as DynamoDB Local does: equal index keys in table sort-key
        order (a Query on it orders them by hash, see ``th``).
        """
        columns = "e.hk, e.rk, e.trk, e.th, e.thk" if local else "e.hk, e.rk, e.th, e.thk, e.trk"
        sql = [
            "SELECT e.thk, e.trk, i.item, e.size FROM entries e"
            " JOIN items i ON i.t=e.t"
            f" AND i.pv={_value_of('e.thk')} AND i.rk=e.trk"
            " WHERE e.t=? AND e.i=?"
        ]
        args: list[Any] = [table_id, index_id]
        if after is not None:
            hk, rk, th, thk, trk = after
            sql.append(f"AND ({columns}) > (?, ?, ?, ?, ?)")
            args.extend((hk, rk, trk, th, thk) if local else after)
        sql.append(f"ORDER BY {columns}")
        return self._rows(" ".join(sql), args)

    def all_items(self, table_id: int) -> Iterator[tuple[bytes, bytes, StoredItem, int]]:
        """Every item of a table (for index backfill and TTL sweeps)."""
        return self.scan(table_id, after=None)

    def _rows(self, sql: str, args: list[Any]) -> Iterator[tuple[bytes, bytes, StoredItem, int]]:
        # The cursor itself (no generator around it): callers close it when they stop early.
        args = [_blob(a) if type(a) is bytes else a for a in args]
        cursor: Iterator[tuple[bytes, bytes, StoredItem, int]] = self._conn.execute(sql, args)
        return cursor


class _Transaction:
    """The context manager of :meth:`Storage.transaction` (a class: cheaper than a generator)."""

    __slots__ = ("_storage",)

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def __enter__(self) -> None:
        storage = self._storage
        if not storage._depth:
            storage._conn.execute("BEGIN IMMEDIATE")
        storage._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        storage = self._storage
        storage._depth -= 1
        if storage._depth:
            return  # an inner block: the outer one commits or rolls back
        storage._conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")


_NO_TRANSACTION = nullcontext()


class RangeBounds:
    """A sort-key range from a key condition, as encoded bytes.

    Attributes:
        low / high: bounds (None when open); ``low_inclusive`` / ``high_inclusive`` say whether
            the bound itself is in the range.
    """

    __slots__ = ("high", "high_inclusive", "low", "low_inclusive")

    def __init__(
        self,
        low: bytes | None = None,
        high: bytes | None = None,
        *,
        low_inclusive: bool = True,
        high_inclusive: bool = True,
    ) -> None:
        self.low = low
        self.high = high
        self.low_inclusive = low_inclusive
        self.high_inclusive = high_inclusive

    def sql(self, column: str, sql: list[str], args: list[Any]) -> None:
        """Append this range's SQL conditions on ``column``."""
        if self.low is not None:
            sql.append(f"AND {column} >= ?" if self.low_inclusive else f"AND {column} > ?")
            args.append(self.low)
        if self.high is not None:
            sql.append(f"AND {column} <= ?" if self.high_inclusive else f"AND {column} < ?")
            args.append(self.high)

    def contains(self, value: bytes) -> bool:
        """Whether an encoded sort key lies in the range."""
        low = self.low
        if low is not None and (value < low or (value == low and not self.low_inclusive)):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not self.high_inclusive))
        )
