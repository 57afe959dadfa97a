"""Drivers hand the items the codec built and sized to the embedded engine (Request.vouched).

The engine then skips its validation walk for them. To see which path a put took, the
engine's item checks are replaced by a tripwire: a put that reaches them fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

import sortkey
from sortkey import Entity, Key, Table
from sortkey.aio import AsyncAdapter, AsyncDatabase
from sortkey.backends.embedded import EmbeddedBackend
from sortkey.engine import values

table = Table("VouchedPuts", pk="pk", sk="sk")


class Note(Entity):
    __table__ = table
    __type__ = "NOTE"
    __key__ = Key(pk="NOTE#{note_id}", sk="#")
    note_id: str
    text: str = ""


class Tripped(Exception):
    pass


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Arms the tripwire; calling what it gives disarms it (reads validate their keys)."""

    def trip(*args: Any, **kwargs: Any) -> Any:
        raise Tripped("the engine validated an item the codec had vouched for")

    for name in (
        "vouch_item",
        "validate_item_canonical",
        "validate_normalize_item",
        "validate_item_size",
    ):
        monkeypatch.setattr(values, name, trip)
    yield monkeypatch.undo


class CallOnly:
    """A backend with only ``call`` (as every backend outside this process)."""

    def __init__(self, inner: EmbeddedBackend) -> None:
        self.inner = inner

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        return self.inner.call(operation, params)

    def close(self) -> None:
        self.inner.close()


ITEM = {"pk": "NOTE#plain", "sk": "#", "n": 1.5, "tags": {"a"}, "m": {"l": [1, "x"]}}


def count(response: dict[str, Any]) -> int:
    return int(response["Count"])


def test_sync_puts_skip_the_engine_walk(tripwire: Callable[[], None]) -> None:
    with sortkey.connect() as db:
        db.create_table(table)
        db.table(table).put_item(ITEM)
        db.put(Note(note_id="put"))
        db.create(Note(note_id="created"))  # a conditional put
        with db.batch() as b:
            b.put_item(table, {**ITEM, "pk": "NOTE#batch"})
            b.put(Note(note_id="batched"))
        db.batch_write(put=[Note(note_id=f"w{i}") for i in range(30)])  # two chunks
        with db.transaction() as tx:
            tx.put(Note(note_id="in-tx"))
            tx.put_item(table, {**ITEM, "pk": "NOTE#tx"})
        assert count(db.backend.call("Scan", {"TableName": table.name})) == 7 + 30
        # The tripwire is live: a request sent as wire dicts is validated, and trips it.
        with pytest.raises(Tripped):
            db.backend.call("PutItem", {"TableName": table.name, "Item": {"pk": {"S": "x"}}})
        tripwire()
        assert db.table(table).get_item({"pk": "NOTE#plain", "sk": "#"}) == ITEM
        assert db.table(table).get_item({"pk": "NOTE#tx", "sk": "#"}) == {**ITEM, "pk": "NOTE#tx"}


def test_backends_without_call_vouched_get_plain_requests(tripwire: object) -> None:
    db = sortkey.Database(CallOnly(EmbeddedBackend()))
    db.create_table(table)
    with pytest.raises(Tripped):
        db.table(table).put_item(ITEM)


def test_async_puts_skip_the_engine_walk(tripwire: object) -> None:
    async def body(adb: AsyncDatabase) -> int:
        await adb.create_table(table)
        await adb.table(table).put_item(ITEM)
        async with adb.batch() as b:
            b.put_item(table, {**ITEM, "pk": "NOTE#batch"})
            b.put(Note(note_id="batched"))
        await adb.batch_write(put=[Note(note_id=f"w{i}") for i in range(30)])
        async with adb.transaction() as tx:
            tx.put(Note(note_id="in-tx"))
            tx.put_item(table, {**ITEM, "pk": "NOTE#tx"})
        await adb.put(Note(note_id="put"))
        await adb.create(Note(note_id="created"))
        return count(await adb.backend.acall("Scan", {"TableName": table.name}))

    for threaded in (False, True):
        adb = AsyncDatabase(AsyncAdapter(EmbeddedBackend(), threaded=threaded))
        assert asyncio.run(body(adb)) == 7 + 30
        asyncio.run(adb.aclose())


class Recording(EmbeddedBackend):
    """A subclass that overrides ``call``: it must see every request, puts included."""

    def __init__(self) -> None:
        super().__init__()
        self.operations: list[str] = []

    def call(self, operation: str, params: Mapping[str, Any], vouched: Any = None) -> Any:
        self.operations.append(operation)
        return super().call(operation, params)


class RecordingAdapter(AsyncAdapter):
    """An adapter that overrides ``acall``: it too must see every request."""

    operations: list[str]

    async def acall(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.operations.append(operation)
        return await super().acall(operation, params)


def test_an_overridden_call_sees_every_put() -> None:
    backend = Recording()
    assert backend.call_vouched is None
    db = sortkey.Database(backend)
    db.create_table(table)
    backend.operations.clear()
    db.table(table).put_item(ITEM)
    db.put(Note(note_id="put"))
    with db.batch() as b:
        b.put(Note(note_id="batched"))
    assert backend.operations == ["PutItem", "PutItem", "BatchWriteItem"]
    assert EmbeddedBackend().call_vouched is not None


def test_an_overridden_acall_sees_every_put() -> None:
    adapter = RecordingAdapter(EmbeddedBackend(), threaded=False)
    adapter.operations = []
    assert adapter.acall_vouched is None
    assert AsyncAdapter(EmbeddedBackend()).acall_vouched is not None
    assert AsyncAdapter(CallOnly(EmbeddedBackend())).acall_vouched is None

    async def body(adb: AsyncDatabase) -> None:
        await adb.create_table(table)
        adapter.operations.clear()
        await adb.table(table).put_item(ITEM)
        await adb.put(Note(note_id="put"))
        await adb.batch_write(put=[Note(note_id="batched")])

    asyncio.run(body(AsyncDatabase(adapter)))
    assert adapter.operations == ["PutItem", "PutItem", "BatchWriteItem"]
