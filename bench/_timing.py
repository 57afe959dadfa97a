"""Timing for the engine benchmark: warm-up, calibrated repeats, medians, percentiles.

Contenders compared with each other are timed *round-robin* (:func:`measure_round_robin`):
repeat 1 of each, then repeat 2 of each, and so on. On a shared or throttled machine the speed
drifts over minutes (measured here: the same code 35 us per PutItem in one run, 63 us in
another), and timing one contender after the other lets the drift land on one side of a
ratio. Round-robin, a slow spell falls on every contender's same repeat, and the ratio of a
round (:func:`paired_ratio`) compares like with like.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Settings:
    """How long and how often to measure each (target, operation)."""

    warmup_seconds: float = 1.0
    repeat_seconds: float = 0.5
    repeats: int = 5
    min_ops: int = 5
    max_ops: int = 20_000


@dataclass(frozen=True)
class Rate:
    """Throughput of one (target, operation): its repeats, the median one and the spread."""

    samples: tuple[float, ...]
    """ops/s of each repeat, in the order they ran."""
    ops_per_repeat: int

    @property
    def ops_per_second(self) -> float:
        """ops/s of the median repeat."""
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        """ops/s of the slowest repeat."""
        return min(self.samples)

    @property
    def high(self) -> float:
        """ops/s of the fastest repeat."""
        return max(self.samples)

    @property
    def repeats(self) -> int:
        """How many repeats ran."""
        return len(self.samples)

    @property
    def micros(self) -> float:
        """Mean microseconds per operation in the median repeat."""
        return 1e6 / self.ops_per_second

    def report(self) -> dict[str, Any]:
        """The figures, for the JSON report."""
        return {
            "ops_per_second": self.ops_per_second,
            "low": self.low,
            "high": self.high,
            "ops_per_repeat": self.ops_per_repeat,
            "repeats": self.repeats,
            "samples": list(self.samples),
        }


@dataclass(frozen=True)
class Contender:
    """One of the things timed together by :func:`measure_round_robin`."""

    key: str
    prepare: Callable[[int], Any]
    run: Callable[[Any], object]
    indexes: Iterator[int]


def measure_round_robin(contenders: list[Contender], settings: Settings) -> dict[str, Rate]:
    """Warm up and size each contender, then run repeat ``r`` of all before ``r + 1`` of any.

    Returns each contender's :class:`Rate` by key (median repeat; ``samples`` in order, so
    :func:`paired_ratio` can compare the repeats that ran side by side).
    """
    counts = {c.key: _warm_up(c, settings) for c in contenders}
    samples: dict[str, list[float]] = {c.key: [] for c in contenders}
    for _ in range(settings.repeats):
        for c in contenders:
            samples[c.key].append(_repeat(c, counts[c.key]))
    return {key: Rate(tuple(rates), counts[key]) for key, rates in samples.items()}


def merged(rates: list[Rate]) -> Rate:
    """One Rate from the repeats of several (a contender timed in several phases)."""
    if len(rates) == 1:
        return rates[0]
    return Rate(tuple(sample for rate in rates for sample in rate.samples), rates[0].ops_per_repeat)


def paired_ratio(ours: Rate, peer: Rate) -> float:
    """Median over the repeats that ran side by side of ours ÷ peer (ops/s)."""
    return statistics.median(a / b for a, b in zip(ours.samples, peer.samples, strict=True))


def _warm_up(contender: Contender, settings: Settings) -> int:
    """Run untimed calls for the warm-up time; the call count that fills one repeat."""
    done, busy = 0, 0.0
    started = time.perf_counter()
    while done < 3 or time.perf_counter() - started < settings.warmup_seconds:
        argument = contender.prepare(next(contender.indexes))
        t0 = time.perf_counter()
        contender.run(argument)
        busy += time.perf_counter() - t0
        done += 1
    per_op = busy / done
    return max(settings.min_ops, min(settings.max_ops, round(settings.repeat_seconds / per_op)))


def _repeat(contender: Contender, count: int) -> float:
    """One timed repeat of ``count`` calls; ops/s."""
    run = contender.run
    arguments = [contender.prepare(next(contender.indexes)) for _ in range(count)]
    # The prebuilt arguments (up to ~25,000 items: over a million objects) are frozen out of
    # the cyclic GC while the clock runs: otherwise every full collection the timed calls
    # trigger walks them, a cost of the benchmark's own heap that grows with the repeat's
    # size. The same for every contender; what the calls allocate is still collected. The
    # other contenders' state (moto keeps its tables as Python objects) is frozen too.
    gc.collect()
    gc.freeze()
    try:
        t0 = time.perf_counter()
        for argument in arguments:
            run(argument)
        return count / (time.perf_counter() - t0)
    finally:
        gc.unfreeze()


def latencies(
    prepare: Callable[[int], Any],
    run: Callable[[Any], object],
    indexes: Iterator[int],
    count: int,
    warmup: int,
) -> list[float]:
    """Seconds taken by each of ``count`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        run(prepare(next(indexes)))
    arguments = [prepare(next(indexes)) for _ in range(count)]
    gc.collect()
    taken = []
    for argument in arguments:
        t0 = time.perf_counter()
        run(argument)
        taken.append(time.perf_counter() - t0)
    return taken


def pretouch_memory(megabytes: int) -> float:
    """Touch ``megabytes`` of fresh memory once, then free it; microseconds per page fault.

    On ordinary machines a fault on fresh memory costs ~0.5-2 µs. On some virtual machines the
    first touch of guest memory the host has not backed yet (or took back) costs far more --
    measured on the Firecracker VM of 2026-11-22: ~40-75 µs per 4 KB page, against ~2 µs for
    memory used before. Every write that grows an in-memory database (sortkey's engine, moto's
    dicts) pays it, so without this a run's write rates depend on the machine's memory history:
    the same 25-item batch took 430-750 µs per repeat on cold memory and 390-420 µs after
    3 GB were touched. Touching the memory first gives every contender memory the host has
    backed, as an ordinary machine would; the cost is printed with the results.
    """
    import mmap
    import resource

    size = megabytes << 20
    page = mmap.PAGESIZE
    region = mmap.mmap(-1, size)
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0 = time.perf_counter()
        for offset in range(0, size, page):
            region[offset] = 1
        taken = time.perf_counter() - t0
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    finally:
        region.close()
    return taken / max(faults, 1) * 1e6


def default_pretouch_megabytes() -> int:
    """3 GB, or a quarter of the machine's memory if that is less."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0
    return int(min(3 << 30, physical // 4) >> 20)


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[rank]
