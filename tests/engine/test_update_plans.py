"""UpdateExpression bind plans are reused across requests: the reuse must be invisible.

A plan is kept per (text, ExpressionAttributeNames, types of ExpressionAttributeValues); each
request's own values are applied, its own placeholders are marked used, and a request whose
value types differ binds again (and gets its own error).
"""

from __future__ import annotations

from typing import Any

import pytest

from sortkey.engine.errors import EngineError
from sortkey.engine.expressions import ExpressionContext, parse_condition, parse_update

TEXT = "SET #c = if_not_exists(#c, :zero) + :step, tags = list_append(tags, :more) ADD n :n"


def _apply(values: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    ctx = ExpressionContext({"#c": "count"}, values)
    update = parse_update(TEXT, ctx)
    ctx.check_all_used()
    return update.apply(item)


def test_each_request_applies_its_own_values() -> None:
    item = {"pk": {"S": "a"}, "tags": {"L": []}}
    first = _apply(
        {":zero": {"N": "0"}, ":step": {"N": "1"}, ":more": {"L": [{"S": "x"}]}, ":n": {"N": "5"}},
        item,
    )
    second = _apply(
        {":zero": {"N": "10"}, ":step": {"N": "2"}, ":more": {"L": [{"S": "y"}]}, ":n": {"N": "7"}},
        item,
    )
    assert first["count"] == {"N": "1"} and second["count"] == {"N": "12"}
    assert first["tags"] == {"L": [{"S": "x"}]} and second["tags"] == {"L": [{"S": "y"}]}
    assert first["n"] == {"N": "5"} and second["n"] == {"N": "7"}
    assert item == {"pk": {"S": "a"}, "tags": {"L": []}}


def test_other_value_types_bind_again_and_fail() -> None:
    good = {":zero": {"N": "0"}, ":step": {"N": "1"}, ":more": {"L": []}, ":n": {"N": "1"}}
    _apply(good, {"tags": {"L": []}})
    with pytest.raises(EngineError) as info:
        _apply({**good, ":step": {"S": "1"}}, {})
    assert "Incorrect operand type for operator or function" in info.value.message
    with pytest.raises(EngineError) as info:
        _apply({**good, ":n": {"S": "1"}}, {})
    assert "operator: ADD, operand type: STRING" in info.value.message


def test_reuse_marks_exactly_this_requests_uses() -> None:
    values = {":v": {"S": "x"}, ":c": {"S": "y"}}
    for _ in range(2):  # the second round reuses the plan
        ctx = ExpressionContext({"#a": "a"}, values)
        parse_update("SET #a = :v", ctx)
        parse_condition("#a <> :c", ctx, kind="ConditionExpression")
        ctx.check_all_used()
    # A name used by the condition before the update still counts as used by the update.
    for _ in range(2):
        ctx = ExpressionContext({"#a": "a"}, {":v": {"S": "x"}, ":c": {"S": "y"}})
        parse_condition("#a <> :c", ctx, kind="ConditionExpression")
        parse_update("SET #a = :v", ctx)
        ctx.check_all_used()
    for _ in range(2):
        ctx = ExpressionContext({"#a": "a"}, {":v": {"S": "x"}, ":unused": {"S": "y"}})
        parse_update("SET #a = :v", ctx)
        with pytest.raises(EngineError) as info:
            ctx.check_all_used()
        assert info.value.message == (
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
        )


def test_a_failed_binding_is_not_kept() -> None:
    for _ in range(2):
        with pytest.raises(EngineError) as info:
            parse_update("SET a = :missing", ExpressionContext(None, {":v": {"S": "x"}}))
        assert "attribute value: :missing" in info.value.message


def test_bound_updates_do_not_share_their_path_collections() -> None:
    ctx_values = {":v": {"S": "x"}}
    first = parse_update("SET a = :v", ExpressionContext(None, ctx_values))
    second = parse_update("SET a = :v", ExpressionContext(None, ctx_values))
    first.top_level_names.add("zzz")
    first.updated_paths.append(("zzz",))
    assert second.top_level_names == {"a"} and second.updated_paths == [("a",)]
