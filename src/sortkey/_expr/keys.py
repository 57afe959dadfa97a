"""The shape DynamoDB requires of a Query's key condition.

A key condition is one equality on the partition key, optionally AND one condition on the sort
key: ``=``, ``<``, ``<=``, ``>``, ``>=``, ``BETWEEN`` or ``begins_with``, each comparing a
top-level attribute with a value. No OR, NOT, IN, ``<>``, ``size``, ``contains`` or existence
tests. Without the table's schema we cannot tell which attribute is the partition key, so the
rule checked is: one or two conjuncts on distinct attributes, at least one of them ``=``.
"""

from __future__ import annotations

from sortkey.errors import ExpressionError

from .nodes import And, Between, Compare, Condition, Function, In, Not, Or, Path, Value

_SORT_OPERATORS = ("=", "<", "<=", ">", ">=")


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
        return _key_path(node.args[0], "begins_with"), False
    if isinstance(node, In):
        raise ExpressionError("key condition: is_in() is not allowed; query once per value")
    name = node.name if isinstance(node, Function) else type(node).__name__
    raise ExpressionError(
        f"key condition: {name} is not allowed; use = < <= > >= between begins_with"
    )


def check_key_condition(cond: object) -> None:
    """Raise :class:`ExpressionError` unless ``cond`` has the shape of a Query key condition."""
    if not isinstance(cond, Condition):
        raise ExpressionError(f"a key condition must be a condition, got {type(cond).__name__}")
    conjuncts = cond.operands if isinstance(cond, And) else (cond,)
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
