"""Unit tests of sortkey.expr: golden compiled output, refusals, and properties."""

from __future__ import annotations

import doctest
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sortkey._expr.nodes
import sortkey._expr.update
import sortkey.expr
from sortkey.errors import ExpressionError, SerializationError
from sortkey.expr import (
    Compiled,
    Condition,
    Update,
    attr,
    check_key_condition,
    compile,
    compile_request,
    if_not_exists,
    list_append,
    projection,
    size,
)


def S(text: str) -> dict[str, Any]:
    return {"S": text}


def N(text: str) -> dict[str, Any]:
    return {"N": text}


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        pytest.param("a", ("a",), id="name"),
        pytest.param("a.b.c", ("a", "b", "c"), id="dotted"),
        pytest.param("a[0]", ("a", 0), id="index"),
        pytest.param("a.b[2].c", ("a", "b", 2, "c"), id="mixed"),
        pytest.param("a[1][2]", ("a", 1, 2), id="nested-lists"),
        pytest.param("a[10].b", ("a", 10, "b"), id="two-digit-index"),
        pytest.param("first name", ("first name",), id="space-is-part-of-name"),
        pytest.param("#pk", ("#pk",), id="hash-is-literal"),
        pytest.param("ünï.çødé", ("ünï", "çødé"), id="unicode"),
    ],
)
def test_path_text_parses_to_segments(text: str, segments: tuple[object, ...]) -> None:
    assert attr(text).segments == segments


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("a..b", "empty name", id="double-dot"),
        pytest.param(".a", "starts with", id="leading-dot"),
        pytest.param("a.", "ends with", id="trailing-dot"),
        pytest.param("a[x]", "not a list index", id="non-numeric-index"),
        pytest.param("a[]", "not a list index", id="empty-index"),
        pytest.param("a[", "without ']'", id="unclosed-bracket"),
        pytest.param("a[-1]", "negative", id="negative-index"),
        pytest.param("a[1.5]", "not a list index", id="fractional-index"),
        pytest.param("a]", "unexpected ']'", id="stray-close"),
        pytest.param("a[0]b", "unexpected 'b'", id="name-glued-to-index"),
        pytest.param("[0]", "starts with", id="index-first"),
        pytest.param("a.[0]", "empty name", id="dot-then-index"),
    ],
)
def test_malformed_path_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        attr(text)


def test_names_with_special_characters_have_three_spellings() -> None:
    assert attr.name("weird.name[1]").segments == ("weird.name[1]",)
    assert attr(["a.b", 0, "c"]).segments == ("a.b", 0, "c")
    assert attr(("a.b",)).segments == ("a.b",)
    assert attr("a")["b.c"][3].segments == ("a", "b.c", 3)
    assert attr(attr("x.y")).segments == ("x", "y")


@pytest.mark.parametrize(
    "segments",
    [
        pytest.param([], id="empty"),
        pytest.param([0, "a"], id="index-first"),
        pytest.param(["a", -1], id="negative"),
        pytest.param(["a", ""], id="empty-name"),
        pytest.param(["a", True], id="bool-is-not-an-index"),
        pytest.param(["a", 1.0], id="float"),
        # DynamoDB: "List index is not within the allowable range" / "too many nesting levels"
        pytest.param(["a", 2**31], id="index-over-int32"),
        pytest.param(["a"] * 33, id="33-levels"),
        pytest.param(["a", *[0] * 32], id="33-levels-of-lists"),
    ],
)
def test_malformed_segments_are_refused(segments: list[Any]) -> None:
    with pytest.raises(ExpressionError):
        attr(segments)


def test_path_limits_are_dynamodbs() -> None:
    assert attr(["a"] * 32).segments == ("a",) * 32
    assert attr("a[2147483647]").segments == ("a", 2**31 - 1)
    with pytest.raises(ExpressionError, match="2147483647"):
        attr("a[99999999999999999999]")
    with pytest.raises(ExpressionError, match="32"):
        attr("a" + ".b" * 32)
    with pytest.raises(ExpressionError, match="32"):
        attr("a" + ".b" * 31)["c"]


@pytest.mark.parametrize("bad", [pytest.param(b"a", id="bytes"), pytest.param(3, id="int")])
def test_attr_refuses_non_paths(bad: Any) -> None:
    with pytest.raises(ExpressionError):
        attr(bad)


def test_attr_name_is_literal_and_refuses_empty() -> None:
    assert compile(attr.name("a.b").exists()).names == {"#n0": "a.b"}
    with pytest.raises(ExpressionError):
        attr.name("")


def test_paths_are_unhashable_and_not_iterable() -> None:
    with pytest.raises(TypeError):
        hash(attr("a"))
    with pytest.raises(TypeError):
        {attr("a"): 1}  # noqa: B018
    with pytest.raises(TypeError, match="not iterable"):
        list(attr("a"))
    with pytest.raises(TypeError, match="exists"):
        bool(attr("a"))


def test_path_repr_round_trips() -> None:
    assert repr(attr("a.b[0]")) == "attr('a.b[0]')"
    assert repr(attr(["a.b", 0])) == "attr(('a.b', 0))"
    assert str(attr("a.b[0]")) == "a.b[0]"


# --------------------------------------------------------------------------- golden tests

GOLDEN: list[Any] = [
    pytest.param(
        lambda: attr("a") == "x",
        Compiled("#n0 = :v0", {"#n0": "a"}, {":v0": S("x")}),
        id="eq",
    ),
    pytest.param(
        lambda: attr("a") != 1,
        Compiled("#n0 <> :v0", {"#n0": "a"}, {":v0": N("1")}),
        id="ne",
    ),
    pytest.param(
        lambda: attr("a") < 1, Compiled("#n0 < :v0", {"#n0": "a"}, {":v0": N("1")}), id="lt"
    ),
    pytest.param(
        lambda: attr("a") <= 1, Compiled("#n0 <= :v0", {"#n0": "a"}, {":v0": N("1")}), id="le"
    ),
    pytest.param(
        lambda: attr("a") > 1, Compiled("#n0 > :v0", {"#n0": "a"}, {":v0": N("1")}), id="gt"
    ),
    pytest.param(
        lambda: attr("a") >= 1, Compiled("#n0 >= :v0", {"#n0": "a"}, {":v0": N("1")}), id="ge"
    ),
    pytest.param(
        lambda: 1 < attr("a"),
        Compiled("#n0 > :v0", {"#n0": "a"}, {":v0": N("1")}),
        id="reflected-value-on-the-left",
    ),
    pytest.param(
        lambda: "x" == attr("a"),
        Compiled("#n0 = :v0", {"#n0": "a"}, {":v0": S("x")}),
        id="reflected-eq",
    ),
    pytest.param(
        lambda: attr("a") == attr("b.c"),
        Compiled("#n0 = #n1.#n2", {"#n0": "a", "#n1": "b", "#n2": "c"}, {}),
        id="path-vs-path",
    ),
    pytest.param(
        lambda: attr("a") == None,  # noqa: E711
        Compiled("#n0 = :v0", {"#n0": "a"}, {":v0": {"NULL": True}}),
        id="eq-null",
    ),
    pytest.param(
        lambda: attr("a").between(1, 9),
        Compiled("#n0 BETWEEN :v0 AND :v1", {"#n0": "a"}, {":v0": N("1"), ":v1": N("9")}),
        id="between",
    ),
    pytest.param(
        lambda: attr("a").between(attr("lo"), attr("hi")),
        Compiled("#n0 BETWEEN #n1 AND #n2", {"#n0": "a", "#n1": "lo", "#n2": "hi"}, {}),
        id="between-paths",
    ),
    pytest.param(
        lambda: attr("s").is_in("a", "b", "a"),
        Compiled(
            "#n0 IN (:v0, :v1, :v2)", {"#n0": "s"}, {":v0": S("a"), ":v1": S("b"), ":v2": S("a")}
        ),
        id="in-values-not-deduplicated",
    ),
    pytest.param(
        lambda: attr("s").begins_with("P#"),
        Compiled("begins_with(#n0, :v0)", {"#n0": "s"}, {":v0": S("P#")}),
        id="begins-with",
    ),
    pytest.param(
        lambda: attr("s").begins_with(b"\x01"),
        Compiled("begins_with(#n0, :v0)", {"#n0": "s"}, {":v0": {"B": b"\x01"}}),
        id="begins-with-bytes",
    ),
    pytest.param(
        lambda: attr("tags").contains("x"),
        Compiled("contains(#n0, :v0)", {"#n0": "tags"}, {":v0": S("x")}),
        id="contains",
    ),
    pytest.param(
        lambda: attr("a").exists(),
        Compiled("attribute_exists(#n0)", {"#n0": "a"}, {}),
        id="exists",
    ),
    pytest.param(
        lambda: attr("a.b[1]").not_exists(),
        Compiled("attribute_not_exists(#n0.#n1[1])", {"#n0": "a", "#n1": "b"}, {}),
        id="not-exists-nested",
    ),
    pytest.param(
        lambda: attr("a").is_type("SS"),
        Compiled("attribute_type(#n0, :v0)", {"#n0": "a"}, {":v0": S("SS")}),
        id="is-type-letter",
    ),
    pytest.param(
        lambda: attr("a").is_type(dict),
        Compiled("attribute_type(#n0, :v0)", {"#n0": "a"}, {":v0": S("M")}),
        id="is-type-python",
    ),
    pytest.param(
        lambda: attr("a").is_type(None),
        Compiled("attribute_type(#n0, :v0)", {"#n0": "a"}, {":v0": S("NULL")}),
        id="is-type-none",
    ),
    pytest.param(
        lambda: size("tags") > 2,
        Compiled("size(#n0) > :v0", {"#n0": "tags"}, {":v0": N("2")}),
        id="size-function",
    ),
    pytest.param(
        lambda: attr("tags").size() == attr("n"),
        Compiled("size(#n0) = #n1", {"#n0": "tags", "#n1": "n"}, {}),
        id="size-method-vs-path",
    ),
    pytest.param(
        lambda: attr("a").size().is_in(1, 2),
        Compiled("size(#n0) IN (:v0, :v1)", {"#n0": "a"}, {":v0": N("1"), ":v1": N("2")}),
        id="size-in",
    ),
    pytest.param(
        lambda: attr("email").begins_with("a") & (attr("age") >= 18),
        Compiled(
            "begins_with(#n0, :v0) AND #n1 >= :v1",
            {"#n0": "email", "#n1": "age"},
            {":v0": S("a"), ":v1": N("18")},
        ),
        id="style-rule-10",
    ),
    pytest.param(
        lambda: (attr("a") == 1) & (attr("b") == 2) & (attr("a") == 3),
        Compiled(
            "#n0 = :v0 AND #n1 = :v1 AND #n0 = :v2",
            {"#n0": "a", "#n1": "b"},
            {":v0": N("1"), ":v1": N("2"), ":v2": N("3")},
        ),
        id="and-is-flat-and-names-reused",
    ),
    pytest.param(
        lambda: (attr("a") == 1) | (attr("b") == 2) & (attr("c") == 3),
        Compiled(
            "#n0 = :v0 OR #n1 = :v1 AND #n2 = :v2",
            {"#n0": "a", "#n1": "b", "#n2": "c"},
            {":v0": N("1"), ":v1": N("2"), ":v2": N("3")},
        ),
        id="and-inside-or-needs-no-parens",
    ),
    pytest.param(
        lambda: ((attr("a") == 1) | (attr("b") == 2)) & (attr("c") == 3),
        Compiled(
            "(#n0 = :v0 OR #n1 = :v1) AND #n2 = :v2",
            {"#n0": "a", "#n1": "b", "#n2": "c"},
            {":v0": N("1"), ":v1": N("2"), ":v2": N("3")},
        ),
        id="or-inside-and-is-parenthesised",
    ),
    pytest.param(
        lambda: ~(attr("a") == 1),
        Compiled("NOT #n0 = :v0", {"#n0": "a"}, {":v0": N("1")}),
        id="not-simple",
    ),
    pytest.param(
        lambda: ~((attr("a") == 1) & attr("b").exists()),
        Compiled(
            "NOT (#n0 = :v0 AND attribute_exists(#n1))", {"#n0": "a", "#n1": "b"}, {":v0": N("1")}
        ),
        id="not-compound",
    ),
    pytest.param(
        lambda: ~~attr("a").exists(),
        Compiled("NOT NOT attribute_exists(#n0)", {"#n0": "a"}, {}),
        id="double-not",
    ),
    pytest.param(
        lambda: attr("select") == "x",
        Compiled("#n0 = :v0", {"#n0": "select"}, {":v0": S("x")}),
        id="reserved-word-is-placeholdered",
    ),
    pytest.param(
        lambda: attr("m") == {"k": [1, "x"]},
        Compiled("#n0 = :v0", {"#n0": "m"}, {":v0": {"M": {"k": {"L": [N("1"), S("x")]}}}}),
        id="document-value",
    ),
    # ---- updates
    pytest.param(
        lambda: Update().set("a", 1),
        Compiled("SET #n0 = :v0", {"#n0": "a"}, {":v0": N("1")}),
        id="update-set",
    ),
    pytest.param(
        lambda: Update().set("a", attr("b")),
        Compiled("SET #n0 = #n1", {"#n0": "a", "#n1": "b"}, {}),
        id="update-set-copy-path",
    ),
    pytest.param(
        lambda: Update().set("n", attr("n") + 1).set("m", attr("m") - Decimal("0.5")),
        Compiled(
            "SET #n0 = #n0 + :v0, #n1 = #n1 - :v1",
            {"#n0": "n", "#n1": "m"},
            {":v0": N("1"), ":v1": N("0.5")},
        ),
        id="update-arithmetic",
    ),
    pytest.param(
        lambda: Update().set("n", 10 - attr("n")),
        Compiled("SET #n0 = :v0 - #n0", {"#n0": "n"}, {":v0": N("10")}),
        id="update-reflected-arithmetic",
    ),
    pytest.param(
        lambda: Update().set("n", if_not_exists("n", 0) + 1),
        Compiled(
            "SET #n0 = if_not_exists(#n0, :v0) + :v1", {"#n0": "n"}, {":v0": N("0"), ":v1": N("1")}
        ),
        id="update-if-not-exists-plus",
    ),
    pytest.param(
        lambda: Update().set("l", list_append(if_not_exists("l", []), ["x"])),
        Compiled(
            "SET #n0 = list_append(if_not_exists(#n0, :v0), :v1)",
            {"#n0": "l"},
            {":v0": {"L": []}, ":v1": {"L": [S("x")]}},
        ),
        id="update-list-append",
    ),
    pytest.param(
        lambda: Update().remove("a", "b[0]", attr("c")["d.e"]),
        Compiled(
            "REMOVE #n0, #n1[0], #n2.#n3", {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d.e"}, {}
        ),
        id="update-remove",
    ),
    pytest.param(
        lambda: Update().add("n", 1).add("tags", {"x"}),
        Compiled(
            "ADD #n0 :v0, #n1 :v1",
            {"#n0": "n", "#n1": "tags"},
            {":v0": N("1"), ":v1": {"SS": ["x"]}},
        ),
        id="update-add",
    ),
    pytest.param(
        lambda: Update().delete("tags", {1, 2}),
        Compiled("DELETE #n0 :v0", {"#n0": "tags"}, {":v0": {"NS": ["1", "2"]}}),
        id="update-delete",
    ),
    pytest.param(
        lambda: Update().delete("d", {"x"}).add("c", 1).remove("b").set("a", 1),
        Compiled(
            "SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1 DELETE #n3 :v2",
            {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d"},
            {":v0": N("1"), ":v1": N("1"), ":v2": {"SS": ["x"]}},
        ),
        id="update-clauses-in-fixed-order",
    ),
    pytest.param(
        lambda: Update(set={"a": 1, ("x.y",): 2}, remove=["r"], add={"n": 1}, delete={"t": {"z"}}),
        Compiled(
            "SET #n0 = :v0, #n1 = :v1 REMOVE #n2 ADD #n3 :v2 DELETE #n4 :v3",
            {"#n0": "a", "#n1": "x.y", "#n2": "r", "#n3": "n", "#n4": "t"},
            {":v0": N("1"), ":v1": N("2"), ":v2": N("1"), ":v3": {"SS": ["z"]}},
        ),
        id="update-keyword-form",
    ),
    pytest.param(
        lambda: Update(remove="a.b"),
        Compiled("REMOVE #n0.#n1", {"#n0": "a", "#n1": "b"}, {}),
        id="update-remove-one-string",
    ),
    pytest.param(
        lambda: Update().set("a.b", 1).set("a.c", 2).set("x[0]", 1).set("x[1]", 2),
        Compiled(
            "SET #n0.#n1 = :v0, #n0.#n2 = :v1, #n3[0] = :v2, #n3[1] = :v3",
            {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "x"},
            {":v0": N("1"), ":v1": N("2"), ":v2": N("1"), ":v3": N("2")},
        ),
        id="update-sibling-paths-are-fine",
    ),
    # ---- projections
    pytest.param(
        lambda: projection("a", "b.c", attr("d[0]")),
        Compiled("#n0, #n1.#n2, #n3[0]", {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d"}, {}),
        id="projection",
    ),
    pytest.param(
        lambda: projection("m.a", "m.b"),
        Compiled("#n0.#n1, #n0.#n2", {"#n0": "m", "#n1": "a", "#n2": "b"}, {}),
        id="projection-siblings-share-names",
    ),
]


@pytest.mark.parametrize(("build", "expected"), GOLDEN)
def test_compiled_output(build: Callable[[], Any], expected: Compiled) -> None:
    assert compile(build()) == expected


# --------------------------------------------------------------------------- whole requests


def test_request_shares_one_placeholder_space() -> None:
    params = compile_request(
        key_condition=(attr("pk") == "U#1") & attr("sk").between("A", "B"),
        filter=(attr("status") == "live") & (attr("pk") != "x"),
        projection=["status", "title"],
    )
    assert params == {
        "KeyConditionExpression": "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2",
        "FilterExpression": "#n2 = :v3 AND #n0 <> :v4",
        "ProjectionExpression": "#n2, #n3",
        "ExpressionAttributeNames": {"#n0": "pk", "#n1": "sk", "#n2": "status", "#n3": "title"},
        "ExpressionAttributeValues": {
            ":v0": S("U#1"),
            ":v1": S("A"),
            ":v2": S("B"),
            ":v3": S("live"),
            ":v4": S("x"),
        },
    }


def test_update_and_condition_share_one_placeholder_space() -> None:
    params = compile_request(
        update=Update().set("status", "published").add("v", 1),
        condition=(attr("status") == "draft") & attr("v").exists(),
    )
    assert params == {
        "UpdateExpression": "SET #n0 = :v0 ADD #n1 :v1",
        "ConditionExpression": "#n0 = :v2 AND attribute_exists(#n1)",
        "ExpressionAttributeNames": {"#n0": "status", "#n1": "v"},
        "ExpressionAttributeValues": {":v0": S("published"), ":v1": N("1"), ":v2": S("draft")},
    }


def test_empty_maps_are_left_out() -> None:
    assert compile_request(condition=attr("pk").not_exists()) == {
        "ConditionExpression": "attribute_not_exists(#n0)",
        "ExpressionAttributeNames": {"#n0": "pk"},
    }
    assert compile_request() == {}


def test_projection_argument_accepts_one_path_or_a_projection() -> None:
    assert compile_request(projection="a.b")["ProjectionExpression"] == "#n0.#n1"
    assert compile_request(projection=projection("x"))["ProjectionExpression"] == "#n0"


def test_compiled_values_are_copies() -> None:
    cond = attr("l") == [1]
    first = compile(cond)
    first.values[":v0"]["L"].append({"N": "2"})
    assert compile(cond).values == {":v0": {"L": [N("1")]}}


# --------------------------------------------------------------------------- immutability


def test_operators_build_new_nodes() -> None:
    base = attr("a") == 1
    both = base & attr("b").exists()
    assert compile(base).expression == "#n0 = :v0"
    assert compile(both).expression == "#n0 = :v0 AND attribute_exists(#n1)"
    update = Update().set("a", 1)
    longer = update.remove("b")
    assert len(update) == 1
    assert len(longer) == 2
    with pytest.raises(AttributeError):
        update.actions = ()  # type: ignore[misc]


def test_values_are_captured_when_the_node_is_built() -> None:
    items = [1]
    cond = attr("l") == items
    items.append(2)
    assert compile(cond).values == {":v0": {"L": [N("1")]}}


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(lambda c: bool(c), id="bool"),
        pytest.param(lambda c: c and c, id="and"),
        pytest.param(lambda c: c or c, id="or"),
        pytest.param(lambda c: not c, id="not"),
        pytest.param(lambda c: 1 if c else 0, id="if"),
    ],
)
def test_condition_in_boolean_context_raises(use: Callable[[Condition], object]) -> None:
    with pytest.raises(TypeError, match=re.escape("use & | ~ to combine conditions")):
        use(attr("a") == 1)


def test_chained_comparison_raises_instead_of_dropping_half() -> None:
    # 1 < attr("a") < 5 means (1 < a) and (a < 5): Python asks for a truth value.
    with pytest.raises(TypeError, match="use & | ~"):
        1 < attr("a") < 5  # noqa: B015


def test_update_paths_lists_targets() -> None:
    update = Update(set={"a.b": 1}, remove=["c"])
    assert [p.segments for p in update.paths] == [("a", "b"), ("c",)]
    assert "SET attr('a.b')" in repr(update)


# --------------------------------------------------------------------------- refusals

REFUSED: list[Any] = [
    # conditions
    pytest.param(lambda: attr("a").is_in(), id="in-nothing"),
    pytest.param(lambda: attr("a").is_in(*range(101)), id="in-over-100"),
    pytest.param(lambda: attr("a").is_in(["x", "y"]), id="in-a-list-instead-of-values"),
    pytest.param(lambda: attr("a").begins_with(3), id="begins-with-number"),
    pytest.param(lambda: attr("a").begins_with(size("b")), id="begins-with-size"),
    pytest.param(lambda: attr("a").is_type("X"), id="unknown-type-letter"),
    pytest.param(lambda: attr("a").is_type(set), id="ambiguous-set-type"),
    pytest.param(lambda: attr("a").is_type(object), id="unmapped-python-type"),
    # DynamoDB: "The first operand must be distinct from the remaining operands"
    pytest.param(lambda: attr("a") == attr("a"), id="self-compare"),
    pytest.param(lambda: attr("a.b") < attr("a.b"), id="self-compare-nested"),
    pytest.param(lambda: attr("a").between(0, attr("a")), id="self-between"),
    pytest.param(lambda: attr("a").is_in(1, attr("a")), id="self-in"),
    pytest.param(lambda: attr("a").contains(attr("a")), id="self-contains"),
    pytest.param(lambda: attr("a").begins_with(attr("a")), id="self-begins-with"),
    # DynamoDB: "Incorrect operand type for operator or function"
    pytest.param(lambda: attr("a") < True, id="order-bool"),
    pytest.param(lambda: attr("a") >= [1], id="order-list"),
    pytest.param(lambda: attr("a") > None, id="order-null"),
    pytest.param(lambda: attr("a") <= {"x"}, id="order-set"),
    pytest.param(lambda: attr("a").between({}, {}), id="between-maps"),
    # DynamoDB: BETWEEN bounds of one type, lower <= upper
    pytest.param(lambda: attr("a").between(1, "x"), id="between-mixed-types"),
    pytest.param(lambda: attr("a").between(2, 1), id="between-swapped"),
    pytest.param(lambda: attr("a").between("é", "z"), id="between-swapped-utf8"),
    pytest.param(lambda: attr("a") == (attr("b") == 1), id="compare-with-condition"),
    pytest.param(lambda: attr("a") == attr("n") + 1, id="arithmetic-in-condition"),
    pytest.param(
        lambda: (attr("a") == 1) & attr("b"),  # type: ignore[operator]
        id="and-with-a-path",
    ),
    pytest.param(
        lambda: (attr("a") == 1) | True,  # type: ignore[operator]
        id="or-with-bool",
    ),
    pytest.param(
        lambda: compile(attr("a")),  # type: ignore[arg-type]
        id="compile-a-path",
    ),
    pytest.param(
        lambda: compile_request(filter=attr("a")),  # type: ignore[arg-type]
        id="filter-is-a-path",
    ),
    # updates
    pytest.param(lambda: compile(Update()), id="empty-update"),
    pytest.param(lambda: compile_request(update=Update()), id="empty-update-in-request"),
    pytest.param(lambda: Update().set("a", 1).set("a", 2), id="set-twice"),
    pytest.param(lambda: Update().set("a", 1).remove("a"), id="set-and-remove"),
    pytest.param(lambda: Update().add("t", {"x"}).delete("t", {"y"}), id="add-and-delete"),
    pytest.param(lambda: Update().set("a", 1).set("a.b", 2), id="overlap-parent-first"),
    pytest.param(lambda: Update().remove("a.b[0]").set("a", 2), id="overlap-child-first"),
    pytest.param(lambda: Update().set("a.b", 1).set("a[0]", 2), id="map-vs-list-conflict"),
    pytest.param(lambda: Update(set={"a": 1}, remove=["a"]), id="keyword-form-overlap"),
    pytest.param(lambda: Update().set("a", 1).merge(Update().remove("a")), id="merge-overlap"),
    pytest.param(lambda: Update().add("a", "text"), id="add-string"),
    pytest.param(lambda: Update().add("a", True), id="add-bool"),
    pytest.param(lambda: Update().add("a", [1]), id="add-list"),
    pytest.param(lambda: Update().add("a", attr("b")), id="add-path"),
    pytest.param(lambda: Update().add("a", set()), id="add-empty-set"),
    pytest.param(lambda: Update().add("a", object()), id="add-unserialisable"),
    pytest.param(lambda: Update().delete("a", 1), id="delete-number"),
    pytest.param(lambda: Update().delete("a", frozenset()), id="delete-empty-set"),
    pytest.param(lambda: Update().set("a", attr("a") + 1 + 2), id="two-arithmetic-ops"),
    pytest.param(lambda: Update().set("a", attr("a") + "x"), id="arithmetic-on-string"),
    pytest.param(lambda: Update().set("a", list_append(attr("a"), 1)), id="list-append-number"),
    pytest.param(lambda: Update().set("a", size("b")), id="set-to-size"),
    # DynamoDB: a syntax error; the function is not allowed to be used this way; operands distinct
    pytest.param(lambda: if_not_exists("a", attr("b") + 1), id="if-not-exists-default-arithmetic"),
    pytest.param(
        lambda: if_not_exists("a", list_append(attr("b"), [1])), id="if-not-exists-default-append"
    ),
    pytest.param(lambda: if_not_exists("a.b", attr("a.b")), id="if-not-exists-of-itself"),
    pytest.param(lambda: list_append(list_append(attr("a"), [1]), [2]), id="nested-list-append"),
    pytest.param(lambda: list_append([0], list_append(attr("a"), [1])), id="nested-list-append-2"),
    pytest.param(lambda: Update().set("a", attr("b") == 1), id="set-to-condition"),
    pytest.param(lambda: Update().merge("a"), id="merge-non-update"),  # type: ignore[arg-type]
    pytest.param(
        lambda: compile_request(update=attr("a") == 1),  # type: ignore[arg-type]
        id="update-not-an-update",
    ),
    # projections
    pytest.param(lambda: projection(), id="empty-projection"),
    pytest.param(lambda: projection("a", "a.b"), id="projection-overlap"),
    pytest.param(lambda: projection("a", "a"), id="projection-duplicate"),
    pytest.param(lambda: projection("a[0]", "a.b"), id="projection-conflict"),
]


@pytest.mark.parametrize("build", REFUSED)
def test_refused_before_any_request(build: Callable[[], object]) -> None:
    with pytest.raises(ExpressionError):
        build()


def test_empty_set_value_in_set_action_is_refused() -> None:
    with pytest.raises(SerializationError):
        Update().set("tags", set())


def test_refusal_messages_name_the_paths() -> None:
    with pytest.raises(ExpressionError, match=r"attr\('a'\).*attr\('a\.b'\).*overlap"):
        Update().set("a", 1).remove("a.b")
    with pytest.raises(ExpressionError, match="two actions on attr\\('a'\\)"):
        Update().set("a", 1).add("a", 1)
    with pytest.raises(ExpressionError, match="empty set"):
        Update().add("tags", set())
    with pytest.raises(ExpressionError, match="a number or a set"):
        Update().add("a", "x")


# --------------------------------------------------------------------------- key conditions

KEY_OK: list[Any] = [
    pytest.param(lambda: attr("pk") == "a", id="pk-only"),
    pytest.param(lambda: (attr("pk") == "a") & (attr("sk") == "b"), id="eq-eq"),
    pytest.param(lambda: (attr("pk") == "a") & (attr("sk") < "b"), id="lt"),
    pytest.param(lambda: (attr("pk") == "a") & (attr("sk") <= "b"), id="le"),
    pytest.param(lambda: (attr("pk") == "a") & (attr("sk") > "b"), id="gt"),
    pytest.param(lambda: (attr("pk") == "a") & (attr("sk") >= 2), id="ge"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").between("a", "b"), id="between"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").between(2, 10), id="between-numbers"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").begins_with("P#"), id="begins-with"),
    pytest.param(lambda: attr("sk").begins_with("P#") & (attr("pk") == "a"), id="sort-first"),
]


@pytest.mark.parametrize("build", KEY_OK)
def test_valid_key_conditions(build: Callable[[], Condition]) -> None:
    check_key_condition(build())
    assert "KeyConditionExpression" in compile_request(key_condition=build())


KEY_REFUSED: list[Any] = [
    pytest.param(lambda: attr("sk") > "a", id="no-equality"),
    pytest.param(lambda: attr("pk").begins_with("a"), id="only-begins-with"),
    pytest.param(lambda: (attr("pk") == "a") | (attr("pk") == "b"), id="or"),
    pytest.param(lambda: ~(attr("pk") == "a"), id="not"),
    pytest.param(
        lambda: (attr("pk") == "a") & (attr("s1") == "b") & (attr("s2") == "c"), id="three-parts"
    ),
    pytest.param(lambda: (attr("pk") == "a") & (attr("pk") == "b"), id="same-attribute-twice"),
    pytest.param(lambda: (attr("pk") == "a") & (attr("sk") != "b"), id="not-equal"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").is_in("b"), id="in"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").contains("b"), id="contains"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").exists(), id="exists"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").is_type("S"), id="is-type"),
    pytest.param(lambda: (attr("pk") == "a") & (size("sk") > 1), id="size"),
    pytest.param(lambda: attr("pk.x") == "a", id="nested-path"),
    pytest.param(lambda: attr("pk") == attr("other"), id="path-on-the-right"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").between("b", "a"), id="between-swapped"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").between(10, 9), id="between-swapped-n"),
    pytest.param(lambda: (attr("pk") == "a") & attr("sk").between(1, "a"), id="between-mixed"),
    pytest.param(
        lambda: (attr("pk") == "a") & ((attr("sk") == "b") | (attr("sk") == "c")), id="nested-or"
    ),
    # DynamoDB: "Multiple attribute names used in one condition"
    pytest.param(
        lambda: (attr("pk") == "a") & attr("sk").begins_with(attr("x")), id="begins-with-a-path"
    ),
    # DynamoDB: "Condition parameter type does not match schema type" (keys are S, N or B)
    pytest.param(lambda: attr("pk") == True, id="bool-key-value"),  # noqa: E712
    pytest.param(lambda: attr("pk") == None, id="null-key-value"),  # noqa: E711
    pytest.param(lambda: (attr("pk") == "a") & (attr("sk") == {"m": 1}), id="map-key-value"),
    pytest.param(lambda: attr("pk") == {"a", "b"}, id="set-key-value"),
]


@pytest.mark.parametrize("build", KEY_REFUSED)
def test_invalid_key_conditions_are_refused(build: Callable[[], Condition]) -> None:
    with pytest.raises(ExpressionError):
        check_key_condition(build())
    with pytest.raises(ExpressionError):
        compile_request(key_condition=build())


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: size("a") == attr("a"), id="size-vs-own-path"),
        pytest.param(lambda: size("a") == size("a"), id="size-vs-own-size"),
        pytest.param(lambda: attr("m.n") == attr("m"), id="path-vs-its-parent"),
        pytest.param(lambda: attr("a").between(attr("b"), attr("b")), id="bounds-same-path"),
        pytest.param(lambda: attr("a").is_in(1, 1), id="in-repeated-value"),
        pytest.param(lambda: attr("a").between(1, 1), id="between-equal-bounds"),
        pytest.param(lambda: attr("a") != None, id="not-equal-null"),  # noqa: E711
    ],
)
def test_accepted_like_dynamodb(build: Callable[[], Condition]) -> None:
    # Each of these looks suspicious but DynamoDB accepts it (checked on DynamoDB Local).
    assert compile(build()).expression


def test_key_condition_must_be_a_condition() -> None:
    with pytest.raises(ExpressionError):
        check_key_condition(attr("pk"))


def test_between_bounds_compare_strings_by_utf8_bytes() -> None:
    # "\uffff" < "\U00010000" in both code points and UTF-8; a sanity check of the rule.
    check_key_condition((attr("pk") == "a") & attr("sk").between("\uffff", "\U00010000"))
    check_key_condition((attr("pk") == "a") & attr("sk").between(b"\x00", b"\x01"))


# --------------------------------------------------------------------------- properties

PLACEHOLDER = re.compile(r"#n\d+|:v\d+")
names = st.text(
    alphabet=st.characters(exclude_characters=".[]", exclude_categories=["Cs"]),
    min_size=1,
    max_size=8,
)
segment_lists = st.tuples(
    names, st.lists(st.one_of(names, st.integers(min_value=0, max_value=10**6)), max_size=6)
).map(lambda t: (t[0], *t[1]))


def to_text(segments: tuple[str | int, ...]) -> str:
    out = ""
    for s in segments:
        out += f"[{s}]" if isinstance(s, int) else ("." if out else "") + s
    return out


@given(segment_lists)
def test_path_text_round_trips_and_placeholders_each_name_once(
    segments: tuple[str | int, ...],
) -> None:
    path = attr(to_text(segments))
    assert path.segments == segments
    assert attr(str(path)).segments == segments
    compiled = compile(path.exists())
    distinct = list(dict.fromkeys(s for s in segments if isinstance(s, str)))
    assert list(compiled.names.values()) == distinct
    assert sorted(compiled.names) == sorted(f"#n{i}" for i in range(len(distinct)))
    assert len(set(re.findall(r"#n\d+", compiled.expression))) == len(distinct)


values = st.one_of(
    st.text(max_size=5),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.booleans(),
    st.none(),
    st.lists(st.integers(min_value=0, max_value=9), max_size=3),
)
paths = segment_lists.map(attr)
operands = st.one_of(paths, values, paths.map(size))


ordered = st.one_of(paths, st.text(max_size=5), st.integers(), paths.map(size))
bounds = st.one_of(
    st.lists(st.integers(), min_size=2, max_size=2).map(sorted),
    st.lists(st.text(max_size=3), min_size=2, max_size=2).map(lambda b: sorted(b, key=str.encode)),
    st.tuples(paths, paths),
)


def unless_self_compared(build: Callable[..., Condition]) -> Callable[..., Condition]:
    """Random paths may compare a path with itself, which DynamoDB refuses; fall back."""

    def safe(path: Any, *args: Any) -> Condition:
        try:
            return build(path, *args)
        except ExpressionError:
            return path.exists()  # type: ignore[no-any-return]

    return safe


def leaf_conditions() -> st.SearchStrategy[Condition]:
    return st.one_of(
        st.builds(unless_self_compared(lambda p, v: p == v), paths, operands),
        st.builds(unless_self_compared(lambda p, v: p != v), paths, operands),
        st.builds(unless_self_compared(lambda p, v: p < v), paths, ordered),
        st.builds(unless_self_compared(lambda p, v: p >= v), paths, ordered),
        st.builds(unless_self_compared(lambda p, b: p.between(*b)), paths, bounds),
        st.builds(
            unless_self_compared(lambda p, vs: p.is_in(*vs)),
            paths,
            st.lists(operands, min_size=2, max_size=4),
        ),
        st.builds(lambda p, v: p.begins_with(v), paths, st.text(max_size=3)),
        st.builds(
            unless_self_compared(lambda p, v: p.contains(v)), paths, st.one_of(paths, values)
        ),
        paths.map(lambda p: p.exists()),
        paths.map(lambda p: p.not_exists()),
        st.builds(lambda p, t: p.is_type(t), paths, st.sampled_from(["S", "N", "M", str, list])),
    )


conditions = st.recursive(
    leaf_conditions(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: a & b, inner, inner),
        st.builds(lambda a, b: a | b, inner, inner),
        inner.map(lambda a: ~a),
    ),
    max_leaves=12,
)


def assert_placeholders_match(params: dict[str, Any]) -> None:
    used: set[str] = set()
    for key, text in params.items():
        if key.endswith("Expression"):
            used.update(PLACEHOLDER.findall(text))
    declared = set(params.get("ExpressionAttributeNames", {})) | set(
        params.get("ExpressionAttributeValues", {})
    )
    assert used == declared
    # A name is never declared twice under two placeholders.
    declared_names = list(params.get("ExpressionAttributeNames", {}).values())
    assert len(declared_names) == len(set(declared_names))


@given(conditions)
def test_compiling_conditions_is_deterministic_and_placeholders_are_exact(
    cond: Condition,
) -> None:
    first, second = compile(cond), compile(cond)
    assert first == second
    assert_placeholders_match(
        {
            "ConditionExpression": first.expression,
            "ExpressionAttributeNames": first.names,
            "ExpressionAttributeValues": first.values,
        }
    )


@given(conditions, conditions, st.lists(segment_lists, min_size=1, max_size=3))
def test_several_expressions_share_placeholders_exactly(
    filter_: Condition, cond: Condition, projected: list[tuple[str | int, ...]]
) -> None:
    params = compile_request(
        key_condition=(attr("pk") == "p") & (attr("sk") > "s"),
        filter=filter_,
        condition=cond,
    )
    assert params == compile_request(
        key_condition=(attr("pk") == "p") & (attr("sk") > "s"),
        filter=filter_,
        condition=cond,
    )
    assert_placeholders_match(params)
    try:
        proj = projection(*(attr(p) for p in projected))
    except ExpressionError:
        return  # overlapping random paths
    assert_placeholders_match(compile_request(filter=filter_, projection=proj))


# --------------------------------------------------------------------------- docstrings


@pytest.mark.parametrize(
    "module",
    [sortkey.expr, sortkey._expr.nodes, sortkey._expr.update],
    ids=lambda m: m.__name__,
)
def test_docstring_examples_run(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------- key schema given

PK, SK = ["org", "region"], ["status", "at"]


def eq(name: str) -> Condition:
    return attr(name) == "v"


SCHEMA_OK: list[Any] = [
    pytest.param(lambda: eq("pk"), "pk", None, id="single-partition"),
    pytest.param(lambda: eq("pk") & (attr("sk") > "a"), "pk", "sk", id="single-with-sort"),
    pytest.param(lambda: eq("org") & eq("region"), PK, SK, id="multi-partition-only"),
    pytest.param(lambda: eq("region") & eq("org") & eq("status"), PK, SK, id="any-order"),
    pytest.param(
        lambda: eq("org") & eq("region") & attr("status").begins_with("o"),
        PK,
        SK,
        id="range-on-first-sort",
    ),
    pytest.param(
        lambda: eq("org") & eq("region") & eq("status") & attr("at").between("1", "2"),
        PK,
        SK,
        id="range-on-last-sort",
    ),
]


@pytest.mark.parametrize(("build", "partition", "sort"), SCHEMA_OK)
def test_key_condition_with_schema(
    build: Callable[[], Condition], partition: Any, sort: Any
) -> None:
    check_key_condition(build(), partition_key=partition, sort_key=sort)
    params = compile_request(key_condition=build(), partition_key=partition, sort_key=sort)
    assert "KeyConditionExpression" in params


SCHEMA_REFUSED: list[Any] = [
    pytest.param(
        lambda: eq("sk"),
        "pk",
        "sk",
        "needs an equality on partition key 'pk'",
        id="missing-partition",
    ),
    pytest.param(lambda: attr("pk") > "a", "pk", None, "takes only =", id="partition-range"),
    pytest.param(
        lambda: eq("pk") & eq("x"), "pk", "sk", "not a key attribute", id="other-attribute"
    ),
    pytest.param(lambda: eq("org"), PK, SK, "'region'", id="half-a-multi-partition"),
    pytest.param(
        lambda: eq("org") & eq("region") & eq("at"), PK, SK, "left to right", id="sort-gap"
    ),
    pytest.param(
        lambda: eq("org") & eq("region") & (attr("status") > "a") & eq("at"),
        PK,
        SK,
        "'status' needs =",
        id="range-before-last",
    ),
    pytest.param(lambda: eq("pk") & (attr("pk") == "w"), "pk", None, "twice", id="twice"),
    pytest.param(lambda: eq("pk") | eq("pk"), "pk", None, "OR", id="or"),
    pytest.param(
        lambda: eq("pk"),
        ["a", "b", "c", "d", "e"],
        None,
        "one to four",
        id="five-partition-attributes",
    ),
]


@pytest.mark.parametrize(("build", "partition", "sort", "message"), SCHEMA_REFUSED)
def test_key_condition_with_schema_refused(
    build: Callable[[], Condition], partition: Any, sort: Any, message: str
) -> None:
    with pytest.raises(ExpressionError, match=re.escape(message)):
        check_key_condition(build(), partition_key=partition, sort_key=sort)


def test_three_part_key_condition_needs_the_schema() -> None:
    cond = eq("org") & eq("region") & eq("status")
    with pytest.raises(ExpressionError):
        check_key_condition(cond)
    with pytest.raises(ExpressionError, match="partition_key"):
        check_key_condition(cond, sort_key=SK)


# --------------------------------------------------------------------------- DynamoDB's limits


def alternating(n: int) -> Condition:
    """``n`` comparisons combined with alternating & and |: a tree ``n`` levels deep."""
    cond = attr("x0") == 0
    for i in range(1, n):
        cond = (cond & (attr(f"x{i}") == i)) if i % 2 else (cond | (attr(f"x{i}") == i))
    return cond


def negated(n: int) -> Condition:
    cond = attr("a").exists()
    for _ in range(n):
        cond = ~cond
    return cond


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: compile(alternating(1000)), id="1000-conditions-nested"),
        pytest.param(lambda: compile(negated(1000)), id="1000-nots"),
        pytest.param(lambda: compile_request(filter=alternating(1000)), id="deep-filter"),
        pytest.param(lambda: compile(negated(300)), id="301-operators"),
        pytest.param(lambda: compile(attr("a").is_in(*range(100)) | negated(300)), id="in-and-or"),
    ],
)
def test_too_many_operators_is_a_clear_error_at_any_depth(build: Callable[[], object]) -> None:
    with pytest.raises(ExpressionError, match="at most 300"):
        build()


def test_deeply_nested_update_operands_are_refused_not_overflowed() -> None:
    default: Any = 0
    for i in range(1000):
        default = if_not_exists(f"a{i}", default)
    with pytest.raises(ExpressionError, match="at most 300"):
        compile(Update().set("n", default))


def test_exactly_300_operators_compile() -> None:
    # 299 NOT + one function: what DynamoDB Local accepts as 300.
    assert compile(negated(299)).expression.count("NOT") == 299
    # 150 functions joined by 149 OR + one NOT = 300.
    cond = attr("a0").exists()
    for i in range(1, 150):
        cond = cond | attr(f"a{i}").exists()
    compile(~cond)
    with pytest.raises(ExpressionError, match="302 operators"):  # + OR + a function
        compile(~cond | attr("b").exists())


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: compile(projection(*(f"a{i}" for i in range(800)))), id="projection"),
        pytest.param(
            lambda: compile(Update(set={f"a{i}": i for i in range(400)})), id="update-400-sets"
        ),
        pytest.param(
            lambda: compile_request(projection=[f"a{i}" for i in range(800)]),
            id="projection-in-request",
        ),
    ],
)
def test_expression_over_4096_characters_is_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ExpressionError, match="at most 4096"):
        build()


def test_limits_apply_to_each_expression_of_a_request_separately() -> None:
    params = compile_request(
        update=Update(set={f"a{i}": i for i in range(200)}),
        condition=negated(299),
    )
    assert len(params["UpdateExpression"]) <= 4096


def test_remove_keyword_takes_one_path_too() -> None:
    assert compile(Update(remove=attr("a.b"))).expression == "REMOVE #n0.#n1"
    assert compile(Update(remove="a.b")).expression == "REMOVE #n0.#n1"


@pytest.mark.parametrize("other", [True, None, 1])
def test_non_condition_on_the_left_of_and_or_is_a_clear_error(other: Any) -> None:
    with pytest.raises(ExpressionError, match="expected a condition"):
        other & (attr("a") == 1)
    with pytest.raises(ExpressionError, match="expected a condition"):
        other | (attr("a") == 1)
