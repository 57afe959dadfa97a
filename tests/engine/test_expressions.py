"""sortkey.engine.expressions: parser, evaluator, updates, projections, key conditions.

The expected messages and results in the big tables were observed on DynamoDB Local (2026-05-28
build) with the same expressions, placeholders and items; ``test_expressions_local.py`` re-checks
a sample of them against a running DynamoDB Local.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sortkey.engine.errors import EngineError
from sortkey.engine.expressions import (
    ExpressionContext,
    parse_condition,
    parse_update,
)

# -- conditions, checked on DynamoDB Local ------------------------------------------------------

CONDITION_ITEM: dict[str, Any] = {
    "pk": {"S": "a"},
    "n": {"N": "5"},
    "s": {"S": "abc"},
    "l": {"L": [{"N": "1"}, {"S": "x"}]},
    "m": {"M": {"a": {"N": "1"}}},
    "ss": {"SS": ["a", "b"]},
}
CONDITION_VALUES = {":v": {"N": "1"}, ":w": {"S": "a"}}

# (expression, True / False for the evaluation, or DynamoDB's error message)
CONDITION_CASES = [
    ("n = :v AND", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    (
        "n = :v AND AND s = :w",
        'Invalid ConditionExpression: Syntax error; token: "AND", near: "AND AND s"',
    ),
    ("n == :v", 'Invalid ConditionExpression: Syntax error; token: "=", near: "== :v"'),
    ("n = :v)", 'Invalid ConditionExpression: Syntax error; token: ")", near: ":v)"'),
    ("(n = :v", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"'),
    ("n = = :v", 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"'),
    (
        " n   =   :v  foo",
        'Invalid ConditionExpression: Syntax error; token: "foo", near: ":v  foo"',
    ),
    (
        "status = :v",
        (
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status"
        ),
    ),
    (
        "n = :x",
        (
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :x"
        ),
    ),
    (
        "#x = :v",
        (
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #x"
        ),
    ),
    ("1n = :v", 'Invalid ConditionExpression: Syntax error; token: "1", near: "1n"'),
    (
        "size(n)",
        (
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: size"
        ),
    ),
    (
        "attribute_exists(n) = :v",
        (
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: attribute_exists"
        ),
    ),
    (
        "n = attribute_exists(n)",
        (
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: attribute_exists"
        ),
    ),
    ("foo(n)", "Invalid ConditionExpression: Invalid function name; function: foo"),
    (
        "attribute_exists(n, s)",
        (
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2"
        ),
    ),
    ("n IN ()", 'Invalid ConditionExpression: Syntax error; token: ")", near: "()"'),
    ("n BETWEEN :v", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v"'),
    (
        "n BETWEEN :v AND :w",
        (
            "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower "
            "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
            "AttributeValue: {S:a}"
        ),
    ),
    ("NOT n", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "n"'),
    ("n[x] = :v", 'Invalid ConditionExpression: Syntax error; token: "x", near: "[x]"'),
    ("n[-1] = :v", 'Invalid ConditionExpression: Syntax error; token: "-", near: "[-1"'),
    ("n = :v ; s = :w", 'Invalid ConditionExpression: Syntax error; token: ";", near: ":v ; s"'),
    ("n = 'abc'", 'Invalid ConditionExpression: Syntax error; token: "\'", near: "= \'abc"'),
    ("n = 5", 'Invalid ConditionExpression: Syntax error; token: "5", near: "= 5"'),
    ("a-b = :v", 'Invalid ConditionExpression: Syntax error; token: "-", near: "a-b"'),
    ("_a = :v", 'Invalid ConditionExpression: Syntax error; token: "_", near: "_a"'),
    (
        "begins_with(n)",
        (
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 1"
        ),
    ),
    (
        "attribute_type(n, :w)",
        (
            "Invalid ConditionExpression: Invalid attribute type name found; type: a, valid types: "
            "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}"
        ),
    ),
    ("n = :v and s = :w", False),
    (
        "BEGINS_WITH(s, :w) AND n = :v",
        "Invalid ConditionExpression: Invalid function name; function: BEGINS_WITH",
    ),
    ("# = :v", 'Invalid ConditionExpression: Syntax error; token: "#", near: "# ="'),
    ("n = : AND s = :w", 'Invalid ConditionExpression: Syntax error; token: ":", near: "= : AND"'),
    ("né = :v", 'Invalid ConditionExpression: Syntax error; token: "é", near: "né ="'),
    ("n\t=", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="'),
    ("a.1 = :v", 'Invalid ConditionExpression: Syntax error; token: "1", near: ".1 ="'),
    ("a[00] = :v AND s = :w", 'Invalid ConditionExpression: Syntax error; token: "0", near: "00]"'),
    (
        "a[99999999999] = :v AND s = :w",
        (
            "Invalid ConditionExpression: List index is not within the allowable range; index: "
            "[99999999999]"
        ),
    ),
    (
        "n = :nope AND status = :v",
        (
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status"
        ),
    ),
    (
        ":nope = #nope",
        (
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :nope"
        ),
    ),
    ("n IN :v", 'Invalid ConditionExpression: Syntax error; token: ":v", near: "IN :v"'),
    (
        "n IN (:v, :w, n)",
        (
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: IN, first operand: [n]"
        ),
    ),
    (
        "(((n = :v))) AND s = :w",
        "Invalid ConditionExpression: The expression has redundant parentheses;",
    ),
    (
        "((n = :v)) AND s = :w",
        "Invalid ConditionExpression: The expression has redundant parentheses;",
    ),
    ("(n = :v) AND s = :w", False),
    ("(n) = :v AND s = :w", False),
    ("n = (:v) AND s = :w", False),
    ("n = :v = :w", 'Invalid ConditionExpression: Syntax error; token: "=", near: ":v = :w"'),
    ("n < :v < :w", 'Invalid ConditionExpression: Syntax error; token: "<", near: ":v < :w"'),
    (
        "n = :v BETWEEN :v AND :w",
        'Invalid ConditionExpression: Syntax error; token: "BETWEEN", near: ":v BETWEEN :v"',
    ),
    ("n IN (:v) IN (:w)", 'Invalid ConditionExpression: Syntax error; token: "IN", near: ") IN ("'),
    (
        "attribute_exists(:v) AND s = :w",
        (
            "Invalid ConditionExpression: Operator or function requires a document path; operator "
            "or function: attribute_exists"
        ),
    ),
    (
        "attribute_exists(size(s)) AND n = :v AND s = :w",
        (
            "Invalid ConditionExpression: Operator or function requires a document path; operator "
            "or function: attribute_exists"
        ),
    ),
    (
        "size(size(s)) = :v AND s = :w",
        (
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: size, operand type: N"
        ),
    ),
    (
        "begins_with(:v, :w) AND n = :v",
        (
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N"
        ),
    ),
    (
        "attribute_type(n, :v) AND s = :w",
        (
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: attribute_type, operand type: N"
        ),
    ),
    (
        "n = n AND :v = :v AND s = :w",
        (
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: =, first operand: [n]"
        ),
    ),
    ("n < :v AND s = :w", False),
    ("NOT n = :v AND s = :w", False),
    ("n = :v OR s = :w AND NOT n = :v", False),
    (
        "ABORT = :v AND s = :w",
        (
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "ABORT"
        ),
    ),
    (
        "n.status = :v AND s = :w",
        (
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status"
        ),
    ),
]


def run_condition(text: str, values: dict[str, Any], item: dict[str, Any]) -> bool | str:
    try:
        ctx = ExpressionContext(None, values)
        condition = parse_condition(text, ctx, kind="ConditionExpression")
        ctx.check_all_used()
    except EngineError as exc:
        assert exc.code == "ValidationException"
        return exc.message
    return condition.evaluate(item)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(text, expected, id=f"{i:02d}:{text}")
        for i, (text, expected) in enumerate(CONDITION_CASES)
    ],
)
def test_condition_matches_dynamodb_local(text: str, expected: bool | str) -> None:
    assert run_condition(text, CONDITION_VALUES, CONDITION_ITEM) == expected


# -- updates, checked on DynamoDB Local ---------------------------------------------------------

UPDATE_ITEM: dict[str, Any] = {
    "pk": {"S": "a"},
    "n": {"N": "5"},
    "s": {"S": "abc"},
    "l": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}]},
    "m": {"M": {"a": {"N": "1"}, "b": {"M": {}}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
}
UPDATE_VALUES: dict[str, Any] = {
    ":n": {"N": "1"},
    ":s": {"S": "a"},
    ":l": {"L": [{"S": "z"}]},
    ":ss": {"SS": ["a", "c"]},
    ":ns": {"NS": ["2"]},
    ":m": {"M": {}},
    ":bs": {"BS": [b"a"]},
}

# (expression, changed attributes or DynamoDB's error message, removed attribute names)
UPDATE_CASES: list[tuple[str, Any, list[str] | None]] = [
    ("SET n = n + :n", {"n": {"N": "6"}}, []),
    (
        "SET n = n + :s",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: +, operand type: S"
        ),
        None,
    ),
    ("SET s = s + :n", "An operand in the update expression has an incorrect data type", None),
    ("SET n = :n + :n", {"n": {"N": "2"}}, []),
    (
        "SET x = x + :n",
        "The provided expression refers to an attribute that does not exist in the item",
        None,
    ),
    (
        "SET n = :s - :n",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: -, operand type: S"
        ),
        None,
    ),
    (
        "SET l = list_append(l, :l)",
        {"l": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}, {"S": "z"}]}},
        [],
    ),
    (
        "SET l = list_append(:l, l)",
        {"l": {"L": [{"S": "z"}, {"N": "1"}, {"S": "x"}, {"N": "3"}]}},
        [],
    ),
    (
        "SET l = list_append(l, :n)",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: list_append, operand type: N"
        ),
        None,
    ),
    (
        "SET l = list_append(x, :l)",
        "The provided expression refers to an attribute that does not exist in the item",
        None,
    ),
    ("SET x = if_not_exists(x, :n)", {"x": {"N": "1"}}, []),
    ("SET n = if_not_exists(n, :s)", {}, []),
    (
        "SET n = if_not_exists(:n, :s)",
        (
            "Invalid UpdateExpression: Operator or function requires a document path; operator or "
            "function: if_not_exists"
        ),
        None,
    ),
    ("SET l[10] = :s", {"l": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}, {"S": "a"}]}}, []),
    ("SET l[1] = :n", {"l": {"L": [{"N": "1"}, {"N": "1"}, {"N": "3"}]}}, []),
    (
        "SET x.y = :n",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    (
        "SET m.x.y = :n",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    ("SET m.b.c = :n", {"m": {"M": {"a": {"N": "1"}, "b": {"M": {"c": {"N": "1"}}}}}}, []),
    (
        "SET n.a = :n",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    (
        "SET s[0] = :n",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    (
        "SET m[0] = :n",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    (
        "SET l.a = :n",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    ("REMOVE l[0]", {"l": {"L": [{"S": "x"}, {"N": "3"}]}}, []),
    ("REMOVE l[0], l[1]", {"l": {"L": [{"N": "3"}]}}, []),
    ("REMOVE l[10]", {}, []),
    (
        "REMOVE x.y",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    ("REMOVE m.a, m.zz", {"m": {"M": {"b": {"M": {}}}}}, []),
    (
        "REMOVE m.zz.q",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    (
        "SET m = :m, m.a = :n",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [m], path two: [m, a]"
        ),
        None,
    ),
    (
        "SET m.a = :n, m = :m",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [m, a], path two: [m]"
        ),
        None,
    ),
    (
        "SET m.a = :n REMOVE m",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [m, a], path two: [m]"
        ),
        None,
    ),
    (
        "SET m.a = :n REMOVE m.a",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [m, a], path two: [m, a]"
        ),
        None,
    ),
    ("SET l[0] = :n REMOVE l[1]", {"l": {"L": [{"N": "1"}, {"N": "3"}]}}, []),
    (
        "SET l[0] = :n, l[0] = :s",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [l, [0]], path two: [l, [0]]"
        ),
        None,
    ),
    ("ADD n :n", {"n": {"N": "6"}}, []),
    ("ADD x :n", {"x": {"N": "1"}}, []),
    (
        "ADD s :s",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"
        ),
        None,
    ),
    (
        "ADD l :l",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"
        ),
        None,
    ),
    ("ADD m.a :n", {"m": {"M": {"a": {"N": "2"}, "b": {"M": {}}}}}, []),
    ("ADD m.zz :n", {"m": {"M": {"zz": {"N": "1"}, "a": {"N": "1"}, "b": {"M": {}}}}}, []),
    ("ADD l[0] :n", {"l": {"L": [{"N": "2"}, {"S": "x"}, {"N": "3"}]}}, []),
    (
        "DELETE n :n",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"
        ),
        None,
    ),
    (
        "DELETE ss :s",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"
        ),
        None,
    ),
    (
        "SET n = :n SET s = :s",
        (
            'Invalid UpdateExpression: The "SET" section can only be used once in an update '
            "expression;"
        ),
        None,
    ),
    (
        "REMOVE s REMOVE n",
        (
            'Invalid UpdateExpression: The "REMOVE" section can only be used once in an update '
            "expression;"
        ),
        None,
    ),
    ("SET n = :n,", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","', None),
    ("SET", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"', None),
    ("SET n", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "n"', None),
    ("SET n = ", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "', None),
    (
        "SET n = :n + :n + :n",
        'Invalid UpdateExpression: Syntax error; token: "+", near: ":n + :n"',
        None,
    ),
    ("SET n = (:n)", {"n": {"N": "1"}}, []),
    (
        "SET n = size(s)",
        (
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: size"
        ),
        None,
    ),
    (
        "SET n = :n, n = :n",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [n], path two: [n]"
        ),
        None,
    ),
    (
        "REMOVE n, n",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [n], path two: [n]"
        ),
        None,
    ),
    (
        "ADD n :n, n :n",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [n], path two: [n]"
        ),
        None,
    ),
    (
        "SET status = :n",
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status",
        None,
    ),
    ("set n = :n", {"n": {"N": "1"}}, []),
    ("SET n = :n remove s", {"n": {"N": "1"}}, ["s"]),
    (
        "SET n = list_append(:l, :l, :l)",
        (
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
            "operator or function: list_append, number of operands: 3"
        ),
        None,
    ),
    (
        "SET n = if_not_exists(:n)",
        (
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
            "operator or function: if_not_exists, number of operands: 1"
        ),
        None,
    ),
    ("SET n = foo(:n)", "Invalid UpdateExpression: Invalid function name; function: foo", None),
    ("SET n = :n - if_not_exists(n, :n)", {"n": {"N": "-4"}}, []),
    ("SET n = if_not_exists(n, :n) + :n", {"n": {"N": "6"}}, []),
    (
        "SET n = list_append(if_not_exists(l, :l), :l)",
        {"n": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}, {"S": "z"}]}},
        [],
    ),
    ("ADD n :n + :n", 'Invalid UpdateExpression: Syntax error; token: "+", near: ":n + :n"', None),
    ("ADD n n", 'Invalid UpdateExpression: Syntax error; token: "n", near: "n n"', None),
    ("DELETE ss ss", 'Invalid UpdateExpression: Syntax error; token: "ss", near: "ss ss"', None),
    ("REMOVE :n", 'Invalid UpdateExpression: Syntax error; token: ":n", near: "REMOVE :n"', None),
    ("SET :n = :n", 'Invalid UpdateExpression: Syntax error; token: ":n", near: "SET :n ="', None),
    (
        "SET n = :ss + :ns",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: +, operand type: SS"
        ),
        None,
    ),
    ("ADD bs :bs", {"bs": {"BS": [b"a"]}}, []),
    ("ADD ss :ss", {"ss": {"SS": ["a", "b", "c"]}}, []),
    ("ADD ss :ns", "An operand in the update expression has an incorrect data type", None),
    ("ADD ns :ns", {}, []),
    ("ADD x :ss", {"x": {"SS": ["a", "c"]}}, []),
    ("ADD n :n, ss :ss", {"ss": {"SS": ["a", "b", "c"]}, "n": {"N": "6"}}, []),
    ("DELETE ss :ss", {"ss": {"SS": ["b"]}}, []),
    ("DELETE ss :ns", "An operand in the update expression has an incorrect data type", None),
    ("DELETE x :ss", {}, []),
    ("DELETE ns :ns", {"ns": {"NS": ["1"]}}, []),
    ("ADD ns :ss", "An operand in the update expression has an incorrect data type", None),
    ("ADD n :ss", "An operand in the update expression has an incorrect data type", None),
    ("ADD m :ss", "An operand in the update expression has an incorrect data type", None),
    ("DELETE m.a :ns", "An operand in the update expression has an incorrect data type", None),
    ("SET n = :n REMOVE s ADD ns :ns DELETE ss :ss", {"ss": {"SS": ["b"]}, "n": {"N": "1"}}, ["s"]),
    (
        "ADD m.zz.q :n",
        "The document path provided in the update expression is invalid for update",
        None,
    ),
    (
        "SET l[3] = :n, l[5] = :s",
        {"l": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}, {"N": "1"}, {"S": "a"}]}},
        [],
    ),
    (
        "SET l[5] = :s, l[3] = :n",
        {"l": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}, {"N": "1"}, {"S": "a"}]}},
        [],
    ),
    ("REMOVE l[1] SET l[2] = :s", {"l": {"L": [{"N": "1"}, {"S": "a"}]}}, []),
    (
        "SET n = :n REMOVE n2 SET s = :s",
        (
            'Invalid UpdateExpression: The "SET" section can only be used once in an update '
            "expression;"
        ),
        None,
    ),
    (
        "SET m.b = :n, m.b.c = :n",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [m, b], path two: [m, b, c]"
        ),
        None,
    ),
    (
        "SET a = :n, a[0] = :n",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, [0]]"
        ),
        None,
    ),
    (
        "SET l[0] = :n, l[0].x = :n",
        (
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [l, [0]], path two: [l, [0], x]"
        ),
        None,
    ),
    (
        "SET l[0] = :n, l.x = :n",
        (
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove or "
            "rewrite one of these paths; path one: [l, [0]], path two: [l, x]"
        ),
        None,
    ),
    ("SET n = n + :n, x = n", {"x": {"N": "5"}, "n": {"N": "6"}}, []),
    (
        "SET l = list_append(:l, :n)",
        (
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: list_append, operand type: N"
        ),
        None,
    ),
    ("DELETE ss :bs", "An operand in the update expression has an incorrect data type", None),
    ("SET n = s, s = n", {"s": {"N": "5"}, "n": {"S": "abc"}}, []),
    ("DELETE ss :ss, ns :ns", {"ss": {"SS": ["b"]}, "ns": {"NS": ["1"]}}, []),
]


def _placeholders(text: str) -> dict[str, Any]:
    words = {w.strip(",()") for w in text.replace("(", " ").replace(",", " ").split()}
    return {k: v for k, v in UPDATE_VALUES.items() if k in words}


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [pytest.param(*case, id=f"{i:02d}:{case[0]}") for i, case in enumerate(UPDATE_CASES)],
)
def test_update_matches_dynamodb_local(text: str, expected: Any, removed: list[str] | None) -> None:
    before = copy.deepcopy(UPDATE_ITEM)
    try:
        ctx = ExpressionContext(None, _placeholders(text) or None)
        update = parse_update(text, ctx)
        ctx.check_all_used()
        result = update.apply(UPDATE_ITEM)
    except EngineError as exc:
        assert exc.message == expected
        return
    assert UPDATE_ITEM == before, "the input item must not change"
    changed = {k: v for k, v in result.items() if before.get(k) != v}
    assert changed == expected
    assert [k for k in before if k not in result] == removed
