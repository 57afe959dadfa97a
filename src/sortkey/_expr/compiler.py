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
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
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
        case And():
            # OR binds looser than AND: an OR inside an AND needs parentheses.
            return " AND ".join(_wrapped(c, ph, Or) for c in node.operands)
        case Or():
            return " OR ".join(render_condition(c, ph) for c in node.operands)
        case Not():
            return "NOT " + _wrapped(node.operand, ph, And | Or | Not)
    raise ExpressionError(f"cannot compile {node!r} as a condition")


def _wrapped(node: Condition, ph: Placeholders, needs_parens: Any) -> str:
    text = render_condition(node, ph)
    return f"({text})" if isinstance(node, needs_parens) else text


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
        return render_condition(expr, ph)
    if isinstance(expr, Update):
        return render_update(expr, ph)
    if isinstance(expr, Projection):
        return render_projection(expr, ph)
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
        params["KeyConditionExpression"] = render_condition(key_condition, ph)
    if filter is not None:
        params["FilterExpression"] = render_condition(condition(filter), ph)
    if projection is not None:
        params["ProjectionExpression"] = render_projection(as_projection(projection), ph)
    if update is not None:
        if not isinstance(update, Update):
            raise ExpressionError(f"update must be an Update, got {type(update).__name__}")
        params["UpdateExpression"] = render_update(update, ph)
    if condition_ is not None:
        params["ConditionExpression"] = render_condition(condition(condition_), ph)
    # DynamoDB refuses empty maps, so they are left out rather than sent empty.
    if names := ph.names:
        params["ExpressionAttributeNames"] = names
    if values := ph.values:
        params["ExpressionAttributeValues"] = values
    return params
