"""Sans-I/O operations: requests as values, responses parsed, multi-step work as generators.

``ops.put(user, condition=...)`` returns a :class:`Request` (``.operation``, ``.params``) that
can be inspected offline; ``Database`` sends it. Flows (``put_flow``, ``update_flow``,
``query_items``...) are generators of :mod:`.steps` that any driver runs.
"""

from .plain import delete_item, get_item, put_item, update_item
from .query import Page, QuerySpec, entity_query, query_items, query_page, table_query
from .reads import exists, get
from .steps import Context, Emit, Flow, Request, Sleep, send
from .tables import create_table, create_table_flow, delete_table, ensure_table_flow
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
    "Context",
    "Emit",
    "Flow",
    "NeedsRead",
    "Page",
    "QuerySpec",
    "Request",
    "Sleep",
    "create",
    "create_table",
    "create_table_flow",
    "delete",
    "delete_flow",
    "delete_item",
    "delete_table",
    "ensure_table_flow",
    "entity_query",
    "exists",
    "get",
    "get_item",
    "put",
    "put_flow",
    "put_item",
    "query_items",
    "query_page",
    "send",
    "table_query",
    "update",
    "update_flow",
    "update_item",
]
