"""Python values → storable values and entities → items: the rules, and the fast code vs the old.

``storable`` used to be a plain isinstance chain (kept below as ``reference_storable``); it now
dispatches on exact types with a per-class cache. The property tests check that the two agree
on random nested values, types of the results included (``str`` and not a ``str`` subclass,
``set`` and not ``frozenset``...).
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum
from types import MappingProxyType
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sortkey._model.entity import Entity, spec_of
from sortkey._model.fields import TTL, CreatedAt, Epoch
from sortkey._model.item import (
    epoch_seconds,
    field_values,
    index_attributes,
    primary_key,
    storable,
    storable_item,
    to_attributes,
)
from sortkey._model.table import GSI, Table
from sortkey._model.template import Key, format_datetime
from sortkey._ops.plain import _item
from sortkey.codec import item_size, serialize_item, serialize_item_sized
from sortkey.errors import InvalidInput, SerializationError

# --------------------------------------------------------------------------- the old code


def reference_storable(value: Any) -> Any:
    """``storable`` as it was before the fast dispatch: the specification of its results."""
    if value is None or isinstance(value, str | bool | int | float | bytes):
        return value
    if isinstance(value, Enum):
        return reference_storable(value.value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, BaseModel):
        return {
            name: reference_storable(v)
            for name in type(value).model_fields
            if (v := getattr(value, name)) is not None
        }
    if isinstance(value, Mapping):
        return {
            (k.value if isinstance(k, Enum) else k): reference_storable(v) for k, v in value.items()
        }
    if isinstance(value, set | frozenset):
        return {reference_storable(v) for v in value} or None
    if isinstance(value, list | tuple):
        return [reference_storable(v) for v in value]
    return value


def reference_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """The old ``_item`` before serialization: storable, then ``None`` attributes dropped."""
    return {k: v for k, v in reference_storable(dict(values)).items() if v is not None}


# --------------------------------------------------------------------------- test types


class Color(Enum):
    RED = "red"
    BLUE = "blue"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


class Shade(str, Enum):
    DARK = "dark"
    PALE = "pale"


class Moment(Enum):
    EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
    NESTED = Color.RED  # an enum whose value is an enum


class Text(str):
    pass


class Count(int):
    pass


class Bag(dict[Any, Any]):
    pass


class Frozen(Mapping[str, Any]):
    """A Mapping that is not a dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class Stamp(datetime):
    pass


class Inner(BaseModel):
    n: int | None = None
    tags: set[str] | None = None
    when: datetime | None = None
    color: Color | None = None


class Outer(BaseModel):
    name: str
    inner: Inner | None = None
    items: list[Inner] = []


# --------------------------------------------------------------------------- the rules, pinned

UTC = timezone.utc
ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("x", "x", id="str"),
        pytest.param(7, 7, id="int"),
        pytest.param(1.5, 1.5, id="float"),
        pytest.param(True, True, id="bool"),
        pytest.param(b"\x00", b"\x00", id="bytes"),
        pytest.param(Decimal("1.50"), Decimal("1.50"), id="decimal-unchanged"),
        pytest.param(None, None, id="none"),
        pytest.param(
            datetime(2024, 5, 1, 12, 30, tzinfo=UTC), "2024-05-01T12:30:00.000000Z", id="datetime"
        ),
        pytest.param(
            datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-01T12:30:00.000000Z",
            id="datetime-to-utc",
        ),
        pytest.param(datetime(2024, 5, 1), "2024-05-01T00:00:00.000000Z", id="naive-is-utc"),
        pytest.param(Stamp(2024, 5, 1, tzinfo=UTC), "2024-05-01T00:00:00.000000Z", id="dt-sub"),
        pytest.param(date(2024, 5, 1), "2024-05-01", id="date"),
        pytest.param(time(9, 5), "09:05:00", id="time"),
        pytest.param(ID, "12345678-1234-5678-1234-567812345678", id="uuid"),
        pytest.param(Color.RED, "red", id="enum-value"),
        pytest.param(Moment.EPOCH, "1970-01-01T00:00:00.000000Z", id="enum-of-datetime"),
        pytest.param(Moment.NESTED, "red", id="enum-of-enum"),
        pytest.param(set(), None, id="empty-set-absent"),
        pytest.param(frozenset({Color.RED}), {"red"}, id="frozenset-to-set"),
        pytest.param((1, Color.BLUE), [1, "blue"], id="tuple-to-list"),
        pytest.param({Color.RED: 1, "k": [date(2024, 1, 2)]}, {"red": 1, "k": ["2024-01-02"]}),
        pytest.param({"empty": set(), "none": None}, {"empty": None, "none": None}, id="nested"),
        pytest.param(
            Outer(name="o", inner=Inner(n=1, color=Color.BLUE), items=[Inner(tags=set())]),
            {"name": "o", "inner": {"n": 1, "color": "blue"}, "items": [{"tags": None}]},
            id="models-drop-none-fields",
        ),
        pytest.param(Bag(a=Color.RED), {"a": "red"}, id="dict-subclass"),
        pytest.param(MappingProxyType({"a": 1}), {"a": 1}, id="mapping-proxy"),
        pytest.param(Frozen({"a": ID}), {"a": str(ID)}, id="abc-mapping"),
    ],
)
def test_storage_rules(value: Any, expected: Any) -> None:
    result = storable(value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Shade.DARK, id="str-enum"),
        pytest.param(Level.HIGH, id="int-enum"),
        pytest.param(Text("t"), id="str-subclass"),
        pytest.param(Count(3), id="int-subclass"),
        pytest.param(bytearray(b"ab"), id="bytearray"),
        pytest.param(object(), id="unknown"),
    ],
)
def test_subclasses_of_stored_types_and_unknown_values_pass_through(value: Any) -> None:
    assert storable(value) is value  # the codec stores them as their base type or refuses them


def test_containers_are_copies_never_the_callers_own() -> None:
    plain: dict[str, Any] = {"a": 1, "b": "x"}
    items = [1, 2]
    tags = {"a"}
    for value in (plain, items, tags, {"m": plain}):
        assert storable(value) == value
        assert storable(value) is not value
    nested = storable({"m": plain, "l": items})
    assert nested["m"] is not plain and nested["l"] is not items


def test_storable_item_leaves_out_none_and_empty_sets() -> None:
    item = {"pk": "a", "gone": None, "tags": set(), "kept": {"n": None}, Color.RED: Level.LOW}
    assert storable_item(item) == {"pk": "a", "kept": {"n": None}, "red": Level.LOW}


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param({"red": 1, Color.RED: None}, {}, id="later-none-wins"),
        pytest.param({Color.RED: None, "red": 1}, {"red": 1}, id="later-value-wins"),
        pytest.param({"red": 1, Color.RED: 2}, {"red": 2}, id="enum-key-overwrites"),
    ],
)
def test_storable_item_enum_keys_colliding_with_str_keys(
    item: dict[Any, Any], expected: dict[str, Any]
) -> None:
    assert storable_item(item) == expected == reference_item(item)


def test_plain_item_refuses_a_non_mapping() -> None:
    with pytest.raises(InvalidInput, match="item must be a dict of attribute values, got list"):
        _item([("pk", "a")], "item", serialize_item)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- property: old == new

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.binary(max_size=4),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))])),
    st.dates(),
    st.times(),
    st.uuids(),
    st.sampled_from([*Color, *Level, *Shade, *Moment]),
    st.text(max_size=3).map(Text),
    st.integers().map(Count),
)
hashables = st.one_of(
    st.text(max_size=5),
    st.integers(),
    st.binary(max_size=3),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.datetimes(),
    st.uuids(),
    st.sampled_from([*Color, *Level, *Shade]),
    st.text(max_size=3).map(Text),
)
keys = st.one_of(st.text(max_size=4), st.sampled_from([*Color, *Shade]), st.just("red"))
models = st.builds(
    Inner,
    n=st.none() | st.integers(),
    tags=st.none() | st.sets(st.text(max_size=3), max_size=3),
    when=st.none() | st.datetimes(),
    color=st.none() | st.sampled_from(Color),
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=4),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(Bag),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(MappingProxyType),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(OrderedDict),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(Frozen),
        st.sets(hashables, max_size=4),
        st.frozensets(hashables, max_size=3),
        st.builds(Outer, name=st.text(max_size=3), inner=st.none() | models),
        models,
    )


values = st.recursive(scalars, _containers, max_leaves=20)


def shape(value: Any) -> Any:
    """A comparable picture of a value, exact types included (``==`` alone hides them)."""
    kind = type(value).__qualname__
    if isinstance(value, dict):
        return (kind, sorted(((repr(k), type(k).__qualname__), shape(v)) for k, v in value.items()))
    if isinstance(value, list):
        return (kind, [shape(v) for v in value])
    if isinstance(value, set | frozenset):
        return (kind, sorted(repr(shape(v)) for v in value))
    if isinstance(value, float | Decimal):
        return (kind, repr(value))
    return (kind, value)


def outcome(function: Any, value: Any) -> Any:
    try:
        return ("ok", shape(function(value)))
    except Exception as exc:  # both sides must fail alike (unhashable set members...)
        return ("error", type(exc).__name__, str(exc))


@settings(max_examples=400, deadline=None)
@given(values)
def test_storable_equals_the_reference_on_random_values(value: Any) -> None:
    assert outcome(storable, value) == outcome(reference_storable, value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=6))
def test_items_equal_the_reference_on_random_values(item: dict[Any, Any]) -> None:
    assert outcome(storable_item, item) == outcome(reference_item, item)
    assert outcome(lambda i: _item(i, "item", serialize_item), item) == outcome(
        lambda i: serialize_item(reference_item(i)), item
    )
    # The sized form (puts): the same item or error, and the size item_size measures.
    reference = outcome(lambda i: serialize_item(reference_item(i)), item)
    try:
        wire, size = _item(item, "item", serialize_item_sized)
    except Exception as exc:
        assert reference == ("error", type(exc).__name__, str(exc))
    else:
        assert reference == ("ok", shape(wire))
        assert size == item_size(wire)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=4), values, max_size=4))
def test_storable_item_takes_any_mapping(item: dict[str, Any]) -> None:
    expected = outcome(reference_item, item)
    for given_as in (Bag(item), MappingProxyType(item), Frozen(item), OrderedDict(item)):
        assert outcome(storable_item, given_as) == expected


def test_reference_agrees_with_serialize_errors() -> None:
    with pytest.raises(SerializationError):
        _item({"pk": object()}, "item", serialize_item)


# --------------------------------------------------------------------------- entities → items

rich_table = Table(
    "rich",
    pk="pk",
    sk="sk",
    indexes=[GSI("GSI1", pk="g1pk", sk="g1sk")],
    type_index=GSI("TypeIndex", pk="_type", sk="_ts"),
    ttl="expires",
)


class Rich(Entity):
    __table__ = rich_table
    __key__ = Key(pk="RICH#{rich_id}", sk="#")
    __indexes__ = {"GSI1": Key(pk="C#{color}", sk="{when}")}
    rich_id: str
    color: Color | None = None
    when: datetime | None = None
    stamp: Annotated[datetime | None, Epoch()] = None
    born: date | None = None
    ref: uuid.UUID | None = None
    tags: set[str] = set()
    nums: frozenset[int] = frozenset()
    inner: Inner | None = None
    items: list[Inner] = []
    meta: dict[str, Any] = {}
    level: Level | None = None
    shade: Shade | None = None
    expires_at: datetime | None = TTL(default=None)
    created: datetime = CreatedAt(epoch=True)


def reference_to_attributes(entity: Entity, now: datetime) -> dict[str, Any]:
    """``to_attributes`` as it was, on ``reference_storable``."""
    spec = spec_of(entity)
    values = field_values(entity)

    def stored(name: str, value: Any) -> Any:
        if spec.is_epoch(name) and isinstance(value, datetime):
            return epoch_seconds(value)
        return reference_storable(value)

    item = {n: s for n, v in values.items() if (s := stored(n, v)) is not None}
    item.update(primary_key(spec, values))
    item.update({a: t for a, t in index_attributes(spec, values).items() if t is not None})
    table = spec.table
    item[table.type_attribute] = spec.type_name
    if table.timestamp_attribute:
        item[table.timestamp_attribute] = format_datetime(now)
    ttl_field = spec.ttl_field
    if ttl_field is not None and table.ttl and isinstance(values.get(ttl_field), datetime):
        item[table.ttl] = epoch_seconds(values[ttl_field])
    return item


NOW = datetime(2025, 6, 1, 8, 0, 0, 123456, tzinfo=UTC)


def test_entity_attributes_follow_the_storage_rules() -> None:
    rich = Rich(
        rich_id="r1",
        color=Color.BLUE,
        when=datetime(2024, 5, 1, tzinfo=UTC),
        stamp=datetime(1970, 1, 2, tzinfo=UTC),
        ref=ID,
        tags=set(),
        nums=frozenset({1}),
        inner=Inner(n=1),
        meta={"at": date(2024, 1, 1), "gone": None, Color.RED: set()},
        level=Level.HIGH,
        expires_at=datetime(1970, 1, 1, 0, 1, tzinfo=UTC),
        created=datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC),
    )
    item = to_attributes(rich, now=NOW)
    assert item == {
        "rich_id": "r1",
        "color": "blue",
        "when": "2024-05-01T00:00:00.000000Z",
        "stamp": 86400,  # Epoch(): seconds, not text
        "ref": str(ID),
        "nums": {1},  # tags: an empty set is absent
        "inner": {"n": 1},  # None fields of nested models are left out
        "items": [],
        "meta": {"at": "2024-01-01", "gone": None, "red": None},  # nested None stays NULL
        "level": Level.HIGH,
        "expires_at": "1970-01-01T00:01:00.000000Z",
        "created": 5,
        "pk": "RICH#r1",
        "sk": "#",
        "g1pk": "C#blue",
        "g1sk": "2024-05-01T00:00:00.000000Z",
        "_type": "Rich",
        "_ts": "2025-06-01T08:00:00.123456Z",
        "expires": 60,
    }
    assert list(item) == list(reference_to_attributes(rich, NOW))  # attribute order too


def test_sparse_index_and_absent_fields() -> None:
    item = to_attributes(Rich(rich_id="r2", created=NOW), now=NOW)
    assert "g1pk" not in item and "g1sk" not in item and "expires" not in item
    assert item == reference_to_attributes(Rich(rich_id="r2", created=NOW), NOW)


rich_entities = st.builds(
    Rich,
    rich_id=st.text(min_size=1, max_size=5),
    color=st.none() | st.sampled_from(Color),
    when=st.none() | st.datetimes(timezones=st.sampled_from([None, UTC])),
    stamp=st.none() | st.datetimes(min_value=datetime(1971, 1, 1), timezones=st.just(UTC)),
    born=st.none() | st.dates(),
    ref=st.none() | st.uuids(),
    tags=st.sets(st.text(max_size=3), max_size=3),
    nums=st.frozensets(st.integers(), max_size=3),
    inner=st.none() | models,
    items=st.lists(models, max_size=2),
    meta=st.dictionaries(keys, values, max_size=3),
    level=st.none() | st.sampled_from(Level),
    shade=st.none() | st.sampled_from(Shade),
    expires_at=st.none() | st.datetimes(min_value=datetime(1971, 1, 1), timezones=st.just(UTC)),
    created=st.datetimes(min_value=datetime(1971, 1, 1), timezones=st.just(UTC)),
)


@settings(max_examples=200, deadline=None)
@given(rich_entities)
def test_entity_attributes_equal_the_reference(entity: Rich) -> None:
    new = outcome(lambda e: list(to_attributes(e, now=NOW).items()), entity)
    old = outcome(lambda e: list(reference_to_attributes(e, NOW).items()), entity)
    assert new == old
