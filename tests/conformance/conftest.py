"""Fixtures of the conformance suite: DynamoDB Local (the oracle) and the engine, as sides.

``SORTKEY_CONFORMANCE=oracle`` runs every case on DynamoDB Local alone and checks only that the
case expects what DynamoDB Local answers (for writing new cases before the engine has them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sortkey.local import DynamoDBLocal

from .harness import (
    ORACLE_ONLY,
    Case,
    Side,
    check_oracle,
    compare,
    engine_sender,
    local_sender,
    next_suffix,
    play,
)

DUMP = os.environ.get("SORTKEY_CONFORMANCE_DUMP")
"""A file to append DynamoDB Local's normalised answers to (JSON lines), for reviewing cases."""


def raw_local_client(endpoint_url: str) -> Any:
    """A botocore client without client-side parameter validation.

    botocore refuses some invalid requests itself (a 2-character index name, a Limit of 0)
    before DynamoDB sees them; the engine is judged by what the server answers, so the
    conformance suite sends them as they are.
    """
    import botocore.config
    import botocore.session

    config = botocore.config.Config(
        parameter_validation=False, retries={"mode": "standard", "total_max_attempts": 1}
    )
    return botocore.session.get_session().create_client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="sortkeylocal",
        aws_secret_access_key="sortkeylocal",
        config=config,
    )


@pytest.fixture(scope="session")
def oracle(dynamodb_local: DynamoDBLocal) -> Iterator[Side]:
    client = raw_local_client(dynamodb_local.endpoint_url)
    yield Side("dynamodb-local", local_sender(client))
    client.close()


@pytest.fixture(scope="session")
def engine_side() -> Iterator[Side]:
    try:
        from sortkey.engine import Engine
    except ImportError as exc:
        pytest.fail(f"the embedded engine cannot be imported: {exc}", pytrace=False)
    engine = Engine(":memory:")
    yield Side("engine", engine_sender(engine))
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@pytest.fixture
def run_case(request: pytest.FixtureRequest, oracle: Side) -> Callable[[Case], None]:
    """Play a case on DynamoDB Local, check it, then on the engine, and compare."""

    def run(case: Case) -> None:
        suffix = next_suffix()
        local = play(case, oracle, suffix)
        if DUMP:
            with open(DUMP, "a", encoding="utf-8") as out:
                out.write(json.dumps({"case": case.name, "local": local.answers}, default=repr))
                out.write("\n")
        check_oracle(case, local)
        if ORACLE_ONLY:
            return
        engine_side: Side = request.getfixturevalue("engine_side")
        mine = play(case, engine_side, suffix)
        compare(case, local, mine)

    return run
