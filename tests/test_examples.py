"""The examples behind `make demo` run on every backend and print what the seeds promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sortkey.backends import Backend
from sortkey.client import Database

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"  # on sys.path: conftest.py

import seed_000  # noqa: E402
import seed_000_wire  # noqa: E402
import seed_001  # noqa: E402
import seed_002  # noqa: E402
import seed_003  # noqa: E402
import seed_004  # noqa: E402

pytestmark = pytest.mark.integration


class Recorder:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __call__(self, label: str, value: object) -> None:
        self.lines.append((label, str(value)))

    def values(self, label: str) -> list[str]:
        return [v for k, v in self.lines if k == label]


def test_seed_000_with_entities(db: Database) -> None:
    say = Recorder()
    seed_000.with_entities(db, say)
    assert say.values("orders, newest first") == ["ORD1002 30 Processing", "ORD1001 50 Shipped"]
    assert len(say.values("UserID-index")) == 3
    assert say.values("refused") == ["ConditionFailed: The conditional request failed"]


def test_seed_000_with_plain_dicts(db: Database) -> None:
    say = Recorder()
    seed_000.with_plain_dicts(db, say)
    assert "'Amount': 35" in say.values("updated")[0]
    assert len(say.values("UserID-index")) == 3


def test_seed_003(db: Database) -> None:
    say = Recorder()
    seed_003.scenario(db, say)
    assert say.values("GSI1SK after status update")[0].endswith("#STATUS#inactive")
    assert say.values("GSI1 query status=inactive") == ["['Ex-Loki']"]
    assert say.values("second user refused") == ["field='email' value='loki@asgard.com'"]


def test_seed_001_blog(db: Database) -> None:
    say = Recorder()
    seed_001.blog(db, say)
    assert say.values("post_count after the transaction") == ["1"]
    assert say.values("refused transaction") == ["['ItemNotFound']"]
    assert say.values("tag 'x' after the refused transaction") == ["[]"]
    assert say.values("user posts, newest first") == ["['Second Post', 'My First Post']"]
    assert say.values("collection: user + posts") == ["('John D.', 2)"]
    assert say.values("every user (type index, pages of 4)") == [
        "['johndoe', 'user0', 'user1', 'user2', 'user3', 'user4']"
    ]
    assert say.values("comments after delete") == ["0"]


def test_seed_001_sessions(db: Database) -> None:
    say = Recorder()
    seed_001.sessions(db, say)
    assert say.values("expires in ~48h after touch") == ["48"]
    assert say.values("sessions left") == ["1"]


def test_seed_002(db: Database) -> None:
    say = Recorder()
    seed_002.scenario(db, say)
    assert say.values("user posts (oldest first)") == ["['My First Post', 'Second Post']"]
    assert say.values("comments") == ["['Great post!']"]
    assert say.values("post and author in one read") == ["('My First Post', 'alice')"]


def test_seed_004(db: Database) -> None:
    say = Recorder()
    seed_004.scenario(db, say)
    assert say.values("organisations") == ["['orgB']"]
    assert say.values("invitations") == ["['orgA']"]
    assert say.values("overwrite refused") == ["['ItemExists']"]
    assert say.values("members after removal") == ["0"]


def test_seed_000_at_the_wire_level(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    seed_000_wire.seed_000_wire(backend)
    out = capsys.readouterr().out
    assert "order: ORDER#ORD1001 amount=50 status=Shipped" in out
    assert "order: ORDER#ORD1002 amount=30 status=Processing" in out


def test_demo_runs_on_the_embedded_engine_without_java() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py")],
        capture_output=True, text=True, check=True, env={"PATH": "/nonexistent"},
    )
    assert "seed 000 — users & orders, with entities" in result.stdout
    assert "second user refused: field='email'" in result.stdout
    assert "invitations: ['orgA']" in result.stdout
