"""Builder state shared by the sync and the async client.

``Query`` and ``AsyncQuery`` are both a :class:`QueryBuilder`: the chainable modifiers
(``desc()``, ``limit()``, ``where()``...) and the flow behind each terminal (``all``,
``first``, ``page``, ``count``) live here once. The subclasses only run those flows, with
``db.run(flow)`` or ``await db.run(flow)``. Likewise :class:`CollectionBuilder` for
``Collection`` / ``AsyncCollection``.

A builder holds its driver (the database) only to hand it to the copies it makes and to
read its :class:`~.steps.Context`; it never sends anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from .._expr.nodes import Condition
from .._model.entity import Entity
from .collection import CollectionResult, collection_read
from .query import Page, QuerySpec, count_flow, query_items, query_page
from .steps import Context, Flow, collect

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["CollectionBuilder", "Driver", "QueryBuilder"]


class Driver(Protocol):
    """What a builder needs of its database: the context requests are built in."""

    @property
    def context(self) -> Context:
        """Table prefix and cursor secret."""
        ...


D = TypeVar("D", bound=Driver)
T = TypeVar("T")


class QueryBuilder(Generic[D, T]):
    """An immutable query on database ``D``: every modifier returns a new one."""

    def __init__(self, db: D, spec: QuerySpec) -> None:
        self._db = db
        self.spec = spec

    def _with(self, spec: QuerySpec) -> Self:
        return type(self)(self._db, spec)

    @property
    def params(self) -> dict[str, Any]:
        """The Query request that would be sent (first page)."""
        return self.spec.params(self._db.context)

    def desc(self) -> Self:
        """Newest (highest sort key) first."""
        return self._with(replace(self.spec, descending=True))

    def asc(self) -> Self:
        """Lowest sort key first (the default)."""
        return self._with(replace(self.spec, descending=False))

    def limit(self, n: int) -> Self:
        """At most ``n`` results in all."""
        return self._with(self.spec.with_limit(n))

    def where(self, condition: Condition) -> Self:
        """Add a filter (applied by DynamoDB after the key condition); several are ANDed."""
        return self._with(self.spec.where(condition))

    def consistent(self, value: bool = True) -> Self:
        """Strongly consistent reads (tables and LSIs only)."""
        return self._with(replace(self.spec, consistent=value))

    def after(self, cursor: str | None) -> Self:
        """Start after the position a :class:`Page` cursor of this same query stands for.

        A cursor of another query (table, index, key, filter or order), or an edited one,
        raises :class:`~sortkey.errors.InvalidInput` before anything is sent.
        """
        return self._with(replace(self.spec, cursor=cursor))

    # ------------------------------------------------------------ the flows of the terminals

    def _items_flow(self) -> Flow[None]:
        """Every result, one ``EmitEach`` per page, up to the limit."""
        return query_items(self.spec, self._db.context)

    def _all_flow(self) -> Flow[list[Any]]:
        return collect(self._items_flow())

    def _first_flow(self) -> Flow[Any]:
        found = yield from collect(self.limit(1)._items_flow())
        return found[0] if found else None

    def _page_flow(self, cursor: str | None, size: int | None) -> Flow[Page]:
        query = self.after(cursor) if cursor is not None else self
        spec = query.spec if size is None else query.spec.with_limit(size)
        return query_page(spec, self._db.context)

    def _count_flow(self) -> Flow[int]:
        return count_flow(self.spec, self._db.context)


class CollectionBuilder(Generic[D]):
    """Entity types sharing a partition, on database ``D``."""

    def __init__(self, db: D, entities: Sequence[type[Entity]], index: str | None) -> None:
        self._db = db
        self.entities = tuple(entities)
        self.index = index

    def _query_flow(
        self, key_fields: Mapping[str, Any], *, consistent: bool
    ) -> Flow[CollectionResult]:
        return collection_read(
            self.entities, self.index, key_fields, consistent=consistent, ctx=self._db.context
        )
