"""Entities shared by the sync and async seed-001 tests: users, versioned posts, tags."""

from __future__ import annotations

from datetime import datetime

from sortkey._model.entity import Entity
from sortkey._model.fields import ID, CreatedAt, Version
from sortkey._model.table import GSI, Table
from sortkey._model.template import Key

app = Table(
    "AppData",
    pk="pk",
    sk="sk",
    indexes=[GSI("GSI1", pk="gsi1pk", sk="gsi1sk")],
    type_index=GSI("TypeIndex", pk="_type", sk="_timestamp"),
)


class User(Entity):
    __table__ = app
    __type__ = "USER"
    __key__ = Key(pk="USER#{user_id}", sk="#METADATA")
    __indexes__ = {"GSI1": Key(pk="EMAIL#{email}", sk="#")}
    __unique__ = ("email",)
    user_id: str = ID()
    email: str
    post_count: int = 0


class Post(Entity):
    __table__ = app
    __type__ = "POST"
    __key__ = Key(pk="USER#{user_id}", sk="POST#{post_id}")
    post_id: str = ID()
    user_id: str
    title: str
    status: str = "draft"
    version: int = Version()
    created_at: datetime = CreatedAt()


class Tag(Entity):
    __table__ = app
    __type__ = "TAG"
    __key__ = Key(pk="TAG#{tag}", sk="POST#{post_id}")
    tag: str
    post_id: str
