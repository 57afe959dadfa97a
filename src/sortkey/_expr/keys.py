"""The shape DynamoDB requires of a Query's key condition.

A key condition is one equality on the partition key, optionally AND one condition on the sort
key: ``=``, ``<``, ``<=``, ``>``, ``>=``, ``BETWEEN`` or ``begins_with``, each comparing a
top-level attribute with a value. No OR, NOT, IN, ``<>``, ``size``, ``contains`` or existence
tests.

Without the key schema we cannot tell which attribute is the partition key, so the rule checked
is: one or two conjuncts on distinct attributes, at least one of them ``=``. Given the schema
(``partition_key=`` / ``sort_key=``, each one name or, for DynamoDB's multi-attribute GSI keys,
up to four), the rule is exact: an equality on every partition attribute, nothing on other
attributes, and sort conditions on a leading run of the sort attributes, ``=`` on all but the
last.
"""

from __future__ import annotations

from collections.abc import Sequence

from sortkey.errors import ExpressionError

from .nodes import And, Between, Compare, Condition, Function, In, Not, Or, Path, Value

_SORT_OPERATORS = ("=", "<", "<=", ">", ">=")

#: The types a key attribute can have.
_KEY_TYPES = ("S", "N", "B")


def _key_path(node: object, what: str) -> Path:
    if not isinstance(node, Path):
        raise ExpressionError(f"key condition: {what} must compare a key attribute")
    if len(node.segments) != 1:
        raise ExpressionError(
            f"key condition: {node!r} is a nested path; key attributes are top-level"
        )
    return node


def _value(node: object, what: str) -> Value:
    if not isinstance(node, Value):
        raise ExpressionError(f"key condition: {what} must compare with a value, not {node!r}")
    if node.type not in _KEY_TYPES:
        raise ExpressionError(
            f"key condition: {what} compares with a value of DynamoDB type {node.type}; "
            "key attributes hold strings, numbers or bytes"
        )
    return node


def _check_conjunct(node: Condition) -> tuple[Path, bool]:
    """The attribute a conjunct constrains, and whether it is an equality."""
    if isinstance(node, Or | Not):
        raise ExpressionError("key condition: OR and NOT are not allowed (use a filter for those)")
    if isinstance(node, Compare):
        if node.op not in _SORT_OPERATORS:
            raise ExpressionError(
                f"key condition: {node.op} is not allowed; use = < <= > >= between begins_with"
            )
        path = _key_path(node.left, node.op)
        _value(node.right, node.op)
        return path, node.op == "="
    if isinstance(node, Between):
        path = _key_path(node.subject, "between")
        _value(node.low, "between")
        _value(node.high, "between")
        return path, False
    if isinstance(node, Function) and node.name == "begins_with":
        _value(node.args[1], "begins_with")
        return _key_path(node.args[0], "begins_with"), False
    if isinstance(node, In):
        raise ExpressionError("key condition: is_in() is not allowed; query once per value")
    name = node.name if isinstance(node, Function) else type(node).__name__
    raise ExpressionError(
        f"key condition: {name} is not allowed; use = < <= > >= between begins_with"
    )


def _names(key: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if key is None:
        return ()
    names = (key,) if isinstance(key, str) else tuple(key)
    if len(names) > 4 or not all(isinstance(n, str) and n for n in names):
        raise ExpressionError(f"{what} must be one to four attribute names, got {key!r}")
    return names


def check_key_condition(
    cond: object,
    *,
    partition_key: str | Sequence[str] | None = None,
    sort_key: str | Sequence[str] | None = None,
) -> None:
    """Raise :class:`ExpressionError` unless ``cond`` has the shape of a Query key condition."""
    if not isinstance(cond, Condition):
        raise ExpressionError(f"a key condition must be a condition, got {type(cond).__name__}")
    conjuncts = cond.operands if isinstance(cond, And) else (cond,)
    partition, sort = _names(partition_key, "partition_key"), _names(sort_key, "sort_key")
    if not partition:
        if sort:
            raise ExpressionError("sort_key= needs partition_key= too")
        _check_generic(conjuncts)
    else:
        _check_with_schema(conjuncts, partition, sort)


def _check_generic(conjuncts: Sequence[Condition]) -> None:
    if len(conjuncts) > 2:
        raise ExpressionError(
            f"key condition has {len(conjuncts)} parts; DynamoDB allows a partition-key "
            "equality and at most one sort-key condition"
        )
    checked = [_check_conjunct(c) for c in conjuncts]
    if not any(is_equality for _, is_equality in checked):
        raise ExpressionError("key condition needs an equality (=) on the partition key")
    if len(checked) == 2 and checked[0][0].segments == checked[1][0].segments:
        raise ExpressionError(
            f"key condition constrains {checked[0][0]!r} twice; use between() for a range"
        )


def _check_with_schema(
    conjuncts: Sequence[Condition], partition: tuple[str, ...], sort: tuple[str, ...]
) -> None:
    seen: dict[str, bool] = {}  # attribute -> constrained by an equality
    for conjunct in conjuncts:
        path, is_equality = _check_conjunct(conjunct)
        name = str(path.segments[0])
        if name not in partition and name not in sort:
            keys = ", ".join(partition + sort)
            raise ExpressionError(
                f"key condition: {name!r} is not a key attribute here ({keys}); "
                "put other attributes in a filter"
            )
        if name in seen:
            raise ExpressionError(
                f"key condition constrains {path!r} twice; use between() for a range"
            )
        seen[name] = is_equality
    for name in partition:
        if name not in seen:
            raise ExpressionError(f"key condition needs an equality on partition key {name!r}")
        if not seen[name]:
            raise ExpressionError(f"key condition: partition key {name!r} takes only =")
    constrained = [name for name in sort if name in seen]
    if constrained != list(sort[: len(constrained)]):
        missing = next(n for n in sort if n not in seen)
        raise ExpressionError(
            f"key condition: sort key attributes are matched left to right; {missing!r} "
            "needs a condition before the ones after it"
        )
    for name in constrained[:-1]:
        if not seen[name]:
            raise ExpressionError(
                f"key condition: only the last constrained sort key attribute may use a range; "
                f"{name!r} needs ="
            )
