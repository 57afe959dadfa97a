"""TableSchema.put_key: the batch/PutItem shortcut agrees with the full key checks."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sortkey.engine.errors import EngineError
from sortkey.engine.operations.schema import TableSchema


def _schema(hash_type: str, range_type: str | None) -> TableSchema:
    types = {"pk": hash_type} | ({"sk": range_type} if range_type else {})
    return TableSchema(
        id=1,
        name="t",
        hash_key="pk",
        range_key="sk" if range_type else None,
        attribute_types=types,
        attribute_definitions=[{"AttributeName": n, "AttributeType": t} for n, t in types.items()],
        created=0.0,
    )


def _reference(schema: TableSchema, item: dict[str, Any]) -> Any:
    try:
        schema.check_item_keys(item)
    except EngineError as exc:
        return exc.message
    return schema.storage_key(item)


def _key_values(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    if kind == "S":
        text = st.one_of(st.text(max_size=4), st.just("x" * 600), st.just("\u00e9" * 300))
        return text.map(lambda s: {"S": s})
    if kind == "N":
        return st.sampled_from(["1", "1E+2", "100", "-0.50", "0", "1.0"]).map(lambda n: {"N": n})
    return st.one_of(st.binary(max_size=4), st.just(b"\x00" * 1500)).map(lambda b: {"B": b})


_other = st.sampled_from([{"S": "1"}, {"N": "1"}, {"B": b"1"}, {"BOOL": True}, {"SS": ["a"]}])


@pytest.mark.parametrize("range_type", [None, "S", "N", "B"])
@pytest.mark.parametrize("hash_type", ["S", "N", "B"])
@given(data=st.data())
def test_put_key_agrees_with_the_full_checks(
    hash_type: str, range_type: str | None, data: st.DataObject
) -> None:
    schema = _schema(hash_type, range_type)
    # A sequence of items on one schema: put_key remembers the last partition.
    for _ in range(4):
        item: dict[str, Any] = {"v": {"S": "x"}}
        item["pk"] = data.draw(st.one_of(_key_values(hash_type), _other))
        if range_type:
            item["sk"] = data.draw(st.one_of(_key_values(range_type), _other))
        if data.draw(st.booleans()):
            del item["pk"]
        expected = _reference(schema, item)
        try:
            got: Any = schema.put_key(item)
        except EngineError as exc:
            got = exc.message
        assert got == expected


def test_put_key_remembers_only_the_same_text() -> None:
    schema = _schema("N", None)
    first = schema.put_key({"pk": {"N": "1E+2"}})
    assert schema.put_key({"pk": {"N": "100"}}) == first  # the same number: one partition
    assert schema.put_key({"pk": {"N": "101"}}) != first
    assert schema.put_key({"pk": {"N": "1E+2"}}) == first
