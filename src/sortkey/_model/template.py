"""Key templates: Python format strings over entity fields, e.g. ``"ORDER#{status}#{day}"``.

Theory of operation:

* A template is a sequence of literal text and fields (``{name}`` or ``{name:spec}``). Two
  fields must be separated by literal text, and a field's value may not contain the literal
  text that follows it. Together these make rendering reversible (:meth:`Template.parse`) and
  make prefixes exact: the prefix rendered from the leading fields ends with the literal that
  follows the last given field, so ``USER#{id}#`` with ``id=1`` never matches ``id=10``.
* Values render as they are stored: a datetime as ISO 8601 UTC with microseconds (fixed
  width, so text order is time order), an enum as its value, anything else with ``format``.
  A format spec applies to the value (datetimes are converted to UTC first, so
  ``{created_at:%Y%m%d}`` is a UTC day).
* A template with a missing (``None``) field renders to ``None``: sparse index keys are simply
  not written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Any

from ..errors import DefinitionError, InvalidInput

__all__ = ["Key", "Template", "format_datetime", "render_value"]


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with microseconds and ``Z``: fixed width, so text order is time order.

    Naive datetimes are taken to be UTC.

    Example:
        >>> format_datetime(datetime(2024, 5, 1, 12, 30))
        '2024-05-01T12:30:00.000000Z'
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def render_value(value: object, spec: str = "") -> str:
    """One field's text inside a key, the way it is stored.

    Example:
        >>> render_value(datetime(2024, 5, 1, tzinfo=timezone.utc), "%Y%m%d")
        '20240501'
        >>> render_value(7, "04d")
        '0007'
    """
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return format(value, spec) if spec else format_datetime(value)
    if isinstance(value, date | time) and not spec:
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return format(value, spec)


@dataclass(frozen=True)
class _Field:
    name: str
    spec: str


class Template:
    """A parsed key template.

    Attributes:
        text: the template as written.
        literals: ``len(fields) + 1`` literal texts around the fields.
        fields: the fields, in order.

    Example:
        >>> t = Template("ORDER#{status}#{n:03d}")
        >>> t.render({"status": "open", "n": 7})
        'ORDER#open#007'
        >>> t.prefix({"status": "open"})
        'ORDER#open#'
        >>> t.parse("ORDER#open#007")
        {'status': 'open', 'n': '007'}
    """

    __slots__ = ("_pattern", "field_names", "fields", "literals", "text")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise DefinitionError(f"a key template must be a string, got {text!r}")
        self.text = text
        literals: list[str] = []
        fields: list[_Field] = []
        pending = ""
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise DefinitionError(
                f"template {text!r} is not a valid format string: {exc}"
            ) from None
        for literal, name, spec, conversion in parsed:
            pending += literal
            if name is None:
                continue
            if not name.isidentifier():
                raise DefinitionError(
                    f"template {text!r}: {{{name}}} must name a field (no indexing, attributes "
                    "or positional fields)"
                )
            if conversion:
                raise DefinitionError(
                    f"template {text!r}: conversions like !{conversion} are not allowed"
                )
            if "{" in (spec or ""):
                raise DefinitionError(
                    f"template {text!r}: nested fields in a format spec are not allowed"
                )
            if fields and not pending:
                raise DefinitionError(
                    f"template {text!r}: fields {{{fields[-1].name}}} and {{{name}}} touch; put "
                    f"literal text between them (e.g. '{{{fields[-1].name}}}#{{{name}}}') so "
                    "keys can be read back and prefixes stay exact"
                )
            literals.append(pending)
            pending = ""
            fields.append(_Field(name, spec or ""))
        literals.append(pending)
        self.literals: tuple[str, ...] = tuple(literals)
        self.fields: tuple[_Field, ...] = tuple(fields)
        #: The names of the fields, in order (without repeats).
        self.field_names: tuple[str, ...] = tuple(dict.fromkeys(f.name for f in fields))
        pattern = re.escape(literals[0])
        for lit in literals[1:]:
            pattern += "(.*?)" if lit else "(.*)"
            pattern += re.escape(lit)
        self._pattern = re.compile(pattern + r"\Z", re.DOTALL)

    def __repr__(self) -> str:
        return f"Template({self.text!r})"

    def _piece(self, i: int, value: object) -> str:
        piece = render_value(value, self.fields[i].spec)
        following = self.literals[i + 1]
        # The first occurrence of the following literal must be the one after the value:
        # this is what makes parse() and prefixes exact (not just "value lacks the literal":
        # 'a#' followed by '##' would end the value early too).
        if following and (piece + following).find(following) != len(piece):
            raise InvalidInput(
                f"value {piece!r} of field {self.fields[i].name!r} contains {following!r}, the "
                f"text that follows it in key template {self.text!r}; keys would be ambiguous"
            )
        return piece

    def render(self, values: Mapping[str, Any]) -> str | None:
        """The key text, or ``None`` when a field is missing or ``None`` (sparse keys)."""
        out = [self.literals[0]]
        for i, f in enumerate(self.fields):
            value = values.get(f.name)
            if value is None:
                return None
            out.append(self._piece(i, value))
            out.append(self.literals[i + 1])
        return "".join(out)

    def missing(self, values: Mapping[str, Any]) -> list[str]:
        """The fields of the template that ``values`` lacks (or holds as ``None``)."""
        return [n for n in self.field_names if values.get(n) is None]

    def prefix(self, values: Mapping[str, Any]) -> str:
        """The text rendered from the leading fields present in ``values``.

        Rendering stops at the first missing field, after the literal text before it, so the
        last given field is always followed by its separator.
        """
        out = [self.literals[0]]
        for i, f in enumerate(self.fields):
            value = values.get(f.name)
            if value is None:
                break
            out.append(self._piece(i, value))
            out.append(self.literals[i + 1])
        return "".join(out)

    def leading(self, values: Mapping[str, Any]) -> int:
        """How many leading fields ``values`` gives."""
        count = 0
        for f in self.fields:
            if values.get(f.name) is None:
                break
            count += 1
        return count

    def parse(self, text: str) -> dict[str, str] | None:
        """The field texts of a rendered key, or ``None`` if ``text`` does not fit."""
        match = self._pattern.match(text)
        if match is None:
            return None
        out: dict[str, str] = {}
        for f, piece in zip(self.fields, match.groups(), strict=True):
            if out.setdefault(f.name, piece) != piece:
                return None
        return out


@dataclass(frozen=True, init=False)
class Key:
    """How an entity fills a table's (or an index's) key attributes.

    Args:
        pk: the partition key template, e.g. ``"USER#{user_id}"``. Leave it out when the key
            attribute is itself a field of the entity, or for an LSI.
        sk: the sort key template, e.g. ``"POST#{post_id}"`` or the constant ``"#METADATA"``.

    Example:
        >>> Key(pk="USER#{user_id}", sk="#METADATA").fields
        ('user_id',)
    """

    pk: Template | None
    sk: Template | None

    def __init__(self, pk: str | None = None, sk: str | None = None) -> None:
        object.__setattr__(self, "pk", None if pk is None else Template(pk))
        object.__setattr__(self, "sk", None if sk is None else Template(sk))

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field either template uses."""
        names: dict[str, None] = {}
        for t in (self.pk, self.sk):
            if t is not None:
                names.update(dict.fromkeys(t.field_names))
        return tuple(names)

    def __repr__(self) -> str:
        pk = self.pk.text if self.pk else None
        sk = self.sk.text if self.sk else None
        return f"Key(pk={pk!r}, sk={sk!r})"
