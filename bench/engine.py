"""Benchmark: sortkey's embedded engine vs moto (in-process) and DynamoDB Local, same run.

Run: .venv/bin/python bench/engine.py            (full run; the 1M-item load takes minutes)
     .venv/bin/python bench/engine.py --quick    (smoke run, well under a minute of timing)
     .venv/bin/python bench/engine.py --profile  (cProfile of the engine per operation)

Part 1, throughput: PutItem, GetItem, a 100-item Query and a 25-item BatchWriteItem on the same
items (~13 attributes, 300-430 bytes) and the same key sequences, compared like for like:

* Python values in and out (conversion included): sortkey through ``sortkey.connect()`` and
  the Database API (``db.table(...)`` plain-dict methods, ``db.batch()``), against moto
  in-process (``moto.mock_aws``) and DynamoDB Local (started by ``sortkey.local.DynamoDBLocal``)
  through boto3's resource layer (``Table.put_item``, ``batch_writer()``...);
* wire dicts (botocore's format): sortkey through ``sortkey.connect().backend.call``, against
  the same peers through boto3's low-level client.

Each (target, operation) is warmed up, then timed in several repeats of the same size
(``time.perf_counter``, request arguments built before the clock starts); the tables show the
median repeat's ops/s and, for each kind, the ratios sortkey ÷ peer against the aims (20x
moto, 10x Local).

Part 2, scaling: a FILE-backed table loaded through the engine (BatchWriteItem through
``call``) to each of ``--sizes`` items; at each size, the latency of individual 100-item queries
on random customers (and of GetItem), which should stay flat as the table grows.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import _targets as t  # noqa: E402
import _workload as w  # noqa: E402
from _timing import (  # noqa: E402
    Contender,
    Rate,
    Settings,
    default_pretouch_megabytes,
    latencies,
    measure_round_robin,
    merged,
    paired_ratio,
    percentile,
    pretouch_memory,
)

AIMS = {"moto": 20.0, "local": 10.0}
PRELOAD_CUSTOMERS = 10  # 1,000 orders read by get and query in part 1
PUT_BASE = 10_000_000  # puts and batches write fresh orders, far from the preloaded ones
BATCH_BASE = 20_000_000


def index_stream(operation: str, customers: int) -> Iterator[int]:
    """The index sequence an operation walks; identical for every target."""
    if operation == "put":
        return itertools.count(PUT_BASE)
    if operation == "batch":
        return itertools.count(BATCH_BASE, w.BATCH_SIZE)
    if operation == "get":
        return w.random_indexes(10**9, customers * w.ORDERS_PER_CUSTOMER, seed=1)
    return w.random_indexes(10**9, customers, seed=2)


def bench_phase(targets: dict[str, t.Target], settings: Settings) -> dict[str, dict[str, Rate]]:
    """Preload every target, then time each operation on all of them round-robin.

    Returns ``{target key: {operation: Rate}}``; each Rate's ``samples`` line up across
    targets (sample ``r`` of every target ran in the same round).
    """
    for target in targets.values():
        target.load(0, PRELOAD_CUSTOMERS * w.ORDERS_PER_CUSTOMER)
    rates: dict[str, dict[str, Rate]] = {key: {} for key in targets}
    for operation in t.OPERATIONS:
        contenders = [
            Contender(
                key,
                functools.partial(target.prepare, operation),
                target.runner(operation),
                index_stream(operation, PRELOAD_CUSTOMERS),
            )
            for key, target in targets.items()
        ]
        for key, rate in measure_round_robin(contenders, settings).items():
            rates[key][operation] = rate
            print(
                f"  {targets[key].name:<32} {operation:<6} {rate.ops_per_second:>10,.0f} ops/s "
                f"({rate.micros:,.0f} us/op; {rate.repeats}x{rate.ops_per_repeat} ops, "
                f"spread {rate.low:,.0f}-{rate.high:,.0f})",
                flush=True,
            )
    return rates


@dataclass
class Throughput:
    """Part 1's results.

    ``rates``: ``{target key: {operation: Rate}}`` with keys ``api`` / ``wire`` (sortkey; the
    median over its repeats in every phase), ``moto`` / ``local`` (boto3's client, wire dicts),
    ``moto-resource`` / ``local-resource`` (boto3's resource layer, Python values).
    ``ratios``: ``{peer key: {operation: sortkey ÷ peer}}``, the median of the ratios of the
    rounds that ran side by side (see ``_timing.paired_ratio``).
    """

    rates: dict[str, dict[str, Rate]] = field(default_factory=dict)
    ratios: dict[str, dict[str, float]] = field(default_factory=dict)


def run_throughput(args: argparse.Namespace, settings: Settings) -> Throughput:
    """Part 1: one phase per peer, sortkey timed round-robin with it (fresh tables each phase).

    moto patches botocore while its phase runs; sortkey's embedded engine does not use botocore.
    """
    result = Throughput()
    phases: dict[str, list[dict[str, Rate]]] = {"api": [], "wire": []}
    peers = {"moto": t.moto_target, "local": t.dynamodb_local_target}
    chosen: list[str | None] = [name for name in peers if name in args.peers] or [None]
    for name in chosen:
        api_db, wire_db = t.connect(), t.connect()
        try:
            for db in (api_db, wire_db):
                db.backend.call("CreateTable", w.CREATE_TABLE)
            ours: dict[str, t.Target] = {
                "api": t.DatabaseApiTarget("sortkey Database API", api_db),
                "wire": t.WireCallTarget("sortkey connect().backend.call", wire_db.backend.call),
            }
            if name is None:
                rates = bench_phase(ours, settings)
            else:
                if name == "local":
                    print("  starting DynamoDB Local ...", flush=True)
                with peers[name]() as (client, resource):
                    print(f"  phase: sortkey round-robin with {_PEER_NAMES[name]}", flush=True)
                    targets = {
                        "api": ours["api"],
                        f"{name}-resource": resource,
                        "wire": ours["wire"],
                        name: client,
                    }
                    rates = bench_phase(targets, settings)
                for peer, mine in ((f"{name}-resource", "api"), (name, "wire")):
                    result.rates[peer] = rates[peer]
                    result.ratios[peer] = {
                        op: paired_ratio(rates[mine][op], rates[peer][op]) for op in t.OPERATIONS
                    }
        finally:
            api_db.close()
            wire_db.close()
        for key in phases:
            phases[key].append(rates[key])
    for key, per_phase in phases.items():
        result.rates[key] = {op: merged([p[op] for p in per_phase]) for op in t.OPERATIONS}
    return result


def _fmt_rate(rate: Rate | None) -> str:
    if rate is None:
        return "-"
    return f"{rate.ops_per_second:,.0f} ({_fmt_us(rate.micros)})"


def _fmt_us(micros: float) -> str:
    return f"{micros / 1000:,.2f} ms" if micros >= 1000 else f"{micros:,.0f} us"


_LABELS = {"put": "PutItem", "get": "GetItem", "query": "Query 100", "batch": "Batch 25"}
_PEER_NAMES = {"moto": "moto", "local": "DynamoDB Local"}


def print_throughput(throughput: Throughput) -> bool:
    """The ops/s table and, per kind (Python values, wire dicts), the ratio table.

    Returns whether every aim was met.
    """
    results = throughput.rates
    columns = [
        (key, label)
        for key, label in (
            ("api", "sortkey API"),
            ("moto-resource", "moto resource"),
            ("local-resource", "Local resource"),
            ("wire", "sortkey wire"),
            ("moto", "moto client"),
            ("local", "Local client"),
        )
        if key in results
    ]
    print(
        "\nThroughput: ops/s, median of repeats (time per op); sortkey's columns: all its "
        "repeats, in every phase"
    )
    rows = [["operation", *(label for _, label in columns)]]
    rows += [
        [_LABELS[op], *(_fmt_rate(results[key].get(op)) for key, _ in columns)]
        for op in t.OPERATIONS
    ]
    _print_table(rows)
    met = True
    for title, suffix in (
        ("Python values: sortkey Database API vs boto3 resource layer", "-resource"),
        ("wire dicts: sortkey connect().backend.call vs boto3 client", ""),
    ):
        peers = [p for p in ("moto", "local") if p + suffix in results]
        if not peers:
            continue
        print(
            f"\nRatios, {title} (aim: >= 20x moto, >= 10x DynamoDB Local)\n"
            "  (each: the median of the ratios of the rounds timed side by side)"
        )
        rows = [["operation", *(f"vs {_PEER_NAMES[p]}" for p in peers), "aims met"]]
        for op in t.OPERATIONS:
            row = [_LABELS[op]]
            row_met = True
            for p in peers:
                ratio = throughput.ratios[p + suffix][op]
                ok = ratio >= AIMS[p]
                row_met = row_met and ok
                row.append(f"{ratio:,.1f}x{'' if ok else ' (miss)'}")
            row.append("yes" if row_met else "NO")
            met = met and row_met
            rows.append(row)
        _print_table(rows)
    return met


def _print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(wd) for c, wd in zip(row[1:], widths[1:], strict=True)
        ]
        print("  " + " | ".join(cells))
        if n == 0:
            print("  " + "-+-".join("-" * wd for wd in widths))


def _load(call: Any, first: int, last: int, label: str) -> float:
    """Batch-write orders ``first .. last - 1``; seconds taken. Progress on stderr."""
    started = time.perf_counter()
    step = max(w.BATCH_SIZE, (last - first) // 10 // w.BATCH_SIZE * w.BATCH_SIZE)
    for start in range(first, last, w.BATCH_SIZE):
        response = call("BatchWriteItem", w.batch_request(start))
        if response.get("UnprocessedItems"):
            raise AssertionError("the engine left unprocessed items")
        done = start + w.BATCH_SIZE
        if (done - first) % step == 0 and done < last:
            rate = (done - first) / (time.perf_counter() - started)
            print(f"    {label}: {done:,} items ({rate:,.0f} items/s)", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def run_scaling(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Part 2: load a file-backed table to each size; query/get latency at each."""
    sizes = sorted(
        {-(-size // w.ORDERS_PER_CUSTOMER) * w.ORDERS_PER_CUSTOMER for size in args.sizes}
    )
    directory = (
        Path(args.db_dir) if args.db_dir else Path(tempfile.mkdtemp(prefix="sortkey-bench-"))
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench.db"
    for leftover in directory.glob("bench.db*"):
        leftover.unlink()
    db = t.connect(f"sqlite:///{path.resolve()}")
    backend = db.backend
    backend.call("CreateTable", w.CREATE_TABLE)
    table = t.DatabaseApiTarget("api", db)
    engine = t.WireCallTarget("engine", backend.call)
    rows: list[dict[str, Any]] = []
    loaded = 0
    try:
        for size in sizes:
            load_seconds = _load(backend.call, loaded, size, f"loading {size:,}")
            loaded = size
            customers = size // w.ORDERS_PER_CUSTOMER
            query_engine = latencies(
                lambda c: engine.prepare("query", c),
                engine.runner("query"),
                w.random_indexes(10**9, customers, seed=3),
                args.latency_samples,
                warmup=20,
            )
            get_engine = latencies(
                lambda i: engine.prepare("get", i),
                engine.runner("get"),
                w.random_indexes(10**9, size, seed=4),
                args.latency_samples * 5,
                warmup=100,
            )
            row: dict[str, Any] = {
                "items": size,
                "load_seconds": load_seconds,
                "load_items_per_second": (size - (rows[-1]["items"] if rows else 0)) / load_seconds,
                "file_bytes": sum(f.stat().st_size for f in directory.glob("bench.db*")),
                "query_p50": statistics.median(query_engine),
                "query_p90": percentile(query_engine, 0.9),
                "query_p99": percentile(query_engine, 0.99),
                "get_p50": statistics.median(get_engine),
            }
            query_api = latencies(
                lambda c: table.prepare("query", c),
                table.runner("query"),
                w.random_indexes(10**9, customers, seed=5),
                args.latency_samples,
                warmup=20,
            )
            row["api_query_p50"] = statistics.median(query_api)
            rows.append(row)
            print(
                f"  {size:>9,} items: query p50 {_fmt_us(row['query_p50'] * 1e6)}, "
                f"get p50 {_fmt_us(row['get_p50'] * 1e6)} (loaded in {load_seconds:,.1f} s)",
                flush=True,
            )
    finally:
        db.close()
        if not args.db_dir:
            shutil.rmtree(directory, ignore_errors=True)
    return rows


def print_scaling(rows: list[dict[str, Any]]) -> None:
    """The latency-vs-size table."""
    has_api = any("api_query_p50" in row for row in rows)
    print("\nScaling: one 100-item Query (and one GetItem) on a FILE-backed table, per call")
    header = ["items", "query p50", "query p90", "query p99", "get p50"]
    if has_api:
        header.append("API query p50")
    header += ["load items/s", "file MB"]
    table = [header]
    for row in rows:
        cells = [
            f"{row['items']:,}",
            _fmt_us(row["query_p50"] * 1e6),
            _fmt_us(row["query_p90"] * 1e6),
            _fmt_us(row["query_p99"] * 1e6),
            _fmt_us(row["get_p50"] * 1e6),
        ]
        if has_api:
            cells.append(_fmt_us(row.get("api_query_p50", float("nan")) * 1e6))
        cells += [f"{row['load_items_per_second']:,.0f}", f"{row['file_bytes'] / 1e6:,.1f}"]
        table.append(cells)
    _print_table(table)
    if len(rows) > 1:
        growth = rows[-1]["query_p50"] / rows[0]["query_p50"]
        print(
            f"  query p50 at {rows[-1]['items']:,} items is {growth:.2f}x the p50 at "
            f"{rows[0]['items']:,} ({rows[-1]['items'] // rows[0]['items']}x more items)"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short smoke run (small sizes)")
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",") if part],
        default=None,
        help="table sizes for the scaling part (default 10000,100000,1000000; --quick: 2000,10000)",
    )
    parser.add_argument(
        "--peers",
        type=lambda text: {part for part in text.split(",") if part and part != "none"},
        default={"moto", "local"},
        help="peers to compare against: moto,local (default both; 'none' for none)",
    )
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (default 5)")
    parser.add_argument("--skip-throughput", action="store_true", help="only the scaling part")
    parser.add_argument("--skip-scaling", action="store_true", help="only the throughput part")
    parser.add_argument("--latency-samples", type=int, default=None, help="queries per size")
    parser.add_argument("--db-dir", help="keep the scaling database in this directory")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument(
        "--pretouch-mb",
        type=int,
        default=None,
        help="MB of memory to touch before timing (default 3072 or a quarter of RAM; 0: none); "
        "see _timing.pretouch_memory",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the engine per operation, then exit"
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [2_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000]
    if args.latency_samples is None:
        args.latency_samples = 50 if args.quick else 300
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the tables."""
    args = parse_args(argv)
    if args.profile:
        from _profile import profile_engine

        profile_engine(quick=args.quick)
        return 0
    settings = (
        Settings(warmup_seconds=0.2, repeat_seconds=0.1, repeats=args.repeats or 3, min_ops=3)
        if args.quick
        else Settings(repeats=args.repeats or 5)
    )
    smallest, largest, mean = w.size_summary()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    pretouch = default_pretouch_megabytes() if args.pretouch_mb is None else args.pretouch_mb
    fault_us = pretouch_memory(pretouch) if pretouch else float("nan")
    print(
        f"sortkey engine benchmark: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} at start; memory: {pretouch:,} MB "
        f"touched first, {fault_us:.1f} us per page fault (~1 us on ordinary machines)\n"
        f"items: {len(w.make_item(0))} attributes, {smallest}-{largest} bytes (mean {mean:.0f}); "
        f"peers: {', '.join(sorted(args.peers)) or 'none'}",
        flush=True,
    )
    report: dict[str, Any] = {
        "settings": vars(args) | {"peers": sorted(args.peers)},
        "pretouch_mb": pretouch,
        "pretouch_page_fault_us": fault_us,
    }
    if not args.skip_throughput:
        print("\nPart 1: throughput (in-memory tables)")
        throughput = run_throughput(args, settings)
        report["aims_met"] = print_throughput(throughput)
        report["throughput"] = {
            target: {op: rate.report() for op, rate in rates.items()}
            for target, rates in throughput.rates.items()
        }
        report["ratios"] = throughput.ratios
    if not args.skip_scaling:
        sizes = ", ".join(f"{size:,}" for size in args.sizes)
        print(f"\nPart 2: scaling (file-backed table, sizes {sizes})")
        rows = run_scaling(args)
        print_scaling(rows)
        report["scaling"] = rows
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
