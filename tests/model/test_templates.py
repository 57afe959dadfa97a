"""Key templates, offline: rendering, parsing back, prefixes, definition-time refusals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import Enum

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sortkey._model.template import Template, format_datetime, render_value
from sortkey.errors import DefinitionError, InvalidInput

literal = st.text(alphabet="#:/|ab-", min_size=1, max_size=3)
value = st.text(alphabet="ab#:/|-1x", max_size=6)


@st.composite
def template_and_values(draw: st.DrawFn) -> tuple[Template, dict[str, str]]:
    n = draw(st.integers(1, 4))
    lits = [draw(st.one_of(st.just(""), literal))] + [draw(literal) for _ in range(n - 1)]
    lits.append(draw(st.one_of(st.just(""), literal)))
    text = lits[0] + "".join(f"{{f{i}}}{lits[i + 1]}" for i in range(n))
    template = Template(text)
    values = {f"f{i}": draw(value) for i in range(n)}
    return template, values


def renders(template: Template, values: dict[str, str]) -> str | None:
    try:
        return template.render(values)
    except InvalidInput:
        return None


@given(template_and_values())
def test_render_parse_round_trip(case: tuple[Template, dict[str, str]]) -> None:
    template, values = case
    text = renders(template, values)
    assume(text is not None)
    assert text is not None
    assert template.parse(text) == values


@given(template_and_values(), template_and_values(), st.integers(0, 4))
def test_prefix_matches_exactly_the_keys_with_those_leading_fields(
    case: tuple[Template, dict[str, str]], other: tuple[Template, dict[str, str]], k: int
) -> None:
    template, values = case
    other_values = {name: other[1].get(name, v) for name, v in values.items()}
    full, candidate = renders(template, values), renders(template, other_values)
    assume(full is not None and candidate is not None)
    assert full is not None and candidate is not None
    leading = {f"f{i}": values[f"f{i}"] for i in range(min(k, len(values)))}
    prefix = template.prefix(leading)
    assert full.startswith(prefix)
    same_leading = all(other_values[n] == v for n, v in leading.items())
    if len(leading) < len(values):  # a partial key: begins_with on the prefix
        assert candidate.startswith(prefix) == same_leading


def test_complete_field_never_prefix_matches_a_longer_value() -> None:
    template = Template("USER#{id}#")
    assert template.prefix({"id": "1"}) == "USER#1#"
    assert not template.render({"id": "10"}).startswith(template.prefix({"id": "1"}))  # type: ignore[union-attr]
    assert Template("ORDER#{status}#{day}").prefix({"status": "a"}) == "ORDER#a#"
    assert Template("ORDER#{status}#{day}").prefix({}) == "ORDER#"


class Color(Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        pytest.param(
            datetime(2024, 5, 1, 12, tzinfo=timezone.utc),
            "",
            "2024-05-01T12:00:00.000000Z",
            id="iso",
        ),  # noqa: E501
        pytest.param(
            datetime(2024, 5, 1, 23, tzinfo=timezone(timedelta(hours=-2))),
            "%Y%m%d",
            "20240502",
            id="utc-day",
        ),  # noqa: E501
        pytest.param(7, "05d", "00007", id="int-spec"),
        pytest.param(Color.RED, "", "red", id="enum"),
        pytest.param(True, "", "true", id="bool"),
    ],
)
def test_render_value(value: object, spec: str, text: str) -> None:
    assert render_value(value, spec) == text


def test_datetime_text_sorts_like_time() -> None:
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    times = [base + timedelta(microseconds=n) for n in (0, 1, 999_999, 1_000_000)]
    assert sorted(map(format_datetime, times)) == list(map(format_datetime, times))


def test_missing_field_renders_none() -> None:
    assert Template("A#{a}#{b}").render({"a": "x"}) is None
    assert Template("A#{a}#{b}").missing({"a": "x", "b": None}) == ["b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("{a}{b}", "touch", id="adjacent"),
        pytest.param("{a.b}", "must name a field", id="attribute"),
        pytest.param("{0}", "must name a field", id="positional"),
        pytest.param("{a!r}", "conversions", id="conversion"),
        pytest.param("{a", "not a valid format string", id="unbalanced"),
    ],
)
def test_bad_templates(text: str, message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        Template(text)


def test_value_containing_the_following_literal_is_refused() -> None:
    with pytest.raises(InvalidInput, match="ambiguous"):
        Template("ORDER#{status}#{day}").render({"status": "a#b", "day": "1"})
    assert Template("EMAIL#{email}").render({"email": "a#b"}) == "EMAIL#a#b"  # last: fine
