"""Transactions, batches and cursors offline: wire requests, limits, and flows on a fake backend."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sortkey import _ops as ops
from sortkey._model.entity import Entity
from sortkey._model.fields import Version
from sortkey._model.table import GSI, Table
from sortkey._model.template import Key
from sortkey._ops.batch import BatchWriter, backoff, batch_get_flow
from sortkey._ops.query import QuerySpec, decode_cursor, encode_cursor, entity_query
from sortkey._ops.steps import Context, Emit, Request, Sleep
from sortkey._ops.transact import TransactionBuilder
from sortkey.client import Database
from sortkey.errors import (
    BatchIncomplete,
    InvalidInput,
    ItemNotFound,
    TransactionCanceled,
    UniqueViolation,
)
from sortkey.expr import attr

app = Table(
    "app",
    pk="pk",
    sk="sk",
    indexes=[GSI("GSI1", pk="gsi1pk", sk="gsi1sk")],
    type_index=GSI("TypeIndex", pk="_type", sk="_timestamp"),
)
numbered = Table("numbered", pk="pk", sk=("n", "N"))


class Account(Entity):
    __table__ = app
    __type__ = "ACCOUNT"
    __key__ = Key(pk="ACCOUNT#{account_id}", sk="#")
    __unique__ = ("email",)
    account_id: str
    email: str
    balance: int = 0


class Note(Entity):
    __table__ = app
    __type__ = "NOTE"
    __key__ = Key(pk="NOTE#{note_id}", sk="#")
    note_id: str
    text: str = ""


class Doc(Entity):
    __table__ = app
    __type__ = "DOC"
    __key__ = Key(pk="DOC#{doc_id}", sk="#")
    doc_id: str
    version: int = Version()


class Reading(Entity):
    __table__ = numbered
    __key__ = Key(pk="R#{series}")
    series: str
    n: int


def drive(flow: Generator[Any, Any, Any], answers: list[Any]) -> tuple[Any, list[Any]]:
    """Run a flow against scripted answers; return its result and every step it yielded."""
    steps: list[Any] = []
    answer: Any = None
    while True:
        try:
            step = flow.send(answer)
        except StopIteration as stop:
            return stop.value, steps
        steps.append(step)
        answer = answers.pop(0) if isinstance(step, Request) else None
        if isinstance(step, Emit | Sleep):
            answer = None


class Scripted:
    """A backend answering from a script (an exception in the script is raised)."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        self.calls.append((operation, dict(params)))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- transactions


def test_transaction_folds_unique_guards_and_token_into_one_request() -> None:
    tx = TransactionBuilder(token="order-42")
    tx.create(Account(account_id="a", email="a@x.io"))
    tx.update(Note, {"note_id": "n"}, set={"text": "hi"})
    tx.condition_check(Note, {"note_id": "m"}, attr("text").exists())
    params = tx.request().params
    assert params["ClientRequestToken"] == "order-42"
    kinds = [next(iter(e)) for e in params["TransactItems"]]
    assert kinds == ["Put", "Put", "Update", "ConditionCheck"]
    assert params["TransactItems"][1]["Put"]["Item"]["pk"] == {"S": "_unique#ACCOUNT#email#a@x.io"}
    assert "ReturnValues" not in params["TransactItems"][2]["Update"]


def test_transaction_over_100_items_refused_at_the_line_that_adds_it() -> None:
    tx = TransactionBuilder()
    for n in range(50):  # 50 accounts = 100 items with their guards
        tx.create(Account(account_id=str(n), email=f"{n}@x.io"))
    with pytest.raises(InvalidInput, match="at most 100 items"):
        tx.create(Note(note_id="one-too-many"))
    assert len(tx) == 50


def test_transaction_touching_one_item_twice_refused_before_sending() -> None:
    backend = Scripted([])
    with pytest.raises(InvalidInput, match="one item twice"):
        with Database(backend).transaction() as tx:
            tx.update(Note, {"note_id": "n"}, set={"text": "a"})
            tx.delete(Note, {"note_id": "n"})
    assert backend.calls == []


def test_transaction_two_accounts_claiming_one_email_refused() -> None:
    tx = TransactionBuilder()
    tx.create(Account(account_id="a", email="same@x.io"))
    tx.create(Account(account_id="b", email="same@x.io"))
    with pytest.raises(InvalidInput, match="claim unique Account.email"):
        tx.request()


def test_block_that_raises_sends_nothing() -> None:
    backend = Scripted([])
    with pytest.raises(RuntimeError):
        with Database(backend).transaction() as tx:
            tx.create(Note(note_id="n"))
            raise RuntimeError("changed my mind")
    assert backend.calls == []


def test_bad_token_refused() -> None:
    with pytest.raises(InvalidInput, match="36 characters"):
        TransactionBuilder(token="x" * 37)


def test_cancellation_reasons_map_back_to_operations() -> None:
    from sortkey.errors import from_code

    canceled = from_code(
        "TransactionCanceledException",
        "Transaction cancelled",
        operation="TransactWriteItems",
        cancellation_reasons=[
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        ],
    )
    backend = Scripted([canceled])
    with pytest.raises(TransactionCanceled) as caught:
        with Database(backend).transaction() as tx:
            tx.create(Note(note_id="fine"))
            tx.create(Account(account_id="a", email="taken@x.io"))  # item 1 + guard 2
    failures = caught.value.failures
    assert [f.index for f in failures] == [1, 2]
    assert failures[0].entity == "Account"
    assert failures[0].operation.startswith("create Account")
    assert isinstance(failures[1].error, UniqueViolation)
    assert failures[1].error.field == "email" and failures[1].error.value == "taken@x.io"
    assert "UniqueViolation" in str(caught.value)


def test_update_of_missing_item_is_item_not_found_in_failures() -> None:
    from sortkey.errors import from_code

    canceled = from_code(
        "TransactionCanceledException",
        "Transaction cancelled",
        cancellation_reasons=[{"Code": "ConditionalCheckFailed"}],  # no Item: it is missing
    )
    with pytest.raises(TransactionCanceled) as caught:
        with Database(Scripted([canceled])).transaction() as tx:
            tx.update(Note, {"note_id": "gone"}, set={"text": "x"})
    assert isinstance(caught.value.failures[0].error, ItemNotFound)


def test_delete_of_unique_entity_reads_first_then_transacts() -> None:
    backend = Scripted(
        [
            {"Item": {"pk": {"S": "ACCOUNT#a"}, "sk": {"S": "#"}, "email": {"S": "a@x.io"}}},
            {},
        ]
    )
    with Database(backend).transaction() as tx:
        tx.delete(Account, {"account_id": "a"})
        tx.create(Note(note_id="n"))
    assert [op for op, _ in backend.calls] == ["GetItem", "TransactWriteItems"]
    entries = backend.calls[1][1]["TransactItems"]
    assert [next(iter(e)) for e in entries] == ["Delete", "Delete", "Put"]
    assert entries[1]["Delete"]["Key"]["pk"] == {"S": "_unique#ACCOUNT#email#a@x.io"}


def test_transact_get_refuses_duplicates_and_more_than_100() -> None:
    with pytest.raises(InvalidInput, match="twice"):
        ops.transact_get(Note, [{"note_id": "a"}, {"note_id": "a"}])
    with pytest.raises(InvalidInput, match="at most 100"):
        ops.transact_get(Note, [{"note_id": str(n)} for n in range(101)])
    with pytest.raises(InvalidInput, match="list of keys"):
        ops.transact_get(Note, {"note_id": "a"})


# --------------------------------------------------------------------------- batches


def _note_item(note_id: str) -> dict[str, Any]:
    return {
        "pk": {"S": f"NOTE#{note_id}"},
        "sk": {"S": "#"},
        "note_id": {"S": note_id},
        "_type": {"S": "NOTE"},
    }


def test_batch_write_retries_unprocessed_items_with_exponential_backoff() -> None:
    writer = BatchWriter(Context(table_prefix="p_"))
    for n in range(30):
        writer.put(Note(note_id=str(n)))
    first_chunk_leftover = {"p_app": [{"PutRequest": {"Item": _note_item("3")}}]}
    answers = [
        {"UnprocessedItems": first_chunk_leftover},  # chunk 1 (25): one comes back
        {"UnprocessedItems": first_chunk_leftover},  # retry (it + 5 more): again
        {"UnprocessedItems": {}},  # retry: done
    ]
    _, steps = drive(writer.flow(), answers)
    requests = [s for s in steps if isinstance(s, Request)]
    sleeps = [s.seconds for s in steps if isinstance(s, Sleep)]
    assert [len(r.params["RequestItems"]["p_app"]) for r in requests] == [25, 6, 1]
    assert sleeps == [backoff(1), backoff(2)] == [0.05, 0.1]
    sent = requests[1].params["RequestItems"]["p_app"][0]["PutRequest"]["Item"]["pk"]
    assert sent == {"S": "NOTE#3"}  # the unprocessed item goes first


def test_batch_write_gives_up_with_what_was_not_written() -> None:
    writer = BatchWriter()
    writer.put(Note(note_id="1"))
    writer.delete(Note, {"note_id": "2"})
    stuck = {
        "app": [
            {"PutRequest": {"Item": _note_item("1")}},
            {"DeleteRequest": {"Key": {"pk": {"S": "NOTE#2"}, "sk": {"S": "#"}}}},
        ]
    }
    with pytest.raises(BatchIncomplete) as caught:
        drive(writer.flow(), [{"UnprocessedItems": stuck}] * 11)
    assert len(caught.value.unprocessed) == 2
    assert "put Note" in caught.value.unprocessed[0]


def test_batch_refuses_duplicates_unique_and_versioned_before_sending() -> None:
    writer = BatchWriter()
    writer.put(Note(note_id="1"))
    with pytest.raises(InvalidInput, match="one item twice"):
        writer.delete(Note, {"note_id": "1"})
    with pytest.raises(InvalidInput, match="unique fields"):
        writer.put(Account(account_id="a", email="a@x.io"))
    with pytest.raises(InvalidInput, match="versioned"):
        writer.put(Doc(doc_id="d"))
    writer.delete(Doc, {"doc_id": "d"})  # no version given: nothing to check
    with pytest.raises(InvalidInput, match="versioned"):
        writer.delete(Doc, Doc(doc_id="e", version=3))
    assert len(writer) == 2


def test_batch_block_that_raises_sends_nothing() -> None:
    backend = Scripted([])
    with pytest.raises(RuntimeError):
        with Database(backend).batch() as batch:
            batch.put(Note(note_id="1"))
            raise RuntimeError
    assert backend.calls == []


def test_batch_get_chunks_retries_and_keeps_request_order() -> None:
    keys = [{"note_id": str(n)} for n in range(150)] + [{"note_id": "7"}]
    first = {
        "Responses": {"app": [_note_item(str(n)) for n in range(99, -1, -1) if n != 5]},
        "UnprocessedKeys": {"app": {"Keys": [{"pk": {"S": "NOTE#5"}, "sk": {"S": "#"}}]}},
    }
    second = {
        "Responses": {"app": [_note_item("5")] + [_note_item(str(n)) for n in range(100, 140)]}
    }
    result, steps = drive(batch_get_flow(Note, keys), [first, second])
    requests = [s for s in steps if isinstance(s, Request)]
    assert [len(r.params["RequestItems"]["app"]["Keys"]) for r in requests] == [100, 51]
    assert [s.seconds for s in steps if isinstance(s, Sleep)] == [0.05]
    assert [n.note_id if n else None for n in result[:3]] == ["0", "1", "2"]
    assert result[5] is not None and result[5].note_id == "5"
    assert result[140:150] == [None] * 10  # missing items
    assert result[150] is not None and result[150].note_id == "7"  # asked twice, read once


# --------------------------------------------------------------------------- cursors


def test_cursor_round_trips_number_and_binary_keys() -> None:
    spec = entity_query(Reading, None, {"series": "s"})
    last = {"pk": {"S": "R#s"}, "n": {"N": "12.50"}}
    cursor = encode_cursor(last, spec)
    assert all(c.isalnum() or c in "-_." for c in cursor)  # URL-safe
    assert decode_cursor(cursor, spec) == last
    assert replace(spec, cursor=cursor).params()["ExclusiveStartKey"] == last


def test_cursor_of_another_query_or_edited_is_refused() -> None:
    ctx = Context()
    spec = entity_query(Note, None, {"note_id": "a"})
    cursor = encode_cursor({"pk": {"S": "NOTE#a"}, "sk": {"S": "#"}}, spec, ctx)
    other = entity_query(Note, None, {"note_id": "b"})
    with pytest.raises(InvalidInput, match="does not belong to this query"):
        decode_cursor(cursor, other, ctx)
    with pytest.raises(InvalidInput, match="does not belong"):
        decode_cursor(cursor, spec.where(attr("text") == "x"), ctx)
    version, payload, mac = cursor.split(".")
    forged = payload.replace(payload[5], "A" if payload[5] != "A" else "B", 1)
    with pytest.raises(InvalidInput):
        decode_cursor(f"{version}.{forged}.{mac}", spec, ctx)
    with pytest.raises(InvalidInput, match="not a sortkey page cursor"):
        decode_cursor("garbage", spec, ctx)
    with pytest.raises(InvalidInput, match="does not belong"):  # another secret
        decode_cursor(cursor, spec, Context(cursor_secret=b"s3cret"))


def test_query_with_foreign_cursor_sends_nothing() -> None:
    backend = Scripted([])
    db = Database(backend)
    spec: QuerySpec = entity_query(Note, None, {"note_id": "a"})
    cursor = encode_cursor({"pk": {"S": "NOTE#a"}, "sk": {"S": "#"}}, spec, db.context)
    with pytest.raises(InvalidInput):
        db.list(Note).page(cursor)
    assert backend.calls == []


binary_table = Table("bin", pk=("pk", "B"), sk=("n", "N"))


class Blob(Entity):
    __table__ = binary_table
    pk: bytes
    n: int


@given(
    pk=st.binary(min_size=1, max_size=64),
    n=st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)
def test_cursor_round_trip_keeps_types(pk: bytes, n: str) -> None:
    spec = entity_query(Blob, None, {"pk": pk})
    last = {"pk": {"B": pk}, "n": {"N": n}}
    cursor = encode_cursor(last, spec)
    assert all(c.isalnum() or c in "-_." for c in cursor)
    assert decode_cursor(cursor, spec) == last
