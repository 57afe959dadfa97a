"""Writes of entities: requests as values, and the flows that need more than one call.

Theory of operation:

* ``create`` / ``put`` / ``update`` / ``delete`` build one :class:`~.steps.Request` each. Every
  key attribute is derived from the fields; nothing is assigned by hand.
* Failed conditions are diagnosed from the item DynamoDB returns with them
  (``ReturnValuesOnConditionCheckFailure=ALL_OLD``): a ``create`` that found an item raises
  :class:`ItemExists`, a write based on an old version :class:`StaleVersion`, an ``update`` of
  a missing item :class:`ItemNotFound`, a taken unique value :class:`UniqueViolation`.
* An entity with ``__unique__`` fields is written in one TransactWriteItems with its guard
  items (key ``_unique#<type>#<field>#<value>``, owner recorded), so an item never exists
  without its guards nor a guard without its item. Replacing, updating or deleting such an
  entity needs the current values first: the request builders then raise :class:`NeedsRead`,
  and the flows (:func:`put_flow`, :func:`update_flow`, :func:`delete_flow`) read the item
  consistently, build the write conditioned on what they read being unchanged, and retry
  (a few times) if another writer got in between.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from .._expr.compiler import compile_params
from .._expr.nodes import Arithmetic, Condition, IfNotExists, ListAppend, Path, Value, to_path
from .._expr.update import Update
from .._model.entity import Entity, EntitySpec, spec_of
from .._model.fields import utc_now
from .._model.item import (
    field_values,
    from_item,
    key_from,
    primary_key,
    remember,
    storable,
    storable_field,
    to_attributes,
)
from .._model.template import render_value
from ..codec import deserialize_item, serialize_item, serialize_item_sized
from ..errors import (
    ConditionFailed,
    DynamoDBError,
    InvalidInput,
    ItemExists,
    ItemNotFound,
    StaleVersion,
    TransactionCanceled,
    UniqueViolation,
)
from ..expr import attr, if_not_exists, list_append
from .steps import DEFAULT_CONTEXT, Context, Flow, Request, Vouched, return_values, send

__all__ = [
    "UNREAD",
    "NeedsRead",
    "Returning",
    "create",
    "delete",
    "delete_flow",
    "put",
    "put_flow",
    "update",
    "update_flow",
]

E = TypeVar("E", bound=Entity)
Returning = Literal["none", "old", "new", "updated_old", "updated_new"]
KeyInput = Mapping[str, Any] | Entity

_OWNER = "_owner"
_MAX_ATTEMPTS = 3


class _Unread:
    def __repr__(self) -> str:
        return "UNREAD"


#: ``read=UNREAD``: the current item was not read (as opposed to ``None``: read, absent).
UNREAD: Any = _Unread()


class NeedsRead(InvalidInput):
    """The write cannot be built without the current item (unique fields, index templates).

    Attributes:
        fields: the fields a template needs that the update does not give (empty when only
            unique guards need the read).
    """

    def __init__(self, message: str, fields: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.fields = tuple(fields)


class _Retry(Exception):
    """What we read changed before our write; read again."""


# --------------------------------------------------------------------------- conditions


def _all(*conditions: Condition | None) -> Condition | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    result = present[0]
    for c in present[1:]:
        result = result & c
    return result


def _equals_or_absent(name: str, value: Any) -> Condition:
    return attr.name(name).not_exists() if value is None else attr.name(name) == value


@dataclass
class _Expect:
    """What a write assumed, to say *why* its condition failed."""

    spec: EntitySpec
    key: Mapping[str, Any]
    creating: bool = False
    present: bool = False
    version: int | None = None
    assumed: dict[str, Any] = field(default_factory=dict)

    def diagnose(self, exc: DynamoDBError, wire_item: Mapping[str, Any] | None) -> BaseException:
        current = deserialize_item(wire_item) if wire_item else None
        context: dict[str, Any] = {
            "code": exc.code,
            "operation": exc.operation,
            "params": exc.params,
            "item": wire_item,
        }
        name, key = self.spec.name, dict(self.key)
        version_field = self.spec.version_field
        if current is None:
            if self.present:
                return ItemNotFound(f"{name} {key} does not exist", **context)
            if self.version:
                return StaleVersion(
                    f"{name} {key} was deleted after version {self.version} was read",
                    expected=self.version,
                    actual=None,
                    **context,
                )
            if any(v is not None for v in self.assumed.values()):
                return _Retry()
            return exc
        if self.creating:
            return ItemExists(f"{name} {key} already exists", **context)
        if version_field is not None and self.version is not None:
            actual = current.get(version_field, 0)
            if actual != self.version:
                return StaleVersion(
                    f"{name} {key} is at version {actual}; this write was based on version "
                    f"{self.version}",
                    expected=self.version,
                    actual=int(actual),
                    **context,
                )
        if any(current.get(a) != v for a, v in self.assumed.items()):
            return _Retry()
        return exc


def _single_translate(expect: _Expect) -> Any:
    def translate(exc: DynamoDBError) -> BaseException:
        if isinstance(exc, ConditionFailed):
            return expect.diagnose(exc, exc.item)
        return exc

    return translate


@dataclass(frozen=True)
class _Guard:
    kind: Literal["claim", "release"]
    field: str
    value: Any


def _tx_translate(expect: _Expect, entries: list[_Expect | _Guard]) -> Any:
    def translate(exc: DynamoDBError) -> BaseException:
        if not isinstance(exc, TransactionCanceled):
            return exc
        for reason, meaning in zip(exc.reasons, entries, strict=False):
            if reason.code != "ConditionalCheckFailed":
                continue
            if isinstance(meaning, _Expect):
                return meaning.diagnose(exc, reason.item)
            context: dict[str, Any] = {
                "code": exc.code,
                "operation": exc.operation,
                "params": exc.params,
            }
            if meaning.kind == "claim":
                return UniqueViolation(
                    f"{expect.spec.name}.{meaning.field} {meaning.value!r} is already taken",
                    entity=expect.spec.name,
                    field=meaning.field,
                    value=meaning.value,
                    reasons=exc.reasons,
                    **context,
                )
            return ConditionFailed(
                f"the unique guard of {expect.spec.name}.{meaning.field}={meaning.value!r} "
                "belongs to another item; the guards are inconsistent",
                **context,
            )
        return exc

    return translate


# --------------------------------------------------------------------------- guard items


def _guard_text(spec: EntitySpec, name: str, value: Any) -> str | None:
    if value is None:
        return None
    return render_value(storable_field(spec, name, value))


def _guard_key(spec: EntitySpec, name: str, text: str) -> dict[str, Any]:
    table = spec.table
    value = table.separator.join(["_unique", spec.type_name, name, text])
    return {a.name: value for a in table.primary_key}


def _owner(key: Mapping[str, Any]) -> str:
    return json.dumps([str(v) for v in key.values()])


def _claim(ctx: Context, spec: EntitySpec, name: str, text: str, owner: str) -> dict[str, Any]:
    guard = _guard_key(spec, name, text)
    params = compile_params(condition_=attr.name(spec.table.pk_attribute.name).not_exists())
    return {
        "Put": {
            "TableName": ctx.table_name(spec.table),
            "Item": serialize_item({**guard, _OWNER: owner}),
            **params,
        }
    }


def _release(ctx: Context, spec: EntitySpec, name: str, text: str, owner: str) -> dict[str, Any]:
    guard = _guard_key(spec, name, text)
    pk = attr.name(spec.table.pk_attribute.name)
    params = compile_params(condition_=pk.not_exists() | (attr.name(_OWNER) == owner))
    return {
        "Delete": {
            "TableName": ctx.table_name(spec.table),
            "Key": serialize_item(guard),
            **params,
        }
    }


def _guard_changes(
    spec: EntitySpec,
    new: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    fields: Iterable[str],
) -> list[_Guard]:
    """Claims of new unique values and releases of old ones (unchanged values: nothing)."""
    out: list[_Guard] = []
    for name in fields:
        new_text = _guard_text(spec, name, new.get(name))
        old_text = _guard_text(spec, name, (old or {}).get(name))
        if new_text == old_text:
            continue
        if new_text is not None:
            out.append(_Guard("claim", name, new.get(name)))
        if old_text is not None:
            out.append(_Guard("release", name, (old or {}).get(name)))
    return out


_OPERATIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}


@dataclass(frozen=True)
class TxPart:
    """One item of a TransactWriteItems, and what its failure means.

    Attributes:
        entry: the wire entry, e.g. ``{"Put": {...}}``.
        meaning: what the write assumed (:class:`_Expect`) or the guard it writes.
        spec: the entity it belongs to (None for a plain-dict write).
        action: ``"create"``, ``"put"``, ``"update"``, ``"delete"`` or ``"condition_check"``.
        table_name: the table it addresses (prefix included).
        key: its primary key attributes in wire format (to refuse two writes of one item).
        vouched: a put's item as the codec built and sized it (see ``Request.vouched``).
    """

    entry: dict[str, Any]
    meaning: Any
    spec: EntitySpec | None  # None: a plain-dict write (``tx.put_item``...)
    action: str
    table_name: str
    key: dict[str, Any]
    vouched: Vouched | None = None

    @property
    def subject(self) -> str:
        """What it writes: the entity's name, or the table's for a plain-dict write."""
        return self.spec.name if self.spec is not None else self.table_name

    @property
    def target(self) -> tuple[str, str]:
        """The item it writes: table name and canonical key."""
        return self.table_name, json.dumps(self.key, sort_keys=True, default=repr)

    def describe(self) -> str:
        """E.g. ``"create Post {'pk': 'USER#1', 'sk': 'POST#2'}"`` or a guard's description."""
        if isinstance(self.meaning, _Guard):
            verb = "claim" if self.meaning.kind == "claim" else "release"
            return (
                f"{verb} unique {self.subject}.{self.meaning.field}={self.meaning.value!r} "
                f"(for {self.action} {self.subject})"
            )
        return f"{self.action} {self.subject} {deserialize_item(self.key)}"


@dataclass
class WritePlan:
    """A write of one entity, before it becomes a request.

    Alone it is one request (:meth:`request`): a single Put/Update/Delete, or a transaction
    when unique guards go with it. Inside a user's transaction it contributes its entries
    (:meth:`parts`).
    """

    action: str
    kind: Literal["Put", "Update", "Delete"]
    spec: EntitySpec
    ctx: Context
    params: dict[str, Any]
    expect: _Expect
    guards: list[_Guard] | None
    parse: Callable[[dict[str, Any]], Any]
    tx_parse: Callable[[dict[str, Any]], Any]
    return_values: str | None = None
    result: Any = None  # what a transaction returns for it (the entity as written)
    vouched: Vouched | None = None  # see Request.vouched

    def parts(self) -> list[TxPart]:
        """Its TransactWriteItems entries: the item first, then its guard items."""
        table_name = self.ctx.table_name(self.spec.table)
        params = dict(self.params)
        key = params["Key"] if "Key" in params else _key_of(self.spec, params["Item"])
        out = [
            TxPart(
                {self.kind: params},
                self.expect,
                self.spec,
                self.action,
                table_name,
                key,
                self.vouched,
            )
        ]
        owner = _owner(self.expect.key)
        for guard in self.guards or ():
            text = _guard_text(self.spec, guard.field, guard.value)
            assert text is not None
            build = _claim if guard.kind == "claim" else _release
            entry = build(self.ctx, self.spec, guard.field, text, owner)
            guard_key = serialize_item(_guard_key(self.spec, guard.field, text))
            out.append(TxPart(entry, guard, self.spec, self.action, table_name, guard_key))
        return out

    def request(self) -> Request[Any]:
        """The request that performs it alone."""
        if self.guards is None:
            params = dict(self.params)
            if self.return_values is not None:
                params["ReturnValues"] = self.return_values
            return Request(
                _OPERATIONS[self.kind],
                params,
                parse=self.parse,
                translate=_single_translate(self.expect),
                vouched=self.vouched,
            )
        parts = self.parts()
        return Request(
            "TransactWriteItems",
            {"TransactItems": [p.entry for p in parts]},
            parse=self.tx_parse,
            translate=_tx_translate(self.expect, [p.meaning for p in parts]),
            vouched=self.vouched,
        )


def _key_of(spec: EntitySpec, item: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key attributes of an item (wire format or Python values alike)."""
    return {a.name: item[a.name] for a in spec.table.primary_key}


# --------------------------------------------------------------------------- create / put


def _written(entity: E, now: datetime, version: int | None) -> E:
    spec = spec_of(entity)
    changes: dict[str, Any] = {name: now for name in spec.role_fields("updated")}
    if spec.version_field is not None and version is not None:
        changes[spec.version_field] = version
    # Shallow, as pydantic's model_copy: a deep copy of every written entity cost more than
    # the write itself on the embedded engine.
    return entity.model_copy(update=changes)


def _put_plan(
    ctx: Context,
    action: str,
    written: E,
    item: dict[str, Any],
    condition: Condition | None,
    expect: _Expect,
    guards: list[_Guard] | None,
    compiled: dict[str, Any] | None = None,
) -> WritePlan:
    """The plan of a put; ``compiled``: the condition already compiled, if it was."""
    spec = spec_of(written)

    def parse(response: dict[str, Any]) -> E:
        remember(written, item)
        return written

    wire, size = serialize_item_sized(item)
    params: dict[str, Any] = {
        "TableName": ctx.table_name(spec.table),
        "Item": wire,
        **(compile_params(condition_=condition) if compiled is None else compiled),
    }
    if condition is not None:
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return WritePlan(
        action,
        "Put",
        spec,
        ctx,
        params,
        expect,
        guards,
        parse,
        parse,
        result=written,
        vouched={id(wire): (wire, size)},
    )


def create(entity: E, *, ctx: Context = DEFAULT_CONTEXT, now: datetime | None = None) -> Request[E]:
    """Write a new entity; :class:`ItemExists` if its key is taken.

    Unique fields make it one transaction with a guard item per value (no read needed).

    Example:
        >>> from sortkey._model.table import Table
        >>> from sortkey._model.template import Key
        >>> t = Table("T", pk="pk", sk="sk")
        >>> class Doc(Entity):
        ...     __table__ = t
        ...     __key__ = Key(pk="DOC#{doc_id}", sk="#")
        ...     doc_id: str
        >>> create(Doc(doc_id="1")).params["ConditionExpression"]
        'attribute_not_exists(#n0)'
    """
    return create_plan(entity, ctx=ctx, now=now).request()


def create_plan(
    entity: E, *, ctx: Context = DEFAULT_CONTEXT, now: datetime | None = None
) -> WritePlan:
    """:func:`create` as a :class:`WritePlan` (for transactions)."""
    spec = spec_of(entity)
    now = now or utc_now()
    written = _written(entity, now, 1)
    item = to_attributes(written, now=now)
    key = _key_of(spec, item)
    condition, compiled = _absent(spec.table.pk_attribute.name)
    expect = _Expect(spec, key, creating=True)
    guards = None
    if spec.unique:
        guards = _guard_changes(spec, field_values(written), None, spec.unique)
    return _put_plan(ctx, "create", written, item, condition, expect, guards, compiled)


#: pk attribute name → the condition of a create and its compiled parameters. Building and
#: compiling that path costs about as much as converting a small entity, for the same result.
_ABSENT: dict[str, tuple[Condition, dict[str, Any]]] = {}


def _absent(pk_name: str) -> tuple[Condition, dict[str, Any]]:
    """``attribute_not_exists(pk)`` and its parameters (a copy: requests may be changed)."""
    cached = _ABSENT.get(pk_name)
    if cached is None:
        condition = attr.name(pk_name).not_exists()
        cached = _ABSENT[pk_name] = (condition, compile_params(condition_=condition))
    condition, compiled = cached
    return condition, {k: dict(v) if isinstance(v, dict) else v for k, v in compiled.items()}


def put(
    entity: E,
    *,
    condition: Condition | None = None,
    read: Mapping[str, Any] | None = UNREAD,
    ctx: Context = DEFAULT_CONTEXT,
    now: datetime | None = None,
) -> Request[E]:
    """Create or replace an entity.

    A versioned entity is written only if the stored version is still the one it holds
    (``0``: only if absent), and its version goes up by one. An entity with unique fields
    needs the stored item's unique values (``read``: the item as read, ``None`` if absent);
    without them this raises :class:`NeedsRead` (:func:`put_flow` reads them).
    """
    return put_plan(entity, condition=condition, read=read, ctx=ctx, now=now).request()


def put_plan(
    entity: E,
    *,
    condition: Condition | None = None,
    read: Mapping[str, Any] | None = UNREAD,
    ctx: Context = DEFAULT_CONTEXT,
    now: datetime | None = None,
) -> WritePlan:
    """:func:`put` as a :class:`WritePlan` (for transactions)."""
    spec = spec_of(entity)
    now = now or utc_now()
    version_field = spec.version_field
    expected = getattr(entity, version_field) if version_field else None
    written = _written(entity, now, None if expected is None else expected + 1)
    item = to_attributes(written, now=now)
    key = _key_of(spec, item)
    pk_name = spec.table.pk_attribute.name  # a path is built only for a condition that needs it
    version_condition = None
    if version_field is not None:
        version_condition = (
            attr.name(pk_name).not_exists()
            if expected == 0
            else attr.name(version_field) == expected
        )
    expect = _Expect(spec, key, version=expected)
    guards = None
    read_condition = None
    if spec.unique:
        pk = attr.name(pk_name)
        if read is UNREAD:
            raise NeedsRead(f"{spec.name} has unique fields: put() needs the stored item first")
        if read is None:
            read_condition = pk.not_exists()
            expect.assumed[spec.table.pk_attribute.name] = None
        else:
            read_condition = _all(*(_equals_or_absent(f, read.get(f)) for f in spec.unique))
            expect.assumed.update({f: read.get(f) for f in spec.unique})
        guards = _guard_changes(spec, field_values(written), read, spec.unique)
    full = _all(read_condition, version_condition, condition)
    return _put_plan(ctx, "put", written, item, full, expect, guards)


def put_flow(
    entity: E,
    *,
    condition: Condition | None = None,
    ctx: Context = DEFAULT_CONTEXT,
    now: datetime | None = None,
) -> Flow[E]:
    """:func:`put`, reading the stored unique values first when the entity has any."""
    spec = spec_of(entity)
    if not spec.unique:
        return (yield from send(put(entity, condition=condition, ctx=ctx, now=now)))
    key = primary_key(spec, field_values(entity))
    for _ in range(_MAX_ATTEMPTS):
        current = yield from send(_read(ctx, spec, key))
        try:
            return (
                yield from send(put(entity, condition=condition, read=current, ctx=ctx, now=now))
            )
        except _Retry:
            continue
    raise _contention(spec, key)


def _contention(spec: EntitySpec, key: Mapping[str, Any]) -> ConditionFailed:
    return ConditionFailed(
        f"{spec.name} {dict(key)} kept changing while it was being written "
        f"({_MAX_ATTEMPTS} attempts); try again"
    )


def _read(ctx: Context, spec: EntitySpec, key: Mapping[str, Any]) -> Request[dict[str, Any] | None]:
    def parse(response: dict[str, Any]) -> dict[str, Any] | None:
        item = response.get("Item")
        return deserialize_item(item) if item else None

    return Request(
        "GetItem",
        {
            "TableName": ctx.table_name(spec.table),
            "Key": serialize_item(key),
            "ConsistentRead": True,
        },
        parse=parse,
    )


# --------------------------------------------------------------------------- update


@dataclass
class _UpdatePlan:
    update: Update = field(default_factory=lambda: Update())
    known: dict[str, Any] = field(default_factory=dict)  # top-level field → new value (None: gone)
    opaque: dict[str, str] = field(default_factory=dict)  # top-level field → how it changes
    touched: list[str] = field(default_factory=list)


def _top_field(spec: EntitySpec, path: Path, action: str) -> str:
    top = path.segments[0]
    assert isinstance(top, str)
    if top not in spec.cls.model_fields:
        if top in spec.internal_attributes or top in (a.name for a in spec.table.primary_key):
            raise InvalidInput(
                f"{spec.name}: {top!r} is an attribute the library maintains (keys, index "
                "keys, type, TTL); it cannot be written directly"
            )
        from .._model.entity import _suggest

        raise InvalidInput(
            f"{spec.name} has no field {top!r}{_suggest(top, spec.field_names)} ({action})"
        )
    if top in spec.key_fields:
        raise InvalidInput(
            f"{spec.name}.{top} is part of the primary key and cannot be changed by {action}; "
            f"delete the item and create a new one"
        )
    if top == spec.version_field:
        raise InvalidInput(f"{spec.name}.{top} is the version; every write sets it")
    return top


def _is_expression(value: object) -> bool:
    return isinstance(value, Path | Value | Arithmetic | IfNotExists | ListAppend)


def _plan(
    spec: EntitySpec,
    set: Mapping[Any, Any] | None,
    remove: Iterable[Any],
    add: Mapping[Any, Any] | None,
    delete: Mapping[Any, Any] | None,
    append: Mapping[Any, Any] | None,
) -> _UpdatePlan:
    plan = _UpdatePlan()
    for raw_path, value in (set or {}).items():
        path = to_path(raw_path)
        top = _top_field(spec, path, "set")
        plan.touched.append(top)
        if len(path.segments) == 1 and not _is_expression(value):
            coerced = spec.coerce(top, value)
            plan.known[top] = coerced
            stored = storable_field(spec, top, coerced)
            plan.update = (
                plan.update.remove(path) if stored is None else plan.update.set(path, stored)
            )
        else:
            plan.opaque[top] = "an expression" if _is_expression(value) else "a nested set"
            plan.update = plan.update.set(path, value if _is_expression(value) else storable(value))
    if isinstance(remove, str | Path):
        remove = (remove,)
    for raw_path in remove:
        path = to_path(raw_path)
        top = _top_field(spec, path, "remove")
        plan.touched.append(top)
        if len(path.segments) == 1:
            spec.coerce(top, None)  # refuses removing a required field
            plan.known[top] = None
        else:
            plan.opaque[top] = "a nested remove"
        plan.update = plan.update.remove(path)
    for kind, mapping in (("add", add), ("delete", delete)):
        for raw_path, value in (mapping or {}).items():
            path = to_path(raw_path)
            top = _top_field(spec, path, kind)
            plan.touched.append(top)
            plan.opaque[top] = kind
            stored = storable(value)
            plan.update = (
                plan.update.add(path, stored) if kind == "add" else plan.update.delete(path, stored)
            )
    for raw_path, value in (append or {}).items():
        path = to_path(raw_path)
        top = _top_field(spec, path, "append")
        plan.touched.append(top)
        plan.opaque[top] = "append"
        items = storable(list(value) if not isinstance(value, list) else value)
        plan.update = plan.update.set(path, list_append(if_not_exists(path, []), items))
    if not plan.touched:
        raise InvalidInput(
            f"update of {spec.name} changes nothing; give set=, remove=, add=, delete= or append="
        )
    return plan


def _rewrite_derived(
    spec: EntitySpec,
    plan: _UpdatePlan,
    key_values: Mapping[str, Any],
    read: Mapping[str, Any] | None,
    conditions: list[Condition],
    expect: _Expect,
) -> None:
    """Rewrite every index key (and the TTL attribute) whose fields the update changes."""
    changed = set(plan.known) | set(plan.opaque)
    needed: dict[str, list[str]] = {}
    for index_name, sources in spec.indexes.items():
        for source in sources:
            template = source.template
            if template is None or not changed & set(template.field_names):
                continue
            attribute = source.attribute.name
            for name in template.field_names:
                if name in plan.opaque:
                    raise InvalidInput(
                        f"{spec.name}: index {index_name!r} key {attribute!r} (template "
                        f"{template.text!r}) uses {name!r}, which this update changes with "
                        f"{plan.opaque[name]}; set it to a plain value so the key can be "
                        "rewritten"
                    )
            if any(
                name in plan.known and plan.known[name] is None for name in template.field_names
            ):
                plan.update = plan.update.remove(attr.name(attribute))
                continue
            values: dict[str, Any] = {**key_values, **plan.known}
            missing = [n for n in template.missing(values) if n not in plan.known]
            if missing and read is not None:
                for name in missing:
                    stored = read.get(name)
                    conditions.append(_equals_or_absent(name, stored))
                    expect.assumed[name] = stored
                    if stored is not None:
                        values[name] = spec.coerce(name, stored)
                missing = template.missing(values)
                if missing:  # absent in the stored item: the key is incomplete, so sparse
                    plan.update = plan.update.remove(attr.name(attribute))
                    continue
            if missing:
                needed.setdefault(
                    f"index {index_name!r} key {attribute!r} ({template.text!r})", []
                ).extend(missing)
                continue
            rendered = template.render(values)
            assert rendered is not None
            plan.update = plan.update.set(attr.name(attribute), rendered)
    if needed:
        fields = sorted({f for fs in needed.values() for f in fs})
        where = "; ".join(f"{k} needs {', '.join(map(repr, v))}" for k, v in needed.items())
        raise NeedsRead(
            f"{spec.name} update changes fields used by index keys that it cannot rebuild: "
            f"{where}. Pass {', '.join(map(repr, fields))} in set=, or fetch=True to read them",
            fields,
        )
    ttl_field, ttl_attribute = spec.ttl_field, spec.table.ttl
    if ttl_field is not None and ttl_attribute and ttl_field in changed:
        if ttl_field in plan.opaque:
            raise InvalidInput(f"{spec.name}.{ttl_field} (TTL) can only be set to a value")
        expiry = plan.known[ttl_field]
        if expiry is None:
            plan.update = plan.update.remove(attr.name(ttl_attribute))
        else:
            from .._model.item import epoch_seconds

            plan.update = plan.update.set(attr.name(ttl_attribute), epoch_seconds(expiry))


def update(
    entity: type[E],
    key: KeyInput,
    *,
    set: Mapping[Any, Any] | None = None,  # noqa: A002 - the DynamoDB word
    remove: Iterable[Any] = (),
    add: Mapping[Any, Any] | None = None,
    delete: Mapping[Any, Any] | None = None,
    append: Mapping[Any, Any] | None = None,
    condition: Condition | None = None,
    returning: Returning = "none",
    read: Mapping[str, Any] | None = UNREAD,
    ctx: Context = DEFAULT_CONTEXT,
    now: datetime | None = None,
) -> Request[Any]:
    """Change some fields of a stored entity; :class:`ItemNotFound` if there is none.

    Index keys whose templates use a changed field are rewritten in the same request (removed
    when a field becomes ``None``); a template field the update does not give raises
    :class:`NeedsRead` naming it, unless ``read`` (the stored item) supplies it — then the
    update is conditioned on it being unchanged.

    Example:
        >>> from sortkey._model.table import Table, GSI
        >>> from sortkey._model.template import Key
        >>> t = Table("T", pk="pk", sk="sk", indexes=[GSI("GSI1", pk="g1pk", sk="g1sk")])
        >>> class Task(Entity):
        ...     __table__ = t
        ...     __key__ = Key(pk="TASK#{task_id}", sk="#")
        ...     __indexes__ = {"GSI1": Key(pk="TASKS", sk="{status}#{task_id}")}
        ...     task_id: str
        ...     status: str
        >>> update(Task, {"task_id": "1"}, set={"status": "done"}).params["UpdateExpression"]
        'SET #n0 = :v0, #n1 = :v1'
    """
    return update_plan(
        entity,
        key,
        set=set,
        remove=remove,
        add=add,
        delete=delete,
        append=append,
        condition=condition,
        returning=returning,
        read=read,
        ctx=ctx,
        now=now,
    ).request()


def update_plan(
    entity: type[E],
    key: KeyInput,
    *,
    set: Mapping[Any, Any] | None = None,  # noqa: A002 - the DynamoDB word
    remove: Iterable[Any] = (),
    add: Mapping[Any, Any] | None = None,
    delete: Mapping[Any, Any] | None = None,
    append: Mapping[Any, Any] | None = None,
    condition: Condition | None = None,
    returning: Returning = "none",
    read: Mapping[str, Any] | None = UNREAD,
    ctx: Context = DEFAULT_CONTEXT,
    now: datetime | None = None,
) -> WritePlan:
    """:func:`update` as a :class:`WritePlan` (for transactions)."""
    spec = spec_of(entity)
    now = now or utc_now()
    wire_returning = return_values(returning)
    key_attrs, key_values, expected = key_from(spec, key)
    plan = _plan(spec, set, remove, add, delete, append)
    if read is None:
        raise ItemNotFound(f"{spec.name} {key_attrs} does not exist")
    current: Mapping[str, Any] | None = None if read is UNREAD else read
    expect = _Expect(spec, key_attrs, present=True, version=expected)
    conditions: list[Condition] = [attr.name(spec.table.pk_attribute.name).exists()]
    # UpdatedAt fields change with every write: known values before index keys are rebuilt,
    # so a template using one is rewritten too.
    for name in spec.role_fields("updated"):
        if name not in plan.known:
            plan.known[name] = now
            plan.update = plan.update.set(attr.name(name), storable_field(spec, name, now))
    _rewrite_derived(spec, plan, key_values, current, conditions, expect)
    version_field = spec.version_field
    if version_field is not None:
        path = attr.name(version_field)
        plan.update = plan.update.set(path, if_not_exists(path, 0) + 1)
        if expected is not None:
            conditions.append(path == expected)
    unique_changes = [f for f in spec.unique if f in plan.known]
    for name in spec.unique:
        if name in plan.opaque:
            raise InvalidInput(
                f"{spec.name}.{name} is unique: set it to a value, not {plan.opaque[name]}"
            )
    guards: list[_Guard] | None = None
    if unique_changes:
        if current is None:
            raise NeedsRead(
                f"{spec.name}.{unique_changes[0]} is unique: the update needs the stored value"
            )
        for name in unique_changes:
            conditions.append(_equals_or_absent(name, current.get(name)))
            expect.assumed[name] = current.get(name)
        guards = _guard_changes(spec, plan.known, current, unique_changes)
        guards = guards or None
    condition_ = _all(*conditions, condition)
    params: dict[str, Any] = {
        "TableName": ctx.table_name(spec.table),
        "Key": serialize_item(key_attrs),
        **compile_params(update=plan.update, condition_=condition_),
    }
    params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    internal = spec.internal_attributes

    def parse(response: dict[str, Any]) -> Any:
        attributes = response.get("Attributes")
        if returning in ("old", "new"):
            return from_item(entity, deserialize_item(attributes)) if attributes else None
        if returning in ("updated_old", "updated_new"):
            values = deserialize_item(attributes or {})
            return {k: v for k, v in values.items() if k not in internal}
        return None

    # TransactWriteItems returns no attributes: update_flow reads around it.
    return WritePlan(
        "update",
        "Update",
        spec,
        ctx,
        params,
        expect,
        guards,
        parse,
        lambda r: None,
        return_values=None if returning == "none" else wire_returning,
    )


def update_flow(
    entity: type[E],
    key: KeyInput,
    *,
    fetch: bool = False,
    returning: Returning = "none",
    ctx: Context = DEFAULT_CONTEXT,
    now: datetime | None = None,
    **changes: Any,
) -> Flow[Any]:
    """:func:`update`, reading the stored item first when unique fields or ``fetch`` need it."""
    spec = spec_of(entity)
    read: Any = UNREAD
    for _ in range(_MAX_ATTEMPTS):
        try:
            request = update(
                entity, key, returning=returning, read=read, ctx=ctx, now=now, **changes
            )
        except NeedsRead as need:
            if read is not UNREAD or (need.fields and not fetch):
                raise InvalidInput(str(need)) from None
            read = yield from send(_read(ctx, spec, key_from(spec, key)[0]))
            continue
        try:
            result = yield from send(request)
        except _Retry:
            read = UNREAD
            continue
        if request.operation == "UpdateItem":
            return result
        key_attrs = key_from(spec, key)[0]
        return (
            yield from _returning_after_transaction(ctx, spec, key_attrs, read, returning, changes)
        )
    raise _contention(spec, key_from(spec, key)[0])


def _returning_after_transaction(
    ctx: Context,
    spec: EntitySpec,
    key: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    returning: Returning,
    changes: Mapping[str, Any],
) -> Flow[Any]:
    """What ``returning`` asks for, for an update that had to be a transaction (not atomic)."""
    if returning == "none":
        return None
    if returning in ("old", "updated_old"):
        after = before
    else:
        after = yield from send(_read(ctx, spec, key))
    if after is None:
        return None
    if returning in ("old", "new"):
        return from_item(spec.cls, after)
    touched: set[str] = set()
    for name in ("set", "add", "delete", "append"):
        touched.update(str(to_path(p).segments[0]) for p in (changes.get(name) or {}))
    removed = changes.get("remove") or ()
    touched.update(
        str(to_path(p).segments[0]) for p in ([removed] if isinstance(removed, str) else removed)
    )
    return {k: v for k, v in after.items() if k in touched}


# --------------------------------------------------------------------------- delete


def delete(
    entity: type[E],
    key: KeyInput,
    *,
    condition: Condition | None = None,
    returning: Literal["none", "old"] = "none",
    read: Mapping[str, Any] | None = UNREAD,
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[Any]:
    """Delete an entity (nothing happens if it does not exist, unless a condition says so).

    Example:
        >>> from sortkey._model.table import Table
        >>> from sortkey._model.template import Key
        >>> t = Table("T", pk="pk")
        >>> class Tag(Entity):
        ...     __table__ = t
        ...     __key__ = Key(pk="TAG#{name}")
        ...     name: str
        >>> delete(Tag, {"name": "x"}).params["Key"]
        {'pk': {'S': 'TAG#x'}}
    """
    return delete_plan(
        entity, key, condition=condition, returning=returning, read=read, ctx=ctx
    ).request()


def delete_plan(
    entity: type[E],
    key: KeyInput,
    *,
    condition: Condition | None = None,
    returning: Literal["none", "old"] = "none",
    read: Mapping[str, Any] | None = UNREAD,
    ctx: Context = DEFAULT_CONTEXT,
) -> WritePlan:
    """:func:`delete` as a :class:`WritePlan` (for transactions)."""
    spec = spec_of(entity)
    return_values(returning, ("none", "old"))
    key_attrs, _, expected = key_from(spec, key)
    expect = _Expect(spec, key_attrs, version=expected)
    conditions: list[Condition | None] = []
    if expected is not None:
        conditions.append(attr.name(spec.version_field or "") == expected)
    guards: list[_Guard] | None = None
    if spec.unique and read is UNREAD:
        raise NeedsRead(f"{spec.name} has unique fields: delete() needs the stored item first")
    if spec.unique and read is not None:
        for name in spec.unique:
            conditions.append(_equals_or_absent(name, read.get(name)))
            expect.assumed[name] = read.get(name)
        guards = _guard_changes(spec, {}, read, spec.unique)
    condition_ = _all(*conditions, condition)
    params: dict[str, Any] = {
        "TableName": ctx.table_name(spec.table),
        "Key": serialize_item(key_attrs),
        **compile_params(condition_=condition_),
    }
    if condition_ is not None:
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"

    def parse(response: dict[str, Any]) -> Any:
        attributes = response.get("Attributes")
        if returning == "old" and attributes:
            return from_item(entity, deserialize_item(attributes))
        return None

    return WritePlan(
        "delete",
        "Delete",
        spec,
        ctx,
        params,
        expect,
        guards,
        parse,
        lambda r: None,
        return_values="ALL_OLD" if returning == "old" else None,
    )


def delete_flow(
    entity: type[E],
    key: KeyInput,
    *,
    condition: Condition | None = None,
    returning: Literal["none", "old"] = "none",
    ctx: Context = DEFAULT_CONTEXT,
) -> Flow[Any]:
    """:func:`delete`, reading the stored unique values first (to delete their guards)."""
    spec = spec_of(entity)
    if not spec.unique:
        return (
            yield from send(delete(entity, key, condition=condition, returning=returning, ctx=ctx))
        )
    key_attrs, _, _ = key_from(spec, key)
    for _ in range(_MAX_ATTEMPTS):
        current = yield from send(_read(ctx, spec, key_attrs))
        request = delete(
            entity, key, condition=condition, returning=returning, read=current, ctx=ctx
        )
        try:
            result = yield from send(request)
        except _Retry:
            continue
        if request.operation == "DeleteItem" or returning == "none" or current is None:
            return result
        return from_item(entity, current)
    raise _contention(spec, key_attrs)
