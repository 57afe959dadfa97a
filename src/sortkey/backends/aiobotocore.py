"""AWS DynamoDB (or any DynamoDB endpoint) from asyncio, through aiobotocore.

Needs the ``async`` extra: ``pip install 'sortkey[async]'``. aiobotocore is imported when the
backend opens its client, never at ``import sortkey``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from ..errors import BackendUnavailable
from .botocore import (
    client_arguments,
    is_local_endpoint,
    retry_settings,
    translate_client_error,
    unavailable,
    unavailable_errors,
)

__all__ = ["AiobotocoreBackend"]


class AiobotocoreBackend:
    """An asynchronous backend on aiobotocore's DynamoDB client.

    The client is opened on first use and closed by :meth:`aclose` (or ``async with``).

    Args:
        endpoint_url: an HTTP endpoint; AWS's regional endpoint when omitted.
        region: the AWS region; ``us-east-1`` for local endpoints when not given.
        credentials: ``(access_key, secret_key[, token])``; the credential chain when omitted,
            fake credentials for local endpoints.
        retry_mode: botocore's retry mode.
        max_attempts: total attempts per request.

    Example:
        >>> async def main() -> None:  # doctest: +SKIP
        ...     async with AiobotocoreBackend("http://127.0.0.1:8000") as backend:
        ...         print(await backend.acall("ListTables", {}))
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        *,
        region: str | None = None,
        credentials: tuple[str, ...] | None = None,
        retry_mode: str = "standard",
        max_attempts: int = 3,
    ) -> None:
        self.endpoint_url = endpoint_url
        self._region = region
        self._credentials = credentials
        self._retry_mode = retry_mode
        self._max_attempts = max_attempts
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None
        # Tasks that make their first request together must share one client, not each open
        # one (all but the last would leak, never closed).
        self._opening = asyncio.Lock()

    async def _open(self) -> Any:
        async with self._opening:
            if self._client is None:
                await self._open_client()
        return self._client

    async def _open_client(self) -> None:
        try:
            from aiobotocore.config import AioConfig
            from aiobotocore.session import get_session
        except ImportError as exc:
            raise BackendUnavailable(
                "the async backend needs aiobotocore: pip install 'sortkey[async]'"
            ) from exc
        session = get_session()
        fake = (
            self._credentials is None
            and is_local_endpoint(self.endpoint_url)
            and await session.get_credentials() is None
        )
        config = AioConfig(retries=retry_settings(self._retry_mode, self._max_attempts))
        arguments = client_arguments(
            self.endpoint_url,
            self._region or session.get_config_variable("region"),
            self._credentials,
            fake_credentials=fake,
        )
        stack = contextlib.AsyncExitStack()
        self._client = await stack.enter_async_context(
            session.create_client("dynamodb", config=config, **arguments)
        )
        self._stack = stack

    async def acall(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request; see :meth:`sortkey.backends.AsyncBackend.acall`."""
        from botocore import xform_name
        from botocore.exceptions import ClientError

        client = self._client or await self._open()
        try:
            response: dict[str, Any] = await getattr(client, xform_name(operation))(**params)
        except ClientError as exc:
            raise translate_client_error(exc.response, operation, params) from None
        except unavailable_errors() as exc:
            raise unavailable(exc, operation, self.endpoint_url) from exc
        response.pop("ResponseMetadata", None)
        return response

    async def aclose(self) -> None:
        """Close the client (idempotent)."""
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def __aenter__(self) -> AiobotocoreBackend:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
