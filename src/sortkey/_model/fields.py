"""Field helpers: generated ids, timestamps, TTL, optimistic-locking versions, epoch datetimes.

Each helper returns a Pydantic ``FieldInfo`` carrying a marker in its metadata; the entity
reads the markers when the class is defined. Use them as defaults::

    user_id: str = ID()
    created_at: datetime = CreatedAt()
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import Field

__all__ = [
    "ID",
    "TTL",
    "CreatedAt",
    "Epoch",
    "FieldRole",
    "UpdatedAt",
    "Version",
    "new_id",
    "utc_now",
]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_lock = threading.Lock()
_last_ms = -1
_last_random = 0


def new_id() -> str:
    """A 26-character ULID: 48-bit millisecond time + 80 random bits, Crockford base 32.

    Ids sort by creation time, and within one process they strictly increase (two ids made in
    the same millisecond differ by one in the random part), so sorting by id is stable.

    Example:
        >>> a, b = new_id(), new_id()
        >>> len(a), a < b
        (26, True)
    """
    global _last_ms, _last_random
    with _lock:
        now = time.time_ns() // 1_000_000
        if now <= _last_ms:
            now = _last_ms
            _last_random += 1
            if _last_random >> _RANDOM_BITS:  # the random part overflowed: borrow the next ms
                now += 1
                _last_random = int.from_bytes(os.urandom(10), "big") >> 1
        else:
            # One bit fewer than 80, so increments within a millisecond cannot overflow early.
            _last_random = int.from_bytes(os.urandom(10), "big") >> 1
        _last_ms = now
        value = (now << _RANDOM_BITS) | _last_random
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class FieldRole:
    """The marker a helper puts in a field's metadata: what the library does with the field."""

    role: str  # "id", "created", "updated", "ttl", "version", "epoch"
    epoch: bool = False
    after: timedelta | None = None


@dataclass(frozen=True)
class Epoch:
    """Store a datetime field as epoch seconds (``N``) instead of ISO 8601 text.

    Example:
        >>> from typing import Annotated
        >>> from datetime import datetime
        >>> Stamp = Annotated[datetime, Epoch()]
    """


def _with_role(info: Any, role: FieldRole) -> Any:
    info.metadata.append(role)
    return info


def ID(**field_kwargs: Any) -> Any:  # noqa: N802 - a field helper reads like a type
    """A generated id: a ULID, sortable by creation time and unique.

    Example:
        >>> from sortkey._model.entity import Entity
        >>> class Thing(Entity):
        ...     thing_id: str = ID()
        >>> len(Thing().thing_id)
        26
    """
    return _with_role(Field(default_factory=new_id, **field_kwargs), FieldRole("id"))


def CreatedAt(*, epoch: bool = False, **field_kwargs: Any) -> Any:  # noqa: N802
    """The creation time: set when the entity is constructed, kept by later writes.

    Args:
        epoch: store it as epoch seconds instead of ISO 8601 text.
        **field_kwargs: passed to ``pydantic.Field``.
    """
    return _with_role(Field(default_factory=utc_now, **field_kwargs), FieldRole("created", epoch))


def UpdatedAt(*, epoch: bool = False, **field_kwargs: Any) -> Any:  # noqa: N802
    """The time of the last write: refreshed by every ``put``, ``create`` and ``update``.

    Args:
        epoch: store it as epoch seconds instead of ISO 8601 text.
        **field_kwargs: passed to ``pydantic.Field``.
    """
    return _with_role(Field(default_factory=utc_now, **field_kwargs), FieldRole("updated", epoch))


def TTL(*, after: timedelta | None = None, **field_kwargs: Any) -> Any:  # noqa: N802
    """The expiry time: a datetime in Python, epoch seconds in the table's TTL attribute.

    DynamoDB deletes the item some time after it expires. The field itself is stored as
    ISO 8601 text (so it can be read and filtered); the table's ``ttl`` attribute receives the
    same instant as epoch seconds, and is rewritten whenever the field is updated.

    Args:
        after: default expiry, relative to construction time; without it the field has no
            default (required, or ``None`` if the annotation allows: never expires).
        **field_kwargs: passed to ``pydantic.Field``.
    """
    if after is not None:
        delta = after
        info = Field(default_factory=lambda: utc_now() + delta, **field_kwargs)
    else:
        info = Field(**field_kwargs)
    return _with_role(info, FieldRole("ttl", after=after))


def Version(**field_kwargs: Any) -> Any:  # noqa: N802
    """An optimistic-locking version number (``int``, 0 until first written).

    Every write of the entity conditions on the version it was read with and increments it;
    a write based on a stale read raises :class:`sortkey.errors.StaleVersion`.
    """
    return _with_role(Field(default=0, **field_kwargs), FieldRole("version"))
