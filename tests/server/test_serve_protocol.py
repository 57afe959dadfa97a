"""``sortkey serve`` on the wire: status codes, error bodies, headers, framing, the command."""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sortkey.backends.http import HttpBackend
from sortkey.cli import main
from sortkey.engine import Engine, EngineError
from sortkey.server import Server, error_body, respond

TARGET = "DynamoDB_20120810."
JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


@pytest.fixture
def connection(sortkey_server: Server) -> Iterator[http.client.HTTPConnection]:
    conn = http.client.HTTPConnection(sortkey_server.host, sortkey_server.port, timeout=10)
    yield conn
    conn.close()


def post(
    conn: http.client.HTTPConnection, operation: str | None, body: bytes | dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    headers = dict(JSON_HEADERS)
    if operation is not None:
        headers["X-Amz-Target"] = TARGET + operation
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request("POST", "/", data, headers)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


# -- sans-IO protocol ---------------------------------------------------------------------


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(ttl_sweep_interval=None) as engine:
        yield engine


def test_respond_success_is_200_and_json(engine: Engine) -> None:
    assert respond(engine, TARGET + "ListTables", b"{}") == (200, b'{"TableNames":[]}')


def test_respond_empty_body_means_no_parameters(engine: Engine) -> None:
    assert respond(engine, TARGET + "ListTables", b"") == (200, b'{"TableNames":[]}')


@pytest.mark.parametrize(
    ("target", "body", "status", "error_type", "message_part"),
    [
        pytest.param(
            None,
            b"{}",
            400,
            "com.amazon.coral.service#UnknownOperationException",
            "X-Amz-Target",
            id="no-target",
        ),
        pytest.param(
            "Other_2020.ListTables",
            b"{}",
            400,
            "com.amazon.coral.service#UnknownOperationException",
            "DynamoDB_20120810.<Operation>",
            id="wrong-prefix",
        ),
        pytest.param(
            TARGET + "Frobnicate",
            b"{}",
            400,
            "com.amazon.coral.service#UnknownOperationException",
            "Frobnicate",
            id="unknown-operation",
        ),
        pytest.param(
            TARGET + "ListTables",
            b"{not json",
            400,
            "com.amazon.coral.service#SerializationException",
            "not valid JSON",
            id="malformed-json",
        ),
        pytest.param(
            TARGET + "ListTables",
            b"[1, 2]",
            400,
            "com.amazon.coral.service#SerializationException",
            "JSON object",
            id="not-an-object",
        ),
        pytest.param(
            TARGET + "PutItem",
            b'{"TableName": "t", "Item": {"b": {"B": "!!not base64"}}}',
            400,
            "com.amazon.coral.service#SerializationException",
            "base64",
            id="bad-base64",
        ),
        pytest.param(
            TARGET + "GetItem",
            b'{"TableName": "missing_table", "Key": {"pk": {"S": "x"}}}',
            400,
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            "non-existent table",
            id="engine-error",
        ),
        pytest.param(
            TARGET + "ListTables",
            b'{"Limit": 0}',
            400,
            "com.amazon.coral.validate#ValidationException",
            "Limit",
            id="validation-namespace",
        ),
    ],
)
def test_respond_errors(
    engine: Engine, target: str | None, body: bytes, status: int, error_type: str, message_part: str
) -> None:
    got_status, got_body = respond(engine, target, body)
    assert got_status == status
    decoded = json.loads(got_body)
    assert decoded["__type"] == error_type
    assert message_part in decoded["message"]


def test_error_body_spells_message_as_the_service_model_does() -> None:
    # botocore reads both, but each error's modeled member is spelled one way.
    assert json.loads(error_body("ConditionalCheckFailedException", "m")) == {
        "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "message": "m",
    }
    assert json.loads(error_body("TransactionCanceledException", "m", cancellation_reasons=[])) == {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "m",
        "CancellationReasons": [],
    }


def test_error_body_base64_encodes_binary_items() -> None:
    body = json.loads(
        error_body("ConditionalCheckFailedException", "m", item={"b": {"B": b"\x00\xff"}})
    )
    assert body["Item"] == {"b": {"B": base64.b64encode(b"\x00\xff").decode()}}


def test_internal_errors_are_500_without_details(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(engine, "call", broken)
    status, body = respond(engine, TARGET + "ListTables", b"{}")
    assert status == 500
    assert json.loads(body) == {
        "__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
        "message": "Internal server error",
    }
    assert "secret detail" in caplog.text  # logged on the server, not sent to the client


def test_engine_internal_server_error_code_is_a_500(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        raise EngineError("InternalServerError", "try again")

    monkeypatch.setattr(engine, "call", unavailable)
    assert respond(engine, TARGET + "ListTables", b"{}")[0] == 500


# -- HTTP -----------------------------------------------------------------------------------


def test_response_headers_request_id_and_crc32(connection: http.client.HTTPConnection) -> None:
    status, headers, body = post(connection, "ListTables", {})
    assert status == 200
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)
    first_id = headers["x-amzn-RequestId"]
    _, headers, error = post(connection, "Nope", {})
    assert int(headers["x-amz-crc32"]) == zlib.crc32(error)  # errors carry one too
    assert headers["x-amzn-RequestId"] != first_id


def test_keep_alive_serves_many_requests_on_one_connection(
    connection: http.client.HTTPConnection,
) -> None:
    post(connection, "ListTables", {})
    sock = connection.sock
    for _ in range(20):
        assert post(connection, "ListTables", {})[0] == 200
        assert post(connection, "Nope", {})[0] == 400  # errors keep the connection too
    assert connection.sock is sock


def test_connection_close_is_honoured(sortkey_server: Server) -> None:
    with socket.create_connection((sortkey_server.host, sortkey_server.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            b"Connection: close\r\nContent-Length: 2\r\n\r\n{}"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in data
    assert data.endswith(b'{"TableNames":[]}')


def test_chunked_request_body(sortkey_server: Server) -> None:
    with socket.create_connection((sortkey_server.host, sortkey_server.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert data.endswith(b'{"TableNames":[]}')


def test_negative_chunk_size_gets_400_not_a_hang(sortkey_server: Server) -> None:
    with socket.create_connection((sortkey_server.host, sortkey_server.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n-5\r\n{}"
        )  # the connection stays open: a server reading "until EOF" would never answer
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"malformed chunk size" in data


def test_close_right_after_start_stops_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # Make the serving thread slow to reach serve_forever, as a loaded machine can.
    original = Server.serve_forever

    def late_serve_forever(self: Server) -> None:
        time.sleep(0.3)
        original(self)

    monkeypatch.setattr(Server, "serve_forever", late_serve_forever)
    server = Server(port=0, ttl_sweep=False).start()
    closer = threading.Thread(target=server.close, daemon=True)
    closer.start()
    closer.join(timeout=10)
    assert not closer.is_alive(), "close() waited forever for a serve loop nobody stopped"


def test_expect_100_continue(sortkey_server: Server) -> None:
    with socket.create_connection((sortkey_server.host, sortkey_server.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            b"Expect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
        )
        assert sock.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"{}")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")


def test_malformed_request_line_gets_400_and_close(sortkey_server: Server) -> None:
    with socket.create_connection((sortkey_server.host, sortkey_server.port), timeout=10) as sock:
        sock.sendall(b"garbage\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n")


def test_oversized_body_is_refused_before_it_is_read(sortkey_server: Server) -> None:
    with socket.create_connection((sortkey_server.host, sortkey_server.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            b"Content-Length: 999999999\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 413 Payload Too Large\r\n")


def test_health_check(connection: http.client.HTTPConnection) -> None:
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 200
    assert response.read().startswith(b"healthy: sortkey")
    connection.request("HEAD", "/")
    response = connection.getresponse()
    assert response.status == 200
    assert response.read() == b""
    connection.request("GET", "/elsewhere")
    response = connection.getresponse()
    assert response.status == 404
    response.read()
    connection.request("PUT", "/", b"{}")
    response = connection.getresponse()
    assert response.status == 405
    response.read()


def test_close_ends_idle_keep_alive_connections() -> None:
    server = Server(port=0, ttl_sweep=False).start()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    assert post(conn, "ListTables", {})[0] == 200
    server.close()
    assert conn.sock is not None
    assert conn.sock.recv(1) == b""  # the server side hung up
    conn.close()
    server.close()  # idempotent


def test_file_database_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "serve.db")
    table = {
        "TableName": "persisted",
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    }
    item = {"pk": {"S": "k"}, "b": {"B": b"\x00\x01"}}
    with Server(port=0, db=db, ttl_sweep=False).start() as server:
        with HttpBackend(server.endpoint_url, max_attempts=1) as backend:
            backend.call("CreateTable", table)
            backend.call("PutItem", {"TableName": "persisted", "Item": item})
    with Server(port=0, db=db, ttl_sweep=False).start() as server:
        with HttpBackend(server.endpoint_url, max_attempts=1) as backend:
            got = backend.call("GetItem", {"TableName": "persisted", "Key": {"pk": {"S": "k"}}})
    assert got == {"Item": item}


def test_endpoint_url_of_a_wildcard_address_uses_loopback() -> None:
    with Server(host="0.0.0.0", port=0, ttl_sweep=False) as server:
        assert server.endpoint_url == f"http://127.0.0.1:{server.port}"


# -- the command ---------------------------------------------------------------------------


def test_version_command(capsys: pytest.CaptureFixture[str]) -> None:
    import sortkey

    assert main(["version"]) == 0
    assert capsys.readouterr().out == f"sortkey {sortkey.__version__}\n"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


def test_serve_on_a_busy_port_fails_clearly(
    sortkey_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", str(sortkey_server.port)]) == 1
    assert f"cannot listen on 127.0.0.1:{sortkey_server.port}" in capsys.readouterr().err


def test_serve_command_end_to_end(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sortkey", "serve", "--port", "0", "--no-ttl-sweep"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        example = process.stdout.readline()
        endpoint = first.split(" at ", 1)[1].split()[0]
        assert endpoint.startswith("http://127.0.0.1:")
        assert f"aws dynamodb list-tables --endpoint-url {endpoint}" in example
        with HttpBackend(endpoint, max_attempts=1) as backend:
            assert backend.call("ListTables", {}) == {"TableNames": []}
    finally:
        process.terminate()  # SIGTERM: a clean stop, exit status 0
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
