"""The main job of `make demo`: the seeds' scenarios, end to end, on the embedded engine.

    python examples/demo.py                    # embedded engine, in memory: no Java, no AWS
    python examples/demo.py --endpoint URL     # the same against any DynamoDB endpoint
                                               # (DynamoDB Local, `sortkey serve`, Alternator)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the seed modules beside this file

import seed_000  # noqa: E402
import seed_001  # noqa: E402
import seed_002  # noqa: E402
import seed_003  # noqa: E402
import seed_004  # noqa: E402

import sortkey  # noqa: E402


def say(label: str, value: object) -> None:
    print(f"    {label}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the seeds' scenarios.")
    parser.add_argument("--endpoint", help="a DynamoDB endpoint URL (default: embedded engine)")
    args = parser.parse_args()
    db = sortkey.connect(args.endpoint) if args.endpoint else sortkey.connect()
    where = args.endpoint or "the embedded engine (in memory)"
    print(f"sortkey {sortkey.__version__} on {where}\n")
    scenarios = [
        ("seed 000 — users & orders, with entities", seed_000.with_entities),
        ("seed 000 — users & orders, with plain dicts", seed_000.with_plain_dicts),
        ("seed 003 — unique email, GSI1SK rewritten on update", seed_003.scenario),
        ("seed 001 — blog: transactions, GSIs, collections, type index", seed_001.blog),
        ("seed 001 — sessions with TTL", seed_001.sessions),
        ("seed 002 — three tables related by GSIs", seed_002.scenario),
        ("seed 004 — invitations: batch writes, one-query details, groups", seed_004.scenario),
    ]
    for title, run in scenarios:
        print(title)
        run(db, say)
        print()
    db.close()


if __name__ == "__main__":
    main()
