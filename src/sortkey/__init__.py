"""sortkey: model data in Amazon DynamoDB, single-table design first.

The public API is what this module re-exports, plus the public modules
:mod:`sortkey.codec`, :mod:`sortkey.expr`, :mod:`sortkey.errors`, :mod:`sortkey.engine`,
:mod:`sortkey.local`, :mod:`sortkey.aio` and :mod:`sortkey.testing`.
"""

from __future__ import annotations

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
    "Condition",
    "Path",
    "Update",
    "__version__",
    "attr",
    "if_not_exists",
    "list_append",
    "projection",
    "size",
]
