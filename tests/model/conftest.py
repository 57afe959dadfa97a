"""Fixtures for entity tests (the ``db`` fixture itself is in ``tests/conftest.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from sortkey._model.table import Table
from sortkey.client import Database


def _snapshot(db: Database, table: Table) -> list[str]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"TableName": db.context.table_name(table), "ConsistentRead": True}
    while True:
        response = db.backend.call("Scan", params)
        items.extend(response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            break
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return sorted(json.dumps(item, sort_keys=True, default=repr) for item in items)


@pytest.fixture
def snapshot(db: Database) -> Callable[[Table], list[str]]:
    """Every item of a table (canonical text, sorted): compare to assert nothing changed."""
    return lambda table: _snapshot(db, table)
