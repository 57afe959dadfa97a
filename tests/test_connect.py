"""connect(): the lean HTTP transport reaches the same data as botocore."""

from __future__ import annotations

import pytest

import sortkey
from sortkey import Entity, Key, Table
from sortkey.backends.botocore import BotocoreBackend
from sortkey.backends.http import HttpBackend
from sortkey.errors import InvalidInput
from sortkey.server import Server

app = Table("ConnectThings", pk="pk", sk="sk")


class Thing(Entity):
    __table__ = app
    __key__ = Key(pk="THING#{thing_id}", sk="#DATA")
    thing_id: str
    size: int


def test_both_transports_see_the_same_server() -> None:
    with Server(port=0).start() as server:
        lean = sortkey.connect(server.endpoint_url, transport="http")
        classic = sortkey.connect(server.endpoint_url)
        assert isinstance(lean.backend, HttpBackend)
        assert isinstance(classic.backend, BotocoreBackend)
        lean.create_table(app)
        lean.create(Thing(thing_id="t1", size=3))
        assert classic.get(Thing, thing_id="t1") == Thing(thing_id="t1", size=3)
        lean.close()
        classic.close()


def test_aws_urls_name_the_region() -> None:
    db = sortkey.connect("aws://eu-west-1", transport="http", credentials=("AKIDEXAMPLE", "x"))
    assert isinstance(db.backend, HttpBackend)
    assert "eu-west-1" in db.backend.endpoint_url  # type: ignore[attr-defined]


def test_unknown_transport_is_refused() -> None:
    with pytest.raises(InvalidInput, match="transport"):
        sortkey.connect("http://127.0.0.1:1", transport="grpc")
