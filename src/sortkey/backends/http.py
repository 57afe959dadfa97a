"""A lean DynamoDB transport on the standard library: ``http.client``, SigV4, retries.

For any endpoint speaking DynamoDB's JSON 1.0 protocol — AWS DynamoDB, DynamoDB Local,
ScyllaDB Alternator, ``sortkey serve`` — without botocore's per-request machinery (shape
validation, event hooks, model-driven serialization). Each thread keeps one keep-alive
connection; requests are signed with AWS Signature Version 4.

What it does not do, compared with :class:`~sortkey.backends.BotocoreBackend`: no client-side
parameter validation (the server validates), no credential chain beyond explicit credentials
and the ``AWS_*`` environment variables, and timestamps (``CreationDateTime``...) stay epoch
seconds as in the embedded engine rather than becoming ``datetime``.
"""

from __future__ import annotations

import http.client
import os
import random
import threading
import time
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import BackendUnavailable, DynamoDBError, SerializationError, from_code
from ._json_wire import WireFormatError, dumps, loads
from ._sigv4 import Signer
from .botocore import _FAKE_CREDENTIALS, is_local_endpoint

__all__ = ["HttpBackend"]

_TARGET_PREFIX = "DynamoDB_20120810."
_CONTENT_TYPE = "application/x-amz-json-1.0"
# Codes worth retrying after a pause: capacity and rate limits, and transient server trouble
# (the same set botocore's "standard" retry mode treats as throttling or transient).
_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "TransactionInProgressException",
        "InternalServerError",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
_CONNECTION_ERRORS = (http.client.HTTPException, OSError)
# A kept-alive connection the server closed while idle fails on reuse with one of these.
_STALE_CONNECTION_ERRORS = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
)


class _RetryableResponse(Exception):
    """A response that failed in transit (bad checksum, unparsable body)."""


class HttpBackend:
    """A backend that speaks DynamoDB's HTTP protocol itself (standard library only).

    Args:
        endpoint_url: ``http(s)://host[:port]``; AWS's regional endpoint when None.
        region: the AWS region requests are signed for.
        credentials: ``(access_key, secret_key)`` or ``(access_key, secret_key, token)``.
            When omitted: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``
            from the environment, or fake credentials for a local endpoint.
        timeout: seconds to wait for the connection and for each response.
        max_attempts: total attempts per request, the first included; throttling, 5xx answers
            and broken connections are retried with exponential backoff and full jitter.
        backoff_base: the first backoff ceiling in seconds (doubled per attempt).
        backoff_cap: the largest backoff ceiling in seconds.

    Raises:
        BackendUnavailable: no credentials were given or found for a non-local endpoint.

    Example:
        >>> backend = HttpBackend("http://127.0.0.1:8000")  # doctest: +SKIP
        >>> backend.call("ListTables", {})  # doctest: +SKIP
        {'TableNames': []}
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        *,
        region: str = "us-east-1",
        credentials: tuple[str, ...] | None = None,
        timeout: float = 30.0,
        max_attempts: int = 3,
        backoff_base: float = 0.05,
        backoff_cap: float = 5.0,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if endpoint_url is None:
            endpoint_url = f"https://dynamodb.{region}.amazonaws.com"
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"endpoint_url must be http://host:port or https://host, not {endpoint_url!r}"
            )
        self.endpoint_url = endpoint_url
        self.region = region
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._path = parts.path or "/"
        default_port = 443 if self._https else 80
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._host_header = host if self._port == default_port else f"{host}:{self._port}"
        self._signer = self._make_signer(credentials, local=is_local_endpoint(endpoint_url))
        self._local = threading.local()
        # Every open connection and the thread that owns it: close() ends them all, and a new
        # connection closes those of threads that have ended (a thread-per-request program
        # would otherwise keep one open socket per finished thread until close()).
        self._connections: dict[http.client.HTTPConnection, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        self._closed = False

    def _make_signer(self, credentials: tuple[str, ...] | None, *, local: bool) -> Signer:
        if credentials is None:
            key, secret = (
                os.environ.get("AWS_ACCESS_KEY_ID"),
                os.environ.get("AWS_SECRET_ACCESS_KEY"),
            )
            if key and secret:
                credentials = (key, secret, os.environ.get("AWS_SESSION_TOKEN", ""))
            elif local:
                credentials = _FAKE_CREDENTIALS
            else:
                raise BackendUnavailable(
                    f"HttpBackend needs credentials for {self.endpoint_url}: pass "
                    "credentials=(access_key, secret_key[, token]), set AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY, or use BotocoreBackend for the full credential chain"
                )
        if len(credentials) not in (2, 3):
            raise ValueError("credentials must be (access_key, secret_key[, session_token])")
        token = credentials[2] if len(credentials) == 3 else None
        return Signer(credentials[0], credentials[1], self.region, token=token or None)

    # -- connections ------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        if self._closed:
            raise BackendUnavailable("the HttpBackend is closed")
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            if self._https:
                connection = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self.timeout
                )
            else:
                connection = http.client.HTTPConnection(
                    self._host, self._port, timeout=self.timeout
                )
            self._local.connection = connection
            with self._connections_lock:
                orphaned = [c for c, t in self._connections.items() if not t.is_alive()]
                for stale in orphaned:
                    del self._connections[stale]
                self._connections[connection] = threading.current_thread()
            for stale in orphaned:
                stale.close()
        return connection

    def _drop_connection(self) -> None:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()
            with self._connections_lock:
                self._connections.pop(connection, None)

    def _exchange(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes, str | None]:
        connection = self._connection()
        reused = connection.sock is not None
        try:
            connection.request("POST", self._path, body, headers)
            response = connection.getresponse()
        except _STALE_CONNECTION_ERRORS:
            if not reused:
                raise
            # The server closed the idle kept-alive connection; that is no failed attempt.
            self._drop_connection()
            connection = self._connection()
            connection.request("POST", self._path, body, headers)
            response = connection.getresponse()
        data = response.read()
        checksum = response.getheader("x-amz-crc32")
        if response.will_close:
            self._drop_connection()
        return response.status, data, checksum

    # -- requests ---------------------------------------------------------------------------

    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request; see :meth:`sortkey.backends.Backend.call`."""
        try:
            body = dumps(params)
        except (TypeError, ValueError) as exc:
            raise SerializationError(f"{operation} parameters cannot be sent: {exc}") from None
        base_headers = {
            "Host": self._host_header,
            "Content-Type": _CONTENT_TYPE,
            "X-Amz-Target": _TARGET_PREFIX + operation,
        }
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.max_attempts
            headers = self._signer.sign(base_headers, body, path=self._path)
            try:
                status, data, checksum = self._exchange(headers, body)
            except _CONNECTION_ERRORS as exc:
                self._drop_connection()
                if last:
                    raise BackendUnavailable(
                        f"{operation} to {self.endpoint_url} failed after {attempt} "
                        f"attempt(s): {type(exc).__name__}: {exc}"
                    ) from exc
                self._pause(attempt)
                continue
            try:
                if checksum is not None and zlib.crc32(data) != int(checksum):
                    raise _RetryableResponse("the response's CRC32 checksum does not match")
                if status == 200:
                    result = loads(data) if data else {}
                    if not isinstance(result, dict):
                        raise _RetryableResponse("the response is not a JSON object")
                    return result
                error = self._error(status, data, operation, params)
            except (_RetryableResponse, WireFormatError, ValueError) as exc:
                self._drop_connection()
                if last:
                    raise BackendUnavailable(
                        f"{operation} to {self.endpoint_url}: unreadable response ({exc})"
                    ) from exc
                self._pause(attempt)
                continue
            if last or not (status >= 500 or error.code in _RETRYABLE_CODES):
                raise error
            self._pause(attempt)

    @staticmethod
    def _error(
        status: int, data: bytes, operation: str, params: Mapping[str, Any]
    ) -> DynamoDBError:
        try:
            body = loads(data) if data else {}
        except WireFormatError:
            body = {"message": data.decode("utf-8", "replace")}
        if not isinstance(body, dict):
            body = {}
        # "__type" is "namespace#Code" (sometimes followed by ":detail"); botocore reads it so.
        code = str(body.get("__type") or status).split(":", 1)[0].rsplit("#", 1)[-1]
        message = body.get("message", body.get("Message", ""))
        return from_code(
            code,
            str(message or ""),
            operation=operation,
            params=params,
            item=body.get("Item"),
            cancellation_reasons=body.get("CancellationReasons"),
        )

    def _pause(self, attempt: int) -> None:
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        time.sleep(random.uniform(0, ceiling))

    def close(self) -> None:
        """Close every connection this backend opened, in all threads (idempotent)."""
        self._closed = True
        with self._connections_lock:
            connections, self._connections = list(self._connections), {}
        for connection in connections:
            connection.close()

    def __enter__(self) -> HttpBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
