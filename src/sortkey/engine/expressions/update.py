"""UpdateExpression: bind a parsed update to a request, then apply it to an item.

Semantics (checked against DynamoDB Local):

* every SET value is computed from the item as it was before the update
  (``SET a = b, b = a`` swaps);
* then SET actions are applied (list indexes in ascending order, so ``l[5]`` and ``l[3]`` past
  the end both append, in index order), then REMOVE (list indexes in descending order of the
  original positions, so later elements shift down), then ADD, then DELETE;
* a path whose parent is missing or of the wrong type is refused ("The document path provided
  in the update expression is invalid for update"); REMOVE of a missing leaf is a no-op;
* two action paths that overlap (one a prefix of the other) or conflict (an index and a name
  at the same place) are refused when binding;
* an attribute SET deeper than DynamoDB's nesting limit is refused (the result is checked);
* arithmetic is exact (see :func:`sortkey.engine.values.add_numbers`).

The input item is never mutated; the new item shares unchanged sub-values with it, so callers
treat both as immutable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import validation
from ..values import (
    AV,
    MAX_NESTING,
    MSG_NESTING,
    Item,
    add_numbers,
    equal,
    nesting_depth,
    normalize_number,
    subtract_numbers,
)
from .condition import _Binder, get_path
from .context import ExpressionContext, Path, format_path
from .syntax import ArithNode, CallNode, Operand, PathNode, UpdateNode, ValueNode, parse

KIND = "UpdateExpression"

MSG_INVALID_PATH = "The document path provided in the update expression is invalid for update"
MSG_BAD_TYPE = "An operand in the update expression has an incorrect data type"
MSG_MISSING = "The provided expression refers to an attribute that does not exist in the item"

_LONG_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "L": "LIST",
    "M": "MAP",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}
_SETS = frozenset({"SS", "NS", "BS"})

Values = Mapping[str, AV]
"""A request's ``ExpressionAttributeValues``: bound plans read their values from it."""

Compute = Callable[[Item, Values], AV]


class _UpdateBinder(_Binder):
    """Binds SET values: paths must exist (unless guarded by ``if_not_exists``)."""

    def value(self, node: Operand) -> tuple[Compute, str | None]:
        if isinstance(node, ValueNode):
            # The plan reads the value from the request (plans are reused across requests);
            # binding depends only on its type.
            ref = node.name
            av = self.ctx.value(ref, self.kind)
            return (lambda item, values: values[ref]), next(iter(av))
        if isinstance(node, PathNode):
            path = self.path(node)

            def read(item: Item, values: Values) -> AV:
                av = get_path(item, path)
                if av is None:
                    raise validation(MSG_MISSING)
                return av

            return read, None
        if isinstance(node, ArithNode):
            return self.arithmetic(node)
        return self.call(node)

    def arithmetic(self, node: ArithNode) -> tuple[Compute, str | None]:
        left, ltype = self.value(node.left)
        right, rtype = self.value(node.right)
        for static in (ltype, rtype):
            if static is not None and static != "N":
                raise self.operand_type_error(node.op, static)
        combine = add_numbers if node.op == "+" else subtract_numbers

        def arithmetic(item: Item, values: Values) -> AV:
            a = left(item, values)
            b = right(item, values)
            if "N" not in a or "N" not in b:
                raise validation(MSG_BAD_TYPE)
            return {"N": combine(a["N"], b["N"])}

        return arithmetic, "N"

    def call(self, node: CallNode) -> tuple[Compute, str | None]:
        if node.name == "if_not_exists":
            assert isinstance(node.args[0], PathNode)  # checked when parsing
            path = self.path(node.args[0])
            default = node.args[1]
            if isinstance(default, PathNode):
                self.distinct("if_not_exists", path, [self.path(default)])
            fallback, ftype = self.value(default)

            def if_not_exists(item: Item, values: Values) -> AV:
                av = get_path(item, path)
                return fallback(item, values) if av is None else av

            return if_not_exists, ftype
        # list_append
        first, ftype = self.value(node.args[0])
        second, stype = self.value(node.args[1])
        for static in (ftype, stype):
            if static is not None and static != "L":
                raise self.operand_type_error("list_append", static)

        def list_append(item: Item, values: Values) -> AV:
            a = first(item, values)
            b = second(item, values)
            if "L" not in a or "L" not in b:
                raise validation(MSG_BAD_TYPE)
            return {"L": [*a["L"], *b["L"]]}

        return list_append, "L"


class _Action:
    """One action; ``operand`` is the placeholder of an ADD / DELETE value (``:v``)."""

    __slots__ = ("clause", "compute", "operand", "path")

    def __init__(self, clause: str, path: Path, compute: Compute | None, operand: str | None):
        self.clause = clause
        self.path = path
        self.compute = compute
        self.operand = operand


def _sort_key(path: Path) -> tuple[Any, ...]:
    return tuple((1, s) if isinstance(s, int) else (0, s) for s in path)


class Update:
    """A bound UpdateExpression.

    Attributes:
        updated_paths: the action paths (resolved), in source order; for ReturnValues
            ``UPDATED_OLD`` / ``UPDATED_NEW`` (project them with :func:`project_paths`).
        top_level_names: the top-level attributes any action writes or removes (to refuse
            key attributes: "Cannot update attribute pk. This attribute is part of the key").
    """

    __slots__ = (
        "_adds",
        "_deletes",
        "_removes",
        "_set_names",
        "_sets",
        "_values",
        "top_level_names",
        "updated_paths",
    )

    def __init__(self, actions: list[_Action]) -> None:
        self.updated_paths: list[Path] = [a.path for a in actions]
        self.top_level_names: set[str] = {str(a.path[0]) for a in actions}
        by_clause: dict[str, list[_Action]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        for action in actions:
            by_clause[action.clause].append(action)
        self._sets = sorted(by_clause["SET"], key=lambda a: _sort_key(a.path))
        self._removes = sorted(by_clause["REMOVE"], key=lambda a: _sort_key(a.path), reverse=True)
        self._set_names = tuple({str(a.path[0]): None for a in self._sets})
        self._adds = by_clause["ADD"]
        self._deletes = by_clause["DELETE"]
        self._values: Values = {}

    def _for_request(self, values: Values) -> Update:
        """This plan bound to one request's values (the plan itself is shared, read-only)."""
        bound = Update.__new__(Update)
        bound._sets = self._sets
        bound._removes = self._removes
        bound._set_names = self._set_names
        bound._adds = self._adds
        bound._deletes = self._deletes
        bound._values = values
        # Copies: callers get their own (they only read them, but nothing shared leaks).
        bound.updated_paths = list(self.updated_paths)
        bound.top_level_names = set(self.top_level_names)
        return bound

    def apply(self, item: Item | None) -> Item:
        """Return the updated item (a new dict); ``item`` None means "no item yet".

        Raises:
            EngineError: ValidationException with DynamoDB's message for type errors,
                missing attributes, invalid paths and number limits.
        """
        old: Item = item or {}
        given = self._values
        computed = [(action, action.compute(old, given)) for action in self._sets]  # type: ignore[misc]
        writer = _Writer(old)
        for action, value in computed:
            writer.set(action.path, value)
        for action in self._removes:
            writer.remove(action.path)
        for action in self._adds:
            writer.add(action.path, given[action.operand])  # type: ignore[index]
        for action in self._deletes:
            writer.delete(action.path, given[action.operand])  # type: ignore[index]
        # Only SET can deepen an attribute; DynamoDB Local refuses the result, after the
        # condition (the caller defers errors from apply until it has evaluated it).
        new = writer.item
        for name in self._set_names:
            av = new.get(name)
            if av is not None and ("M" in av or "L" in av):
                if nesting_depth(av, MAX_NESTING) > MAX_NESTING:
                    raise validation(MSG_NESTING)
        return new


class _Writer:
    """Copy-on-write edits: containers along a written path are copied once, then mutated."""

    __slots__ = ("fresh", "item")

    def __init__(self, item: Item) -> None:
        self.item: Item = dict(item)
        self.fresh: set[int] = set()  # ids of containers this writer created

    def _own(self, av: AV) -> AV:
        if id(av) in self.fresh:
            return av
        if "M" in av:
            copy: AV = {"M": dict(av["M"])}
        elif "L" in av:
            copy = {"L": list(av["L"])}
        else:
            return av
        self.fresh.add(id(copy))
        return copy

    def parent(self, path: Path) -> tuple[Any, str | int]:
        """The container (dict of a map / list of a list) that holds the last segment."""
        name = path[0]
        if len(path) == 1:
            return self.item, name
        av = self.item.get(name)  # type: ignore[arg-type]
        if av is None:
            raise validation(MSG_INVALID_PATH)
        av = self._own(av)
        self.item[name] = av  # type: ignore[index]
        for segment in path[1:-1]:
            if isinstance(segment, int):
                elements = av.get("L")
                if elements is None or segment >= len(elements):
                    raise validation(MSG_INVALID_PATH)
                child = self._own(elements[segment])
                elements[segment] = child
            else:
                members = av.get("M")
                if members is None or segment not in members:
                    raise validation(MSG_INVALID_PATH)
                child = self._own(members[segment])
                members[segment] = child
            av = child
        last = path[-1]
        if isinstance(last, int):
            if "L" not in av:
                raise validation(MSG_INVALID_PATH)
            return av["L"], last
        if "M" not in av:
            raise validation(MSG_INVALID_PATH)
        return av["M"], last

    def get(self, container: Any, key: str | int) -> AV | None:
        if isinstance(key, int):
            return container[key] if key < len(container) else None
        result: AV | None = container.get(key)
        return result

    def put(self, container: Any, key: str | int, value: AV) -> None:
        if isinstance(key, int) and key >= len(container):
            container.append(value)
        else:
            container[key] = value

    def set(self, path: Path, value: AV) -> None:
        container, key = self.parent(path)
        self.put(container, key, value)

    def remove(self, path: Path) -> None:
        container, key = self.parent(path)
        if isinstance(key, int):
            if key < len(container):
                del container[key]
        else:
            container.pop(key, None)

    def add(self, path: Path, operand: AV) -> None:
        container, key = self.parent(path)
        current = self.get(container, key)
        if current is None:
            self.put(container, key, operand)
        elif "N" in operand and "N" in current:
            self.put(container, key, {"N": add_numbers(current["N"], operand["N"])})
        else:
            kind = next(iter(operand))
            if kind not in current:
                raise validation(MSG_BAD_TYPE)
            merged = list(current[kind])
            for member in operand[kind]:
                if not _set_has(kind, merged, member):
                    merged.append(member)
            if kind == "NS":
                merged = [normalize_number(m) for m in merged]
            self.put(container, key, {kind: merged})

    def delete(self, path: Path, operand: AV) -> None:
        container, key = self.parent(path)
        current = self.get(container, key)
        if current is None:
            return
        kind = next(iter(operand))
        if kind not in current:
            raise validation(MSG_BAD_TYPE)
        remaining = [m for m in current[kind] if not _set_has(kind, operand[kind], m)]
        if remaining:
            self.put(container, key, {kind: remaining})
        else:  # an empty set cannot exist: the attribute goes
            del container[key]


def _set_has(kind: str, members: list[Any], member: Any) -> bool:
    scalar = kind[0]
    probe = {scalar: member}
    return any(equal({scalar: m}, probe) for m in members)


def check_overlaps(paths: list[Path], kind: str) -> None:
    """Refuse two paths where one is a prefix of the other, or that mix index and name.

    Raises:
        EngineError: DynamoDB's "Two document paths overlap/conflict with each other" error.
    """
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            relation = "overlap"
            for a, b in zip(first, second, strict=False):
                if a == b and type(a) is type(b):
                    continue
                relation = "conflict" if isinstance(a, int) != isinstance(b, int) else ""
                break
            if relation:
                raise validation(
                    f"Invalid {kind}: Two document paths {relation} with each other; must "
                    "remove or rewrite one of these paths; path one: "
                    f"{format_path(first)}, path two: {format_path(second)}"
                )


#: Bound plans by (text, ExpressionAttributeNames, types of ExpressionAttributeValues).
_PLANS: dict[tuple[Any, ...], tuple[Update, frozenset[str], frozenset[str]]] = {}
_MAX_PLANS = 1024


def parse_update(text: str, ctx: ExpressionContext) -> Update:
    """Parse and bind an UpdateExpression.

    Binding depends only on the text, the names and the *types* of the values (the plan reads
    the values themselves when applied), so a successful binding is kept and reused by the
    next request with the same text, names and value types: it gets the same plan and marks
    the same placeholders used. Failed bindings are not kept (the next request binds again
    and gets the same error).

    Raises:
        EngineError: ValidationException with DynamoDB's message.
    """
    try:
        key: tuple[Any, ...] | None = (
            text,
            tuple(ctx.names.items()),
            tuple((ref, next(iter(av))) for ref, av in ctx.values.items()),
        )
        hash(key)
    except Exception:  # an unhashable name: bind without the cache
        key = None
    if key is not None:
        cached = _PLANS.get(key)
        if cached is not None:
            plan, used_names, used_values = cached
            ctx.used_names.update(used_names)
            ctx.used_values.update(used_values)
            return plan._for_request(ctx.values)
    # Bind on a context of its own to learn which placeholders this expression uses (the
    # request's context may hold uses by its other expressions).
    own = ctx.fresh_uses()
    plan = _bind(text, own)
    ctx.used_names.update(own.used_names)
    ctx.used_values.update(own.used_values)
    if key is not None:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = (plan, frozenset(own.used_names), frozenset(own.used_values))
    return plan._for_request(ctx.values)


def _bind(text: str, ctx: ExpressionContext) -> Update:
    tree = parse(KIND, text)
    assert isinstance(tree, UpdateNode)
    binder = _UpdateBinder(ctx, KIND)
    actions: list[_Action] = []
    for node in tree.actions:
        path = binder.path(node.path)
        if node.clause == "SET":
            assert node.value is not None
            compute, _ = binder.value(node.value)
            actions.append(_Action("SET", path, compute, None))
        elif node.clause == "REMOVE":
            actions.append(_Action("REMOVE", path, None, None))
        else:
            assert isinstance(node.value, ValueNode)
            operand = ctx.value(node.value.name, KIND)
            kind = next(iter(operand))
            allowed = kind in _SETS or (node.clause == "ADD" and kind == "N")
            if not allowed:
                raise validation(
                    f"Invalid {KIND}: Incorrect operand type for operator or function; "
                    f"operator: {node.clause}, operand type: {_LONG_TYPE_NAMES[kind]}, "
                    f"typeSet: ALLOWED_FOR_{node.clause}_OPERAND"
                )
            actions.append(_Action(node.clause, path, None, node.value.name))
    check_overlaps([a.path for a in actions], KIND)
    return Update(actions)
