"""Tokenizer, syntax tree and recursive-descent parser (text only, placeholders unresolved).

The grammar is stated in the package docstring (:mod:`sortkey.engine.expressions`). Parsing
depends on the expression text alone, so :func:`parse` is cached by ``(kind, text)``; binding
placeholders to a request's names and values happens afterwards, per request.

Errors follow DynamoDB's shapes (DynamoDB parses with an ANTLR grammar):

* ``Syntax error; token: "<tok>", near: "<ctx>"`` -- ``<tok>`` is the first token that cannot
  continue the expression (``<EOF>`` at the end); ``<ctx>`` is the source text from the start
  of the token before it to the end of the token after it.
* then reserved words (anywhere in the text), then structural rules (function placement,
  arity, redundant parentheses, list index range, clause repetition), in source order.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TypeAlias

from ..errors import EngineError, validation
from .reserved import RESERVED_WORDS

# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

# Token kinds. Keywords are matched case-insensitively and carry their upper-case word as kind.
NAME = "NAME"  # attribute name or function name: [A-Za-z][A-Za-z0-9_]*
NAME_REF = "NAME_REF"  # '#' [A-Za-z0-9_]+
VALUE_REF = "VALUE_REF"  # ':' [A-Za-z0-9_]+
INDEX = "INDEX"  # '0' | [1-9][0-9]*
EOF = "EOF"
INVALID = "INVALID"  # any other single character
KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"})
COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})

_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_WORD_CHARS = _WORD_START | frozenset("0123456789_")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\r\n")
_SINGLE = frozenset("()[],.=+-")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its source text and where it sits in the expression."""

    kind: str
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens, ending with an ``EOF`` token."""
    tokens: list[Token] = []
    append = tokens.append
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            continue
        start = i
        if ch in _WORD_START:
            i += 1
            while i < n and text[i] in _WORD_CHARS:
                i += 1
            word = text[start:i]
            upper = word.upper()
            append(Token(upper if upper in KEYWORDS else NAME, word, start, i))
        elif ch == "#" or ch == ":":
            i += 1
            while i < n and text[i] in _WORD_CHARS:
                i += 1
            if i == start + 1:
                append(Token(INVALID, ch, start, i))
            else:
                append(Token(NAME_REF if ch == "#" else VALUE_REF, text[start:i], start, i))
        elif ch in _DIGITS:
            i += 1
            if ch != "0":
                while i < n and text[i] in _DIGITS:
                    i += 1
            append(Token(INDEX, text[start:i], start, i))
        elif ch == "<":
            i += 1
            if i < n and text[i] in "=>":
                i += 1
            append(Token(text[start:i], text[start:i], start, i))
        elif ch == ">":
            i += 1
            if i < n and text[i] == "=":
                i += 1
            append(Token(text[start:i], text[start:i], start, i))
        elif ch in _SINGLE:
            i += 1
            append(Token(ch, ch, start, i))
        else:
            i += 1
            append(Token(INVALID, ch, start, i))
    append(Token(EOF, "<EOF>", n, n))
    return tokens


# --------------------------------------------------------------------------------------------
# Syntax tree (placeholders unresolved)
# --------------------------------------------------------------------------------------------

Segment: TypeAlias = "str | int"
"""A raw path segment: a bare name, a ``#name`` placeholder, or a list index."""


@dataclass(frozen=True, slots=True)
class PathNode:
    """A document path as written: ``a.#b[2]``."""

    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class ValueNode:
    """A ``:value`` placeholder."""

    name: str


@dataclass(frozen=True, slots=True)
class CallNode:
    """A function call: an operand (``size``, ``list_append``, ...) or a condition."""

    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class ArithNode:
    """``left + right`` or ``left - right`` (UpdateExpression SET only)."""

    op: str
    left: Operand
    right: Operand


Operand: TypeAlias = "PathNode | ValueNode | CallNode | ArithNode"


@dataclass(frozen=True, slots=True)
class CompareNode:
    """``left <op> right`` with op one of ``= <> < <= > >=``."""

    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class BetweenNode:
    """``subject BETWEEN low AND high``."""

    subject: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class InNode:
    """``subject IN (option, ...)``."""

    subject: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class AndNode:
    """``left AND right``."""

    left: ConditionNode
    right: ConditionNode


@dataclass(frozen=True, slots=True)
class OrNode:
    """``left OR right``."""

    left: ConditionNode
    right: ConditionNode


@dataclass(frozen=True, slots=True)
class NotNode:
    """``NOT inner``."""

    inner: ConditionNode


@dataclass(frozen=True, slots=True)
class FunctionNode:
    """A function used as a condition: ``attribute_exists(a)``."""

    call: CallNode


ConditionNode: TypeAlias = (
    "CompareNode | BetweenNode | InNode | AndNode | OrNode | NotNode | FunctionNode"
)


@dataclass(frozen=True, slots=True)
class ActionNode:
    """One update action: ``SET p = v``, ``REMOVE p``, ``ADD p :v`` or ``DELETE p :v``."""

    clause: str
    path: PathNode
    value: Operand | None


@dataclass(frozen=True, slots=True)
class UpdateNode:
    """An UpdateExpression: its actions and its clause keywords, in source order."""

    actions: tuple[ActionNode, ...]
    clauses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProjectionNode:
    """A ProjectionExpression: its paths in source order."""

    paths: tuple[PathNode, ...]


# Functions by where they may appear.
CONDITION_FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}
)
OPERAND_FUNCTIONS = frozenset({"size"})
UPDATE_FUNCTIONS = frozenset({"if_not_exists", "list_append"})
FUNCTION_ARITY = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
    "if_not_exists": 2,
    "list_append": 2,
}
MAX_LIST_INDEX = 2**31 - 1
MAX_IN_OPERANDS = 100


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


class _SyntaxFailure(Exception):
    """Internal: the parser could not continue at ``tokens[index]``."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def syntax_error(kind: str, text: str, tokens: list[Token], index: int) -> EngineError:
    """DynamoDB's syntax error for the token at ``index``."""
    token = tokens[index]
    start = tokens[index - 1].start if index > 0 else token.start
    end = tokens[index + 1].end if index + 1 < len(tokens) else token.end
    return validation(
        f'Invalid {kind}: Syntax error; token: "{token.text}", near: "{text[start:end]}"'
    )


class _Parser:
    """Recursive descent over a token list; every ``expect`` failure is a syntax error."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        # Parenthesised conditions that directly wrap another parenthesised condition:
        # DynamoDB refuses them ("redundant parentheses") after parsing.
        self.redundant_parens = False
        self.groups: set[tuple[int, int]] = set()  # token spans of parenthesised conditions

    # -- helpers -----------------------------------------------------------------------------

    def peek(self) -> str:
        return self.tokens[self.pos].kind

    def peek_at(self, offset: int) -> str:
        index = self.pos + offset
        return self.tokens[index].kind if index < len(self.tokens) else EOF

    def fail(self) -> _SyntaxFailure:
        return _SyntaxFailure(self.pos)

    def expect(self, kind: str) -> Token:
        token = self.tokens[self.pos]
        if token.kind != kind:
            raise self.fail()
        self.pos += 1
        return token

    def accept(self, kind: str) -> bool:
        if self.tokens[self.pos].kind == kind:
            self.pos += 1
            return True
        return False

    # -- paths and operands ------------------------------------------------------------------

    def path(self) -> PathNode:
        token = self.tokens[self.pos]
        if token.kind not in (NAME, NAME_REF):
            raise self.fail()
        self.pos += 1
        segments: list[Segment] = [token.text]
        while True:
            kind = self.peek()
            if kind == ".":
                self.pos += 1
                token = self.tokens[self.pos]
                if token.kind not in (NAME, NAME_REF):
                    raise self.fail()
                self.pos += 1
                segments.append(token.text)
            elif kind == "[":
                self.pos += 1
                token = self.expect(INDEX)
                self.expect("]")
                segments.append(int(token.text))
            else:
                return PathNode(tuple(segments))

    def call(self) -> CallNode:
        name = self.expect(NAME).text
        self.expect("(")
        args = [self.operand()]
        while self.accept(","):
            args.append(self.operand())
        self.expect(")")
        return CallNode(name, tuple(args))

    def operand(self) -> Operand:
        kind = self.peek()
        if kind == VALUE_REF:
            self.pos += 1
            return ValueNode(self.tokens[self.pos - 1].text)
        if kind == NAME and self.peek_at(1) == "(":
            return self.call()
        if kind == "(":
            self.pos += 1
            inner = self.operand()
            self.expect(")")
            return inner
        return self.path()

    # -- conditions --------------------------------------------------------------------------

    def condition(self) -> ConditionNode:
        node = self.and_condition()
        while self.accept("OR"):
            node = OrNode(node, self.and_condition())
        return node

    def and_condition(self) -> ConditionNode:
        node = self.not_condition()
        while self.accept("AND"):
            node = AndNode(node, self.not_condition())
        return node

    def not_condition(self) -> ConditionNode:
        # A loop, not recursion: DynamoDB accepts up to 300 operators, e.g. 299 NOTs in a row.
        nots = 0
        while self.accept("NOT"):
            nots += 1
        node = self.primary_condition()
        for _ in range(nots):
            node = NotNode(node)
        return node

    def primary_condition(self) -> ConditionNode:
        if self.peek() == "(":
            # "(" opens either a condition or an operand ("(a) = :v"). Try the condition
            # first; if both fail, report the failure that got further (as ANTLR does).
            start = self.pos
            try:
                self.pos += 1
                inner = self.condition()
                self.expect(")")
            except _SyntaxFailure as first:
                self.pos = start
                try:
                    return self.comparison()
                except _SyntaxFailure as second:
                    raise (first if first.index >= second.index else second) from None
            if (start + 1, self.pos - 2) in self.groups:
                self.redundant_parens = True
            self.groups.add((start, self.pos - 1))
            return inner
        return self.comparison()

    def comparison(self) -> ConditionNode:
        if self.peek() == NAME and self.peek_at(1) == "(":
            call = self.call()
            if not self._at_comparison_operator():
                return FunctionNode(call)
            left: Operand = call
        else:
            left = self.operand()
        kind = self.peek()
        if kind in COMPARATORS:
            self.pos += 1
            return CompareNode(kind, left, self.operand())
        if kind == "BETWEEN":
            self.pos += 1
            low = self.operand()
            self.expect("AND")
            return BetweenNode(left, low, self.operand())
        if kind == "IN":
            self.pos += 1
            self.expect("(")
            options = [self.operand()]
            while self.accept(","):
                options.append(self.operand())
            self.expect(")")
            return InNode(left, tuple(options))
        raise self.fail()

    def _at_comparison_operator(self) -> bool:
        kind = self.peek()
        return kind in COMPARATORS or kind == "BETWEEN" or kind == "IN"

    # -- update ------------------------------------------------------------------------------

    def update(self) -> UpdateNode:
        actions: list[ActionNode] = []
        clauses: list[str] = []
        while True:
            clause = self.peek()
            clauses.append(clause)
            if clause == "SET":
                self.pos += 1
                actions.append(self.set_action())
                while self.accept(","):
                    actions.append(self.set_action())
            elif clause == "REMOVE":
                self.pos += 1
                actions.append(ActionNode("REMOVE", self.path(), None))
                while self.accept(","):
                    actions.append(ActionNode("REMOVE", self.path(), None))
            elif clause in ("ADD", "DELETE"):
                self.pos += 1
                actions.append(self.set_member_action(clause))
                while self.accept(","):
                    actions.append(self.set_member_action(clause))
            else:
                raise self.fail()
            if self.peek() == EOF:
                return UpdateNode(tuple(actions), tuple(clauses))

    def set_action(self) -> ActionNode:
        path = self.path()
        self.expect("=")
        return ActionNode("SET", path, self.set_value())

    def set_member_action(self, clause: str) -> ActionNode:
        path = self.path()
        token = self.expect(VALUE_REF)
        return ActionNode(clause, path, ValueNode(token.text))

    def set_value(self) -> Operand:
        # DynamoDB's SET value: ``term [(+|-) term]`` or a parenthesised SET value; function
        # arguments and parenthesised terms hold no arithmetic. At "(" both readings are
        # tried and the one that gets further wins, as DynamoDB's parser decides.
        if self.peek() != "(":
            return self.arithmetic()
        start = self.pos
        try:
            arithmetic = self.arithmetic()
        except _SyntaxFailure as failure:
            arithmetic_failure: _SyntaxFailure | None = failure
        else:
            arithmetic_failure, arithmetic_end = None, self.pos
        self.pos = start
        try:
            self.pos += 1
            grouped = self.set_value()
            self.expect(")")
        except _SyntaxFailure as failure:
            if arithmetic_failure is None:
                self.pos = arithmetic_end
                return arithmetic
            raise (
                arithmetic_failure if arithmetic_failure.index >= failure.index else failure
            ) from None
        if arithmetic_failure is None and arithmetic_end >= self.pos:
            self.pos = arithmetic_end
            return arithmetic
        return grouped

    def arithmetic(self) -> Operand:
        left = self.set_term()
        kind = self.peek()
        if kind == "+" or kind == "-":
            self.pos += 1
            return ArithNode(kind, left, self.set_term())
        return left

    def set_term(self) -> Operand:
        kind = self.peek()
        if kind == VALUE_REF:
            self.pos += 1
            return ValueNode(self.tokens[self.pos - 1].text)
        if kind == NAME and self.peek_at(1) == "(":
            name = self.expect(NAME).text
            self.expect("(")
            args = [self.set_term()]
            while self.accept(","):
                args.append(self.set_term())
            self.expect(")")
            return CallNode(name, tuple(args))
        if kind == "(":
            self.pos += 1
            inner = self.set_term()
            self.expect(")")
            return inner
        return self.path()

    # -- projection --------------------------------------------------------------------------

    def projection(self) -> ProjectionNode:
        paths = [self.path()]
        while self.accept(","):
            paths.append(self.path())
        return ProjectionNode(tuple(paths))


# --------------------------------------------------------------------------------------------
# Entry point and structural checks
# --------------------------------------------------------------------------------------------

Tree: TypeAlias = "ConditionNode | UpdateNode | ProjectionNode"

CONDITION_KINDS = frozenset({"ConditionExpression", "FilterExpression", "KeyConditionExpression"})


@functools.lru_cache(maxsize=1024)
def parse(kind: str, text: str) -> Tree:
    """Parse expression ``text`` of ``kind`` (its DynamoDB parameter name) into a raw tree.

    Raises:
        EngineError: ValidationException ``Invalid <kind>: ...`` for an empty expression, a
            syntax error, a reserved word used as a name, or a structural error.
    """
    if not text.strip():
        raise validation(f"Invalid {kind}: The expression can not be empty;")
    if len(text) > MAX_EXPRESSION_SIZE:
        # DynamoDB states the size for conditions, not for update expressions.
        size = "" if kind == "UpdateExpression" else f" expression size: {len(text)}"
        raise validation(
            f"Invalid {kind}: Expression size has exceeded the maximum allowed size;{size}"
        )
    tokens = tokenize(text)
    parser = _Parser(tokens)
    tree: Tree
    try:
        if kind == "UpdateExpression":
            tree = parser.update()
        elif kind == "ProjectionExpression":
            tree = parser.projection()
        else:
            tree = parser.condition()
        if parser.peek() != EOF:
            raise parser.fail()
    except _SyntaxFailure as failure:
        raise syntax_error(kind, text, tokens, failure.index) from None
    operators = count_operators(tree)
    if operators > MAX_OPERATORS:
        raise validation(
            f"Invalid {kind}: The expression contains too many operators; "
            f"operator count: {operators}"
        )
    for token in tokens:
        if token.kind == NAME and token.text.upper() in RESERVED_WORDS:
            # A function name is not an attribute name.
            index = tokens.index(token)
            if tokens[index + 1].kind != "(":
                raise validation(
                    f"Invalid {kind}: Attribute name is a reserved keyword; "
                    f"reserved keyword: {token.text}"
                )
    _Checker(kind, parser.redundant_parens).check(tree)
    return tree


MAX_EXPRESSION_SIZE = 4096
"""Characters in one expression, as DynamoDB limits them."""

MAX_OPERATORS = 300
"""Operators and functions in one expression, as DynamoDB counts them."""


def count_operators(tree: Tree) -> int:
    """Operators as DynamoDB counts them: AND/OR/NOT, comparisons, BETWEEN, IN, +/-, functions.

    Iterative, so a tree of any depth is counted without recursion.
    """
    count = 0
    pending: list[object] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (AndNode, OrNode)):
            count += 1
            pending += (node.left, node.right)
        elif isinstance(node, NotNode):
            count += 1
            pending.append(node.inner)
        elif isinstance(node, (CompareNode, ArithNode)):
            count += 1
            pending += (node.left, node.right)
        elif isinstance(node, BetweenNode):
            count += 1
            pending += (node.subject, node.low, node.high)
        elif isinstance(node, InNode):
            count += 1
            pending += (node.subject, *node.options)
        elif isinstance(node, FunctionNode):
            pending.append(node.call)
        elif isinstance(node, CallNode):
            count += 1
            pending += node.args
        elif isinstance(node, UpdateNode):
            pending += [a.value for a in node.actions if a.value is not None]
    return count


class _Checker:
    """Structural rules that need the whole tree but no request data."""

    def __init__(self, kind: str, redundant_parens: bool) -> None:
        self.kind = kind
        self.redundant_parens = redundant_parens
        self.in_update = kind == "UpdateExpression"

    def error(self, message: str) -> EngineError:
        return validation(f"Invalid {self.kind}: {message}")

    def check(self, tree: Tree) -> None:
        if isinstance(tree, UpdateNode):
            for index, clause in enumerate(tree.clauses):
                if clause in tree.clauses[:index]:
                    raise self.error(
                        f'The "{clause}" section can only be used once in an update expression;'
                    )
            for action in tree.actions:
                self.path(action.path)
                if action.value is not None:
                    self.operand(action.value)
        elif isinstance(tree, ProjectionNode):
            for path in tree.paths:
                self.path(path)
        else:
            if self.redundant_parens:
                raise self.error("The expression has redundant parentheses;")
            self.condition(tree)

    def condition(self, node: ConditionNode) -> None:
        if isinstance(node, (AndNode, OrNode)):
            self.condition(node.left)
            self.condition(node.right)
        elif isinstance(node, NotNode):
            inner = node.inner
            while isinstance(inner, NotNode):
                inner = inner.inner
            self.condition(inner)
        elif isinstance(node, FunctionNode):
            self.call(node.call, as_condition=True)
        elif isinstance(node, CompareNode):
            self.operand(node.left)
            self.operand(node.right)
        elif isinstance(node, BetweenNode):
            self.operand(node.subject)
            self.operand(node.low)
            self.operand(node.high)
        else:
            self.operand(node.subject)
            for option in node.options:
                self.operand(option)
            if len(node.options) > MAX_IN_OPERANDS:
                raise self.error(
                    "The IN operator is provided with too many operands; "
                    f"number of operands: {len(node.options)}"
                )

    def operand(self, node: Operand) -> None:
        if isinstance(node, PathNode):
            self.path(node)
        elif isinstance(node, CallNode):
            self.call(node, as_condition=False)
        elif isinstance(node, ArithNode):
            self.operand(node.left)
            self.operand(node.right)

    def path(self, node: PathNode) -> None:
        for segment in node.segments:
            if isinstance(segment, int) and segment > MAX_LIST_INDEX:
                raise self.error(
                    f"List index is not within the allowable range; index: [{segment}]"
                )

    def call(self, node: CallNode, *, as_condition: bool) -> None:
        name = node.name
        known = CONDITION_FUNCTIONS | OPERAND_FUNCTIONS | UPDATE_FUNCTIONS
        if name not in known:
            raise self.error(f"Invalid function name; function: {name}")
        if self.in_update:
            if name not in UPDATE_FUNCTIONS:
                raise self.error(
                    f"The function is not allowed in an update expression; function: {name}"
                )
        elif name in UPDATE_FUNCTIONS:
            raise self.error(
                f"The function is not allowed in a condition expression; function: {name}"
            )
        elif as_condition != (name in CONDITION_FUNCTIONS):
            raise self.error(
                "The function is not allowed to be used this way in an expression; "
                f"function: {name}"
            )
        if len(node.args) != FUNCTION_ARITY[name]:
            raise self.error(
                "Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {len(node.args)}"
            )
        needs_path = name in ("attribute_exists", "attribute_not_exists", "if_not_exists")
        if needs_path and not isinstance(node.args[0], PathNode):
            raise self.error(
                f"Operator or function requires a document path; operator or function: {name}"
            )
        for arg in node.args:
            # A condition function nested as an argument; in updates, list_append cannot be
            # an argument (of list_append or if_not_exists), while if_not_exists can.
            nested = isinstance(arg, CallNode) and (
                arg.name == "list_append" if self.in_update else arg.name != "size"
            )
            if nested:
                assert isinstance(arg, CallNode)
                raise self.error(
                    "The function is not allowed to be used this way in an expression; "
                    f"function: {arg.name}"
                )
            self.operand(arg)
