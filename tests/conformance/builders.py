"""Short constructors for conformance requests: Python values in, wire format out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .harness import WAIT, Req

Wire = dict[str, Any]


@dataclass(frozen=True)
class Num:
    """A number given as its exact text (``Num("1E+2")``)."""

    text: str


def av(value: Any) -> Wire:
    """The AttributeValue of a Python value (str S, int/float/Decimal/Num N, bytes B, ...)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Num):
        return {"N": value.text}
    if isinstance(value, (int, float, Decimal)):
        return {"N": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (list, tuple)):
        return {"L": [av(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": {k: av(v) for k, v in value.items()}}
    if isinstance(value, (set, frozenset)):
        members = sorted(value, key=str)
        if all(isinstance(m, str) for m in members):
            return {"SS": members}
        if all(isinstance(m, bytes) for m in members):
            return {"BS": members}
        return {"NS": [m.text if isinstance(m, Num) else str(m) for m in members]}
    raise TypeError(f"no AttributeValue for {value!r}")


def item(value: Mapping[str, Any]) -> Wire:
    """An item (attribute name -> AttributeValue) from a Python mapping."""
    return {k: av(v) for k, v in value.items()}


def values(value: Mapping[str, Any]) -> Wire:
    """ExpressionAttributeValues from a Python mapping (keys include the colon)."""
    return {k: av(v) for k, v in value.items()}


_OPTIONS = ("error", "message", "why", "unordered", "paginate", "only", "drop")


def _split(kw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    opts = {k: kw.pop(k) for k in list(kw) if k in _OPTIONS or k.startswith("engine_")}
    if "names" in kw:
        kw["ExpressionAttributeNames"] = kw.pop("names")
    if "vals" in kw:
        kw["ExpressionAttributeValues"] = values(kw.pop("vals"))
    return kw, opts


def req(op: str, params: Mapping[str, Any] | None = None, **kw: Any) -> Req:
    """Any request, raw wire params; ``kw`` holds the options of :class:`Req`."""
    return Req(op, dict(params or {}), **kw)


def wait(table: str) -> Req:
    """Wait until ``table`` and its indexes are ACTIVE (not a request: never compared)."""
    return Req(WAIT, {"TableName": table})


def put(table: str, value: Mapping[str, Any], **kw: Any) -> Req:
    params, opts = _split(kw)
    return Req("PutItem", {"TableName": table, "Item": item(value), **params}, **opts)


def get(table: str, key: Mapping[str, Any], **kw: Any) -> Req:
    params, opts = _split(kw)
    return Req("GetItem", {"TableName": table, "Key": item(key), **params}, **opts)


def delete(table: str, key: Mapping[str, Any], **kw: Any) -> Req:
    params, opts = _split(kw)
    return Req("DeleteItem", {"TableName": table, "Key": item(key), **params}, **opts)


def update(table: str, key: Mapping[str, Any], expression: str | None, **kw: Any) -> Req:
    params, opts = _split(kw)
    body: Wire = {"TableName": table, "Key": item(key), **params}
    if expression is not None:
        body["UpdateExpression"] = expression
    return Req("UpdateItem", body, **opts)


def query(table: str, condition: str | None, **kw: Any) -> Req:
    params, opts = _split(kw)
    body: Wire = {"TableName": table, **params}
    if condition is not None:
        body["KeyConditionExpression"] = condition
    return Req("Query", body, **opts)


def scan(table: str, **kw: Any) -> Req:
    params, opts = _split(kw)
    opts.setdefault("unordered", True)
    return Req("Scan", {"TableName": table, **params}, **opts)


def describe(table: str, **kw: Any) -> Req:
    params, opts = _split(kw)
    return Req("DescribeTable", {"TableName": table, **params}, **opts)


def create_table(
    table: str,
    keys: list[tuple[str, str, str]] | None = None,
    *,
    attrs: Mapping[str, str] | None = None,
    **kw: Any,
) -> Req:
    """CreateTable: ``keys`` as ``(name, type, HASH|RANGE)``; PAY_PER_REQUEST unless given."""
    params, opts = _split(kw)
    body: Wire = {"TableName": table}
    if keys is not None:
        definitions = {name: kind for name, kind, _ in keys}
        definitions.update(attrs or {})
        body["KeySchema"] = [{"AttributeName": n, "KeyType": t} for n, _, t in keys]
        body["AttributeDefinitions"] = [
            {"AttributeName": n, "AttributeType": k} for n, k in definitions.items()
        ]
    if "ProvisionedThroughput" not in params and "BillingMode" not in params:
        body["BillingMode"] = "PAY_PER_REQUEST"
    body.update(params)
    return Req("CreateTable", body, **opts)


def gsi(
    name: str,
    hash_keys: str | list[str],
    range_keys: str | list[str] | None = None,
    projection: str = "ALL",
    include: list[str] | None = None,
) -> Wire:
    """A GlobalSecondaryIndex (or, without throughput, LocalSecondaryIndex) definition."""
    hashes = [hash_keys] if isinstance(hash_keys, str) else hash_keys
    ranges = [range_keys] if isinstance(range_keys, str) else (range_keys or [])
    proj: Wire = {"ProjectionType": projection}
    if include is not None:
        proj["NonKeyAttributes"] = include
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": h, "KeyType": "HASH"} for h in hashes]
        + [{"AttributeName": r, "KeyType": "RANGE"} for r in ranges],
        "Projection": proj,
    }


def batch_get(requests: Mapping[str, list[Mapping[str, Any]]], **kw: Any) -> Req:
    """BatchGetItem: ``{table: [key, ...]}``; per-table options via ``per_table``."""
    per_table = kw.pop("per_table", {})
    params, opts = _split(kw)
    items = {
        t: {"Keys": [item(k) for k in keys], **per_table.get(t, {})} for t, keys in requests.items()
    }
    return Req("BatchGetItem", {"RequestItems": items, **params}, **opts)


def batch_write(requests: Mapping[str, list[Wire]], **kw: Any) -> Req:
    """BatchWriteItem: ``{table: [wput(...), wdel(...)]}``."""
    params, opts = _split(kw)
    return Req("BatchWriteItem", {"RequestItems": dict(requests), **params}, **opts)


def wput(value: Mapping[str, Any]) -> Wire:
    return {"PutRequest": {"Item": item(value)}}


def wdel(key: Mapping[str, Any]) -> Wire:
    return {"DeleteRequest": {"Key": item(key)}}


def transact_write(*entries: Wire, **kw: Any) -> Req:
    params, opts = _split(kw)
    return Req("TransactWriteItems", {"TransactItems": list(entries), **params}, **opts)


def transact_get(*entries: Wire, **kw: Any) -> Req:
    params, opts = _split(kw)
    return Req("TransactGetItems", {"TransactItems": list(entries), **params}, **opts)


def _expr_params(kw: dict[str, Any]) -> Wire:
    out = dict(kw)
    if "names" in out:
        out["ExpressionAttributeNames"] = out.pop("names")
    if "vals" in out:
        out["ExpressionAttributeValues"] = values(out.pop("vals"))
    return out


def tput(table: str, value: Mapping[str, Any], **kw: Any) -> Wire:
    return {"Put": {"TableName": table, "Item": item(value), **_expr_params(kw)}}


def tupdate(table: str, key: Mapping[str, Any], expression: str, **kw: Any) -> Wire:
    body = {"TableName": table, "Key": item(key), "UpdateExpression": expression}
    return {"Update": {**body, **_expr_params(kw)}}


def tdelete(table: str, key: Mapping[str, Any], **kw: Any) -> Wire:
    return {"Delete": {"TableName": table, "Key": item(key), **_expr_params(kw)}}


def tcheck(table: str, key: Mapping[str, Any], condition: str, **kw: Any) -> Wire:
    body = {"TableName": table, "Key": item(key), "ConditionExpression": condition}
    return {"ConditionCheck": {**body, **_expr_params(kw)}}


def tget(table: str, key: Mapping[str, Any], **kw: Any) -> Wire:
    return {"Get": {"TableName": table, "Key": item(key), **_expr_params(kw)}}
