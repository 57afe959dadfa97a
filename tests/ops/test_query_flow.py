"""The shape of query reads: one step per page, paging, limits, cursors, early stops, errors.

A query flow yields one :class:`EmitEach` per page; ``.all()`` gathers pages, ``for x in q``
converts each item only when the loop reaches it and asks for the next page only when the
loop wants the item after the last one. Driven here on a scripted backend, so every request
and its parameters are visible.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey._ops.query import query_items, table_query
from sortkey._ops.steps import Emit, EmitEach, Request, collect
from sortkey.client import Database
from sortkey.errors import InvalidInput, SerializationError, TableNotFound, from_code

things = Table("QueryFlowThings", pk="pk", sk="sk")


class Note(Entity):
    __table__ = things
    __type__ = "NOTE"
    __key__ = Key(pk="{box}", sk="NOTE#{note_id}")
    box: str
    note_id: str
    text: str


def _plain(sk: str) -> dict[str, Any]:
    return {"pk": {"S": "P"}, "sk": {"S": sk}}


def _note(note_id: str) -> dict[str, Any]:
    attributes = {"box": {"S": "P"}, "note_id": {"S": note_id}, "text": {"S": "t"}}
    return {**_plain(f"NOTE#{note_id}"), "_type": {"S": "NOTE"}, **attributes}


def _page(*sks: str, last: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"Items": [_plain(sk) for sk in sks]}
    if last is not None:
        page["LastEvaluatedKey"] = _plain(last)
    return page


class Scripted:
    """A backend answering from a script; keeps each params object as sent and a snapshot."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.sent: list[tuple[str, Any, dict[str, Any]]] = []

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        self.sent.append((operation, params, dict(params)))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    def close(self) -> None:
        pass

    def param(self, name: str) -> list[Any]:
        return [snapshot.get(name) for _, _, snapshot in self.sent]


def _query(backend: Scripted) -> Any:
    return Database(backend).table(things).query(pk="P")


def _sks(items: list[dict[str, Any]]) -> list[str]:
    return [item["sk"] for item in items]


def test_each_page_is_one_emit_each_step_after_its_request() -> None:
    flow = query_items(table_query(things, None, None, {"pk": "P"}))
    kinds: list[str] = []
    answers = [_page("a", "b", last="b"), _page("c")]
    answer: Any = None
    while True:
        try:
            step = flow.send(answer)
        except StopIteration:
            break
        kinds.append(type(step).__name__)
        answer = answers.pop(0) if isinstance(step, Request) else None
        if isinstance(step, EmitEach):
            assert [step.convert(i)["sk"] for i in step.items] in (["a", "b"], ["c"])
    assert kinds == ["Request", "EmitEach", "Request", "EmitEach"]


def test_all_follows_every_page_in_order() -> None:
    # An empty page (all filtered out) with a key left is followed like any other.
    backend = Scripted(
        [_page("a", "b", last="b"), _page(last="b2"), _page("c", last="c"), _page("d")]
    )
    assert _sks(_query(backend).all()) == ["a", "b", "c", "d"]
    assert backend.param("ExclusiveStartKey") == [None, _plain("b"), _plain("b2"), _plain("c")]
    assert backend.param("Limit") == [None] * 4


@pytest.mark.parametrize("read", ["all", "iterate"])
def test_limit_across_pages_asks_for_what_is_left_and_stops_there(read: str) -> None:
    # The second page holds more than was asked for: the limit still holds.
    backend = Scripted([_page("a", "b", "c", last="c"), _page("d", "e", "f", last="f")])
    query = _query(backend).limit(5)
    found = query.all() if read == "all" else list(query)
    assert _sks(found) == ["a", "b", "c", "d", "e"]
    assert backend.param("Limit") == [5, 2]  # no third request although a key was left


def test_limit_reached_at_the_end_of_a_page_reads_no_further_page() -> None:
    backend = Scripted([_page("a", "b", last="b")])
    assert _sks(_query(backend).limit(2).all()) == ["a", "b"]
    assert len(backend.sent) == 1


def test_first_asks_for_one_item() -> None:
    backend = Scripted([_page("a")])
    assert _query(backend).first() == {"pk": "P", "sk": "a"}
    assert backend.param("Limit") == [1]
    assert _query(Scripted([_page()])).first() is None


def test_a_loop_that_stops_early_reads_no_further_page() -> None:
    backend = Scripted([_page("a", "b", last="b"), _page("c")])
    for item in _query(backend):
        assert item["sk"] == "a"
        break
    assert len(backend.sent) == 1

    backend = Scripted([_page("a", "b", last="b"), _page("c")])
    assert _sks(list(itertools.islice(_query(backend), 2))) == ["a", "b"]  # all of page 1
    assert len(backend.sent) == 1


def test_the_next_page_is_asked_for_when_the_loop_wants_its_first_item() -> None:
    backend = Scripted([_page("a", last="a"), _page("b")])
    stream = iter(_query(backend))
    assert next(stream)["sk"] == "a"
    assert len(backend.sent) == 1
    assert next(stream)["sk"] == "b"
    assert len(backend.sent) == 2
    with pytest.raises(StopIteration):
        next(stream)


def test_items_are_converted_as_the_loop_reaches_them() -> None:
    broken = {**_note("2"), "text": {"N": "1"}}  # a NOTE whose text is not a string
    page = {"Items": [_note("1"), broken, _note("3")], "LastEvaluatedKey": _note("3")}
    seen: list[str] = []
    with pytest.raises(SerializationError, match="does not fit Note"):
        for note in _query(Scripted([page, _page("x")])):
            seen.append(note.note_id)  # noqa: PERF401 - what arrived before the error
    assert seen == ["1"]

    backend = Scripted([page, _page("x")])
    with pytest.raises(SerializationError, match="does not fit Note"):
        _query(backend).all()
    assert len(backend.sent) == 1  # nothing read after the failure


def test_a_failing_page_raises_after_the_items_before_it() -> None:
    gone = from_code("ResourceNotFoundException", "Requested resource not found")
    seen: list[str] = []
    with pytest.raises(TableNotFound):
        for item in _query(Scripted([_page("a", "b", last="b"), gone])):
            seen.append(item["sk"])  # noqa: PERF401 - what arrived before the error
    assert seen == ["a", "b"]


def test_requests_sent_are_not_changed_by_later_pages() -> None:
    backend = Scripted([_page("a", last="a"), _page("b", last="b"), _page("c")])
    _query(backend).limit(10).all()
    for _, params, snapshot in backend.sent:
        assert params == snapshot
    assert backend.param("Limit") == [10, 9, 8]


def test_a_cursor_resumes_after_its_page() -> None:
    backend = Scripted([_page("a", "b", last="b"), _page("c"), _page("c")])
    query = _query(backend)
    first = query.page(size=2)
    assert _sks(first.items) == ["a", "b"] and first.cursor is not None
    assert _sks(query.page(first.cursor).items) == ["c"]
    assert _sks(query.after(first.cursor).all()) == ["c"]
    assert backend.param("ExclusiveStartKey") == [None, _plain("b"), _plain("b")]
    assert backend.param("Limit") == [2, None, None]


def test_a_cursor_of_another_query_is_refused_before_sending() -> None:
    backend = Scripted([_page("a", last="a")])
    cursor = _query(backend).page().cursor
    other = Database(backend).table(things).query(pk="Q")
    with pytest.raises(InvalidInput, match="does not belong"):
        other.after(cursor).all()
    assert len(backend.sent) == 1


def test_entities_and_unknown_types_come_back_side_by_side() -> None:
    legacy = {**_plain("L"), "_type": {"S": "LEGACY"}}
    found = _query(Scripted([{"Items": [_note("1"), legacy]}])).all()
    assert found == [
        Note(box="P", note_id="1", text="t"),
        {"pk": "P", "sk": "L", "_type": "LEGACY"},
    ]


def test_collect_gathers_single_values_and_pages_in_order() -> None:
    def flow() -> Any:
        yield Emit(1)
        response = yield Request("Query", {})
        yield EmitEach(response["Items"], lambda n: n * 10)
        yield EmitEach([])
        yield Emit(4)
        return "ignored"

    collected = collect(flow())
    assert next(collected) == Request("Query", {})
    with pytest.raises(StopIteration) as stop:
        collected.send({"Items": [2, 3]})
    assert stop.value.value == [1, 20, 30, 4]
