"""Entity writes on every backend: errors by cause, and the table unchanged after each refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal, Optional

import pytest

from sortkey._model.entity import Entity
from sortkey._model.fields import ID, TTL, CreatedAt, Epoch, UpdatedAt, Version
from sortkey._model.item import raw
from sortkey._model.table import GSI, Table
from sortkey._model.template import Key
from sortkey.client import Database
from sortkey.errors import (
    ConditionFailed,
    InvalidInput,
    ItemExists,
    ItemNotFound,
    StaleVersion,
    UniqueViolation,
)
from sortkey.expr import attr

pytestmark = pytest.mark.integration
Snapshot = Callable[[Table], list[str]]

app = Table(
    "AppData",
    pk="pk",
    sk="sk",
    indexes=[GSI("GSI1", pk="gsi1pk", sk="gsi1sk"), GSI("GSI2", pk="gsi2pk", sk="gsi2sk")],
    type_index=GSI("TypeIndex", pk="_type", sk="_timestamp"),
    ttl="ttl",
)


class Account(Entity):
    __table__ = app
    __type__ = "ACCOUNT"
    __key__ = Key(pk="ACCOUNT#{account_id}", sk="#METADATA")
    __indexes__ = {"GSI1": Key(pk="EMAIL#{email}", sk="#METADATA")}
    __unique__ = ("email", "username")
    account_id: str = ID()
    username: str
    email: str
    name: str


class Post(Entity):
    __table__ = app
    __key__ = Key(pk="USER#{user_id}", sk="POST#{post_id}")
    __indexes__ = {
        "GSI1": Key(pk="POST#{post_id}", sk="{created_at}"),
        "GSI2": Key(pk="STATUS#{status}", sk="{category}#{created_at:%Y%m%d}"),
    }
    post_id: str = ID()
    user_id: str
    title: str
    status: Literal["draft", "published"] = "draft"
    category: str | None = None
    tags: set[str] = set()
    history: list[str] = []
    view_count: int = 0
    created_at: datetime = CreatedAt()
    updated_at: datetime = UpdatedAt()
    version: int = Version()


class Session(Entity):
    __table__ = app
    __key__ = Key(pk="SESSION#{session_id}", sk="#DATA")
    session_id: str = ID()
    user_id: str
    expires_at: datetime | None = TTL(after=timedelta(hours=24))


@pytest.fixture
def table(db: Database) -> Table:
    db.create_table(app)
    return app


def test_create_refuses_an_existing_key(db: Database, table: Table, snapshot: Snapshot) -> None:
    post = db.create(Post(user_id="u1", title="hello"))
    before = snapshot(table)
    with pytest.raises(ItemExists) as caught:
        db.create(Post(user_id="u1", post_id=post.post_id, title="other"))
    assert isinstance(caught.value, ConditionFailed)
    assert snapshot(table) == before


def test_update_of_a_missing_item(db: Database, table: Table, snapshot: Snapshot) -> None:
    before = snapshot(table)
    with pytest.raises(ItemNotFound):
        db.update(Post, {"user_id": "u1", "post_id": "nope"}, set={"title": "x"})
    assert snapshot(table) == before == []


def test_versioned_writes(db: Database, table: Table, snapshot: Snapshot) -> None:
    first = db.create(Post(user_id="u1", title="v1"))
    assert first.version == 1
    second = db.put(first.model_copy(update={"title": "v2"}))
    assert second.version == 2
    before = snapshot(table)
    with pytest.raises(StaleVersion) as caught:
        db.put(first.model_copy(update={"title": "lost update"}))
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    with pytest.raises(StaleVersion):
        db.update(Post, first, set={"title": "lost update"})
    with pytest.raises(StaleVersion):
        db.delete(Post, first)
    with pytest.raises(StaleVersion):  # a fresh entity (version 0) must not overwrite
        db.put(Post(user_id="u1", post_id=first.post_id, title="clobber"))
    assert snapshot(table) == before
    third = db.update(Post, second, set={"title": "v3"}, returning="new")
    assert (third.version, third.title) == (3, "v3")
    assert third.updated_at > second.updated_at
    db.delete(Post, third)
    assert db.get(Post, third) is None


def test_update_expressions_and_returning(db: Database, table: Table) -> None:
    post = db.create(Post(user_id="u1", title="hello", tags={"a"}))
    key = {"user_id": "u1", "post_id": post.post_id}
    assert db.update(Post, key, add={"view_count": 1}, returning="new").view_count == 1
    assert (
        db.update(
            Post, key, set={"view_count": attr("view_count") + 10}, returning="new"
        ).view_count
        == 11
    )  # noqa: E501
    assert db.update(Post, key, add={"tags": {"b", "c"}}, returning="new").tags == {"a", "b", "c"}
    assert db.update(Post, key, delete={"tags": {"a"}}, returning="new").tags == {"b", "c"}
    assert db.update(Post, key, append={"history": ["x"]}, returning="new").history == ["x"]
    assert db.update(Post, key, append={"history": ["y"]}, returning="new").history == ["x", "y"]
    old = db.update(Post, key, set={"title": "t2"}, returning="old")
    assert old.title == "hello"
    assert db.update(Post, key, set={"title": "t3"}, returning="updated_new")["title"] == "t3"
    assert db.update(Post, key, set={"title": "t4"}, returning="updated_old")["title"] == "t3"
    assert db.update(Post, key, set={"title": "t5"}) is None
    with pytest.raises(ConditionFailed) as caught:
        db.update(Post, key, set={"status": "published"}, condition=attr("status") == "published")
    assert not isinstance(caught.value, ItemNotFound | StaleVersion)
    gone = db.delete(Post, key, returning="old")
    assert gone is not None and gone.title == "t5"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"set": {"user_id": "u2"}}, "part of the primary key", id="key-field"),
        pytest.param({"set": {"post_id": "p2"}}, "part of the primary key", id="key-field-2"),
        pytest.param({"set": {"gsi1pk": "x"}}, "maintains", id="index-attribute"),
        pytest.param({"set": {"_type": "x"}}, "maintains", id="type-attribute"),
        pytest.param({"set": {"version": 9}}, "version", id="version"),
        pytest.param({"set": {"titel": "x"}}, "did you mean 'title'", id="unknown-field"),
        pytest.param({"set": {"status": "bogus"}}, "Post.status", id="invalid-value"),
        pytest.param({"remove": ["title"]}, "Post.title", id="remove-required"),
        pytest.param(
            {"set": {"created_at": datetime.now(timezone.utc)}}, "needs 'category'", id="gsi2-needs"
        ),
        pytest.param({"set": {"category": attr("title")}}, "plain value", id="index-by-expr"),
        pytest.param({}, "changes nothing", id="empty"),
    ],
)
def test_bad_updates_change_nothing(
    db: Database, table: Table, snapshot: Snapshot, changes: dict[str, Any], message: str
) -> None:
    post = db.create(Post(user_id="u1", title="hello", category="news"))
    before = snapshot(table)
    with pytest.raises(InvalidInput) as caught:
        db.update(Post, {"user_id": "u1", "post_id": post.post_id}, **changes)
    assert message in str(caught.value)
    assert snapshot(table) == before


def test_index_keys_follow_updates(db: Database, table: Table) -> None:
    day = datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    post = db.create(Post(user_id="u1", title="a", created_at=day))
    stored = raw(post)
    assert stored is not None and "gsi2sk" not in stored  # sparse: category is missing
    assert stored["gsi2pk"] == "STATUS#draft"
    key = {"user_id": "u1", "post_id": post.post_id}
    # Setting category completes GSI2's sort key only if created_at is known: here it is not.
    with pytest.raises(InvalidInput, match="'created_at'"):
        db.update(Post, key, set={"category": "news"})
    db.update(Post, key, set={"category": "news"}, fetch=True)
    found = db.query(Post, index="GSI2", status="draft", category="news").all()
    assert [p.post_id for p in found] == [post.post_id]
    item = raw(found[0])
    assert item is not None and item["gsi2sk"] == "news#20240501"
    # An update that makes the key incomplete removes it instead of leaving it stale.
    db.update(Post, key, set={"category": None})
    assert db.query(Post, index="GSI2", status="draft").all() == []
    again = db.get(Post, key, consistent=True)
    assert again is not None and again.category is None
    item = raw(again)
    assert item is not None and "gsi2sk" not in item and item["gsi2pk"] == "STATUS#draft"


class Draft(Entity):
    __table__ = app
    __key__ = Key(pk="DRAFT#{draft_id}", sk="#")
    __indexes__ = {"GSI1": Key(pk="DRAFTS", sk="{edited_at}#{draft_id}")}
    draft_id: str = ID()
    text: str = ""
    edited_at: datetime = UpdatedAt()


def test_updated_at_in_an_index_key_follows_every_update(db: Database, table: Table) -> None:
    first = db.create(Draft(text="a"))
    second = db.create(Draft(text="b"))
    db.update(Draft, {"draft_id": first.draft_id}, set={"text": "a2"})  # now the latest edit
    stored = db.get(Draft, draft_id=first.draft_id, consistent=True)
    assert stored is not None and stored.edited_at > second.edited_at
    item = raw(stored)
    assert item is not None and item["gsi1sk"].startswith(stored.edited_at.strftime("%Y-%m-%dT"))
    latest = db.query(Draft, index="GSI1").desc().first()
    assert latest is not None and latest.draft_id == first.draft_id


def test_ttl_is_epoch_seconds(db: Database, table: Table) -> None:
    session = db.create(Session(user_id="u1"))
    stored = raw(session)
    assert session.expires_at is not None and stored is not None
    assert stored["ttl"] == int(session.expires_at.timestamp())
    later = datetime(2030, 1, 1, tzinfo=timezone.utc)
    db.update(Session, {"session_id": session.session_id}, set={"expires_at": later})
    fetched = db.get(Session, session_id=session.session_id, consistent=True)
    assert fetched is not None and fetched.expires_at == later
    assert (raw(fetched) or {})["ttl"] == int(later.timestamp())
    assert "ttl" not in fetched.model_dump()
    db.update(Session, {"session_id": session.session_id}, set={"expires_at": None})
    cleared = db.get(Session, session_id=session.session_id, consistent=True)
    assert cleared is not None and "ttl" not in (raw(cleared) or {})


def test_unique_on_put_and_delete(db: Database, table: Table, snapshot: Snapshot) -> None:
    ann = db.create(Account(username="ann", email="ann@x.io", name="Ann"))
    bob = db.create(Account(username="bob", email="bob@x.io", name="Bob"))
    before = snapshot(table)
    with pytest.raises(UniqueViolation) as caught:
        db.put(bob.model_copy(update={"username": "ann"}))
    assert caught.value.field == "username" and caught.value.value == "ann"
    assert snapshot(table) == before
    db.put(bob.model_copy(update={"email": "robert@x.io"}))  # replace: guard moves
    db.create(Account(username="bobby", email="bob@x.io", name="Bobby"))
    db.delete(Account, ann)
    db.create(Account(username="ann", email="ann@x.io", name="Ann II"))


def test_reads(db: Database, table: Table) -> None:
    post = db.create(Post(user_id="u1", title="hello"))
    assert db.exists(Post, user_id="u1", post_id=post.post_id)
    assert not db.exists(Post, user_id="u1", post_id="nope")
    got = db.get(Post, {"user_id": "u1", "post_id": post.post_id}, consistent=True)
    assert got == post
    partial = db.get(Post, user_id="u1", post_id=post.post_id, projection=["title"])
    assert partial == {"title": "hello"}
    with pytest.raises(InvalidInput, match="not part of Post's key"):
        db.get(Post, user_id="u1", post_id=post.post_id, title="x")
    with pytest.raises(InvalidInput, match="'post_id'"):
        db.get(Post, user_id="u1")


class Reminder(Entity):
    __table__ = app
    __key__ = Key(pk="REMINDER#{reminder_id}", sk="#")
    reminder_id: str = ID()
    # Epoch() inside "| None", in both spellings: pydantic keeps such markers in the annotation
    due: Annotated[datetime, Epoch()] | None = None
    snoozed: Optional[Annotated[datetime, Epoch()]] = None  # noqa: UP045 - the other spelling


def test_epoch_marker_inside_optional_is_honoured(db: Database, table: Table) -> None:
    when = datetime(2031, 5, 4, 3, 2, 1, tzinfo=timezone.utc)
    reminder = db.create(Reminder(due=when, snoozed=when))
    stored = raw(db.get(Reminder, reminder_id=reminder.reminder_id, consistent=True))
    assert stored is not None
    assert stored["due"] == stored["snoozed"] == int(when.timestamp())
    db.update(Reminder, {"reminder_id": reminder.reminder_id}, set={"due": when + timedelta(1)})
    fetched = db.get(Reminder, reminder_id=reminder.reminder_id, consistent=True)
    assert fetched is not None and fetched.due == when + timedelta(1)
    assert (raw(fetched) or {})["due"] == int(when.timestamp()) + 86400


def test_list_order_is_last_full_write_and_updates_keep_it(db: Database, table: Table) -> None:
    first = db.create(Post(user_id="u1", title="first"))
    second = db.create(Post(user_id="u1", title="second"))
    stamp = (raw(db.get(Post, user_id="u1", post_id=first.post_id)) or {})["_timestamp"]
    db.update(Post, {"user_id": "u1", "post_id": first.post_id}, set={"title": "edited"})
    after = db.get(Post, user_id="u1", post_id=first.post_id, consistent=True)
    assert after is not None and after.title == "edited"
    assert (raw(after) or {})["_timestamp"] == stamp
    assert [p.post_id for p in db.list(Post).all()] == [first.post_id, second.post_id]
    db.put(after)  # a full write moves it to the end
    assert [p.post_id for p in db.list(Post).all()] == [second.post_id, first.post_id]
