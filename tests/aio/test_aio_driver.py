"""The async driver on a scripted backend: retries, sleeps, paging, errors, cancellation."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey.aio import AsyncAdapter, AsyncDatabase
from sortkey.errors import (
    BatchIncomplete,
    InvalidInput,
    ItemExists,
    TransactionCanceled,
    from_code,
)

T = TypeVar("T")

notes = Table("notes", pk="pk", sk="sk")


class Note(Entity):
    __table__ = notes
    __type__ = "NOTE"
    __key__ = Key(pk="NOTE#{note_id}", sk="#")
    note_id: str
    text: str = ""


def _item(note_id: str) -> dict[str, Any]:
    return {
        "pk": {"S": f"NOTE#{note_id}"},
        "sk": {"S": "#"},
        "note_id": {"S": note_id},
        "_type": {"S": "NOTE"},
    }


class ScriptedAsync:
    """An async backend answering from a script (an exception in the script is raised)."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.closed = False

    async def acall(self, operation: str, params: Any) -> dict[str, Any]:
        self.calls.append((operation, dict(params)))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The durations passed to ``asyncio.sleep``, which returns at once."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    return recorded


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


# --------------------------------------------------------------------------- batches


def test_batch_write_retries_unprocessed_items_with_backoff(sleeps: list[float]) -> None:
    leftover = {"p_notes": [{"PutRequest": {"Item": _item("3")}}]}
    backend = ScriptedAsync(
        [{"UnprocessedItems": leftover}, {"UnprocessedItems": leftover}, {"UnprocessedItems": {}}]
    )

    async def main() -> None:
        db = AsyncDatabase(backend, table_prefix="p_")
        async with db.batch() as batch:
            for n in range(30):
                batch.put(Note(note_id=str(n)))

    run(main())
    assert [len(p["RequestItems"]["p_notes"]) for _, p in backend.calls] == [25, 6, 1]
    assert sleeps == [0.05, 0.1]
    first_retried = backend.calls[1][1]["RequestItems"]["p_notes"][0]
    assert first_retried["PutRequest"]["Item"]["pk"] == {"S": "NOTE#3"}


def test_batch_write_gives_up_after_every_retry(sleeps: list[float]) -> None:
    stuck = {"notes": [{"PutRequest": {"Item": _item("1")}}]}
    backend = ScriptedAsync([{"UnprocessedItems": stuck}] * 11)

    async def main() -> None:
        await AsyncDatabase(backend).batch_write(put=[Note(note_id="1")])

    with pytest.raises(BatchIncomplete) as caught:
        run(main())
    assert len(caught.value.unprocessed) == 1
    assert sleeps == [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]


def test_batch_get_retries_unprocessed_keys_in_request_order(sleeps: list[float]) -> None:
    backend = ScriptedAsync(
        [
            {
                "Responses": {"notes": [_item("2")]},
                "UnprocessedKeys": {"notes": {"Keys": [{"pk": {"S": "NOTE#1"}, "sk": {"S": "#"}}]}},
            },
            {"Responses": {"notes": [_item("1")]}},
        ]
    )

    async def main() -> list[Note | None]:
        return await AsyncDatabase(backend).batch_get(Note, [{"note_id": n} for n in "123"])

    found = run(main())
    assert [n.note_id if n else None for n in found] == ["1", "2", None]
    assert sleeps == [0.05]
    assert len(backend.calls[1][1]["RequestItems"]["notes"]["Keys"]) == 1


def test_batch_block_that_raises_sends_nothing() -> None:
    backend = ScriptedAsync([])

    async def main() -> None:
        async with AsyncDatabase(backend).batch() as batch:
            batch.put(Note(note_id="1"))
            raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        run(main())
    assert backend.calls == []


# --------------------------------------------------------------------------- queries


def test_async_for_follows_last_evaluated_key_and_stops_when_left() -> None:
    last = {"pk": {"S": "NOTE#x"}, "sk": {"S": "#"}}
    pages = [
        {"Items": [_item("a"), _item("b")], "LastEvaluatedKey": last},
        {"Items": [_item("c")]},
    ]
    backend = ScriptedAsync(list(pages))

    async def every() -> list[str]:
        db = AsyncDatabase(backend)
        return [n.note_id async for n in db.scan(Note)]

    assert run(every()) == ["a", "b", "c"]
    assert [("ExclusiveStartKey" in p) for _, p in backend.calls] == [False, True]
    assert backend.calls[1][1]["ExclusiveStartKey"] == last

    backend = ScriptedAsync(list(pages))

    async def first_two() -> list[str]:
        seen: list[str] = []
        async for note in AsyncDatabase(backend).scan(Note):
            seen.append(note.note_id)
            if len(seen) == 2:
                break
        return seen

    assert run(first_two()) == ["a", "b"]
    assert len(backend.calls) == 1  # the second page is never asked for


# --------------------------------------------------------------------------- errors


def test_backend_errors_are_translated_by_the_flow() -> None:
    refused = from_code(
        "ConditionalCheckFailedException", "The conditional request failed", item=_item("1")
    )
    backend = ScriptedAsync([refused])

    async def main() -> None:
        await AsyncDatabase(backend).create(Note(note_id="1"))

    with pytest.raises(ItemExists):
        run(main())


def test_transaction_cancellation_reasons_are_mapped_to_operations() -> None:
    canceled = from_code(
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]",
        cancellation_reasons=[
            {"Code": "None"},
            {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
                "Item": _item("2"),
            },
        ],
    )
    backend = ScriptedAsync([canceled])

    async def main() -> None:
        async with AsyncDatabase(backend).transaction() as tx:
            tx.create(Note(note_id="1"))
            tx.create(Note(note_id="2"))

    with pytest.raises(TransactionCanceled) as caught:
        run(main())
    (failure,) = caught.value.failures
    assert failure.index == 1 and isinstance(failure.error, ItemExists)
    assert [op for op, _ in backend.calls] == ["TransactWriteItems"]


def test_transaction_block_that_raises_sends_nothing_and_sync_with_is_refused() -> None:
    backend = ScriptedAsync([])
    db = AsyncDatabase(backend)

    async def main() -> None:
        async with db.transaction() as tx:
            tx.create(Note(note_id="1"))
            raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        run(main())
    assert backend.calls == []
    with pytest.raises(TypeError, match="async with"):
        with db.transaction():
            pass
    with pytest.raises(TypeError, match="async with"):
        with db.batch():
            pass


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    backend = ScriptedAsync([])
    db = AsyncDatabase(backend)

    async def main() -> None:
        with pytest.raises(InvalidInput, match="either as a dict"):
            await db.get(Note, {"note_id": "1"}, note_id="1")
        with pytest.raises(InvalidInput, match="pairs"):
            await db.batch_write(delete=[Note])  # type: ignore[list-item]
        with pytest.raises(InvalidInput, match="Table definition"):
            db.table("notes").query(pk="x")

    run(main())
    assert backend.calls == []


def test_cancelling_a_task_cancels_the_call_it_waits_on() -> None:
    class Hanging:
        def __init__(self) -> None:
            self.started = asyncio.Event()
            self.cancelled = False

        async def acall(self, operation: str, params: Any) -> dict[str, Any]:
            self.started.set()
            try:
                await asyncio.Event().wait()  # never answers
            except asyncio.CancelledError:
                self.cancelled = True
                raise
            raise AssertionError("unreachable")

        async def aclose(self) -> None:
            pass

    async def main() -> bool:
        backend = Hanging()
        task = asyncio.create_task(AsyncDatabase(backend).query(Note, note_id="1").all())
        await backend.started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return backend.cancelled

    assert run(main()) is True


# --------------------------------------------------------------------------- adapters


class Recording:
    """A sync backend recording the thread each call runs on."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.closed = False

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        self.threads.append(threading.get_ident())
        return {}

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("threaded", [True, False])
def test_adapter_runs_calls_inline_or_in_a_thread(threaded: bool) -> None:
    backend = Recording()

    async def main() -> int:
        adapter = AsyncAdapter(backend, threaded=threaded)
        await asyncio.gather(*(adapter.acall("ListTables", {}) for _ in range(3)))
        await adapter.aclose()
        return threading.get_ident()

    loop_thread = run(main())
    assert len(backend.threads) == 3 and backend.closed
    assert all((t != loop_thread) is threaded for t in backend.threads)


def test_database_adapts_sync_backends_and_refuses_other_objects() -> None:
    db = AsyncDatabase(Recording())
    assert isinstance(db.backend, AsyncAdapter) and db.backend.threaded
    with pytest.raises(InvalidInput, match="not a backend"):
        AsyncDatabase(object())  # type: ignore[arg-type]
