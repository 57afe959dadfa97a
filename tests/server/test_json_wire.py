"""The JSON <-> botocore-wire conversion shared by ``sortkey serve`` and ``HttpBackend``.

botocore is the oracle: for any item, our JSON equals what botocore's serializer sends, and
what we parse from a response equals what botocore's parser returns.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sortkey.backends._json_wire import WireFormatError, dumps, loads

_MODEL = botocore.session.get_session().get_service_model("dynamodb")

names = st.text(min_size=1, max_size=8)
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=20)),
    st.builds(lambda n: {"N": str(n)}, st.integers()),
    st.builds(lambda b: {"B": b}, st.binary(max_size=20)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": sorted(s)}, st.sets(st.text(max_size=5), min_size=1, max_size=4)),
    st.builds(lambda s: {"BS": sorted(s)}, st.sets(st.binary(max_size=5), min_size=1, max_size=4)),
)
attribute_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.builds(lambda values: {"L": values}, st.lists(children, max_size=4)),
        st.builds(lambda members: {"M": members}, st.dictionaries(names, children, max_size=4)),
    ),
    max_leaves=12,
)
items = st.dictionaries(names, attribute_values, min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(items)
def test_round_trip(item: dict[str, Any]) -> None:
    assert loads(dumps({"Item": item})) == {"Item": item}


@settings(max_examples=100, deadline=None)
@given(items, items)
def test_request_json_equals_botocore_serializer(item: dict[str, Any], old: dict[str, Any]) -> None:
    params = {
        "TableName": "table",
        "Item": item,
        "ExpressionAttributeValues": {f":v{i}": v for i, v in enumerate(old.values())},
        "ConditionExpression": "attribute_exists(a)",
    }
    serializer = botocore.serialize.create_serializer("json")
    request = serializer.serialize_to_request(params, _MODEL.operation_model("PutItem"))
    assert json.loads(dumps(params)) == json.loads(request["body"])


@settings(max_examples=100, deadline=None)
@given(st.lists(items, max_size=3), items)
def test_response_parsing_equals_botocore_parser(
    found: list[dict[str, Any]], last_key: dict[str, Any]
) -> None:
    response = {
        "Items": found,
        "Count": len(found),
        "ScannedCount": 3,
        "LastEvaluatedKey": last_key,
    }
    body = dumps(response)
    parser = botocore.parsers.create_parser("json")
    parsed = parser.parse(
        {"status_code": 200, "headers": {}, "body": body},
        _MODEL.operation_model("Query").output_shape,
    )
    parsed.pop("ResponseMetadata", None)
    assert loads(body) == parsed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"B": b"\x00"}, b'{"B":"AA=="}', id="binary"),
        pytest.param({"BS": [b"\x00", b"\xff"]}, b'{"BS":["AA==","/w=="]}', id="binary-set"),
        pytest.param({"S": "é€"}, '{"S":"é€"}'.encode(), id="utf-8-not-escaped"),
        pytest.param({"S": "\ud800"}, b'{"S":"\\ud800"}', id="lone-surrogate-escaped"),
        pytest.param({"B": bytearray(b"\x01")}, b'{"B":"AQ=="}', id="bytearray"),
    ],
)
def test_dumps(value: dict[str, Any], expected: bytes) -> None:
    assert dumps(value) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            b'{"Item": {"B": {"S": "attribute named B"}}}',
            {"Item": {"B": {"S": "attribute named B"}}},
            id="attribute-named-B-is-not-binary",
        ),
        pytest.param(
            b'{"Item": {"BS": {"B": "AA=="}}}',
            {"Item": {"BS": {"B": b"\x00"}}},
            id="attribute-named-BS-holding-binary",
        ),
        pytest.param(
            b'{"ExpressionAttributeNames": {"#B": "B"}}',
            {"ExpressionAttributeNames": {"#B": "B"}},
            id="names-untouched",
        ),
        pytest.param(b'{"TableNames": []}', {"TableNames": []}, id="no-binary-fast-path"),
    ],
)
def test_loads_decodes_only_attribute_values(body: bytes, expected: dict[str, Any]) -> None:
    assert loads(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"B": "not base64!"}', id="bad-base64"),
        pytest.param(b'{"BS": ["AA==", "A"]}', id="bad-base64-in-set"),
        pytest.param(b"{", id="truncated"),
        pytest.param(b"\xff\xfe", id="not-utf-8"),
        pytest.param(b"[" * 100_000, id="too-deep"),
    ],
)
def test_loads_refuses_bad_input(body: bytes) -> None:
    with pytest.raises(WireFormatError):
        loads(body)


def test_dumps_refuses_values_json_cannot_carry() -> None:
    with pytest.raises(TypeError, match="set is not valid"):
        dumps({"S": {"a"}})
