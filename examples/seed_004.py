"""Seed 004 (a Go single-table store): users, organisations, invitations and groups.

Keys ``id``/``rng``, the record type in ``typ``. A user's partition holds the user and one
record per organisation (an invitation until accepted), read back with one Query and
dispatched by type. Inviting writes both sides with one BatchWriteItem; creating an
organisation is one transaction that refuses to overwrite; groups live in a string set.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pydantic import Field

from sortkey import Database, Entity, Key, Table, TransactionCanceled
from sortkey._model.fields import utc_now

store = Table("organisation-store", pk="id", sk="rng", type_attribute="typ")


class User(Entity):
    __table__ = store
    __type__ = "user"
    __key__ = Key(pk="user/{email}", sk="user")
    email: str
    first_name: str
    last_name: str
    phone: str
    created_at: datetime


class UserOrganisation(Entity):
    """The user's side of a membership; an invitation while ``accepted_at`` is unset."""

    __table__ = store
    __type__ = "userOrganisation"
    __key__ = Key(pk="user/{email}", sk="organisation/{organisation_id}")
    email: str
    organisation_id: str
    organisation_name: str
    invited_at: datetime
    accepted_at: datetime | None = None


class Organisation(Entity):
    __table__ = store
    __type__ = "organisation"
    __key__ = Key(pk="organisation/{organisation_id}", sk="organisation")
    organisation_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    name: str


class OrganisationMember(Entity):
    """The organisation's side: the member's details and groups (one string set)."""

    __table__ = store
    __type__ = "organisationMember"
    __key__ = Key(pk="organisation/{organisation_id}", sk="member/{email}")
    organisation_id: str
    email: str
    first_name: str
    last_name: str
    groups: set[str] = set()
    joined_at: datetime


def org_group(name: str) -> str:
    return f"organisationGroup/{name}"


def service_group(service_id: str, name: str) -> str:
    return f"serviceGroup/{service_id}/{name}"


@dataclass
class UserDetails:
    user: User | None
    organisations: list[UserOrganisation] = field(default_factory=list)
    invitations: list[UserOrganisation] = field(default_factory=list)


class UserStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def invite(self, user: User, org: Organisation, group: str) -> None:
        """Both sides of the relationship in one BatchWriteItem (cheaper than a transaction)."""
        now = utc_now()
        with self.db.batch() as batch:
            batch.put(
                OrganisationMember(
                    organisation_id=org.organisation_id,
                    email=user.email,
                    first_name=user.first_name,
                    last_name=user.last_name,
                    groups={org_group(group)},
                    joined_at=now,
                )
            )
            batch.put(
                UserOrganisation(
                    email=user.email,
                    organisation_id=org.organisation_id,
                    organisation_name=org.name,
                    invited_at=now,
                )
            )

    def accept_invite(self, user: User, org: Organisation) -> None:
        key = {"email": user.email, "organisation_id": org.organisation_id}
        self.db.update(UserOrganisation, key, set={"accepted_at": utc_now()})

    def reject_invite(self, user: User, org: Organisation) -> None:
        self.db.batch_write(
            delete=[
                (OrganisationMember, {"organisation_id": org.organisation_id, "email": user.email}),
                (UserOrganisation, {"email": user.email, "organisation_id": org.organisation_id}),
            ]
        )

    def get_details(self, email: str) -> UserDetails:
        """The user and their organisations and invitations: one Query (every page)."""
        found = self.db.collection(User, UserOrganisation).query(email=email, consistent=True)
        memberships = found.of(UserOrganisation)
        return UserDetails(
            user=found.first(User),
            organisations=[m for m in memberships if m.accepted_at is not None],
            invitations=[m for m in memberships if m.accepted_at is None],
        )


class OrganisationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, owner: User, name: str) -> Organisation:
        """The organisation (never overwriting one) and both sides of its ownership."""
        now = utc_now()
        with self.db.transaction() as tx:
            org = tx.create(Organisation(name=name))
            tx.put(
                OrganisationMember(
                    organisation_id=org.organisation_id,
                    email=owner.email,
                    first_name=owner.first_name,
                    last_name=owner.last_name,
                    groups={org_group("owner")},
                    joined_at=now,
                )
            )
            tx.put(
                UserOrganisation(
                    email=owner.email,
                    organisation_id=org.organisation_id,
                    organisation_name=name,
                    invited_at=now,
                    accepted_at=now,
                )
            )
        return org

    def add_user_to_groups(self, organisation_id: str, email: str, groups: set[str]) -> None:
        key = {"organisation_id": organisation_id, "email": email}
        self.db.update(OrganisationMember, key, add={"groups": groups})

    def remove_user_from_groups(self, organisation_id: str, email: str, groups: set[str]) -> None:
        key = {"organisation_id": organisation_id, "email": email}
        self.db.update(OrganisationMember, key, delete={"groups": groups})

    def remove_user(self, organisation_id: str, email: str) -> None:
        self.db.delete(OrganisationMember, {"organisation_id": organisation_id, "email": email})

    def members(self, organisation_id: str) -> list[OrganisationMember]:
        found = self.db.collection(Organisation, OrganisationMember).query(
            organisation_id=organisation_id
        )
        return found.of(OrganisationMember)


def scenario(db: Database, say: Callable[[str, object], None]) -> None:
    db.create_table(store)
    users, orgs = UserStore(db), OrganisationStore(db)
    sarah = db.put(
        User(
            email="test@example.com",
            first_name="Sarah",
            last_name="Connor",
            phone="4476123456789",
            created_at=datetime(2020, 1, 1, tzinfo=timezone.utc),
        )
    )
    org_a, org_b, org_c = (Organisation(organisation_id=f"org{n}", name=n) for n in ("A", "B", "C"))
    for org in (org_a, org_b, org_c):
        db.create(org)
        users.invite(sarah, org, "testGroup")
    users.accept_invite(sarah, org_b)  # ignore A, accept B, reject C
    users.reject_invite(sarah, org_c)
    details = users.get_details("test@example.com")
    say("user", details.user.first_name if details.user else None)
    say("organisations", [o.organisation_id for o in details.organisations])
    say("invitations", [i.organisation_id for i in details.invitations])

    kyle = db.put(
        User(
            email="kyle@example.com",
            first_name="Kyle",
            last_name="Reese",
            phone="1",
            created_at=utc_now(),
        )
    )
    cyberdyne = orgs.create(kyle, "Cyberdyne")
    say(
        "owner's organisations",
        [o.organisation_name for o in users.get_details(kyle.email).organisations],
    )
    try:  # the same id again: the transaction refuses to overwrite, and writes nothing
        with db.transaction() as tx:
            tx.create(Organisation(organisation_id=cyberdyne.organisation_id, name="Skynet"))
            tx.put(
                UserOrganisation(
                    email=sarah.email,
                    organisation_id=cyberdyne.organisation_id,
                    organisation_name="Skynet",
                    invited_at=utc_now(),
                )
            )
    except TransactionCanceled as exc:
        say("overwrite refused", [type(f.error).__name__ for f in exc.failures])
    service = "350fa9b2-337e-489d-b095-751321212fc8"
    orgs.add_user_to_groups(
        cyberdyne.organisation_id,
        kyle.email,
        {service_group(service, "service_group1"), service_group(service, "service_group3")},
    )
    orgs.remove_user_from_groups(
        cyberdyne.organisation_id, kyle.email, {service_group(service, "service_group3")}
    )
    (member,) = orgs.members(cyberdyne.organisation_id)
    say("groups", sorted(member.groups))
    orgs.remove_user(cyberdyne.organisation_id, kyle.email)
    say("members after removal", len(orgs.members(cyberdyne.organisation_id)))
    db.delete_table(store)
