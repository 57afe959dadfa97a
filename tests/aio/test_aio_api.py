"""The async API mirrors the sync one; ``aio.connect`` picks backends; result types are exact.

The ``assert_type`` lines are checked by mypy (``mypy tests/aio/test_aio_api.py``) and run as
ordinary code here.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest
from typing_extensions import assert_type

from sortkey import aio
from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey._ops.collection import CollectionResult
from sortkey._ops.query import Page
from sortkey.aio import (
    AsyncAdapter,
    AsyncBatch,
    AsyncCollection,
    AsyncDatabase,
    AsyncQuery,
    AsyncTableClient,
    AsyncTransaction,
)
from sortkey.backends.aiobotocore import AiobotocoreBackend
from sortkey.backends.embedded import EmbeddedBackend
from sortkey.backends.http import HttpBackend
from sortkey.client import Batch, Collection, Database, Query, TableClient, Transaction
from sortkey.errors import InvalidInput
from sortkey.expr import attr

# --------------------------------------------------------------------------- parity

PAIRS = [
    (Database, AsyncDatabase),
    (Query, AsyncQuery),
    (TableClient, AsyncTableClient),
    (Transaction, AsyncTransaction),
    (Batch, AsyncBatch),
    (Collection, AsyncCollection),
]
# Sync names with a differently named async twin.
RENAMED = {"close": "aclose"}


def _public(cls: type) -> dict[str, Any]:
    return {n: getattr(cls, n) for n in dir(cls) if not n.startswith("_")}


# What talks to the database is awaited; what only builds (queries, transactions) is not.
AWAITED = {
    AsyncDatabase: {
        "aclose",
        "batch_get",
        "batch_write",
        "create",
        "create_table",
        "delete",
        "delete_table",
        "ensure_table",
        "exists",
        "get",
        "put",
        "run",
        "send",
        "transact_get",
        "update",
    },
    AsyncQuery: {"all", "count", "first", "page"},
    AsyncTableClient: {"delete_item", "get_item", "put_item", "update_item"},
    AsyncTransaction: {"commit"},
    AsyncBatch: {"send"},
    AsyncCollection: {"query"},
}


@pytest.mark.parametrize("sync, async_", PAIRS, ids=lambda c: c.__name__)
def test_same_method_names_and_parameters(sync: type, async_: type) -> None:
    assert {RENAMED.get(n, n) for n in _public(sync)} == set(_public(async_))
    for name, member in _public(sync).items():
        if not callable(member) or isinstance(member, property):
            continue
        twin_name = RENAMED.get(name, name)
        twin = getattr(async_, twin_name)
        assert list(inspect.signature(member).parameters.values()) == list(
            inspect.signature(twin).parameters.values()
        ), name
        assert inspect.iscoroutinefunction(twin) == (twin_name in AWAITED[async_]), name


# --------------------------------------------------------------------------- connect


def _backend(db: AsyncDatabase) -> Any:
    backend = db.backend
    return backend.backend if isinstance(backend, AsyncAdapter) else backend


def test_connect_embedded_runs_inline_in_memory_and_in_a_thread_on_files(tmp_path: Path) -> None:
    memory = aio.connect()
    assert isinstance(memory.backend, AsyncAdapter) and not memory.backend.threaded
    assert isinstance(_backend(memory), EmbeddedBackend)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    on_file = aio.connect(url)
    assert isinstance(on_file.backend, AsyncAdapter) and on_file.backend.threaded
    forced = aio.connect(threaded=True)
    assert isinstance(forced.backend, AsyncAdapter) and forced.backend.threaded

    class Note(Entity):
        __table__ = Table("notes", pk="pk")
        __key__ = Key(pk="NOTE#{note_id}")
        note_id: str

    async def main() -> Note | None:
        async with aio.connect(url, table_prefix="x_") as db:
            await db.create_table(Note.__table__)
            await db.create(Note(note_id="1"))
        async with aio.connect(url, table_prefix="x_") as db:  # persisted
            return await db.get(Note, note_id="1")

    assert asyncio.run(main()) == Note(note_id="1")
    for db in (memory, on_file, forced):
        asyncio.run(db.aclose())


def test_connect_http_urls_use_aiobotocore_or_the_lean_transport() -> None:
    local = aio.connect("http://127.0.0.1:8000", max_attempts=1)
    assert isinstance(local.backend, AiobotocoreBackend)
    assert local.backend.endpoint_url == "http://127.0.0.1:8000"
    on_aws = aio.connect("aws://eu-west-1")
    assert isinstance(on_aws.backend, AiobotocoreBackend)
    assert on_aws.backend.endpoint_url is None and on_aws.backend._region == "eu-west-1"
    lean = aio.connect("http://127.0.0.1:8000", transport="http")
    assert isinstance(lean.backend, AsyncAdapter) and lean.backend.threaded
    assert isinstance(lean.backend.backend, HttpBackend)
    lean.backend.backend.close()


def test_connect_without_aiobotocore_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "aiobotocore", None)  # import raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'sortkey\[async\]'"):
        aio.connect("http://127.0.0.1:8000")
    memory = aio.connect()  # the embedded engine needs nothing more
    asyncio.run(memory.aclose())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        pytest.param({"transport": "grpc"}, "use 'botocore' or 'http'", id="transport"),
        pytest.param(
            {"url": "http://h:1", "threaded": True}, "threaded= applies", id="threaded-aiobotocore"
        ),
        pytest.param(
            {"url": "memory://", "backend": EmbeddedBackend()}, "not both", id="url-and-backend"
        ),
        pytest.param({"url": "ftp://x"}, "cannot connect", id="scheme"),
    ],
)
def test_connect_refuses_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        aio.connect(**kwargs)


def test_lean_transport_and_aiobotocore_on_dynamodb_local(dynamodb_local: Any) -> None:
    table = Table("lean", pk="pk")

    class Row(Entity):
        __table__ = table
        __key__ = Key(pk="ROW#{row_id}")
        row_id: str
        n: int = 0

    async def main(transport: str, prefix: str) -> int:
        async with aio.connect(
            dynamodb_local.endpoint_url, transport=transport, table_prefix=prefix
        ) as db:
            await db.create_table(table)
            await db.create(Row(row_id="1"))
            row = await db.update(Row, {"row_id": "1"}, add={"n": 2}, returning="new")
            await db.delete_table(table)
            return row.n

    assert asyncio.run(main("http", "lean_http_")) == 2
    assert asyncio.run(main("botocore", "lean_boto_")) == 2


# --------------------------------------------------------------------------- types

typed = Table("typed", pk="pk")


class Item(Entity):
    __table__ = typed
    __key__ = Key(pk="ITEM#{item_id}")
    item_id: str
    n: int = 0


def test_result_types() -> None:
    async def main() -> None:
        async with aio.connect() as db:
            assert_type(db, AsyncDatabase)
            await db.create_table(typed)
            assert_type(await db.create(Item(item_id="1")), Item)
            assert_type(await db.put(Item(item_id="2")), Item)
            assert_type(await db.get(Item, item_id="1"), Item | None)
            assert_type(await db.get(Item, item_id="1", projection=["n"]), dict[str, Any] | None)
            assert_type(await db.exists(Item, item_id="1"), bool)
            query = db.query(Item, item_id="1")
            assert_type(query, AsyncQuery[Item])
            assert_type(query.desc().limit(3).where(attr("n") >= 0), AsyncQuery[Item])
            assert_type(await query.first(), Item | None)
            assert_type(await query.all(), list[Item])
            assert_type(await query.count(), int)
            assert_type(await query.page(size=1), Page)
            async for found in query:
                assert_type(found, Item)
            assert_type(db.scan(Item), AsyncQuery[Item])
            assert_type(
                await db.update(Item, {"item_id": "1"}, add={"n": 1}, returning="new"), Item
            )
            assert_type(await db.update(Item, {"item_id": "1"}, add={"n": 1}), None)
            assert_type(
                await db.update(Item, {"item_id": "1"}, add={"n": 1}, returning="updated_new"),
                dict[str, Any],
            )
            assert_type(await db.delete(Item, {"item_id": "2"}, returning="old"), Item | None)
            assert_type(await db.batch_get(Item, [{"item_id": "1"}]), list[Item | None])
            assert_type(await db.transact_get(Item, [{"item_id": "1"}]), list[Item | None])
            assert_type(db.collection(Item), AsyncCollection)
            assert_type(await db.collection(Item).query(item_id="1"), CollectionResult)
            assert_type(db.table(typed).scan(), AsyncQuery[dict[str, Any]])
            assert_type(await db.table(typed).get_item({"pk": "ITEM#1"}), dict[str, Any] | None)
            async with db.transaction() as tx:
                assert_type(tx, AsyncTransaction)
                assert_type(tx.create(Item(item_id="3")), Item)
            async with db.batch() as batch:
                assert_type(batch, AsyncBatch)

    asyncio.run(main())
