"""The :class:`Update` builder: SET / REMOVE / ADD / DELETE actions, validated as they are added.

DynamoDB refuses an update expression whose target paths overlap (``a`` and ``a.b``), repeat
(two actions on ``a``) or conflict (``a.b`` and ``a[0]``); it refuses ADD with anything but a
number or a set and DELETE with anything but a set, and an update with no action at all. Each
rule is checked here, when the action is added, so the error points at the offending line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from sortkey.codec import serialize
from sortkey.errors import ExpressionError

from .nodes import Path, PathLike, UpdateOperand, Value, to_path, update_operand
from .path import clash

ActionKind = Literal["SET", "REMOVE", "ADD", "DELETE"]

#: The order of clauses in the compiled expression (any order is valid; this one is fixed).
CLAUSES: tuple[ActionKind, ...] = ("SET", "REMOVE", "ADD", "DELETE")

_NUMBER_OR_SET = ("N", "SS", "NS", "BS")
_SET = ("SS", "NS", "BS")


@dataclass(frozen=True, eq=False)
class Action:
    """One action of an update: ``kind`` on ``path`` with ``value`` (``None`` for REMOVE)."""

    kind: ActionKind
    path: Path
    value: UpdateOperand | None = None


def _literal(kind: ActionKind, path: Path, value: object, allowed: tuple[str, ...]) -> Value:
    if isinstance(value, set | frozenset) and not value:
        raise ExpressionError(
            f"{kind} {path!r}: the set is empty; DynamoDB cannot store an empty set "
            "(skip the action instead)"
        )
    if not isinstance(value, Value):
        if isinstance(value, Path):
            raise ExpressionError(f"{kind} {path!r} takes a value, not a path")
        try:
            value = Value(serialize(value))
        except ExpressionError:
            raise
        except ValueError as exc:
            raise ExpressionError(f"{kind} {path!r}: {exc}") from exc
    if value.type not in allowed:
        what = "a number or a set" if kind == "ADD" else "a set"
        raise ExpressionError(
            f"{kind} {path!r} takes {what}; got a value of DynamoDB type {value.type}"
        )
    return value


@dataclass(frozen=True, eq=False, init=False)
class Update:
    """An update expression, built by chaining or from keyword dicts. Immutable.

    Every method returns a new :class:`Update`; the original is unchanged.

    Args:
        set: ``{path: value}``; a value may be a Python value, another path, ``path + n``,
            ``path - n``, ``if_not_exists(path, default)`` or ``list_append(a, b)``.
        remove: paths to remove (attributes, map keys, list elements).
        add: ``{path: number or set}``: add to a number (creating it at 0), or union a set.
        delete: ``{path: set}``: remove these elements from a set.

    Dict keys are path text (``"address.city"``) or a tuple of segments
    (``("weird.name", 0)``); paths built with ``attr`` are unhashable, so in dicts use their
    ``.segments``, or use the chaining methods.

    Example:
        >>> from sortkey.expr import Update, attr, compile
        >>> u = Update().set("status", "published").set("views", attr("views") + 1)
        >>> compile(u.remove("draft_note")).expression
        'SET #n0 = :v0, #n1 = #n1 + :v1 REMOVE #n2'
        >>> compile(Update(add={"tags": {"new"}}, delete={"old_tags": {"x"}})).expression
        'ADD #n0 :v0 DELETE #n1 :v1'
    """

    actions: tuple[Action, ...]

    def __init__(
        self,
        *,
        set: Mapping[str | tuple[str | int, ...], object] | None = None,
        remove: Iterable[PathLike] = (),
        add: Mapping[str | tuple[str | int, ...], object] | None = None,
        delete: Mapping[str | tuple[str | int, ...], object] | None = None,
    ) -> None:
        update = _EMPTY
        for path, value in (set or {}).items():
            update = update.set(path, value)
        if isinstance(remove, str | Path):
            remove = (remove,)  # remove="ab" means the attribute "ab", not "a" then "b"
        update = update.remove(*remove)
        for path, value in (add or {}).items():
            update = update.add(path, value)
        for path, value in (delete or {}).items():
            update = update.delete(path, value)
        object.__setattr__(self, "actions", update.actions)

    @classmethod
    def _of(cls, actions: tuple[Action, ...]) -> Update:
        new = object.__new__(cls)
        object.__setattr__(new, "actions", actions)
        return new

    def __len__(self) -> int:
        return len(self.actions)

    def __repr__(self) -> str:
        parts = [
            f"{a.kind} {a.path!r}" if a.value is None else f"{a.kind} {a.path!r}={a.value!r}"
            for a in self.actions
        ]
        return f"Update({', '.join(parts)})"

    @property
    def paths(self) -> tuple[Path, ...]:
        """The target path of every action, in the order they were added."""
        return tuple(a.path for a in self.actions)

    def _with(self, action: Action) -> Update:
        for existing in self.actions:
            why = clash(existing.path.segments, action.path.segments)
            if why is None:
                continue
            if existing.path.segments == action.path.segments:
                raise ExpressionError(
                    f"two actions on {action.path!r} in one update ({existing.kind} and "
                    f"{action.kind}); DynamoDB allows one action per path"
                )
            if why == "overlap":
                raise ExpressionError(
                    f"{existing.kind} {existing.path!r} and {action.kind} {action.path!r} "
                    "overlap (one path contains the other); DynamoDB refuses overlapping "
                    "paths in one update"
                )
            raise ExpressionError(
                f"{existing.kind} {existing.path!r} and {action.kind} {action.path!r} conflict: "
                "one uses a map key where the other uses a list index"
            )
        return Update._of((*self.actions, action))

    def set(self, path: PathLike, value: object) -> Update:
        """SET ``path`` to ``value`` (a Python value, a path, or an arithmetic/function operand).

        Example:
            >>> from sortkey.expr import Update, attr, compile, if_not_exists
            >>> compile(Update().set("n", if_not_exists(attr("n"), 0) + 1)).expression
            'SET #n0 = if_not_exists(#n0, :v0) + :v1'
        """
        return self._with(Action("SET", to_path(path), update_operand(value)))

    def remove(self, *paths: PathLike) -> Update:
        """REMOVE each of ``paths`` (an attribute, a map key, or a list element).

        Example:
            >>> from sortkey.expr import Update, compile
            >>> compile(Update().remove("a", "b[0]")).expression
            'REMOVE #n0, #n1[0]'
        """
        update = self
        for path in paths:
            update = update._with(Action("REMOVE", to_path(path)))
        return update

    def add(self, path: PathLike, value: object) -> Update:
        """ADD a number to a number attribute, or elements to a set (created if absent).

        Example:
            >>> from sortkey.expr import Update, compile
            >>> compile(Update().add("view_count", 1)).values
            {':v0': {'N': '1'}}
        """
        target = to_path(path)
        return self._with(Action("ADD", target, _literal("ADD", target, value, _NUMBER_OR_SET)))

    def delete(self, path: PathLike, value: object) -> Update:
        """DELETE the elements of the set ``value`` from the set attribute at ``path``.

        Example:
            >>> from sortkey.expr import Update, compile
            >>> compile(Update().delete("tags", {"old"})).expression
            'DELETE #n0 :v0'
        """
        target = to_path(path)
        return self._with(Action("DELETE", target, _literal("DELETE", target, value, _SET)))

    def merge(self, other: Update) -> Update:
        """Both updates' actions in one (the same overlap rules apply).

        Example:
            >>> from sortkey.expr import Update, compile
            >>> compile(Update().set("a", 1).merge(Update().remove("b"))).expression
            'SET #n0 = :v0 REMOVE #n1'
        """
        if not isinstance(other, Update):
            raise ExpressionError(f"can only merge an Update, got {type(other).__name__}")
        update = self
        for action in other.actions:
            update = update._with(action)
        return update


_EMPTY = Update._of(())
