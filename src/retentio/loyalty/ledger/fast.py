"""The two commonest changes in as few round trips as PostgreSQL allows: an accrual as one statement
and a redemption as two (the balance row's lock, then the rest), each ``WITH`` part doing what
``service`` does statement by statement — the entry, the lot or the lots taken, the balance, the
derived event. Round trips and the client's own work, not the database's, set a ledger
transaction's pace (docs/benchmarks.md): so each statement is built and compiled once per process
and then only run with its values.

Each returns None when the case is not the plain one — SQLite (no writing ``WITH``), an unknown
customer, a debt to pay first, lots that activated or expired since the last change, not enough
points, a repeated source — and then nothing was written (but a lock taken) and ``service`` takes
its general path, which decides those cases (and refuses) exactly as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Integer,
    String,
    and_,
    bindparam,
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

# Every statement's values, by name.
_PROGRAMME = bindparam("programme", type_=String)
_CUSTOMER = bindparam("customer_id", type_=String)
_SOURCE = bindparam("source", type_=String)
_POINTS = bindparam("points", type_=BigInteger)
_AVAILABLE = bindparam("available", type_=BigInteger)
_PENDING = bindparam("pending", type_=BigInteger)
_NOW = bindparam("now", type_=UtcDateTime)
_ACTIVE_AT = bindparam("active_at", type_=UtcDateTime)
_ACTIVATED = bindparam("activated", type_=Integer)
_EXPIRES_AT = bindparam("expires_at", type_=UtcDateTime)
_IS_PENDING = bindparam("is_pending", type_=Boolean)
_ACTOR = bindparam("actor", type_=String)
_REASON = bindparam("reason", type_=String)


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
    sql, constants = _compiled(connection, "accrue")
    values = {
        **constants,
        "programme": account.programme,
        "customer_id": account.customer_id,
        "source": source,
        "points": points,
        "available": credit.available,
        "pending": credit.pending,
        "now": now.astimezone(UTC),
        "active_at": active.astimezone(UTC),
        "activated": 0 if pending else 1,
        "expires_at": None if expires_at is None else expires_at.astimezone(UTC),
        "is_pending": pending,
        "actor": actor,
        "reason": reason,
    }
    row = connection.exec_driver_sql(sql, values).first()
    if row is None:
        return None  # an unknown customer, or a debt to pay first: the general path
    after = Balance(row[0], row[1], row[2])
    if row[3] is None:
        # The source was seen before: undo this statement's addition (the row is still locked) and
        # answer what the first one did.
        store.change_balance(connection, account, Balance(-credit.available, -credit.pending, 0), now)
        repeated = store.find_entry(connection, account, EntryKind.ACCRUAL, source)
        assert repeated is not None
        undone = Balance(after.available - credit.available, after.pending - credit.pending, after.debt)
        return Posted(repeated, True, undone)
    accrual = _entry(row[3], account, EntryKind.ACCRUAL, source, credit, now, actor, reason)
    return Posted(accrual, False, after)


def redeem_at_once(
    connection: Connection, account: Account, points: int, source: str, now: datetime, actor: str, reason: str
) -> Posted | None:
    """A redemption in two statements: the balance row's lock, then one that reads the open lots
    (in its own snapshot, taken after the lock), checks that none is due and enough are available,
    and writes the entry, the lot uses, the lots, the balance and ``points_redeemed``."""
    if connection.dialect.name != "postgresql":
        return None
    if store.lock_balance_if_any(connection, account) is None:
        return None
    sql, constants = _compiled(connection, "redeem")
    values = {
        **constants,
        "programme": account.programme,
        "customer_id": account.customer_id,
        "source": source,
        "points": points,
        "available": -points,
        "pending": 0,
        "now": now.astimezone(UTC),
        "is_pending": False,
        "actor": actor,
        "reason": reason,
    }
    row = connection.exec_driver_sql(sql, values).first()
    if row is None:
        return None  # lots due, not enough points, or the source seen before: the general path
    after = Balance(row[1], row[2], row[3])
    debit = Balance(-points, 0, 0)
    redemption = _entry(row[0], account, EntryKind.REDEMPTION, source, debit, now, actor, reason)
    return Posted(redemption, False, after)


_COMPILED: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}


def _compiled(connection: Connection, name: str) -> tuple[str, dict[str, Any]]:
    """The statement's SQL for this connection's dialect and driver, and the values of its constant
    parameters: built and compiled on first use in the process."""
    key = (connection.dialect.name, connection.dialect.driver, name)
    if key not in _COMPILED:
        statement = _accrual_statement(connection) if name == "accrue" else _redemption_statement(connection)
        compiled = statement.compile(dialect=connection.dialect)
        _COMPILED[key] = (str(compiled), dict(compiled.params))
    return _COMPILED[key]


def _accrual_statement(connection: Connection) -> Any:
    balance = _add_to_balance().cte("balance")
    entry = _entry_insert(EntryKind.ACCRUAL, balance).cte("entry")
    lot = (
        insert(loyalty_lots)
        .from_select(
            ["id", "programme", "customer_id", "amount", "remaining", "active_at", "activated", "expires_at"],
            select(entry.c.id, _PROGRAMME, _CUSTOMER, _POINTS, _POINTS, _ACTIVE_AT, _ACTIVATED, _EXPIRES_AT),
        )
        .cte("lot")
    )
    event = _event_insert(connection, EARNED, entry).cte("event")
    return (
        select(balance.c.available, balance.c.pending, balance.c.debt, entry.c.id)
        .select_from(balance.outerjoin(entry, true()))
        .add_cte(lot, event)
    )


def _redemption_statement(connection: Connection) -> Any:
    lots = loyalty_lots.c
    open_lots = (
        select(lots.id, lots.remaining, lots.expires_at, lots.activated, lots.active_at)
        .where(
            lots.customer_id == _CUSTOMER,
            lots.programme == _PROGRAMME,
            or_(lots.remaining > 0, lots.activated == 0),
        )
        .cte("open_lots")
    )
    lot = open_lots.c
    due = (
        select(func.count().label("lots"))
        .where(
            or_(
                and_(lot.activated == 0, lot.active_at <= _NOW),
                and_(lot.activated == 1, lot.remaining > 0, lot.expires_at <= _NOW),
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
        .where(due.c.lots == 0, total.c.available >= _POINTS)
        .cte("allowed")
    )
    entry = _entry_insert(EntryKind.REDEMPTION, allowed).cte("entry")
    before = ranked.c.upto - ranked.c.remaining
    takes = (
        select(
            entry.c.id.label("entry_id"),
            ranked.c.id.label("lot_id"),
            func.least(ranked.c.remaining, _POINTS - before).label("points"),
        )
        .select_from(entry.join(ranked, true()))
        .where(before < _POINTS)
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
        .where(
            balances.programme == _PROGRAMME, balances.customer_id == _CUSTOMER, exists(select(entry.c.id))
        )
        .values(available=balances.available - _POINTS, updated_at=_NOW)
        .returning(balances.available, balances.pending, balances.debt)
        .cte("balance")
    )
    event = _event_insert(connection, REDEEMED, entry).cte("event")
    return (
        select(entry.c.id, balance.c.available, balance.c.pending, balance.c.debt)
        .select_from(allowed.join(entry, true()).join(balance, true()))
        .add_cte(uses, spent, event)
    )


def _add_to_balance() -> Any:
    """Add the credit to the balance unless it has a debt to pay first, creating it for a known
    customer's first points (as ``store.lock_balance`` would); the row stays locked. ``RETURNING``
    answers nothing for an unknown customer or a debt."""
    balances = loyalty_balances.c
    known = exists(select(customers.c.customer_id).where(customers.c.customer_id == _CUSTOMER))
    first = select(_PROGRAMME, _CUSTOMER, _AVAILABLE, _PENDING, literal(0), _NOW).where(known)
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


def _entry_insert(kind: EntryKind, when: Any) -> Any:
    """The entry's INSERT, one row for each row of ``when`` (one or none), skipped if its source
    was seen: ``RETURNING`` then answers nothing."""
    values = select(
        _PROGRAMME,
        _CUSTOMER,
        literal(kind.value, String),
        _SOURCE,
        _AVAILABLE,
        _PENDING,
        literal(0),
        literal(0),
        _NOW,
        _ACTOR,
        _REASON,
    ).select_from(when)
    return (
        postgresql.insert(loyalty_entries)
        .from_select(_ENTRY_COLUMNS, values)
        .on_conflict_do_nothing(index_elements=_UNIQUE)
        .returning(loyalty_entries.c.id)
    )


def _event_insert(connection: Connection, type_name: str, entry: Any) -> Any:
    """The derived event ``announce`` would append, for the entry the statement wrote (if any)."""
    properties = func.jsonb_build_object(
        literal("programme", String),
        _PROGRAMME,
        literal("points", String),
        _POINTS,
        literal("source", String),
        _SOURCE,
        literal("pending", String),
        _IS_PENDING,
    )
    rows = select(
        literal(f"loy:{type_name}:", String) + cast(entry.c.id, String),
        literal(type_name, String),
        _CUSTOMER,
        _NOW,
        _NOW,
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
