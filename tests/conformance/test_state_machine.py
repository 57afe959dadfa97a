"""Random operation sequences, sent to DynamoDB Local and to the engine, every answer compared.

A small key space (3 partitions x 3 sort keys) and a few attribute names, one of them a GSI
key, so that sequences collide: conditional writes hit existing items, updates meet type
errors, the index gains and loses items. Each example starts on a fresh table.

``SORTKEY_CONFORMANCE_EXAMPLES`` overrides the number of examples (default 15, so the whole
conformance suite stays within a few minutes on two cores); ``SORTKEY_CONFORMANCE_SHRINK=1``
shrinks a failing sequence (slow).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from .builders import av, gsi
from .harness import ORACLE_ONLY, Req, Side, run_request

pytestmark = pytest.mark.integration

settings.register_profile(
    "conformance",
    max_examples=int(os.environ.get("SORTKEY_CONFORMANCE_EXAMPLES", "15")),
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    # Shrinking replays a failing sequence hundreds of times (each on a new table): minutes.
    # The unshrunk sequence is short enough to read; SORTKEY_CONFORMANCE_SHRINK=1 shrinks.
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    + ([Phase.shrink] if os.environ.get("SORTKEY_CONFORMANCE_SHRINK") else []),
)

_tables = itertools.count(1)
PARTITIONS = ["a", "b", "c"]
SORT_KEYS = [1, 2, 3]
ATTRIBUTES = ["x", "y", "gp", "gs"]  # gp (S) and gs (N) are the GSI's key

keys = st.fixed_dictionaries({"pk": st.sampled_from(PARTITIONS), "sk": st.sampled_from(SORT_KEYS)})
scalars = st.one_of(
    st.integers(-3, 3),
    st.text(alphabet="ab", max_size=2),
    st.frozensets(st.sampled_from(["p", "q", "r"]), min_size=1, max_size=2),
    st.lists(st.integers(0, 2), max_size=2),
)
attribute_maps = st.dictionaries(st.sampled_from(ATTRIBUTES), scalars, max_size=3)
conditions = st.sampled_from(
    [
        None,
        "attribute_exists(#c)",
        "attribute_not_exists(#c)",
        "#c = :c",
        "#c < :c",
        "size(#c) > :c",
    ]
)
condition_names = st.sampled_from(ATTRIBUTES + ["pk"])
condition_values = st.one_of(st.integers(-3, 3), st.text(alphabet="ab", max_size=2))
updates = st.sampled_from(
    [
        "SET #a = :v",
        "SET #a = #a + :v",
        "SET #a = if_not_exists(#a, :v)",
        "ADD #a :v",
        "REMOVE #a",
        "DELETE #a :v",
        "SET #a = list_append(if_not_exists(#a, :e), :v)",
        "SET #a[1] = :v",
    ]
)


def _key(key: dict[str, Any]) -> dict[str, Any]:
    return {"pk": {"S": key["pk"]}, "sk": {"N": str(key["sk"])}}


def _item(key: dict[str, Any], attrs: dict[str, Any]) -> dict[str, Any]:
    return {**_key(key), **{name: av(value) for name, value in attrs.items()}}


def _condition(params: dict[str, Any], condition: str | None, name: str, value: Any) -> None:
    if condition is None:
        return
    params["ConditionExpression"] = condition
    params.setdefault("ExpressionAttributeNames", {})["#c"] = name
    if ":c" in condition:
        params.setdefault("ExpressionAttributeValues", {})[":c"] = av(value)


class ConformanceMachine(RuleBasedStateMachine):
    """Each rule sends one request to both sides and asserts equal normalised answers."""

    oracle: Side
    engine: Side

    def __init__(self) -> None:
        super().__init__()
        real = f"sm-{os.getpid()}-{next(_tables)}"
        self.names = {"sm": real}
        create = {
            "TableName": real,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "gp", "AttributeType": "S"},
                {"AttributeName": "gs", "AttributeType": "N"},
            ],
            "GlobalSecondaryIndexes": [gsi("byGp", "gp", "gs")],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for side in (self.oracle, self.engine):
            out = side.send("CreateTable", create)
            assert out.code is None, f"{side.name}: {out}"
        self.steps = 0

    def check(self, op: str, params: dict[str, Any], **options: Any) -> None:
        req = Req(op, {"TableName": "sm", **params} if op in _SINGLE else params, **options)
        theirs = run_request(self.oracle, req, self.names)
        mine = run_request(self.engine, req, self.names)
        assert mine == theirs, f"{op} {params}"
        self.steps += 1

    @rule(
        key=keys,
        attrs=attribute_maps,
        condition=conditions,
        name=condition_names,
        value=condition_values,
        returns=st.sampled_from(["NONE", "ALL_OLD"]),
        on_failure=st.sampled_from([None, "ALL_OLD"]),
    )
    def put(
        self,
        key: dict[str, Any],
        attrs: dict[str, Any],
        condition: str | None,
        name: str,
        value: Any,
        returns: str,
        on_failure: str | None,
    ) -> None:
        params: dict[str, Any] = {"Item": _item(key, attrs), "ReturnValues": returns}
        _condition(params, condition, name, value)
        if on_failure:
            params["ReturnValuesOnConditionCheckFailure"] = on_failure
        self.check("PutItem", params)

    @rule(
        key=keys,
        expression=updates,
        attribute=st.sampled_from(ATTRIBUTES),
        value=scalars,
        condition=conditions,
        name=condition_names,
        cvalue=condition_values,
        returns=st.sampled_from(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]),
    )
    def update(
        self,
        key: dict[str, Any],
        expression: str,
        attribute: str,
        value: Any,
        condition: str | None,
        name: str,
        cvalue: Any,
        returns: str,
    ) -> None:
        params: dict[str, Any] = {
            "Key": _key(key),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": {"#a": attribute},
            "ReturnValues": returns,
        }
        vals: dict[str, Any] = {}
        if ":v" in expression:
            vals[":v"] = av(value)
        if ":e" in expression:
            vals[":e"] = {"L": []}
        if vals:
            params["ExpressionAttributeValues"] = vals
        _condition(params, condition, name, cvalue)
        self.check("UpdateItem", params)

    @rule(key=keys, condition=conditions, name=condition_names, value=condition_values)
    def delete(self, key: dict[str, Any], condition: str | None, name: str, value: Any) -> None:
        params: dict[str, Any] = {"Key": _key(key), "ReturnValues": "ALL_OLD"}
        _condition(params, condition, name, value)
        self.check("DeleteItem", params)

    @rule(key=keys, consistent=st.booleans(), projection=st.sampled_from([None, "x, gs", "y"]))
    def get(self, key: dict[str, Any], consistent: bool, projection: str | None) -> None:
        params: dict[str, Any] = {"Key": _key(key), "ConsistentRead": consistent}
        if projection:
            params["ProjectionExpression"] = projection
        self.check("GetItem", params)

    @rule(
        pk=st.sampled_from(PARTITIONS),
        op=st.sampled_from([None, "<", ">=", "BETWEEN"]),
        limit=st.sampled_from([None, 1, 2]),
        forward=st.booleans(),
        filtered=st.booleans(),
    )
    def query(
        self, pk: str, op: str | None, limit: int | None, forward: bool, filtered: bool
    ) -> None:
        expression = "pk = :p"
        vals: dict[str, Any] = {":p": {"S": pk}}
        if op == "BETWEEN":
            expression += " AND sk BETWEEN :a AND :b"
            vals.update({":a": {"N": "1"}, ":b": {"N": "2"}})
        elif op:
            expression += f" AND sk {op} :a"
            vals[":a"] = {"N": "2"}
        params: dict[str, Any] = {"KeyConditionExpression": expression, "ScanIndexForward": forward}
        if filtered:
            params["FilterExpression"] = "attribute_exists(x)"
        if limit:
            params["Limit"] = limit
        params["ExpressionAttributeValues"] = vals
        self.check("Query", params, paginate=True)

    @rule(gp=st.text(alphabet="ab", min_size=1, max_size=2))
    def query_index(self, gp: str) -> None:
        # Items with equal index keys have no defined order: compare as a multiset.
        self.check(
            "Query",
            {
                "IndexName": "byGp",
                "KeyConditionExpression": "gp = :g",
                "ExpressionAttributeValues": {":g": {"S": gp}},
            },
            unordered=True,
        )

    @rule(limit=st.sampled_from([None, 2, 5]), count=st.booleans())
    def scan(self, limit: int | None, count: bool) -> None:
        params: dict[str, Any] = {}
        if limit:
            params["Limit"] = limit
        if count:
            params["Select"] = "COUNT"
        self.check("Scan", params, unordered=True, paginate=True)

    @rule(
        entries=st.lists(
            st.tuples(keys, st.one_of(st.none(), attribute_maps)),
            min_size=1,
            max_size=4,
            unique_by=lambda e: (e[0]["pk"], e[0]["sk"]),
        )
    )
    def batch_write(self, entries: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
        requests = [
            {"DeleteRequest": {"Key": _key(k)}}
            if attrs is None
            else {"PutRequest": {"Item": _item(k, attrs)}}
            for k, attrs in entries
        ]
        self.check("BatchWriteItem", {"RequestItems": {"sm": requests}})

    @rule(batch=st.lists(keys, min_size=1, max_size=5, unique_by=lambda k: (k["pk"], k["sk"])))
    def batch_get(self, batch: list[dict[str, Any]]) -> None:
        self.check("BatchGetItem", {"RequestItems": {"sm": {"Keys": [_key(k) for k in batch]}}})

    @rule(
        entries=st.lists(
            st.tuples(
                keys,
                st.sampled_from(["put", "update", "delete", "check"]),
                conditions,
                condition_names,
                condition_values,
                attribute_maps,
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda e: (e[0]["pk"], e[0]["sk"]),
        ),
        on_failure=st.sampled_from([None, "ALL_OLD"]),
    )
    def transact_write(self, entries: list[tuple[Any, ...]], on_failure: str | None) -> None:
        items = []
        for key, kind, condition, name, value, attrs in entries:
            body: dict[str, Any] = {"TableName": "sm"}
            if kind == "put":
                body["Item"] = _item(key, attrs)
            else:
                body["Key"] = _key(key)
            if kind == "update":
                body["UpdateExpression"] = "ADD #u :one"
                body["ExpressionAttributeNames"] = {"#u": "x"}
                body["ExpressionAttributeValues"] = {":one": {"N": "1"}}
            if kind == "check" and condition is None:
                condition = "attribute_exists(#c)"
            _condition(body, condition, name, value)
            if on_failure:
                body["ReturnValuesOnConditionCheckFailure"] = on_failure
            items.append(
                {
                    {
                        "put": "Put",
                        "update": "Update",
                        "delete": "Delete",
                        "check": "ConditionCheck",
                    }[kind]: body
                }
            )
        self.check("TransactWriteItems", {"TransactItems": items})

    @rule(batch=st.lists(keys, min_size=1, max_size=3, unique_by=lambda k: (k["pk"], k["sk"])))
    def transact_get(self, batch: list[dict[str, Any]]) -> None:
        items = [{"Get": {"TableName": "sm", "Key": _key(k)}} for k in batch]
        self.check("TransactGetItems", {"TransactItems": items})

    @precondition(lambda self: self.steps > 0)
    @rule()
    def describe(self) -> None:
        self.check("DescribeTable", {}, only=("Table",))


_SINGLE = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan", "DescribeTable"}
)


def test_random_sequences_agree(oracle: Side, request: pytest.FixtureRequest) -> None:
    if ORACLE_ONLY:
        pytest.skip("compares two sides; SORTKEY_CONFORMANCE=oracle runs DynamoDB Local alone")
    engine: Side = request.getfixturevalue("engine_side")
    ConformanceMachine.oracle = oracle
    ConformanceMachine.engine = engine
    run_state_machine_as_test(ConformanceMachine, settings=settings.get_profile("conformance"))
