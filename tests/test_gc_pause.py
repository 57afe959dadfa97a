"""The sync driver pauses the cyclic GC only while an embedded-engine step runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import sortkey
from sortkey import Table
from sortkey.errors import TableNotFound

table = Table("GcThings", pk="pk", sk="sk")


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
