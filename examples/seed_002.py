"""Seed 002 (Da Vinci's multi-table ORM): users, posts and comments in three tables.

Each table's key attributes are plain fields (no templates); the GSIs that relate the tables
(posts by user, comments by post) are maintained by DynamoDB from those fields. "Post with
details" reads the post, then its author and comments.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import Field

from sortkey import GSI, CreatedAt, Database, Entity, Table

users = Table("users", pk="user_id")
posts = Table(
    "posts", pk="post_id", indexes=[GSI("user_posts_index", pk="user_id", sk="created_at")]
)
comments = Table(
    "comments", pk="comment_id", indexes=[GSI("post_comments_index", pk="post_id", sk="created_at")]
)


def new_id() -> str:
    return str(uuid.uuid4())


class User(Entity):
    __table__ = users
    user_id: str
    username: str
    email: str


class Post(Entity):
    __table__ = posts
    post_id: str = Field(default_factory=new_id)
    user_id: str
    title: str
    content: str
    created_at: datetime = CreatedAt()


class Comment(Entity):
    __table__ = comments
    comment_id: str = Field(default_factory=new_id)
    post_id: str
    user_id: str
    content: str
    created_at: datetime = CreatedAt()


def post_with_details(db: Database, post_id: str) -> dict[str, Any]:
    post = db.get(Post, post_id=post_id)
    if post is None:
        return {}
    author = db.get(User, user_id=post.user_id)
    thread = db.query(Comment, index="post_comments_index", post_id=post_id).all()
    return {"post": post, "author": author, "comments": thread}


def scenario(db: Database, say: Callable[[str, object], None]) -> None:
    for table in (users, posts, comments):
        db.create_table(table)
    alice = db.put(User(user_id="user-1", username="alice", email="alice@example.com"))
    first = db.create(Post(user_id=alice.user_id, title="My First Post", content="Hello, world!"))
    db.create(Post(user_id=alice.user_id, title="Second Post", content="More content here"))
    db.create(Comment(post_id=first.post_id, user_id=alice.user_id, content="Great post!"))

    user_posts = db.query(Post, index="user_posts_index", user_id=alice.user_id).all()
    say("user posts (oldest first)", [p.title for p in user_posts])
    details = post_with_details(db, first.post_id)
    say("post", details["post"].title)
    say("author", details["author"].username)
    say("comments", [c.content for c in details["comments"]])

    # The two reads that do not depend on each other, as one request.
    post, author = db.transact_get([(Post, {"post_id": first.post_id}), (User, alice)])
    say(
        "post and author in one read",
        (post.title if post else None, author.username if author else None),
    )
    for table in (users, posts, comments):
        db.delete_table(table)
