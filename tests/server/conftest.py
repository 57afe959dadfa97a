"""Fixtures: ``sortkey serve`` in this process, on a free port, served from a thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sortkey.server import Server


@pytest.fixture(scope="module")
def sortkey_server() -> Iterator[Server]:
    """One in-memory ``sortkey serve`` per test module."""
    with Server(port=0, ttl_sweep=False).start() as server:
        yield server
