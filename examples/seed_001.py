"""Seed 001 (dynamodb-provider's SingleTable): users, posts, comments, tags and sessions.

One table with two GSIs, a type index and TTL. Creating a post is one transaction with the
author's post counter and a tag item per tag; the author and their posts come back with one
Query (a collection); every user is listed through the type index, page by page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from sortkey import (
    GSI,
    ID,
    TTL,
    ConditionFailed,
    CreatedAt,
    Database,
    Entity,
    Key,
    Table,
    TransactionCanceled,
    UpdatedAt,
    attr,
)
from sortkey._model.fields import utc_now

app = Table(
    "AppData",
    pk="pk",
    sk="sk",
    indexes=[GSI("GSI1", pk="gsi1pk", sk="gsi1sk"), GSI("GSI2", pk="gsi2pk", sk="gsi2sk")],
    type_index=GSI("TypeIndex", pk="_type", sk="_timestamp"),
    ttl="ttl",
)


class User(Entity):
    __table__ = app
    __type__ = "USER"
    __key__ = Key(pk="USER#{user_id}", sk="#METADATA")
    __indexes__ = {
        "GSI1": Key(pk="EMAIL#{email}", sk="{created_at}"),
        "GSI2": Key(pk="USERNAME#{username}", sk="{created_at}"),
    }
    __unique__ = ("email", "username")
    user_id: str = ID()
    username: str
    email: str
    name: str
    bio: str | None = None
    avatar_url: str | None = None
    post_count: int = 0
    created_at: datetime = CreatedAt()
    updated_at: datetime = UpdatedAt()


class Post(Entity):
    __table__ = app
    __type__ = "POST"
    __key__ = Key(pk="USER#{user_id}", sk="POST#{post_id}")
    __indexes__ = {"GSI1": Key(pk="POST#{post_id}", sk="{created_at}")}
    post_id: str = ID()
    user_id: str
    title: str
    content: str
    status: Literal["draft", "published", "archived"] = "draft"
    tags: set[str] = set()
    view_count: int = 0
    created_at: datetime = CreatedAt()
    updated_at: datetime = UpdatedAt()


class Tag(Entity):
    __table__ = app
    __type__ = "TAG"
    __key__ = Key(pk="TAG#{tag}", sk="POST#{post_id}")
    tag: str
    post_id: str
    post_title: str
    created_at: datetime = CreatedAt()


class Comment(Entity):
    __table__ = app
    __type__ = "COMMENT"
    __key__ = Key(pk="POST#{post_id}", sk="COMMENT#{comment_id}")
    __indexes__ = {"GSI1": Key(pk="USER#{user_id}", sk="COMMENT#{created_at}")}
    comment_id: str = ID()
    post_id: str
    user_id: str
    username: str
    content: str
    created_at: datetime = CreatedAt()


class Session(Entity):
    __table__ = app
    __type__ = "SESSION"
    __key__ = Key(pk="SESSION#{session_id}", sk="#DATA")
    __indexes__ = {"GSI1": Key(pk="USER_SESSIONS#{user_id}", sk="{created_at}")}
    session_id: str = ID()
    user_id: str
    data: dict[str, Any] = {}
    created_at: datetime = CreatedAt()
    last_accessed_at: datetime = CreatedAt()
    expires_at: datetime = TTL(after=timedelta(hours=24))


def create_post(db: Database, user: User, title: str, content: str, tags: set[str]) -> Post:
    """The post, the author's counter and one Tag per tag: all or nothing."""
    with db.transaction() as tx:
        post = tx.create(Post(user_id=user.user_id, title=title, content=content, tags=tags))
        tx.update(User, {"user_id": user.user_id}, add={"post_count": 1})
        for tag in sorted(tags):
            tx.create(Tag(tag=tag, post_id=post.post_id, post_title=title))
    return post


def blog(db: Database, say: Callable[[str, object], None]) -> None:
    db.create_table(app)
    john = db.create(User(username="johndoe", email="john@example.com", name="John Doe"))
    say("created user", f"{john.username} <{john.email}>")
    by_email = db.query(User, index="GSI1", email="john@example.com").first()
    say("by email (GSI1)", by_email.name if by_email else None)
    say("by username (GSI2)", db.query(User, index="GSI2", username="johndoe").count())
    try:
        db.create(User(username="johnny", email="john@example.com", name="Imposter"))
    except ConditionFailed as exc:  # UniqueViolation
        say("same email refused", exc)
    db.update(User, {"user_id": john.user_id}, set={"name": "John D.", "bio": "Writes"})

    post = create_post(db, john, "My First Post", "Hello.", tags={"introduction", "hello-world"})
    author = db.get(User, user_id=john.user_id, consistent=True)
    say("post_count after the transaction", author.post_count if author else None)
    found = db.query(Post, index="GSI1", post_id=post.post_id).first()
    say("post by id (GSI1)", found.title if found else None)

    try:  # a post for a user that does not exist: nothing of it is written
        create_post(db, User(username="ghost", email="g@x", name="Ghost"), "Lost", "-", {"x"})
    except TransactionCanceled as exc:
        say("refused transaction", [type(f.error).__name__ for f in exc.failures])
    say("tag 'x' after the refused transaction", db.query(Tag, tag="x").all())

    key = {"user_id": john.user_id, "post_id": post.post_id}
    db.update(Post, key, set={"status": "published"}, condition=attr("status") == "draft")
    try:
        db.update(Post, key, set={"status": "published"}, condition=attr("status") == "draft")
    except ConditionFailed:
        say("publish twice", "refused: status is no longer 'draft'")
    views = db.update(Post, key, add={"view_count": 1}, returning="updated_new")
    say("view count", views["view_count"])

    create_post(db, john, "Second Post", "More.", tags={"introduction"})
    posts = db.query(Post, user_id=john.user_id).desc().limit(20).all()
    say("user posts, newest first", [p.title for p in posts])
    tagged = db.query(Tag, tag="introduction").desc().limit(20).all()
    say("tagged 'introduction'", [t.post_title for t in tagged])

    comment = db.create(
        Comment(post_id=post.post_id, user_id=john.user_id, username="johndoe", content="Great!")
    )
    say("post comments", [c.content for c in db.query(Comment, post_id=post.post_id).limit(50)])
    say("user comments (GSI1)", db.query(Comment, index="GSI1", user_id=john.user_id).count())
    comment_key = {"post_id": post.post_id, "comment_id": comment.comment_id}
    try:
        db.delete(Comment, comment_key, condition=attr("user_id") == "someone-else")
    except ConditionFailed:
        say("delete by another user", "refused")
    db.delete(Comment, comment_key, condition=attr("user_id") == john.user_id)
    say("comments after delete", db.query(Comment, post_id=post.post_id).count())

    home = db.collection(User, Post).query(user_id=john.user_id)  # one Query
    owner = home.first(User)
    say("collection: user + posts", (owner.name if owner else None, len(home.of(Post))))

    for n in range(5):
        db.create(User(username=f"user{n}", email=f"user{n}@example.com", name=f"User {n}"))
    page = db.list(User).page(size=4)
    names = [u.username for u in page.items]
    while page.cursor:
        page = db.list(User).page(cursor=page.cursor, size=4)
        names += [u.username for u in page.items]
    say("every user (type index, pages of 4)", names)
    published = db.scan(Post).where(attr("status") == "published")
    say("published posts (scan with filter)", published.count())
    db.delete_table(app)


def sessions(db: Database, say: Callable[[str, object], None]) -> None:
    db.create_table(app)
    session = db.create(Session(user_id="u1", data={"theme": "dark"}))
    later = db.create(Session(user_id="u1"))
    stored = db.get(Session, session_id=session.session_id, consistent=True)
    assert stored is not None
    say("expires in ~24h", round((stored.expires_at - utc_now()) / timedelta(hours=1)))
    now = utc_now()  # touch: extend the TTL; the table's ttl attribute follows
    db.update(
        Session,
        {"session_id": session.session_id},
        set={"last_accessed_at": now, "expires_at": now + timedelta(hours=48)},
    )
    touched = db.get(Session, session_id=session.session_id, consistent=True)
    assert touched is not None
    say("expires in ~48h after touch", round((touched.expires_at - utc_now()) / timedelta(hours=1)))
    listed = db.query(Session, index="GSI1", user_id="u1").desc().all()
    say("user sessions, newest first", [s.session_id == later.session_id for s in listed])
    db.delete(Session, {"session_id": session.session_id})
    say("sessions left", db.query(Session, index="GSI1", user_id="u1").count())
    db.delete_table(app)
