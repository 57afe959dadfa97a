"""DynamoDB's expression language: tokenizer, recursive-descent parser, evaluator.

Standard library only. Four entry points, one per expression parameter; each parses the text
(cached by text), then binds the request's placeholders through an :class:`ExpressionContext`
(call :meth:`ExpressionContext.check_all_used` after binding every expression of a request).

Grammar (keywords ``AND OR NOT BETWEEN IN SET REMOVE ADD DELETE`` are case-insensitive;
function names are case-sensitive; whitespace is space, tab, CR, LF)::

    condition   := or
    or          := and ("OR" and)*
    and         := not ("AND" not)*
    not         := "NOT" not | primary
    primary     := "(" condition ")"
                 | operand comparator operand          comparator: = <> < <= > >=
                 | operand "BETWEEN" operand "AND" operand
                 | operand "IN" "(" operand ("," operand)* ")"       at most 100 options
                 | function                            attribute_exists(path)
                                                       attribute_not_exists(path)
                                                       attribute_type(path, :type)
                                                       begins_with(operand, operand)
                                                       contains(operand, operand)
    operand     := path | VALUE | "size" "(" operand ")" | "(" operand ")"

    update      := clause+          each of SET / REMOVE / ADD / DELETE at most once, any order
    clause      := "SET" path "=" set_value ("," path "=" set_value)*
                 | "REMOVE" path ("," path)*
                 | "ADD" path VALUE ("," path VALUE)*
                 | "DELETE" path VALUE ("," path VALUE)*
    set_value   := term (("+" | "-") term)? | "(" set_value ")"
    term        := path | VALUE | "(" term ")"
                 | "if_not_exists" "(" path "," term ")"      the two paths distinct
                 | "list_append" "(" term "," term ")"        not inside another function
                   (no arithmetic inside function arguments or parenthesised terms: at "(",
                   the reading that parses further wins, as in DynamoDB's parser)

    projection  := path ("," path)*

    key_condition := a condition of the form  hash = VALUE  [AND range_condition]
                     (either order, parentheses allowed), range_condition one of
                     = < <= > >= BETWEEN begins_with on the range key

    path        := (NAME | NAME_REF) ("." (NAME | NAME_REF) | "[" INDEX "]")*
    NAME        := [A-Za-z][A-Za-z0-9_]*     not a reserved word (see reserved.py)
    NAME_REF    := "#" [A-Za-z0-9_]+         VALUE := ":" [A-Za-z0-9_]+
    INDEX       := "0" | [1-9][0-9]*         at most 2**31 - 1

Precedence: ``NOT`` binds tighter than ``AND``, which binds tighter than ``OR``; comparisons,
``BETWEEN`` and ``IN`` bind tighter than all three and do not chain (``a < b < c`` is a syntax
error).
"""

from __future__ import annotations

from .condition import Condition, get_path, parse_condition
from .context import ExpressionContext, Path, format_path
from .keycondition import KeyCondition, parse_key_condition
from .projection import Projection, parse_projection, project_paths
from .update import Update, parse_update

__all__ = [
    "Condition",
    "ExpressionContext",
    "KeyCondition",
    "Path",
    "Projection",
    "Update",
    "format_path",
    "get_path",
    "parse_condition",
    "parse_key_condition",
    "parse_projection",
    "parse_update",
    "project_paths",
]
