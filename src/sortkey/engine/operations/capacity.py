"""Consumed capacity, computed as AWS bills on-demand tables.

* Writes: one unit per started 1 KB of the item (the larger of the old and new item for puts and
  updates; the deleted item for deletes; 1 when nothing was there). Each global secondary index
  the write touches costs its own units on the index: putting an entry costs the projected
  entry's 1 KB units, removing one costs 1, changing an index key costs both. Local secondary
  index writes are counted the same way, under ``LocalSecondaryIndexes``.
* Reads: one unit per started 4 KB, summed over the items of a Query/Scan page before rounding;
  eventually consistent reads cost half. Transactions cost double.
"""

from __future__ import annotations

import math
from typing import Any

from .catalog import project_for_index
from .schema import Item, TableSchema


def write_units(size: int) -> float:
    """Units of writing an item of ``size`` bytes."""
    return float(max(1, math.ceil(size / 1024)))


def read_units(size: int, consistent: bool) -> float:
    """Units of reading ``size`` bytes (one page or one item)."""
    units = float(max(1, math.ceil(size / 4096)))
    return units if consistent else units / 2


class Consumed:
    """Capacity of one request against one table, split by table and index."""

    __slots__ = ("gsi", "lsi", "table", "table_name")

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.table = 0.0
        self.gsi: dict[str, float] = {}
        self.lsi: dict[str, float] = {}

    def add_index(self, name: str, local: bool, units: float) -> None:
        """Count units on a secondary index."""
        target = self.lsi if local else self.gsi
        target[name] = target.get(name, 0.0) + units

    def scale(self, factor: float) -> None:
        """Multiply everything (transactions cost double)."""
        self.table *= factor
        self.gsi = {k: v * factor for k, v in self.gsi.items()}
        self.lsi = {k: v * factor for k, v in self.lsi.items()}

    def merge(self, other: Consumed) -> None:
        """Add another request's units on the same table."""
        self.table += other.table
        for name, units in other.gsi.items():
            self.add_index(name, False, units)
        for name, units in other.lsi.items():
            self.add_index(name, True, units)

    def wire(self, mode: str) -> dict[str, Any]:
        """The ``ConsumedCapacity`` structure for ``TOTAL`` or ``INDEXES``."""
        total = self.table + sum(self.gsi.values()) + sum(self.lsi.values())
        out: dict[str, Any] = {"TableName": self.table_name, "CapacityUnits": total}
        if mode == "INDEXES":
            out["Table"] = {"CapacityUnits": self.table}
            if self.gsi:
                out["GlobalSecondaryIndexes"] = {
                    k: {"CapacityUnits": v} for k, v in self.gsi.items()
                }
            if self.lsi:
                out["LocalSecondaryIndexes"] = {
                    k: {"CapacityUnits": v} for k, v in self.lsi.items()
                }
        return out


def write_consumed(
    schema: TableSchema,
    old: Item | None,
    new: Item | None,
    old_size: int,
    new_size: int,
) -> Consumed:
    """Capacity of replacing ``old`` by ``new`` (either may be None)."""
    from ..values import item_size

    consumed = Consumed(schema.name)
    consumed.table = write_units(max(old_size, new_size))
    for index in schema.indexes.values():
        before = _entry(schema, index, old)
        after = _entry(schema, index, new)
        if before is None and after is None:
            continue
        if before is not None and after is not None and before[0] == after[0]:
            if before[1] == after[1]:
                continue  # nothing the index holds changed
            consumed.add_index(index.name, index.local, write_units(item_size(after[1])))
            continue
        units = 0.0
        if before is not None:
            units += 1.0
        if after is not None:
            units += write_units(item_size(after[1]))
        consumed.add_index(index.name, index.local, units)
    return consumed


def _entry(schema: TableSchema, index: Any, item: Item | None) -> tuple[Any, Item] | None:
    if item is None:
        return None
    key_values = []
    for name in index.key_names:
        av = item.get(name)
        if av is None or schema.attribute_types[name] not in av:
            return None
        key_values.append(av)
    return key_values, project_for_index(schema, index, item)


def read_consumed(table_name: str, size: int, consistent: bool, index: Any = None) -> Consumed:
    """Capacity of reading ``size`` bytes from a table or one of its indexes."""
    consumed = Consumed(table_name)
    units = read_units(size, consistent)
    if index is None:
        consumed.table = units
    else:
        consumed.add_index(index.name, index.local, units)
    return consumed
