"""Batch writes offline: the wire requests, the duplicate check, descriptions, unprocessed work.

What the per-item bookkeeping of :class:`BatchWriter` must keep doing: recognise one item
whatever the order of its key attributes, describe requests exactly as before (only when an
error needs it), and find the request DynamoDB hands back unprocessed.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey._ops import writes
from sortkey._ops.batch import BatchWriter
from sortkey._ops.steps import Context, Request, Sleep
from sortkey._ops.targets import key_id, wire_key_id
from sortkey.errors import BatchIncomplete, InvalidInput

orders = Table("orders", pk="pk", sk=("n", "N"))
blobs = Table("blobs", pk=("id", "B"))
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


class Order(Entity):
    __table__ = orders
    __key__ = Key(pk="CUSTOMER#{customer}")
    customer: str
    n: int
    note: str = ""
    tags: set[str] = set()


def drive(flow: Generator[Any, Any, Any], answers: list[Any]) -> tuple[Any, list[Any]]:
    steps: list[Any] = []
    answer: Any = None
    while True:
        try:
            step = flow.send(answer)
        except StopIteration as stop:
            return stop.value, steps
        steps.append(step)
        answer = answers.pop(0) if isinstance(step, Request) else None


def test_plain_and_entity_requests_on_the_wire() -> None:
    writer = BatchWriter(Context(table_prefix="p_"), now=NOW)
    writer.put_item(
        orders, {"pk": "C#1", "n": 1, "gone": None, "tags": set(), "d": Decimal("2.50")}
    )
    writer.delete_item(orders, {"n": 2, "pk": "C#1"})
    written = writer.put(Order(customer="1", n=3, tags={"a"}))
    writer.delete(Order, {"customer": "1", "n": 4})
    writer.put_item(blobs, {"id": b"\x00\x01"})
    _, steps = drive(writer.flow(), [{}])
    assert steps[0].params == {
        "RequestItems": {
            "p_orders": [
                {"PutRequest": {"Item": {"pk": {"S": "C#1"}, "n": {"N": "1"}, "d": {"N": "2.5"}}}},
                {"DeleteRequest": {"Key": {"n": {"N": "2"}, "pk": {"S": "C#1"}}}},
                {"PutRequest": {"Item": writes.put(written, now=NOW).params["Item"]}},
                {"DeleteRequest": {"Key": {"pk": {"S": "CUSTOMER#1"}, "n": {"N": "4"}}}},
            ],
            "p_blobs": [{"PutRequest": {"Item": {"id": {"B": b"\x00\x01"}}}}],
        }
    }


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        pytest.param(
            lambda b: b.put_item(orders, {"pk": "a", "n": 1, "x": 1}),
            lambda b: b.delete_item(orders, {"n": 1, "pk": "a"}),
            "a batch cannot write one item twice (put_item {'pk': 'a', 'n': 1}, then "
            "delete_item {'n': 1, 'pk': 'a'}); a batch has no order: keep one request per item",
            id="plain-any-key-order",
        ),
        pytest.param(
            lambda b: b.put(Order(customer="a", n=1)),
            lambda b: b.delete(Order, {"customer": "a", "n": 1}),
            "a batch cannot write one item twice (put Order {'pk': 'CUSTOMER#a', 'n': 1}, then "
            "delete Order {'pk': 'CUSTOMER#a', 'n': 1}); a batch has no order: keep one "
            "request per item",
            id="entities",
        ),
        pytest.param(
            lambda b: b.put(Order(customer="a", n=1)),
            lambda b: b.put_item(orders, {"n": Decimal("1.0"), "pk": "CUSTOMER#a"}),
            "a batch cannot write one item twice (put Order {'pk': 'CUSTOMER#a', 'n': 1}, then "
            "put_item {'pk': 'CUSTOMER#a', 'n': 1}); a batch has no order: keep one request "
            "per item",
            id="entity-and-plain-same-number",
        ),
    ],
)
def test_one_item_twice_is_refused_with_both_descriptions(
    first: Any, second: Any, message: str
) -> None:
    writer = BatchWriter(now=NOW)
    first(writer)
    with pytest.raises(InvalidInput) as caught:
        second(writer)
    assert str(caught.value) == message
    assert len(writer) == 1  # the refused request is not kept


def test_same_key_in_another_table_is_another_item() -> None:
    writer = BatchWriter()
    writer.put_item(orders, {"pk": "a", "n": 1})
    writer.put_item(Table("other", pk="pk", sk=("n", "N")), {"pk": "a", "n": 1})
    assert len(writer) == 2


def test_description_shows_the_key_as_given() -> None:
    writer = BatchWriter()
    key: dict[str, Any] = {"pk": "a", "n": 1}
    writer.delete_item(orders, key)
    key["n"] = 99  # the caller's dict changes afterwards: the description does not
    with pytest.raises(InvalidInput, match=r"\(delete_item \{'pk': 'a', 'n': 1\}, then"):
        writer.put_item(orders, {"pk": "a", "n": 1})


def test_plain_key_errors() -> None:
    writer = BatchWriter()
    with pytest.raises(InvalidInput, match=r"the item lacks key attributes \['n'\] of table"):
        writer.put_item(orders, {"pk": "a"})
    with pytest.raises(InvalidInput, match=r"the key lacks key attributes \['pk', 'n'\]"):
        writer.delete_item(orders, {"x": 1})
    with pytest.raises(InvalidInput, match=r"a key has only the key attributes; remove \['x'\]"):
        writer.delete_item(orders, {"pk": "a", "n": 1, "x": 2})
    with pytest.raises(InvalidInput, match="item must be a dict of attribute values, got str"):
        writer.put_item(orders, "pk")  # type: ignore[arg-type]
    assert len(writer) == 0


def test_unprocessed_requests_are_found_whatever_their_key_order() -> None:
    writer = BatchWriter(now=NOW)
    writer.put_item(orders, {"pk": "a", "n": Decimal("1.50"), "note": "x"})
    writer.delete_item(orders, {"pk": "b", "n": 2})
    writer.put_item(blobs, {"id": b"\xff"})
    writer.put(Order(customer="c", n=3))
    back = {
        "orders": [
            {"DeleteRequest": {"Key": {"n": {"N": "2"}, "pk": {"S": "b"}}}},  # reordered
            {"PutRequest": {"Item": {"note": {"S": "x"}, "n": {"N": "1.5"}, "pk": {"S": "a"}}}},
        ],
        "blobs": [{"PutRequest": {"Item": {"id": {"B": b"\xff"}}}}],
    }
    _, steps = drive(writer.flow(), [{"UnprocessedItems": back}, {}])
    retried = [s for s in steps if isinstance(s, Request)][1].params["RequestItems"]
    assert retried == {
        "orders": [
            {"DeleteRequest": {"Key": {"pk": {"S": "b"}, "n": {"N": "2"}}}},
            {"PutRequest": {"Item": {"pk": {"S": "a"}, "n": {"N": "1.5"}, "note": {"S": "x"}}}},
        ],
        "blobs": [{"PutRequest": {"Item": {"id": {"B": b"\xff"}}}}],
    }
    assert [s.seconds for s in steps if isinstance(s, Sleep)] == [0.05]


def test_incomplete_batch_lists_descriptions() -> None:
    writer = BatchWriter(now=NOW)
    writer.put_item(orders, {"pk": "a", "n": 1})
    writer.delete(Order, {"customer": "c", "n": 3})
    stuck = {
        "orders": [
            {"PutRequest": {"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}},
            {"DeleteRequest": {"Key": {"pk": {"S": "CUSTOMER#c"}, "n": {"N": "3"}}}},
        ]
    }
    with pytest.raises(BatchIncomplete) as caught:
        drive(writer.flow(), [{"UnprocessedItems": stuck}] * 11)
    assert list(caught.value.unprocessed) == [
        "put_item {'pk': 'a', 'n': 1}",
        "delete Order {'pk': 'CUSTOMER#c', 'n': 3}",
    ]


def test_entity_puts_remember_their_items_after_the_flow() -> None:
    from sortkey._model.item import raw

    writer = BatchWriter(now=NOW)
    written = writer.put(Order(customer="c", n=3))
    assert raw(written) is None  # not yet: nothing was sent
    drive(writer.flow(), [{}])
    assert raw(written) == {
        "customer": "c",
        "n": 3,
        "note": "",
        "pk": "CUSTOMER#c",
        "_type": "Order",
    }


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        pytest.param(
            {"pk": {"S": "a"}, "sk": {"N": "1"}}, {"sk": {"N": "1"}, "pk": {"S": "a"}}, True
        ),
        pytest.param({"pk": {"S": "1"}}, {"pk": {"N": "1"}}, False, id="type-matters"),
        pytest.param({"pk": {"B": b"a"}}, {"pk": {"S": "a"}}, False, id="bytes-not-text"),
        pytest.param({"pk": {"S": "a"}, "sk": {"S": "b"}}, {"pk": {"S": "a"}}, False),
    ],
)
def test_key_id_equality_matches_wire_key_id(
    a: dict[str, Any], b: dict[str, Any], same: bool
) -> None:
    assert (key_id(a) == key_id(b)) is same
    assert (wire_key_id(a) == wire_key_id(b)) is same
    hash(key_id(a))


def test_partition_key_only_table_duplicates_and_distinct_keys() -> None:
    tags = Table("tags", pk="name")
    writer = BatchWriter()
    writer.put_item(tags, {"name": "a", "n": 1})
    writer.put_item(tags, {"name": "b"})
    writer.put_item(tags, {"name": b"a"})  # bytes, not text: another item
    with pytest.raises(InvalidInput) as caught:
        writer.delete_item(tags, {"name": "a"})
    assert str(caught.value) == (
        "a batch cannot write one item twice (put_item {'name': 'a'}, then delete_item "
        "{'name': 'a'}); a batch has no order: keep one request per item"
    )
    assert len(writer) == 3


def test_a_sent_batch_takes_no_more_requests() -> None:
    writer = BatchWriter(now=NOW)
    writer.put_item(orders, {"pk": "a", "n": 1})
    drive(writer.flow(), [{}])
    attempts = [
        lambda: writer.put_item(orders, {"pk": "b", "n": 1}),
        lambda: writer.delete_item(orders, {"pk": "b", "n": 2}),
        lambda: writer.put(Order(customer="b", n=3)),
        lambda: writer.delete(Order, {"customer": "b", "n": 4}),
        lambda: drive(writer.flow(), [{}]),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput, match="this batch was already sent; start a new one"):
            attempt()
    assert len(writer) == 1


def test_chunks_of_several_tables_keep_the_order_of_the_requests() -> None:
    other = Table("other", pk="pk", sk=("n", "N"))
    writer = BatchWriter()
    for n in range(30):
        writer.put_item(orders if n % 3 else other, {"pk": "a", "n": n})
    _, steps = drive(writer.flow(), [{}, {}])
    sent = [
        {name: [r["PutRequest"]["Item"]["n"]["N"] for r in reqs] for name, reqs in items.items()}
        for items in (s.params["RequestItems"] for s in steps)
    ]
    assert sent == [
        {
            "other": [str(n) for n in range(0, 25, 3)],
            "orders": [str(n) for n in range(25) if n % 3],
        },
        {"other": ["27"], "orders": ["25", "26", "28", "29"]},
    ]


def test_a_refused_request_of_another_table_leaves_a_one_table_batch_whole() -> None:
    writer = BatchWriter()
    with pytest.raises(InvalidInput, match="lacks key attributes"):
        writer.put_item(blobs, {"x": b"1"})
    for n in range(3):
        writer.put_item(orders, {"pk": "a", "n": n})
    _, steps = drive(writer.flow(), [{}])
    assert [len(reqs) for reqs in steps[0].params["RequestItems"].values()] == [3]


def test_plain_items_drop_top_level_none_and_keep_nested_null() -> None:
    # Only a None makes this item leave the codec's one-pass path: it must still be dropped.
    writer = BatchWriter()
    writer.put_item(orders, {"pk": "a", "n": 1, "gone": None, "m": {"x": None, "l": [None]}})
    _, steps = drive(writer.flow(), [{}])
    assert steps[0].params["RequestItems"]["orders"][0]["PutRequest"]["Item"] == {
        "pk": {"S": "a"},
        "n": {"N": "1"},
        "m": {"M": {"x": {"NULL": True}, "l": {"L": [{"NULL": True}]}}},
    }
