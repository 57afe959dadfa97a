"""Batches: BatchGetItem and BatchWriteItem, chunked, with unprocessed work retried.

Theory of operation:

* Reads go in chunks of 100 keys, writes in chunks of 25 requests (DynamoDB's limits).
  What DynamoDB hands back unprocessed (``UnprocessedKeys`` / ``UnprocessedItems``) goes to
  the front of the queue after a :class:`~.steps.Sleep` that doubles on each consecutive
  round with no full success (50 ms, 100 ms, ... capped at 5 s). After
  :data:`MAX_ROUNDS` such rounds :class:`BatchIncomplete` says what was not done.
* ``batch_get`` returns entities in request order, ``None`` for missing items; a key asked
  twice is read once and returned twice.
* A batch is not a transaction and has no conditions, so writes that need one are refused
  before anything is sent: entities with ``__unique__`` fields (their guard items would be
  skipped) and versioned entities (their version could not be checked) go through
  ``db.put``/``db.delete`` or ``db.transaction()``. Two requests for one item are refused
  too (DynamoDB refuses them within a chunk; across chunks their order would matter).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._model.entity import Entity, EntitySpec, spec_of
from .._model.fields import utc_now
from .._model.item import from_item, key_from, remember, to_attributes
from .._model.table import Table
from ..codec import deserialize_item, serialize_item
from ..errors import BatchIncomplete, InvalidInput
from .plain import _item, plain_key, table_key_names
from .steps import DEFAULT_CONTEXT, Context, Flow, Request, Sleep, send
from .targets import KeyId, KeyInput, KeyTarget, key_id, key_targets
from .writes import _written

__all__ = [
    "GET_CHUNK",
    "MAX_ROUNDS",
    "WRITE_CHUNK",
    "BatchWriter",
    "backoff",
    "batch_get_flow",
    "batch_write_flow",
]

GET_CHUNK = 100
WRITE_CHUNK = 25
MAX_ROUNDS = 10
_BASE_SECONDS = 0.05
_CAP_SECONDS = 5.0


def backoff(round_: int) -> float:
    """Seconds to wait before retry round ``round_`` (1, 2, ...): exponential, capped."""
    return float(min(_BASE_SECONDS * 2 ** (round_ - 1), _CAP_SECONDS))


# --------------------------------------------------------------------------- reads


def batch_get_flow(
    entity: type[Entity] | Iterable[tuple[type[Entity], KeyInput]],
    keys: Iterable[KeyInput] | None = None,
    *,
    consistent: bool = False,
    ctx: Context = DEFAULT_CONTEXT,
) -> Flow[list[Any]]:
    """Read many entities by key: a list in request order, ``None`` where missing."""
    targets = key_targets(entity, keys, ctx)
    ids = [(t.table_name, key_id(t.key)) for t in targets]
    distinct: dict[tuple[str, KeyId], KeyTarget] = {}
    for target_id, target in zip(ids, targets, strict=True):
        distinct.setdefault(target_id, target)
    key_names: dict[str, tuple[str, ...]] = {
        t.table_name: tuple(a.name for a in t.spec.table.primary_key) for t in targets
    }
    found: dict[tuple[str, KeyId], dict[str, Any]] = {}
    pending = list(distinct.values())
    rounds = 0
    while pending:
        chunk, pending = pending[:GET_CHUNK], pending[GET_CHUNK:]
        request_items: dict[str, dict[str, Any]] = {}
        for target in chunk:
            entry = request_items.setdefault(target.table_name, {"Keys": []})
            entry["Keys"].append(target.key)
            if consistent:
                entry["ConsistentRead"] = True
        response: dict[str, Any] = yield from send(
            Request("BatchGetItem", {"RequestItems": request_items})
        )
        for table_name, items in (response.get("Responses") or {}).items():
            names = key_names[table_name]
            for item in items:
                found[(table_name, key_id({n: item[n] for n in names}))] = item
        back = [
            distinct[(table_name, key_id(key))]
            for table_name, entry in (response.get("UnprocessedKeys") or {}).items()
            for key in entry.get("Keys", [])
        ]
        if back:
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise BatchIncomplete(
                    f"{len(back) + len(pending)} keys were still unprocessed after "
                    f"{MAX_ROUNDS} retries",
                    unprocessed=[t.key for t in back + pending],
                    operation="BatchGetItem",
                )
            pending = back + pending
            yield Sleep(backoff(rounds))
        else:
            rounds = 0
    out: list[Any] = []
    for target_id, target in zip(ids, targets, strict=True):
        item = found.get(target_id)
        out.append(None if item is None else from_item(target.spec.cls, deserialize_item(item)))
    return out


# --------------------------------------------------------------------------- writes


@dataclass(slots=True)
class _WriteRequest:
    """One put or delete of a batch, with what it takes to recognise and describe it."""

    table_name: str
    request: dict[str, Any]  # {"PutRequest": {...}} or {"DeleteRequest": {...}}
    id: tuple[str, KeyId]  # table and canonical key: equal for two requests of one item
    action: str  # "put Note", "delete_item"...: the description, up to the key
    shown_key: Mapping[str, Any]  # the key as the description shows it...
    shown_wire: bool  # ...in wire format (read back only if a description is needed)
    entity: Entity | None = None  # the entity as written (puts of entities)
    item: dict[str, Any] | None = None

    @property
    def description(self) -> str:
        """E.g. ``"put Note {'pk': 'NOTE#1', 'sk': '#'}"``: for errors only, so built lazily."""
        key = deserialize_item(self.shown_key) if self.shown_wire else self.shown_key
        return f"{self.action} {key}"


class BatchWriter:
    """Puts and deletes collected for BatchWriteItem; nothing is sent until :meth:`flow`.

    Example:
        >>> from sortkey._model.table import Table
        >>> from sortkey._model.template import Key
        >>> t = Table("T", pk="pk")
        >>> class Tag(Entity):
        ...     __table__ = t
        ...     __key__ = Key(pk="TAG#{name}")
        ...     name: str
        >>> b = BatchWriter()
        >>> b.put(Tag(name="a")).name
        'a'
        >>> b.delete(Tag, {"name": "b"})
        >>> len(b)
        2
    """

    def __init__(self, ctx: Context = DEFAULT_CONTEXT, *, now: datetime | None = None) -> None:
        self.ctx = ctx
        self.now = now
        self._requests: list[_WriteRequest] = []
        self._seen: dict[tuple[str, KeyId], _WriteRequest] = {}
        #: table name on the server → its key attribute names (to find an unprocessed put's key)
        self._key_names: dict[str, tuple[str, ...]] = {}
        self._sent = False

    def __len__(self) -> int:
        return len(self._requests)

    def _add(self, request: _WriteRequest, key_names: tuple[str, ...]) -> None:
        if self._sent:
            raise InvalidInput("this batch was already sent; start a new one")
        other = self._seen.setdefault(request.id, request)
        if other is not request:
            raise InvalidInput(
                f"a batch cannot write one item twice ({other.description}, then "
                f"{request.description}); a batch has no order: keep one request per item"
            )
        self._key_names[request.table_name] = key_names
        self._requests.append(request)

    @staticmethod
    def _refuse_guarded(spec: EntitySpec, action: str, versioned: bool) -> None:
        if spec.unique:
            raise InvalidInput(
                f"{spec.name} has unique fields ({', '.join(spec.unique)}): a batch {action} "
                "would skip their guard items; use db.put/db.delete or db.transaction()"
            )
        if versioned:
            raise InvalidInput(
                f"{spec.name} is versioned: a batch {action} cannot check its version; use "
                "db.put/db.delete or db.transaction()"
            )

    def put(self, entity: Entity) -> Any:
        """Create or replace ``entity`` (no condition); returns it as it will be written."""
        spec = spec_of(entity)
        self._refuse_guarded(spec, "put", spec.version_field is not None)
        now = self.now or utc_now()
        written = _written(entity, now, None)
        item = to_attributes(written, now=now)
        table_name = self.ctx.table_name(spec.table)
        wire = serialize_item(item)
        names = table_key_names(spec.table)
        key = {n: wire[n] for n in names}
        self._add(
            _WriteRequest(
                table_name,
                {"PutRequest": {"Item": wire}},
                (table_name, key_id(key)),
                f"put {spec.name}",
                key,
                True,
                entity=written,
                item=item,
            ),
            names,
        )
        return written

    def delete(self, entity: type[Entity], key: KeyInput, /) -> None:
        """Delete an entity by key (a missing item is not an error)."""
        spec = spec_of(entity)
        key_attrs, _, expected = key_from(spec, key)
        self._refuse_guarded(spec, "delete", expected is not None)
        wire = serialize_item(key_attrs)
        table_name = self.ctx.table_name(spec.table)
        self._add(
            _WriteRequest(
                table_name,
                {"DeleteRequest": {"Key": wire}},
                (table_name, key_id(wire)),
                f"delete {spec.name}",
                key_attrs,
                False,
            ),
            table_key_names(spec.table),
        )

    def put_item(self, table: Table, item: Mapping[str, Any], /) -> None:
        """Write a plain item (Python values) to ``table``."""
        wire = _item(item, "item")
        names = table_key_names(table)
        key = plain_key(table, names, wire, "item")
        table_name = self.ctx.table_name(table)
        self._add(
            _WriteRequest(
                table_name,
                {"PutRequest": {"Item": wire}},
                (table_name, key_id(key)),
                "put_item",
                key,
                True,
            ),
            names,
        )

    def delete_item(self, table: Table, key: Mapping[str, Any], /) -> None:
        """Delete a plain item by its key attributes (Python values)."""
        wire = _item(key, "key")
        names = table_key_names(table)
        plain_key(table, names, wire, "key", exact=True)
        table_name = self.ctx.table_name(table)
        self._add(
            _WriteRequest(
                table_name,
                {"DeleteRequest": {"Key": wire}},
                (table_name, key_id(wire)),
                "delete_item",
                dict(key) if type(key) is dict else key,  # as given, should the caller change it
                False,
            ),
            names,
        )

    def _key_of(self, table_name: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """The key of an unprocessed write request DynamoDB handed back."""
        if "DeleteRequest" in request:
            return dict(request["DeleteRequest"]["Key"])
        item = request["PutRequest"]["Item"]
        return {n: item[n] for n in self._key_names[table_name]}

    def flow(self) -> Flow[None]:
        """Send the batch in chunks of 25, retrying unprocessed requests with backoff."""
        if self._sent:
            raise InvalidInput("this batch was already sent; start a new one")
        self._sent = True
        by_id = self._seen
        pending = list(self._requests)
        rounds = 0
        while pending:
            chunk, pending = pending[:WRITE_CHUNK], pending[WRITE_CHUNK:]
            request_items: dict[str, list[dict[str, Any]]] = {}
            for r in chunk:
                request_items.setdefault(r.table_name, []).append(r.request)
            response: dict[str, Any] = yield from send(
                Request("BatchWriteItem", {"RequestItems": request_items})
            )
            back = [
                by_id[(table_name, key_id(self._key_of(table_name, req)))]
                for table_name, requests in (response.get("UnprocessedItems") or {}).items()
                for req in requests
            ]
            if back:
                rounds += 1
                if rounds > MAX_ROUNDS:
                    left = back + pending
                    raise BatchIncomplete(
                        f"{len(left)} of {len(self._requests)} writes were still unprocessed "
                        f"after {MAX_ROUNDS} retries (the others were written)",
                        unprocessed=[r.description for r in left],
                        operation="BatchWriteItem",
                    )
                pending = back + pending
                yield Sleep(backoff(rounds))
            else:
                rounds = 0
        for r in self._requests:
            if r.entity is not None and r.item is not None:
                remember(r.entity, r.item)
        return None


def batch_write_flow(
    *,
    put: Iterable[Entity] = (),
    delete: Iterable[tuple[type[Entity], KeyInput]] = (),
    ctx: Context = DEFAULT_CONTEXT,
) -> Flow[None]:
    """The flow of ``db.batch_write(put=[...], delete=[(Entity, key), ...])``.

    Every write is checked here, before the flow exists: bad input sends nothing.
    """
    writer = BatchWriter(ctx)
    for entity in put:
        writer.put(entity)
    for pair in delete:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise InvalidInput(f"delete= takes (entity class, key) pairs, got {pair!r}")
        writer.delete(*pair)
    return writer.flow()
