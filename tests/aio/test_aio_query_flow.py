"""Query reads through the async driver: pages, limits, early stops, errors at the right item.

The same flows as ``tests/ops/test_query_flow.py``, driven by ``AsyncDatabase`` on a
scripted async backend.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey.aio import AsyncDatabase, AsyncQuery
from sortkey.errors import ItemExists, SerializationError, TableNotFound, from_code

things = Table("AioQueryFlowThings", pk="pk", sk="sk")


class Note(Entity):
    __table__ = things
    __type__ = "NOTE"
    __key__ = Key(pk="{box}", sk="NOTE#{note_id}")
    box: str
    note_id: str
    text: str


def _plain(sk: str) -> dict[str, Any]:
    return {"pk": {"S": "P"}, "sk": {"S": sk}}


def _note(note_id: str, text: dict[str, Any] | None = None) -> dict[str, Any]:
    attributes = {"box": {"S": "P"}, "note_id": {"S": note_id}, "text": text or {"S": "t"}}
    return {**_plain(f"NOTE#{note_id}"), "_type": {"S": "NOTE"}, **attributes}


def _page(*sks: str, last: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"Items": [_plain(sk) for sk in sks]}
    if last is not None:
        page["LastEvaluatedKey"] = _plain(last)
    return page


class ScriptedAsync:
    """An async backend answering from a script (an exception in the script is raised)."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.sent: list[dict[str, Any]] = []

    async def acall(self, operation: str, params: Any) -> dict[str, Any]:
        self.sent.append(dict(params))
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        pass


def _query(backend: ScriptedAsync) -> AsyncQuery[dict[str, Any]]:
    return AsyncDatabase(backend).table(things).query(pk="P")


@pytest.mark.parametrize("read", ["all", "iterate"])
def test_limit_across_pages_asks_for_what_is_left_and_stops_there(read: str) -> None:
    backend = ScriptedAsync([_page("a", "b", "c", last="c"), _page("d", "e", "f", last="f")])

    async def main() -> list[Any]:
        query = _query(backend).limit(5)
        return await query.all() if read == "all" else [item async for item in query]

    assert [item["sk"] for item in asyncio.run(main())] == ["a", "b", "c", "d", "e"]
    assert [params.get("Limit") for params in backend.sent] == [5, 2]


def test_a_loop_that_takes_a_whole_page_and_stops_reads_no_further_page() -> None:
    backend = ScriptedAsync([_page("a", "b", last="b"), _page("c")])

    async def main() -> list[str]:
        stream = aiter(_query(backend))
        return [(await anext(stream))["sk"] for _ in range(2)]

    assert asyncio.run(main()) == ["a", "b"]
    assert len(backend.sent) == 1


def test_items_are_converted_as_the_loop_reaches_them() -> None:
    page = {"Items": [_note("1"), _note("2", text={"N": "1"}), _note("3")]}
    seen: list[str] = []

    async def main() -> None:
        async for note in _query(ScriptedAsync([page])):
            seen.append(note["note_id"] if isinstance(note, dict) else note.note_id)  # noqa: PERF401 - what arrived before the error

    with pytest.raises(SerializationError, match="does not fit Note"):
        asyncio.run(main())
    assert seen == ["1"]

    async def every() -> list[Any]:
        return await _query(ScriptedAsync([page])).all()

    with pytest.raises(SerializationError, match="does not fit Note"):
        asyncio.run(every())


def test_a_failing_page_raises_after_the_items_before_it() -> None:
    gone = from_code("ResourceNotFoundException", "Requested resource not found")
    seen: list[str] = []

    async def main() -> None:
        async for item in _query(ScriptedAsync([_page("a", "b", last="b"), gone])):
            seen.append(item["sk"])  # noqa: PERF401 - what arrived before the error

    with pytest.raises(TableNotFound):
        asyncio.run(main())
    assert seen == ["a", "b"]


def test_first_and_page_and_count() -> None:
    backend = ScriptedAsync([_page("a", "b", last="b"), _page("a"), {"Count": 7}])

    async def main() -> tuple[Any, ...]:
        query = _query(backend)
        page = await query.page(size=2)
        return await query.first(), [i["sk"] for i in page.items], await query.count()

    first, page, count = asyncio.run(main())
    assert first == {"pk": "P", "sk": "a"} and page == ["a", "b"] and count == 7
    assert [params.get("Limit") for params in backend.sent] == [2, 1, None]
    assert backend.sent[2]["Select"] == "COUNT"


def test_send_translates_errors_and_parses_answers() -> None:
    refused = from_code(
        "ConditionalCheckFailedException", "The conditional request failed", item=_note("1")
    )
    backend = ScriptedAsync([refused, {"Item": _note("1")}, {}])

    async def main() -> tuple[Any, Any]:
        db = AsyncDatabase(backend)
        with pytest.raises(ItemExists) as raised:
            await db.create(Note(box="P", note_id="1", text="t"))
        assert raised.value.__cause__ is refused
        return await db.get(Note, box="P", note_id="1"), await db.get(Note, box="P", note_id="2")

    assert asyncio.run(main()) == (Note(box="P", note_id="1", text="t"), None)
