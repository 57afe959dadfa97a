"""Seed 001's capabilities on every backend: transactions, batches, collections, listing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from blog_models import Post, Tag, User, app
from sortkey._model.table import Table
from sortkey.client import Database
from sortkey.errors import (
    InvalidInput,
    ItemNotFound,
    StaleVersion,
    TransactionCanceled,
    UniqueViolation,
)
from sortkey.expr import attr

pytestmark = pytest.mark.integration

Snapshot = Callable[[Table], list[str]]


def test_transaction_commits_everything(db: Database) -> None:
    db.create_table(app)
    user = db.create(User(email="a@x.io"))
    with db.transaction() as tx:
        post = tx.create(Post(user_id=user.user_id, title="Hello"))
        tx.update(User, {"user_id": user.user_id}, add={"post_count": 1})
        tx.create(Tag(tag="intro", post_id=post.post_id))
    assert post.version == 1
    stored = db.get(User, user_id=user.user_id, consistent=True)
    assert stored is not None and stored.post_count == 1
    assert [t.post_id for t in db.query(Tag, tag="intro")] == [post.post_id]
    assert db.get(Post, {"user_id": user.user_id, "post_id": post.post_id}) == post


def test_refused_transaction_leaves_the_table_unchanged(db: Database, snapshot: Snapshot) -> None:
    db.create_table(app)
    user = db.create(User(email="a@x.io"))
    post = db.create(Post(user_id=user.user_id, title="v1"))
    before = snapshot(app)
    with pytest.raises(TransactionCanceled) as caught:
        with db.transaction() as tx:
            tx.create(Tag(tag="new", post_id=post.post_id))
            tx.create(User(email="a@x.io"))  # email taken
            tx.put(post.model_copy(update={"version": 0, "title": "stale"}))  # stale version
            tx.update(User, {"user_id": "missing"}, add={"post_count": 1})
    assert snapshot(app) == before
    causes = [(f.operation.split(" ")[0:2], type(f.error)) for f in caught.value.failures]
    assert causes == [
        (["claim", "unique"], UniqueViolation),
        (["put", "Post"], StaleVersion),
        (["update", "User"], ItemNotFound),
    ]


def test_condition_check_failure_names_the_operation(db: Database, snapshot: Snapshot) -> None:
    db.create_table(app)
    user = db.create(User(email="a@x.io"))
    before = snapshot(app)
    with pytest.raises(TransactionCanceled) as caught:
        with db.transaction() as tx:
            tx.condition_check(User, {"user_id": user.user_id}, attr("post_count") > 5)
            tx.create(Tag(tag="t", post_id="p"))
    (failure,) = caught.value.failures
    assert failure.index == 0 and failure.operation.startswith("condition_check User")
    assert snapshot(app) == before


def test_unique_guards_move_inside_a_transaction(db: Database) -> None:
    db.create_table(app)
    a = db.create(User(email="a@x.io"))
    b = db.create(User(email="b@x.io"))
    with db.transaction() as tx:
        tx.update(User, {"user_id": a.user_id}, set={"email": "new@x.io"})
        tx.delete(User, {"user_id": b.user_id})
    db.create(User(email="a@x.io"))  # released by the update
    db.create(User(email="b@x.io"))  # released by the delete
    with pytest.raises(UniqueViolation):
        db.create(User(email="new@x.io"))


def test_client_request_token_applies_once(db: Database) -> None:
    db.create_table(app)
    user = db.create(User(email="a@x.io"))
    for _ in range(2):
        with db.transaction(token="add-one-post") as tx:
            tx.update(User, {"user_id": user.user_id}, add={"post_count": 1})
    stored = db.get(User, user_id=user.user_id, consistent=True)
    assert stored is not None and stored.post_count == 1


def test_transaction_is_sent_once(db: Database) -> None:
    db.create_table(app)
    tx = db.transaction()
    tx.create(Tag(tag="t", post_id="p"))
    tx.commit()
    with pytest.raises(InvalidInput, match="already sent"):
        tx.create(Tag(tag="t", post_id="q"))


def test_transact_get_reads_a_snapshot(db: Database) -> None:
    db.create_table(app)
    user = db.create(User(email="a@x.io"))
    found = db.transact_get(
        [(User, {"user_id": user.user_id}), (Tag, {"tag": "x", "post_id": "y"})]
    )
    assert found == [user, None]


def test_batches_over_their_chunk_sizes(db: Database) -> None:
    db.create_table(app)
    tags = [Tag(tag="bulk", post_id=f"{n:03d}") for n in range(60)]
    db.batch_write(put=tags)
    keys = [{"tag": "bulk", "post_id": f"{n:03d}"} for n in range(119, -1, -1)]
    found = db.batch_get(Tag, keys)
    assert [t.post_id if t else None for t in found] == [None] * 60 + [
        f"{n:03d}" for n in range(59, -1, -1)
    ]
    with db.batch() as batch:
        for n in range(0, 60, 2):
            batch.delete(Tag, {"tag": "bulk", "post_id": f"{n:03d}"})
    assert db.query(Tag, tag="bulk").count() == 30


def test_collection_dispatches_by_type_and_keeps_unknown_items(db: Database) -> None:
    db.create_table(app)
    user = db.create(User(email="a@x.io"))
    for title in ("one", "two"):
        db.create(Post(user_id=user.user_id, title=title))
    legacy = {"pk": f"USER#{user.user_id}", "sk": "OLD#1", "_type": "LEGACY", "x": 1}
    db.table(app).put_item(legacy)
    result = db.collection(User, Post).query(user_id=user.user_id, consistent=True)
    assert result.first(User) == user
    assert [p.title for p in result.of(Post)] == ["one", "two"]
    assert result.unknown == [legacy]
    assert len(result) == 4


def test_collection_refuses_entities_in_other_partitions(db: Database) -> None:
    with pytest.raises(InvalidInput, match="needs 'tag'"):
        db.collection(User, Tag).query(user_id="u")
    with pytest.raises(InvalidInput, match="not part of the collection's partition key"):
        db.collection(User, Post).query(user_id="u", title="x")


def test_list_by_type_index_with_cursors(db: Database) -> None:
    db.create_table(app)
    for n in range(7):
        db.create(User(email=f"{n}@x.io"))
    db.create(Tag(tag="t", post_id="p"))
    pages = [db.list(User).page(size=3)]
    while pages[-1].cursor:
        pages.append(db.list(User).page(cursor=pages[-1].cursor, size=3))
    emails = [u.email for page in pages for u in page.items]
    assert emails == [f"{n}@x.io" for n in range(7)]
    assert db.list(User).count() == 7 and db.list(Tag).count() == 1
    assert [u.email for u in db.list(User).desc().limit(2)] == ["6@x.io", "5@x.io"]
    first = db.list(User).page(size=3)
    assert first.cursor is not None
    with pytest.raises(InvalidInput, match="does not belong"):
        db.list(Tag).page(cursor=first.cursor)
    with pytest.raises(InvalidInput, match="does not belong"):
        db.list(User).desc().page(cursor=first.cursor)


def test_scan_with_filter_and_count(db: Database) -> None:
    db.create_table(app)
    user = db.create(User(email="a@x.io"))
    for n in range(5):
        db.create(
            Post(user_id=user.user_id, title=str(n), status="published" if n % 2 else "draft")
        )
    assert db.scan(Post).count() == 5
    published = db.scan(Post).where(attr("status") == "published")
    assert sorted(p.title for p in published) == ["1", "3"]
    assert db.table(app).scan(attr("_type") == "USER").count() == 1
    assert db.query(Post, user_id=user.user_id).where(attr("status") == "draft").count() == 3
