"""sortkey: model data in Amazon DynamoDB, single-table design first.

The public API is what this module re-exports, plus the public modules
:mod:`sortkey.codec`, :mod:`sortkey.expr`, :mod:`sortkey.errors`, :mod:`sortkey.engine`,
:mod:`sortkey.local`, :mod:`sortkey.aio` and :mod:`sortkey.testing`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
