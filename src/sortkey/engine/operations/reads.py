"""Query and Scan: key ranges, indexes, filters, projections, paging.

Paging follows DynamoDB Local: items are read in key order; a page ends after ``Limit`` items
were read (whether or not the filter kept them; a ``LastEvaluatedKey`` is returned even when
nothing follows, except when a table Query ends on the inclusive bound of its ``<=`` / ``>=`` /
``BETWEEN`` condition), or when the items read so far reach 1 MB before the next one is read
(no ``LastEvaluatedKey`` when nothing follows). Filters run after reading: ``ScannedCount`` counts
items read, ``Count`` items kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import values
from ..errors import validation
from ..keys import encode_value, partition_hash, partition_key, segment_bounds
from ..storage import RangeBounds, StoredItem, decode_item, prefix_successor
from .capacity import read_consumed, read_units
from .catalog import Catalog, project_for_index
from .common import refuse_legacy, return_capacity, table_name
from .exprs import Expressions
from .schema import AV, IndexSchema, Item, TableSchema

PAGE_BYTES = 1024 * 1024

_SELECT = ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT")


def _index(schema: TableSchema, params: dict[str, Any]) -> IndexSchema | None:
    name = params.get("IndexName")
    if name is None:
        return None
    index = schema.indexes.get(name)
    if index is None:
        raise validation(f"The table does not have the specified index: {name}")
    return index


def _select(
    params: dict[str, Any], index: IndexSchema | None, has_projection: bool, op: str
) -> str:
    select = params.get("Select")
    if select is not None and select not in _SELECT:
        raise validation(
            "Select must be ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, COUNT, or SPECIFIC_ATTRIBUTES"
        )
    if select is None:
        if has_projection:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
    if select == "SPECIFIC_ATTRIBUTES" and not has_projection:
        raise validation(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES"
        )
    if select == "COUNT" and has_projection:
        raise validation(
            "Cannot specify the ProjectionExpression when choosing to get only the Count"
        )
    if select == "ALL_ATTRIBUTES" and has_projection:
        raise validation(
            "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
        )
    if select == "ALL_PROJECTED_ATTRIBUTES":
        if index is None:
            # DynamoDB Local says "Querying" for Scan too.
            raise validation(
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
            )
        if has_projection:
            raise validation(
                "Cannot specify the ProjectionExpression when choosing to get "
                "ALL_PROJECTED_ATTRIBUTES"
            )
    if (
        select == "ALL_ATTRIBUTES"
        and index is not None
        and not index.local
        and index.projection_type != "ALL"
    ):
        raise validation(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
            f"supported for global secondary index {index.name} because its projection type "
            "is not ALL"
        )
    return str(select)


def _limit(params: dict[str, Any]) -> int | None:
    limit = params.get("Limit")
    if limit is None:
        return None
    if not isinstance(limit, int) or limit < 1:
        raise validation("Limit must be greater than or equal to 1")
    return limit


def _key_names(schema: TableSchema, index: IndexSchema | None) -> list[str]:
    """Attributes a LastEvaluatedKey holds: the index keys (if any), then the table keys."""
    names = list(index.key_names) if index is not None else []
    names.extend(n for n in schema.key_names if n not in names)
    return names


def _check_start_key(schema: TableSchema, index: IndexSchema | None, start: Any) -> Item:
    names = _key_names(schema, index)
    if not isinstance(start, dict):
        raise validation("The provided starting key is invalid")
    values.validate_item_size(start)
    if index is None:
        if len(start) != len(names):
            raise validation("Exclusive Start Key must have same size as table's key schema")
    elif set(start) != set(names):
        raise validation("The provided starting key is invalid")
    for name in names:
        if name not in start:
            raise validation("The provided starting key is invalid")
        if schema.attribute_types[name] not in start[name]:
            raise validation("Type mismatch for attribute to update")
    return values.normalize_item_numbers(start)


def _entry_after(schema: TableSchema, index: IndexSchema, start: Item) -> tuple[bytes, ...]:
    table_key = schema.storage_key(start)
    entry = schema.index_key(index, start, table_key)
    if entry is None:
        raise validation("The provided starting key is invalid")
    return entry


def _bounds(op: str | None, operands: list[AV]) -> RangeBounds:
    if op is None:
        return RangeBounds()
    encoded = [encode_value(v) for v in operands]
    if op == "=":
        return RangeBounds(encoded[0], encoded[0])
    if op == "<":
        return RangeBounds(high=encoded[0], high_inclusive=False)
    if op == "<=":
        return RangeBounds(high=encoded[0])
    if op == ">":
        return RangeBounds(encoded[0], low_inclusive=False)
    if op == ">=":
        return RangeBounds(encoded[0])
    if op == "BETWEEN":
        return RangeBounds(encoded[0], encoded[1])
    if op == "begins_with":
        return RangeBounds(encoded[0], prefix_successor(encoded[0]), high_inclusive=False)
    raise validation(f"Query key condition not supported: {op}")


def _part(av: AV) -> bytes:
    # One component of keys.encode_composite: escaped value, then the 0x00 0x01 terminator.
    return encode_value(av).replace(b"\x00", b"\x00\xff") + b"\x00\x01"


def _composite_bounds(equalities: list[AV], op: str | None, operands: list[AV]) -> RangeBounds:
    """Sort-key range on a multi-attribute sort key (see :func:`keys.encode_composite`)."""
    prefix = b"".join(_part(values.normalize_item_numbers({"v": v})["v"]) for v in equalities)
    after_prefix = prefix_successor(prefix) if prefix else None
    if op is None:
        return RangeBounds(prefix or None, after_prefix, high_inclusive=False)
    if op == "begins_with":
        start = prefix + encode_value(operands[0]).replace(b"\x00", b"\x00\xff")
        return RangeBounds(start, prefix_successor(start), high_inclusive=False)
    first = prefix + _part(operands[0])
    if op == "=":
        return RangeBounds(first, prefix_successor(first), high_inclusive=False)
    if op == "<":
        return RangeBounds(prefix or None, first, high_inclusive=False)
    if op == "<=":
        return RangeBounds(prefix or None, prefix_successor(first), high_inclusive=False)
    if op == ">":
        return RangeBounds(prefix_successor(first), after_prefix, high_inclusive=False)
    if op == ">=":
        return RangeBounds(first, after_prefix, high_inclusive=False)
    if op == "BETWEEN":
        last = prefix + _part(operands[1])
        return RangeBounds(first, prefix_successor(last), high_inclusive=False)
    raise validation(f"Query key condition not supported: {op}")


class _Page:
    """Accumulates one page of results."""

    def __init__(
        self,
        schema: TableSchema,
        index: IndexSchema | None,
        select: str,
        projection: Any,
        condition: Any,
        limit: int | None,
    ) -> None:
        self.schema = schema
        self.index = index
        self.select = select
        self.projection = projection
        self.condition = condition
        self.limit = limit
        self.items: list[Item] = []
        self.count = 0
        self.scanned = 0
        self.size = 0
        self.fetched: list[int] = []  # sizes of items a local index read from the table
        self.last: Item | None = None

    def run(self, rows: Iterator[tuple[bytes, bytes, StoredItem, int]]) -> None:
        """Read rows until the page is full."""
        # Locals instead of attributes in the loop: it runs once per item read.
        condition = self.condition
        limit = self.limit
        keep = self.select != "COUNT"
        # Without an index or a projection, items are returned as stored.
        plain = self.index is None and self.projection is None
        items = self.items
        append = items.append
        size = self.size
        scanned = self.scanned
        count = self.count
        last: Item | None = None
        try:
            for _hk, _rk, data, item_bytes in rows:
                if size >= PAGE_BYTES:
                    return  # last stays set: there is more to read
                item = decode_item(data)
                scanned += 1
                size += item_bytes
                last = item
                if condition is None or condition.evaluate(item):
                    count += 1
                    if keep:
                        append(item if plain else self._shape(item))
                if limit is not None and scanned >= limit:
                    return
            last = None  # everything was read
        finally:
            self.size, self.scanned, self.count, self.last = size, scanned, count, last
            rows.close()  # type: ignore[attr-defined]

    def _shape(self, item: Item) -> Item:
        index = self.index
        # A local index fetches missing attributes from the table; a global one cannot.
        fetch = self.select == "ALL_ATTRIBUTES" or (
            index is not None and index.local and self.projection is not None
        )
        if index is not None and not fetch:
            item = project_for_index(self.schema, index, item)
        elif index is not None and index.local and index.projection_type != "ALL":
            self.fetched.append(values.item_size(item))
        if self.projection is not None:
            return dict(self.projection.apply(item))
        return item

    def response(self, consistent: bool, capacity: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.select != "COUNT":
            out["Items"] = self.items
        out["Count"] = self.count
        out["ScannedCount"] = self.scanned
        if self.last is not None:
            names = _key_names(self.schema, self.index)
            out["LastEvaluatedKey"] = {n: self.last[n] for n in names}
        if capacity != "NONE":
            consumed = read_consumed(self.schema.name, self.size, consistent, self.index)
            # Attributes a local index does not hold are read from the table, item by item.
            consumed.table += sum(read_units(size, consistent) for size in self.fetched)
            out["ConsumedCapacity"] = consumed.wire(capacity)
        return out


def _check_projected(schema: TableSchema, index: IndexSchema | None, projection: Any) -> None:
    """A global index cannot return attributes it does not project."""
    if projection is None or index is None or index.local or index.projection_type == "ALL":
        return
    held = set(schema.key_names) | set(index.key_names)
    held.update(index.projection.get("NonKeyAttributes", []))
    missing = [name for name in projection.top_level_names if name not in held]
    if missing:
        raise validation(
            "One or more parameter values were invalid: Global secondary index "
            f"{index.name} does not project [{', '.join(missing)}]"
        )


def _consistent(params: dict[str, Any], index: IndexSchema | None) -> bool:
    consistent = bool(params.get("ConsistentRead"))
    if consistent and index is not None and not index.local:
        raise validation("Consistent reads are not supported on global secondary indexes")
    return consistent


def _check_filter_keys(condition: Any, names: list[str]) -> None:
    if condition is None:
        return
    used = {path[0] for path in getattr(condition, "paths", ()) if path}
    for name in names:
        if name in used:
            raise validation(
                "Filter Expression can only contain non-primary key attributes: "
                f"Primary key attribute: {name}"
            )


def query(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """Query."""
    refuse_legacy(params)
    schema = catalog.table(table_name(params))
    index = _index(schema, params)
    exprs = Expressions(params)
    projection = exprs.projection()
    select = _select(params, index, projection is not None, "Querying")
    _check_projected(schema, index, projection)
    limit = _limit(params)
    consistent = _consistent(params, index)
    capacity = return_capacity(params)
    hash_names = index.hash_attrs if index is not None else [schema.hash_key]
    range_names = (
        index.range_attrs
        if index is not None
        else ([schema.range_key] if schema.range_key is not None else [])
    )
    key_condition = exprs.key_condition(
        hash_names,
        range_names,
        schema.attribute_types,
        table_keys=schema.key_names if index is not None else None,
    )
    if key_condition is None:
        raise validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
            "the request."
        )
    condition = exprs.filter()
    exprs.finish()
    _check_filter_keys(condition, hash_names + range_names)
    if condition is not None:
        schema.check_key_paths(condition.paths)
    hash_values = _hash_values(schema, key_condition, hash_names)
    operands = _range_values(schema, key_condition, range_names)
    if len(range_names) > 1:
        bounds = _composite_bounds(key_condition.range_equalities, key_condition.range_op, operands)
    else:
        bounds = _bounds(key_condition.range_op, operands)
    forward = params.get("ScanIndexForward", True) is not False
    start = params.get("ExclusiveStartKey")
    page = _Page(schema, index, select, projection, condition, limit)
    storage = catalog.storage
    if index is None:
        hk = partition_key(hash_values)
        after = None
        if start is not None:
            start_item = _check_start_key(schema, None, start)
            start_key = schema.storage_key(start_item)
            if start_key[0] != hk:
                raise validation("The provided starting key does not match the range key predicate")
            if not bounds.contains(start_key[1]):
                raise validation(
                    "The provided starting key is outside query boundaries based on provided "
                    "conditions"
                )
            after = start_key[1]
        page.run(storage.query(schema.id, hk, bounds, forward=forward, after=after))
        if page.last is not None and _ends_at_bound(schema, page.last, key_condition, forward):
            page.last = None
    else:
        hk = schema.index_partition(index, hash_values)
        after_entry = None
        if start is not None:
            start_item = _check_start_key(schema, index, start)
            entry = _entry_after(schema, index, start_item)
            if entry[0] != hk:
                raise validation("The provided starting key does not match the range key predicate")
            after_entry = (entry[1], entry[2], entry[3], entry[4])
        page.run(
            storage.query_index(
                schema.id, index.number, hk, bounds, forward=forward, after=after_entry
            )
        )
    return page.response(consistent, capacity)


def _ends_at_bound(schema: TableSchema, last: Item, key_condition: Any, forward: bool) -> bool:
    """Whether a full page ended on the inclusive bound it read towards (table queries).

    DynamoDB Local then omits ``LastEvaluatedKey``: forward with ``<=`` or ``BETWEEN``,
    backward with ``>=`` or ``BETWEEN`` (not with ``=``, measured).
    """
    op = key_condition.range_op
    if schema.range_key is None or op not in ("<=", ">=", "BETWEEN"):
        return False
    if op == "BETWEEN":
        bound = key_condition.range_values[1 if forward else 0]
    elif (op == "<=") == forward:
        bound = key_condition.range_values[0]
    else:
        return False
    return values.equal(last[schema.range_key], bound)


def _hash_values(schema: TableSchema, key_condition: Any, names: list[str]) -> list[AV]:
    found = getattr(key_condition, "hash_values", None)
    hash_values: list[AV] = list(found) if found is not None else [key_condition.hash_value]
    out = []
    for name, av in zip(names, hash_values, strict=False):
        if schema.attribute_types[name] not in av:
            raise validation(
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type"
            )
        out.append(values.normalize_item_numbers({"v": av})["v"])
    return out


def _range_values(schema: TableSchema, key_condition: Any, names: list[str]) -> list[AV]:
    # Types were checked by the key-condition parser; numbers are compared in canonical form.
    if key_condition.range_op is None:
        return []
    return [values.normalize_item_numbers({"v": av})["v"] for av in key_condition.range_values]


def _segment(params: dict[str, Any]) -> tuple[int, int] | None:
    segment = params.get("Segment")
    total = params.get("TotalSegments")
    if segment is None and total is None:
        return None
    if total is None:
        raise validation("If segment is specified, total segment must also be specified")
    if segment is None:
        raise validation(
            "If total segments is specified, a particular segment must also be specified for "
            "this request"
        )
    if not isinstance(total, int) or not isinstance(segment, int):
        raise validation("Segment and TotalSegments must be integers")
    if total > 1000000:
        raise validation(
            f"1 validation error detected: Value '{total}' at 'totalSegments' failed to satisfy "
            "constraint: Member must have value less than or equal to 1000000"
        )
    if segment < 0 or segment >= total:
        raise validation(
            f"1 validation error detected: Value '{segment}' at 'segment' failed to satisfy "
            f"constraint: Member must have value less than or equal to {total - 1}"
        )
    return segment, total


def scan(catalog: Catalog, params: dict[str, Any]) -> dict[str, Any]:
    """Scan (optionally one segment of a parallel scan)."""
    refuse_legacy(params)
    schema = catalog.table(table_name(params))
    index = _index(schema, params)
    exprs = Expressions(params, absent="FilterExpression is null")
    projection = exprs.projection()
    select = _select(params, index, projection is not None, "Scanning")
    _check_projected(schema, index, projection)
    limit = _limit(params)
    consistent = _consistent(params, index)
    capacity = return_capacity(params)
    condition = exprs.filter()
    exprs.finish()
    if condition is not None:
        schema.check_key_paths(condition.paths)
    segment = _segment(params)
    start = params.get("ExclusiveStartKey")
    page = _Page(schema, index, select, projection, condition, limit)
    storage = catalog.storage
    if index is None:
        after = None
        if start is not None:
            after = schema.storage_key(_check_start_key(schema, None, start))
        low = high = None
        if segment is not None:
            low, high = segment_bounds(*segment)
        page.run(storage.scan(schema.id, after=after, low=low, high=high))
    else:
        after_entry = None
        if start is not None:
            after_entry = _entry_after(schema, index, _check_start_key(schema, index, start))
        rows = storage.scan_index(
            schema.id,
            index.number,
            after=after_entry,  # type: ignore[arg-type]
            local=index.local,
        )
        if segment is not None:
            rows = _in_segment(schema, index, rows, *segment)
        page.run(rows)
    return page.response(consistent, capacity)


def _in_segment(
    schema: TableSchema,
    index: IndexSchema,
    rows: Iterator[tuple[bytes, bytes, StoredItem, int]],
    segment: int,
    total: int,
) -> Iterator[tuple[bytes, bytes, StoredItem, int]]:
    """Keep the index entries whose partition hash falls in the segment."""
    low, high = segment_bounds(segment, total)
    try:
        for row in rows:
            item = decode_item(row[2])
            digest = partition_hash([item[n] for n in index.hash_attrs])
            if digest >= low and (high is None or digest < high):
                yield row
    finally:
        rows.close()  # type: ignore[attr-defined]
