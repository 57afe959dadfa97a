"""Shared fixtures: DynamoDB Local (the reference engine) and the backends under test.

Integration tests take the ``backend`` fixture, parametrized over every real engine, so the
same test code runs on DynamoDB Local and on the embedded engine. In CI (``CI=true``) a
DynamoDB Local that cannot start fails the run; it is never skipped silently.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sortkey.backends import Backend, BotocoreBackend
from sortkey.backends.embedded import EmbeddedBackend
from sortkey.client import Database
from sortkey.errors import BackendUnavailable
from sortkey.local import DynamoDBLocal

# The examples' models are imported by the tests that exercise them (one definition of each).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

BACKENDS = ["local", "embedded"]
_table_numbers = itertools.count()


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """One DynamoDB Local for the whole test session."""
    local = DynamoDBLocal()
    try:
        local.start()
    except BackendUnavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"DynamoDB Local must run in CI: {exc}", pytrace=False)
        pytest.skip(f"DynamoDB Local is not available here: {exc}")
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def local_backend(dynamodb_local: DynamoDBLocal) -> Iterator[BotocoreBackend]:
    """A botocore backend talking to the session's DynamoDB Local."""
    backend = BotocoreBackend(dynamodb_local.endpoint_url, max_attempts=1)
    yield backend
    backend.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Each real engine in turn: DynamoDB Local, and the embedded engine (fresh, in memory)."""
    if request.param == "local":
        yield request.getfixturevalue("local_backend")
        return
    if request.param == "embedded":
        embedded = EmbeddedBackend()
        yield embedded
        embedded.close()
        return
    raise AssertionError(f"unknown backend {request.param}")


def unique_table_name(prefix: str = "t") -> str:
    """A table name no other test of this session uses."""
    return f"{prefix}{os.getpid()}_{next(_table_numbers)}"


@pytest.fixture
def make_table(backend: Backend) -> Iterator[Callable[..., str]]:
    """Create tables with a given schema on ``backend``; all are deleted after the test.

    ``make_table(pk=("pk", "S"), sk=("sk", "S"), **create_table_params) -> table name``
    """
    created: list[str] = []

    def make(
        pk: tuple[str, str] = ("pk", "S"),
        sk: tuple[str, str] | None = ("sk", "S"),
        **extra: Any,
    ) -> str:
        name = unique_table_name()
        keys = [(pk, "HASH")] + ([(sk, "RANGE")] if sk else [])
        definitions = {attr: kind for (attr, kind), _ in keys}
        definitions.update(extra.pop("attribute_types", {}))
        backend.call(
            "CreateTable",
            {
                "TableName": name,
                "KeySchema": [{"AttributeName": a, "KeyType": t} for (a, _), t in keys],
                "AttributeDefinitions": [
                    {"AttributeName": a, "AttributeType": k} for a, k in definitions.items()
                ],
                "BillingMode": "PAY_PER_REQUEST",
                **extra,
            },
        )
        created.append(name)
        return name

    yield make
    for name in created:
        backend.call("DeleteTable", {"TableName": name})


@pytest.fixture
def table_name(make_table: Callable[..., str]) -> str:
    """A fresh table with string keys ``pk`` (hash) and ``sk`` (range)."""
    return make_table()


@pytest.fixture
def db(backend: Backend) -> Iterator[Database]:
    """A Database on ``backend`` whose tables get a per-test prefix and are deleted after."""
    prefix = f"{unique_table_name('m')}_"
    database = Database(backend, table_prefix=prefix)
    yield database
    for name in backend.call("ListTables", {}).get("TableNames", []):
        if name.startswith(prefix):
            backend.call("DeleteTable", {"TableName": name})
