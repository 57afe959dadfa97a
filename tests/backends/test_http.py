"""HttpBackend: SigV4 against botocore's signer, retries, checksums, connections, and a smoke
run on DynamoDB Local (the full client suite runs in ``tests/server/test_serve_clients.py``)."""

from __future__ import annotations

import calendar
import datetime
import http.server
import json
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sortkey.backends._sigv4 import Signer
from sortkey.backends.http import HttpBackend
from sortkey.errors import (
    AccessDenied,
    BackendUnavailable,
    SerializationError,
    ServiceError,
    Throttled,
    ValidationError,
)
from sortkey.local import DynamoDBLocal

# -- SigV4 ----------------------------------------------------------------------------------


def botocore_authorization(
    url: str,
    headers: dict[str, str],
    body: bytes,
    credentials: tuple[str, str, str | None],
    region: str,
    now: datetime.datetime,
) -> dict[str, str]:
    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        SigV4Auth(Credentials(*credentials), "dynamodb", region).add_auth(request)
    return dict(request.headers.items())


@pytest.mark.parametrize(
    ("url", "host", "region", "token", "body"),
    [
        pytest.param(
            "https://dynamodb.eu-west-1.amazonaws.com/",
            "dynamodb.eu-west-1.amazonaws.com",
            "eu-west-1",
            None,
            b'{"TableName":"Users"}',
            id="aws",
        ),
        pytest.param(
            "https://dynamodb.us-east-1.amazonaws.com/",
            "dynamodb.us-east-1.amazonaws.com",
            "us-east-1",
            "FwoGZXIvYXdzEJr//////////wEaDL+token==",
            b"{}",
            id="session-token",
        ),
        pytest.param(
            "http://127.0.0.1:8000/",
            "127.0.0.1:8000",
            "us-east-1",
            None,
            '{"Item":{"s":{"S":"é  two  spaces"}}}'.encode(),
            id="local-port-unicode-body",
        ),
    ],
)
def test_signature_matches_botocore(
    url: str, host: str, region: str, token: str | None, body: bytes
) -> None:
    now = datetime.datetime(2024, 2, 29, 23, 59, 58)
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    headers = {
        "Host": host,
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.PutItem",
    }
    ours = Signer("AKIDEXAMPLE", secret, region, token=token).sign(
        headers, body, now=calendar.timegm(now.timetuple())
    )
    theirs = botocore_authorization(url, headers, body, ("AKIDEXAMPLE", secret, token), region, now)
    assert ours["Authorization"] == theirs["Authorization"]
    assert ours["X-Amz-Date"] == theirs["X-Amz-Date"] == "20240229T235958Z"
    assert ours.get("X-Amz-Security-Token") == theirs.get("X-Amz-Security-Token")


def test_signing_key_is_renewed_when_the_date_changes() -> None:
    signer = Signer("AKID", "secret", "us-east-1")
    headers = {"Host": "h"}
    day1 = signer.sign(headers, b"{}", now=86_400 * 100)["Authorization"]
    day2 = signer.sign(headers, b"{}", now=86_400 * 101)["Authorization"]
    fresh = Signer("AKID", "secret", "us-east-1").sign(headers, b"{}", now=86_400 * 101)
    assert day1 != day2
    assert day2 == fresh["Authorization"]


# -- a scripted server ------------------------------------------------------------------------


@dataclass
class Script:
    """Responses to give, in order, and the requests received."""

    responses: list[tuple[int, bytes, dict[str, str]]] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    connections: set[tuple[str, int]] = field(default_factory=set)


def scripted_server(script: Script) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.requests.append((dict(self.headers.items()), body))
            script.connections.add(self.client_address)
            status, payload, headers = script.responses.pop(0)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def script() -> Iterator[Script]:
    yield Script()


@pytest.fixture
def endpoint(script: Script) -> Iterator[str]:
    server = scripted_server(script)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def make_backend() -> Iterator[Any]:
    """HttpBackend(...) that is closed after the test."""
    made: list[HttpBackend] = []

    def make(*args: Any, **kwargs: Any) -> HttpBackend:
        backend = HttpBackend(*args, **kwargs)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


def ok(body: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
    data = json.dumps(body).encode()
    return 200, data, {"x-amz-crc32": str(zlib.crc32(data))}


def error(status: int, code: str, message: str = "m") -> tuple[int, bytes, dict[str, str]]:
    data = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message})
    return status, data.encode(), {}


def test_request_format(make_backend: Any, script: Script, endpoint: str) -> None:
    script.responses.append(ok({"Item": {"b": {"B": "AAE="}}}))
    backend = make_backend(endpoint, credentials=("AKID", "secret"))
    got = backend.call("GetItem", {"TableName": "t", "Key": {"k": {"B": b"\xff"}}})
    assert got == {"Item": {"b": {"B": b"\x00\x01"}}}
    headers, body = script.requests[0]
    assert headers["X-Amz-Target"] == "DynamoDB_20120810.GetItem"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID/")
    assert "/us-east-1/dynamodb/aws4_request" in headers["Authorization"]
    assert json.loads(body) == {"TableName": "t", "Key": {"k": {"B": "/w=="}}}
    backend.close()


def test_throttling_and_5xx_are_retried(make_backend: Any, script: Script, endpoint: str) -> None:
    script.responses += [
        error(400, "ProvisionedThroughputExceededException"),
        error(500, "InternalServerError"),
        ok({"TableNames": []}),
    ]
    backend = make_backend(endpoint, max_attempts=3, backoff_base=0.001)
    assert backend.call("ListTables", {}) == {"TableNames": []}
    assert len(script.requests) == 3
    # each attempt is signed afresh, the body is the same
    assert len({body for _, body in script.requests}) == 1


def test_retries_stop_at_max_attempts(make_backend: Any, script: Script, endpoint: str) -> None:
    script.responses += [error(400, "ThrottlingException")] * 2
    backend = make_backend(endpoint, max_attempts=2, backoff_base=0.001)
    with pytest.raises(Throttled):
        backend.call("ListTables", {})
    assert len(script.requests) == 2


def test_client_errors_are_not_retried(make_backend: Any, script: Script, endpoint: str) -> None:
    script.responses.append(error(400, "ValidationException", "bad thing"))
    backend = make_backend(endpoint, max_attempts=5, backoff_base=0.001)
    with pytest.raises(ValidationError) as caught:
        backend.call("PutItem", {"TableName": "t"})
    assert caught.value.message == "bad thing"
    assert caught.value.operation == "PutItem"
    assert caught.value.params == {"TableName": "t"}
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    ("response", "error_type", "code"),
    [
        pytest.param(
            (400, b'{"__type":"com.amazon.coral.validate#ValidationException","Message":"M"}', {}),
            ValidationError,
            "ValidationException",
            id="capital-Message",
        ),
        pytest.param(
            (400, b'{"__type":"UnrecognizedClientException","message":"m"}', {}),
            AccessDenied,
            "UnrecognizedClientException",
            id="bare-type",
        ),
        pytest.param(
            (400, b'{"__type":"com.amazonaws#SomethingNew:detail","message":"m"}', {}),
            ServiceError,
            "SomethingNew",
            id="type-with-detail",
        ),
        pytest.param((403, b"<html>denied</html>", {}), ServiceError, "403", id="not-json"),
    ],
)
def test_error_bodies(
    make_backend: Any,
    script: Script,
    endpoint: str,
    response: tuple[int, bytes, dict[str, str]],
    error_type: type[Exception],
    code: str,
) -> None:
    script.responses.append(response)
    with pytest.raises(error_type) as caught:
        make_backend(endpoint, max_attempts=1).call("ListTables", {})
    assert getattr(caught.value, "code", None) == code


def test_checksum_mismatch_is_retried_then_reported(
    make_backend: Any, script: Script, endpoint: str
) -> None:
    bad = (200, b'{"TableNames":[]}', {"x-amz-crc32": "12345"})
    script.responses += [bad, ok({"TableNames": ["a"]}), bad, bad]
    backend = make_backend(endpoint, max_attempts=2, backoff_base=0.001)
    assert backend.call("ListTables", {}) == {"TableNames": ["a"]}
    with pytest.raises(BackendUnavailable, match="CRC32"):
        backend.call("ListTables", {})


def test_connection_is_kept_alive_per_thread(
    make_backend: Any, script: Script, endpoint: str
) -> None:
    script.responses += [ok({})] * 6
    backend = make_backend(endpoint)
    for _ in range(3):
        backend.call("ListTables", {})
    assert len(script.connections) == 1
    thread = threading.Thread(target=lambda: [backend.call("ListTables", {}) for _ in range(3)])
    thread.start()
    thread.join()
    assert len(script.connections) == 2  # the other thread got its own connection
    backend.close()
    with pytest.raises(BackendUnavailable, match="closed"):
        backend.call("ListTables", {})


def test_connections_of_finished_threads_are_closed() -> None:
    from sortkey.server import Server

    with Server(port=0, ttl_sweep=False).start() as server:
        backend = HttpBackend(server.endpoint_url)
        for _ in range(8):  # a thread per request, as a ThreadingHTTPServer app does
            thread = threading.Thread(target=backend.call, args=("ListTables", {}))
            thread.start()
            thread.join()
        backend.call("ListTables", {})  # opening this thread's connection sweeps the others
        deadline = time.monotonic() + 5
        while len(server._tcp._connections) > 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(server._tcp._connections) <= 2  # not one per finished thread
        backend.close()


def test_a_connection_the_server_closed_is_reopened_without_using_an_attempt() -> None:
    from sortkey.server import Server

    with Server(port=0, ttl_sweep=False).start() as server:
        backend = HttpBackend(server.endpoint_url, max_attempts=1)
        assert backend.call("ListTables", {}) == {"TableNames": []}
        server._tcp.shutdown_connections()  # as a server closing idle connections does
        assert backend.call("ListTables", {}) == {"TableNames": []}
        backend.close()


def test_unreachable_endpoint(make_backend: Any, script: Script) -> None:
    backend = make_backend("http://127.0.0.1:9", max_attempts=2, backoff_base=0.001, timeout=2)
    with pytest.raises(BackendUnavailable, match="after 2 attempt"):
        backend.call("ListTables", {})


def test_credentials(
    make_backend: Any, monkeypatch: pytest.MonkeyPatch, script: Script, endpoint: str
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(BackendUnavailable, match="needs credentials"):
        HttpBackend(region="eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ENVKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envtoken")
    backend = make_backend(region="eu-west-1")
    assert backend.endpoint_url == "https://dynamodb.eu-west-1.amazonaws.com"
    script.responses.append(ok({}))
    make_backend(endpoint).call("ListTables", {})
    headers, _ = script.requests[0]
    assert "Credential=ENVKEY/" in headers["Authorization"]
    assert headers["X-Amz-Security-Token"] == "envtoken"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"endpoint_url": "ftp://x"}, "endpoint_url", id="scheme"),
        pytest.param(
            {"endpoint_url": "http://x", "max_attempts": 0}, "max_attempts", id="attempts"
        ),
        pytest.param(
            {"endpoint_url": "http://127.0.0.1", "credentials": ("only-one",)},
            "credentials",
            id="credentials-shape",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HttpBackend(**kwargs)


def test_values_json_cannot_carry_are_refused_before_sending(
    make_backend: Any, script: Script, endpoint: str
) -> None:
    backend = make_backend(endpoint)
    with pytest.raises(SerializationError, match="PutItem parameters cannot be sent: set"):
        backend.call("PutItem", {"TableName": "t", "Item": {"a": {"SS": {"x"}}}})
    assert script.requests == []


# -- DynamoDB Local -------------------------------------------------------------------------


def test_dynamodb_local_accepts_our_signature(dynamodb_local: DynamoDBLocal) -> None:
    with HttpBackend(dynamodb_local.endpoint_url, max_attempts=1) as backend:
        assert "TableNames" in backend.call("ListTables", {})


def test_dynamodb_local_refuses_malformed_access_keys(dynamodb_local: DynamoDBLocal) -> None:
    # DynamoDB Local checks the key format (letters and digits), not the signature.
    backend = HttpBackend(
        dynamodb_local.endpoint_url, credentials=("not_valid", "x"), max_attempts=1
    )
    with pytest.raises(AccessDenied):
        backend.call("ListTables", {})
    backend.close()
