"""A small, fast HTTP/1.1 server in front of the engine (standard library only).

Theory of operation: one thread per client connection (``socketserver.ThreadingTCPServer``),
connections kept alive between requests, as every AWS SDK keeps them. Each request is read
with a minimal HTTP/1.1 parser (request line, headers, a ``Content-Length`` or chunked body)
instead of ``http.server``'s email-based header parsing, and each response leaves in one
``send`` with precomputed header text: what a request costs is the engine's work, not the
framing. The engine serializes operations with its own lock, so threads only overlap in I/O
and JSON.

Routes: ``POST`` (any path) is a DynamoDB API call, dispatched by :func:`.protocol.respond`;
``GET /`` (and ``HEAD``) answers ``healthy: sortkey`` like DynamoDB's own health check.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import secrets
import socket
import socketserver
import threading
import zlib
from typing import Any

from .. import __version__
from ..engine import Engine
from .protocol import error_body, respond

__all__ = ["Server"]

_MAX_LINE = 65536
_MAX_HEADERS = 100
# DynamoDB's largest request (BatchWriteItem: 25 items of 400 KB, base64 inflated) stays far
# below this; anything bigger is refused before it is read.
_MAX_BODY = 32 * 1024 * 1024
_IDLE_TIMEOUT = 300.0

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_JSON = "application/x-amz-json-1.0"
_HEALTH = f"healthy: sortkey {__version__}\n".encode()


class _BadRequest(Exception):
    """The bytes on the connection are not HTTP this server can read; the connection closes."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _read_headers(rfile: io.BufferedIOBase) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADERS + 1):
        line = rfile.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise _BadRequest(400, "header line too long")
        if line in (b"\r\n", b"\n"):
            return headers
        if not line:
            raise ConnectionResetError("connection closed inside the headers")
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise _BadRequest(400, f"malformed header line {line[:100]!r}")
        headers[name.strip().lower()] = value.strip()
    raise _BadRequest(400, "too many headers")


def _read_chunked(rfile: io.BufferedIOBase) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = rfile.readline(_MAX_LINE + 1)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _BadRequest(400, "malformed chunk size") from None
        if size < 0:  # int() takes "-5"; rfile.read(-5) would then wait for the client to close
            raise _BadRequest(400, "malformed chunk size")
        if size == 0:
            _read_headers(rfile)  # trailers, ignored
            return b"".join(parts)
        total += size
        if total > _MAX_BODY:
            raise _BadRequest(413, "request body too large")
        parts.append(_read_exactly(rfile, size))
        rfile.readline(_MAX_LINE + 1)  # the CRLF closing the chunk


def _read_exactly(rfile: io.BufferedIOBase, size: int) -> bytes:
    data = rfile.read(size)
    if len(data) != size:
        raise ConnectionResetError("connection closed inside the body")
    return data


class _Handler(socketserver.StreamRequestHandler):
    """One client connection: requests in a loop until the client closes or asks to."""

    server: _TCPServer
    disable_nagle_algorithm = True
    timeout = _IDLE_TIMEOUT

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client went away; nothing left to flush to
        finally:
            self.server.track(self.connection, add=False)

    def handle(self) -> None:
        try:
            while self._one_request():
                pass
        except (OSError, TimeoutError):
            return  # reset, timed out or shut down by Server.close: end the connection quietly

    def _one_request(self) -> bool:
        """Serve one request; return whether the connection stays open."""
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            return False
        if line in (b"\r\n", b"\n"):
            return True  # a stray line break between requests is allowed (RFC 9112 2.2)
        try:
            return self._dispatch(line)
        except _BadRequest as exc:
            self._send(exc.status, error_body("SerializationException", str(exc)), close=True)
            return False

    def _dispatch(self, line: bytes) -> bool:
        parts = line.split()
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            raise _BadRequest(400, f"malformed request line {line[:100]!r}")
        method, path, version = parts
        headers = _read_headers(self.rfile)
        connection = headers.get("connection", "").lower()
        if version == b"HTTP/1.1":
            keep_alive = "close" not in connection
        else:
            keep_alive = "keep-alive" in connection
        body = self._read_body(headers)

        if method == b"POST":
            status, payload = respond(self.server.engine, headers.get("x-amz-target"), body)
            self._send(status, payload, close=not keep_alive)
        elif method in (b"GET", b"HEAD") and path == b"/":
            self._send(
                200,
                _HEALTH,
                close=not keep_alive,
                content_type="text/plain",
                head=method == b"HEAD",
            )
        elif method in (b"GET", b"HEAD"):
            self._send(
                404,
                b"not found: DynamoDB requests are POSTs; GET / is the health check\n",
                close=not keep_alive,
                content_type="text/plain",
                head=method == b"HEAD",
            )
        else:
            self._send(
                405,
                b"DynamoDB requests are POSTs\n",
                close=not keep_alive,
                content_type="text/plain",
                extra="Allow: POST, GET, HEAD\r\n",
            )
        return keep_alive

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return _read_chunked(self.rfile)
        length_text = headers.get("content-length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise _BadRequest(400, f"malformed Content-Length {length_text!r}") from None
        if length < 0:
            raise _BadRequest(400, f"malformed Content-Length {length_text!r}")
        if length > _MAX_BODY:
            raise _BadRequest(413, f"request body of {length} bytes is too large")
        return _read_exactly(self.rfile, length) if length else b""

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        close: bool,
        content_type: str = _JSON,
        head: bool = False,
        extra: str = "",
    ) -> None:
        # botocore verifies x-amz-crc32 (CRC32 of the body) on DynamoDB responses when present.
        header = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            f"x-amzn-RequestId: {self.server.next_request_id()}\r\n"
            f"x-amz-crc32: {zlib.crc32(body)}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"{extra}{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n"
        ).encode("latin-1")
        self.wfile.write(header if head else header + body)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], engine: Engine) -> None:
        host = address[0]
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.engine = engine
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._request_prefix = secrets.token_hex(14).upper()
        self._request_numbers = itertools.count()
        super().__init__(address, _Handler)

    def next_request_id(self) -> str:
        return f"{self._request_prefix}{next(self._request_numbers):024X}"

    def track(self, connection: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def shutdown_connections(self) -> None:
        """Wake every connection thread (idle keep-alive reads end), so they exit."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Server:
    """``sortkey serve``: the embedded engine behind DynamoDB's HTTP API.

    The socket is bound when the server is created (``port=0`` picks a free port); requests
    are served by :meth:`serve_forever` (blocking) or :meth:`start` (a background thread).

    Args:
        engine: the engine to serve; when omitted one is opened on ``db`` and closed with the
            server.
        host: the address to listen on (``"0.0.0.0"`` for every interface).
        port: the TCP port; 0 for any free port.
        db: ``":memory:"`` or a SQLite file, when the server opens the engine.
        ttl_sweep: whether that engine deletes expired items in the background.

    Example:
        >>> with Server(port=0).start() as server:
        ...     import urllib.request
        ...     print(urllib.request.urlopen(server.endpoint_url).read().decode().split()[0])
        healthy:
    """

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        db: str = ":memory:",
        ttl_sweep: bool = True,
    ) -> None:
        self._owns_engine = engine is None
        if engine is None:
            engine = Engine(db, ttl_sweep_interval=60.0 if ttl_sweep else None)
        self.engine = engine
        try:
            self._tcp = _TCPServer((host, port), engine)
        except BaseException:
            if self._owns_engine:
                engine.close()
            raise
        self._thread: threading.Thread | None = None
        self._serving: threading.Thread | None = None
        self._closed = False

    @property
    def host(self) -> str:
        """The address the server listens on."""
        return str(self._tcp.server_address[0])

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self._tcp.server_address[1])

    @property
    def endpoint_url(self) -> str:
        """The URL clients use (a wildcard address is reached through loopback)."""
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve requests until :meth:`close` is called (from another thread) or Ctrl-C."""
        self._serving = threading.current_thread()
        try:
            self._tcp.serve_forever(poll_interval=0.2)
        finally:
            self._serving = None

    def start(self) -> Server:
        """Serve requests from a background (daemon) thread; return the server."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.serve_forever, name="sortkey-serve", daemon=True
            )
            # Set before the thread runs: a close() right after start() must still stop the
            # loop (shutdown() before serve_forever starts makes it return at once).
            self._serving = self._thread
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, end open connections, and close the engine if the server opened it."""
        if self._closed:
            return
        self._closed = True
        serving = self._serving
        if serving is not None and serving is not threading.current_thread():
            self._tcp.shutdown()  # waits for serve_forever to return
        if self._thread is not None:
            self._thread.join()
        self._tcp.server_close()
        self._tcp.shutdown_connections()
        if self._owns_engine:
            self.engine.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
