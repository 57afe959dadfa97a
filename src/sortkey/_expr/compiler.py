"""The one compiler: expression trees → expression strings with placeholders.

Every attribute name is written as a ``#n<i>`` placeholder and every value as a ``:v<i>``
placeholder, so reserved words and special characters never matter. One
:class:`Placeholders` accumulator serves all expressions of a request, which is what keeps
the key condition, filter, projection, update and condition of one request from clashing:

* names are numbered in order of first appearance and reused (``#n0`` is always the same name);
* values are numbered in order of appearance and never shared (sharing equal values would save
  bytes, but each ``:v`` then has exactly one meaning, which keeps the output easy to read);
* the maps hold exactly the placeholders the expressions use: DynamoDB refuses unused ones.

Rendering follows DynamoDB's precedence (comparisons, BETWEEN, IN > NOT > AND > OR) and adds
parentheses only where that precedence would change the meaning.

DynamoDB's limits on each expression are checked here, before anything is sent (both measured on
DynamoDB Local): at most 4,096 characters, and at most 300 operators, counted as DynamoDB counts
them (see :func:`count_operators`). The operator count is taken first, without recursion, so a
tree too deep to render (say ``~`` applied a thousand times) is refused with a clear error
instead of a ``RecursionError``; within the limit, rendering recurses at most 300 levels.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sortkey.errors import ExpressionError

from .keys import check_key_condition
from .nodes import (
    And,
    Arithmetic,
    Between,
    Compare,
    Condition,
    Function,
    IfNotExists,
    In,
    ListAppend,
    Not,
    Or,
    Path,
    PathLike,
    Size,
    Value,
    condition,
)
from .projection import Projection, make_projection
from .update import CLAUSES, Update

Expression = Condition | Update | Projection

#: DynamoDB refuses an expression string longer than this ("Expression size has exceeded...").
MAX_EXPRESSION_LENGTH = 4096

#: DynamoDB refuses an expression with more operators ("The expression contains too many...").
MAX_OPERATORS = 300


@dataclass(frozen=True)
class Compiled:
    """One compiled expression: the string and the placeholders it uses.

    Attributes:
        expression: the expression text, e.g. ``"#n0 = :v0"``.
        names: ``ExpressionAttributeNames``: placeholder → attribute name.
        values: ``ExpressionAttributeValues``: placeholder → value in wire format.
    """

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class Placeholders:
    """Hands out ``#n`` / ``:v`` placeholders for one request."""

    def __init__(self) -> None:
        self._by_name: dict[str, str] = {}
        self._values: dict[str, Mapping[str, Any]] = {}

    def name(self, attribute: str) -> str:
        placeholder = self._by_name.get(attribute)
        if placeholder is None:
            placeholder = self._by_name[attribute] = f"#n{len(self._by_name)}"
        return placeholder

    def value(self, wire: Mapping[str, Any]) -> str:
        placeholder = f":v{len(self._values)}"
        # A copy, so a caller editing the request cannot reach back into the (immutable) tree.
        self._values[placeholder] = copy.deepcopy(wire)
        return placeholder

    @property
    def names(self) -> dict[str, str]:
        return {placeholder: name for name, placeholder in self._by_name.items()}

    @property
    def values(self) -> dict[str, Mapping[str, Any]]:
        return dict(self._values)


# --------------------------------------------------------------------------- rendering


def render_path(path: Path, ph: Placeholders) -> str:
    out: list[str] = []
    for segment in path.segments:
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        else:
            out.append(("." if out else "") + ph.name(segment))
    return "".join(out)


def render_operand(node: object, ph: Placeholders) -> str:
    match node:
        case Path():
            return render_path(node, ph)
        case Value():
            return ph.value(node.wire)
        case Size():
            return f"size({render_path(node.path, ph)})"
        case Arithmetic():
            left = render_operand(node.left, ph)
            return f"{left} {node.op} {render_operand(node.right, ph)}"
        case IfNotExists():
            path = render_path(node.path, ph)
            return f"if_not_exists({path}, {render_operand(node.default, ph)})"
        case ListAppend():
            first = render_operand(node.first, ph)
            return f"list_append({first}, {render_operand(node.second, ph)})"
    raise ExpressionError(f"cannot compile {node!r} as an operand")


def render_condition(node: Condition, ph: Placeholders) -> str:
    match node:
        case Compare():
            left = render_operand(node.left, ph)
            return f"{left} {node.op} {render_operand(node.right, ph)}"
        case Between():
            subject = render_operand(node.subject, ph)
            low = render_operand(node.low, ph)
            return f"{subject} BETWEEN {low} AND {render_operand(node.high, ph)}"
        case In():
            subject = render_operand(node.subject, ph)
            choices = ", ".join(render_operand(c, ph) for c in node.choices)
            return f"{subject} IN ({choices})"
        case Function():
            return f"{node.name}({', '.join(render_operand(a, ph) for a in node.args)})"
        case And() | Or():
            # Plain loops, not generators: one Python frame per level of the tree.
            parts: list[str] = []
            for child in node.operands:
                text = render_condition(child, ph)
                # OR binds looser than AND: an OR inside an AND needs parentheses.
                wrap = isinstance(node, And) and isinstance(child, Or)
                parts.append(f"({text})" if wrap else text)
            return (" AND " if isinstance(node, And) else " OR ").join(parts)
        case Not():
            text = render_condition(node.operand, ph)
            # NOT binds tighter than AND and OR, and "NOT NOT x" needs no parentheses.
            return f"NOT ({text})" if isinstance(node.operand, And | Or) else f"NOT {text}"
    raise ExpressionError(f"cannot compile {node!r} as a condition")


def count_operators(expr: object) -> int:
    """The operators of ``expr`` as DynamoDB counts them against its limit of 300.

    Each comparison, ``BETWEEN``, ``IN``, function (``size`` included), ``NOT``, ``+``/``-``,
    and each ``AND``/``OR`` between two operands counts one; parentheses, paths, values and the
    ``=`` of a SET action count nothing. Iterative, so any depth is safe to count.
    """
    count, stack = 0, [expr]
    while stack:
        match stack.pop():
            case And(operands=operands) | Or(operands=operands):
                count += len(operands) - 1
                stack.extend(operands)
            case Not(operand=operand):
                count += 1
                stack.append(operand)
            case Compare(left=left, right=right) | Arithmetic(left=left, right=right):
                count += 1
                stack += (left, right)
            case Between(subject=subject, low=low, high=high):
                count += 1
                stack += (subject, low, high)
            case In(subject=subject, choices=choices):
                count += 1
                stack += (subject, *choices)
            case Function(args=args):
                count += 1
                stack.extend(args)
            case Size():
                count += 1
            case IfNotExists(default=default):
                count += 1
                stack.append(default)
            case ListAppend(first=first, second=second):
                count += 1
                stack += (first, second)
            case Update(actions=actions):
                stack.extend(a.value for a in actions if a.value is not None)
    return count


def _within_limits(what: str, expr: object, render_it: Callable[[], str]) -> str:
    operators = count_operators(expr)
    if operators > MAX_OPERATORS:
        raise ExpressionError(
            f"the {what} has {operators} operators; DynamoDB allows at most {MAX_OPERATORS} "
            "per expression (split the work over several requests, or simplify the condition)"
        )
    text = render_it()
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"the {what} is {len(text)} characters long; DynamoDB allows at most "
            f"{MAX_EXPRESSION_LENGTH} per expression (split the work over several requests)"
        )
    return text


def render_update(update: Update, ph: Placeholders) -> str:
    if not update.actions:
        raise ExpressionError("the update has no action; DynamoDB refuses an empty update")
    clauses: list[str] = []
    for kind in CLAUSES:
        actions = [a for a in update.actions if a.kind == kind]
        if not actions:
            continue
        rendered: list[str] = []
        for action in actions:
            path = render_path(action.path, ph)
            if action.value is None:
                rendered.append(path)
            elif kind == "SET":
                rendered.append(f"{path} = {render_operand(action.value, ph)}")
            else:
                rendered.append(f"{path} {render_operand(action.value, ph)}")
        clauses.append(f"{kind} {', '.join(rendered)}")
    return " ".join(clauses)


def render_projection(projection: Projection, ph: Placeholders) -> str:
    return ", ".join(render_path(p, ph) for p in projection.paths)


def render(expr: object, ph: Placeholders) -> str:
    if isinstance(expr, Condition):
        return _within_limits("condition", expr, lambda: render_condition(expr, ph))
    if isinstance(expr, Update):
        return _within_limits("update", expr, lambda: render_update(expr, ph))
    if isinstance(expr, Projection):
        return _within_limits("projection", expr, lambda: render_projection(expr, ph))
    if isinstance(expr, Path):
        raise ExpressionError(
            f"{expr!r} is a path, not an expression; for a projection use projection(...), "
            "for a condition e.g. .exists()"
        )
    raise ExpressionError(f"cannot compile {type(expr).__name__}; expected an expression")


def compile_one(expr: Expression) -> Compiled:
    ph = Placeholders()
    text = render(expr, ph)
    return Compiled(text, ph.names, ph.values)


def as_projection(value: Projection | PathLike | Sequence[PathLike]) -> Projection:
    if isinstance(value, Projection):
        return value
    if isinstance(value, str | Path):
        return make_projection((value,))
    return make_projection(tuple(value))  # type: ignore[arg-type]


def compile_params(
    *,
    key_condition: Condition | None = None,
    filter: Condition | None = None,
    projection: Projection | Sequence[PathLike] | None = None,
    update: Update | None = None,
    condition_: Condition | None = None,
    partition_key: str | Sequence[str] | None = None,
    sort_key: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    ph = Placeholders()
    params: dict[str, Any] = {}
    # Compiled in this fixed order, so the placeholder numbering is deterministic.
    if key_condition is not None:
        check_key_condition(key_condition, partition_key=partition_key, sort_key=sort_key)
        params["KeyConditionExpression"] = render(key_condition, ph)
    if filter is not None:
        params["FilterExpression"] = render(condition(filter), ph)
    if projection is not None:
        params["ProjectionExpression"] = render(as_projection(projection), ph)
    if update is not None:
        if not isinstance(update, Update):
            raise ExpressionError(f"update must be an Update, got {type(update).__name__}")
        params["UpdateExpression"] = render(update, ph)
    if condition_ is not None:
        params["ConditionExpression"] = render(condition(condition_), ph)
    # DynamoDB refuses empty maps, so they are left out rather than sent empty.
    if names := ph.names:
        params["ExpressionAttributeNames"] = names
    if values := ph.values:
        params["ExpressionAttributeValues"] = values
    return params
