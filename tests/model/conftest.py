"""Fixtures for entity tests: a ``Database`` on every real backend, one table namespace per test."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sortkey._model.table import Table
from sortkey.backends import Backend
from sortkey.client import Database

_numbers = itertools.count()


@pytest.fixture
def db(backend: Backend) -> Iterator[Database]:
    """A Database whose tables (named with a per-test prefix) are deleted after the test."""
    prefix = f"m{os.getpid()}_{next(_numbers)}_"
    database = Database(backend, table_prefix=prefix)
    yield database
    names = backend.call("ListTables", {}).get("TableNames", [])
    for name in names:
        if name.startswith(prefix):
            backend.call("DeleteTable", {"TableName": name})


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
