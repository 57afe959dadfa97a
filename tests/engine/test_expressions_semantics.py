"""Evaluation semantics, projections, key conditions, placeholders, and parser properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sortkey.engine.errors import EngineError
from sortkey.engine.expressions import (
    ExpressionContext,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project_paths,
)
from sortkey.engine.expressions.context import java_hash_set_order
from sortkey.engine.values import compare, equal

ITEM: dict[str, Any] = {
    "pk": {"S": "a"},
    "n": {"N": "5"},
    "s": {"S": "aé"},
    "b": {"B": b"\x01\x02"},
    "l": {"L": [{"N": "1"}, {"S": "x"}, {"M": {"q": {"N": "1"}, "r": {"N": "2"}}}]},
    "m": {"M": {"k": {"N": "1"}, "b": {"M": {"c": {"S": "d"}}}}},
    "ss": {"SS": ["a", "b"]},
}


def holds(text: str, values: dict[str, Any] | None = None, item: dict[str, Any] = ITEM) -> bool:
    ctx = ExpressionContext(None, values)
    return parse_condition(text, ctx, kind="FilterExpression").evaluate(item)


S = {"S": "a"}
N1 = {"N": "1"}


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        pytest.param("x <> :v", {":v": N1}, True, id="ne-missing-is-true"),
        pytest.param("n <> :v", {":v": {"S": "5"}}, True, id="ne-other-type-is-true"),
        pytest.param("n = :v", {":v": {"S": "5"}}, False, id="eq-other-type-is-false"),
        pytest.param("n > :v", {":v": {"S": "1"}}, False, id="ordering-other-type-is-false"),
        pytest.param("x < :v", {":v": N1}, False, id="missing-is-false"),
        pytest.param("NOT x = :v", {":v": N1}, True, id="not-missing"),
        pytest.param("n = :v", {":v": {"N": "5.0"}}, True, id="numeric-equality"),
        pytest.param("n > :v", {":v": {"N": "4.99"}}, True, id="numeric-order"),
        pytest.param("b < :v", {":v": {"B": b"\xff"}}, True, id="binary-unsigned"),
        pytest.param("size(s) = :v", {":v": {"N": "2"}}, True, id="size-counts-characters"),
        pytest.param("size(b) = :v", {":v": {"N": "2"}}, True, id="size-binary"),
        pytest.param("size(ss) = :v", {":v": {"N": "2"}}, True, id="size-set"),
        pytest.param("size(m) = :v", {":v": {"N": "2"}}, True, id="size-map"),
        pytest.param("size(n) = :v", {":v": N1}, False, id="size-of-number-is-false"),
        pytest.param("contains(l, :v)", {":v": N1}, True, id="contains-list"),
        pytest.param("contains(ss, :v)", {":v": S}, True, id="contains-set"),
        pytest.param("contains(s, :v)", {":v": {"S": "é"}}, True, id="contains-substring"),
        pytest.param("contains(m, :v)", {":v": {"S": "k"}}, False, id="contains-map-is-false"),
        pytest.param("begins_with(s, :v)", {":v": S}, True, id="begins-with-string"),
        pytest.param("begins_with(b, :v)", {":v": {"B": b"\x01"}}, True, id="begins-with-binary"),
        pytest.param("begins_with(n, :v)", {":v": {"S": "5"}}, False, id="begins-with-number"),
        pytest.param("attribute_type(n, :v)", {":v": {"S": "N"}}, True, id="attribute-type"),
        pytest.param("attribute_type(m.k, :v)", {":v": {"S": "S"}}, False, id="type-nested"),
        pytest.param("l[2].r = :v", {":v": {"N": "2"}}, True, id="nested-path"),
        pytest.param("n BETWEEN :a AND :b", {":a": N1, ":b": {"N": "5"}}, True, id="between"),
        pytest.param("n IN (:a, :b)", {":a": N1, ":b": {"N": "5"}}, True, id="in"),
        pytest.param(
            "m = :v",
            {":v": {"M": {"k": {"N": "1.0"}, "b": {"M": {"c": {"S": "d"}}}}}},
            True,
            id="map-equality",
        ),
    ],
)
def test_evaluation(text: str, values: dict[str, Any] | None, expected: bool) -> None:
    assert holds(text, values) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a OR b AND c", True, id="and-binds-tighter-than-or"),
        pytest.param("(a OR b) AND c", False, id="parentheses"),
        pytest.param("NOT a AND c", False, id="not-binds-tighter-than-and"),
        pytest.param("NOT (a AND c)", True, id="not-group"),
        pytest.param("c OR NOT a", False, id="or-not"),
    ],
)
def test_precedence(text: str, expected: bool) -> None:
    # a is true, b is true, c is false
    item = {"a": {"BOOL": True}, "b": {"BOOL": True}, "c": {"BOOL": False}}
    expanded = text.replace("a", "a = :t").replace("b", "b = :t").replace("c", "c = :t")
    assert holds(expanded, {":t": {"BOOL": True}}, item) is expected


def test_name_placeholders_resolve_to_any_name() -> None:
    ctx = ExpressionContext({"#k": "m", "#c": "b"}, {":v": {"S": "d"}})
    assert parse_condition("#k.#c.c = :v", ctx, kind="FilterExpression").evaluate(ITEM)


def test_condition_records_paths() -> None:
    ctx = ExpressionContext({"#a": "m"}, {":v": N1})
    condition = parse_condition("#a.k = :v AND attribute_exists(l[0])", ctx, kind="X")
    assert condition.paths == [("m", "k"), ("l", 0)]


def test_condition_on_no_item() -> None:
    assert holds("attribute_not_exists(pk)", None, {}) is True


# -- placeholders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "values", "message"),
    [
        pytest.param({}, None, "ExpressionAttributeNames must not be empty", id="empty-names"),
        pytest.param(None, {}, "ExpressionAttributeValues must not be empty", id="empty-values"),
        pytest.param(
            None,
            {":a": {"NS": []}},
            "ExpressionAttributeValues contains invalid value: One or more parameter values were "
            "invalid: An number set  may not be empty for key :a",
            id="invalid-value",
        ),
        pytest.param(
            None,
            {":a": {"N": "x"}},
            "ExpressionAttributeValues contains invalid value: A value provided cannot be "
            "converted into a number for key :a",
            id="invalid-number",
        ),
    ],
)
def test_context_refuses(names: Any, values: Any, message: str) -> None:
    with pytest.raises(EngineError) as info:
        ExpressionContext(names, values)
    assert info.value.message == message


def test_unused_names_reported_before_values_in_java_order() -> None:
    ctx = ExpressionContext({"#a": "n", "#b": "m", "#c": "x"}, {":a": S, ":b": S})
    parse_condition("#a = :a", ctx, kind="ConditionExpression")
    with pytest.raises(EngineError) as info:
        ctx.check_all_used()
    assert info.value.message == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c, #b}"
    )
    ctx = ExpressionContext(None, {":v": S, ":w": S, ":x": S})
    parse_condition("n = :x", ctx, kind="ConditionExpression")
    with pytest.raises(EngineError, match=r"ExpressionAttributeValues unused .*keys: \{:v, :w\}"):
        ctx.check_all_used()


def test_context_shared_across_expressions() -> None:
    ctx = ExpressionContext({"#n": "n"}, {":v": N1, ":w": N1})
    parse_update("SET #n = :v", ctx)
    parse_condition("attribute_exists(#n) AND n = :w", ctx, kind="ConditionExpression")
    ctx.check_all_used()


def test_java_hash_set_order_grows_buckets() -> None:
    keys = [f":v{i}" for i in range(20)]
    assert sorted(java_hash_set_order(keys)) == sorted(keys)


# -- updates ------------------------------------------------------------------------------------


def test_update_attributes_and_no_mutation() -> None:
    ctx = ExpressionContext({"#s": "status"}, {":v": N1, ":l": {"L": [S]}})
    update = parse_update("SET #s = :v, l = list_append(l, :l) REMOVE m.k ADD n :v", ctx)
    assert update.top_level_names == {"status", "l", "m", "n"}
    assert update.updated_paths == [("status",), ("l",), ("m", "k"), ("n",)]
    before = repr(ITEM)
    result = update.apply(ITEM)
    assert repr(ITEM) == before
    assert result["status"] == N1
    assert result["n"] == {"N": "6"}
    assert result["m"] == {"M": {"b": {"M": {"c": {"S": "d"}}}}}
    assert result["l"]["L"][-1] == S


def test_update_on_missing_item() -> None:
    ctx = ExpressionContext(None, {":v": N1, ":s": {"SS": ["x"]}})
    result = parse_update("SET a = if_not_exists(a, :v) ADD c :v, s :s", ctx).apply(None)
    assert result == {"a": N1, "c": N1, "s": {"SS": ["x"]}}


def test_delete_last_member_removes_attribute() -> None:
    ctx = ExpressionContext(None, {":s": {"SS": ["a", "b"]}})
    assert "ss" not in parse_update("DELETE ss :s", ctx).apply(ITEM)


def test_add_number_set_compares_numerically() -> None:
    item = {"ns": {"NS": ["1", "2"]}}
    ctx = ExpressionContext(None, {":s": {"NS": ["2.0", "3.0"]}})
    assert parse_update("ADD ns :s", ctx).apply(item) == {"ns": {"NS": ["1", "2", "3"]}}


def test_update_overflow_message() -> None:
    ctx = ExpressionContext(None, {":v": {"N": "9E+125"}})
    update = parse_update("SET n = :v + :v", ctx)
    with pytest.raises(EngineError, match="Number overflow"):
        update.apply({})


# -- projections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("l[1]", {"l": {"L": [{"S": "x"}]}}, id="list-element"),
        pytest.param(
            "l[2].q, m.b",
            {"l": {"L": [{"M": {"q": {"N": "1"}}}]}, "m": {"M": {"b": {"M": {"c": {"S": "d"}}}}}},
            id="nested",
        ),
        pytest.param("l[1], l[0]", {"l": {"L": [{"N": "1"}, {"S": "x"}]}}, id="index-order"),
        pytest.param("l[5], m.b.c.d, n.x, x", {}, id="missing-parts"),
        pytest.param("n, pk", {"n": {"N": "5"}, "pk": {"S": "a"}}, id="top-level"),
    ],
)
def test_projection(text: str, expected: dict[str, Any]) -> None:
    projection = parse_projection(text, ExpressionContext(None, None))
    assert projection.apply(ITEM) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "m.k, m",
            "overlap with each other; must remove or rewrite one of these "
            "paths; path one: [m, k], path two: [m]",
            id="overlap",
        ),
        pytest.param(
            "l[0], l.x",
            "conflict with each other; must remove or rewrite one of these "
            "paths; path one: [l, [0]], path two: [l, x]",
            id="conflict",
        ),
    ],
)
def test_projection_refuses(text: str, message: str) -> None:
    with pytest.raises(EngineError) as info:
        parse_projection(text, ExpressionContext(None, None))
    assert info.value.message == ("Invalid ProjectionExpression: Two document paths " + message)


def test_project_paths_helper() -> None:
    assert project_paths(ITEM, [("m", "k"), ("n",)]) == {"m": {"M": {"k": N1}}, "n": {"N": "5"}}


# -- key conditions -----------------------------------------------------------------------------

KEY_VALUES = {":a": {"S": "x"}, ":b": {"N": "1"}, ":c": {"N": "9"}}


def key(text: str, **schema: Any) -> Any:
    values = {k: v for k, v in KEY_VALUES.items() if k in text}
    ctx = ExpressionContext(None, values)
    schema.setdefault("hash_key", "pk")
    schema.setdefault("range_key", "sk")
    schema.setdefault("hash_type", "S")
    schema.setdefault("range_type", "N")
    result = parse_key_condition(text, ctx, **schema)
    ctx.check_all_used()
    return result


@pytest.mark.parametrize(
    ("text", "op", "values"),
    [
        pytest.param("pk = :a", None, [], id="hash-only"),
        pytest.param("pk = :a AND sk > :b", ">", [{"N": "1"}], id="range"),
        pytest.param("sk <= :b AND pk = :a", "<=", [{"N": "1"}], id="reversed-order"),
        pytest.param(":b < sk AND :a = pk", ">", [{"N": "1"}], id="flipped-operands"),
        pytest.param("(pk = :a) AND (sk = :b)", "=", [{"N": "1"}], id="parentheses"),
        pytest.param(
            "pk = :a AND sk BETWEEN :b AND :c", "BETWEEN", [{"N": "1"}, {"N": "9"}], id="between"
        ),
    ],
)
def test_key_condition(text: str, op: str | None, values: list[Any]) -> None:
    condition = key(text)
    assert condition.hash_value == {"S": "x"}
    assert (condition.range_op, condition.range_values) == (op, values)


def test_key_condition_begins_with_and_matches() -> None:
    ctx = ExpressionContext(None, {":a": {"S": "x"}, ":p": {"S": "ab"}})
    condition = parse_key_condition(
        "pk = :a AND begins_with(sk, :p)", ctx, hash_key="pk", range_key="sk"
    )
    assert condition.range_op == "begins_with"
    assert condition.matches({"pk": {"S": "x"}, "sk": {"S": "abc"}})
    assert not condition.matches({"pk": {"S": "x"}, "sk": {"S": "b"}})
    assert not condition.matches({"pk": {"S": "y"}, "sk": {"S": "abc"}})


@pytest.mark.parametrize(
    ("text", "schema", "message"),
    [
        pytest.param("sk = :b", {}, "Query condition missed key schema element", id="no-hash"),
        pytest.param(
            "pk = :a AND x = :b", {}, "Query condition missed key schema element", id="non-key"
        ),
        pytest.param("pk < :a", {}, "Query key condition not supported", id="hash-not-eq"),
        pytest.param(
            "pk = :a AND sk = :b",
            {"range_key": None, "range_type": None},
            "Query key condition not supported",
            id="no-range-key",
        ),
        pytest.param(
            "pk = :a OR sk = :b", {}, "Invalid operator used in KeyConditionExpression: OR", id="or"
        ),
        pytest.param(
            "NOT pk = :a", {}, "Invalid operator used in KeyConditionExpression: NOT", id="not"
        ),
        pytest.param(
            "pk = :a AND sk <> :b",
            {},
            "Invalid operator used in KeyConditionExpression: <>",
            id="ne",
        ),
        pytest.param(
            "pk = :a AND sk IN (:b)",
            {},
            "Invalid operator used in KeyConditionExpression: IN",
            id="in",
        ),
        pytest.param(
            "pk = :a AND contains(sk, :b)",
            {},
            "Invalid operator used in KeyConditionExpression: contains",
            id="contains",
        ),
        pytest.param(
            "pk = :a AND size(sk) = :b",
            {},
            "KeyConditionExpressions cannot contain nested operations",
            id="nested",
        ),
        pytest.param(
            "pk = :a AND sk > :b AND sk < :c",
            {},
            "KeyConditionExpressions must only contain one condition per key",
            id="twice",
        ),
        pytest.param(
            "pk = :a AND sk > :b AND x = :c",
            {},
            "Conditions can be of length 1 or 2 only",
            id="three",
        ),
        pytest.param(
            "pk = :b",
            {},
            "One or more parameter values were invalid: Condition "
            "parameter type does not match schema type",
            id="hash-type",
        ),
        pytest.param(
            "pk = :a AND sk = :a",
            {},
            "One or more parameter values were invalid: "
            "Condition parameter type does not match schema type",
            id="range-type",
        ),
    ],
)
def test_key_condition_refuses(text: str, schema: dict[str, Any], message: str) -> None:
    with pytest.raises(EngineError) as info:
        key(text, **schema)
    assert info.value.message == message


def test_multi_attribute_key_condition() -> None:
    ctx = ExpressionContext(None, {":a": {"S": "x"}, ":b": {"S": "y"}, ":c": {"N": "1"}})
    condition = parse_key_condition(
        "a = :a AND b = :b AND c > :c", ctx, hash_key=["a", "b"], range_key=["c", "d"]
    )
    assert condition.hash_values == [{"S": "x"}, {"S": "y"}]
    assert (condition.range_key, condition.range_op) == ("c", ">")


# -- properties ---------------------------------------------------------------------------------

ATTRS = ["a", "b", "c"]
VALUES = {":n0": {"N": "0"}, ":n1": {"N": "1"}, ":n2": {"N": "2"}, ":s": {"S": "x"}}

leaf = st.one_of(
    st.tuples(
        st.just("cmp"),
        st.sampled_from(ATTRS),
        st.sampled_from(["=", "<>", "<", "<=", ">", ">="]),
        st.sampled_from(sorted(VALUES)),
    ),
    st.tuples(st.just("exists"), st.sampled_from(ATTRS)),
    st.tuples(st.just("between"), st.sampled_from(ATTRS)),
    st.tuples(st.just("in"), st.sampled_from(ATTRS)),
)
trees = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.tuples(st.just("not"), children),
        st.tuples(st.sampled_from(["and", "or"]), children, children),
    ),
    max_leaves=8,
)


def render(tree: Any) -> str:
    kind = tree[0]
    if kind == "cmp":
        return f"{tree[1]} {tree[2]} {tree[3]}"
    if kind == "exists":
        return f"attribute_exists({tree[1]})"
    if kind == "between":
        return f"{tree[1]} BETWEEN :n0 AND :n1"
    if kind == "in":
        return f"{tree[1]} IN (:n2, :s)"
    if kind == "not":
        return f"NOT ({render(tree[1])})"
    return f"({render(tree[1])}) {kind.upper()} ({render(tree[2])})"


def reference(tree: Any, item: dict[str, Any]) -> bool:
    kind = tree[0]
    if kind == "not":
        return not reference(tree[1], item)
    if kind == "and":
        return reference(tree[1], item) and reference(tree[2], item)
    if kind == "or":
        return reference(tree[1], item) or reference(tree[2], item)
    value = item.get(tree[1])
    if kind == "exists":
        return value is not None
    if kind == "in":
        return value is not None and (equal(value, VALUES[":n2"]) or equal(value, VALUES[":s"]))
    if kind == "between":
        if value is None:
            return False
        low, high = compare(VALUES[":n0"], value), compare(value, VALUES[":n1"])
        return low is not None and high is not None and low <= 0 and high <= 0
    op, operand = tree[2], VALUES[tree[3]]
    if op == "=":
        return value is not None and equal(value, operand)
    if op == "<>":
        return value is None or not equal(value, operand)
    order = None if value is None else compare(value, operand)
    if order is None:
        return False
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


items = st.fixed_dictionaries(
    {},
    optional={
        name: st.sampled_from([{"N": "0"}, {"N": "1"}, {"N": "2"}, {"S": "x"}, {"BOOL": True}])
        for name in ATTRS
    },
)


@settings(max_examples=300)
@given(trees, items)
def test_rendered_trees_parse_and_evaluate_like_reference(tree: Any, item: dict[str, Any]) -> None:
    text = render(tree)
    condition = parse_condition(text, ExpressionContext(None, VALUES), kind="ConditionExpression")
    assert condition.evaluate(item) is reference(tree, item)


def _parses_or_refuses(parse: Any) -> None:
    try:
        parse()
    except EngineError as exc:
        assert exc.code == "ValidationException"


@given(st.text(alphabet="ab=<>():,.[]0123456789 #", max_size=30))
def test_parser_never_crashes(text: str) -> None:
    ctx = ExpressionContext({"#a": "a"}, {":a": {"N": "1"}})
    _parses_or_refuses(lambda: parse_condition(text, ctx, kind="ConditionExpression"))
    _parses_or_refuses(lambda: parse_update(text, ctx))
    _parses_or_refuses(lambda: parse_projection(text, ctx))
