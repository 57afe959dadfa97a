"""Sans-I/O operations: requests as values, responses parsed, multi-step work as generators.

``ops.put(user, condition=...)`` returns a :class:`Request` (``.operation``, ``.params``) that
can be inspected offline; ``Database`` sends it. Flows (``put_flow``, ``update_flow``,
``query_items``...) are generators of :mod:`.steps` that any driver runs.
"""

from .batch import BatchWriter, batch_get_flow, batch_write_flow
from .builders import CollectionBuilder, QueryBuilder
from .collection import CollectionResult, collection_flow, collection_query, collection_read
from .plain import delete_item, get_item, put_item, update_item
from .query import (
    Page,
    QuerySpec,
    count_flow,
    entity_query,
    entity_scan,
    query_items,
    query_page,
    table_query,
    table_scan,
    type_listing,
)
from .reads import exists, get
from .steps import Context, Emit, EmitEach, Flow, Request, Sleep, collect, send
from .tables import create_table, create_table_flow, delete_table, ensure_table_flow
from .targets import KeyInput, key_input
from .transact import TransactionBuilder, transact_get
from .writes import (
    UNREAD,
    NeedsRead,
    create,
    delete,
    delete_flow,
    put,
    put_flow,
    update,
    update_flow,
)

__all__ = [
    "UNREAD",
    "BatchWriter",
    "CollectionBuilder",
    "CollectionResult",
    "Context",
    "Emit",
    "EmitEach",
    "Flow",
    "KeyInput",
    "NeedsRead",
    "Page",
    "QueryBuilder",
    "QuerySpec",
    "Request",
    "Sleep",
    "TransactionBuilder",
    "batch_get_flow",
    "batch_write_flow",
    "collect",
    "collection_flow",
    "collection_query",
    "collection_read",
    "count_flow",
    "create",
    "create_table",
    "create_table_flow",
    "delete",
    "delete_flow",
    "delete_item",
    "delete_table",
    "ensure_table_flow",
    "entity_query",
    "entity_scan",
    "exists",
    "get",
    "get_item",
    "key_input",
    "put",
    "put_flow",
    "put_item",
    "query_items",
    "query_page",
    "send",
    "table_query",
    "table_scan",
    "transact_get",
    "type_listing",
    "update",
    "update_flow",
    "update_item",
]
