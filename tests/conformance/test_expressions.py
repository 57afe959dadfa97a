"""Expression semantics: conditions and filters, update expressions, placeholders, grammar.

Condition semantics are exercised as Scan FilterExpressions over the shared ``hs`` fixture (read
only, so no table per case); update semantics as UpdateItem on fresh copies of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .builders import Num, put, query, scan, update
from .fixtures import HR, HS, IDX
from .harness import Case, case

pytestmark = pytest.mark.integration

V = "ValidationException"
CCF = "ConditionalCheckFailedException"
RNF = "ResourceNotFoundException"


def _filter(
    name: str,
    expression: str,
    vals: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
    error: str | None = None,
) -> Any:
    params: dict[str, Any] = {"FilterExpression": expression}
    if vals is not None:
        params["vals"] = vals
    if names is not None:
        params["names"] = names
    return case(f"filter-{name}", scan(HS, error=error, **params))


FILTERS = [
    _filter("eq", "n = :v", {":v": 1}),
    _filter("ne", "n <> :v", {":v": 1}),
    _filter("lt", "n < :v", {":v": 3}),
    _filter("le", "n <= :v", {":v": 3}),
    _filter("gt", "n > :v", {":v": 2}),
    _filter("ge", "n >= :v", {":v": Num("3.14")}),
    _filter("number-normalised-eq", "n = :v", {":v": Num("1.00")}),
    _filter("string-lt", "s < :v", {":v": "c"}),
    _filter("between", "s BETWEEN :a AND :b", {":a": "b", ":b": "e"}),
    _filter("between-numbers", "n BETWEEN :a AND :b", {":a": -4, ":b": 2}),
    _filter("between-reversed", "n BETWEEN :a AND :b", {":a": 5, ":b": 1}, error=V),
    _filter("between-mixed-types", "n BETWEEN :a AND :b", {":a": 1, ":b": "z"}, error=V),
    _filter("in", "n IN (:a, :b, :c)", {":a": 1, ":b": 3, ":c": "x"}),
    _filter("in-single", "s IN (:a)", {":a": "beta"}),
    _filter(
        "in-101",
        "n IN (" + ", ".join(f":v{i}" for i in range(101)) + ")",
        {f":v{i}": i for i in range(101)},
        error=V,
    ),
    _filter(
        "in-100",
        "n IN (" + ", ".join(f":v{i}" for i in range(100)) + ")",
        {f":v{i}": i for i in range(100)},
    ),
    _filter("begins-with", "begins_with(s, :p)", {":p": "al"}),
    _filter("begins-with-number", "begins_with(n, :p)", {":p": "1"}),
    _filter("begins-with-number-operand", "begins_with(s, :p)", {":p": 1}, error=V),
    _filter("begins-with-binary", "begins_with(bin, :p)", {":p": b"\x00"}),
    _filter("contains-string", "contains(s, :p)", {":p": "ph"}),
    _filter("contains-string-set", "contains(ss, :p)", {":p": "red"}),
    _filter("contains-number-set", "contains(ns, :p)", {":p": Num("2.0")}),
    _filter("contains-binary-set", "contains(bs, :p)", {":p": b"\x01"}),
    _filter("contains-list", "contains(l, :p)", {":p": "two"}),
    _filter("contains-list-number", "contains(l, :p)", {":p": 1}),
    _filter("contains-binary", "contains(bin, :p)", {":p": b"\x01"}),
    _filter("contains-set-operand", "contains(s, :p)", {":p": {"a"}}),
    _filter("exists-nested", "attribute_exists(m.y.z)"),
    _filter("exists-list-element", "attribute_exists(l[2])"),
    _filter("not-exists-list-element", "attribute_not_exists(l[5])"),
    _filter("not-exists", "attribute_not_exists(n)"),
    _filter("exists-value-operand", "attribute_exists(:v)", {":v": "n"}, error=V),
    _filter("type-n", "attribute_type(n, :t)", {":t": "N"}),
    _filter("type-l", "attribute_type(l, :t)", {":t": "L"}),
    _filter("type-null", "attribute_type(nul, :t)", {":t": "NULL"}),
    _filter("type-ss", "attribute_type(ss, :t)", {":t": "SS"}),
    _filter("type-bad", "attribute_type(n, :t)", {":t": "X"}, error=V),
    _filter("type-not-string", "attribute_type(n, :t)", {":t": 1}, error=V),
    _filter("size-string", "size(s) > :n", {":n": 4}),
    _filter("size-list", "size(l) = :n", {":n": 3}),
    _filter("size-empty-list", "size(l) = :n", {":n": 0}),
    _filter("size-set", "size(ss) = :n", {":n": 2}),
    _filter("size-map", "size(m) = :n", {":n": 2}),
    _filter("size-binary", "size(bin) = :n", {":n": 2}),
    _filter("size-number", "size(n) > :n", {":n": 0}),
    _filter("size-between", "size(s) BETWEEN :a AND :b", {":a": 4, ":b": 5}),
    _filter("size-alone", "size(s)", error=V),
    _filter("size-of-value", "size(:v) > :n", {":v": "abc", ":n": 1}),
    _filter("not", "NOT n = :v", {":v": 1}),
    _filter("or", "n = :a OR n = :b", {":a": 1, ":b": 2}),
    _filter("and", "n = :a AND s = :s", {":a": 1, ":s": "alpha"}),
    _filter("precedence", "n = :a OR n = :b AND s = :s", {":a": 1, ":b": 2, ":s": "x"}),
    _filter("parentheses", "(n = :a OR n = :b) AND s = :s", {":a": 1, ":b": 2, ":s": "beta"}),
    _filter("not-precedence", "NOT n = :a AND s = :s", {":a": 1, ":s": "beta"}),
    _filter(
        "keywords-case-insensitive",
        "n between :a and :b or NOT attribute_exists(n)",
        {":a": 1, ":b": 2},
    ),
    _filter("type-mismatch-lt", "s < :v", {":v": 5}),
    _filter("type-mismatch-eq", "n = :v", {":v": "1"}),
    _filter("nested-map", "m.y.z = :v", {":v": "deep"}),
    _filter("list-index", "l[1] = :v", {":v": "two"}),
    _filter("names-nested", "#m.#y.#z = :v", {":v": "deep"}, {"#m": "m", "#y": "y", "#z": "z"}),
    _filter("name-with-dot", "#d = :v", {":v": 1}, {"#d": "m.x"}),
    _filter("map-equality", "m = :m", {":m": {"x": 1, "y": {"z": "deep"}}}),
    _filter("list-equality", "l = :l", {":l": [1, "two", None]}),
    _filter("set-equality-unordered", "ss = :s", {":s": {"red", "green"}}),
    _filter("number-set-equality", "ns = :s", {":s": {Num("3"), Num("2.0"), Num("1")}}),
    _filter("bool", "#b = :t", {":t": True}, {"#b": "bool"}),
    _filter("null", "nul = :n", {":n": None}),
    _filter("empty-string", "#e = :e", {":e": ""}, {"#e": "empty"}),
    _filter("attribute-vs-attribute", "n < size", None),
    _filter("value-vs-value", ":a = :a", {":a": 1}),
    _filter("path-vs-path-size", "size(s) = n", None),
    _filter("undefined-value", "n = :nope", {":v": 1}, error=V),
    _filter("unused-value", "n = :v", {":v": 1, ":w": 2}, error=V),
    _filter("undefined-name", "#x = :v", {":v": 1}, error=V),
    _filter("unused-name", "n = :v", {":v": 1}, {"#x": "n"}, error=V),
    _filter("reserved-word", "status = :v", {":v": 1}, error=V),
    _filter("reserved-word-lowercase-key", "count > :v", {":v": 1}, error=V),
    _filter("reserved-word-escaped", "#s = :v", {":v": 1}, {"#s": "status"}),
    _filter("syntax-dangling", "n =", None, error=V),
    _filter("syntax-double-eq", "n == :v", {":v": 1}, error=V),
    _filter("syntax-open-paren", "(n = :v", {":v": 1}, error=V),
    _filter("syntax-close-paren", "n = :v)", {":v": 1}, error=V),
    _filter("syntax-in-empty", "n IN ()", None, error=V),
    _filter("unknown-function", "foo(n)", None, error=V),
    _filter("function-arity", "begins_with(s)", None, error=V),
    _filter("function-case", "BEGINS_WITH(s, :p)", {":p": "a"}, error=V),
    _filter("bare-path", "n", None, error=V),
    _filter("empty", "", None, error=V),
    _filter("bad-name-placeholder", "# = :v", {":v": 1}, {"#": "n"}, error=V),
    case(
        "filter-bad-value",
        scan(HS, FilterExpression="n = :v", ExpressionAttributeValues={":v": {"N": "x"}}, error=V),
    ),
    case(
        "filter-empty-set-value",
        scan(HS, FilterExpression="ss = :v", ExpressionAttributeValues={":v": {"SS": []}}, error=V),
    ),
    _filter("negative-index", "l[-1] = :v", {":v": 1}, error=V),
    _filter("index-not-number", "l[a] = :v", {":v": 1}, error=V),
    _filter("deep-missing", "a.b.c.d = :v", {":v": 1}),
    _filter("index-on-map", "m[0] = :v", {":v": 1}),
    _filter("attribute-exists-key", "attribute_exists(pk)", None),
    _filter(
        "and-chain",
        " AND ".join(f"n <> :v{i}" for i in range(10)),
        {f":v{i}": i for i in range(10)},
    ),
    _filter("unicode-value", "s = :v", {":v": "é😀"}),
]


def _upd(
    name: str,
    expression: str,
    vals: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
    key: str = "a",
    error: str | None = None,
    **params: Any,
) -> Any:
    if vals is not None:
        params["vals"] = vals
    if names is not None:
        params["names"] = names
    params.setdefault("ReturnValues", "ALL_NEW")
    return case(f"update-{name}", update(HS, {"pk": key}, expression, error=error, **params))


UPDATES = [
    _upd("plus-number", "SET n = n + :one", {":one": 1}),
    _upd("subtract-number", "SET n = n - :v", {":v": Num("0.5")}),
    _upd("values-arithmetic", "SET x = :a + :b", {":a": 2, ":b": 3}),
    _upd("arithmetic-chain", "SET x = n + :a - :b", {":a": 2, ":b": 3}, error=V),
    _upd(
        "precision-38",
        "SET x = :a + :b",
        {":a": Num("12345678901234567890123456789012345678"), ":b": 1},
    ),
    _upd(
        "precision-carry",
        "SET x = :a + :b",
        {":a": Num("99999999999999999999999999999999999999"), ":b": 1},
    ),
    _upd("precision-loss", "SET x = :a + :b", {":a": Num("1E+38"), ":b": Num("1")}, error=V),
    _upd(
        "overflow",
        "SET x = :a + :b",
        {":a": Num("9.9999999999999999999999999999999999999E+125"), ":b": Num("9E+125")},
        error=V,
    ),
    _upd("small-difference", "SET x = :a - :b", {":a": Num("0.1"), ":b": Num("0.3")}),
    _upd("result-zero", "SET x = :a - :a", {":a": Num("1.5")}),
    _upd("arithmetic-string", "SET s = s + :one", {":one": 1}, error=V),
    _upd("arithmetic-missing", "SET x = nope + :one", {":one": 1}, error=V),
    _upd("arithmetic-missing-item", "SET x = n + :one", {":one": 1}, key="zz", error=V),
    _upd("if-not-exists-new", "SET x = if_not_exists(x, :v)", {":v": 7}),
    _upd("if-not-exists-existing", "SET n = if_not_exists(n, :v)", {":v": 7}),
    _upd("if-not-exists-plus", "SET n = if_not_exists(c, :z) + :one", {":z": 0, ":one": 1}),
    _upd("if-not-exists-value-first", "SET x = if_not_exists(:v, x)", {":v": 1}, error=V),
    _upd("if-not-exists-default-arithmetic", "SET n = if_not_exists(n, n + :v)", {":v": 1},
         error=V),
    _upd("if-not-exists-default-list-append", "SET l = if_not_exists(l, list_append(l, :l))",
         {":l": [1]}, error=V),
    _upd("if-not-exists-of-itself", "SET x = if_not_exists(n, n)", error=V),
    _upd("if-not-exists-nested", "SET x = if_not_exists(n, if_not_exists(c, :v))", {":v": 1}),
    _upd("if-not-exists-parenthesised-default", "SET x = if_not_exists(n, (:v))", {":v": 1}),
    _upd("arithmetic-in-parentheses", "SET x = n + (n - :v)", {":v": 1}, error=V),
    _upd("parenthesised-arithmetic-then-more", "SET x = (n + :v) - :v", {":v": 1}, error=V),
    _upd("parenthesised-term-plus", "SET x = (:v) + :v", {":v": 1}),
    _upd("parenthesised-arithmetic", "SET x = (n + :v)", {":v": 1}),
    _upd("list-append-nested", "SET l = list_append(list_append(l, :l), :l)", {":l": [1]},
         error=V),
    _upd("list-append-of-itself", "SET l = list_append(l, l)"),
    _upd("list-append", "SET l = list_append(l, :l)", {":l": ["x"]}),
    _upd("condition-300-operators", "SET x = :v", {":v": 1},
         ConditionExpression="NOT " * 299 + "attribute_exists(n)", error=CCF),
    _upd("condition-301-operators", "SET x = :v", {":v": 1},
         ConditionExpression="NOT " * 300 + "attribute_exists(n)", error=V),
    _upd("condition-301-operators-and", "SET x = :v", {":v": 1},
         ConditionExpression=" AND ".join(["n = :v"] * 151), error=V),
    _upd("update-301-operators", "SET " + ",".join(f"x{i}=:v+:v" for i in range(301)),
         {":v": 1}, error=V),
    _upd("update-4097-characters", "SET x = :v REMOVE " + "y" * 4079, {":v": 1}, error=V),
    _upd("condition-4096-characters", "SET x = :v", {":v": 1},
         ConditionExpression="attribute_not_exists(" + "y" * 4074 + ")"),
    _upd("condition-4097-characters", "SET x = :v", {":v": 1},
         ConditionExpression="attribute_not_exists(" + "y" * 4075 + ")", error=V),
    _upd("list-prepend", "SET l = list_append(:l, l)", {":l": ["x", 2]}),
    _upd("list-append-not-list", "SET l = list_append(l, :l)", {":l": "x"}, error=V),
    _upd("list-append-missing", "SET q = list_append(q, :l)", {":l": [1]}, error=V),
    _upd(
        "list-append-if-not-exists",
        "SET q = list_append(if_not_exists(q, :e), :l)",
        {":e": [], ":l": [1]},
    ),
    _upd("list-set-index", "SET l[1] = :v", {":v": "TWO"}),
    _upd("list-set-beyond-end", "SET l[10] = :v", {":v": "tail"}),
    _upd("list-set-two-beyond-end", "SET l[10] = :a, l[11] = :b", {":a": "a", ":b": "b"}),
    _upd("list-set-at-end", "SET l[3] = :v", {":v": "end"}),
    _upd("list-remove-first", "REMOVE l[0]"),
    _upd("list-remove-two", "REMOVE l[0], l[2]"),
    _upd("list-remove-beyond-end", "REMOVE l[9]"),
    _upd("list-index-on-number", "SET n[0] = :v", {":v": 1}, error=V),
    _upd("list-index-on-missing", "SET q[0] = :v", {":v": 1}, error=V),
    _upd("map-new-key", "SET m.k = :v", {":v": 1}),
    _upd("map-nested-new-key", "SET m.y.k = :v", {":v": 1}),
    _upd("map-missing-parent", "SET m.nope.deep = :v", {":v": 1}, error=V),
    _upd("map-on-missing-attribute", "SET nope.x = :v", {":v": 1}, error=V),
    _upd("map-path-through-number", "SET n.x = :v", {":v": 1}, error=V),
    _upd("map-path-through-list-element", "SET l[0].x = :v", {":v": 1}, error=V),
    _upd("remove-nested", "REMOVE m.y.z"),
    _upd("remove-missing", "REMOVE nope, m.nope"),
    _upd("copy-attribute", "SET x = s"),
    _upd("copy-nested", "SET x = m.y"),
    _upd("copy-missing", "SET x = nope", error=V),
    _upd("set-and-remove", "SET x = :v REMOVE s", {":v": 1}),
    _upd(
        "all-clauses",
        "SET x = :v REMOVE s ADD c :one DELETE ss :d",
        {":v": 1, ":one": 1, ":d": {"red"}},
        key="b",
    ),
    _upd("clauses-any-order", "REMOVE s SET x = :v", {":v": 1}),
    _upd("add-action-number", "ADD n :one", {":one": 1}),
    _upd("add-new-number", "ADD c :v", {":v": Num("-2.5")}),
    _upd("add-string-set", "ADD ss :v", {":v": {"red", "blue"}}, key="b"),
    _upd("add-number-set", "ADD ns :v", {":v": {Num("4"), Num("1.0")}}, key="b"),
    _upd("add-new-set", "ADD q :v", {":v": {b"\x09"}}),
    _upd("add-to-string", "ADD s :one", {":one": 1}, error=V),
    _upd("add-set-type-mismatch", "ADD ss :v", {":v": {1}}, key="b", error=V),
    _upd("add-list", "ADD l :v", {":v": [1]}, error=V),
    _upd("add-nested", "ADD m.x :one", {":one": 1}),
    _upd("add-path-value", "ADD n n", error=V),
    _upd("delete-from-set", "DELETE ss :v", {":v": {"red"}}, key="b"),
    _upd("delete-all-from-set", "DELETE ss :v", {":v": {"red", "green"}}, key="b"),
    _upd("delete-absent-member", "DELETE ss :v", {":v": {"blue"}}, key="b"),
    _upd("delete-from-missing", "DELETE q :v", {":v": {"blue"}}, key="b"),
    _upd("delete-from-number", "DELETE n :v", {":v": {1}}, error=V),
    _upd("delete-set-type-mismatch", "DELETE ns :v", {":v": {"1"}}, key="b", error=V),
    _upd("delete-scalar-operand", "DELETE ss :v", {":v": "red"}, key="b", error=V),
    _upd("set-same-path-twice", "SET x = :a, x = :b", {":a": 1, ":b": 2}, error=V),
    _upd("overlap-set-remove-parent", "SET m.x = :v REMOVE m", {":v": 1}, error=V),
    _upd("overlap-set-child-and-parent", "SET m = :v, m.x = :v", {":v": 1}, error=V),
    _upd("overlap-list-element", "SET l[0] = :v REMOVE l[0]", {":v": 1}, error=V),
    _upd("siblings-ok", "SET m.x = :a, m.y = :b", {":a": 1, ":b": 2}),
    _upd("list-siblings-ok", "SET l[0] = :a, l[1] = :b", {":a": 1, ":b": 2}),
    _upd("overlap-add-set", "ADD n :one SET n = :one", {":one": 1}, error=V),
    _upd("duplicate-clause", "SET a = :v SET b = :v", {":v": 1}, error=V),
    _upd("empty", "", error=V),
    _upd("set-alone", "SET", error=V),
    _upd("remove-value", "REMOVE :v", {":v": 1}, error=V),
    _upd("add-missing-operand", "ADD x", error=V),
    _upd("trailing-comma", "SET x = :v,", {":v": 1}, error=V),
    _upd("unused-value", "SET x = :v", {":v": 1, ":w": 2}, error=V),
    _upd("undefined-value", "SET x = :w", {":v": 1}, error=V),
    _upd("unused-name", "SET x = :v", {":v": 1}, {"#n": "x"}, error=V),
    _upd("undefined-name", "SET #n = :v", {":v": 1}, error=V),
    _upd("reserved-word", "SET status = :v", {":v": 1}, error=V),
    _upd("reserved-word-escaped", "SET #s = :v", {":v": 1}, {"#s": "status"}),
    _upd("size-not-allowed", "SET x = size(s)", error=V),
    _upd("unknown-function", "SET x = foo(s)", error=V),
    _upd("list-append-values", "SET x = list_append(:a, :b)", {":a": [1], ":b": [2]}),
    _upd(
        "empty-set-value", "SET x = :v", None, error=V, ExpressionAttributeValues={":v": {"SS": []}}
    ),
    _upd(
        "name-and-value-shared-with-condition",
        "SET #n = :v",
        {":v": 5, ":c": 1},
        {"#n": "n"},
        ConditionExpression="#n = :c",
    ),
    _upd(
        "condition-fails", "SET x = :v", {":v": 5, ":c": 9}, ConditionExpression="n = :c", error=CCF
    ),
    _upd(
        "condition-unused-value",
        "SET x = :v",
        {":v": 5, ":c": 9, ":u": 1},
        ConditionExpression="n = :c",
        error=V,
    ),
    _upd("condition-syntax", "SET x = :v", {":v": 5}, ConditionExpression="n = = :v", error=V),
    _upd("set-attribute-to-itself", "SET n = n"),
    _upd("set-binary", "SET x = :v", {":v": b"\x00\xff"}),
    _upd("set-nested-list-in-map", "SET m.y.z = :v", {":v": [1, {"q": [2]}]}),
    _upd("remove-key-nested-name", "REMOVE #p", names={"#p": "pk"}, error=V),
]

ORDER = [
    # Which error wins when several apply (validation order), as DynamoDB Local decides.
    case(
        "order-missing-table-vs-syntax",
        update("missing", {"pk": "a"}, "SET = :v", vals={":v": 1}, error=RNF),
    ),
    case(
        "order-missing-table-vs-unused-value",
        update("missing", {"pk": "a"}, "SET x = :v", vals={":v": 1, ":w": 2}, error=RNF),
    ),
    case(
        "order-missing-table-vs-bad-key",
        update("missing", {"id": 1}, "SET x = :v", vals={":v": 1}, error=RNF),
    ),
    case(
        "order-key-update-vs-condition",
        update(
            HS,
            {"pk": "a"},
            "SET pk = :v",
            vals={":v": "b"},
            ConditionExpression="attribute_not_exists(pk)",
            error=CCF,
        ),
    ),
    case(
        "order-key-update-condition-passes",
        update(
            HS,
            {"pk": "a"},
            "SET pk = :v",
            vals={":v": "b"},
            ConditionExpression="attribute_exists(pk)",
            error=V,
        ),
    ),
    case(
        "order-bad-key-vs-syntax",
        update(HS, {"id": "a"}, "SET = :v", vals={":v": 1}, error=V),
    ),
    case(
        "order-syntax-vs-unused",
        update(HS, {"pk": "a"}, "SET x = ", vals={":v": 1}, error=V),
    ),
    case(
        "order-reserved-vs-undefined",
        update(HS, {"pk": "a"}, "SET status = #x", error=V),
    ),
    case(
        "order-condition-vs-type-error",
        update(
            HS,
            {"pk": "a"},
            "SET s = s + :v",
            vals={":v": 1, ":c": 9},
            ConditionExpression="n = :c",
            error=CCF,
        ),
    ),
    case(
        "order-condition-vs-too-large",
        update(
            HS,
            {"pk": "a"},
            "SET big = :v",
            vals={":v": "x" * 409600, ":c": 9},
            ConditionExpression="n = :c",
            error=V,
        ),
    ),
    case(
        "order-put-bad-key-vs-condition",
        put(HS, {"pk": 1}, ConditionExpression="attribute_exists(nope)", error=V),
    ),
    case(
        "order-put-missing-value-vs-condition",
        put(HS, {"pk": "a"}, ConditionExpression="n = :x", error=V),
    ),
    case(
        "order-filter-on-key-in-query",
        query(HR, "pk = :p", vals={":p": "a", ":k": 1}, FilterExpression="sk > :k", error=V),
    ),
    case(
        "order-query-index-vs-syntax",
        query(IDX, "gpk = = :g", vals={":g": "G1"}, IndexName="nope", error=V),
    ),
]

CASES = FILTERS + UPDATES + ORDER


@pytest.mark.parametrize("case", CASES)
def test_conformance(case: Case, run_case: Callable[[Case], None]) -> None:
    run_case(case)
