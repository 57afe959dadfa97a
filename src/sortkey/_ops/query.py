"""Queries: a :class:`QuerySpec` value, its wire parameters, and the paging flows.

Key conditions come from key fields: the partition template must be complete; a sort
template given only its leading fields becomes ``begins_with`` on the rendered prefix, which
ends with the literal after the last given field (so ``USER#1#`` never matches ``USER#10``).
Items are dispatched to entity classes by the table's type attribute; unknown types are
yielded as dicts, never dropped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .._expr.compiler import Placeholders, as_projection, render_condition, render_projection
from .._expr.keys import check_key_condition
from .._expr.nodes import Condition, condition
from .._model.entity import AttributeSource, Entity, EntitySpec, spec_of
from .._model.item import from_item, storable_field
from .._model.table import LSI, Table
from ..codec import deserialize_item
from ..errors import InvalidInput
from ..expr import PathLike, attr
from .steps import DEFAULT_CONTEXT, Context, EmitEach, Flow, Request, send

__all__ = [
    "Page",
    "QuerySpec",
    "count_flow",
    "decode_cursor",
    "encode_cursor",
    "entity_query",
    "entity_scan",
    "query_items",
    "query_page",
    "table_query",
    "table_scan",
    "type_listing",
]


@dataclass(frozen=True)
class Page:
    """One page of results and the cursor of the next one (``None``: this was the last)."""

    items: list[Any]
    cursor: str | None


@dataclass(frozen=True)
class QuerySpec:
    """Everything a Query (or a Scan) is, as a value; every modifier returns a new spec.

    ``cursor`` is a :class:`Page` cursor to start after; it is checked against this very
    query (table, index, key condition, filter, order) when the request is built.
    """

    table: Table
    key_conditions: tuple[Condition, ...]
    entity: type[Entity] | None = None
    index: str | None = None
    filter: Condition | None = None
    descending: bool = False
    limit: int | None = None
    consistent: bool = False
    projection: tuple[PathLike, ...] | None = None
    cursor: str | None = field(default=None)
    operation: Literal["Query", "Scan"] = "Query"

    def params(self, ctx: Context = DEFAULT_CONTEXT) -> dict[str, Any]:
        """The request parameters; the cursor, if any, becomes ``ExclusiveStartKey``.

        Raises:
            InvalidInput: the cursor is malformed, tampered with, or belongs to another query.
        """
        params = self._params(ctx)
        if self.cursor is not None:
            params["ExclusiveStartKey"] = decode_cursor(self.cursor, self, ctx)
        return params

    def _params(self, ctx: Context) -> dict[str, Any]:
        if self.operation == "Query" and len(self.key_conditions) <= 2:
            conjunction = self.key_conditions[0]
            for c in self.key_conditions[1:]:
                conjunction = conjunction & c
            check_key_condition(conjunction)
        ph = Placeholders()
        params: dict[str, Any] = {"TableName": ctx.table_name(self.table)}
        if self.operation == "Query":
            # Multi-attribute keys need more than two conjuncts, so render them one by one.
            params["KeyConditionExpression"] = " AND ".join(
                render_condition(c, ph) for c in self.key_conditions
            )
        if self.filter is not None:
            params["FilterExpression"] = render_condition(condition(self.filter), ph)
        if self.projection is not None:
            params["ProjectionExpression"] = render_projection(
                as_projection(list(self.projection)), ph
            )
        if names := ph.names:
            params["ExpressionAttributeNames"] = names
        if values := ph.values:
            params["ExpressionAttributeValues"] = values
        if self.index is not None:
            params["IndexName"] = self.index
        if self.descending and self.operation == "Query":
            params["ScanIndexForward"] = False
        if self.consistent:
            params["ConsistentRead"] = True
        if self.limit is not None:
            params["Limit"] = self.limit
        return params

    def fingerprint(self, ctx: Context) -> bytes:
        """What a cursor is bound to: the request minus paging, limit, projection, consistency."""
        bare = replace(self, limit=None, projection=None, consistent=False, cursor=None)
        text = json.dumps(bare._params(ctx), sort_keys=True, default=repr)
        return f"{self.operation}:{text}".encode()

    def key_attributes(self) -> dict[str, str]:
        """The attributes of a ``LastEvaluatedKey`` of this query, and their types."""
        out: dict[str, str] = {a.name: a.type for a in self.table.primary_key}
        if self.index is not None:
            out.update({a.name: a.type for a in self.table.index(self.index).attributes})
        return out

    def with_limit(self, n: int) -> QuerySpec:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise InvalidInput(f"limit must be a positive integer, got {n!r}")
        return replace(self, limit=n)

    def where(self, filter: Condition) -> QuerySpec:  # noqa: A002
        checked = condition(filter)
        return replace(self, filter=checked if self.filter is None else self.filter & checked)

    def parse(self, item: Mapping[str, Any]) -> Any:
        """One wire item of the results as its entity, or a dict (see :meth:`parser`)."""
        return self.parser()(item)

    def parser(self) -> Callable[[Mapping[str, Any]], Any]:
        """What turns each wire item of the results into its entity, or a dict.

        Items are dispatched by the table's type attribute; with a projection (a partial
        item is not a valid entity) and for unknown types, they stay dicts. Made once per
        read: the table's lookups are bound here rather than repeated for every item.
        """
        if self.projection is not None:
            return deserialize_item
        type_attribute = self.table.type_attribute
        entity_for = self.table.entity_for

        def parse(item: Mapping[str, Any]) -> Any:
            # parse_item's dispatch without its defensive copy: ``values`` is already a
            # fresh dict (this runs once per item read; the copy was a measurable share).
            values = deserialize_item(item)
            type_name = values.get(type_attribute)
            if type_name is not None and isinstance(type_name, str):
                cls = entity_for(type_name)
                if cls is not None:
                    return from_item(cls, values)
            return values

        return parse


def _conjuncts_for(
    spec: EntitySpec, where: str, sources: Sequence[AttributeSource], given: dict[str, Any]
) -> list[Condition]:
    """Key conditions from template/field sources; removes the fields it uses from ``given``."""
    conditions: list[Condition] = []
    used: set[str] = set()
    for position, source in enumerate(sources):
        name = source.attribute.name
        is_partition = position == 0
        template = source.template
        if template is None:
            assert source.field is not None
            if source.field in given:
                used.add(source.field)
                value = storable_field(spec, source.field, given[source.field])
                conditions.append(attr.name(name) == value)
            elif is_partition:
                raise InvalidInput(f"query of {spec.name}{where} needs {source.field!r}")
            continue
        values = {n: given[n] for n in template.field_names if n in given}
        leading = template.leading(values)
        extra = [n for n in values if n not in template.field_names[:leading]]
        if is_partition and leading < len(template.fields):
            missing = template.missing(values)
            raise InvalidInput(
                f"query of {spec.name}{where} needs {', '.join(map(repr, missing))} "
                f"(partition key template {template.text!r})"
            )
        if extra:
            first_missing = template.field_names[leading]
            raise InvalidInput(
                f"query of {spec.name}{where}: {', '.join(map(repr, extra))} comes after "
                f"{first_missing!r} in sort key template {template.text!r}; give "
                f"{first_missing!r} too (or filter with .where())"
            )
        used.update(values)
        if leading == len(template.fields):
            rendered = template.render(values)
            assert rendered is not None
            conditions.append(attr.name(name) == rendered)
        else:
            prefix = template.prefix(values)
            if prefix:
                conditions.append(attr.name(name).begins_with(prefix))
    for n in used:
        del given[n]
    return conditions


def entity_query(
    entity: type[Entity], index: str | None, key_fields: Mapping[str, Any]
) -> QuerySpec:
    """The spec of ``db.query(entity, index=..., **key_fields)``."""
    spec = spec_of(entity)
    table = spec.table
    given = {n: spec.coerce(n, v) for n, v in key_fields.items()}
    where = "" if index is None else f" on index {index!r}"
    if index is None:
        sources: Sequence[AttributeSource] = spec.key
    else:
        table.index(index)  # a clear error for an unknown index
        if table.type_index is not None and index == table.type_index.name:
            type_condition = attr.name(table.type_attribute) == spec.type_name
            if given:
                raise InvalidInput(
                    f"the type index lists every {spec.name}; filter with .where() instead of "
                    f"{', '.join(given)}"
                )
            return QuerySpec(table, (type_condition,), entity=entity, index=index)
        found = spec.indexes.get(index)
        if found is None:
            raise InvalidInput(f"{spec.name} has no key on index {index!r}")
        # An LSI shares the table's partition key: its sources hold only the sort key.
        sources = (spec.key[0], *found) if isinstance(table.index(index), LSI) else found
    idx = None if index is None else table.index(index)
    if idx is not None and idx.multi_attribute:
        conditions = _multi_attribute(spec, where, idx.attributes, len(idx.pk), given)
    else:
        conditions = _conjuncts_for(spec, where, sources, given)
    if given:
        raise InvalidInput(
            f"{', '.join(map(repr, given))} is not part of {spec.name}'s key{where}; "
            "filter with .where(attr(...) == ...)"
        )
    return QuerySpec(table, tuple(conditions), entity=entity, index=index)


def _multi_attribute(
    spec: EntitySpec,
    where: str,
    attributes: Sequence[Any],
    partition_count: int,
    given: dict[str, Any],
) -> list[Condition]:
    conditions: list[Condition] = []
    stopped = None
    for position, attribute in enumerate(attributes):
        name = attribute.name
        if name not in given:
            if position < partition_count:
                raise InvalidInput(f"query of {spec.name}{where} needs {name!r}")
            stopped = stopped or name
            continue
        if stopped is not None:
            raise InvalidInput(
                f"query of {spec.name}{where}: give {stopped!r} to use {name!r} "
                "(sort attributes are matched left to right)"
            )
        conditions.append(attr.name(name) == storable_field(spec, name, given.pop(name)))
    return conditions


def table_query(
    table: Table | str,
    key_condition: Condition | None,
    index: str | None,
    equals: Mapping[str, Any],
) -> QuerySpec:
    """The spec of a plain-dict query: a key condition and/or attribute equalities."""
    if not isinstance(table, Table):
        raise InvalidInput("query needs the Table definition: db.table(Table(...))")
    conditions = [attr.name(name) == value for name, value in equals.items()]
    if key_condition is not None:
        conditions.append(condition(key_condition))
    if not conditions:
        raise InvalidInput("a query needs a key condition (at least the partition key)")
    if index is not None:
        table.index(index)
    return QuerySpec(table, tuple(conditions), index=index)


# --------------------------------------------------------------------------- cursors


_CURSOR_VERSION = "c1"


def _encode_value(av: Mapping[str, Any]) -> Any:
    ((kind, value),) = av.items()
    if kind == "B":
        return ["B", base64.b64encode(bytes(value)).decode()]
    return [kind, value]


def _mac(payload: bytes, query: QuerySpec, ctx: Context) -> str:
    digest = hashlib.blake2b(
        payload + b"\0" + query.fingerprint(ctx),
        key=ctx.cursor_secret[:64],
        digest_size=12,
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())


def encode_cursor(
    last_key: Mapping[str, Any], query: QuerySpec, ctx: Context = DEFAULT_CONTEXT
) -> str:
    """An opaque, URL-safe cursor for a ``LastEvaluatedKey`` of ``query``.

    The key's attribute types are kept (``N`` stays a number, ``B`` bytes); a checksum binds
    the cursor to the query (table, index, key condition, filter, order) and to the
    database's ``cursor_secret``, so a cursor of another query, or an edited one, is refused.
    """
    data = {name: _encode_value(av) for name, av in sorted(last_key.items())}
    payload = json.dumps(data, separators=(",", ":")).encode()
    return f"{_CURSOR_VERSION}.{_b64(payload)}.{_mac(payload, query, ctx)}"


def decode_cursor(cursor: str, query: QuerySpec, ctx: Context = DEFAULT_CONTEXT) -> dict[str, Any]:
    """The ``ExclusiveStartKey`` a cursor of ``query`` stands for.

    Raises:
        InvalidInput: not a cursor, edited, or made by another query.
    """
    if not isinstance(cursor, str):
        raise InvalidInput(f"a cursor is the text of Page.cursor, got {type(cursor).__name__}")
    parts = cursor.split(".")
    shown = cursor if len(cursor) <= 40 else cursor[:37] + "..."
    if len(parts) != 3 or parts[0] != _CURSOR_VERSION:
        raise InvalidInput(f"not a sortkey page cursor: {shown!r}")
    try:
        payload = _unb64(parts[1])
        mac = parts[2]
    except (ValueError, binascii.Error):
        raise InvalidInput(f"not a sortkey page cursor: {shown!r}") from None
    if not hmac.compare_digest(mac, _mac(payload, query, ctx)):
        raise InvalidInput(
            f"cursor {shown!r} does not belong to this query (another table, index, key, "
            "filter or order), or was altered; start again without a cursor"
        )
    try:
        data = json.loads(payload)
        out: dict[str, Any] = {}
        for name, (kind, value) in data.items():
            out[name] = {"B": base64.b64decode(value)} if kind == "B" else {kind: value}
    except (ValueError, TypeError, AttributeError, binascii.Error) as exc:
        raise InvalidInput(f"not a sortkey page cursor: {shown!r}") from exc
    expected = query.key_attributes()
    if sorted(out) != sorted(expected) or any(
        next(iter(out[n])) != kind for n, kind in expected.items()
    ):
        raise InvalidInput(f"cursor {shown!r} does not hold a key of this query's table/index")
    return out


# --------------------------------------------------------------------------- flows


def query_items(query: QuerySpec, ctx: Context = DEFAULT_CONTEXT) -> Flow[None]:
    """Every result, page after page (one :class:`~.steps.EmitEach` per page), up to the limit.

    The next page is requested only once the caller has taken every item of this one, so a
    caller that stops early sends nothing more; the limit ends the flow with the item that
    reaches it, without reading further pages.
    """
    params = query.params(ctx)
    remaining = query.limit
    parse = query.parser()
    while True:
        if remaining is not None:
            params["Limit"] = remaining
        # Each page's request gets its own dict (a Request is a value; the next page's start
        # key must not change the one already sent), so ``params`` is not copied here.
        response: dict[str, Any] = yield from send(Request(query.operation, params))
        items = response.get("Items")
        if items:
            if remaining is not None:
                if len(items) >= remaining:
                    yield EmitEach(items[:remaining], parse)
                    return None
                remaining -= len(items)
            yield EmitEach(items, parse)
        last = response.get("LastEvaluatedKey")
        if not last:
            return None
        params = {**params, "ExclusiveStartKey": last}


def query_page(query: QuerySpec, ctx: Context = DEFAULT_CONTEXT) -> Flow[Page]:
    """One Query (or Scan) call: its items and the cursor of the next page."""
    response: dict[str, Any] = yield from send(Request(query.operation, query.params(ctx)))
    last = response.get("LastEvaluatedKey")
    parse = query.parser()
    items = [parse(item) for item in response.get("Items", [])]
    return Page(items, encode_cursor(last, query, ctx) if last else None)


def count_flow(query: QuerySpec, ctx: Context = DEFAULT_CONTEXT) -> Flow[int]:
    """How many items match (after the filter), reading every page with ``Select=COUNT``.

    With a limit, counting stops there.
    """
    params = replace(query, projection=None).params(ctx)
    params["Select"] = "COUNT"
    total = 0
    while True:
        if query.limit is not None:
            params["Limit"] = query.limit - total
        response: dict[str, Any] = yield from send(Request(query.operation, dict(params)))
        total += int(response.get("Count", 0))
        last = response.get("LastEvaluatedKey")
        if not last or (query.limit is not None and total >= query.limit):
            return total
        params["ExclusiveStartKey"] = last


def entity_scan(entity: type[Entity], index: str | None = None) -> QuerySpec:
    """The spec of ``db.scan(entity)``: every item of the table, filtered to this type."""
    spec = spec_of(entity)
    if index is not None:
        spec.table.index(index)
    type_filter = attr.name(spec.table.type_attribute) == spec.type_name
    return QuerySpec(
        spec.table, (), entity=entity, index=index, filter=type_filter, operation="Scan"
    )


def table_scan(
    table: Table | str,
    index: str | None = None,
    filter: Condition | None = None,  # noqa: A002 - the DynamoDB word
) -> QuerySpec:
    """The spec of a plain Scan of a table (or one of its indexes), optionally filtered."""
    if not isinstance(table, Table):
        raise InvalidInput("scan needs the Table definition: db.table(Table(...))")
    if index is not None:
        table.index(index)
    spec = QuerySpec(table, (), index=index, operation="Scan")
    return spec if filter is None else spec.where(filter)


def type_listing(entity: type[Entity]) -> QuerySpec:
    """The spec of ``db.list(entity)``: every entity of the type, by the table's type index."""
    spec = spec_of(entity)
    type_index = spec.table.type_index
    if type_index is None:
        raise InvalidInput(
            f"table {spec.table.name!r} has no type index to list every {spec.name}; declare "
            "Table(..., type_index=GSI('TypeIndex', pk='_type', sk='_timestamp')), or "
            f"db.scan({spec.name})"
        )
    return entity_query(entity, type_index.name, {})
