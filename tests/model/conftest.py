"""Fixtures for entity tests: a ``Database`` on every real backend, one table namespace per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

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
