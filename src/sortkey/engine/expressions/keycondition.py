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

from collections.abc import Sequence

from ..errors import EngineError, validation
from ..values import AV, Item, compare, equal
from .condition import _Binder
from .context import ExpressionContext, Path
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
MSG_INVALID_CONDITION = "Invalid condition in KeyConditionExpression: "
MSG_ONE_PER_KEY = "KeyConditionExpressions must only contain one condition per key"
MSG_TYPE = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)


class KeyCondition:
    """A bound key condition.

    Attributes:
        hash_value: the partition key value (the first one for a multi-attribute key).
        hash_values: the partition key values, in key schema order.
        range_op: ``"="``, ``"<"``, ``"<="``, ``">"``, ``">="``, ``"BETWEEN"``,
            ``"begins_with"`` or None -- the condition on the last sort key attribute given.
        range_values: its values (two for BETWEEN; none without a range condition).
        range_equalities: for a multi-attribute sort key, the values of the leading sort
            attributes fixed by ``=`` before the one ``range_op`` applies to (schema order).
    """

    __slots__ = (
        "hash_key",
        "hash_keys",
        "hash_value",
        "hash_values",
        "range_equalities",
        "range_key",
        "range_op",
        "range_values",
    )

    def __init__(
        self,
        hash_keys: list[str],
        hash_values: list[AV],
        range_keys: list[str],
        range_equalities: list[AV],
        range_op: str | None,
        range_values: list[AV],
    ) -> None:
        self.hash_keys = hash_keys
        self.hash_key = hash_keys[0]
        self.hash_values = hash_values
        self.hash_value = hash_values[0]
        self.range_equalities = range_equalities
        # The sort attribute range_op applies to.
        used = len(range_equalities) + (1 if range_op is not None else 0)
        self.range_key = range_keys[used - 1] if used else (range_keys[0] if range_keys else None)
        self.range_op = range_op
        self.range_values = range_values

    def matches(self, item: Item) -> bool:
        """Whether ``item``'s key satisfies the condition."""
        for name, wanted in zip(self.hash_keys, self.hash_values, strict=True):
            value = item.get(name)
            if value is None or not equal(value, wanted):
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
    hash_key: str | Sequence[str],
    range_key: str | Sequence[str] | None,
    hash_type: str | Sequence[str] | None = None,
    range_type: str | Sequence[str] | None = None,
    table_keys: Sequence[str] | None = None,
) -> KeyCondition:
    """Parse and bind a KeyConditionExpression against a key schema.

    Args:
        text: the expression.
        ctx: the request's placeholders.
        hash_key: the partition key attribute name (of the table or the queried index), or
            the names of a multi-attribute partition key.
        range_key: the sort key attribute name(s), or None.
        hash_type: optional AttributeDefinitions type(s) of the partition key.
        range_type: optional AttributeDefinitions type(s) of the sort key.
        table_keys: when querying an index, the table's key attribute names (DynamoDB names
            a nested path on them ``Key: pk`` and on index-only keys ``IndexKey: gpk``).

    Raises:
        EngineError: ValidationException with DynamoDB Local's message.
    """
    hash_keys = _names(hash_key)
    range_keys = _names(range_key)
    types = dict(zip(hash_keys, _types(hash_type, len(hash_keys)), strict=True))
    types.update(zip(range_keys, _types(range_type, len(range_keys)), strict=True))
    tree = parse(KIND, text)
    assert not isinstance(tree, (PathNode, ValueNode))
    _check_operators(tree)  # type: ignore[arg-type]
    binder = _Binder(ctx, KIND)
    binder.condition(tree)  # type: ignore[arg-type]  # placeholders, types, distinctness
    # DynamoDB Local's order: a nested path on any key attribute anywhere in the expression;
    # then each condition in source order (its shape, then a key named twice); then the
    # number of conditions; then the key schema rules.
    _check_scalar_keys(binder.paths, hash_keys + range_keys, table_keys)
    parts: list[tuple[str, str, list[AV]]] = []
    seen: set[str] = set()
    for conjunct in _conjuncts(tree):  # type: ignore[arg-type]
        part = _key_part(conjunct, ctx)
        if part[0] in seen:
            raise validation(MSG_ONE_PER_KEY)
        seen.add(part[0])
        parts.append(part)
    if len(hash_keys) > 1 or len(range_keys) > 1:
        found = _check_multi_attribute(parts, hash_keys, range_keys, types)
    else:
        found = _check_single_attribute(parts, hash_keys, range_keys, types)
    equalities: list[AV] = []
    range_op: str | None = None
    range_values: list[AV] = []
    given = [name for name in range_keys if name in found]
    for position, name in enumerate(given):
        op, values = found[name]
        if position < len(given) - 1:
            equalities.append(values[0])
        else:
            range_op, range_values = op, values
    return KeyCondition(
        hash_keys,
        [found[name][1][0] for name in hash_keys],
        range_keys,
        equalities,
        range_op,
        range_values,
    )


def _check_scalar_keys(
    paths: list[Path], key_names: list[str], table_keys: Sequence[str] | None
) -> None:
    for path in paths:
        name = path[0]
        if len(path) == 1 or not isinstance(name, str):
            continue
        if name in (key_names if table_keys is None else table_keys):
            label = "Key"
        elif name in key_names:
            label = "IndexKey"
        else:
            continue
        raise validation(
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are "
            f"not allowed: {label}: {name}"
        )


def _check_single_attribute(
    parts: list[tuple[str, str, list[AV]]],
    hash_keys: list[str],
    range_keys: list[str],
    types: dict[str, str | None],
) -> dict[str, tuple[str, list[AV]]]:
    """The rules (and messages) for a one-attribute partition key and sort key."""
    if len(parts) > 2:
        raise validation("Conditions can be of length 1 or 2 only")
    if not range_keys and len(parts) > 1:
        raise validation("Query key condition not supported")
    found: dict[str, tuple[str, list[AV]]] = {}
    for name, op, values in parts:
        if name not in types:
            raise validation(MSG_MISSED)
        _check_types(types[name], values)
        if name in hash_keys and op != "=":
            raise validation("Query key condition not supported")
        found[name] = (op, values)
    if hash_keys[0] not in found:
        raise validation(MSG_MISSED)
    return found


def _check_multi_attribute(
    parts: list[tuple[str, str, list[AV]]],
    hash_keys: list[str],
    range_keys: list[str],
    types: dict[str, str | None],
) -> dict[str, tuple[str, list[AV]]]:
    """The rules (and messages) for multi-attribute keys (of a global secondary index).

    Every partition attribute needs ``=``; sort conditions cover a prefix of the sort key,
    ``=`` on all but the last. Missing sort attributes are reported for the first condition
    that follows a gap; otherwise non-equalities before the last sort condition.
    """
    if len(parts) > len(hash_keys) + len(range_keys):
        raise validation("Query key condition not supported")
    found = {name: (op, values) for name, op, values in parts}
    lacking = [name for name in hash_keys if found.get(name, ("",))[0] != "="]
    if lacking:
        raise validation(
            f"HASH key attributes {', '.join(lacking)} must have equality conditions "
            "specified in the query"
        )
    last = None
    for position, name in enumerate(range_keys):
        if name not in found:
            continue
        last = position
        gaps = [before for before in range_keys[:position] if before not in found]
        if gaps:
            raise _range_error(gaps, name)
    if last is not None:
        unequal = [before for before in range_keys[:last] if found[before][0] != "="]
        if unequal:
            raise _range_error(unequal, range_keys[last])
    for name, _, values in parts:
        if name in types:
            _check_types(types[name], values)
    if any(name not in types for name, _, _ in parts):
        raise validation(MSG_MISSED)
    return found


def _range_error(names: list[str], because: str) -> EngineError:
    return validation(
        f"RANGE key attributes {', '.join(names)} must have equality conditions specified in "
        f"the query because a condition is present on key attribute {because}"
    )


def _check_types(expected: str | None, values: list[AV]) -> None:
    if expected is not None and any(expected not in v for v in values):
        raise validation(MSG_TYPE)


def _names(spec: str | Sequence[str] | None) -> list[str]:
    if spec is None:
        return []
    return [spec] if isinstance(spec, str) else list(spec)


def _types(spec: str | Sequence[str] | None, count: int) -> list[str | None]:
    if spec is None:
        return [None] * count
    return [spec] * count if isinstance(spec, str) else list(spec)


def _key_part(part: ConditionNode, ctx: ExpressionContext) -> tuple[str, str, list[AV]]:
    """(key name, operator, values) of one conjunct, refusing shapes DynamoDB refuses."""
    if isinstance(part, CompareNode):
        operands: tuple[Operand, ...] = (part.left, part.right)
        op = part.op
    elif isinstance(part, BetweenNode):
        operands = (part.subject, part.low, part.high)
        op = "BETWEEN"
    else:
        assert isinstance(part, FunctionNode)
        operands = part.call.args
        op = "begins_with"
    paths = [o for o in operands if isinstance(o, PathNode)]
    if not paths:
        raise validation(f"{MSG_INVALID_CONDITION}No key attribute specified")
    if len(paths) > 1:
        raise validation(f"{MSG_INVALID_CONDITION}Multiple attribute names used in one condition")
    path = paths[0]
    if len(path.segments) > 1:
        raise validation("KeyConditionExpressions cannot have conditions on nested attributes")
    if op == "BETWEEN" and operands[0] is not path:
        raise validation(
            f"{MSG_INVALID_CONDITION}BETWEEN operator must have the key attribute as its "
            "first operand"
        )
    segment = path.segments[0]
    assert isinstance(segment, str)
    name = ctx.names[segment] if segment.startswith("#") else segment
    values = [ctx.values[o.name] for o in operands if isinstance(o, ValueNode)]
    if op in _FLIPPED and operands[1] is path:
        op = _FLIPPED[op]
    return name, op, values
