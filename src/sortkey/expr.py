"""Build DynamoDB expressions from Python: conditions, key conditions, updates, projections.

A short guide (every line below runs):

Paths. ``attr("a.b[2].c")`` addresses attribute ``a``, its map key ``b``, list element 2, map
key ``c``. A name that itself contains ``.`` ``[`` or ``]`` is spelled with ``attr.name(...)``
(one top-level name, taken literally), with a sequence of segments ``attr(["a.b", 0, "c"])``,
or by indexing a path: ``attr("a")["b.c"]``.

    >>> from sortkey.expr import Update, attr, compile, compile_request, size
    >>> attr("a.b[2].c").segments
    ('a', 'b', 2, 'c')
    >>> attr.name("weird.name[1]").segments
    ('weird.name[1]',)

Conditions (for ``condition=`` and filters) come from operators and methods on paths, and
combine with ``&`` (and), ``|`` (or), ``~`` (not); never ``and``/``or``/``not``/``if``, which
raise ``TypeError``:

    >>> cond = attr("email").begins_with("a") & (attr("age") >= 18)
    >>> compile(cond)
    Compiled(expression='begins_with(#n0, :v0) AND #n1 >= :v1', \
names={'#n0': 'email', '#n1': 'age'}, values={':v0': {'S': 'a'}, ':v1': {'N': '18'}})
    >>> compile((size("tags") > 0) | ~attr("deleted").exists()).expression
    'size(#n0) > :v0 OR NOT attribute_exists(#n1)'

Key conditions (for Query) are conditions too: a partition-key equality and at most one
sort-key condition, checked by :func:`compile_request` (or :func:`check_key_condition`).

Updates are immutable builders; each method returns a new :class:`Update`:

    >>> u = Update().set("status", "published").set("views", attr("views") + 1).remove("draft")
    >>> compile(u).expression
    'SET #n0 = :v0, #n1 = #n1 + :v1 REMOVE #n2'

A whole request: one placeholder space shared by all its expressions, ready for botocore.

    >>> params = compile_request(
    ...     key_condition=(attr("pk") == "USER#1") & attr("sk").begins_with("POST#"),
    ...     filter=attr("status") == "published",
    ...     projection=["title", "status"],
    ... )
    >>> params["KeyConditionExpression"], params["FilterExpression"]
    ('#n0 = :v0 AND begins_with(#n1, :v1)', '#n2 = :v2')
    >>> params["ProjectionExpression"]
    '#n3, #n2'

Every attribute name goes through a ``#n`` placeholder (reserved words never matter) and every
value through a ``:v`` placeholder, serialized by :func:`sortkey.codec.serialize`. Anything
DynamoDB would refuse (malformed paths, an empty update, two actions on one path, ADD with a
string...) raises :class:`sortkey.errors.ExpressionError` before any request is sent.

Paths are unhashable: ``==`` on a path builds a condition, so a path cannot be a dict key or a
set member; use ``path.segments``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sortkey._expr.compiler import Compiled, compile_one, compile_params
from sortkey._expr.keys import check_key_condition as _check_key_condition
from sortkey._expr.nodes import (
    Condition,
    IfNotExists,
    ListAppend,
    Path,
    PathLike,
    Size,
    to_path,
    update_operand,
)
from sortkey._expr.path import check_segments
from sortkey._expr.projection import Projection, make_projection
from sortkey._expr.update import Update
from sortkey.errors import ExpressionError

__all__ = [
    "Compiled",
    "Condition",
    "Path",
    "PathLike",
    "Projection",
    "Size",
    "Update",
    "attr",
    "check_key_condition",
    "compile",
    "compile_request",
    "if_not_exists",
    "list_append",
    "projection",
    "size",
]


class _Attr:
    """Make a document path: ``attr("a.b[0]")``, ``attr(["a.b", 0])`` or ``attr.name("a.b")``.

    ``attr(text)`` parses dotted map keys and ``[n]`` list indexes; ``attr(segments)`` takes a
    sequence of names (``str``) and indexes (``int``) literally; ``attr(path)`` returns it.

    Example:
        >>> from sortkey.expr import attr
        >>> attr("a.b[2].c").segments
        ('a', 'b', 2, 'c')
        >>> attr(["a.b", 0, "c"])
        attr(('a.b', 0, 'c'))
        >>> attr("a..b")
        Traceback (most recent call last):
        ...
        sortkey.errors.ExpressionError: attribute path 'a..b' has an empty name at position 2 \
in '.'; every '.' must be followed by a name (use attr.name(...) for a name that contains '.', \
'[' or ']')
    """

    def __call__(self, path: PathLike) -> Path:
        return to_path(path)

    def name(self, name: str) -> Path:
        """A top-level attribute whose name is taken literally, dots and brackets included.

        Example:
            >>> from sortkey.expr import attr, compile
            >>> compile(attr.name("weird.name[1]").exists()).names
            {'#n0': 'weird.name[1]'}
        """
        if not isinstance(name, str):
            raise ExpressionError(f"an attribute name must be text, got {type(name).__name__}")
        return Path(check_segments((name,)))

    def __repr__(self) -> str:
        return "sortkey.expr.attr"


attr: Final = _Attr()


def size(path: PathLike) -> Size:
    """``size(path)`` for comparisons: string length, byte count, or number of elements.

    Example:
        >>> from sortkey.expr import compile, size
        >>> compile(size("tags").between(1, 5)).expression
        'size(#n0) BETWEEN :v0 AND :v1'
    """
    return Size(to_path(path))


def if_not_exists(path: PathLike, default: object) -> IfNotExists:
    """In an update SET: the value at ``path``, or ``default`` when the item has none.

    Example:
        >>> from sortkey.expr import Update, compile, if_not_exists
        >>> compile(Update().set("created", if_not_exists("created", "2024"))).expression
        'SET #n0 = if_not_exists(#n0, :v0)'
    """
    return IfNotExists(to_path(path), update_operand(default))


def list_append(first: object, second: object) -> ListAppend:
    """In an update SET: the list ``first`` followed by the list ``second``.

    Either may be a path or a Python list; put the new elements first to prepend.

    Example:
        >>> from sortkey.expr import Update, attr, compile, list_append
        >>> compile(Update().set("log", list_append(attr("log"), ["x"]))).expression
        'SET #n0 = list_append(#n0, :v0)'
    """
    return ListAppend(update_operand(first), update_operand(second))


def projection(*paths: PathLike) -> Projection:
    """The attributes a read returns: ``ProjectionExpression``.

    Example:
        >>> from sortkey.expr import attr, compile, projection
        >>> compile(projection("a", "b.c", attr("d[0]"))).expression
        '#n0, #n1.#n2, #n3[0]'
    """
    return make_projection(paths)


def compile(expr: Condition | Update | Projection) -> Compiled:  # noqa: A001
    """Compile one expression on its own placeholder space.

    For a request with several expressions use :func:`compile_request`, which shares one
    placeholder space between them.

    Example:
        >>> from sortkey.expr import attr, compile
        >>> compile(attr("status") == "draft")
        Compiled(expression='#n0 = :v0', names={'#n0': 'status'}, values={':v0': {'S': 'draft'}})
    """
    return compile_one(expr)


def compile_request(
    *,
    key_condition: Condition | None = None,
    filter: Condition | None = None,  # noqa: A002
    projection: Projection | Sequence[PathLike] | None = None,
    update: Update | None = None,
    condition: Condition | None = None,
    partition_key: str | Sequence[str] | None = None,
    sort_key: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Compile a request's expressions into botocore parameters, sharing one placeholder space.

    Args:
        key_condition: the Query key condition (checked by :func:`check_key_condition`, with
            ``partition_key`` and ``sort_key`` when given).
        filter: a Query/Scan filter.
        projection: a :func:`projection`, or a list of paths.
        update: an :class:`Update` (UpdateItem).
        condition: the condition of a write.
        partition_key: the queried table's or index's partition key attribute name(s), to
            check the key condition exactly (needed for multi-attribute GSI keys).
        sort_key: its sort key attribute name(s), likewise.

    Returns:
        The present ones of ``KeyConditionExpression``, ``FilterExpression``,
        ``ProjectionExpression``, ``UpdateExpression``, ``ConditionExpression``,
        ``ExpressionAttributeNames`` and ``ExpressionAttributeValues`` (empty maps are left
        out: DynamoDB refuses them).

    Example:
        >>> from sortkey.expr import Update, attr, compile_request
        >>> compile_request(update=Update().set("status", "published"),
        ...                 condition=attr("status") == "draft")
        ... # doctest: +NORMALIZE_WHITESPACE
        {'UpdateExpression': 'SET #n0 = :v0', 'ConditionExpression': '#n0 = :v1',
         'ExpressionAttributeNames': {'#n0': 'status'},
         'ExpressionAttributeValues': {':v0': {'S': 'published'}, ':v1': {'S': 'draft'}}}
    """
    return compile_params(
        key_condition=key_condition,
        filter=filter,
        projection=projection,
        update=update,
        condition_=condition,
        partition_key=partition_key,
        sort_key=sort_key,
    )


def check_key_condition(
    condition: object,
    *,
    partition_key: str | Sequence[str] | None = None,
    sort_key: str | Sequence[str] | None = None,
) -> None:
    """Raise :class:`~sortkey.errors.ExpressionError` unless ``condition`` suits a Query.

    A key condition is an equality on the partition key and at most one condition on the sort
    key (``=``, ``<``, ``<=``, ``>``, ``>=``, ``between``, ``begins_with``) joined with ``&``;
    no ``|``, ``~``, ``is_in``, ``!=`` or other functions.

    Without ``partition_key``, any one attribute may be the partition key. With the key schema
    the check is exact, and multi-attribute keys (GSIs with up to four partition and four sort
    attributes) are understood: ``=`` on every partition attribute, and conditions on a leading
    run of the sort attributes with ``=`` on all but the last.

    Args:
        condition: the key condition.
        partition_key: the partition key attribute name, or names for a multi-attribute key.
        sort_key: the sort key attribute name(s), if any.

    Example:
        >>> from sortkey.expr import attr, check_key_condition
        >>> check_key_condition((attr("pk") == "A") & (attr("sk") > "2024"))
        >>> check_key_condition((attr("pk") == "A") | (attr("pk") == "B"))
        Traceback (most recent call last):
        ...
        sortkey.errors.ExpressionError: key condition: OR and NOT are not allowed (use a filter \
for those)
        >>> by_org = (attr("org") == "o1") & (attr("region") == "eu") & (attr("status") == "open")
        >>> check_key_condition(by_org, partition_key=["org", "region"], sort_key=["status", "at"])
    """
    _check_key_condition(condition, partition_key=partition_key, sort_key=sort_key)
