"""The drivers pause the cyclic GC only while an embedded-engine step runs.

Never while the caller's code runs (a ``for`` body), never across an ``await`` that suspends
(so no other task sees it paused), never for a backend that is not in process; a GC the
user turned off stays off.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import sortkey
from sortkey import Table
from sortkey.aio import AsyncAdapter, AsyncDatabase
from sortkey.backends.embedded import EmbeddedBackend
from sortkey.errors import TableNotFound

table = Table("GcThings", pk="pk", sk="sk")
_CREATE = {
    "TableName": table.name,
    "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
}


@pytest.fixture
def db() -> Iterator[sortkey.Database]:
    database = sortkey.connect()
    database.create_table(table)
    client = database.table(table)
    for i in range(5):
        client.put_item({"pk": "p", "sk": f"{i}"})
    yield database
    database.close()


def test_the_gc_is_on_while_the_caller_iterates(db: sortkey.Database) -> None:
    states = [gc.isenabled() for _ in db.table(table).query(pk="p")]
    assert states == [True] * 5
    assert gc.isenabled()


def test_the_gc_is_back_on_after_a_failed_request(db: sortkey.Database) -> None:
    with pytest.raises(TableNotFound):
        db.table(Table("Missing", pk="pk")).get_item({"pk": "x"})
    assert gc.isenabled()


def test_a_gc_the_user_turned_off_stays_off(db: sortkey.Database) -> None:
    gc.disable()
    try:
        assert len(db.table(table).query(pk="p").all()) == 5
        assert not gc.isenabled()
    finally:
        gc.enable()


class Watching(EmbeddedBackend):
    """The embedded engine, noting whether the GC was enabled during each call."""

    def __init__(self, *, in_process: bool = True) -> None:
        super().__init__()
        self.in_process = in_process
        self.gc_during_calls: list[bool] = []

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.gc_during_calls.append(gc.isenabled())
        return super().call(operation, params)


def _filled(backend: Watching) -> Watching:
    backend.call("CreateTable", _CREATE)
    for i in range(5):
        backend.call(
            "PutItem", {"TableName": table.name, "Item": {"pk": {"S": "p"}, "sk": {"S": f"{i}"}}}
        )
    backend.gc_during_calls.clear()
    return backend


@pytest.mark.parametrize("in_process", [True, False], ids=["in-process", "remote"])
def test_the_gc_is_paused_during_calls_only_in_process(in_process: bool) -> None:
    backend = _filled(Watching(in_process=in_process))
    db = sortkey.Database(backend)
    assert len(db.table(table).query(pk="p").all()) == 5
    assert [x["sk"] for x in db.table(table).query(pk="p")] == ["0", "1", "2", "3", "4"]
    assert db.table(table).get_item({"pk": "p", "sk": "1"}) == {"pk": "p", "sk": "1"}
    assert backend.gc_during_calls == [not in_process] * 3
    assert gc.isenabled()


# --------------------------------------------------------------------------- async driver


def test_async_steps_pause_the_gc_with_the_engine_inline_and_never_across_suspensions() -> None:
    backend = _filled(Watching())
    observed: list[bool] = []
    in_loop: list[bool] = []

    async def watch(stop: asyncio.Event) -> None:
        while not stop.is_set():
            observed.append(gc.isenabled())
            await asyncio.sleep(0)

    async def main() -> None:
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch(stop))
        db = AsyncDatabase(backend)
        assert isinstance(db.backend, AsyncAdapter) and db.backend.in_process
        for _ in range(3):
            await asyncio.sleep(0)
            assert len(await db.table(table).query(pk="p").all()) == 5
            async for _item in db.table(table).query(pk="p"):
                in_loop.append(gc.isenabled())
                await asyncio.sleep(0)
            assert await db.table(table).get_item({"pk": "p", "sk": "1"}) is not None
        stop.set()
        await watcher

    asyncio.run(main())
    assert backend.gc_during_calls == [False] * 9
    assert in_loop == [True] * 15
    assert observed and all(observed)  # no other task ever ran with the GC paused
    assert gc.isenabled()


def test_async_calls_in_a_thread_run_with_the_gc_as_it_is() -> None:
    backend = _filled(Watching())

    async def main() -> None:
        db = AsyncDatabase(AsyncAdapter(backend, threaded=True))
        assert not db.backend.in_process  # type: ignore[attr-defined]
        assert len(await db.table(table).query(pk="p").all()) == 5
        await db.table(table).get_item({"pk": "p", "sk": "1"})

    asyncio.run(main())
    assert backend.gc_during_calls == [True, True]


def test_async_gc_is_back_on_after_failures_and_a_user_choice_stays() -> None:
    async def main() -> None:
        async with AsyncDatabase(EmbeddedBackend()) as db:
            with pytest.raises(TableNotFound):
                await db.table(Table("Missing", pk="pk")).get_item({"pk": "x"})
            assert gc.isenabled()
            with pytest.raises(TableNotFound):
                await db.table(Table("Missing", pk="pk")).query(pk="x").all()
            assert gc.isenabled()
            await db.create_table(table)
            await db.table(table).put_item({"pk": "p", "sk": "0"})
            gc.disable()
            try:
                assert len(await db.table(table).query(pk="p").all()) == 1
                assert not gc.isenabled()
            finally:
                gc.enable()

    asyncio.run(main())
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("in_process", "threaded", "expected"),
    [
        pytest.param(True, False, True, id="engine-inline"),
        pytest.param(True, True, False, id="engine-in-a-thread"),
        pytest.param(False, False, False, id="remote-inline"),
    ],
)
def test_adapter_says_in_process_only_for_inline_calls_of_an_in_process_backend(
    in_process: bool, threaded: bool, expected: bool
) -> None:
    adapter = AsyncAdapter(Watching(in_process=in_process), threaded=threaded)
    assert adapter.in_process is expected
