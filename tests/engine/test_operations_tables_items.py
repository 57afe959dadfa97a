"""Control plane and single-item operations of the engine (messages as DynamoDB Local's)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sortkey.engine import Engine, EngineError


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(ttl_sweep_interval=None) as e:
        yield e


def create(
    engine: Engine, name: str = "tab", *, range_type: str | None = "N", **extra: Any
) -> None:
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_type:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        defs.append({"AttributeName": "sk", "AttributeType": range_type})
    defs.extend(extra.pop("extra_defs", []))
    engine.call(
        "CreateTable",
        {
            "TableName": name,
            "KeySchema": keys,
            "AttributeDefinitions": defs,
            "BillingMode": "PAY_PER_REQUEST",
            **extra,
        },
    )


def error(engine: Engine, op: str, params: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(EngineError) as info:
        engine.call(op, params)
    return info.value.code, info.value.message


def test_create_describe_list_delete(engine: Engine) -> None:
    create(engine, "alpha")
    create(engine, "beta")
    table = engine.call("DescribeTable", {"TableName": "alpha"})["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["ItemCount"] == 0
    assert table["TableArn"].endswith(":table/alpha")
    assert isinstance(table["CreationDateTime"], float)
    assert engine.call("ListTables", {"Limit": 1}) == {
        "TableNames": ["alpha"],
        "LastEvaluatedTableName": "alpha",
    }
    assert engine.call("ListTables", {"ExclusiveStartTableName": "alpha"}) == {
        "TableNames": ["beta"]
    }
    engine.call("DeleteTable", {"TableName": "alpha"})
    assert error(engine, "DescribeTable", {"TableName": "alpha"}) == (
        "ResourceNotFoundException",
        "Cannot do operations on a non-existent table",
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"TableName": "ab"}, "Invalid table/index name.", id="short-name"),
        pytest.param({"KeySchema": []}, "No defined key schema.", id="no-key-schema"),
        pytest.param(
            {"BillingMode": None},
            "No provisioned throughput specified for the table",
            id="no-throughput",
        ),
        pytest.param(
            {
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "x", "AttributeType": "S"},
                ]
            },
            "The number of attributes in key schema must match",
            id="extra-definition",
        ),
    ],
)
def test_create_table_refusals(engine: Engine, params: dict[str, Any], message: str) -> None:
    request = {
        "TableName": "tab",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        **params,
    }
    request = {k: v for k, v in request.items() if v is not None}
    code, text = error(engine, "CreateTable", request)
    assert code == "ValidationException"
    assert text.startswith(message)


def test_create_existing_table_is_refused(engine: Engine) -> None:
    create(engine)
    code, _ = error(
        engine,
        "CreateTable",
        {
            "TableName": "tab",
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        },
    )
    assert code == "ResourceInUseException"


def test_put_get_delete_round_trip_with_normalised_numbers(engine: Engine) -> None:
    create(engine)
    item = {
        "pk": {"S": "a"},
        "sk": {"N": "1.50"},
        "n": {"N": "1E+2"},
        "b": {"B": b"\x00\xff"},
        "empty": {"S": ""},
    }
    assert engine.call("PutItem", {"TableName": "tab", "Item": item}) == {}
    got = engine.call(
        "GetItem", {"TableName": "tab", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}}
    )
    assert got == {
        "Item": {
            "pk": {"S": "a"},
            "sk": {"N": "1.5"},
            "n": {"N": "100"},
            "b": {"B": b"\x00\xff"},
            "empty": {"S": ""},
        }
    }
    old = engine.call(
        "DeleteItem",
        {
            "TableName": "tab",
            "ReturnValues": "ALL_OLD",
            "Key": {"pk": {"S": "a"}, "sk": {"N": "15E-1"}},
        },
    )
    assert old["Attributes"] == got["Item"]
    assert (
        engine.call("GetItem", {"TableName": "tab", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}})
        == {}
    )


def test_put_returns_the_replaced_item(engine: Engine) -> None:
    create(engine)
    first = {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "one"}}
    engine.call("PutItem", {"TableName": "tab", "Item": first})
    response = engine.call(
        "PutItem",
        {
            "TableName": "tab",
            "ReturnValues": "ALL_OLD",
            "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        },
    )
    assert response == {"Attributes": first}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        pytest.param(
            {"pk": {"S": "a"}}, "One of the required keys was not given a value", id="missing-key"
        ),
        pytest.param(
            {"pk": {"N": "1"}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Type mismatch for key",
            id="type-mismatch",
        ),
        pytest.param(
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty string value. Key: pk",
            id="empty-key",
        ),
        pytest.param(
            {"pk": {"S": "x" * 2049}, "sk": {"N": "1"}},
            "Hash primary key values must be under 2048 bytes, and range primary key "
            "values must be under 1024 bytes",
            id="key-too-long",
        ),
        pytest.param(
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "d": {"S": "x" * 400 * 1024}},
            "Item size has exceeded the maximum allowed size",
            id="item-too-big",
        ),
    ],
)
def test_put_refusals(engine: Engine, item: dict[str, Any], message: str) -> None:
    create(engine)
    assert error(engine, "PutItem", {"TableName": "tab", "Item": item}) == (
        "ValidationException",
        message,
    )


def test_missing_table_wins_over_a_bad_item(engine: Engine) -> None:
    assert error(engine, "PutItem", {"TableName": "nope", "Item": {"n": {"N": "x"}}})[0] == (
        "ResourceNotFoundException"
    )


def test_get_with_wrong_key_shape(engine: Engine) -> None:
    create(engine)
    assert error(engine, "GetItem", {"TableName": "tab", "Key": {"pk": {"S": "a"}}}) == (
        "ValidationException",
        "The number of conditions on the keys is invalid",
    )


def test_invalid_return_values(engine: Engine) -> None:
    create(engine)
    assert error(
        engine,
        "PutItem",
        {
            "TableName": "tab",
            "ReturnValues": "ALL_NEW",
            "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        },
    ) == ("ValidationException", "Return values set to invalid value")


def test_secondary_index_key_checks(engine: Engine) -> None:
    create(
        engine,
        extra_defs=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byG",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            }
        ],
    )
    base = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert error(engine, "PutItem", {"TableName": "tab", "Item": {**base, "g": {"N": "1"}}}) == (
        "ValidationException",
        "One or more parameter values were invalid: Type mismatch for Index Key",
    )
    code, message = error(engine, "PutItem", {"TableName": "tab", "Item": {**base, "g": {"S": ""}}})
    assert message.endswith("IndexName: byG, IndexKey: g")


def test_legacy_parameters_name_their_replacement(engine: Engine) -> None:
    create(engine)
    code, message = error(
        engine,
        "GetItem",
        {
            "TableName": "tab",
            "AttributesToGet": ["pk"],
            "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        },
    )
    assert code == "ValidationException"
    assert "AttributesToGet" in message and "ProjectionExpression" in message


def test_update_table_adds_a_backfilled_gsi_and_deletes_it(engine: Engine) -> None:
    create(engine)
    for i in range(3):
        item = {"pk": {"S": f"p{i}"}, "sk": {"N": "1"}}
        if i:
            item["g"] = {"S": "x"}
        engine.call("PutItem", {"TableName": "tab", "Item": item})
    engine.call(
        "UpdateTable",
        {
            "TableName": "tab",
            "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [
                {
                    "Create": {
                        "IndexName": "byG",
                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                    }
                }
            ],
        },
    )
    table = engine.call("DescribeTable", {"TableName": "tab"})["Table"]
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 2
    scanned = engine.call("Scan", {"TableName": "tab", "IndexName": "byG"})
    assert scanned["Count"] == 2
    engine.call(
        "UpdateTable",
        {"TableName": "tab", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "byG"}}]},
    )
    table = engine.call("DescribeTable", {"TableName": "tab"})["Table"]
    assert "GlobalSecondaryIndexes" not in table
    # DynamoDB Local lists the remaining definitions in its HashSet order.
    assert [d["AttributeName"] for d in table["AttributeDefinitions"]] == ["sk", "pk"]


def test_ttl_settings(engine: Engine) -> None:
    create(engine)
    spec = {"Enabled": True, "AttributeName": "ttl"}
    assert engine.call(
        "UpdateTimeToLive", {"TableName": "tab", "TimeToLiveSpecification": spec}
    ) == {"TimeToLiveSpecification": spec}
    assert engine.call("DescribeTimeToLive", {"TableName": "tab"}) == {
        "TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    }
    assert error(
        engine, "UpdateTimeToLive", {"TableName": "tab", "TimeToLiveSpecification": spec}
    ) == ("ValidationException", "TimeToLive is already enabled")


def test_ttl_sweep_deletes_only_expired_items(engine: Engine) -> None:
    create(engine)
    engine.call(
        "UpdateTimeToLive",
        {"TableName": "tab", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}},
    )
    rows = {"old": {"N": "1000"}, "future": {"N": "3000"}, "text": {"S": "1000"}}
    for name, ttl in rows.items():
        engine.call(
            "PutItem",
            {"TableName": "tab", "Item": {"pk": {"S": name}, "sk": {"N": "1"}, "ttl": ttl}},
        )
    # Expired but not yet swept: still returned, as DynamoDB does.
    assert (
        engine.call("GetItem", {"TableName": "tab", "Key": {"pk": {"S": "old"}, "sk": {"N": "1"}}})
        != {}
    )
    assert engine.sweep_ttl(now=2000.0) == 1
    remaining = {i["pk"]["S"] for i in engine.call("Scan", {"TableName": "tab"})["Items"]}
    assert remaining == {"future", "text"}


def test_acknowledged_write_survives_a_killed_process(tmp_path: Path) -> None:
    path = str(tmp_path / "data.db")
    script = f"""
import os
from sortkey.engine import Engine
e = Engine({path!r}, ttl_sweep_interval=None)
e.call("CreateTable", {{"TableName": "tab", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{{"AttributeName": "pk", "KeyType": "HASH"}}],
    "AttributeDefinitions": [{{"AttributeName": "pk", "AttributeType": "S"}}]}})
e.call("PutItem", {{"TableName": "tab", "Item": {{"pk": {{"S": "kept"}}}}}})
os.kill(os.getpid(), 9)
"""
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == -9
    with Engine(path, ttl_sweep_interval=None) as engine:
        assert engine.call("GetItem", {"TableName": "tab", "Key": {"pk": {"S": "kept"}}}) == {
            "Item": {"pk": {"S": "kept"}}
        }


def test_engine_is_safe_across_threads(engine: Engine) -> None:
    import threading

    create(engine, range_type=None)

    def writer(n: int) -> None:
        for i in range(50):
            engine.call("PutItem", {"TableName": "tab", "Item": {"pk": {"S": f"{n}-{i}"}}})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert engine.call("Scan", {"TableName": "tab", "Select": "COUNT"})["Count"] == 200


def test_background_sweeper_deletes_expired_items() -> None:
    import time

    with Engine(ttl_sweep_interval=0.05) as engine:
        create(engine, range_type=None)
        engine.call(
            "UpdateTimeToLive",
            {
                "TableName": "tab",
                "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "exp"},
            },
        )
        expired = {"N": str(int(time.time()) - 10)}
        engine.call("PutItem", {"TableName": "tab", "Item": {"pk": {"S": "x"}, "exp": expired}})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if engine.call("GetItem", {"TableName": "tab", "Key": {"pk": {"S": "x"}}}) == {}:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the background sweep did not delete the expired item")


def test_file_engines_see_each_others_tables(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    with (
        Engine(path, ttl_sweep_interval=None) as first,
        Engine(path, ttl_sweep_interval=None) as second,
    ):
        create(first, range_type=None)
        first.call("PutItem", {"TableName": "tab", "Item": {"pk": {"S": "a"}}})
        assert second.call("GetItem", {"TableName": "tab", "Key": {"pk": {"S": "a"}}}) == {
            "Item": {"pk": {"S": "a"}}
        }
