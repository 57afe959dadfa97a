"""``connect()``: one URL picks the backend.

* ``connect()`` or ``connect("memory://")`` — the embedded engine, in memory;
* ``connect("sqlite:///relative.db")``, ``connect("sqlite:////abs/path.db")`` — the embedded
  engine on a SQLite file (three slashes, then the path, as in SQLAlchemy);
* ``connect("http://127.0.0.1:8000")`` — any DynamoDB-compatible endpoint (DynamoDB Local,
  ``sortkey serve``, ScyllaDB Alternator) through botocore;
* ``connect("aws://eu-west-1")`` — AWS DynamoDB in that region, botocore's credential chain
  (``aws://`` alone: the configured default region);
* ``connect(backend=...)`` — any object with ``call(operation, params)``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from .backends.base import Backend
from .client import Database
from .errors import InvalidInput

__all__ = ["REMOTE_SCHEMES", "backend_for", "connect", "remote_endpoint"]


REMOTE_SCHEMES = ("http", "https", "aws")


def remote_endpoint(url: str, options: dict[str, Any]) -> str | None:
    """The endpoint URL of an ``http(s)://`` or ``aws://`` URL (``None``: AWS's own endpoint).

    An ``aws://region`` URL puts its region into ``options`` unless one is given there.
    """
    parsed = urlparse(url)
    if parsed.scheme.lower() != "aws":
        return url
    if parsed.netloc:
        options.setdefault("region", parsed.netloc)
    return None


def backend_for(url: str | None, *, transport: str = "botocore", **options: Any) -> Backend:
    """The backend a URL names (see the module docstring); ``options`` go to its constructor.

    ``transport`` picks the HTTP client for ``http(s)://`` and ``aws://`` URLs: ``"botocore"``
    (botocore's credential chain and retries) or ``"http"`` (:class:`~sortkey.backends.http.
    HttpBackend`: standard library only, two to three times less overhead per request).
    """
    if transport not in ("botocore", "http"):
        raise InvalidInput(f"transport={transport!r}: use 'botocore' or 'http'")
    if url is None or url in ("", "memory://", "sqlite://", "sqlite:///:memory:"):
        from .backends.embedded import EmbeddedBackend

        return EmbeddedBackend(":memory:", **options)
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        if not url.startswith("sqlite:///") or len(url) == len("sqlite:///"):
            raise InvalidInput(
                f"{url!r}: a SQLite URL is sqlite:///relative/path.db or sqlite:////absolute.db"
            )
        from .backends.embedded import EmbeddedBackend

        return EmbeddedBackend(url[len("sqlite:///") :], **options)
    if scheme in REMOTE_SCHEMES:
        endpoint = remote_endpoint(url, options)
        if transport == "http":
            from .backends.http import HttpBackend

            return HttpBackend(endpoint, **options)
        from .backends.botocore import BotocoreBackend

        return BotocoreBackend(endpoint, **options)
    raise InvalidInput(
        f"cannot connect to {url!r}: use memory://, sqlite:///path, http(s)://host:port or "
        "aws://region"
    )


def connect(
    url: str | None = None,
    *,
    backend: Backend | None = None,
    table_prefix: str = "",
    transport: str = "botocore",
    cursor_secret: bytes | str | None = None,
    **options: Any,
) -> Database:
    """Open a :class:`~sortkey.client.Database`.

    Args:
        url: where the data lives (see the module docstring); the in-memory embedded engine
            when omitted.
        backend: a ready backend instead of a URL.
        table_prefix: prepended to every table name.
        transport: for HTTP endpoints, ``"botocore"`` or the lean ``"http"`` transport.
        cursor_secret: signs page cursors, so that cursors handed to clients cannot be forged.
        **options: passed to the backend (e.g. ``max_attempts=5`` for botocore).

    Example:
        >>> db = connect("http://127.0.0.1:8000")  # doctest: +SKIP
    """
    if backend is not None:
        if url is not None or options:
            raise InvalidInput("give either a URL (and its options) or a backend, not both")
        chosen = backend
    else:
        chosen = backend_for(url, transport=transport, **options)
    return Database(chosen, table_prefix=table_prefix, cursor_secret=cursor_secret)
