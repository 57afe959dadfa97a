"""The embedded DynamoDB-compatible engine: DynamoDB's API on SQLite, standard library only.

>>> from sortkey.engine import Engine
>>> engine = Engine(":memory:", ttl_sweep_interval=None)
>>> engine.call("ListTables", {})
{'TableNames': []}
"""

from __future__ import annotations

from .engine import Engine as Engine
from .errors import EngineError as EngineError

__all__ = ["Engine", "EngineError"]
