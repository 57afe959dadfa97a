"""Transactions: TransactWriteItems assembled from entity writes, and TransactGetItems.

Theory of operation:

* :class:`TransactionBuilder` collects operations (``create``, ``put``, ``update``,
  ``delete``, ``condition_check`` on entities; ``put_item``, ``update_item``, ``delete_item``,
  ``condition_check_item`` on plain items of a table). Each is built when it is added, so bad
  input raises at the line that gave it, and nothing is sent until
  :meth:`TransactionBuilder.flow` runs.
* Unique guards and versions fold into the same request: a write of an entity with
  ``__unique__`` fields brings its guard items along. Writes that need the stored item first
  (``put``/``delete`` of such an entity, an update that changes a unique value or needs
  ``fetch``) are built at commit, after a consistent read, and conditioned on what was read;
  if another writer got in between, the reads and the transaction are retried.
* Before sending: at most 100 items (guards included), never two operations on one item.
* A cancelled transaction raises :class:`TransactionCanceled` whose ``failures`` name each
  operation that caused it, with its cause as the error that operation alone would raise
  (``ItemExists``, ``ItemNotFound``, ``StaleVersion``, ``UniqueViolation``,
  ``ConditionFailed``...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .._expr.compiler import compile_params
from .._expr.nodes import Condition
from .._expr.nodes import condition as as_condition
from .._model.entity import Entity, EntitySpec, spec_of
from .._model.item import from_item, key_from
from .._model.table import Table
from ..codec import deserialize_item, serialize_item
from ..errors import (
    CancellationReason,
    ConditionFailed,
    DynamoDBError,
    InvalidInput,
    SortkeyError,
    TransactionCanceled,
    TransactionFailure,
    UniqueViolation,
    from_code,
)
from . import plain
from .steps import DEFAULT_CONTEXT, Context, Flow, Request, Vouched, send
from .targets import KeyInput, KeyTarget, key_targets
from .writes import (
    NeedsRead,
    TxPart,
    WritePlan,
    _contention,
    _Expect,
    _Guard,
    _read,
    _Retry,
    create_plan,
    delete_plan,
    put_plan,
    update_plan,
)

__all__ = ["MAX_ITEMS", "TransactionBuilder", "transact_get"]

E = TypeVar("E", bound=Entity)

MAX_ITEMS = 100
_MAX_ATTEMPTS = 3
# Cancellation reason codes → the error code the same failure has as a whole request.
_REASON_CODES = {
    "TransactionConflict": "TransactionConflictException",
    "ProvisionedThroughputExceeded": "ProvisionedThroughputExceededException",
    "ThrottlingError": "ThrottlingException",
    "ValidationError": "ValidationException",
    "ItemCollectionSizeLimitExceeded": "ItemCollectionSizeLimitExceededException",
}


@dataclass(frozen=True)
class _Check:
    """The meaning of a ConditionCheck entry."""


@dataclass
class _Operation:
    """One operation of the transaction: built already, or built after a read."""

    spec: EntitySpec | None  # None: a plain-dict write
    description: str
    plan: WritePlan | None = None
    parts: list[TxPart] = field(default_factory=list)
    #: for writes that need the stored item: builds the plan from it (``None``: absent).
    build: Callable[[Mapping[str, Any] | None], WritePlan] | None = None
    read_key: dict[str, Any] | None = None


class TransactionBuilder:
    """A TransactWriteItems being assembled. Nothing is sent until its :meth:`flow` runs.

    Args:
        ctx: the database context (table prefix).
        token: a ``ClientRequestToken``: sending the same transaction again with the same
            token within 10 minutes does not apply it twice.

    Example:
        >>> from sortkey._model.table import Table
        >>> from sortkey._model.template import Key
        >>> t = Table("T", pk="pk", sk="sk")
        >>> class Account(Entity):
        ...     __table__ = t
        ...     __key__ = Key(pk="ACCOUNT#{account_id}", sk="#")
        ...     account_id: str
        ...     balance: int = 0
        >>> tx = TransactionBuilder()
        >>> tx.update(Account, {"account_id": "a"}, add={"balance": -10})
        >>> tx.update(Account, {"account_id": "b"}, add={"balance": 10})
        >>> [next(iter(e)) for e in tx.request().params["TransactItems"]]
        ['Update', 'Update']
    """

    def __init__(self, ctx: Context = DEFAULT_CONTEXT, *, token: str | None = None) -> None:
        if token is not None and (not isinstance(token, str) or not 1 <= len(token) <= 36):
            raise InvalidInput(
                f"a ClientRequestToken is a string of 1 to 36 characters, got {token!r}"
            )
        self.ctx = ctx
        self.token = token
        self._operations: list[_Operation] = []
        self._sent = False

    def __len__(self) -> int:
        """Operations added so far (guard items not counted)."""
        return len(self._operations)

    # ---------------------------------------------------------------- adding operations

    def _add(self, operation: _Operation) -> None:
        if self._sent:
            raise InvalidInput("this transaction was already sent; start a new one")
        known = sum(len(op.parts) for op in self._operations) + len(operation.parts)
        if known > MAX_ITEMS:
            raise InvalidInput(
                f"a transaction holds at most {MAX_ITEMS} items; adding {operation.description} "
                f"makes {known} (unique-constraint guards count as items)"
            )
        self._operations.append(operation)

    def _add_plan(self, plan: WritePlan, description: str) -> None:
        self._add(_Operation(plan.spec, description, plan=plan, parts=plan.parts()))

    def _add_deferred(
        self,
        spec: EntitySpec,
        description: str,
        key: KeyInput,
        build: Callable[[Mapping[str, Any] | None], WritePlan],
    ) -> None:
        key_attrs, _, _ = key_from(spec, key)
        self._add(_Operation(spec, description, build=build, read_key=key_attrs))

    def create(self, entity: E) -> E:
        """Create ``entity`` (refused if its key exists); returns it as it will be written."""
        plan = create_plan(entity, ctx=self.ctx)
        self._add_plan(plan, f"create {plan.spec.name}")
        return plan.result  # type: ignore[no-any-return]

    def put(self, entity: E, *, condition: Condition | None = None) -> E:
        """Create or replace ``entity``; returns it as it will be written (new version)."""
        spec = spec_of(entity)
        try:
            plan = put_plan(entity, condition=condition, ctx=self.ctx)
        except NeedsRead:
            self._add_deferred(
                spec,
                f"put {spec.name}",
                entity,
                lambda read: put_plan(entity, condition=condition, read=read, ctx=self.ctx),
            )
            # The entity as written does not depend on what is read.
            return put_plan(entity, condition=condition, read=None, ctx=self.ctx).result  # type: ignore[no-any-return]
        self._add_plan(plan, f"put {spec.name}")
        return plan.result  # type: ignore[no-any-return]

    def update(
        self,
        entity: type[Entity],
        key: KeyInput,
        /,
        *,
        set: Mapping[Any, Any] | None = None,  # noqa: A002 - the DynamoDB word
        remove: Iterable[Any] = (),
        add: Mapping[Any, Any] | None = None,
        delete: Mapping[Any, Any] | None = None,
        append: Mapping[Any, Any] | None = None,
        condition: Condition | None = None,
        fetch: bool = False,
    ) -> None:
        """Change fields of a stored entity (refused if it does not exist); see ``db.update``."""
        spec = spec_of(entity)
        changes: dict[str, Any] = {
            "set": set,
            "remove": remove,
            "add": add,
            "delete": delete,
            "append": append,
            "condition": condition,
        }
        try:
            plan = update_plan(entity, key, ctx=self.ctx, **changes)
        except NeedsRead as need:
            if need.fields and not fetch:
                raise InvalidInput(str(need)) from None
            self._add_deferred(
                spec,
                f"update {spec.name}",
                key,
                lambda read: update_plan(entity, key, read=read, ctx=self.ctx, **changes),
            )
            return
        self._add_plan(plan, f"update {spec.name}")

    def delete(
        self, entity: type[Entity], key: KeyInput, /, *, condition: Condition | None = None
    ) -> None:
        """Delete an entity (and its unique guards); a missing item is not an error."""
        spec = spec_of(entity)
        try:
            plan = delete_plan(entity, key, condition=condition, ctx=self.ctx)
        except NeedsRead:
            self._add_deferred(
                spec,
                f"delete {spec.name}",
                key,
                lambda read: delete_plan(entity, key, condition=condition, read=read, ctx=self.ctx),
            )
            return
        self._add_plan(plan, f"delete {spec.name}")

    def condition_check(self, entity: type[Entity], key: KeyInput, /, when: Condition) -> None:
        """Require ``when`` to hold on a stored entity, without writing it.

        Example: ``tx.condition_check(User, {"user_id": u}, attr("status") == "active")``.
        """
        spec = spec_of(entity)
        key_attrs, _, _ = key_from(spec, key)
        wire_key = serialize_item(key_attrs)
        table_name = self.ctx.table_name(spec.table)
        entry = {
            "ConditionCheck": {
                "TableName": table_name,
                "Key": wire_key,
                **compile_params(condition_=as_condition(when)),
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        part = TxPart(entry, _Check(), spec, "condition_check", table_name, wire_key)
        self._add(_Operation(spec, f"condition_check {spec.name}", parts=[part]))

    # ---------------------------------------------------------------- plain items

    def _add_item(
        self,
        action: str,
        kind: str,
        table: Table,
        params: dict[str, Any],
        vouched: Vouched | None = None,
    ) -> None:
        """Add a plain-dict write; its failure reason shows the stored item."""
        params.pop("ReturnValues", None)
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        is_key = "Key" in params
        wire = params["Key"] if is_key else params["Item"]
        key = plain.plain_key(table, plain.table_key_names(table), wire, action, exact=is_key)
        part = TxPart({kind: params}, _Check(), None, action, params["TableName"], key, vouched)
        self._add(_Operation(None, part.describe(), parts=[part]))

    def put_item(
        self, table: Table, item: Mapping[str, Any], /, *, condition: Condition | None = None
    ) -> None:
        """Write a plain item (Python values) to ``table``, like ``db.table(t).put_item``.

        Example:
            >>> from sortkey._model.table import Table
            >>> t = Table("Ledger", pk="pk", sk="sk")
            >>> tx = TransactionBuilder()
            >>> tx.put_item(t, {"pk": "ACCOUNT#a", "sk": "ENTRY#1", "amount": -10})
            >>> tx.request().params["TransactItems"][0]["Put"]["Item"]["amount"]
            {'N': '-10'}
        """
        request = plain.put_item(table, item, condition=condition, ctx=self.ctx)
        self._add_item("put_item", "Put", table, dict(request.params), request.vouched)

    def update_item(
        self,
        table: Table,
        key: Mapping[str, Any],
        /,
        *,
        set: Mapping[Any, Any] | None = None,  # noqa: A002 - the DynamoDB word
        remove: Iterable[Any] = (),
        add: Mapping[Any, Any] | None = None,
        delete: Mapping[Any, Any] | None = None,
        append: Mapping[Any, Any] | None = None,
        condition: Condition | None = None,
    ) -> None:
        """Update a plain item in place (creates it if absent, like DynamoDB)."""
        request = plain.update_item(
            table,
            key,
            set=set,
            remove=remove,
            add=add,
            delete=delete,
            append=append,
            condition=condition,
            ctx=self.ctx,
        )
        self._add_item("update_item", "Update", table, dict(request.params))

    def delete_item(
        self, table: Table, key: Mapping[str, Any], /, *, condition: Condition | None = None
    ) -> None:
        """Delete a plain item by its key attributes (a missing item is not an error)."""
        request = plain.delete_item(table, key, condition=condition, ctx=self.ctx)
        self._add_item("delete_item", "Delete", table, dict(request.params))

    def condition_check_item(
        self, table: Table, key: Mapping[str, Any], /, when: Condition
    ) -> None:
        """Require ``when`` to hold on a stored plain item, without writing it."""
        # A ConditionCheck entry has exactly a conditional DeleteItem's parameters (table,
        # key, condition): built by the same code, so keys and conditions convert alike.
        request = plain.delete_item(table, key, condition=as_condition(when), ctx=self.ctx)
        self._add_item("condition_check_item", "ConditionCheck", table, dict(request.params))

    # ---------------------------------------------------------------- sending

    def _parts(self, reads: Mapping[int, Mapping[str, Any] | None]) -> list[TxPart]:
        parts: list[TxPart] = []
        for i, op in enumerate(self._operations):
            if op.build is not None:
                op.plan = op.build(reads[i])
                op.parts = op.plan.parts()
            parts.extend(op.parts)
        _check(parts)
        return parts

    def request(self, reads: Mapping[int, Mapping[str, Any] | None] | None = None) -> Request[None]:
        """The TransactWriteItems request (operations needing reads need ``reads``).

        Raises:
            InvalidInput: more than 100 items, or two operations on one item.
        """
        if reads is None and any(op.build is not None for op in self._operations):
            raise NeedsRead("this transaction reads stored items first: run its flow()")
        parts = self._parts(reads or {})
        params: dict[str, Any] = {"TransactItems": [p.entry for p in parts]}
        if self.token is not None:
            params["ClientRequestToken"] = self.token
        vouched = {k: v for p in parts if p.vouched is not None for k, v in p.vouched.items()}
        return Request(
            "TransactWriteItems",
            params,
            parse=lambda r: None,
            translate=_translate(parts),
            vouched=vouched or None,
        )

    def flow(self) -> Flow[None]:
        """Read what must be read, send the transaction, retry if a read went stale."""
        if self._sent:
            raise InvalidInput("this transaction was already sent; start a new one")
        self._sent = True
        if not self._operations:
            return None
        deferred = [i for i, op in enumerate(self._operations) if op.build is not None]
        for _ in range(_MAX_ATTEMPTS):
            reads: dict[int, Mapping[str, Any] | None] = {}
            for i in deferred:
                op = self._operations[i]
                assert op.read_key is not None and op.spec is not None  # entity writes only
                reads[i] = yield from send(_read(self.ctx, op.spec, op.read_key))
            request = self.request(reads)
            try:
                yield from send(request)
            except _Retry:
                # Only reads can go stale; with a token, a changed request would be refused.
                if not deferred or self.token is not None:
                    break
                continue
            for op in self._operations:
                if op.plan is not None:
                    op.plan.parse({})  # attach the written items to the returned entities
            return None
        first = next(op for op in self._operations if op.build is not None)
        assert first.spec is not None  # only entity writes read first
        raise _contention(first.spec, first.read_key or {})


def _check(parts: list[TxPart]) -> None:
    if len(parts) > MAX_ITEMS:
        guards = sum(isinstance(p.meaning, _Guard) for p in parts)
        raise InvalidInput(
            f"a transaction holds at most {MAX_ITEMS} items; this one has {len(parts)} "
            f"({guards} of them unique-constraint guards); split it"
        )
    seen: dict[tuple[str, str], int] = {}
    for i, part in enumerate(parts):
        j = seen.setdefault(part.target, i)
        if j != i:
            raise InvalidInput(
                f"a transaction cannot touch one item twice: #{j} {parts[j].describe()} and "
                f"#{i} {part.describe()}"
            )


def _cause(exc: DynamoDBError, reason: CancellationReason, part: TxPart) -> BaseException:
    """The error the failed item would have raised on its own."""
    context: dict[str, Any] = {"code": exc.code, "operation": exc.operation, "params": exc.params}
    if reason.code != "ConditionalCheckFailed":
        code = _REASON_CODES.get(reason.code, reason.code)
        return from_code(code, reason.message or reason.code, operation=exc.operation)
    meaning = part.meaning
    name = part.subject
    if isinstance(meaning, _Expect):
        diagnosed = meaning.diagnose(exc, reason.item)
        if diagnosed is not exc:
            return diagnosed
    elif isinstance(meaning, _Guard) and meaning.kind == "claim":
        return UniqueViolation(
            f"{name}.{meaning.field} {meaning.value!r} is already taken",
            entity=name,
            field=meaning.field,
            value=meaning.value,
            reasons=getattr(exc, "reasons", ()),
            **context,
        )
    elif isinstance(meaning, _Guard):
        return ConditionFailed(
            f"the unique guard of {name}.{meaning.field}={meaning.value!r} belongs to "
            "another item; the guards are inconsistent",
            **context,
        )
    return ConditionFailed(
        f"the condition of {part.describe()} did not hold", item=reason.item, **context
    )


def _translate(parts: list[TxPart]) -> Callable[[DynamoDBError], BaseException]:
    def translate(exc: DynamoDBError) -> BaseException:
        if not isinstance(exc, TransactionCanceled):
            return exc
        failures: list[TransactionFailure] = []
        for index, (reason, part) in enumerate(zip(exc.reasons, parts, strict=False)):
            if not reason.failed:
                continue
            error = _cause(exc, reason, part)
            if isinstance(error, _Retry):
                return error
            assert isinstance(error, SortkeyError)
            failures.append(
                TransactionFailure(
                    index, part.describe(), part.spec.name if part.spec else "", error, reason
                )
            )
        return TransactionCanceled(
            exc.message,
            reasons=exc.reasons,
            failures=failures,
            code=exc.code,
            operation=exc.operation,
            params=exc.params,
        )

    return translate


# --------------------------------------------------------------------------- TransactGetItems


def transact_get(
    entity: type[Entity] | Iterable[tuple[type[Entity], KeyInput]],
    keys: Iterable[KeyInput] | None = None,
    *,
    ctx: Context = DEFAULT_CONTEXT,
) -> Request[list[Any]]:
    """Read up to 100 entities as one consistent snapshot: a list, ``None`` where missing.

    Example:
        >>> from sortkey._model.table import Table
        >>> from sortkey._model.template import Key
        >>> t = Table("T", pk="pk")
        >>> class Tag(Entity):
        ...     __table__ = t
        ...     __key__ = Key(pk="TAG#{name}")
        ...     name: str
        >>> transact_get(Tag, [{"name": "a"}]).params
        {'TransactItems': [{'Get': {'TableName': 'T', 'Key': {'pk': {'S': 'TAG#a'}}}}]}
    """
    targets = key_targets(entity, keys, ctx)
    if not targets:
        raise InvalidInput("transact_get needs at least one key")
    if len(targets) > MAX_ITEMS:
        raise InvalidInput(
            f"transact_get reads at most {MAX_ITEMS} items, got {len(targets)}; use batch_get"
        )
    seen: dict[tuple[str, str], int] = {}
    for i, target in enumerate(targets):
        j = seen.setdefault(target.id, i)
        if j != i:
            raise InvalidInput(
                f"transact_get cannot read one item twice: #{j} and #{i} are both "
                f"{target.spec.name} {deserialize_item(target.key)}"
            )

    def parse(response: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        for target, answer in zip(targets, response.get("Responses", []), strict=True):
            item = answer.get("Item")
            out.append(from_item(target.spec.cls, deserialize_item(item)) if item else None)
        return out

    return Request("TransactGetItems", {"TransactItems": [_get(t) for t in targets]}, parse=parse)


def _get(target: KeyTarget) -> dict[str, Any]:
    return {"Get": {"TableName": target.table_name, "Key": target.key}}
