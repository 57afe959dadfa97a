"""Fixtures for the async client: ``with_adb`` runs a coroutine on a fresh ``AsyncDatabase``.

pytest-asyncio is not used: each test is a plain function that hands an ``async def`` body to
``with_adb``, which runs it with :func:`asyncio.run` on each real engine in turn — DynamoDB
Local through aiobotocore, and the embedded engine in memory. aiobotocore clients belong to
the loop that opened them, so each run opens and closes its own backend.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from sortkey.aio import AsyncDatabase
from sortkey.backends.aiobotocore import AiobotocoreBackend
from sortkey.backends.base import AsyncBackend, Backend
from sortkey.backends.embedded import EmbeddedBackend

BACKENDS = ["local", "embedded"]  # as in tests/conftest.py
_numbers = itertools.count()
T = TypeVar("T")
Body = Callable[[AsyncDatabase], Awaitable[T]]
WithDatabase = Callable[[Body[Any]], Any]


@pytest.fixture(params=BACKENDS)
def with_adb(request: pytest.FixtureRequest) -> Iterator[WithDatabase]:
    """``with_adb(body)``: ``asyncio.run(body(db))`` on a fresh AsyncDatabase, per backend.

    Tables get a per-test prefix; on DynamoDB Local they are deleted after the test.
    """
    prefix = f"a{os.getpid()}_{next(_numbers)}_"
    cleanup: Backend | None = None
    if request.param == "local":
        endpoint = request.getfixturevalue("dynamodb_local").endpoint_url
        cleanup = request.getfixturevalue("local_backend")

        def make() -> AsyncBackend | Backend:
            return AiobotocoreBackend(endpoint, max_attempts=1)

    elif request.param == "embedded":

        def make() -> AsyncBackend | Backend:
            return EmbeddedBackend()

    else:
        raise AssertionError(f"unknown backend {request.param}")

    def run(body: Body[Any]) -> Any:
        async def main() -> Any:
            async with AsyncDatabase(make(), table_prefix=prefix) as db:
                return await body(db)

        return asyncio.run(main())

    yield run
    if cleanup is not None:
        for name in cleanup.call("ListTables", {}).get("TableNames", []):
            if name.startswith(prefix):
                cleanup.call("DeleteTable", {"TableName": name})
