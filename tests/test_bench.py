"""The benchmark's targets run every operation correctly (so `bench/engine.py` cannot rot).

Speed is not asserted here (see docs/benchmarks.md); each target runs each operation once on
the same workload, and the checks built into the runners (100 items per query, an item per
get, nothing unprocessed) must hold. DynamoDB Local is left to the conformance suite.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import _targets as t  # noqa: E402
import _workload as w  # noqa: E402


def _exercise(target: t.Target) -> None:
    target.load(0, 2 * w.ORDERS_PER_CUSTOMER)
    for operation, index in (("put", 10_000), ("get", 150), ("query", 1), ("batch", 20_000)):
        target.runner(operation)(target.prepare(operation, index))


@pytest.fixture
def sortkey_db() -> Iterator[object]:
    db = t.connect()
    db.backend.call("CreateTable", w.CREATE_TABLE)
    yield db
    db.close()


def test_database_api_target_runs_every_operation(sortkey_db: object) -> None:
    target = t.DatabaseApiTarget("api", sortkey_db)
    _exercise(target)
    # the batch went through db.batch(): its 25 Python-value items are readable back
    for n in range(w.BATCH_SIZE):
        assert target.table.get_item(w.key_of(20_000 + n)) == w.make_item(20_000 + n)


def test_wire_target_runs_every_operation(sortkey_db: object) -> None:
    _exercise(t.WireCallTarget("wire", sortkey_db.backend.call))  # type: ignore[attr-defined]


def test_moto_targets_run_every_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("moto")
    # moto_target fills in fake credentials with setdefault: set them here so they are undone
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    with t.moto_target() as (client, resource):
        _exercise(client)
        _exercise(resource)


def test_an_empty_query_fails_the_runner_check(sortkey_db: object) -> None:
    target = t.DatabaseApiTarget("api", sortkey_db)
    with pytest.raises(AssertionError, match="expected 100"):
        target.runner("query")(w.customer_pk(7))


def test_contenders_are_timed_round_robin_and_ratios_pair_their_rounds() -> None:
    import itertools

    from _timing import Contender, Rate, Settings, measure_round_robin, paired_ratio

    order: list[str] = []
    settings = Settings(warmup_seconds=0.0, repeat_seconds=0.0, repeats=3, min_ops=2)
    contenders = [
        Contender(key, lambda i: i, lambda _arg, key=key: order.append(key), itertools.count())
        for key in ("a", "b")
    ]
    order.clear()
    rates = measure_round_robin(contenders, settings)
    warm_up = order[: order.index("b")]  # "a" warms up (at least 3 calls), then "b"
    timed = order[len(warm_up) * 2 :]
    assert timed == ["a", "a", "b", "b"] * 3  # repeat r of each before repeat r + 1 of any
    assert {key: len(rate.samples) for key, rate in rates.items()} == {"a": 3, "b": 3}

    def rate(*samples: float) -> Rate:
        return Rate(samples, 1)

    # Round by round, ours is always 10x the peer, though the machine's speed swung 4x.
    assert paired_ratio(rate(100, 400, 200), rate(10, 40, 20)) == 10.0


def test_pretouching_memory_reports_a_cost_per_fault_and_stays_within_a_quarter_of_ram() -> None:
    import os

    from _timing import default_pretouch_megabytes, pretouch_memory

    assert pretouch_memory(4) > 0.0  # 1,024 fresh pages touched: some faults, some time
    physical_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") >> 20
    assert 0 < default_pretouch_megabytes() <= min(3072, physical_mb // 4)
