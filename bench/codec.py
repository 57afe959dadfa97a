"""Benchmark: sortkey.codec vs boto3's TypeSerializer / TypeDeserializer on the same items.

Run: .venv/bin/python bench/codec.py [--items N] [--repeats R]

Items are a realistic mix for a single-table design: ~10 attributes each with key strings,
ints, Decimals, bools, None, nested maps and lists, string sets; the sortkey run also has
floats (boto3 refuses floats, so boto3 gets the same items with those floats as Decimals —
the comparison is on the same shapes). Items/s is the best of several repeats
(time.perf_counter), over the whole batch.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer  # noqa: E402

from sortkey.codec import deserialize_item, serialize_item  # noqa: E402

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


def make_item(rng: random.Random, i: int) -> dict[str, Any]:
    user = f"{rng.randrange(10**6):06d}"
    item: dict[str, Any] = {
        "pk": f"USER#{user}",
        "sk": f"ORDER#{2024_00_00 + i}#{rng.randrange(10**9):09d}",
        "_type": "ORDER",
        "status": rng.choice(["draft", "paid", "shipped"]),
        "quantity": rng.randrange(1, 50),
        "total": Decimal(rng.randrange(1, 10**6)) / 100,
        "discount": round(rng.random(), 3),  # a float
        "gift": rng.random() < 0.2,
        "note": None if rng.random() < 0.5 else " ".join(rng.sample(WORDS, 4)),
        "tags": set(rng.sample(WORDS, 3)),
        "address": {
            "street": f"{rng.randrange(1, 999)} {rng.choice(WORDS).title()} Street",
            "city": rng.choice(WORDS).title(),
            "zip": f"{rng.randrange(10**5):05d}",
            "geo": {"lat": Decimal("48.8566"), "lon": Decimal("2.3522")},
        },
        "lines": [
            {"sku": f"SKU-{rng.randrange(10**5)}", "qty": rng.randrange(1, 5), "price": 9.99}
            for _ in range(rng.randrange(1, 4))
        ],
    }
    return item


def without_floats(value: Any) -> Any:
    """The same value with floats as Decimals (boto3 refuses floats)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: without_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_floats(v) for v in value]
    return value


def best_rates(fns: list[Callable[[], object]], count: int, repeats: int) -> list[float]:
    """Items/s of each function, best of ``repeats``; runs are interleaved so that load from
    other processes hits every contender alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for index, fn in enumerate(fns):
            gc.collect()
            gc.disable()  # as timeit does: time the codec, not when the collector runs
            try:
                start = time.perf_counter()
                fn()
                best[index] = min(best[index], time.perf_counter() - start)
            finally:
                gc.enable()
    return [count / seconds for seconds in best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    rng = random.Random(42)
    items = [make_item(rng, i) for i in range(args.items)]
    boto_items = [without_floats(item) for item in items]

    ts, td = TypeSerializer(), TypeDeserializer()

    def boto_ser_item(item: dict[str, Any]) -> dict[str, Any]:
        return {k: ts.serialize(v) for k, v in item.items()}

    def boto_de_item(item: dict[str, Any]) -> dict[str, Any]:
        return {k: td.deserialize(v) for k, v in item.items()}

    wire = [serialize_item(item) for item in items]
    boto_wire = [boto_ser_item(item) for item in boto_items]

    n = len(items)
    ser_ours, ser_boto = best_rates(
        [
            lambda: [serialize_item(i) for i in items],
            lambda: [boto_ser_item(i) for i in boto_items],
        ],
        n,
        args.repeats,
    )
    de_ours, de_boto = best_rates(
        [
            lambda: [deserialize_item(w) for w in wire],
            lambda: [boto_de_item(w) for w in boto_wire],
        ],
        n,
        args.repeats,
    )
    rows = [("serialize", ser_ours, ser_boto), ("deserialize", de_ours, de_boto)]
    print(
        f"{n} items, ~{len(items[0])} attributes each, best of {args.repeats}, "
        f"Python {sys.version.split()[0]}"
    )
    print(f"{'operation':<12} {'sortkey items/s':>16} {'boto3 items/s':>14} {'ratio':>7}")
    for name, ours, theirs in rows:
        print(f"{name:<12} {ours:>16,.0f} {theirs:>14,.0f} {ours / theirs:>6.1f}x")


if __name__ == "__main__":
    main()
