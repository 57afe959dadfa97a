"""Plain-dict writes inside transactions, on every backend: all or nothing, failures by part."""

from __future__ import annotations

import pytest

from sortkey._model.entity import Entity
from sortkey._model.table import Table
from sortkey._model.template import Key
from sortkey._ops.transact import TransactionBuilder
from sortkey.client import Database
from sortkey.errors import ConditionFailed, InvalidInput, TransactionCanceled
from sortkey.expr import attr

pytestmark = pytest.mark.integration

ledger = Table("Ledger", pk="pk", sk="sk")


class Account(Entity):
    __table__ = ledger
    __type__ = "ACCOUNT"
    __key__ = Key(pk="ACCOUNT#{account_id}", sk="#")
    account_id: str
    balance: int = 0


@pytest.fixture
def table(db: Database) -> Table:
    db.create_table(ledger)
    return ledger


def _balance(db: Database, account: str) -> int | None:
    item = db.table(ledger).get_item({"pk": f"ACCT#{account}", "sk": "#"}, consistent=True)
    return None if item is None else int(item["balance"])


def _transfer(tx: TransactionBuilder, table: Table, source: str, target: str, amount: int) -> None:
    """Move ``amount`` between two accounts' plain items, refused if the source lacks it."""
    tx.update_item(
        table,
        {"pk": f"ACCT#{source}", "sk": "#"},
        add={"balance": -amount},
        condition=attr("balance") >= amount,
    )
    tx.update_item(table, {"pk": f"ACCT#{target}", "sk": "#"}, add={"balance": amount})


def test_transfer_between_plain_items_is_all_or_nothing(db: Database, table: Table) -> None:
    t = db.table(table)
    t.put_item({"pk": "ACCT#a", "sk": "#", "balance": 100})
    t.put_item({"pk": "ACCT#b", "sk": "#", "balance": 0})
    with db.transaction() as tx:
        _transfer(tx, table, "a", "b", 30)
        tx.put_item(table, {"pk": "ACCT#a", "sk": "ENTRY#1", "amount": -30})
    assert (_balance(db, "a"), _balance(db, "b")) == (70, 30)
    assert t.get_item({"pk": "ACCT#a", "sk": "ENTRY#1"}) == {
        "pk": "ACCT#a",
        "sk": "ENTRY#1",
        "amount": -30,
    }

    with pytest.raises(TransactionCanceled) as caught, db.transaction() as tx:
        _transfer(tx, table, "a", "b", 100)
    (failure,) = caught.value.failures
    assert failure.index == 0 and failure.entity == ""
    assert failure.operation.startswith("update_item ") and "ACCT#a" in failure.operation
    assert isinstance(failure.error, ConditionFailed)
    assert (_balance(db, "a"), _balance(db, "b")) == (70, 30)  # nothing written


def test_plain_and_entity_parts_mix(db: Database, table: Table) -> None:
    db.create(Account(account_id="e1", balance=5))
    with db.transaction() as tx:
        tx.update(Account, {"account_id": "e1"}, add={"balance": 1})
        tx.put_item(table, {"pk": "AUDIT#e1", "sk": "1", "what": "bonus"})
        tx.condition_check_item(table, {"pk": "AUDIT#e1", "sk": "0"}, attr("pk").not_exists())
    account = db.get(Account, account_id="e1", consistent=True)
    assert account is not None and account.balance == 6
    assert db.table(table).get_item({"pk": "AUDIT#e1", "sk": "1"}) is not None

    with pytest.raises(TransactionCanceled) as caught, db.transaction() as tx:
        tx.delete_item(table, {"pk": "AUDIT#e1", "sk": "1"})
        tx.condition_check_item(table, {"pk": "AUDIT#e1", "sk": "0"}, attr("what") == "x")
    assert [f.index for f in caught.value.failures] == [1]
    assert db.table(table).get_item({"pk": "AUDIT#e1", "sk": "1"}) is not None  # not deleted


def test_conditional_put_item_names_the_stored_item(db: Database, table: Table) -> None:
    db.table(table).put_item({"pk": "K", "sk": "1", "v": 1})
    with pytest.raises(TransactionCanceled) as caught, db.transaction() as tx:
        tx.put_item(table, {"pk": "K", "sk": "1", "v": 2}, condition=attr("pk").not_exists())
    (failure,) = caught.value.failures
    assert isinstance(failure.error, ConditionFailed)
    assert "put_item" in failure.operation and "did not hold" in str(failure.error)
    assert db.table(table).get_item({"pk": "K", "sk": "1"}) == {"pk": "K", "sk": "1", "v": 1}


@pytest.mark.parametrize(
    ("add", "message"),
    [
        (lambda tx, t: tx.put_item(t, {"pk": "a"}), "lacks key attributes ['sk']"),
        (lambda tx, t: tx.delete_item(t, {"pk": "a", "sk": "b", "x": 1}), "remove ['x']"),
        (lambda tx, t: tx.update_item(t, {"sk": "b"}, set={"x": 1}), "lacks key attributes"),
        (lambda tx, t: tx.put_item(t, ["not", "a", "dict"]), "must be a dict"),
    ],
)
def test_bad_plain_parts_are_refused_when_added(
    db: Database, table: Table, add: object, message: str
) -> None:
    tx = db.transaction()
    with pytest.raises(InvalidInput, match=None) as caught:
        add(tx, table)  # type: ignore[operator]
    assert message in str(caught.value)
    assert len(tx) == 0


def test_one_plain_item_twice_is_refused_before_sending(db: Database, table: Table) -> None:
    with pytest.raises(InvalidInput, match="one item twice"), db.transaction() as tx:
        tx.put_item(table, {"pk": "D", "sk": "1"})
        tx.delete_item(table, {"pk": "D", "sk": "1"})
    assert db.table(table).get_item({"pk": "D", "sk": "1"}) is None
