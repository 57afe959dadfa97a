"""cProfile of sortkey on the benchmark's operations: where each call's time goes.

For each operation, the same calls as the throughput benchmark run under cProfile, through the
engine (``EmbeddedBackend.call``, wire dicts) and the Database API (Python values). Printed:
the functions with the most own time ("tottime"), then the most inclusive time ("cumtime"),
both per call of the operation, so the numbers read as "microseconds of each PutItem".
"""

from __future__ import annotations

import cProfile
import itertools
import pstats
from pathlib import Path
from typing import Any

import _targets as t
import _workload as w

from sortkey.backends.embedded import EmbeddedBackend

_SRC = str(Path(__file__).resolve().parent.parent / "src") + "/"


def _where(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function  # a builtin, e.g. "<method 'execute' of 'sqlite3.Cursor' objects>"
    short = filename.replace(_SRC, "").rsplit("/lib/python", 1)[-1]
    return f"{short}:{line}({function})"


def _report(profile: cProfile.Profile, calls: int, top: int) -> None:
    stats = pstats.Stats(profile)
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in entries.values())
    print(f"    total {total / calls * 1e6:,.1f} us per call (wall time; cProfile inflates it)")
    for title, column in (("own time", 2), ("inclusive time", 3)):
        print(f"    top {top} by {title}: us/op  share  calls/op  function")
        ranked = sorted(entries.items(), key=lambda kv: kv[1][column], reverse=True)[:top]
        for key, entry in ranked:
            print(
                f"      {entry[column] / calls * 1e6:8.1f}  {entry[column] / total:5.0%}  "
                f"{entry[1] / calls:8.1f}  {_where(key)}"
            )


def _profile_target(target: t.Target, operation: str, calls: int, top: int) -> None:
    indexes = _indexes(operation)
    run = target.runner(operation)
    for _ in range(min(200, calls)):
        run(target.prepare(operation, next(indexes)))  # warm caches (expression parses ...)
    arguments = [target.prepare(operation, next(indexes)) for _ in range(calls)]
    profile = cProfile.Profile()
    profile.enable()
    for argument in arguments:
        run(argument)
    profile.disable()
    print(f"\n  {target.name}: {operation} ({calls} calls)")
    _report(profile, calls, top)


def _indexes(operation: str) -> Any:
    if operation == "put":
        return itertools.count(10_000_000)
    if operation == "batch":
        return itertools.count(20_000_000, w.BATCH_SIZE)
    if operation == "get":
        return w.random_indexes(10**9, 1000, seed=1)
    return w.random_indexes(10**9, 10, seed=2)


def profile_engine(*, quick: bool = False, top: int = 15) -> None:
    """Profile every operation through the engine and (if present) the Database API."""
    counts = {"put": 3000, "get": 3000, "query": 300, "batch": 300}
    if quick:
        counts = {op: max(20, n // 10) for op, n in counts.items()}
    targets: list[tuple[t.Target, Any]] = []
    backend = EmbeddedBackend()
    backend.call("CreateTable", w.CREATE_TABLE)
    targets.append((t.WireCallTarget("sortkey engine (call)", backend.call), backend))
    db = t.connect()
    db.backend.call("CreateTable", w.CREATE_TABLE)
    targets.append((t.DatabaseApiTarget("sortkey Database API", db), db))
    for target, _ in targets:
        target.load(0, 1000)
        for operation in t.OPERATIONS:
            _profile_target(target, operation, counts[operation], top)
    for _, owner in targets:
        owner.close()
