"""The seeds' key operations through ``AsyncDatabase``, on DynamoDB Local and the embedded engine.

Each test hands an ``async def`` body to ``with_adb`` (see ``conftest.py``), which runs it on
every backend: aiobotocore against DynamoDB Local, and the embedded engine.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from blog_models import Post, Tag, User, app
from sortkey._model.table import Table
from sortkey.aio import AsyncDatabase
from sortkey.errors import (
    InvalidInput,
    ItemExists,
    ItemNotFound,
    StaleVersion,
    TransactionCanceled,
    UniqueViolation,
)
from sortkey.expr import attr

pytestmark = pytest.mark.integration

async def snapshot(db: AsyncDatabase, table: Table) -> list[str]:
    """Every item of ``table`` on the server (canonical text, sorted)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"TableName": db.context.table_name(table), "ConsistentRead": True}
    while True:
        response = await db.backend.acall("Scan", params)
        items.extend(response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            break
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return sorted(json.dumps(item, sort_keys=True, default=repr) for item in items)


# --------------------------------------------------------------------------- writes and reads


def test_create_get_update_delete(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        assert await db.ensure_table(app) is True
        assert await db.ensure_table(app) is False
        user = await db.create(User(email="a@x.io"))
        assert await db.get(User, user_id=user.user_id, consistent=True) == user
        assert await db.exists(User, {"user_id": user.user_id}, consistent=True)
        assert await db.query(User, index="GSI1", email="a@x.io").first() == user
        with pytest.raises(ItemExists):
            await db.create(user)
        updated = await db.update(
            User, {"user_id": user.user_id}, add={"post_count": 2}, returning="new"
        )
        assert updated.post_count == 2
        with pytest.raises(ItemNotFound):
            await db.update(User, {"user_id": "missing"}, add={"post_count": 1})
        deleted = await db.delete(User, {"user_id": user.user_id}, returning="old")
        assert deleted == updated
        assert await db.get(User, user_id=user.user_id, consistent=True) is None

    with_adb(body)


def test_unique_violations_change_nothing(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        a = await db.create(User(email="a@x.io"))
        b = await db.create(User(email="b@x.io"))
        before = await snapshot(db, app)
        with pytest.raises(UniqueViolation) as caught:
            await db.create(User(email="a@x.io"))
        assert (caught.value.field, caught.value.value) == ("email", "a@x.io")
        with pytest.raises(UniqueViolation):
            await db.update(User, {"user_id": b.user_id}, set={"email": "a@x.io"})
        assert await snapshot(db, app) == before
        # Changing the value releases the old one.
        await db.update(User, {"user_id": a.user_id}, set={"email": "c@x.io"})
        await db.create(User(email="a@x.io"))

    with_adb(body)


def test_versioned_writes(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        first = await db.create(Post(user_id="u1", title="v1"))
        second = await db.put(first.model_copy(update={"title": "v2"}))
        assert (first.version, second.version) == (1, 2)
        before = await snapshot(db, app)
        with pytest.raises(StaleVersion) as caught:
            await db.put(first.model_copy(update={"title": "lost update"}))
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        with pytest.raises(StaleVersion):
            await db.update(Post, first, set={"title": "lost update"})
        with pytest.raises(StaleVersion):
            await db.delete(Post, first)
        assert await snapshot(db, app) == before
        third = await db.update(Post, second, set={"title": "v3"}, returning="new")
        assert (third.version, third.title) == (3, "v3")

    with_adb(body)


# --------------------------------------------------------------------------- queries


def test_query_pages_with_async_for_cursors_and_count(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        for n in range(25):
            await db.create(Tag(tag="t", post_id=f"{n:02d}"))
        query = db.query(Tag, tag="t")
        assert [t.post_id async for t in query] == [f"{n:02d}" for n in range(25)]
        assert [t.post_id async for t in query.desc().limit(3)] == ["24", "23", "22"]
        last = await query.desc().first()
        assert last is not None and last.post_id == "24"
        seen: list[str] = []
        page = await query.page(size=10)
        while True:
            seen.extend(t.post_id for t in page.items)
            if page.cursor is None:
                break
            page = await query.page(page.cursor, size=10)
        assert seen == [f"{n:02d}" for n in range(25)]
        with pytest.raises(InvalidInput, match="does not belong"):
            await query.desc().page(cursor=(await query.page(size=10)).cursor)
        assert await query.where(attr("post_id") >= "20").count() == 5
        assert len(await query.all()) == 25

    with_adb(body)


def test_list_scan_collection_and_plain_table(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        user = await db.create(User(email="a@x.io"))
        for n in range(3):
            await db.create(
                Post(user_id=user.user_id, title=str(n), status="published" if n % 2 else "draft")
            )
        legacy = {"pk": f"USER#{user.user_id}", "sk": "OLD#1", "_type": "LEGACY", "x": 1}
        await db.table(app).put_item(legacy)
        result = await db.collection(User, Post).query(user_id=user.user_id, consistent=True)
        assert result.first(User) == user
        assert [p.title for p in result.of(Post)] == ["0", "1", "2"]
        assert result.unknown == [legacy]
        assert [u.email for u in await db.list(User).all()] == ["a@x.io"]
        assert await db.scan(Post).count() == 3
        published = await db.scan(Post).where(attr("status") == "published").all()
        assert [p.title for p in published] == ["1"]
        plain = db.table(app)
        assert await plain.get_item({"pk": legacy["pk"], "sk": "OLD#1"}) == {
            **legacy,
            "x": Decimal(1),
        }
        items = await plain.query(pk=f"USER#{user.user_id}").all()
        assert len(items) == 5 and items[1] == {**legacy, "x": Decimal(1)}  # OLD# < POST#
        assert await plain.scan(attr("_type") == "POST").count() == 3

    with_adb(body)


# --------------------------------------------------------------------------- several items


def test_transaction_commits_on_exit(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        user = await db.create(User(email="a@x.io"))
        async with db.transaction() as tx:
            post = tx.create(Post(user_id=user.user_id, title="Hello"))
            tx.update(User, {"user_id": user.user_id}, add={"post_count": 1})
            tx.create(Tag(tag="intro", post_id=post.post_id))
        stored = await db.get(User, user_id=user.user_id, consistent=True)
        assert stored is not None and stored.post_count == 1
        assert await db.get(Post, {"user_id": user.user_id, "post_id": post.post_id}) == post
        found = await db.transact_get(
            [(Tag, {"tag": "intro", "post_id": post.post_id}), (Tag, {"tag": "x", "post_id": "y"})]
        )
        assert [t.post_id if t else None for t in found] == [post.post_id, None]

    with_adb(body)


def test_cancelled_transaction_names_each_cause_and_changes_nothing(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        user = await db.create(User(email="a@x.io"))
        post = await db.create(Post(user_id=user.user_id, title="v1"))
        before = await snapshot(db, app)
        with pytest.raises(TransactionCanceled) as caught:
            async with db.transaction() as tx:
                tx.create(Tag(tag="new", post_id=post.post_id))
                tx.create(User(email="a@x.io"))  # email taken
                tx.put(post.model_copy(update={"version": 0, "title": "stale"}))
                tx.update(User, {"user_id": "missing"}, add={"post_count": 1})
        assert await snapshot(db, app) == before
        causes = [(f.operation.split(" ")[0:2], type(f.error)) for f in caught.value.failures]
        assert causes == [
            (["claim", "unique"], UniqueViolation),
            (["put", "Post"], StaleVersion),
            (["update", "User"], ItemNotFound),
        ]

    with_adb(body)


def test_transaction_block_that_raises_sends_nothing(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        with pytest.raises(RuntimeError, match="changed my mind"):
            async with db.transaction() as tx:
                tx.create(Tag(tag="t", post_id="p"))
                raise RuntimeError("changed my mind")
        assert await snapshot(db, app) == []
        tx = db.transaction()
        tx.create(Tag(tag="t", post_id="p"))
        await tx.commit()
        with pytest.raises(InvalidInput, match="already sent"):
            tx.create(Tag(tag="t", post_id="q"))

    with_adb(body)


def test_batches_over_their_chunk_sizes(with_adb: Any) -> None:
    async def body(db: AsyncDatabase) -> None:
        await db.create_table(app)
        await db.batch_write(put=[Tag(tag="bulk", post_id=f"{n:03d}") for n in range(60)])
        keys = [{"tag": "bulk", "post_id": f"{n:03d}"} for n in range(119, -1, -1)]
        found = await db.batch_get(Tag, keys)
        assert [t.post_id if t else None for t in found] == [None] * 60 + [
            f"{n:03d}" for n in range(59, -1, -1)
        ]
        async with db.batch() as batch:
            for n in range(0, 60, 2):
                batch.delete(Tag, {"tag": "bulk", "post_id": f"{n:03d}"})
        assert await db.query(Tag, tag="bulk").count() == 30
        with pytest.raises(InvalidInput, match="unique fields"):
            await db.batch_write(put=[User(email="a@x.io")])
        assert await db.query(Tag, tag="bulk").count() == 30

    with_adb(body)
