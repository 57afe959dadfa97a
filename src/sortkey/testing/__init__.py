"""pytest fixtures for applications built on sortkey: a fresh database for every test.

Enable the plugin in your ``conftest.py``::

    pytest_plugins = ["sortkey.testing"]

    def test_sign_up(sortkey_db, sortkey_tables):
        sortkey_tables(app)                      # create the tables this test needs
        user = sortkey_db.create(User(email="a@example.com", ...))
        assert sortkey_db.get(User, user_id=user.user_id) == user

By default every test gets its own in-memory embedded engine: no Java, no Docker, no AWS, and
no state shared between tests. ``pytest --sortkey-url=http://127.0.0.1:8000`` (or the
``SORTKEY_TEST_URL`` environment variable) runs the same tests against DynamoDB Local, ``sortkey
serve`` or any endpoint; each test then gets its own table-name prefix, and the tables it created
are deleted afterwards. ``--sortkey-url=local`` starts AWS DynamoDB Local for the session
(:class:`sortkey.local.DynamoDBLocal`).

Fixtures:
    sortkey_db: a :class:`sortkey.Database` for this test.
    sortkey_tables: ``sortkey_tables(table, ...)`` creates tables on ``sortkey_db``.
    sortkey_url: the URL the session's tests run against (``None``: the embedded engine).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest

from .._connect import connect
from .._model.table import Table
from ..client import Database
from ..local import DynamoDBLocal

__all__ = ["sortkey_db", "sortkey_tables", "sortkey_url"]

_tests = itertools.count()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--sortkey-url``."""
    group = parser.getgroup("sortkey")
    group.addoption(
        "--sortkey-url",
        default=os.environ.get("SORTKEY_TEST_URL"),
        help="run sortkey_db on this endpoint (http://..., aws://region, or 'local' to start "
        "DynamoDB Local) instead of a fresh embedded engine per test",
    )


@pytest.fixture(scope="session")
def sortkey_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The endpoint tests run against; ``None`` means a fresh embedded engine per test."""
    url: str | None = request.config.getoption("--sortkey-url")
    if url != "local":
        yield url
        return
    with DynamoDBLocal() as local:
        yield local.endpoint_url


@pytest.fixture
def sortkey_db(sortkey_url: str | None) -> Iterator[Database]:
    """A database of this test's own: in memory, or table names prefixed on a shared endpoint."""
    if sortkey_url is None:
        with connect() as db:
            yield db
        return
    prefix = f"test{os.getpid()}_{next(_tests)}_"
    db = connect(sortkey_url, table_prefix=prefix)
    try:
        yield db
    finally:
        names = db.backend.call("ListTables", {}).get("TableNames", [])
        for name in names:
            if name.startswith(prefix):
                db.backend.call("DeleteTable", {"TableName": name})
        db.close()


@pytest.fixture
def sortkey_tables(sortkey_db: Database) -> Callable[..., None]:
    """Create the given tables on this test's database: ``sortkey_tables(app, audit)``."""

    def create(*tables: Table) -> None:
        for table in tables:
            sortkey_db.create_table(table)

    return create
