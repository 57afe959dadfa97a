"""Seed 003 (TypeDORM's internals): a unique email, a GSI1 sort key built from `status`.

Creating a user writes the user and a guard item for its email in one transaction; updating
`status` rewrites GSI1SK in the same request; a second user with the same email is refused;
deleting the user removes the guard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sortkey import GSI, ID, Database, Entity, Key, Table, UniqueViolation, raw

table = Table("my-table", pk="PK", sk="SK", indexes=[GSI("GSI1", pk="GSI1PK", sk="GSI1SK")])


class User(Entity):
    __table__ = table
    __type__ = "USER"
    __key__ = Key(pk="USER#{id}", sk="USER#{id}")
    __indexes__ = {"GSI1": Key(pk="USER#{id}", sk="USER#{id}#STATUS#{status}")}
    __unique__ = ("email",)
    id: str = ID()
    name: str
    status: Literal["active", "inactive"] = "active"
    email: str


def scenario(db: Database, say: Callable[[str, object], None]) -> None:
    db.create_table(table)
    loki = db.create(User(name="Loki", email="loki@asgard.com"))
    stored = raw(loki) or {}
    say("created", loki)
    say("stored keys", {k: stored[k] for k in ("PK", "SK", "GSI1PK", "GSI1SK")})

    db.update(User, {"id": loki.id}, set={"name": "Ex-Loki", "status": "inactive"})
    renamed = db.get(User, id=loki.id, consistent=True)
    assert renamed is not None
    say("GSI1SK after status update", (raw(renamed) or {}).get("GSI1SK"))
    found = db.query(User, index="GSI1", id=loki.id, status="inactive").all()
    say("GSI1 query status=inactive", [u.name for u in found])

    try:
        db.create(User(name="Imposter", email="loki@asgard.com"))
    except UniqueViolation as exc:
        say("second user refused", f"field={exc.field!r} value={exc.value!r}")

    db.delete(User, {"id": loki.id})
    again = db.create(User(name="Loki again", email="loki@asgard.com"))
    say("after delete, the email is free", again.name)
    db.delete_table(table)
