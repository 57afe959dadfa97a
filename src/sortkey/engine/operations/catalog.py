"""The engine's state shared by all operations: storage plus the in-memory table catalog."""

from __future__ import annotations

from typing import Any

from ..storage import Storage, decode_item, encode_item
from .schema import IndexSchema, Item, TableSchema, not_found


class Catalog:
    """Tables by name over one :class:`Storage`, and item writes that keep indexes in step."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.tables: dict[str, TableSchema] = {}
        self._seen_version = -1
        self.reload()
        #: ClientRequestToken -> (request fingerprint, response, time) for TransactWriteItems.
        self.tokens: dict[str, tuple[str, dict[str, Any], float]] = {}

    def reload(self) -> None:
        """Read the catalog from storage (another connection may have changed it)."""
        self.tables = {
            name: TableSchema.from_json(table_id, text)
            for table_id, name, text in self.storage.load_tables()
        }
        self._seen_version = self.storage.data_version()

    def refresh_if_changed(self) -> None:
        """Reload when another connection committed since the last look (file databases)."""
        if self.storage.data_version() != self._seen_version:
            self.reload()

    def table(self, name: Any) -> TableSchema:
        """The table called ``name``, or DynamoDB's ResourceNotFoundException."""
        schema = self.tables.get(name) if isinstance(name, str) else None
        if schema is None:
            raise not_found()
        return schema

    def save(self, schema: TableSchema) -> None:
        """Persist a changed table definition."""
        self.storage.update_table(schema.id, schema.to_json())

    # ------------------------------------------------------------ item access

    def get(self, schema: TableSchema, key: tuple[bytes, bytes]) -> tuple[Item, int] | None:
        """The stored item under a storage key, with its size."""
        row = self.storage.get(schema.id, *key)
        if row is None:
            return None
        return decode_item(row[0]), row[1]

    def write(
        self,
        schema: TableSchema,
        key: tuple[bytes, bytes],
        old: Item | None,
        new: Item | None,
        new_size: int = 0,
    ) -> None:
        """Replace ``old`` by ``new`` (either may be None) and update every index.

        ``old`` must be the currently stored item when the table has indexes.
        """
        storage = self.storage
        if schema.indexes:
            for index in schema.indexes.values():
                old_entry = schema.index_key(index, old, key) if old is not None else None
                new_entry = schema.index_key(index, new, key) if new is not None else None
                if old_entry is not None and old_entry != new_entry:
                    storage.remove_entry(schema.id, index.number, old_entry)
                if new_entry is not None:
                    # Entries count the whole item's size, as DynamoDB Local's IndexSizeBytes.
                    storage.add_entry(schema.id, index.number, new_entry, new_size)
        if new is None:
            storage.delete(schema.id, *key)
        else:
            storage.put(schema.id, key[0], key[1], new_size, encode_item(new))


def project_for_index(schema: TableSchema, index: IndexSchema, item: Item) -> Item:
    """The attributes of ``item`` that ``index`` holds."""
    kind = index.projection_type
    if kind == "ALL":
        return item
    names = set(schema.key_names) | set(index.key_names)
    if kind == "INCLUDE":
        names.update(index.projection.get("NonKeyAttributes", []))
    return {k: v for k, v in item.items() if k in names}
