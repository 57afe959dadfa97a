"""Time to live: the sweep that deletes expired items.

An item expires when its TTL attribute is a number (epoch seconds) before now. As in DynamoDB,
expired items stay readable until a sweep deletes them. Items whose TTL value is not a number,
or is more than five years in the past (DynamoDB ignores those), are left alone.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from ..storage import decode_item
from .catalog import Catalog

_FIVE_YEARS = 5 * 365 * 24 * 3600


def expired(value: object, now: float) -> bool:
    """Whether a TTL attribute value means the item has expired at ``now``."""
    if not isinstance(value, dict) or "N" not in value:
        return False
    try:
        when = Decimal(value["N"])
    except (InvalidOperation, TypeError):
        return False
    return now - _FIVE_YEARS <= when < Decimal(repr(now))


def sweep(catalog: Catalog, now: float) -> int:
    """Delete every expired item of every table with TTL enabled; returns how many."""
    deleted = 0
    for schema in list(catalog.tables.values()):
        attribute = schema.ttl_attribute
        if attribute is None:
            continue
        # Skip items that cannot hold the attribute without decoding them: marshal stores
        # names as UTF-8 bytes, format-1 rows as JSON text.
        marker = attribute.encode("utf-8")
        json_marker = json.dumps(attribute, ensure_ascii=False)
        with catalog.storage.transaction():
            doomed = []
            for hk, rk, text, _size in catalog.storage.all_items(schema.id):
                if (marker not in text) if type(text) is bytes else (json_marker not in text):
                    continue
                item = decode_item(text)
                if expired(item.get(attribute), now):
                    doomed.append(((hk, rk), item))
            for key, item in doomed:
                catalog.write(schema, key, item, None)
            deleted += len(doomed)
    return deleted
