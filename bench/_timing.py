"""Timing for the engine benchmark: warm-up, calibrated repeats, medians, percentiles."""

from __future__ import annotations

import gc
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
    """Throughput of one (target, operation): the median repeat and the spread."""

    ops_per_second: float
    low: float
    high: float
    ops_per_repeat: int
    repeats: int

    @property
    def micros(self) -> float:
        """Mean microseconds per operation in the median repeat."""
        return 1e6 / self.ops_per_second


def measure(
    prepare: Callable[[int], Any],
    run: Callable[[Any], object],
    indexes: Iterator[int],
    settings: Settings,
) -> Rate:
    """Warm up, size the repeats from the warm-up's speed, run them; median ops/s.

    ``prepare`` builds each call's argument outside the timed region (all of a repeat's
    arguments are built before its clock starts, then frozen out of the cyclic GC), ``run`` is
    what is timed.
    """
    done, busy = 0, 0.0
    started = time.perf_counter()
    while done < 3 or time.perf_counter() - started < settings.warmup_seconds:
        argument = prepare(next(indexes))
        t0 = time.perf_counter()
        run(argument)
        busy += time.perf_counter() - t0
        done += 1
    per_op = busy / done
    count = max(settings.min_ops, min(settings.max_ops, round(settings.repeat_seconds / per_op)))
    rates = []
    for _ in range(settings.repeats):
        arguments = [prepare(next(indexes)) for _ in range(count)]
        # The prebuilt arguments (up to ~25,000 items: over a million objects) are frozen out
        # of the cyclic GC while the clock runs: otherwise every full collection the timed
        # calls trigger walks them, a cost of the benchmark's own heap that grows with the
        # repeat's size. The same for every target; what the calls allocate is still collected.
        gc.collect()
        gc.freeze()
        try:
            t0 = time.perf_counter()
            for argument in arguments:
                run(argument)
            rates.append(count / (time.perf_counter() - t0))
        finally:
            gc.unfreeze()
    return Rate(statistics.median(rates), min(rates), max(rates), count, settings.repeats)


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


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[rank]
