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
from datetime import datetime
from typing import Any

from .._model.entity import Entity, EntitySpec, spec_of
from .._model.fields import utc_now
from .._model.item import from_item, key_from, remember, to_attributes
from .._model.table import Table
from ..codec import deserialize_item, serialize_item, serialize_item_sized
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

#: One request of a batch: (table name on the server, the wire request
#: ``{"PutRequest": {...}}`` or ``{"DeleteRequest": {...}}``, its description up to the key
#: (``"put Note"``, ``"delete_item"``...), the key as the description shows it). The key is
#: ``None`` for puts: the description reads it back from the wire item, only if an error needs
#: it. A plain tuple: a batch builds one per item, and a class instance costs ~130 ns more.
_WriteRequest = tuple[str, dict[str, Any], str, "Mapping[str, Any] | None"]

#: A request's table and key, hashable, equal for two requests of one item (see _request_id).
_RequestId = tuple[str, ...]


def _request_id(table_name: str, names: tuple[str, ...], wire: Mapping[str, Any]) -> _RequestId:
    """``(table, type, value[, sort key type, sort key value])`` of a put item or deleted key.

    ``names``: the table's key attributes, partition key first, so the order of the item's
    attributes does not matter; a missing one raises ``KeyError``. Each attribute value is a
    one-key dict (``{"S": "a"}``): the type is part of the id, ``{"N": "1"}`` is not
    ``{"S": "1"}``. Built straight from the wire item: no key dict, one tuple.

    Example:
        >>> _request_id("T", ("pk", "n"), {"n": {"N": "1"}, "x": {"S": "y"}, "pk": {"S": "a"}})
        ('T', 'S', 'a', 'N', '1')
    """
    ((kind, value),) = wire[names[0]].items()
    if len(names) == 1:
        return (table_name, kind, value)
    ((sort_kind, sort_value),) = wire[names[1]].items()
    return (table_name, kind, value, sort_kind, sort_value)


def _wire_key_source(request: Mapping[str, Any]) -> Mapping[str, Any]:
    """The wire item or key holding the key of a write request DynamoDB handed back."""
    delete = request.get("DeleteRequest")
    source: Mapping[str, Any] = (
        delete["Key"] if delete is not None else request["PutRequest"]["Item"]
    )
    return source


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
        self._seen: dict[_RequestId, _WriteRequest] = {}
        #: entities put, with their items: remembered once the batch is written
        self._entity_puts: list[tuple[Entity, dict[str, Any]]] = []
        #: each table written → its name on the server and key attribute names, once per batch
        self._tables: dict[Table, tuple[str, tuple[str, ...]]] = {}
        #: table name on the server → its key attribute names (an unprocessed request's key)
        self._key_names: dict[str, tuple[str, ...]] = {}
        #: the items put, as the codec built and sized them (Request.vouched)
        self._vouched: dict[int, tuple[dict[str, Any], int]] = {}
        self._sent = False

    def __len__(self) -> int:
        return len(self._requests)

    def _table(self, table: Table) -> tuple[str, tuple[str, ...]]:
        """``table``'s name on the server and key attribute names (first request of a table)."""
        names = table_key_names(table)
        table_name = self.ctx.table_name(table)
        self._tables[table] = (table_name, names)
        self._key_names[table_name] = names
        return table_name, names

    def _add(self, request_id: _RequestId, request: _WriteRequest) -> None:
        if self._sent:
            raise InvalidInput("this batch was already sent; start a new one")
        other = self._seen.setdefault(request_id, request)
        if other is not request:
            raise self._twice(other, request)
        self._requests.append(request)

    def _twice(self, first: _WriteRequest, second: _WriteRequest) -> InvalidInput:
        return InvalidInput(
            f"a batch cannot write one item twice ({self._describe(first)}, then "
            f"{self._describe(second)}); a batch has no order: keep one request per item"
        )

    def _describe(self, request: _WriteRequest) -> str:
        """E.g. ``"put Note {'pk': 'NOTE#1', 'sk': '#'}"``: for errors only, so built lazily."""
        table_name, wire_request, action, shown_key = request
        if shown_key is None:  # a put: its key attributes, read back from the wire item
            item = wire_request["PutRequest"]["Item"]
            shown_key = deserialize_item({n: item[n] for n in self._key_names[table_name]})
        return f"{action} {shown_key}"

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
        wire, size = serialize_item_sized(item)
        table_name, names = self._tables.get(spec.table) or self._table(spec.table)
        self._add(
            _request_id(table_name, names, wire),
            (table_name, {"PutRequest": {"Item": wire}}, f"put {spec.name}", None),
        )
        self._vouched[id(wire)] = (wire, size)
        self._entity_puts.append((written, item))
        return written

    def delete(self, entity: type[Entity], key: KeyInput, /) -> None:
        """Delete an entity by key (a missing item is not an error)."""
        spec = spec_of(entity)
        key_attrs, _, expected = key_from(spec, key)
        self._refuse_guarded(spec, "delete", expected is not None)
        wire = serialize_item(key_attrs)
        table_name, names = self._tables.get(spec.table) or self._table(spec.table)
        self._add(
            _request_id(table_name, names, wire),
            (table_name, {"DeleteRequest": {"Key": wire}}, f"delete {spec.name}", key_attrs),
        )

    def put_item(self, table: Table, item: Mapping[str, Any], /) -> None:
        """Write a plain item (Python values) to ``table``."""
        # The hot path of db.batch() with plain items, so _request_id and _add are inlined.
        wire, size = _item(item, "item", serialize_item_sized)
        table_name, names = self._tables.get(table) or self._table(table)
        try:
            ((kind, value),) = wire[names[0]].items()
            if len(names) == 1:
                request_id: _RequestId = (table_name, kind, value)
            else:
                ((sort_kind, sort_value),) = wire[names[1]].items()
                request_id = (table_name, kind, value, sort_kind, sort_value)
        except KeyError:
            plain_key(table, names, wire, "item")  # raises, naming the missing attributes
            raise
        if self._sent:
            raise InvalidInput("this batch was already sent; start a new one")
        request = (table_name, {"PutRequest": {"Item": wire}}, "put_item", None)
        other = self._seen.setdefault(request_id, request)
        if other is not request:
            raise self._twice(other, request)
        self._requests.append(request)
        self._vouched[id(wire)] = (wire, size)

    def delete_item(self, table: Table, key: Mapping[str, Any], /) -> None:
        """Delete a plain item by its key attributes (Python values)."""
        wire = _item(key, "key", serialize_item)
        table_name, names = self._tables.get(table) or self._table(table)
        plain_key(table, names, wire, "key", exact=True)
        shown = dict(key) if type(key) is dict else key  # as given, should the caller change it
        self._add(
            _request_id(table_name, names, wire),
            (table_name, {"DeleteRequest": {"Key": wire}}, "delete_item", shown),
        )

    def flow(self) -> Flow[None]:
        """Send the batch in chunks of 25, retrying unprocessed requests with backoff."""
        if self._sent:
            raise InvalidInput("this batch was already sent; start a new one")
        self._sent = True
        seen = self._seen
        key_names = self._key_names
        # Every request names a table of key_names: with one table (the usual batch), a chunk
        # is one list, built without grouping.
        one_table = len(key_names) == 1
        pending = self._requests
        rounds = 0
        while pending:
            chunk, pending = pending[:WRITE_CHUNK], pending[WRITE_CHUNK:]
            request_items: dict[str, list[dict[str, Any]]]
            if one_table:
                request_items = {chunk[0][0]: [r[1] for r in chunk]}
            else:
                request_items = {}
                for r in chunk:
                    request_items.setdefault(r[0], []).append(r[1])
            # Yielded as it is, not through steps.send(): a batch translates no error and
            # parses nothing.
            response: dict[str, Any] = yield Request(
                "BatchWriteItem", {"RequestItems": request_items}, vouched=self._vouched
            )
            back = [
                seen[_request_id(table_name, key_names[table_name], _wire_key_source(req))]
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
                        unprocessed=[self._describe(r) for r in left],
                        operation="BatchWriteItem",
                    )
                pending = back + pending
                yield Sleep(backoff(rounds))
            else:
                rounds = 0
        for entity, item in self._entity_puts:
            remember(entity, item)
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
