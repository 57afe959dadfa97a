"""The conformance harness: cases as data, two sides, normalised responses compared.

A :class:`Case` is a name, the fixture tables it needs (referenced by their logical name in the
requests' ``TableName``), and a list of :class:`Req`. Each request carries what DynamoDB Local
is expected to answer (``error=None`` for success, else the error code), so that the case
itself is checked against the oracle before the engine is compared with it.

Table names: every ``TableName`` (and ``RequestItems`` key, ``TransactItems`` table) is renamed
to a real name unique to the case, identically on both sides, so both answer about the same
names. Cases that only read use shared copies of their fixture tables (created once per side
per session); a case with any write request gets fresh copies of its fixtures.

Normalisation removes what legitimately differs between two correct implementations: ARNs,
table ids, timestamps, the order of indexes in a description, and the order of Scan results
across partitions (DynamoDB Local's Scan order is that of an internal hash of the partition key;
the engine is free to use another, so such Scans are compared as sorted multisets).
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Wire = dict[str, Any]

ORACLE_ONLY = os.environ.get("SORTKEY_CONFORMANCE", "").lower() == "oracle"
"""``SORTKEY_CONFORMANCE=oracle``: run the cases on DynamoDB Local alone (case development)."""

WRITE_OPS = frozenset(
    {
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "CreateTable",
        "DeleteTable",
        "UpdateTable",
        "UpdateTimeToLive",
    }
)

# Fields of a table description that differ between two correct implementations.
_VOLATILE = frozenset(
    {
        "CreationDateTime",
        "TableArn",
        "TableId",
        "IndexArn",
        "LatestStreamArn",
        "LatestStreamLabel",
        "LastIncreaseDateTime",
        "LastDecreaseDateTime",
        "LastUpdateToPayPerRequestDateTime",
        "LastUpdateDateTime",
        # DynamoDB updates it about every six hours; DynamoDB Local reports the size of the
        # whole items in the index, whatever the projection. Nothing to compare.
        "IndexSizeBytes",
    }
)
MAX_PAGES = 60
# Invalid names stay as they are, so that cases about name validation keep their meaning.
_VALID_NAME = re.compile(r"[A-Za-z0-9_.-]{3,200}")


@dataclass(frozen=True)
class Req:
    """One request of a case and what to compare of its answer.

    Attributes:
        op: the DynamoDB operation name.
        params: the request, wire format; ``TableName`` values are fixture/logical names.
        error: the error code DynamoDB Local answers (``None``: it succeeds).
        message: compare error messages (opt out with ``why``).
        why: the reason for an opt-out (required when ``message`` is False).
        unordered: compare ``Items`` as a sorted multiset (Scan across partitions).
        paginate: follow ``LastEvaluatedKey`` to the end, comparing every page.
        only: compare only these top-level response fields.
        drop: ignore these top-level response fields.
        engine_error: a deliberate difference: the engine must answer this error code
            (and a message containing ``engine_message``) whatever DynamoDB Local does.
        engine_expect: where DynamoDB Local is known to differ from DynamoDB, the normalised
            answer the engine must give instead (``engine_why`` says why; docs/engine.md
            lists these).
    """

    op: str
    params: Mapping[str, Any]
    error: str | None = None
    message: bool = True
    why: str = ""
    unordered: bool = False
    paginate: bool = False
    only: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    engine_error: str | None = None
    engine_message: str = ""
    engine_expect: Any = None
    engine_why: str = ""

    def __post_init__(self) -> None:
        if not self.message and not self.why:
            raise ValueError(f"{self.op}: an opt-out of message comparison needs a reason")
        if self.engine_expect is not None and not self.engine_why:
            raise ValueError(f"{self.op}: an expected engine answer needs a reason")


@dataclass(frozen=True)
class Case:
    """A named sequence of requests over fixture tables."""

    name: str
    requests: tuple[Req, ...]
    rename: bool = True
    cleanup: bool = False

    @property
    def writes(self) -> bool:
        return any(r.op in WRITE_OPS for r in self.requests)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.requests if r.error or r.engine_error)


def case(name: str, *requests: Req, rename: bool = True, cleanup: bool = False) -> Any:
    """A :class:`Case` wrapped as ``pytest.param`` with a readable id."""
    import pytest

    return pytest.param(Case(name, tuple(requests), rename, cleanup), id=name)


# --- fixtures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """A table definition (CreateTable without ``TableName``) and its items."""

    create: Mapping[str, Any]
    items: tuple[Mapping[str, Any], ...] = ()


FIXTURES: dict[str, Fixture] = {}


def fixture(name: str, create: Mapping[str, Any], items: Iterable[Mapping[str, Any]] = ()) -> str:
    """Register a fixture table by logical name; return the name."""
    FIXTURES[name] = Fixture(create, tuple(items))
    return name


# --- sides ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one side answered to one request."""

    response: Wire | None = None
    code: str | None = None
    message: str | None = None
    item: Wire | None = None
    reasons: list[Wire] | None = None

    def __str__(self) -> str:
        if self.code is None:
            return f"ok {self.response!r}"
        return f"{self.code}: {self.message}"


class Side:
    """One implementation under comparison: sends requests, sets up fixture tables."""

    def __init__(self, name: str, send: Callable[[str, Wire], Outcome]) -> None:
        self.name = name
        self.send = send
        self.shared: dict[str, str] = {}

    def create_fixture(self, logical: str, real: str) -> None:
        fx = FIXTURES[logical]
        out = self.send("CreateTable", {**copy.deepcopy(dict(fx.create)), "TableName": real})
        if out.code:
            raise AssertionError(f"{self.name}: creating fixture {logical} failed: {out}")
        items = [dict(i) for i in fx.items]
        for start in range(0, len(items), 25):
            chunk = items[start : start + 25]
            pending: Wire = {real: [{"PutRequest": {"Item": copy.deepcopy(i)}} for i in chunk]}
            for _ in range(10):
                out = self.send("BatchWriteItem", {"RequestItems": pending})
                if out.code or out.response is None:
                    raise AssertionError(f"{self.name}: loading fixture {logical} failed: {out}")
                pending = out.response.get("UnprocessedItems") or {}
                if not pending:
                    break

    def shared_table(self, logical: str) -> str:
        real = self.shared.get(logical)
        if real is None:
            real = f"{logical}-shared"
            self.create_fixture(logical, real)
            self.shared[logical] = real
        return real


def local_sender(client: Any) -> Callable[[str, Wire], Outcome]:
    """Send with a botocore client, keeping DynamoDB Local's raw error code and message."""
    from botocore import xform_name
    from botocore.exceptions import ClientError

    def send(op: str, params: Wire) -> Outcome:
        try:
            response = getattr(client, xform_name(op))(**params)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            return Outcome(
                code=err.get("Code"),
                message=err.get("Message"),
                item=exc.response.get("Item"),
                reasons=exc.response.get("CancellationReasons"),
            )
        response.pop("ResponseMetadata", None)
        return Outcome(response=response)

    return send


def engine_sender(engine: Any) -> Callable[[str, Wire], Outcome]:
    """Send to the embedded engine, turning ``EngineError`` into an outcome."""
    from sortkey.engine import EngineError

    def send(op: str, params: Wire) -> Outcome:
        try:
            response = engine.call(op, copy.deepcopy(params))
        except EngineError as exc:
            return Outcome(
                code=exc.code,
                message=exc.message,
                item=exc.item,
                reasons=exc.cancellation_reasons,
            )
        return Outcome(response=response)

    return send


# --- renaming -------------------------------------------------------------------------------

_case_numbers = itertools.count(1)


def table_names(params: Mapping[str, Any]) -> set[str]:
    """The logical table names a request refers to."""
    names: set[str] = set()
    if isinstance(params.get("TableName"), str):
        names.add(params["TableName"])
    if isinstance(params.get("RequestItems"), Mapping):
        names.update(params["RequestItems"])
    for entry in params.get("TransactItems") or ():
        for body in entry.values():
            if isinstance(body, Mapping) and isinstance(body.get("TableName"), str):
                names.add(body["TableName"])
    return names


def rename(params: Mapping[str, Any], names: Mapping[str, str]) -> Wire:
    """A copy of ``params`` with logical table names replaced by real ones."""
    out = copy.deepcopy(dict(params))
    if isinstance(out.get("TableName"), str):
        out["TableName"] = names.get(out["TableName"], out["TableName"])
    if isinstance(out.get("RequestItems"), dict):
        out["RequestItems"] = {names.get(k, k): v for k, v in out["RequestItems"].items()}
    for entry in out.get("TransactItems") or ():
        for body in entry.values():
            if isinstance(body, dict) and isinstance(body.get("TableName"), str):
                body["TableName"] = names.get(body["TableName"], body["TableName"])
    return out


def real_names(case: Case, side: Side, suffix: str) -> dict[str, str]:
    """Map each logical table name of the case to a real one, creating fixture tables."""
    if not case.rename:
        return {}
    logical = set().union(*(table_names(r.params) for r in case.requests))
    names: dict[str, str] = {}
    for name in sorted(logical):
        if name in FIXTURES:
            if case.writes:
                names[name] = f"{name}-{suffix}"
                side.create_fixture(name, names[name])
            else:
                names[name] = side.shared_table(name)
        elif _VALID_NAME.fullmatch(name):
            names[name] = f"{name}-{suffix}"
    return names


# --- normalisation --------------------------------------------------------------------------


def _canon(value: Any) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, (bytes, bytearray)):
            return {"__bytes__": bytes(o).hex()}
        return str(o)

    return json.dumps(value, sort_keys=True, default=default)


def _strip_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _strip_volatile(v) for k, v in value.items() if k not in _VOLATILE}
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "Replicas"):
            if isinstance(out.get(key), list):
                out[key] = sorted(out[key], key=lambda i: str(i.get("IndexName", "")))
        return out
    if isinstance(value, list):
        return [_strip_volatile(v) for v in value]
    return value


def normalise(req: Req, out: Outcome, names: Mapping[str, str]) -> Wire:
    """The comparable form of one outcome."""
    back = {real: logical for logical, real in names.items()}

    def unname(text: str) -> str:
        for real, logical in back.items():
            text = text.replace(real, logical)
        return text

    if out.code is not None:
        result: Wire = {"error": out.code}
        if req.message:
            result["message"] = unname(out.message or "")
        if out.item is not None:
            result["Item"] = out.item
        if out.reasons is not None:
            result["CancellationReasons"] = out.reasons
        return _sort_sets(json.loads(_canon(result)))
    response = dict(out.response or {})
    response.pop("ResponseMetadata", None)
    for key in ("TableDescription", "Table"):
        if key in response:
            response[key] = _strip_volatile(response[key])
    if req.params.get("ReturnConsumedCapacity", "NONE") == "NONE":
        # DynamoDB Local reports capacity unasked in some answers (DeleteItem of a missing
        # item); capacity is compared only where a case asks for it.
        response.pop("ConsumedCapacity", None)
    if req.only:
        response = {k: v for k, v in response.items() if k in req.only}
    for key in req.drop:
        response.pop(key, None)
    if req.op == "BatchGetItem" and isinstance(response.get("Responses"), dict):
        # BatchGetItem returns each table's items in no particular order.
        response["Responses"] = {
            t: sorted(items, key=_canon) for t, items in response["Responses"].items()
        }
    if req.unordered and isinstance(response.get("Items"), list):
        response["Items"] = sorted(response["Items"], key=_canon)
    # Table names inside responses (batch maps, capacity) back to logical names.
    return _sort_sets(json.loads(unname(_canon(response))))


def _sort_sets(value: Any) -> Any:
    """Sort the members of every SS/NS/BS: DynamoDB's sets have no order."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("SS", value.get("NS", value.get("BS"))), list):
            ((kind, members),) = value.items()
            return {kind: sorted(members, key=_canon)}
        return {k: _sort_sets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sort_sets(v) for v in value]
    return value


WAIT = "_WaitActive"
"""A pseudo-operation: poll DescribeTable until the table and its indexes are ACTIVE.

DynamoDB Local builds a new GSI asynchronously (``CREATING``, then ``ACTIVE`` some
milliseconds later), as DynamoDB does; a case waits before it queries the new index.
"""


def wait_active(side: Side, table: str) -> None:
    """Poll until ``table`` and its GSIs are ACTIVE (or the table is gone)."""
    for _ in range(400):
        out = side.send("DescribeTable", {"TableName": table})
        if out.code or out.response is None:
            return
        desc = out.response["Table"]
        statuses = [desc.get("TableStatus")] + [
            g.get("IndexStatus") for g in desc.get("GlobalSecondaryIndexes") or ()
        ]
        if all(s == "ACTIVE" for s in statuses):
            types = {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]}
            for index in desc.get("GlobalSecondaryIndexes") or ():
                keys = [k["AttributeName"] for k in index["KeySchema"]]
                wait_backfilled(side, table, index["IndexName"], {k: types[k] for k in keys})
            return
        time.sleep(0.02)
    raise AssertionError(f"{side.name}: {table} did not become ACTIVE")


def _count(side: Side, params: Wire) -> int | None:
    """Every page of a ``Select=COUNT`` Scan, added up (None if the scan failed)."""
    total = 0
    page = dict(params, Select="COUNT")
    for _ in range(MAX_PAGES):
        out = side.send("Scan", page)
        if out.code or out.response is None:
            return None
        total += int(out.response.get("Count", 0))
        lek = out.response.get("LastEvaluatedKey")
        if not lek:
            return total
        page = {**page, "ExclusiveStartKey": lek}
    return total


def wait_backfilled(side: Side, table: str, index: str, key_types: Mapping[str, str]) -> None:
    """Poll until a new GSI holds every base item that has its key attributes (typed right).

    DynamoDB Local reports a new GSI ACTIVE while its backfill may not have started yet (a
    case failed that way on a loaded machine): the index must reach the count of base items
    that belong in it, computed from a scan of the table (at most ~10 s, then the comparison
    shows whatever is there).
    """
    names = {f"#k{i}": name for i, name in enumerate(key_types)}
    condition = " AND ".join(
        f"attribute_type({placeholder}, :t{i})" for i, placeholder in enumerate(names)
    )
    values = {f":t{i}": {"S": kind} for i, kind in enumerate(key_types.values())}
    expected = _count(
        side,
        {
            "TableName": table,
            "FilterExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        },
    )
    if expected is None:
        return
    for _ in range(200):
        if _count(side, {"TableName": table, "IndexName": index}) in (expected, None):
            return
        time.sleep(0.05)


SEGMENTS = "_ScanSegments"
"""A pseudo-operation: a parallel Scan, every segment of ``TotalSegments`` to its end.

Which segment an item falls in depends on DynamoDB's internal hash of the partition key;
what a client relies on is that the segments together return every item exactly once. That is
what is compared (the union, sorted), plus the requests' errors.
"""


def scan_segments(side: Side, req: Req, params: Wire, names: Mapping[str, str]) -> Wire:
    """Run every segment of a parallel scan; the sorted union of their items."""
    union: list[Any] = []
    for segment in range(int(params["TotalSegments"])):
        page_params = {**params, "Segment": segment}
        for _ in range(MAX_PAGES):
            out = side.send("Scan", page_params)
            if out.code is not None or out.response is None:
                return normalise(req, out, names)
            union.extend(normalise(req, out, names).get("Items", []))
            lek = out.response.get("LastEvaluatedKey")
            if not lek:
                break
            page_params = {**page_params, "ExclusiveStartKey": lek}
    return {"items": sorted(union, key=_canon), "count": len(union)}


def run_request(side: Side, req: Req, names: Mapping[str, str]) -> Wire:
    """Send one request (following pages when asked); the normalised answer."""
    params = rename(req.params, names)
    if req.op == WAIT:
        wait_active(side, params["TableName"])
        return {}
    if req.op == SEGMENTS:
        return scan_segments(side, req, params, names)
    if not req.paginate:
        return normalise(req, side.send(req.op, params), names)
    pages: list[Wire] = []
    union: list[Any] = []
    for _ in range(MAX_PAGES):
        out = side.send(req.op, params)
        page = normalise(req, out, names)
        if out.code is not None or out.response is None:
            pages.append(page)
            break
        lek = out.response.get("LastEvaluatedKey")
        if req.unordered:
            # Page boundaries depend on the scan order: compare only page sizes and the union.
            union.extend(page.pop("Items", []))
            if "LastEvaluatedKey" in page:
                page["LastEvaluatedKey"] = "<present>"
        pages.append(page)
        if not lek:
            break
        params = {**params, "ExclusiveStartKey": lek}
    result: Wire = {"pages": pages}
    if req.unordered:
        result["items"] = sorted(union, key=_canon)
    return result


def outcome_code(answer: Wire) -> str | None:
    """The error code of a normalised answer (the first failing page when paginated)."""
    if "pages" in answer:
        for page in answer["pages"]:
            if "error" in page:
                return str(page["error"])
        return None
    code = answer.get("error")
    return None if code is None else str(code)


@dataclass
class Transcript:
    """The answers of one side to every request of a case."""

    side: str
    answers: list[Wire] = field(default_factory=list)


def play(case: Case, side: Side, suffix: str) -> Transcript:
    """Run every request of ``case`` on ``side``."""
    names = real_names(case, side, suffix)
    transcript = Transcript(side.name)
    try:
        for req in case.requests:
            transcript.answers.append(run_request(side, req, names))
    finally:
        if case.cleanup:
            for name in {*names.values(), *_created_tables(case)}:
                side.send("DeleteTable", {"TableName": name})
    return transcript


def _created_tables(case: Case) -> set[str]:
    return {
        str(r.params["TableName"])
        for r in case.requests
        if r.op == "CreateTable" and not case.rename
    }


def check_oracle(case: Case, transcript: Transcript) -> None:
    """Assert that DynamoDB Local answered each request as the case expects."""
    problems = []
    for index, (req, answer) in enumerate(zip(case.requests, transcript.answers, strict=False)):
        if req.engine_error:
            continue
        code = outcome_code(answer)
        if code != req.error:
            problems.append(
                f"request {index} ({req.op}): expected {req.error or 'success'}, "
                f"DynamoDB Local answered {code or 'success'}: "
                f"{json.dumps(answer, default=str)[:600]}"
            )
    assert not problems, "the case disagrees with DynamoDB Local:\n" + "\n".join(problems)


def compare(case: Case, local: Transcript, engine: Transcript) -> None:
    """Assert the engine answered every request like DynamoDB Local (or as documented)."""
    for index, req in enumerate(case.requests):
        mine = engine.answers[index] if index < len(engine.answers) else None
        if req.engine_error:
            assert mine is not None
            code = outcome_code(mine)
            assert code == req.engine_error, (
                f"request {index} ({req.op}): the engine must answer {req.engine_error} "
                f"(deliberate difference), it answered {mine}"
            )
            assert req.engine_message in str(mine.get("message", "")), mine
            continue
        theirs = local.answers[index] if req.engine_expect is None else req.engine_expect
        assert mine == theirs, (
            f"request {index} ({req.op}) differs:\n{describe_difference(mine, theirs)}\n"
            f"request: {_short(dict(req.params))}"
        )


def _short(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, default=repr, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "..."


def describe_difference(mine: Any, theirs: Any, path: str = "") -> str:
    """The first places where two normalised answers differ, one per line."""
    if isinstance(mine, dict) and isinstance(theirs, dict):
        absent = "<absent>"
        lines = [
            describe_difference(mine.get(k, absent), theirs.get(k, absent), f"{path}.{k}")
            for k in sorted(set(mine) | set(theirs))
            if mine.get(k, absent) != theirs.get(k, absent)
        ]
        return "\n".join(lines[:6])
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        lines = [
            describe_difference(a, b, f"{path}[{i}]")
            for i, (a, b) in enumerate(zip(mine, theirs, strict=True))
            if a != b
        ]
        return "\n".join(lines[:6])
    return f"  {path or '<answer>'}: engine {_short(mine, 300)} / local {_short(theirs, 300)}"


def next_suffix() -> str:
    """A case-unique suffix for table names."""
    return f"c{next(_case_numbers)}"


def sort_key(item: Any) -> str:
    """A total order over wire values (for multiset comparison)."""
    return _canon(item)
