"""Document paths as text and as segments.

Grammar of path text (what :func:`parse_path` accepts)::

    path    ::= name ( "." name | "[" index "]" )*
    name    ::= one or more characters other than "." "[" "]"
    index   ::= one or more ASCII digits          (a list position, 0-based, at most 2**31-1)

A path has at most 32 segments (DynamoDB's nesting limit).

A path is stored as a tuple of *segments*: ``str`` for a map key (or the top-level attribute
name) and ``int`` for a list index. The text form cannot spell a name that itself contains
``.``, ``[`` or ``]``; the segment form can, which is why both exist.
"""

from __future__ import annotations

from collections.abc import Sequence

from sortkey.errors import ExpressionError

Segment = str | int
Segments = tuple[Segment, ...]

_SPECIAL = ".[]"

#: DynamoDB refuses a list index above a signed 32-bit int ("not within the allowable range").
MAX_LIST_INDEX = 2**31 - 1

#: DynamoDB refuses a document path of more than 32 segments ("too many nesting levels").
MAX_DEPTH = 32


def parse_path(text: str) -> Segments:
    """Split path text into segments, refusing anything DynamoDB could not address."""
    if not isinstance(text, str):
        raise ExpressionError(f"a path must be text, got {type(text).__name__}")
    if not text:
        raise ExpressionError("empty attribute path")
    segments: list[Segment] = []
    i, n = 0, len(text)
    expect_name = True  # at the start and after every "."
    while i < n:
        if expect_name:
            j = i
            while j < n and text[j] not in _SPECIAL:
                j += 1
            if j == i:
                where = "starts with" if i == 0 else f"has an empty name at position {i} in"
                raise ExpressionError(
                    f"attribute path {text!r} {where} {text[i]!r}; every '.' must be followed "
                    "by a name (use attr.name(...) for a name that contains '.', '[' or ']')"
                )
            segments.append(text[i:j])
            i, expect_name = j, False
        elif text[i] == ".":
            i, expect_name = i + 1, True
            if i == n:
                raise ExpressionError(f"attribute path {text!r} ends with '.'")
        elif text[i] == "[":
            close = text.find("]", i)
            if close == -1:
                raise ExpressionError(f"attribute path {text!r} has '[' without ']'")
            inside = text[i + 1 : close]
            if inside.startswith("-") and inside[1:].isdigit():
                raise ExpressionError(
                    f"attribute path {text!r}: list index [{inside}] is negative; "
                    "DynamoDB list indexes count from 0"
                )
            if not (inside.isascii() and inside.isdigit()):
                raise ExpressionError(
                    f"attribute path {text!r}: [{inside}] is not a list index "
                    "(a list index is a non-negative integer such as [0])"
                )
            segments.append(int(inside))
            i = close + 1
        else:  # "]" or a name glued to a closing bracket, e.g. "a[0]b"
            raise ExpressionError(
                f"attribute path {text!r}: unexpected {text[i]!r} at position {i}; "
                "after ']' comes '.', '[' or the end"
            )
    return tuple(segments)


def check_segments(segments: Sequence[object]) -> Segments:
    """Validate a segment sequence given directly (``attr(["a.b", 0])``) and freeze it."""
    if isinstance(segments, str | bytes):
        raise ExpressionError("segments must be a sequence of names and indexes, not text")
    result: list[Segment] = []
    for position, segment in enumerate(segments):
        if isinstance(segment, bool) or not isinstance(segment, str | int):
            raise ExpressionError(
                f"path segment {segment!r} must be a name (str) or a list index (int)"
            )
        if isinstance(segment, str) and not segment:
            raise ExpressionError("a path segment name cannot be empty")
        if isinstance(segment, int) and segment < 0:
            raise ExpressionError(f"list index {segment} is negative; indexes count from 0")
        if isinstance(segment, int) and segment > MAX_LIST_INDEX:
            raise ExpressionError(
                f"list index {segment} is too large; DynamoDB allows at most {MAX_LIST_INDEX}"
            )
        if position == 0 and isinstance(segment, int):
            raise ExpressionError("a path must start with an attribute name, not a list index")
        result.append(segment)
    if not result:
        raise ExpressionError("empty attribute path")
    if len(result) > MAX_DEPTH:
        raise ExpressionError(
            f"attribute path has {len(result)} levels; DynamoDB allows at most {MAX_DEPTH}"
        )
    return tuple(result)


def format_path(segments: Segments) -> str:
    """Path text for display; names holding ``.[]`` are shown as ``'weird.name'`` segments."""
    out: list[str] = []
    for segment in segments:
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        else:
            shown = segment if not any(c in segment for c in _SPECIAL) else repr(segment)
            out.append(shown if not out else "." + shown)
    return "".join(out)


def is_plain(segments: Segments) -> bool:
    """Whether :func:`parse_path` of :func:`format_path` gives these segments back."""
    return all(isinstance(s, int) or not any(c in s for c in _SPECIAL) for s in segments)


def clash(a: Segments, b: Segments) -> str | None:
    """Why DynamoDB refuses two paths in one update or projection, or ``None`` if it does not.

    Two paths *overlap* when one is a prefix of the other (``a`` and ``a.b``, or the same path
    twice); they *conflict* when they agree up to a point where one reads a map key and the
    other a list index (``a.b`` and ``a[0]``).
    """
    for x, y in zip(a, b, strict=False):
        if x == y and type(x) is type(y):
            continue
        if isinstance(x, int) != isinstance(y, int):
            return "conflict"
        return None
    return "overlap"
