"""sortkey: model data in Amazon DynamoDB, single-table design first.

The public API is what this module re-exports, plus the public modules
:mod:`sortkey.codec`, :mod:`sortkey.expr`, :mod:`sortkey.errors`, :mod:`sortkey.engine`,
:mod:`sortkey.local`, :mod:`sortkey.aio` and :mod:`sortkey.testing`.

Example:
    >>> from sortkey import Entity, Key, Table, connect
    >>> app = Table("Example", pk="pk", sk="sk")
    >>> class Note(Entity):
    ...     __table__ = app
    ...     __key__ = Key(pk="NOTE#{note_id}", sk="#DATA")
    ...     note_id: str
    ...     text: str
    >>> db = connect()
    >>> db.create_table(app)
    >>> _ = db.create(Note(note_id="n1", text="hello"))
    >>> db.get(Note, note_id="n1").text
    'hello'
"""

from __future__ import annotations

from ._connect import connect as connect
from ._model.entity import Entity as Entity
from ._model.fields import ID as ID
from ._model.fields import TTL as TTL
from ._model.fields import CreatedAt as CreatedAt
from ._model.fields import Epoch as Epoch
from ._model.fields import UpdatedAt as UpdatedAt
from ._model.fields import Version as Version
from ._model.item import raw as raw
from ._model.table import GSI as GSI
from ._model.table import LSI as LSI
from ._model.table import Table as Table
from ._model.template import Key as Key
from ._ops.collection import CollectionResult as CollectionResult
from ._ops.query import Page as Page
from .aio import AsyncDatabase as AsyncDatabase
from .client import Batch as Batch
from .client import Collection as Collection
from .client import Database as Database
from .client import Query as Query
from .client import TableClient as TableClient
from .client import Transaction as Transaction
from .errors import BatchIncomplete as BatchIncomplete
from .errors import ConditionFailed as ConditionFailed
from .errors import DefinitionError as DefinitionError
from .errors import DynamoDBError as DynamoDBError
from .errors import InvalidInput as InvalidInput
from .errors import ItemExists as ItemExists
from .errors import ItemNotFound as ItemNotFound
from .errors import SortkeyError as SortkeyError
from .errors import StaleVersion as StaleVersion
from .errors import TransactionCanceled as TransactionCanceled
from .errors import TransactionConflict as TransactionConflict
from .errors import TransactionFailure as TransactionFailure
from .errors import UniqueViolation as UniqueViolation
from .expr import Condition as Condition
from .expr import Path as Path
from .expr import Update as Update
from .expr import attr as attr
from .expr import if_not_exists as if_not_exists
from .expr import list_append as list_append
from .expr import projection as projection
from .expr import size as size

__version__ = "0.1.0"

__all__ = [
    "AsyncDatabase",
    "Batch",
    "BatchIncomplete",
    "Collection",
    "CollectionResult",
    "Condition",
    "ConditionFailed",
    "CreatedAt",
    "Database",
    "DefinitionError",
    "DynamoDBError",
    "Entity",
    "Epoch",
    "GSI",
    "ID",
    "InvalidInput",
    "ItemExists",
    "ItemNotFound",
    "Key",
    "LSI",
    "Page",
    "Path",
    "Query",
    "SortkeyError",
    "StaleVersion",
    "TTL",
    "Table",
    "TableClient",
    "Transaction",
    "TransactionCanceled",
    "TransactionConflict",
    "TransactionFailure",
    "UniqueViolation",
    "Update",
    "UpdatedAt",
    "Version",
    "__version__",
    "attr",
    "connect",
    "if_not_exists",
    "list_append",
    "projection",
    "raw",
    "size",
]
