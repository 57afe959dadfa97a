"""Projection expressions: which attributes (or nested parts) a read returns."""

from __future__ import annotations

from dataclasses import dataclass

from sortkey.errors import ExpressionError

from .nodes import Path, PathLike, to_path
from .path import clash


@dataclass(frozen=True, eq=False)
class Projection:
    """The paths a read returns; build it with :func:`sortkey.expr.projection`."""

    paths: tuple[Path, ...]

    def __post_init__(self) -> None:
        if not self.paths:
            raise ExpressionError("a projection needs at least one path")
        for i, later in enumerate(self.paths):
            for earlier in self.paths[:i]:
                why = clash(earlier.segments, later.segments)
                if why is not None:
                    raise ExpressionError(
                        f"projection paths {earlier!r} and {later!r} {why}; DynamoDB refuses "
                        "a projection whose paths overlap (keep the shorter one)"
                    )


def make_projection(paths: tuple[PathLike, ...]) -> Projection:
    return Projection(tuple(to_path(p) for p in paths))
