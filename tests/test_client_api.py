"""The client surface: connect() URLs, and static types (checked by mypy and at runtime)."""

from __future__ import annotations

from typing import Any

import pytest
from typing_extensions import assert_type

from sortkey._connect import connect
from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey.backends.botocore import BotocoreBackend
from sortkey.client import Database, Query
from sortkey.errors import InvalidInput

table = Table("Things", pk="pk", sk="sk")


class Item(Entity):
    __table__ = table
    __key__ = Key(pk="I#{item_id}", sk="#")
    item_id: str
    n: int = 0


def test_connect_urls() -> None:
    db = connect("http://127.0.0.1:1")
    assert isinstance(db.backend, BotocoreBackend)
    assert connect("aws://eu-west-1").backend.client.meta.region_name == "eu-west-1"  # type: ignore[attr-defined]
    memory = connect()
    assert type(memory.backend).__name__ == "EmbeddedBackend"
    with pytest.raises(InvalidInput, match="cannot connect"):
        connect("ftp://x")
    with pytest.raises(InvalidInput, match="not both"):
        connect("http://x", backend=memory.backend)
    assert (
        connect(backend=memory.backend, table_prefix="p_").context.table_name(table) == "p_Things"
    )


def test_connect_sqlite(tmp_path: Any) -> None:
    path = tmp_path / "app.db"
    db = connect(f"sqlite:///{path}")
    db.create_table(table)
    db.create(Item(item_id="1"))
    db.close()
    again = connect(f"sqlite:///{path}")
    assert again.get(Item, item_id="1") == Item(item_id="1")
    again.close()


def test_static_types() -> None:
    db = connect()
    db.create_table(table)
    created = db.create(Item(item_id="1"))
    assert_type(created, Item)
    got = db.get(Item, item_id="1")
    assert_type(got, Item | None)
    assert_type(db.get(Item, item_id="1", projection=["n"]), dict[str, Any] | None)
    assert_type(db.query(Item, item_id="1"), Query[Item])
    assert_type(db.query(Item, item_id="1").first(), Item | None)
    assert_type(db.query(Item, item_id="1").all(), list[Item])
    assert_type(db.update(Item, {"item_id": "1"}, add={"n": 1}, returning="new"), Item)
    assert_type(db.update(Item, {"item_id": "1"}, add={"n": 1}), None)
    assert_type(db.delete(Item, {"item_id": "1"}, returning="old"), Item | None)
    assert_type(db.put(Item(item_id="2")), Item)
    assert isinstance(db, Database)
    db.close()
