"""The error tree: one base class, DynamoDB codes mapped by cause, context kept."""

from __future__ import annotations

import re
import textwrap

import pytest

from sortkey import errors
from sortkey.errors import (
    AccessDenied,
    ConditionFailed,
    DynamoDBError,
    ItemTooLarge,
    ServiceError,
    SortkeyError,
    TableNotFound,
    Throttled,
    TransactionCanceled,
    ValidationError,
    from_code,
)


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        pytest.param("ConditionalCheckFailedException", "The conditional request failed",
                     ConditionFailed, id="condition"),
        pytest.param("ProvisionedThroughputExceededException", "slow down", Throttled,
                     id="throughput"),
        pytest.param("ThrottlingException", "slow down", Throttled, id="throttling"),
        pytest.param("RequestLimitExceeded", "slow down", Throttled, id="request-limit"),
        pytest.param("ResourceNotFoundException", "Requested resource not found", TableNotFound,
                     id="table"),
        pytest.param("ValidationException", "One or more parameter values were invalid",
                     ValidationError, id="validation"),
        pytest.param("ValidationException", "Item size has exceeded the maximum allowed size",
                     ItemTooLarge, id="item-too-large"),
        pytest.param("UnrecognizedClientException", "bad key", AccessDenied, id="credentials"),
        pytest.param("SomethingNewException", "?", ServiceError, id="unknown-code"),
    ],
)
def test_codes_map_to_causes(code: str, message: str, expected: type[DynamoDBError]) -> None:
    err = from_code(code, message, operation="PutItem", params={"TableName": "T"})
    assert type(err) is expected
    assert isinstance(err, SortkeyError)
    assert (err.code, err.message, err.operation, err.table_name) == (code, message, "PutItem", "T")
    assert "PutItem on table 'T' failed" in str(err)


def test_condition_failed_keeps_the_returned_item() -> None:
    item = {"pk": {"S": "a"}}
    err = from_code("ConditionalCheckFailedException", "failed", item=item)
    assert isinstance(err, ConditionFailed)
    assert err.item == item


def test_transaction_reasons_are_per_item_and_named_in_the_message() -> None:
    err = from_code(
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]",
        operation="TransactWriteItems",
        cancellation_reasons=[
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
             "Item": {"pk": {"S": "x"}}},
        ],
    )
    assert isinstance(err, TransactionCanceled)
    assert [r.code for r in err.reasons] == ["None", "ConditionalCheckFailed"]
    assert [r.failed for r in err.reasons] == [False, True]
    assert err.reasons[1].item == {"pk": {"S": "x"}}
    assert "#1: ConditionalCheckFailed" in str(err)


def test_every_public_error_derives_from_the_one_base() -> None:
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, SortkeyError), name


def test_input_errors_are_value_errors() -> None:
    assert issubclass(errors.SerializationError, ValueError)
    assert issubclass(errors.ExpressionError, ValueError)


def test_the_docstring_tree_is_the_class_tree() -> None:
    doc = errors.__doc__ or ""
    tree = textwrap.dedent(doc.split("::\n", 1)[1].split("\n\n", 1)[0])
    parents: dict[int, str] = {}
    seen = set()
    for line in tree.splitlines():
        match = re.match(r"^(\s*(?:[│ ]   )*)(?:[├└]── )?(\w+)", line)
        if not match or not match.group(2)[0].isupper():
            continue
        depth = len(match.group(1)) // 4 + (1 if "──" in line else 0)
        name = match.group(2)
        parents[depth] = name
        cls = getattr(errors, name)
        if depth > 0:
            assert cls.__bases__[0] is getattr(errors, parents[depth - 1]), name
        seen.add(name)
    classes = {
        n for n in errors.__all__
        if isinstance(getattr(errors, n), type) and issubclass(getattr(errors, n), Exception)
    }
    assert seen == classes
