"""The expression tree: paths, operands and conditions, all immutable.

Theory of operation:

* Every node is a frozen dataclass; operators (``==``, ``<``, ``&``, ``|``, ``~``, ``+``) never
  modify a node, they build a new one.
* Python values are serialized by :func:`sortkey.codec.serialize` when they enter the tree
  (:class:`Value`), so a value that DynamoDB cannot store fails on the line that wrote it.
* ``==`` on a :class:`Path` builds a condition instead of answering ``bool``. Paths (and
  :class:`Size`) are therefore unhashable: as dict keys or set members they would silently
  misbehave. Use ``path.segments`` (a tuple) when a hashable identity is needed.
* A condition in a boolean context raises :class:`TypeError`: ``a and b`` would silently drop
  ``a``; ``a & b`` is the conjunction.
* Nodes compare by identity; two trees are "the same expression" when they compile the same.
* Nodes refuse, when built, what DynamoDB refuses at validation time (each checked on DynamoDB
  Local): a path compared with itself (``a = a``, ``contains(a, a)``: "the first operand must
  be distinct"), ``< <= > >= BETWEEN`` on a literal that is not a number, string or binary,
  BETWEEN bounds of different types or in the wrong order, ``+``/``-`` chained twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NoReturn

from sortkey.codec import serialize
from sortkey.errors import ExpressionError

from .path import Segments, check_segments, format_path, is_plain, parse_path

BOOLEAN_CONTEXT = "use & | ~ to combine conditions, not and/or/if"

#: DynamoDB allows at most 100 operands on the right of IN.
MAX_IN_VALUES = 100

#: The types that <, <=, >, >= and BETWEEN can order.
ORDERED_TYPES = ("N", "S", "B")

DYNAMODB_TYPES = ("S", "N", "B", "SS", "NS", "BS", "L", "M", "NULL", "BOOL")

_PYTHON_TYPES: Mapping[type, str] = {
    str: "S",
    int: "N",
    float: "N",
    Decimal: "N",
    bytes: "B",
    bytearray: "B",
    bool: "BOOL",
    list: "L",
    tuple: "L",
    dict: "M",
    type(None): "NULL",
}

CompareOp = Literal["=", "<>", "<", "<=", ">", ">="]


# --------------------------------------------------------------------------- operands


@dataclass(frozen=True, eq=False)
class Value:
    """A literal value, already in wire format (``{"S": "x"}``)."""

    wire: Mapping[str, Any]

    @property
    def type(self) -> str:
        """The DynamoDB type letter(s) of the value, e.g. ``"S"`` or ``"NS"``."""
        return next(iter(self.wire))


class _Comparable:
    """Comparison operators and predicates shared by :class:`Path` and :class:`Size`."""

    # == builds a condition, so value-based hashing would be wrong; identity hashing would make
    # dict lookups call == and raise. Unhashable is the honest answer.
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return Compare(self._me(), "=", operand(other))

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return Compare(self._me(), "<>", operand(other))

    def __lt__(self, other: object) -> Condition:
        return Compare(self._me(), "<", operand(other))

    def __le__(self, other: object) -> Condition:
        return Compare(self._me(), "<=", operand(other))

    def __gt__(self, other: object) -> Condition:
        return Compare(self._me(), ">", operand(other))

    def __ge__(self, other: object) -> Condition:
        return Compare(self._me(), ">=", operand(other))

    def between(self, low: object, high: object) -> Condition:
        """``low <= self <= high`` (both bounds included): ``BETWEEN low AND high``.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("age").between(18, 65)).expression
            '#n0 BETWEEN :v0 AND :v1'
        """
        return Between(self._me(), operand(low), operand(high))

    def is_in(self, *values: object) -> Condition:
        """Equal to one of ``values`` (1 to 100 of them): ``IN (...)``.

        Pass the values as separate arguments; to test many, unpack: ``is_in(*statuses)``.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("status").is_in("draft", "review")).expression
            '#n0 IN (:v0, :v1)'
        """
        if not values:
            raise ExpressionError("is_in() needs at least one value")
        if len(values) == 1 and isinstance(values[0], list | tuple | set | frozenset):
            raise ExpressionError(
                "is_in() takes the values as separate arguments: is_in(*values), not is_in(values)"
            )
        if len(values) > MAX_IN_VALUES:
            raise ExpressionError(
                f"is_in() got {len(values)} values; DynamoDB allows at most {MAX_IN_VALUES} "
                "(split the condition with |)"
            )
        return In(self._me(), tuple(operand(v) for v in values))

    def _me(self) -> Path | Size:
        assert isinstance(self, Path | Size)
        return self


class _Arithmetic:
    """``+`` and ``-`` for update SET values: ``attr("n") + 1``."""

    def __add__(self, other: object) -> Arithmetic:
        return Arithmetic(self._operand(), "+", update_operand(other))

    def __radd__(self, other: object) -> Arithmetic:
        return Arithmetic(update_operand(other), "+", self._operand())

    def __sub__(self, other: object) -> Arithmetic:
        return Arithmetic(self._operand(), "-", update_operand(other))

    def __rsub__(self, other: object) -> Arithmetic:
        return Arithmetic(update_operand(other), "-", self._operand())

    def _operand(self) -> UpdateOperand:
        assert isinstance(self, Path | IfNotExists)
        return self


@dataclass(frozen=True, eq=False)
class Path(_Comparable, _Arithmetic):
    """A document path: an attribute, a map key inside it, a list element...

    Build paths with :func:`sortkey.expr.attr`. A path is a value like any other node:
    ``path["key"]`` and ``path[0]`` return new paths one level deeper.

    Paths are **unhashable**: ``==`` builds a condition, so they cannot be dict keys or set
    members. Use :attr:`segments` (a tuple) for that.

    Attributes:
        segments: map keys (``str``) and list indexes (``int``), outermost first.
    """

    segments: Segments

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", check_segments(self.segments))

    def __getitem__(self, key: str | int) -> Path:
        """One level deeper: ``path["name"]`` (a literal map key) or ``path[0]`` (a list index).

        Example:
            >>> from sortkey.expr import attr
            >>> attr("address")["zip.code"][0]
            attr(('address', 'zip.code', 0))
        """
        return Path(check_segments((*self.segments, key)))

    def __iter__(self) -> Any:
        # Without this, __getitem__ would make a path "iterable" forever (a[0], a[1], ...).
        raise TypeError("a path is not iterable; use path.segments")

    def __bool__(self) -> bool:
        raise TypeError(
            f"a path is not a condition; use {self!r}.exists() to test that it exists "
            f"({BOOLEAN_CONTEXT})"
        )

    def __repr__(self) -> str:
        if is_plain(self.segments):
            return f"attr({format_path(self.segments)!r})"
        return f"attr({self.segments!r})"

    def __str__(self) -> str:
        return format_path(self.segments)

    def size(self) -> Size:
        """The size of the attribute (string length, bytes, or number of elements).

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("tags").size() > 3).expression
            'size(#n0) > :v0'
        """
        return Size(self)

    def exists(self) -> Condition:
        """The item has an attribute at this path: ``attribute_exists``.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("email").exists()).expression
            'attribute_exists(#n0)'
        """
        return Function("attribute_exists", (self,))

    def not_exists(self) -> Condition:
        """The item has no attribute at this path: ``attribute_not_exists``.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("pk").not_exists()).expression
            'attribute_not_exists(#n0)'
        """
        return Function("attribute_not_exists", (self,))

    def begins_with(self, prefix: object) -> Condition:
        """The string (or binary) attribute starts with ``prefix``.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("sk").begins_with("POST#")).expression
            'begins_with(#n0, :v0)'
        """
        arg = operand(prefix)
        if isinstance(arg, Value) and arg.type not in ("S", "B"):
            raise ExpressionError(
                f"begins_with() takes a string or bytes prefix, got {type(prefix).__name__}"
            )
        if isinstance(arg, Size):
            raise ExpressionError("begins_with() takes a string or bytes prefix, not a size")
        return Function("begins_with", (self, arg))

    def contains(self, value: object) -> Condition:
        """The string contains a substring, or the set or list contains an element.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("tags").contains("python")).expression
            'contains(#n0, :v0)'
        """
        arg = operand(value)
        if isinstance(arg, Size):
            raise ExpressionError("contains() takes a value or a path, not a size")
        return Function("contains", (self, arg))

    def is_type(self, type_: str | type | None) -> Condition:
        """The attribute has a DynamoDB type: ``attribute_type``.

        Args:
            type_: a DynamoDB type (``"S"``, ``"N"``, ``"B"``, ``"SS"``, ``"NS"``, ``"BS"``,
                ``"L"``, ``"M"``, ``"NULL"``, ``"BOOL"``) or a Python type that maps to exactly
                one (``str``, ``int``, ``float``, ``Decimal``, ``bytes``, ``bool``, ``list``,
                ``dict``, ``None``). Sets are ambiguous: name ``"SS"``, ``"NS"`` or ``"BS"``.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr("n").is_type(int)).values
            {':v0': {'S': 'N'}}
        """
        return Function("attribute_type", (self, Value(serialize(dynamodb_type(type_)))))


@dataclass(frozen=True, eq=False)
class Size(_Comparable):
    """``size(path)``: compare it like a path, e.g. ``size("tags") > 3``."""

    path: Path

    def __bool__(self) -> bool:
        raise TypeError(
            f"size() is not a condition; compare it, e.g. size(...) > 0 ({BOOLEAN_CONTEXT})"
        )


@dataclass(frozen=True, eq=False)
class Arithmetic:
    """``left + right`` or ``left - right`` in an update SET value (numbers only)."""

    left: UpdateOperand
    op: Literal["+", "-"]
    right: UpdateOperand

    def __post_init__(self) -> None:
        for side in (self.left, self.right):
            if isinstance(side, Arithmetic):
                raise ExpressionError(
                    "DynamoDB allows one + or - in a SET value (a + b, not a + b + c)"
                )
            if isinstance(side, ListAppend):
                raise ExpressionError("cannot add to or subtract from list_append(...)")
            if isinstance(side, Value) and side.type != "N":
                raise ExpressionError(
                    f"{self.op} works on numbers; got a value of DynamoDB type {side.type}"
                )

    def _chained(self, other: object) -> NoReturn:
        raise ExpressionError("DynamoDB allows one + or - in a SET value (a + b, not a + b + c)")

    __add__ = __radd__ = __sub__ = __rsub__ = _chained


@dataclass(frozen=True, eq=False)
class IfNotExists(_Arithmetic):
    """``if_not_exists(path, default)``: the attribute's value, or ``default`` when absent."""

    path: Path
    default: UpdateOperand

    def __post_init__(self) -> None:
        # DynamoDB: "a + b" here is a syntax error, list_append "is not allowed to be used this
        # way", and the default must be distinct from the path.
        if isinstance(self.default, Arithmetic):
            raise ExpressionError(
                "if_not_exists() takes a value or a path as default, not + or -; "
                "write if_not_exists(path, default) + n instead"
            )
        if isinstance(self.default, ListAppend):
            raise ExpressionError(
                "list_append() cannot be the default of if_not_exists(); "
                "write list_append(if_not_exists(path, []), ...) instead"
            )
        if isinstance(self.default, Path) and self.default.segments == self.path.segments:
            raise ExpressionError(f"if_not_exists() compares {self.path!r} with itself")


@dataclass(frozen=True, eq=False)
class ListAppend:
    """``list_append(first, second)``: a new list, ``first`` followed by ``second``."""

    first: UpdateOperand
    second: UpdateOperand

    def __post_init__(self) -> None:
        for side in (self.first, self.second):
            if isinstance(side, Value) and side.type != "L":
                raise ExpressionError(
                    f"list_append() joins lists; got a value of DynamoDB type {side.type}"
                )
            if isinstance(side, Arithmetic):
                raise ExpressionError("list_append() joins lists, not the result of + or -")
            if isinstance(side, ListAppend):
                raise ExpressionError(
                    "list_append() cannot be nested (DynamoDB refuses it); append one list that "
                    "holds all the new elements"
                )


Operand = Path | Size | Value
UpdateOperand = Path | Value | Arithmetic | IfNotExists | ListAppend


def to_path(path: object) -> Path:
    """Coerce ``attr``'s inputs: path text, a segment sequence, or a :class:`Path`."""
    if isinstance(path, Path):
        return path
    if isinstance(path, str):
        return Path(parse_path(path))
    if isinstance(path, Sequence) and not isinstance(path, bytes | bytearray):
        return Path(check_segments(path))
    raise ExpressionError(
        f"expected an attribute path (text, a sequence of segments or attr(...)), "
        f"got {type(path).__name__}"
    )


def operand(value: object) -> Operand:
    """A condition operand: paths and sizes stay, Python values are serialized."""
    if isinstance(value, Path | Size | Value):
        return value
    if isinstance(value, Condition):
        raise ExpressionError("a condition cannot be compared to a value; combine with & | ~")
    if isinstance(value, Arithmetic | IfNotExists | ListAppend):
        raise ExpressionError(
            "+, -, if_not_exists() and list_append() are only allowed in update SET values"
        )
    return Value(serialize(value))


def update_operand(value: object) -> UpdateOperand:
    """An update SET operand: paths, arithmetic and functions stay, values are serialized."""
    if isinstance(value, Path | Value | Arithmetic | IfNotExists | ListAppend):
        return value
    if isinstance(value, Size):
        raise ExpressionError("size() cannot be used in an update; only in conditions")
    if isinstance(value, Condition):
        raise ExpressionError("a condition is not a value; it cannot be stored by an update")
    return Value(serialize(value))


def dynamodb_type(type_: object) -> str:
    """The DynamoDB type letters for ``attribute_type``: a letter code or a Python type."""
    if isinstance(type_, str):
        if type_ in DYNAMODB_TYPES:
            return type_
        raise ExpressionError(
            f"unknown DynamoDB type {type_!r}; expected one of {', '.join(DYNAMODB_TYPES)}"
        )
    if type_ is None:
        return "NULL"
    if isinstance(type_, type):
        if type_ in (set, frozenset):
            raise ExpressionError("a set type is ambiguous; name 'SS', 'NS' or 'BS'")
        if type_ in _PYTHON_TYPES:
            return _PYTHON_TYPES[type_]
    raise ExpressionError(f"no DynamoDB type for {type_!r}; pass one of {DYNAMODB_TYPES}")


# --------------------------------------------------------------------------- conditions


class Condition:
    """A boolean expression: a condition, filter or key condition.

    Combine with ``&`` (and), ``|`` (or) and ``~`` (not). Python's ``and``/``or``/``not``/``if``
    raise :class:`TypeError`: they would ask the condition for a truth value it does not have.
    """

    __slots__ = ()

    def __and__(self, other: Condition) -> Condition:
        right = condition(other)
        left_ops = self.operands if isinstance(self, And) else (self,)
        right_ops = right.operands if isinstance(right, And) else (right,)
        return And((*left_ops, *right_ops))

    def __or__(self, other: Condition) -> Condition:
        right = condition(other)
        left_ops = self.operands if isinstance(self, Or) else (self,)
        right_ops = right.operands if isinstance(right, Or) else (right,)
        return Or((*left_ops, *right_ops))

    def __rand__(self, other: object) -> Condition:
        return condition(other) & self  # `True & cond`: refused by condition() with a clear error

    def __ror__(self, other: object) -> Condition:
        return condition(other) | self

    def __invert__(self) -> Condition:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError(BOOLEAN_CONTEXT)


def condition(value: object) -> Condition:
    """Check that ``value`` is a condition (a clear error for ``cond & True`` and the like)."""
    if isinstance(value, Condition):
        return value
    if isinstance(value, Path):
        raise ExpressionError(f"{value!r} is a path, not a condition; did you mean .exists()?")
    raise ExpressionError(f"expected a condition, got {type(value).__name__}")


def _check_distinct(what: str, first: Operand, others: Sequence[Operand]) -> None:
    # DynamoDB refuses `a = a`, `a BETWEEN a AND :x`, `contains(a, a)`...: "The first operand
    # must be distinct from the remaining operands for this operator or function".
    if isinstance(first, Path):
        for other in others:
            if isinstance(other, Path) and other.segments == first.segments:
                raise ExpressionError(f"{what} compares {first!r} with itself")


def _check_ordered(what: str, operands: Sequence[Operand]) -> None:
    # Ordering is defined on numbers, strings and binary only; DynamoDB refuses other literals.
    for node in operands:
        if isinstance(node, Value) and node.type not in ORDERED_TYPES:
            raise ExpressionError(
                f"{what} orders numbers, strings or bytes; got a value of DynamoDB type {node.type}"
            )


def _ordering_key(value: Value) -> Any:
    raw = value.wire[value.type]
    if value.type == "N":
        return Decimal(raw)
    if value.type == "S":
        return raw.encode()  # DynamoDB orders strings by their UTF-8 bytes
    return bytes(raw)


@dataclass(frozen=True, eq=False)
class Compare(Condition):
    """``left op right`` with ``op`` one of ``= <> < <= > >=``."""

    left: Operand
    op: CompareOp
    right: Operand

    def __post_init__(self) -> None:
        _check_distinct(self.op, self.left, (self.right,))
        if self.op not in ("=", "<>"):
            _check_ordered(self.op, (self.left, self.right))


@dataclass(frozen=True, eq=False)
class Between(Condition):
    """``subject BETWEEN low AND high``."""

    subject: Operand
    low: Operand
    high: Operand

    def __post_init__(self) -> None:
        _check_distinct("between()", self.subject, (self.low, self.high))
        _check_ordered("between()", (self.subject, self.low, self.high))
        low, high = self.low, self.high
        if isinstance(low, Value) and isinstance(high, Value):
            if low.type != high.type:
                raise ExpressionError(
                    f"between() bounds have different types ({low.type} and {high.type}); "
                    "DynamoDB requires the same type"
                )
            if _ordering_key(low) > _ordering_key(high):
                raise ExpressionError(
                    "between() has its lower bound above its upper bound; DynamoDB refuses it"
                )


@dataclass(frozen=True, eq=False)
class In(Condition):
    """``subject IN (choices...)``."""

    subject: Operand
    choices: tuple[Operand, ...]

    def __post_init__(self) -> None:
        _check_distinct("is_in()", self.subject, self.choices)


@dataclass(frozen=True, eq=False)
class Function(Condition):
    """A condition function: ``attribute_exists``, ``begins_with``, ``contains``..."""

    name: Literal[
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"
    ]
    args: tuple[Operand, ...]

    def __post_init__(self) -> None:
        _check_distinct(f"{self.name}()", self.args[0], self.args[1:])


@dataclass(frozen=True, eq=False)
class And(Condition):
    """All of ``operands`` (two or more); ``a & b & c`` is one flat node."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True, eq=False)
class Or(Condition):
    """Any of ``operands`` (two or more); ``a | b | c`` is one flat node."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True, eq=False)
class Not(Condition):
    """The negation of ``operand``."""

    operand: Condition


#: What every function taking a path accepts: path text, a sequence of segments, or a Path.
PathLike = str | Sequence[str | int] | Path
