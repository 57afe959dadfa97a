"""Condition and filter expressions: bind a raw tree to a request, then evaluate items.

Binding resolves placeholders (in source order, so the first undefined one is reported) and
applies DynamoDB's checks that depend on the values' types; the result is a tree of closures,
so evaluating an item allocates next to nothing.

Evaluation rules (DynamoDB's): a missing attribute or a comparison between different types is
false (never an error); ``<>`` is the negation of ``=``; ``size`` of a type without a size
(N, BOOL, NULL) or of a missing attribute makes its comparison false.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import EngineError, validation
from ..values import AV, Item, compare, equal, set_contains
from .context import ExpressionContext, Path, format_path
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

Getter = Callable[[Item], "AV | None"]
Predicate = Callable[[Item], bool]

ATTRIBUTE_TYPES = ("N", "BS", "L", "B", "NULL", "M", "S", "SS", "NS", "BOOL")
_ORDERED = frozenset({"S", "N", "B"})
_SIZED = frozenset({"S", "B", "SS", "NS", "BS", "L", "M"})


def get_path(item: Item, path: Path) -> AV | None:
    """The value at ``path`` in ``item``, or None when any step is missing or of wrong type."""
    av = item.get(path[0])  # type: ignore[arg-type]  # the first segment is a name
    for segment in path[1:]:
        if av is None:
            return None
        if isinstance(segment, int):
            elements = av.get("L")
            if elements is None or segment >= len(elements):
                return None
            av = elements[segment]
        else:
            members = av.get("M")
            if members is None:
                return None
            av = members.get(segment)
    return av


def _size(av: AV) -> int | None:
    if "S" in av:
        text = av["S"]
        # DynamoDB counts UTF-16 code units (Java's String.length()).
        return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2
    for kind in ("B", "SS", "NS", "BS", "L", "M"):
        if kind in av:
            return len(av[kind])
    return None


def av_repr(av: AV) -> str:
    """An AV as DynamoDB prints it in messages: ``AttributeValue: {N:1}``."""
    ((kind, value),) = av.items()
    return f"AttributeValue: {{{kind}:{value}}}"


class _Binder:
    """Turns raw operands and conditions into closures for one request."""

    def __init__(self, ctx: ExpressionContext, kind: str) -> None:
        self.ctx = ctx
        self.kind = kind
        self.paths: list[Path] = []

    def error(self, message: str) -> EngineError:
        return validation(f"Invalid {self.kind}: {message}")

    def path(self, node: PathNode) -> Path:
        resolved = tuple(
            self.ctx.name(s, self.kind) if isinstance(s, str) and s[0] == "#" else s
            for s in node.segments
        )
        self.paths.append(resolved)
        return resolved

    def operand_type_error(self, operator: str, type_name: str) -> EngineError:
        return self.error(
            "Incorrect operand type for operator or function; "
            f"operator or function: {operator}, operand type: {type_name}"
        )

    # An operand binds to (getter, static type or None, constant value or None, path or None).
    def operand(self, node: Operand) -> tuple[Getter, str | None, AV | None, Path | None]:
        if isinstance(node, ValueNode):
            av = self.ctx.value(node.name, self.kind)
            return (lambda item: av), next(iter(av)), av, None
        if isinstance(node, PathNode):
            path = self.path(node)
            if len(path) == 1:
                name = path[0]
                return (lambda item: item.get(name)), None, None, path
            return (lambda item: get_path(item, path)), None, None, path
        if isinstance(node, CallNode):  # size(), the only operand function in conditions
            inner, inner_type, inner_value, _ = self.operand(node.args[0])
            if inner_type is not None and inner_type not in _SIZED:
                raise self.operand_type_error("size", inner_type)

            def size(item: Item) -> AV | None:
                av = inner(item)
                if av is None:
                    return None
                n = _size(av)
                return None if n is None else {"N": str(n)}

            if inner_value is not None:
                constant = size(inner_value)
                return (lambda item: constant), "N", constant, None
            return size, "N", None, None
        raise unreachable(node)  # ArithNode: the condition grammar never produces it

    def distinct(self, operator: str, first: Path | None, others: list[Path | None]) -> None:
        if first is not None and any(other == first for other in others):
            raise self.error(
                "The first operand must be distinct from the remaining operands for this "
                f"operator or function; operator: {operator}, first operand: "
                f"{format_path(first)}"
            )

    def condition(self, node: ConditionNode) -> Predicate:
        if isinstance(node, AndNode):
            left = self.condition(node.left)
            right = self.condition(node.right)
            return lambda item: left(item) and right(item)
        if isinstance(node, OrNode):
            left = self.condition(node.left)
            right = self.condition(node.right)
            return lambda item: left(item) or right(item)
        if isinstance(node, NotNode):
            # A chain of NOTs is bound (and evaluated) as its parity: no recursion per NOT.
            negate = True
            innermost = node.inner
            while isinstance(innermost, NotNode):
                negate, innermost = not negate, innermost.inner
            inner = self.condition(innermost)
            return (lambda item: not inner(item)) if negate else inner
        if isinstance(node, CompareNode):
            return self.comparison(node)
        if isinstance(node, BetweenNode):
            return self.between(node)
        if isinstance(node, InNode):
            return self.membership(node)
        return self.function(node)

    def comparison(self, node: CompareNode) -> Predicate:
        op = node.op
        lf, ltype, _, lpath = self.operand(node.left)
        rf, rtype, _, rpath = self.operand(node.right)
        if op not in ("=", "<>"):
            for static in (ltype, rtype):
                if static is not None and static not in _ORDERED:
                    raise self.operand_type_error(op, static)
        self.distinct(op, lpath, [rpath])
        if op == "=":

            def eq(item: Item) -> bool:
                a = lf(item)
                if a is None:
                    return False
                b = rf(item)
                return b is not None and equal(a, b)

            return eq
        if op == "<>":

            def ne(item: Item) -> bool:
                a = lf(item)
                if a is None:
                    return True
                b = rf(item)
                return b is None or not equal(a, b)

            return ne
        accept = _ACCEPT[op]

        def ordered(item: Item) -> bool:
            a = lf(item)
            if a is None:
                return False
            b = rf(item)
            if b is None:
                return False
            result = compare(a, b)
            return result is not None and result in accept

        return ordered

    def between(self, node: BetweenNode) -> Predicate:
        sf, stype, _, spath = self.operand(node.subject)
        lf, ltype, low, lpath = self.operand(node.low)
        hf, htype, high, hpath = self.operand(node.high)
        for static in (stype, ltype, htype):
            if static is not None and static not in _ORDERED:
                raise self.operand_type_error("BETWEEN", static)
        self.distinct("BETWEEN", spath, [lpath, hpath])
        if low is not None and high is not None:
            if ltype != htype:
                raise self.error(
                    "The BETWEEN operator requires same data type for lower and upper bounds; "
                    f"lower bound operand: {av_repr(low)}, upper bound operand: {av_repr(high)}"
                )
            order = compare(low, high)
            if order is not None and order > 0:
                raise self.error(
                    "The BETWEEN operator requires upper bound to be greater than or equal to "
                    f"lower bound; lower bound operand: {av_repr(low)}, upper bound operand: "
                    f"{av_repr(high)}"
                )

        def between(item: Item) -> bool:
            x = sf(item)
            if x is None:
                return False
            a = lf(item)
            b = hf(item)
            if a is None or b is None:
                return False
            lower = compare(a, x)
            if lower is None or lower > 0:
                return False
            upper = compare(x, b)
            return upper is not None and upper <= 0

        return between

    def membership(self, node: InNode) -> Predicate:
        sf, _, _, spath = self.operand(node.subject)
        options = [self.operand(option) for option in node.options]
        self.distinct("IN", spath, [o[3] for o in options])
        getters = [o[0] for o in options]

        def member(item: Item) -> bool:
            x = sf(item)
            if x is None:
                return False
            for getter in getters:
                candidate = getter(item)
                if candidate is not None and equal(x, candidate):
                    return True
            return False

        return member

    def function(self, node: FunctionNode) -> Predicate:
        call = node.call
        name = call.name
        if name in ("attribute_exists", "attribute_not_exists"):
            getter, _, _, _ = self.operand(call.args[0])
            if name == "attribute_exists":
                return lambda item: getter(item) is not None
            return lambda item: getter(item) is None
        first, ftype, _, fpath = self.operand(call.args[0])
        second, stype, svalue, spath = self.operand(call.args[1])
        if name == "attribute_type":
            if stype is not None and stype != "S":
                raise self.operand_type_error(name, stype)
            if svalue is not None:
                type_name = svalue["S"]
                if type_name not in ATTRIBUTE_TYPES:
                    raise self.error(
                        f"Invalid attribute type name found; type: {type_name}, "
                        f"valid types: {{{','.join(ATTRIBUTE_TYPES)}}}"
                    )

            def has_type(item: Item) -> bool:
                av = first(item)
                wanted = second(item)
                return av is not None and wanted is not None and wanted.get("S") in av

            return has_type
        if name == "begins_with":
            for static in (ftype, stype):
                if static is not None and static not in ("S", "B"):
                    raise self.operand_type_error(name, static)
            self.distinct(name, fpath, [spath])

            def begins_with(item: Item) -> bool:
                av = first(item)
                prefix = second(item)
                if av is None or prefix is None:
                    return False
                if "S" in av:
                    return "S" in prefix and bool(av["S"].startswith(prefix["S"]))
                if "B" in av:
                    return "B" in prefix and bytes(av["B"]).startswith(bytes(prefix["B"]))
                return False

            return begins_with
        # contains
        self.distinct(name, fpath, [spath])

        def contains(item: Item) -> bool:
            av = first(item)
            needle = second(item)
            if av is None or needle is None:
                return False
            if "S" in av:
                return "S" in needle and needle["S"] in av["S"]
            if "B" in av:  # a substring of bytes, as for strings
                return "B" in needle and bytes(needle["B"]) in bytes(av["B"])
            if "L" in av:
                return any(equal(element, needle) for element in av["L"])
            return set_contains(av, needle)

        return contains


_ACCEPT = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (0, 1)}


class Condition:
    """A bound condition (ConditionExpression or FilterExpression).

    Attributes:
        paths: the document paths the expression reads, resolved, in source order.
    """

    __slots__ = ("_predicate", "paths")

    def __init__(self, predicate: Predicate, paths: list[Path]) -> None:
        self._predicate = predicate
        self.paths = paths

    def evaluate(self, item: Item | None) -> bool:
        """Whether ``item`` (None or ``{}`` for "no item") satisfies the condition."""
        return self._predicate(item or {})


def parse_condition(text: str, ctx: ExpressionContext, *, kind: str) -> Condition:
    """Parse and bind a ConditionExpression / FilterExpression.

    Args:
        text: the expression.
        ctx: the request's placeholders (marked used as they are resolved).
        kind: ``"ConditionExpression"`` or ``"FilterExpression"`` (used in messages).

    Raises:
        EngineError: ValidationException with DynamoDB's message.
    """
    tree = parse(kind, text)
    binder = _Binder(ctx, kind)
    predicate = binder.condition(tree)  # type: ignore[arg-type]
    return Condition(predicate, binder.paths)


def unreachable(node: Any) -> EngineError:  # pragma: no cover - defensive
    """An operand kind the condition grammar cannot produce."""
    return validation(f"unsupported expression node {type(node).__name__}")
