"""The seam between sortkey and whatever answers DynamoDB requests.

A backend takes an API operation name and its parameters in botocore's wire format and returns
the response in the same format, raising :mod:`sortkey.errors` exceptions. Everything above
(``Database``, the operation builders) is written against these two protocols only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["AsyncBackend", "Backend"]


@runtime_checkable
class Backend(Protocol):
    """A synchronous DynamoDB backend."""

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request, e.g. ``call("GetItem", {"TableName": ..., "Key": ...})``.

        Raises:
            sortkey.errors.DynamoDBError: a subclass chosen by DynamoDB's error code.
        """
        ...

    def close(self) -> None:
        """Release connections, threads and files held by the backend."""
        ...


@runtime_checkable
class AsyncBackend(Protocol):
    """An asynchronous DynamoDB backend."""

    async def acall(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request; the async twin of :meth:`Backend.call`."""
        ...

    async def aclose(self) -> None:
        """Release connections held by the backend."""
        ...
