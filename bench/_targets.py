"""The databases the engine benchmark compares, behind one small interface.

Every target runs the same four operations on the same items (see ``_workload``):

* ``put(i)``: PutItem of order ``i``;
* ``get(i)``: GetItem of order ``i``'s key;
* ``query(c)``: Query of customer ``c``'s 100 orders (one page);
* ``batch(first)``: BatchWriteItem of orders ``first .. first + 24``.

A target first turns an index into the argument its client takes (``prepare``, not timed), then
runs the operation on it (``run``, timed). Targets come in two kinds, compared like for like:

* **wire dicts** (botocore's format, no conversion): sortkey through
  ``sortkey.connect().backend.call``, the peers through boto3's low-level client;
* **Python values** (``str``, ``Decimal``, ``set``...; conversion included, what an application
  pays): sortkey's Database API (``db.table(...)``, ``db.batch()``), the peers through boto3's
  resource layer (``boto3.resource("dynamodb").Table(...)``, ``batch_writer()``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import _workload as w

OPERATIONS = ("put", "get", "query", "batch")

Runner = Callable[[Any], object]


def _check_query(response: dict[str, Any]) -> None:
    items = response["Items"]
    if len(items) != w.ORDERS_PER_CUSTOMER or "LastEvaluatedKey" in response:
        raise AssertionError(f"query returned {len(items)} items, expected one page of 100")


def _check_batch(response: dict[str, Any]) -> None:
    if response.get("UnprocessedItems"):
        raise AssertionError("batch write left unprocessed items")


def _check_get(response: dict[str, Any]) -> None:
    if "Item" not in response:
        raise AssertionError("get found no item")


class Target:
    """A database under test: how to prepare and run each operation."""

    name = "?"

    def prepare(self, operation: str, index: int) -> Any:
        """The argument ``run`` takes for ``operation`` on ``index`` (wire format by default)."""
        if operation == "put":
            return {"TableName": w.TABLE_NAME, "Item": w.wire_item(index)}
        if operation == "get":
            return {"TableName": w.TABLE_NAME, "Key": w.wire_key(index)}
        if operation == "query":
            return w.query_params(index)
        return w.batch_request(index)

    def runner(self, operation: str) -> Runner:
        """The timed callable for ``operation``."""
        raise NotImplementedError

    def load(self, first: int, count: int) -> None:
        """Write orders ``first .. first + count - 1`` with batch writes (not timed)."""
        run = self.runner("batch")
        for start in range(first, first + count, w.BATCH_SIZE):
            run(self.prepare("batch", start))


class WireCallTarget(Target):
    """Anything with ``call(operation, params) -> dict`` (sortkey's engine through its backend)."""

    def __init__(self, name: str, call: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
        self.name = name
        self.call = call

    def runner(self, operation: str) -> Runner:  # noqa: D102
        call = self.call
        if operation == "put":
            return lambda params: call("PutItem", params)
        if operation == "get":
            return lambda params: _check_get(call("GetItem", params))
        if operation == "query":
            return lambda params: _check_query(call("Query", params))
        return lambda params: _check_batch(call("BatchWriteItem", params))


class Boto3Target(Target):
    """A boto3 low-level DynamoDB client (moto in-process, or DynamoDB Local over HTTP)."""

    def __init__(self, name: str, client: Any) -> None:
        self.name = name
        self.client = client

    def runner(self, operation: str) -> Runner:  # noqa: D102
        client = self.client
        if operation == "put":
            return lambda params: client.put_item(**params)
        if operation == "get":
            return lambda params: _check_get(client.get_item(**params))
        if operation == "query":
            return lambda params: _check_query(client.query(**params))
        return lambda params: _check_batch(client.batch_write_item(**params))


class PythonValuesTarget(Target):
    """A client that takes Python values: arguments are items, keys and partition values."""

    def prepare(self, operation: str, index: int) -> Any:  # noqa: D102
        if operation == "put":
            return w.make_item(index)
        if operation == "get":
            return w.key_of(index)
        if operation == "query":
            return w.customer_pk(index)
        return [w.make_item(index + n) for n in range(w.BATCH_SIZE)]


class DatabaseApiTarget(PythonValuesTarget):
    """sortkey's public API: ``db.table(Table(...))`` plain-dict methods and ``db.batch()``."""

    def __init__(self, name: str, db: Any) -> None:
        from sortkey._model.table import Table

        self.name = name
        self.db = db
        self.table = db.table(Table(w.TABLE_NAME, pk="pk", sk="sk"))

    def runner(self, operation: str) -> Runner:  # noqa: D102
        table = self.table
        if operation == "put":
            return lambda item: table.put_item(item)

        def get(key: dict[str, Any]) -> None:
            if table.get_item(key) is None:
                raise AssertionError("get found no item")

        def query(pk: str) -> None:
            found = len(table.query(pk=pk).all())
            if found != w.ORDERS_PER_CUSTOMER:
                raise AssertionError(f"query returned {found} items, expected 100")

        db = self.db
        model = table.table

        def batch(items: list[dict[str, Any]]) -> None:
            with db.batch() as writes:
                for item in items:
                    writes.put_item(model, item)

        runners: dict[str, Runner] = {"get": get, "query": query, "batch": batch}
        return runners[operation]


class Boto3ResourceTarget(PythonValuesTarget):
    """A table of boto3's resource layer: Python values, boto3's own (de)serializer."""

    def __init__(self, name: str, table: Any) -> None:
        self.name = name
        self.table = table

    def runner(self, operation: str) -> Runner:  # noqa: D102
        from boto3.dynamodb.conditions import Key

        table = self.table
        if operation == "put":
            return lambda item: table.put_item(Item=item)

        def get(key: dict[str, Any]) -> None:
            if "Item" not in table.get_item(Key=key):
                raise AssertionError("get found no item")

        def query(pk: str) -> None:
            found = table.query(KeyConditionExpression=Key("pk").eq(pk))
            if len(found["Items"]) != w.ORDERS_PER_CUSTOMER or "LastEvaluatedKey" in found:
                raise AssertionError(f"query returned {len(found['Items'])} items, expected 100")

        def batch(items: list[dict[str, Any]]) -> None:
            with table.batch_writer() as writes:  # flushes 25 items in one BatchWriteItem
                for item in items:
                    writes.put_item(Item=item)

        runners: dict[str, Runner] = {"get": get, "query": query, "batch": batch}
        return runners[operation]


def connect(url: str | None = None, **options: Any) -> Any:
    """``sortkey.connect``: the embedded engine in memory, or ``sqlite:///path``."""
    import sortkey

    return sortkey.connect(url, **options)


def fake_aws_credentials() -> None:
    """Region and dummy credentials for boto3 (moto and DynamoDB Local accept any)."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


Peer = tuple[Boto3Target, Boto3ResourceTarget]


@contextlib.contextmanager
def moto_target() -> Iterator[Peer]:
    """moto's in-process DynamoDB (``moto.mock_aws``) through boto3, table created.

    Yields the low-level client target and the resource-layer target (same table).
    """
    import boto3
    from moto import mock_aws

    fake_aws_credentials()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**w.CREATE_TABLE)
        table = boto3.resource("dynamodb", region_name="us-east-1").Table(w.TABLE_NAME)
        yield (
            Boto3Target("moto, boto3 client", client),
            Boto3ResourceTarget("moto, boto3 resource", table),
        )


@contextlib.contextmanager
def dynamodb_local_target() -> Iterator[Peer]:
    """DynamoDB Local (started by ``sortkey.local.DynamoDBLocal``) through boto3; stopped after.

    Yields the low-level client target and the resource-layer target (same table).
    """
    import boto3
    from botocore.config import Config

    from sortkey.local import DynamoDBLocal

    fake_aws_credentials()
    with DynamoDBLocal() as local:
        client = boto3.client(
            "dynamodb",
            endpoint_url=local.endpoint_url,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}),
        )
        client.create_table(**w.CREATE_TABLE)
        client.get_waiter("table_exists").wait(TableName=w.TABLE_NAME)
        resource = boto3.resource(
            "dynamodb",
            endpoint_url=local.endpoint_url,
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}),
        )
        yield (
            Boto3Target("Local, boto3 client", client),
            Boto3ResourceTarget("Local, boto3 resource", resource.Table(w.TABLE_NAME)),
        )
