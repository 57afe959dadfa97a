"""AWS DynamoDB, DynamoDB Local, Alternator or ``sortkey serve`` through botocore.

botocore is imported when a :class:`BotocoreBackend` is created, never at ``import sortkey``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from ..errors import BackendUnavailable, DynamoDBError, InvalidInput, from_code

__all__ = [
    "BotocoreBackend",
    "client_arguments",
    "credential_arguments",
    "is_local_endpoint",
    "retry_settings",
    "translate_client_error",
    "unavailable_errors",
]

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"})
# DynamoDB Local accepts only letters and digits in access keys.
_FAKE_CREDENTIALS = ("sortkeylocal", "sortkeylocal")


def is_local_endpoint(endpoint_url: str | None) -> bool:
    """Whether the endpoint is on this machine (fake credentials are then fine)."""
    if not endpoint_url:
        return False
    return (urlparse(endpoint_url).hostname or "") in _LOCAL_HOSTS


def credential_arguments(credentials: tuple[str, ...] | None) -> dict[str, str]:
    """``create_client`` keyword arguments for ``(access_key, secret_key[, token])``."""
    if credentials is None:
        return {}
    if len(credentials) not in (2, 3):
        raise InvalidInput("credentials are (access_key, secret_key) or (..., session_token)")
    keys = {"aws_access_key_id": credentials[0], "aws_secret_access_key": credentials[1]}
    if len(credentials) == 3:
        keys["aws_session_token"] = credentials[2]
    return keys


def retry_settings(mode: str, max_attempts: int) -> dict[str, Any]:
    """The ``retries`` setting of a botocore config: retry mode and total attempts."""
    return {"mode": mode, "total_max_attempts": max_attempts}


def client_arguments(
    endpoint_url: str | None,
    region: str | None,
    credentials: tuple[str, ...] | None,
    *,
    fake_credentials: bool,
) -> dict[str, Any]:
    """``create_client`` arguments shared by the sync and async botocore backends.

    ``fake_credentials``: the endpoint is local and no credentials were found, so DynamoDB
    Local (which only checks their shape) gets placeholder ones instead of a signing error.
    """
    if fake_credentials:
        credentials = _FAKE_CREDENTIALS
    return {
        "region_name": region or "us-east-1",
        "endpoint_url": endpoint_url,
        **credential_arguments(credentials),
    }


def translate_client_error(
    response: Mapping[str, Any], operation: str, params: Mapping[str, Any]
) -> DynamoDBError:
    """Turn botocore's error response into the matching :mod:`sortkey.errors` exception."""
    error = response.get("Error", {})
    return from_code(
        str(error.get("Code", "")),
        str(error.get("Message", "")),
        operation=operation,
        params=params,
        item=response.get("Item"),
        cancellation_reasons=response.get("CancellationReasons"),
    )


def unavailable_errors() -> tuple[type[Exception], ...]:
    """The exceptions botocore raises for a request that got no answer or could not be signed.

    The backends raise :class:`~sortkey.errors.BackendUnavailable` for these, as
    :class:`~sortkey.backends.HttpBackend` does, so callers catch one exception tree whatever
    the backend.
    """
    from botocore import exceptions

    return (exceptions.ConnectionError, exceptions.HTTPClientError, exceptions.NoCredentialsError)


def unavailable(exc: Exception, operation: str, endpoint_url: str | None) -> BackendUnavailable:
    """The :class:`~sortkey.errors.BackendUnavailable` for one of :func:`unavailable_errors`."""
    where = endpoint_url or "AWS DynamoDB"
    return BackendUnavailable(f"{operation} to {where} failed: {type(exc).__name__}: {exc}")


class BotocoreBackend:
    """A backend that sends requests with botocore's low-level DynamoDB client.

    Args:
        endpoint_url: an HTTP endpoint (DynamoDB Local, ``sortkey serve``, Alternator); AWS's
            regional endpoint when omitted.
        region: the AWS region; ``us-east-1`` for local endpoints when not given.
        credentials: ``(access_key, secret_key)`` or ``(access_key, secret_key, token)``;
            botocore's credential chain when omitted, fake credentials for local endpoints.
        retry_mode: botocore's retry mode (``"standard"``, ``"adaptive"``, ``"legacy"``).
        max_attempts: total attempts per request, the first included.
        client: an existing botocore DynamoDB client to use instead of building one.

    Example:
        >>> backend = BotocoreBackend("http://127.0.0.1:8000")  # doctest: +SKIP
        >>> backend.call("ListTables", {})  # doctest: +SKIP
        {'TableNames': []}
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        *,
        region: str | None = None,
        credentials: tuple[str, ...] | None = None,
        retry_mode: str = "standard",
        max_attempts: int = 3,
        client: Any = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        if client is None:
            client = self._build_client(endpoint_url, region, credentials, retry_mode, max_attempts)
        self._client = client
        self._methods: dict[str, Any] = {}
        self._unavailable = unavailable_errors()

    @staticmethod
    def _build_client(
        endpoint_url: str | None,
        region: str | None,
        credentials: tuple[str, ...] | None,
        retry_mode: str,
        max_attempts: int,
    ) -> Any:
        import botocore.config
        import botocore.session

        session = botocore.session.get_session()
        fake = (
            credentials is None
            and is_local_endpoint(endpoint_url)
            and session.get_credentials() is None
        )
        config = botocore.config.Config(
            retries=retry_settings(retry_mode, max_attempts), tcp_keepalive=True
        )
        arguments = client_arguments(
            endpoint_url,
            region or session.get_config_variable("region"),
            credentials,
            fake_credentials=fake,
        )
        return session.create_client("dynamodb", config=config, **arguments)

    @property
    def client(self) -> Any:
        """The underlying botocore client."""
        return self._client

    def _method(self, operation: str) -> Any:
        method = self._methods.get(operation)
        if method is None:
            from botocore import xform_name

            method = getattr(self._client, xform_name(operation))
            self._methods[operation] = method
        return method

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request; see :meth:`sortkey.backends.Backend.call`."""
        from botocore.exceptions import ClientError

        try:
            response: dict[str, Any] = self._method(operation)(**params)
        except ClientError as exc:
            raise translate_client_error(exc.response, operation, params) from None
        except self._unavailable as exc:
            raise unavailable(exc, operation, self.endpoint_url) from exc
        response.pop("ResponseMetadata", None)
        return response

    def close(self) -> None:
        """Close the client's connection pool."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()
