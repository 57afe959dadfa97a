"""The embedded engine as a backend: wire dicts go straight to :class:`sortkey.engine.Engine`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..engine import Engine, EngineError
from ..engine.operations.items import Vouched
from ..errors import from_code

__all__ = ["EmbeddedBackend"]


class EmbeddedBackend:
    """A backend running requests on the embedded engine, in this process.

    Args:
        path: ``":memory:"`` or a SQLite file path.
        engine: an existing engine to share instead of opening one.

    Example:
        >>> backend = EmbeddedBackend()
        >>> backend.call("ListTables", {})
        {'TableNames': []}
    """

    in_process = True
    """Requests run in this process, without I/O waits (drivers may pause the cyclic GC)."""

    def __init__(self, path: str = ":memory:", *, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else Engine(path)
        self._owns_engine = engine is None

    def call(
        self, operation: str, params: Mapping[str, Any], vouched: Vouched | None = None
    ) -> dict[str, Any]:
        """Run one request on the engine; see :meth:`sortkey.backends.Backend.call`.

        ``vouched``: for sortkey's drivers, which pass a request's items that the codec built
        and sized (:attr:`sortkey._ops.steps.Request.vouched`) so that the engine does not
        validate them a second time; see :meth:`sortkey.engine.Engine.call`.
        """
        try:
            return self.engine.call(operation, dict(params), vouched=vouched)
        except EngineError as exc:
            raise from_code(
                exc.code,
                exc.message,
                operation=operation,
                params=params,
                item=exc.item,
                cancellation_reasons=exc.cancellation_reasons,
            ) from None

    @property
    def call_vouched(
        self,
    ) -> Callable[[str, Mapping[str, Any], Vouched | None], dict[str, Any]] | None:
        """:meth:`call`, for drivers with ``vouched`` items; None if a subclass overrides it.

        A subclass that overrides :meth:`call` (to record or alter requests) must see every
        request, so drivers then send plain requests through it.
        """
        if type(self).call is EmbeddedBackend.call:
            return self.call
        return None

    def close(self) -> None:
        """Close the engine when this backend opened it."""
        if self._owns_engine:
            self.engine.close()
