"""KeyConditionExpression: ``hash = :v`` optionally ``AND`` one condition on the range key.

The range condition is one of ``= < <= > >=``, ``BETWEEN :a AND :b`` or
``begins_with(range, :p)``; either condition may come first, operands either way round
(``:v = pk``), parentheses allowed. Messages are DynamoDB Local's (which, unlike AWS, does not
name the missing key element).

The caller passes the key schema's names and, optionally, the attribute types from
AttributeDefinitions (``"S"``, ``"N"``, ``"B"``); with types, a value of another type is
refused with "Condition parameter type does not match schema type".
"""

from __future__ import annotations

from ..errors import validation
from ..values import AV, Item, compare, equal
from .condition import _Binder
from .context import ExpressionContext
from .syntax import (
    AndNode,
    BetweenNode,
    CallNode,
    CompareNode,
    ConditionNode,
    FunctionNode,
    InNode,
    NotNode,
    Operand,
    OrNode,
    PathNode,
    ValueNode,
    parse,
)

KIND = "KeyConditionExpression"
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
MSG_MISSED = "Query condition missed key schema element"
MSG_ONE_PER_KEY = "KeyConditionExpressions must only contain one condition per key"
MSG_TYPE = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)


class KeyCondition:
    """A bound key condition.

    Attributes:
        hash_value: the partition key value.
        range_op: ``"="``, ``"<"``, ``"<="``, ``">"``, ``">="``, ``"BETWEEN"``,
            ``"begins_with"`` or None.
        range_values: one value (two for BETWEEN; none without a range condition).
    """

    __slots__ = ("hash_key", "hash_value", "range_key", "range_op", "range_values")

    def __init__(
        self,
        hash_key: str,
        hash_value: AV,
        range_key: str | None,
        range_op: str | None,
        range_values: list[AV],
    ) -> None:
        self.hash_key = hash_key
        self.hash_value = hash_value
        self.range_key = range_key
        self.range_op = range_op
        self.range_values = range_values

    def matches(self, item: Item) -> bool:
        """Whether ``item``'s key satisfies the condition."""
        value = item.get(self.hash_key)
        if value is None or not equal(value, self.hash_value):
            return False
        if self.range_op is None or self.range_key is None:
            return True
        return range_matches(item.get(self.range_key), self.range_op, self.range_values)


def range_matches(value: AV | None, op: str, operands: list[AV]) -> bool:
    """Whether a range key value satisfies ``op`` with ``operands``."""
    if value is None:
        return False
    if op == "begins_with":
        prefix = operands[0]
        if "S" in value and "S" in prefix:
            return bool(value["S"].startswith(prefix["S"]))
        if "B" in value and "B" in prefix:
            return bytes(value["B"]).startswith(bytes(prefix["B"]))
        return False
    if op == "BETWEEN":
        low = compare(operands[0], value)
        high = compare(value, operands[1])
        return low is not None and high is not None and low <= 0 and high <= 0
    order = compare(value, operands[0])
    if order is None:
        return False
    return {
        "=": order == 0,
        "<": order < 0,
        "<=": order <= 0,
        ">": order > 0,
        ">=": order >= 0,
    }[op]


def _check_operators(node: ConditionNode) -> None:
    """Refuse what a key condition cannot contain, first offender in source order."""
    if isinstance(node, AndNode):
        _check_operators(node.left)
        _check_operators(node.right)
        return
    if isinstance(node, OrNode):
        raise validation("Invalid operator used in KeyConditionExpression: OR")
    if isinstance(node, NotNode):
        raise validation("Invalid operator used in KeyConditionExpression: NOT")
    if isinstance(node, InNode):
        raise validation("Invalid operator used in KeyConditionExpression: IN")
    if isinstance(node, FunctionNode):
        if node.call.name != "begins_with":
            raise validation(f"Invalid operator used in KeyConditionExpression: {node.call.name}")
        operands: tuple[Operand, ...] = node.call.args
    elif isinstance(node, CompareNode):
        if node.op == "<>":
            raise validation("Invalid operator used in KeyConditionExpression: <>")
        operands = (node.left, node.right)
    else:
        operands = (node.subject, node.low, node.high)
    if any(isinstance(o, CallNode) for o in operands):
        raise validation("KeyConditionExpressions cannot contain nested operations")


def _conjuncts(node: ConditionNode) -> list[ConditionNode]:
    if isinstance(node, AndNode):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def parse_key_condition(
    text: str,
    ctx: ExpressionContext,
    *,
    hash_key: str,
    range_key: str | None,
    hash_type: str | None = None,
    range_type: str | None = None,
) -> KeyCondition:
    """Parse and bind a KeyConditionExpression against a key schema.

    Args:
        text: the expression.
        ctx: the request's placeholders.
        hash_key: the partition key attribute name (of the table or the queried index).
        range_key: the sort key attribute name, or None.
        hash_type: optional AttributeDefinitions type of the partition key.
        range_type: optional AttributeDefinitions type of the sort key.

    Raises:
        EngineError: ValidationException with DynamoDB Local's message.
    """
    tree = parse(KIND, text)
    assert not isinstance(tree, (PathNode, ValueNode))
    _check_operators(tree)  # type: ignore[arg-type]
    binder = _Binder(ctx, KIND)
    binder.condition(tree)  # type: ignore[arg-type]  # placeholders, types, distinctness
    parts = _conjuncts(tree)  # type: ignore[arg-type]
    if len(parts) > 2:
        raise validation(MSG_ONE_PER_KEY)
    hash_value: AV | None = None
    range_op: str | None = None
    range_values: list[AV] = []
    seen: set[str] = set()
    for part in parts:
        name, op, values = _key_part(part, binder)
        if name is None or name not in (hash_key, range_key):
            raise validation(MSG_MISSED)
        if name in seen:
            raise validation(MSG_ONE_PER_KEY)
        seen.add(name)
        expected = hash_type if name == hash_key else range_type
        if expected is not None and any(expected not in v for v in values):
            raise validation(MSG_TYPE)
        if name == hash_key:
            if op != "=":
                raise validation("Query key condition not supported")
            hash_value = values[0]
        else:
            range_op = op
            range_values = values
    if hash_value is None:
        raise validation(MSG_MISSED)
    return KeyCondition(hash_key, hash_value, range_key, range_op, range_values)


def _key_part(part: ConditionNode, binder: _Binder) -> tuple[str | None, str, list[AV]]:
    """(key name, operator, values) of one conjunct; name None when it names no attribute."""
    ctx = binder.ctx

    def name_of(node: Operand) -> str | None:
        if isinstance(node, PathNode) and len(node.segments) == 1:
            segment = node.segments[0]
            assert isinstance(segment, str)
            return ctx.names[segment] if segment.startswith("#") else segment
        return None

    def value_of(node: Operand) -> AV | None:
        return ctx.values[node.name] if isinstance(node, ValueNode) else None

    if isinstance(part, CompareNode):
        left, right = name_of(part.left), name_of(part.right)
        if left is not None and (v := value_of(part.right)) is not None:
            return left, part.op, [v]
        if right is not None and (v := value_of(part.left)) is not None:
            return right, _FLIPPED[part.op], [v]
        return None, part.op, []
    if isinstance(part, BetweenNode):
        low, high = value_of(part.low), value_of(part.high)
        name = name_of(part.subject)
        if low is None or high is None:
            return None, "BETWEEN", []
        return name, "BETWEEN", [low, high]
    assert isinstance(part, FunctionNode)
    prefix = value_of(part.call.args[1])
    name = name_of(part.call.args[0])
    return (name if prefix is not None else None), "begins_with", [prefix] if prefix else []
