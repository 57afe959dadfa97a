"""Storage: item encoding round trips, ranges, atomic transactions, durability across reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sortkey.engine.keys import partition_key
from sortkey.engine.storage import RangeBounds, Storage, decode_item, encode_item, prefix_successor


def _hk(name: str) -> bytes:
    """A stored partition key (hash, then value), as the engine passes them to Storage."""
    return partition_key([{"S": name}])


H, H2, OLD, M, P, X = map(_hk, ("h", "h2", "old", "m", "p", "x"))

scalars = (
    st.builds(lambda s: {"S": s}, st.text())
    | st.builds(lambda b: {"B": b}, st.binary())
    | st.builds(lambda n: {"N": str(n)}, st.integers())
    | st.just({"NULL": True})
    | st.builds(lambda v: {"BOOL": v}, st.booleans())
    | st.builds(lambda v: {"BS": v}, st.lists(st.binary(), min_size=1, unique=True))
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3))
        | st.builds(lambda v: {"M": v}, st.dictionaries(st.text(), inner, max_size=3))
    ),
    max_leaves=8,
)


@given(st.dictionaries(st.text(min_size=1), values, max_size=5))
def test_item_encoding_round_trips(item: dict[str, dict[str, object]]) -> None:
    assert decode_item(encode_item(item)) == item


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        pytest.param(b"ab", b"ac", id="simple"),
        pytest.param(b"a\xff", b"b", id="carry"),
        pytest.param(b"\xff\xff", None, id="no-upper-bound"),
    ],
)
def test_prefix_successor(prefix: bytes, expected: bytes | None) -> None:
    assert prefix_successor(prefix) == expected


def _fill(storage: Storage) -> int:
    table = storage.insert_table("t", "{}")
    for rk in (b"a", b"b", b"c", b"d"):
        storage.put(table, H, rk, 1, encode_item({"k": {"B": rk}}))
    return table


def test_query_ranges_and_direction() -> None:
    storage = Storage(":memory:")
    table = _fill(storage)

    def keys(bounds: RangeBounds, forward: bool = True, after: bytes | None = None) -> list[bytes]:
        return [r[1] for r in storage.query(table, H, bounds, forward=forward, after=after)]

    assert keys(RangeBounds()) == [b"a", b"b", b"c", b"d"]
    assert keys(RangeBounds(b"b", b"c")) == [b"b", b"c"]
    assert keys(RangeBounds(b"b", low_inclusive=False)) == [b"c", b"d"]
    assert keys(RangeBounds(high=b"c", high_inclusive=False), forward=False) == [b"b", b"a"]
    assert keys(RangeBounds(), after=b"b") == [b"c", b"d"]
    assert keys(RangeBounds(), forward=False, after=b"c") == [b"b", b"a"]


def test_failed_transaction_leaves_nothing_behind() -> None:
    storage = Storage(":memory:")
    table = storage.insert_table("t", "{}")
    with pytest.raises(RuntimeError), storage.transaction():
        storage.put(table, H, b"", 1, encode_item({}))
        raise RuntimeError("boom")
    assert storage.get(table, H, b"") is None


def test_file_database_keeps_items_after_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "db.sqlite")
    storage = Storage(path)
    table = storage.insert_table("t", "{}")
    with storage.transaction():
        storage.put(table, H, b"", 3, encode_item({"a": {"S": "x"}}))
    storage.close()
    reopened = Storage(path)
    found = reopened.get(table, H, b"")
    assert found is not None
    assert (decode_item(found[0]), found[1]) == ({"a": {"S": "x"}}, 3)
    assert reopened.load_tables() == [(table, "t", "{}")]
    reopened.close()


_FORMAT_2_ITEMS = (
    "CREATE TABLE items (t INTEGER NOT NULL, hk BLOB NOT NULL, rk BLOB NOT NULL,"
    " size INTEGER NOT NULL, item BLOB NOT NULL, PRIMARY KEY (t, hk, rk)) WITHOUT ROWID"
)


def _as_format(path: str, version: str) -> None:
    """Rewrite a current database file into the layout of storage format 1 or 2.

    Formats 1 and 2 keyed items by the stored partition key (hash, then value) and had no
    ``partitions`` table; format 1 stored items as JSON text (binaries in base64).
    """
    conn = sqlite3.connect(path)
    by_value = {bytes(hk[20:]): bytes(hk) for (hk,) in conn.execute("SELECT hk FROM partitions")}
    rows = list(conn.execute("SELECT t, pv, rk, size, item FROM items"))
    conn.execute("DROP TABLE items")
    conn.execute("DROP TABLE partitions")
    conn.execute(_FORMAT_2_ITEMS)
    for t, pv, rk, size, item in rows:
        conn.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?)", (t, by_value[pv], rk, size, item))
    if version == "1":
        legacy = '{"pk":{"S":"a"},"b":{"B":"AAE="},"l":{"L":[{"BS":["/w=="]}]},"f":{"BOOL":true}}'
        conn.execute(
            "INSERT INTO items (t, hk, rk, size, item) VALUES (1, ?, x'', 10, ?)",
            (partition_key([{"S": "a"}]), legacy),
        )
    conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (version,))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", ["1", "2"])
def test_older_formats_are_upgraded_in_place(tmp_path: Path, version: str) -> None:
    from sortkey.engine import Engine

    path = str(tmp_path / "old.sqlite")
    scan = {"TableName": "old"}
    by_kind = {
        "TableName": "old",
        "IndexName": "by-kind",
        "KeyConditionExpression": "kind = :k",
        "ExpressionAttributeValues": {":k": {"S": "x"}},
    }
    with Engine(path, ttl_sweep_interval=None) as engine:
        engine.call(
            "CreateTable",
            {
                "TableName": "old",
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "kind", "AttributeType": "S"},
                ],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "by-kind",
                        "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            },
        )
        for n in range(30):
            item = {"pk": {"S": f"p{n}"}, "kind": {"S": "x"}, "bin": {"B": bytes([n, 0])}}
            engine.call("PutItem", {"TableName": "old", "Item": item})
        before = engine.call("Scan", scan)["Items"]
        before_index = engine.call("Query", by_kind)["Items"]
    _as_format(path, version)
    with Engine(path, ttl_sweep_interval=None) as engine:
        items = engine.call("Scan", scan)["Items"]
        if version == "1":  # the JSON row, still readable (it has no "kind": not in the index)
            legacy = {
                "pk": {"S": "a"},
                "b": {"B": b"\x00\x01"},
                "l": {"L": [{"BS": [b"\xff"]}]},
                "f": {"BOOL": True},
            }
            assert legacy in items
            items.remove(legacy)
            got = engine.call("GetItem", {"TableName": "old", "Key": {"pk": {"S": "a"}}})
            assert got["Item"] == legacy
        assert items == before  # same items, same (hash) order
        assert engine.call("Query", by_kind)["Items"] == before_index
        engine.call("DeleteItem", {"TableName": "old", "Key": {"pk": {"S": "p0"}}})
        assert len(engine.call("Scan", scan)["Items"]) == len(before) - 1 + (version == "1")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("3",)
    conn.execute("UPDATE meta SET value='4' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="storage format version 4"):
        Storage(path)


def test_a_partition_row_lives_exactly_as_long_as_its_items() -> None:
    storage = Storage(":memory:")
    table = storage.insert_table("t", "{}")

    def partitions() -> list[bytes]:
        return [bytes(r[0]) for r in storage._conn.execute("SELECT hk FROM partitions")]

    wire = {"a": {"S": "x"}}
    storage.put(table, H, b"1", 1, encode_item(wire))
    storage.write_many([(table, H, b"2", 1, wire), (table, M, b"1", 1, wire)], [])
    assert sorted(partitions()) == sorted([H, M])
    storage.delete(table, H, b"1")
    assert sorted(partitions()) == sorted([H, M])  # H still holds b"2"
    storage.write_many([(table, P, b"1", 1, wire)], [(table, H, b"2"), (table, M, b"1")])
    assert partitions() == [P]
    assert [r[0] for r in storage.scan(table, after=None)] == [P]
    storage.delete(table, P, b"1")
    assert partitions() == []
    storage.close()


def test_a_file_writes_the_item_and_its_partition_row_together(tmp_path: Path) -> None:
    # Other connections may share a file: a failed item insert must take its partition row
    # with it (in memory an empty partition row may stay; the scan skips it).
    storage = Storage(str(tmp_path / "db.sqlite"))
    table = storage.insert_table("t", "{}")
    bad_size: Any = None  # NOT NULL: the item insert fails after the partition row's
    with pytest.raises(sqlite3.IntegrityError):
        storage.put(table, H, b"1", bad_size, encode_item({"a": {"S": "x"}}))
    assert storage._conn.execute("SELECT count(*) FROM partitions").fetchone() == (0,)
    assert not storage._conn.in_transaction
    storage.close()


def test_read_then_write_skips_the_transaction_only_in_memory(tmp_path: Path) -> None:
    memory = Storage(":memory:")
    with memory.read_then_write():
        assert not memory._conn.in_transaction  # the only connection: one statement is atomic
        memory.put(1, H, b"r", 1, encode_item({"a": {"S": "x"}}))
    assert memory.get(1, H, b"r") is not None
    memory.close()
    shared = Storage(str(tmp_path / "db.sqlite"))
    with shared.read_then_write():
        assert shared._conn.in_transaction  # other connections may write between read and write
    shared.close()


def test_write_many_is_all_or_nothing() -> None:
    storage = Storage(":memory:")
    storage.put(1, OLD, b"", 1, encode_item({"a": {"S": "x"}}))
    good = (1, H, b"r", 1, {"a": {"S": "x"}})
    bad: Any = (1, H2, b"r", None, {})  # size NULL: the second insert fails
    with pytest.raises(Exception, match="NOT NULL"):
        storage.write_many([good, bad], [(1, OLD, b"")])
    assert storage.get(1, H, b"r") is None and storage.get(1, OLD, b"") is not None
    storage.write_many([good], [(1, OLD, b"")])
    assert storage.get(1, H, b"r") is not None and storage.get(1, OLD, b"") is None
    storage.close()


def test_new_databases_use_8k_pages_and_existing_files_keep_theirs(tmp_path: Path) -> None:
    memory = Storage(":memory:")
    assert memory._conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    memory.close()
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.execute("PRAGMA page_size=4096")
    old.execute("CREATE TABLE other (x)")
    old.commit()
    old.close()
    storage = Storage(str(path))
    assert storage._conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    storage.put(1, H, b"", 1, encode_item({"a": {"S": "x"}}))
    storage.close()
    reopened = Storage(str(path))
    assert reopened.get(1, H, b"") is not None
    reopened.close()


def test_every_write_path_stores_blobs_read_back_as_bytes() -> None:
    # Keys and items are passed to SQLite as bytearray (see storage._blob): they must still be
    # stored as BLOBs, compare with bytes keys, and come back as bytes (decode_item reads
    # anything else as format-1 JSON text).
    storage = Storage(":memory:")
    wire = {"a": {"S": "x"}}
    item = encode_item(wire)
    storage.put(1, P, b"1", 1, item)
    storage.write_many([(1, M, b"1", 2, wire), (1, M, b"2", 3, wire)], [])
    storage.write_many([(1, X, b"1", 4, wire)], [(1, P, b"1")])
    storage.write_many([], [(1, X, b"1")])
    storage.add_entry(1, 7, (b"ih", b"ir", b"th", M, b"1"), 2)
    conn = storage._conn
    assert set(conn.execute("SELECT typeof(pv), typeof(rk), typeof(item) FROM items")) == {
        ("blob", "blob", "blob")
    }
    assert set(conn.execute("SELECT typeof(hk), typeof(trk) FROM entries")) == {("blob", "blob")}
    found = storage.get(1, M, b"2")
    assert found is not None and type(found[0]) is bytes and found == (item, 3)
    assert storage.get(1, P, b"1") is None  # deleted by the mixed write
    assert storage.get(1, X, b"1") is None  # and by the single delete
    rows = list(storage.query(1, M, RangeBounds(low=b"2"), forward=True, after=None))
    assert rows == [(M, b"2", item, 3)] and all(type(v) is bytes for v in rows[0][:3])
    index_rows = list(storage.scan_index(1, 7, after=None))
    assert index_rows == [(M, b"1", item, 2)]
    storage.remove_entry(1, 7, (b"ih", b"ir", b"th", M, b"1"))
    assert list(storage.scan_index(1, 7, after=None)) == []
    storage.close()
