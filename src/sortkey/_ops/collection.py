"""Collections: several entity types that share a partition, read back with one Query.

``db.collection(User, Organisation, Invitation).query(user_id="u1")`` renders each entity's
partition key (on the table, or on ``index=``) from the given fields; they must all render
the same value, which becomes the one key condition. Every item of the partition is
dispatched to its class by the type attribute; items of unknown types are kept as dicts,
never dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from .._model.entity import AttributeSource, Entity, spec_of
from .._model.item import storable_field
from .._model.table import LSI
from ..errors import InvalidInput
from ..expr import attr
from .query import QuerySpec
from .steps import DEFAULT_CONTEXT, Context, Flow, Request, send

__all__ = ["CollectionResult", "collection_flow", "collection_query", "collection_read"]

E = TypeVar("E", bound=Entity)


@dataclass(frozen=True)
class CollectionResult:
    """The items of one partition, each parsed into its entity class.

    Example:
        >>> result = CollectionResult([{"pk": "x", "_type": "LEGACY"}])
        >>> result.unknown
        [{'pk': 'x', '_type': 'LEGACY'}]
    """

    items: list[Any]

    def of(self, entity: type[E]) -> list[E]:
        """The items that are ``entity`` instances, in sort key order."""
        return [item for item in self.items if type(item) is entity]

    @overload
    def first(self, entity: type[E]) -> E | None: ...

    @overload
    def first(self, entity: type[E], default: E) -> E: ...

    def first(self, entity: type[E], default: E | None = None) -> E | None:
        """The first ``entity`` instance (e.g. the partition's one User), or ``default``."""
        return next((i for i in self.items if type(i) is entity), default)

    @property
    def unknown(self) -> list[dict[str, Any]]:
        """Items whose type attribute names no entity of the table (raw dicts)."""
        return [item for item in self.items if isinstance(item, dict)]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _partition_source(entity: type[Entity], index: str | None) -> AttributeSource:
    spec = spec_of(entity)
    if index is None:
        return spec.key[0]
    idx = spec.table.index(index)
    if isinstance(idx, LSI):
        return spec.key[0]
    if idx.multi_attribute:
        raise InvalidInput(
            f"collections over multi-attribute index {index!r} are not supported; query it "
            "per entity"
        )
    sources = spec.indexes.get(index)
    if not sources or sources[0].attribute.name != idx.pk[0].name:
        raise InvalidInput(f"{spec.name} has no partition key on index {index!r}")
    return sources[0]


def collection_query(
    entities: Sequence[type[Entity]],
    index: str | None,
    key_fields: Mapping[str, Any],
    *,
    consistent: bool = False,
) -> QuerySpec:
    """The one Query that reads the shared partition of ``entities``."""
    if not entities:
        raise InvalidInput("a collection needs at least one entity class")
    table = spec_of(entities[0]).table
    rendered: dict[str, str] = {}
    used: set[str] = set()
    attribute = None
    for entity in entities:
        spec = spec_of(entity)
        if spec.table is not table:
            raise InvalidInput(
                f"a collection reads one table: {spec.name} is in {spec.table.name!r}, "
                f"{entities[0].__name__} in {table.name!r}"
            )
        source = _partition_source(entity, index)
        attribute = source.attribute.name
        values = {n: spec.coerce(n, v) for n, v in key_fields.items() if n in source.fields}
        missing = [n for n in source.fields if n not in values]
        if missing:
            raise InvalidInput(
                f"collection query of {spec.name} needs {', '.join(map(repr, missing))} for its "
                "partition key"
            )
        used.update(values)
        if source.template is not None:
            text = source.template.render(values)
            assert text is not None
            rendered[spec.name] = text
        else:
            assert source.field is not None
            rendered[spec.name] = storable_field(spec, source.field, values[source.field])
    extra = [n for n in key_fields if n not in used]
    if extra:
        raise InvalidInput(
            f"{', '.join(map(repr, extra))} is not part of the collection's partition key; "
            "a collection reads the whole partition"
        )
    if len(set(map(repr, rendered.values()))) > 1:
        shown = ", ".join(f"{name}: {value!r}" for name, value in rendered.items())
        raise InvalidInput(f"these entities do not share a partition for those fields ({shown})")
    assert attribute is not None
    value = next(iter(rendered.values()))
    if consistent and index is not None and not isinstance(table.index(index), LSI):
        raise InvalidInput(f"index {index!r} is a GSI: consistent reads are not possible there")
    return QuerySpec(table, (attr.name(attribute) == value,), index=index, consistent=consistent)


def collection_flow(query: QuerySpec, ctx: Context = DEFAULT_CONTEXT) -> Flow[CollectionResult]:
    """Every page of the partition, parsed, as one :class:`CollectionResult`."""
    params = query.params(ctx)
    parse = query.parser()
    items: list[Any] = []
    while True:
        response: dict[str, Any] = yield from send(Request("Query", params))
        items.extend([parse(item) for item in response.get("Items", [])])
        last = response.get("LastEvaluatedKey")
        if not last:
            return CollectionResult(items)
        params = {**params, "ExclusiveStartKey": last}  # the sent request stays as it was


def collection_read(
    entities: Sequence[type[Entity]],
    index: str | None,
    key_fields: Mapping[str, Any],
    *,
    consistent: bool = False,
    ctx: Context = DEFAULT_CONTEXT,
) -> Flow[CollectionResult]:
    """The flow of ``db.collection(...).query(**key_fields)`` (input checked before it runs)."""
    spec = collection_query(entities, index, key_fields, consistent=consistent)
    return collection_flow(spec, ctx)
