"""The two commonest changes in as few round trips as PostgreSQL allows: an accrual as one statement
and a redemption as two (the balance row's lock, then the rest), each ``WITH`` part doing what
``service`` does statement by statement — the entry, the lot or the lots taken, the balance, the
derived event. Round trips, not work, set a ledger transaction's pace (docs/benchmarks.md).

Each returns None when the case is not the plain one — SQLite (no writing ``WITH``), an unknown
customer, a debt to pay first, lots that activated or expired since the
last change, not enough points, a repeated source found late — and then nothing was written and
``service`` takes its general path, which decides those cases (and refuses) exactly as before."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql

from retentio.customers import customers
from retentio.db.types import UtcDateTime
from retentio.events import selected_events_insert
from retentio.loyalty.ledger import store
from retentio.loyalty.ledger.announce import EARNED, REDEEMED
from retentio.loyalty.ledger.model import Balance, Entry, EntryKind, Posted
from retentio.loyalty.ledger.store import Account
from retentio.loyalty.ledger.tables import loyalty_balances, loyalty_entries, loyalty_lot_uses, loyalty_lots

_ENTRY_COLUMNS = [
    "programme",
    "customer_id",
    "kind",
    "source",
    "available",
    "pending",
    "debt",
    "shortfall",
    "occurred_at",
    "actor",
    "reason",
]
_UNIQUE = ["programme", "customer_id", "kind", "source"]


def accrue_at_once(
    connection: Connection,
    account: Account,
    points: int,
    source: str,
    now: datetime,
    active: datetime,
    expires_at: datetime | None,
    actor: str,
    reason: str,
) -> Posted | None:
    """An accrual of a known customer without debt, in one statement: the balance row is added to
    (or created) first (it is the lock every change takes first), then the entry (unless its source
    was seen), its lot and its ``points_earned`` event."""
    if connection.dialect.name != "postgresql":
        return None
    pending = active > now
    credit = Balance(0, points, 0) if pending else Balance(points, 0, 0)
    balance = _add_to_balance(account, credit, now).cte("balance")
    entry = _entry_insert(account, EntryKind.ACCRUAL, source, credit, now, actor, reason, balance).cte(
        "entry"
    )
    lot = (
        insert(loyalty_lots)
        .from_select(
            ["id", "programme", "customer_id", "amount", "remaining", "active_at", "activated", "expires_at"],
            select(
                entry.c.id,
                literal(account.programme, String),
                literal(account.customer_id, String),
                literal(points),
                literal(points),
                literal(active, UtcDateTime),
                literal(0 if pending else 1),
                literal(expires_at, UtcDateTime),
            ),
        )
        .cte("lot")
    )
    event = _event_insert(connection, EARNED, account, entry, points, source, pending, now).cte("event")
    row = connection.execute(
        select(balance.c.available, balance.c.pending, balance.c.debt, entry.c.id)
        .select_from(balance.outerjoin(entry, true()))
        .add_cte(lot, event)
    ).first()
    if row is None:
        return None  # an unknown customer, or a debt to pay first: the general path
    after = Balance(row[0], row[1], row[2])
    if row[3] is None:
        # The source was seen before: undo this statement's addition (the row is still locked) and
        # answer what the first one did.
        store.change_balance(connection, account, Balance(-credit.available, -credit.pending, 0), now)
        repeated = store.find_entry(connection, account, EntryKind.ACCRUAL, source)
        assert repeated is not None
        return Posted(
            repeated, True, Balance(after.available - credit.available, after.pending - credit.pending, 0)
        )
    return Posted(
        _entry(row[3], account, EntryKind.ACCRUAL, source, credit, now, actor, reason), False, after
    )


def redeem_at_once(
    connection: Connection, account: Account, points: int, source: str, now: datetime, actor: str, reason: str
) -> Posted | None:
    """A redemption in two statements: the balance row's lock, then one that reads the open lots
    (in this snapshot, taken after the lock), checks that none is due and enough are available,
    and writes the entry, the lot uses, the lots, the balance and ``points_redeemed``."""
    if connection.dialect.name != "postgresql":
        return None
    if store.lock_balance_if_any(connection, account) is None:
        return None
    lots = loyalty_lots.c
    at = literal(now, UtcDateTime)
    open_lots = (
        select(lots.id, lots.remaining, lots.expires_at, lots.activated, lots.active_at)
        .where(
            lots.customer_id == account.customer_id,
            lots.programme == account.programme,
            or_(lots.remaining > 0, lots.activated == 0),
        )
        .cte("open_lots")
    )
    lot = open_lots.c
    due = (
        select(func.count().label("lots"))
        .where(
            or_(
                and_(lot.activated == 0, lot.active_at <= at),
                and_(lot.activated == 1, lot.remaining > 0, lot.expires_at <= at),
            )
        )
        .select_from(open_lots)
        .cte("due")
    )
    # Soonest-expiring first, lots that never expire last, older first on a tie (``decide.soonest_first``).
    ranked = (
        select(
            lot.id,
            lot.remaining,
            func.sum(lot.remaining)
            .over(order_by=[lot.expires_at.is_(None), lot.expires_at, lot.id])
            .label("upto"),
        )
        .where(lot.activated == 1, lot.remaining > 0)
        .cte("ranked")
    )
    total = select(func.coalesce(func.max(ranked.c.upto), 0).label("available")).cte("total")
    allowed = (
        select(literal(1).label("one"))
        .select_from(due.join(total, true()))
        .where(due.c.lots == 0, total.c.available >= points)
        .cte("allowed")
    )
    debit = Balance(-points, 0, 0)
    entry = _entry_insert(account, EntryKind.REDEMPTION, source, debit, now, actor, reason, allowed).cte(
        "entry"
    )
    before = ranked.c.upto - ranked.c.remaining
    takes = (
        select(
            entry.c.id.label("entry_id"),
            ranked.c.id.label("lot_id"),
            func.least(ranked.c.remaining, points - before).label("points"),
        )
        .select_from(entry.join(ranked, true()))
        .where(before < points)
        .cte("takes")
    )
    uses = (
        insert(loyalty_lot_uses)
        .from_select(
            ["entry_id", "lot_id", "points"], select(takes.c.entry_id, takes.c.lot_id, takes.c.points)
        )
        .cte("uses")
    )
    spent = (
        update(loyalty_lots)
        .where(loyalty_lots.c.id == takes.c.lot_id)
        .values(remaining=loyalty_lots.c.remaining - takes.c.points)
        .cte("spent")
    )
    balances = loyalty_balances.c
    balance = (
        update(loyalty_balances)
        .where(_is_balance_of(account), exists(select(entry.c.id)))
        .values(available=balances.available - points, updated_at=now)
        .returning(balances.available, balances.pending, balances.debt)
        .cte("balance")
    )
    event = _event_insert(connection, REDEEMED, account, entry, points, source, False, now).cte("event")
    row = connection.execute(
        select(entry.c.id, balance.c.available, balance.c.pending, balance.c.debt)
        .select_from(allowed.join(entry, true()).join(balance, true()))
        .add_cte(uses, spent, event)
    ).first()
    if row is None:
        return None  # lots due, not enough points, or the source seen before: the general path
    after = Balance(row[1], row[2], row[3])
    return Posted(
        _entry(row[0], account, EntryKind.REDEMPTION, source, debit, now, actor, reason), False, after
    )


def _add_to_balance(account: Account, credit: Balance, now: datetime) -> Any:
    """Add ``credit`` to the balance unless it has a debt to pay first, creating it for a known
    customer's first points (as ``store.lock_balance`` would); the row stays locked. ``RETURNING``
    answers nothing for an unknown customer or a debt."""
    balances = loyalty_balances.c
    known = exists(select(customers.c.customer_id).where(customers.c.customer_id == account.customer_id))
    first = select(
        literal(account.programme, String),
        literal(account.customer_id, String),
        literal(credit.available),
        literal(credit.pending),
        literal(0),
        literal(now, UtcDateTime),
    ).where(known)
    statement = postgresql.insert(loyalty_balances).from_select(
        ["programme", "customer_id", "available", "pending", "debt", "updated_at"], first
    )
    return statement.on_conflict_do_update(
        index_elements=["programme", "customer_id"],
        set_={
            "available": balances.available + statement.excluded.available,
            "pending": balances.pending + statement.excluded.pending,
            "updated_at": statement.excluded.updated_at,
        },
        where=balances.debt == 0,
    ).returning(balances.available, balances.pending, balances.debt)


def _is_balance_of(account: Account) -> Any:
    return and_(
        loyalty_balances.c.programme == account.programme,
        loyalty_balances.c.customer_id == account.customer_id,
    )


def _entry_insert(
    account: Account,
    kind: EntryKind,
    source: str,
    change: Balance,
    now: datetime,
    actor: str,
    reason: str,
    when: Any,
) -> Any:
    """The entry's INSERT, one row for each row of ``when`` (one or none), skipped if its source
    was seen: ``RETURNING`` then answers nothing."""
    values = select(
        literal(account.programme, String),
        literal(account.customer_id, String),
        literal(kind.value, String),
        literal(source, String),
        literal(change.available),
        literal(change.pending),
        literal(change.debt),
        literal(0),
        literal(now, UtcDateTime),
        literal(actor, String),
        literal(reason, String),
    ).select_from(when)
    return (
        postgresql.insert(loyalty_entries)
        .from_select(_ENTRY_COLUMNS, values)
        .on_conflict_do_nothing(index_elements=_UNIQUE)
        .returning(loyalty_entries.c.id)
    )


def _event_insert(
    connection: Connection,
    type_name: str,
    account: Account,
    entry: Any,
    points: int,
    source: str,
    pending: bool,
    now: datetime,
) -> Any:
    """The derived event ``announce`` would append, for the entry the statement wrote (if any)."""
    properties = func.jsonb_build_object(
        literal("programme", String),
        literal(account.programme, String),
        literal("points", String),
        literal(points),
        literal("source", String),
        literal(source, String),
        literal("pending", String),
        literal(pending),
    )
    rows = select(
        literal(f"loy:{type_name}:", String) + cast(entry.c.id, String),
        literal(type_name, String),
        literal(account.customer_id, String),
        literal(now, UtcDateTime),
        literal(now, UtcDateTime),
        properties,
    ).select_from(entry)
    return selected_events_insert(connection, rows)


def _entry(
    entry_id: int,
    account: Account,
    kind: EntryKind,
    source: str,
    change: Balance,
    now: datetime,
    actor: str,
    reason: str,
) -> Entry:
    return Entry(
        id=entry_id,
        programme=account.programme,
        customer_id=account.customer_id,
        kind=kind,
        source=source,
        available=change.available,
        pending=change.pending,
        debt=change.debt,
        shortfall=0,
        lot_id=None,
        reverses=None,
        occurred_at=now,
        actor=actor,
        reason=reason,
    )
