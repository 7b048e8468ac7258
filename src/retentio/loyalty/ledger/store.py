"""The ledger's reads and writes of its own tables, one small statement each; ``service`` composes
them inside one transaction, after taking the balance row's lock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update

from retentio.customers import customers
from retentio.db.batches import insert_ignoring_duplicates
from retentio.loyalty.ledger.errors import UnknownCustomer
from retentio.loyalty.ledger.model import Balance, Entry, EntryKind, LotRow
from retentio.loyalty.ledger.tables import loyalty_balances, loyalty_entries, loyalty_lot_uses, loyalty_lots


@dataclass(frozen=True, slots=True)
class Account:
    programme: str
    customer_id: str


def lock_balance(connection: Connection, account: Account, now: datetime) -> Balance:
    """The account's balance, its row locked until the transaction ends (``FOR UPDATE`` on
    PostgreSQL; SQLite's writers already hold the one write lock). The first change of a customer's
    balance creates the row, which only a known customer may have."""
    found = _locked(connection, account)
    if found is not None:
        return found
    known = connection.execute(
        select(customers.c.customer_id).where(customers.c.customer_id == account.customer_id)
    ).first()
    if known is None:
        raise UnknownCustomer(account.customer_id)
    connection.execute(
        insert_ignoring_duplicates(connection, loyalty_balances).values(
            programme=account.programme,
            customer_id=account.customer_id,
            available=0,
            pending=0,
            debt=0,
            updated_at=now,
        )
    )
    created = _locked(connection, account)
    assert created is not None
    return created


def lock_balance_if_any(connection: Connection, account: Account) -> Balance | None:
    """The account's balance locked as ``lock_balance`` does, or None if it never had one."""
    return _locked(connection, account)


def merged_accounts(connection: Connection, customer_id: str) -> tuple[str, list[str]]:
    """The customer a merge left ``customer_id`` in (itself unless it was merged away) and the
    customers merged into that one (none, for almost everyone). The customers area keeps the
    pointers flat: a record merged into one that is merged later points at the last survivor."""
    rows = connection.execute(
        select(customers.c.customer_id, customers.c.merged_into).where(
            or_(customers.c.customer_id == customer_id, customers.c.merged_into == customer_id)
        )
    ).all()
    survivor = next((row[1] for row in rows if row[0] == customer_id and row[1] is not None), None)
    if survivor is None:
        return customer_id, sorted(row[0] for row in rows if row[0] != customer_id)
    absorbed = connection.execute(
        select(customers.c.customer_id).where(customers.c.merged_into == survivor)
    ).scalars()
    return survivor, sorted(absorbed)


def _locked(connection: Connection, account: Account) -> Balance | None:
    row = connection.execute(
        select(loyalty_balances.c.available, loyalty_balances.c.pending, loyalty_balances.c.debt)
        .where(_is_balance_of(account))
        .with_for_update()
    ).first()
    return None if row is None else Balance(row[0], row[1], row[2])


def _is_balance_of(account: Account) -> Any:
    return and_(
        loyalty_balances.c.programme == account.programme,
        loyalty_balances.c.customer_id == account.customer_id,
    )


# Built once: every checkout reads a balance.
_BALANCE = select(loyalty_balances.c.available, loyalty_balances.c.pending, loyalty_balances.c.debt).where(
    loyalty_balances.c.programme == bindparam("programme"),
    loyalty_balances.c.customer_id == bindparam("customer_id"),
)


def read_balance(connection: Connection, account: Account) -> Balance | None:
    parameters = {"programme": account.programme, "customer_id": account.customer_id}
    row = connection.execute(_BALANCE, parameters).first()
    return None if row is None else Balance(row[0], row[1], row[2])


def change_balance(connection: Connection, account: Account, change: Balance, now: datetime) -> None:
    connection.execute(
        update(loyalty_balances)
        .where(_is_balance_of(account))
        .values(
            available=loyalty_balances.c.available + change.available,
            pending=loyalty_balances.c.pending + change.pending,
            debt=loyalty_balances.c.debt + change.debt,
            updated_at=now,
        )
    )


def find_entry(connection: Connection, account: Account, kind: EntryKind, source: str) -> Entry | None:
    row = connection.execute(
        select(loyalty_entries).where(
            loyalty_entries.c.programme == account.programme,
            loyalty_entries.c.customer_id == account.customer_id,
            loyalty_entries.c.kind == kind.value,
            loyalty_entries.c.source == source,
        )
    ).first()
    return None if row is None else entry_of(row)


def entry_of(row: Any) -> Entry:
    values = dict(row._mapping)
    values["kind"] = EntryKind(values["kind"])
    return Entry(**values)


@dataclass(frozen=True, slots=True)
class NewEntry:
    kind: EntryKind
    source: str
    change: Balance
    occurred_at: datetime
    actor: str
    reason: str
    shortfall: int = 0
    lot_id: int | None = None
    reverses: int | None = None


def add_entry(connection: Connection, account: Account, new: NewEntry) -> Entry:
    values: dict[str, Any] = {
        "programme": account.programme,
        "customer_id": account.customer_id,
        "kind": new.kind.value,
        "source": new.source,
        "available": new.change.available,
        "pending": new.change.pending,
        "debt": new.change.debt,
        "shortfall": new.shortfall,
        "lot_id": new.lot_id,
        "reverses": new.reverses,
        "occurred_at": new.occurred_at,
        "actor": new.actor,
        "reason": new.reason,
    }
    entry_id = connection.execute(
        insert(loyalty_entries).values(values).returning(loyalty_entries.c.id)
    ).scalar_one()
    values["kind"] = new.kind
    return Entry(id=entry_id, **values)


def add_lot(
    connection: Connection,
    account: Account,
    lot_id: int,
    points: int,
    active_at: datetime,
    activated: bool,
    expires_at: datetime | None,
    origin_id: int | None = None,
) -> None:
    connection.execute(
        insert(loyalty_lots).values(
            id=lot_id,
            origin_id=origin_id,
            programme=account.programme,
            customer_id=account.customer_id,
            amount=points,
            remaining=points,
            active_at=active_at,
            activated=int(activated),
            expires_at=expires_at,
        )
    )


def open_lots(connection: Connection, account: Account) -> list[LotRow]:
    """The account's lots with points left or not yet active, in id order."""
    rows = connection.execute(
        select(
            loyalty_lots.c.id,
            loyalty_lots.c.amount,
            loyalty_lots.c.remaining,
            loyalty_lots.c.returned,
            loyalty_lots.c.expired,
            loyalty_lots.c.active_at,
            loyalty_lots.c.activated,
            loyalty_lots.c.expires_at,
        )
        .where(
            loyalty_lots.c.customer_id == account.customer_id,
            loyalty_lots.c.programme == account.programme,
            or_(loyalty_lots.c.remaining > 0, loyalty_lots.c.activated == 0),
        )
        .order_by(loyalty_lots.c.id)
    )
    return [LotRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in rows]


def find_entry_of_any(
    connection: Connection, programme: str, customer_ids: Sequence[str], kind: EntryKind, source: str
) -> Entry | None:
    """The entry (kind, source) of whichever of ``customer_ids`` has it (a merged customer's)."""
    row = connection.execute(
        select(loyalty_entries)
        .where(
            loyalty_entries.c.programme == programme,
            loyalty_entries.c.customer_id.in_(customer_ids),
            loyalty_entries.c.kind == kind.value,
            loyalty_entries.c.source == source,
        )
        .order_by(loyalty_entries.c.id)
    ).first()
    return None if row is None else entry_of(row)


def count_entries(connection: Connection, account: Account, kind: EntryKind) -> int:
    return int(
        connection.execute(
            select(func.count()).where(
                loyalty_entries.c.customer_id == account.customer_id,
                loyalty_entries.c.programme == account.programme,
                loyalty_entries.c.kind == kind.value,
            )
        ).scalar_one()
    )


def lots_moved_from(connection: Connection, lot_ids: Sequence[int], customer_id: str) -> list[LotRow]:
    """The lots of ``customer_id`` whose points came from ``lot_ids`` by transfer, however many
    transfers ago (a lot merged on from a customer who had been merged into another before)."""
    found: list[LotRow] = []
    frontier = list(lot_ids)
    while frontier:
        rows = connection.execute(
            select(*_LOT_COLUMNS, loyalty_lots.c.customer_id)
            .where(loyalty_lots.c.origin_id.in_(frontier))
            .order_by(loyalty_lots.c.id)
        ).all()
        frontier = [row[0] for row in rows]
        found.extend(_lot_of(row) for row in rows if row[-1] == customer_id)
    return found


_LOT_COLUMNS = (
    loyalty_lots.c.id,
    loyalty_lots.c.amount,
    loyalty_lots.c.remaining,
    loyalty_lots.c.returned,
    loyalty_lots.c.expired,
    loyalty_lots.c.active_at,
    loyalty_lots.c.activated,
    loyalty_lots.c.expires_at,
)


def _lot_of(r: Any) -> LotRow:
    return LotRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7])


def lot_by_id(connection: Connection, lot_id: int) -> LotRow:
    r = connection.execute(
        select(
            loyalty_lots.c.id,
            loyalty_lots.c.amount,
            loyalty_lots.c.remaining,
            loyalty_lots.c.returned,
            loyalty_lots.c.expired,
            loyalty_lots.c.active_at,
            loyalty_lots.c.activated,
            loyalty_lots.c.expires_at,
        ).where(loyalty_lots.c.id == lot_id)
    ).one()
    return LotRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7])


def use_lots(connection: Connection, entry_id: int, takes: Sequence[tuple[int, int]]) -> None:
    """Record what ``entry_id`` took from each lot (a negative use gives points back) and take it."""
    if not takes:
        return
    connection.execute(
        insert(loyalty_lot_uses),
        [{"entry_id": entry_id, "lot_id": lot, "points": points} for lot, points in takes],
    )
    for lot, points in sorted(takes):
        connection.execute(
            update(loyalty_lots)
            .where(loyalty_lots.c.id == lot)
            .values(remaining=loyalty_lots.c.remaining - points)
        )


def uses_of(connection: Connection, entry_id: int) -> list[tuple[int, int]]:
    rows = connection.execute(
        select(loyalty_lot_uses.c.lot_id, loyalty_lot_uses.c.points)
        .where(loyalty_lot_uses.c.entry_id == entry_id)
        .order_by(loyalty_lot_uses.c.lot_id)
    )
    return [(row[0], row[1]) for row in rows]


def reversal_of(connection: Connection, account: Account, entry_id: int) -> Entry | None:
    row = connection.execute(
        select(loyalty_entries).where(
            loyalty_entries.c.customer_id == account.customer_id,
            loyalty_entries.c.programme == account.programme,
            loyalty_entries.c.kind == EntryKind.REVERSAL.value,
            loyalty_entries.c.reverses == entry_id,
        )
    ).first()
    return None if row is None else entry_of(row)


def mark_returned(connection: Connection, lot_id: int, points: int) -> None:
    connection.execute(
        update(loyalty_lots)
        .where(loyalty_lots.c.id == lot_id)
        .values(returned=loyalty_lots.c.returned + points)
    )


def mark_activated(connection: Connection, lot_id: int) -> None:
    connection.execute(update(loyalty_lots).where(loyalty_lots.c.id == lot_id).values(activated=1))


def mark_expired(connection: Connection, lot_id: int, points: int) -> None:
    connection.execute(
        update(loyalty_lots)
        .where(loyalty_lots.c.id == lot_id)
        .values(remaining=loyalty_lots.c.remaining - points, expired=loyalty_lots.c.expired + points)
    )


def unsettled_shortfall(connection: Connection, account: Account, lot_id: int) -> int:
    """What returns of the lot's accrual wrote off (``block`` policy) and no later entry took back."""
    entries = loyalty_entries.c
    written_off = connection.execute(
        select(func.coalesce(func.sum(entries.shortfall), 0)).where(
            entries.customer_id == account.customer_id,
            entries.programme == account.programme,
            entries.reverses == lot_id,
            entries.kind == EntryKind.REVERSAL.value,
        )
    ).scalar_one()
    if not written_off:
        return 0
    recovered = connection.execute(
        select(func.coalesce(func.sum(-entries.available), 0)).where(
            entries.customer_id == account.customer_id,
            entries.programme == account.programme,
            entries.reverses == lot_id,
            entries.kind == EntryKind.REPAYMENT.value,
            entries.debt == 0,
        )
    ).scalar_one()
    return int(written_off) - int(recovered)
