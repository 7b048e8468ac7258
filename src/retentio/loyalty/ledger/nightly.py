"""The ledger's nightly work, set-based: pending lots whose time came become available, available
lots past their expiry lose what is left of them, and customers whose points expire in N days hear
of it. Each step is a handful of INSERT … SELECT and UPDATE statements over a chunk of lots, never a
Python loop per lot; the entries' source keys (``lot:<id>``, ``lot:<id>:<expired before>``) make a
rerun a no-op. Changes of a single customer catch up the same way on their own (``service``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Connection, Engine, String, cast, exists, func, literal, select, update
from sqlalchemy.sql.elements import ColumnElement

from retentio.db.retry import in_transaction
from retentio.db.types import UtcDateTime
from retentio.events import append_selected_events
from retentio.loyalty.ledger.announce import EXPIRED, EXPIRING
from retentio.loyalty.ledger.model import EntryKind
from retentio.loyalty.ledger.service import SYSTEM_ACTOR
from retentio.loyalty.ledger.tables import loyalty_balances, loyalty_entries, loyalty_lots

# Lots per transaction: large enough that statements, not round trips, set the pace; small enough
# that a customer's redemption waits for one chunk at most, not the whole night.
CHUNK = 100_000


@dataclass(frozen=True, slots=True)
class NightlyResult:
    activated: int
    expired: int
    expiring_customers: int


def do_nightly(engine: Engine, now: datetime, expiring_days: int = 7, chunk: int = CHUNK) -> NightlyResult:
    """Activation, then expiry, then the ``points_expiring`` notices, each in chunks of ``chunk``
    lots, a transaction per chunk (retried whole when PostgreSQL aborts one of two crossing ones)."""
    activated = _in_chunks(engine, lambda connection: activate_chunk(connection, now, chunk))
    expired = _in_chunks(engine, lambda connection: expire_chunk(connection, now, chunk))
    expiring = in_transaction(
        _snapshot(engine), lambda connection: announce_expiring(connection, now, expiring_days)
    )
    return NightlyResult(activated, expired, expiring)


def _in_chunks(engine: Engine, step: Callable[[Connection], int]) -> int:
    total = 0
    while True:
        done = in_transaction(_snapshot(engine), step)
        total += done
        if done == 0:
            return total


def _snapshot(engine: Engine) -> Engine:
    """On PostgreSQL a chunk's statements must all see the same lots: REPEATABLE READ gives them one
    snapshot, and a lot a customer's change touched meanwhile aborts the chunk, which is retried.
    SQLite's one writer at a time already gives that."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def _chunk_of(condition: ColumnElement[bool], chunk: int) -> ColumnElement[bool]:
    ids = select(loyalty_lots.c.id).where(condition).order_by(loyalty_lots.c.id).limit(chunk)
    return loyalty_lots.c.id.in_(ids.scalar_subquery())


def _lock_balances(connection: Connection, in_chunk: ColumnElement[bool]) -> None:
    """The balance rows of the chunk's customers, in primary-key order, as every change takes them."""
    if connection.dialect.name != "postgresql":
        return
    owners = exists().where(
        loyalty_lots.c.programme == loyalty_balances.c.programme,
        loyalty_lots.c.customer_id == loyalty_balances.c.customer_id,
        in_chunk,
    )
    connection.execute(
        select(loyalty_balances.c.programme)
        .where(owners)
        .order_by(loyalty_balances.c.programme, loyalty_balances.c.customer_id)
        .with_for_update()
    ).all()


def _sum_per_balance(in_chunk: ColumnElement[bool]) -> ColumnElement[int]:
    return (
        select(func.coalesce(func.sum(loyalty_lots.c.remaining), 0))
        .where(
            loyalty_lots.c.programme == loyalty_balances.c.programme,
            loyalty_lots.c.customer_id == loyalty_balances.c.customer_id,
            in_chunk,
        )
        .scalar_subquery()
    )


def _has_lots(in_chunk: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        loyalty_lots.c.programme == loyalty_balances.c.programme,
        loyalty_lots.c.customer_id == loyalty_balances.c.customer_id,
        in_chunk,
    )


_ENTRY_COLUMNS = [
    "programme",
    "customer_id",
    "kind",
    "source",
    "available",
    "pending",
    "debt",
    "shortfall",
    "lot_id",
    "occurred_at",
    "actor",
    "reason",
]


def activate_chunk(connection: Connection, now: datetime, chunk: int) -> int:
    """Up to ``chunk`` pending lots whose activation time came; the number of lots activated."""
    lots = loyalty_lots.c
    in_chunk = _chunk_of((lots.activated == 0) & (lots.active_at <= literal(now, UtcDateTime)), chunk)
    _lock_balances(connection, in_chunk)
    rows = select(
        lots.programme,
        lots.customer_id,
        literal(EntryKind.ACTIVATION.value),
        literal("lot:", String) + cast(lots.id, String),
        lots.remaining,
        -lots.remaining,
        literal(0),
        literal(0),
        lots.id,
        lots.active_at,
        literal(SYSTEM_ACTOR),
        literal("return window closed"),
    ).where(in_chunk, lots.remaining > 0)
    connection.execute(loyalty_entries.insert().from_select(_ENTRY_COLUMNS, rows))
    moved = _sum_per_balance(in_chunk)
    connection.execute(
        update(loyalty_balances)
        .where(_has_lots(in_chunk))
        .values(
            available=loyalty_balances.c.available + moved,
            pending=loyalty_balances.c.pending - moved,
            updated_at=literal(now, UtcDateTime),
        )
    )
    return int(connection.execute(update(loyalty_lots).where(in_chunk).values(activated=1)).rowcount)


def expire_chunk(connection: Connection, now: datetime, chunk: int) -> int:
    """Up to ``chunk`` available lots past their expiry: each loses what is left of it, and each
    customer hears once per chunk how much (``points_expired``); the number of lots expired."""
    lots = loyalty_lots.c
    due = (
        (lots.activated == 1)
        & (lots.remaining > 0)
        & lots.expires_at.is_not(None)
        & (lots.expires_at <= literal(now, UtcDateTime))
    )
    in_chunk = _chunk_of(due, chunk)
    _lock_balances(connection, in_chunk)
    last_before = connection.execute(select(func.coalesce(func.max(loyalty_entries.c.id), 0))).scalar_one()
    rows = select(
        lots.programme,
        lots.customer_id,
        literal(EntryKind.EXPIRY.value),
        literal("lot:", String) + cast(lots.id, String) + literal(":", String) + cast(lots.expired, String),
        -lots.remaining,
        literal(0),
        literal(0),
        literal(0),
        lots.id,
        lots.expires_at,
        literal(SYSTEM_ACTOR),
        literal("expired"),
    ).where(in_chunk)
    connection.execute(loyalty_entries.insert().from_select(_ENTRY_COLUMNS, rows))
    lost = _sum_per_balance(in_chunk)
    connection.execute(
        update(loyalty_balances)
        .where(_has_lots(in_chunk))
        .values(available=loyalty_balances.c.available - lost, updated_at=literal(now, UtcDateTime))
    )
    _announce_expired(connection, last_before, now)
    expired = connection.execute(
        update(loyalty_lots).where(in_chunk).values(expired=lots.expired + lots.remaining, remaining=0)
    ).rowcount
    return int(expired)


def _announce_expired(connection: Connection, last_before: int, now: datetime) -> None:
    entries = loyalty_entries.c
    first = func.min(entries.id)
    rows = (
        select(
            literal(f"loy:{EXPIRED}:", String) + cast(first, String),
            literal(EXPIRED),
            entries.customer_id,
            literal(now, UtcDateTime),
            literal(now, UtcDateTime),
            _json_object(
                connection,
                programme=entries.programme,
                points=-func.sum(entries.available),
                source=literal("nightly"),
            ),
        )
        .where(entries.id > last_before, entries.kind == EntryKind.EXPIRY.value)
        .group_by(entries.programme, entries.customer_id)
    )
    append_selected_events(connection, rows)


def announce_expiring(connection: Connection, now: datetime, days: int) -> int:
    """One ``points_expiring`` per customer and programme with points that expire on the UTC date
    ``days`` ahead (pending points too: they will be available by then); its id names the date's
    first lot, so a second run on the same date adds nothing. The number of notices."""
    day = datetime.combine(now.astimezone(UTC).date(), time(), UTC) + timedelta(days=days)
    lots = loyalty_lots.c
    first = func.min(lots.id)
    rows = (
        select(
            literal(f"loy:{EXPIRING}:", String) + cast(first, String),
            literal(EXPIRING),
            lots.customer_id,
            literal(now, UtcDateTime),
            literal(now, UtcDateTime),
            _json_object(
                connection,
                programme=lots.programme,
                points=func.sum(lots.remaining),
                expires_on=literal(day.date().isoformat()),
            ),
        )
        .where(
            lots.remaining > 0,
            lots.expires_at >= literal(day, UtcDateTime),
            lots.expires_at < literal(day + timedelta(days=1), UtcDateTime),
        )
        .group_by(lots.programme, lots.customer_id)
    )
    count = connection.execute(select(func.count()).select_from(rows.subquery())).scalar_one()
    append_selected_events(connection, rows)
    return int(count)


def _json_object(connection: Connection, **values: ColumnElement[object]) -> ColumnElement[object]:
    arguments: list[object] = []
    for key, value in values.items():
        arguments.extend([literal(key, String), value])
    if connection.dialect.name == "postgresql":
        return func.jsonb_build_object(*arguments)
    return func.json_object(*arguments)
