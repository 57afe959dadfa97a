"""Table lifecycle: CreateTable (then wait, then TTL), DeleteTable, and ensure (create or check).

``ensure_table_flow`` compares the live table with the definition and reports every
difference at once (key schema, attribute types, indexes and their projections, TTL).
"""

from __future__ import annotations

from typing import Any

from .._model.table import GSI, LSI, Table
from ..errors import DefinitionError, TableNotFound
from .steps import DEFAULT_CONTEXT, Context, Flow, Request, Sleep, send

__all__ = ["create_table", "create_table_flow", "delete_table", "ensure_table_flow"]

_POLL_SECONDS = 0.5
_MAX_POLLS = 600


def _index_params(index: GSI | LSI) -> dict[str, Any]:
    return {
        "IndexName": index.name,
        "KeySchema": index.key_schema(),
        "Projection": index.projection(),
    }


def create_table(table: Table, *, ctx: Context = DEFAULT_CONTEXT) -> Request[dict[str, Any]]:
    """The CreateTable request: keys, attribute definitions, indexes, on-demand billing.

    Example:
        >>> from sortkey._model.table import GSI
        >>> t = Table("Users", pk="PK", sk="SK", indexes=[GSI("UserID-index", pk="UserID")])
        >>> create_table(t).params["GlobalSecondaryIndexes"][0]["KeySchema"]
        [{'AttributeName': 'UserID', 'KeyType': 'HASH'}]
    """
    definitions: dict[str, str] = {}
    for attribute in table.key_attributes():
        definitions.setdefault(attribute.name, attribute.type)
    params: dict[str, Any] = {
        "TableName": ctx.table_name(table),
        "KeySchema": [{"AttributeName": table.pk_attribute.name, "KeyType": "HASH"}]
        + (
            [{"AttributeName": table.sk_attribute.name, "KeyType": "RANGE"}]
            if table.sk_attribute
            else []
        ),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in definitions.items()
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    gsis = [i for i in table.all_indexes.values() if isinstance(i, GSI)]
    lsis = [i for i in table.all_indexes.values() if isinstance(i, LSI)]
    if gsis:
        params["GlobalSecondaryIndexes"] = [_index_params(i) for i in gsis]
    if lsis:
        params["LocalSecondaryIndexes"] = [_index_params(i) for i in lsis]
    return Request("CreateTable", params)


def _describe(table: Table, ctx: Context) -> Request[dict[str, Any]]:
    return Request(
        "DescribeTable",
        {"TableName": ctx.table_name(table)},
        parse=lambda r: dict(r.get("Table", {})),
    )


def _active(description: dict[str, Any]) -> bool:
    if description.get("TableStatus") != "ACTIVE":
        return False
    return all(
        g.get("IndexStatus", "ACTIVE") == "ACTIVE"
        for g in description.get("GlobalSecondaryIndexes", [])
    )


def create_table_flow(table: Table, *, ctx: Context = DEFAULT_CONTEXT) -> Flow[None]:
    """Create the table, wait until it and its indexes are active, then enable TTL."""
    yield from send(create_table(table, ctx=ctx))
    for _ in range(_MAX_POLLS):
        description = yield from send(_describe(table, ctx))
        if _active(description):
            break
        yield Sleep(_POLL_SECONDS)
    if table.ttl:
        yield from send(
            Request(
                "UpdateTimeToLive",
                {
                    "TableName": ctx.table_name(table),
                    "TimeToLiveSpecification": {"Enabled": True, "AttributeName": table.ttl},
                },
            )
        )
    return None


def delete_table(table: Table, *, ctx: Context = DEFAULT_CONTEXT) -> Request[None]:
    """The DeleteTable request."""
    return Request("DeleteTable", {"TableName": ctx.table_name(table)}, parse=lambda r: None)


def _schema(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["AttributeName"], e["KeyType"]) for e in entries]


def _projection(p: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    return p.get("ProjectionType", "ALL"), tuple(sorted(p.get("NonKeyAttributes", [])))


def differences(table: Table, live: dict[str, Any], ttl: dict[str, Any] | None) -> list[str]:
    """What differs between the definition and a DescribeTable (+ DescribeTimeToLive)."""
    wanted = create_table(table).params
    out: list[str] = []
    if _schema(live.get("KeySchema", [])) != _schema(wanted["KeySchema"]):
        out.append(
            f"key schema is {_schema(live.get('KeySchema', []))}, "
            f"expected {_schema(wanted['KeySchema'])}"
        )
    live_types = {
        d["AttributeName"]: d["AttributeType"] for d in live.get("AttributeDefinitions", [])
    }
    for d in wanted["AttributeDefinitions"]:
        name, kind = d["AttributeName"], d["AttributeType"]
        if name in live_types and live_types[name] != kind:
            out.append(f"attribute {name!r} has type {live_types[name]}, expected {kind}")
    for kind, key in (("global", "GlobalSecondaryIndexes"), ("local", "LocalSecondaryIndexes")):
        live_indexes = {i["IndexName"]: i for i in live.get(key, [])}
        wanted_indexes = {i["IndexName"]: i for i in wanted.get(key, [])}
        missing = sorted(wanted_indexes.keys() - live_indexes.keys())
        out.extend(f"{kind} secondary index {name!r} is missing" for name in missing)
        extra = sorted(live_indexes.keys() - wanted_indexes.keys())
        out.extend(f"{kind} secondary index {name!r} exists but is not defined" for name in extra)
        for name in sorted(wanted_indexes.keys() & live_indexes.keys()):
            have, want = live_indexes[name], wanted_indexes[name]
            if _schema(have["KeySchema"]) != _schema(want["KeySchema"]):
                out.append(
                    f"index {name!r} key schema is {_schema(have['KeySchema'])}, expected "
                    f"{_schema(want['KeySchema'])}"
                )
            if _projection(have.get("Projection", {})) != _projection(want["Projection"]):
                out.append(
                    f"index {name!r} projection is {_projection(have.get('Projection', {}))}, "
                    f"expected {_projection(want['Projection'])}"
                )
    if table.ttl and ttl is not None:
        status = ttl.get("TimeToLiveStatus", "DISABLED")
        attribute = ttl.get("AttributeName")
        if status not in ("ENABLED", "ENABLING") or attribute != table.ttl:
            out.append(f"TTL is {status} on {attribute!r}, expected ENABLED on {table.ttl!r}")
    return out


def ensure_table_flow(table: Table, *, ctx: Context = DEFAULT_CONTEXT) -> Flow[bool]:
    """Create the table if it is missing (``True``); otherwise check that it matches.

    Raises:
        DefinitionError: listing every difference between the live table and ``table``.
    """
    try:
        live = yield from send(_describe(table, ctx))
    except TableNotFound:
        yield from create_table_flow(table, ctx=ctx)
        return True
    ttl = None
    if table.ttl:
        ttl = yield from send(
            Request(
                "DescribeTimeToLive",
                {"TableName": ctx.table_name(table)},
                parse=lambda r: dict(r.get("TimeToLiveDescription", {})),
            )
        )
    problems = differences(table, live, ttl)
    if problems:
        raise DefinitionError(
            f"table {ctx.table_name(table)!r} does not match its definition: " + "; ".join(problems)
        )
    return False
