"""The ledger's nightly work, set-based: pending lots whose time came become available, available
lots past their expiry lose what is left of them, and customers whose points expire in N days hear
of it. Each step is a handful of INSERT … SELECT and UPDATE statements over a chunk of lots, never a
Python loop per lot; the entries' source keys (``lot:<id>``, ``lot:<id>:<expired before>``) make a
rerun a no-op. Changes of a single customer catch up the same way on their own (``service``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    String,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    table,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from retentio.db.retry import in_transaction
from retentio.db.types import UtcDateTime
from retentio.events import append_selected_events
from retentio.loyalty.ledger.announce import EXPIRED, EXPIRING, json_object
from retentio.loyalty.ledger.catchup import SYSTEM_ACTOR
from retentio.loyalty.ledger.model import EntryKind
from retentio.loyalty.ledger.tables import loyalty_entries, loyalty_lots

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


# The chunk's lots, copied once per transaction: every statement after reads this small table
# instead of finding the due lots again (a temporary table: per connection, dropped before commit).
_DUE = table(
    "loyalty_due",
    column("id", BigInteger),
    column("programme", String),
    column("customer_id", String),
    column("remaining", BigInteger),
    column("expired", BigInteger),
    column("at", UtcDateTime),
)
_CREATE_DUE = (
    "CREATE TEMPORARY TABLE loyalty_due (id BIGINT PRIMARY KEY, programme VARCHAR(64), "
    "customer_id VARCHAR(128), remaining BIGINT, expired BIGINT, at {timestamp})"
)
_PER_BALANCE = (
    "CREATE TEMPORARY TABLE loyalty_due_sums AS SELECT programme, customer_id, SUM(remaining) AS points "
    "FROM loyalty_due GROUP BY programme, customer_id"
)


def _stage(connection: Connection, condition: ColumnElement[bool], at: ColumnElement[Any], chunk: int) -> int:
    """Copy up to ``chunk`` lots meeting ``condition`` (in id order) to ``loyalty_due``, lock their
    balances in primary-key order (as every change takes them), and sum them per balance."""
    _drop_stage(connection)
    postgres = connection.dialect.name == "postgresql"
    connection.exec_driver_sql(_CREATE_DUE.format(timestamp="TIMESTAMPTZ" if postgres else "DATETIME"))
    lots = loyalty_lots.c
    picked = (
        select(lots.id, lots.programme, lots.customer_id, lots.remaining, lots.expired, at)
        .where(condition)
        .order_by(lots.id)
        .limit(chunk)
    )
    connection.execute(
        insert(_DUE).from_select(["id", "programme", "customer_id", "remaining", "expired", "at"], picked)
    )
    # Counted, not taken from the INSERT's rowcount: psycopg reports -1 for this one.
    staged = connection.exec_driver_sql("SELECT COUNT(*) FROM loyalty_due").scalar_one()
    connection.exec_driver_sql(_PER_BALANCE)
    if postgres:
        connection.exec_driver_sql(
            "SELECT 1 FROM loyalty_balances b JOIN loyalty_due_sums s "
            "ON s.programme = b.programme AND s.customer_id = b.customer_id "
            "ORDER BY b.programme, b.customer_id FOR UPDATE OF b"
        ).all()
    return int(staged)


def _drop_stage(connection: Connection) -> None:
    connection.exec_driver_sql("DROP TABLE IF EXISTS loyalty_due")
    connection.exec_driver_sql("DROP TABLE IF EXISTS loyalty_due_sums")


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
_CHANGE_BALANCES = (
    "UPDATE loyalty_balances SET available = available + {sign}s.points, pending = pending {pending} , "
    "updated_at = :now FROM loyalty_due_sums s "
    "WHERE loyalty_balances.programme = s.programme AND loyalty_balances.customer_id = s.customer_id"
)


def activate_chunk(connection: Connection, now: datetime, chunk: int) -> int:
    """Up to ``chunk`` pending lots whose activation time came; the number of lots activated."""
    lots = loyalty_lots.c
    due = (lots.activated == 0) & (lots.active_at <= literal(now, UtcDateTime))
    staged = _stage(connection, due, lots.active_at, chunk)
    if staged:
        rows = select(
            _DUE.c.programme,
            _DUE.c.customer_id,
            literal(EntryKind.ACTIVATION.value),
            literal("lot:", String) + cast(_DUE.c.id, String),
            _DUE.c.remaining,
            -_DUE.c.remaining,
            literal(0),
            literal(0),
            _DUE.c.id,
            _DUE.c.at,
            literal(SYSTEM_ACTOR),
            literal("return window closed"),
        ).where(_DUE.c.remaining > 0)
        connection.execute(loyalty_entries.insert().from_select(_ENTRY_COLUMNS, rows))
        _change_balances(connection, "+", "- s.points", now)
        connection.exec_driver_sql(
            "UPDATE loyalty_lots SET activated = 1 WHERE id IN (SELECT id FROM loyalty_due)"
        )
    _drop_stage(connection)
    return staged


def _change_balances(connection: Connection, sign: str, pending: str, now: datetime) -> None:
    connection.execute(
        text(_CHANGE_BALANCES.format(sign=sign, pending=pending)).bindparams(
            bindparam("now", now, type_=UtcDateTime)
        )
    )


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
    staged = _stage(connection, due, lots.expires_at, chunk)
    if staged:
        last_before = connection.execute(
            select(func.coalesce(func.max(loyalty_entries.c.id), 0))
        ).scalar_one()
        rows = select(
            _DUE.c.programme,
            _DUE.c.customer_id,
            literal(EntryKind.EXPIRY.value),
            literal("lot:", String)
            + cast(_DUE.c.id, String)
            + literal(":", String)
            + cast(_DUE.c.expired, String),
            -_DUE.c.remaining,
            literal(0),
            literal(0),
            literal(0),
            _DUE.c.id,
            _DUE.c.at,
            literal(SYSTEM_ACTOR),
            literal("expired"),
        )
        connection.execute(loyalty_entries.insert().from_select(_ENTRY_COLUMNS, rows))
        _change_balances(connection, "-", "", now)
        _announce_expired(connection, last_before, now)
        connection.exec_driver_sql(
            "UPDATE loyalty_lots SET expired = loyalty_lots.expired + d.remaining, remaining = 0 "
            "FROM loyalty_due d WHERE loyalty_lots.id = d.id"
        )
    _drop_stage(connection)
    return staged


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
            json_object(
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
            json_object(
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
