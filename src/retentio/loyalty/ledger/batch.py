"""Many accruals in one transaction, set-based: a nightly award, an import of earned points, a
campaign's bonus for a segment. The lines are copied once to a temporary table, and a handful of
INSERT … SELECT and UPDATE statements write every entry, lot, balance and ``points_earned`` event,
however many lines there are — never a statement per line. Each line is what ``do_accrue`` would
do: its source credits once (a repeat of the batch writes nothing), and a customer with a debt pays
it first (those few lines take ``do_accrue``'s path, after the others)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    String,
    bindparam,
    case,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    table,
    text,
    true,
    update,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from retentio.customers import customers
from retentio.db.batches import chunks, dialect_insert
from retentio.db.types import UtcDateTime
from retentio.events import append_selected_events
from retentio.loyalty.ledger.announce import EARNED, json_object
from retentio.loyalty.ledger.catchup import SYSTEM_ACTOR
from retentio.loyalty.ledger.checks import check_account, check_points, check_source, check_times
from retentio.loyalty.ledger.errors import LedgerError, UnknownCustomer
from retentio.loyalty.ledger.model import EntryKind
from retentio.loyalty.ledger.service import do_accrue
from retentio.loyalty.ledger.tables import loyalty_balances, loyalty_entries, loyalty_lots


@dataclass(frozen=True, slots=True)
class Accrual:
    """One line of a batch: as ``do_accrue``'s arguments."""

    customer_id: str
    points: int
    source: str
    active_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccruedMany:
    credited: int  # lines that wrote an entry
    repeated: int  # lines whose source was credited before: nothing written
    points: int  # points the credited lines earned (before any debt they paid)


# The batch's lines, once per transaction (a temporary table: per connection, dropped before commit).
_LINES = table(
    "loyalty_accruing",
    column("customer_id", String),
    column("source", String),
    column("points", BigInteger),
    column("available", BigInteger),
    column("pending", BigInteger),
    column("active_at", UtcDateTime),
    column("activated", Integer),
    column("expires_at", UtcDateTime),
    column("entry_id", BigInteger),
)
_CREATE_LINES = (
    "CREATE TEMPORARY TABLE loyalty_accruing (customer_id VARCHAR(128), source VARCHAR(255), "
    "points BIGINT, available BIGINT, pending BIGINT, active_at {timestamp}, activated INTEGER, "
    "expires_at {timestamp}, entry_id BIGINT, PRIMARY KEY (customer_id, source))"
)


def do_accrue_many(
    connection: Connection,
    programme: str,
    accruals: Sequence[Accrual],
    now: datetime,
    *,
    actor: str = SYSTEM_ACTOR,
    reason: str = "",
) -> AccruedMany:
    """Credit every line in the caller's transaction; a bad line refuses the whole batch before
    anything is written, naming it (``accruals[3].points: must be positive, not 0``)."""
    actives = _checked(programme, accruals, now, actor, reason)
    customer_ids = sorted({line.customer_id for line in accruals})
    _refuse_unknown(connection, customer_ids)
    debts = _lock_balances(connection, programme, customer_ids, now)
    plain = [
        (line, active)
        for line, active in zip(accruals, actives, strict=True)
        if not debts.get(line.customer_id)
    ]
    credited, points = _credit_set(connection, programme, plain, now, actor, reason) if plain else (0, 0)
    for line in accruals:  # the few who owe: ``do_accrue`` pays their debt first
        if debts.get(line.customer_id):
            posted = do_accrue(
                connection,
                programme,
                line.customer_id,
                line.points,
                line.source,
                now,
                active_at=line.active_at,
                expires_at=line.expires_at,
                actor=actor,
                reason=reason,
            )
            if not posted.repeated:
                credited += 1
                points += line.points
    return AccruedMany(credited, len(accruals) - credited, points)


def _checked(
    programme: str, accruals: Sequence[Accrual], now: datetime, actor: str, reason: str
) -> list[datetime]:
    seen: set[tuple[str, str]] = set()
    actives: list[datetime] = []
    for index, line in enumerate(accruals):
        try:
            check_account(programme, line.customer_id)
            check_points(line.points)
            check_source(line.source, actor, reason)
            actives.append(check_times(now, line.active_at, line.expires_at))
        except LedgerError as error:
            raise LedgerError(f"accruals[{index}].{error.field}", error.message) from None
        if (line.customer_id, line.source) in seen:
            raise LedgerError(f"accruals[{index}].source", f"{line.source!r} is twice in the batch")
        seen.add((line.customer_id, line.source))
    return actives


def _refuse_unknown(connection: Connection, customer_ids: Sequence[str]) -> None:
    known: set[str] = set()
    for part in chunks(customer_ids):
        known.update(
            connection.execute(
                select(customers.c.customer_id).where(customers.c.customer_id.in_(part))
            ).scalars()
        )
    missing = next((customer_id for customer_id in customer_ids if customer_id not in known), None)
    if missing is not None:
        raise UnknownCustomer(missing)


def _lock_balances(
    connection: Connection, programme: str, customer_ids: Sequence[str], now: datetime
) -> dict[str, int]:
    """Create the missing balance rows, then lock all of them in primary-key order (as every change
    takes them); each customer's debt."""
    rows = [
        {
            "programme": programme,
            "customer_id": who,
            "available": 0,
            "pending": 0,
            "debt": 0,
            "updated_at": now,
        }
        for who in customer_ids
    ]
    for new_rows in chunks(rows):
        connection.execute(
            dialect_insert(connection, loyalty_balances).on_conflict_do_nothing(), list(new_rows)
        )
    balances = loyalty_balances.c
    debts: dict[str, int] = {}
    for part in chunks(customer_ids):
        query = (
            select(balances.customer_id, balances.debt)
            .where(balances.programme == programme, balances.customer_id.in_(part))
            .order_by(balances.customer_id)
        )
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        debts.update((row[0], row[1]) for row in connection.execute(query))
    return debts


def _credit_set(
    connection: Connection,
    programme: str,
    lines: Sequence[tuple[Accrual, datetime]],
    now: datetime,
    actor: str,
    reason: str,
) -> tuple[int, int]:
    postgres = connection.dialect.name == "postgresql"
    connection.exec_driver_sql("DROP TABLE IF EXISTS loyalty_accruing")
    connection.exec_driver_sql(_CREATE_LINES.format(timestamp="TIMESTAMPTZ" if postgres else "DATETIME"))
    staged = [
        {
            "customer_id": line.customer_id,
            "source": line.source,
            "points": line.points,
            "available": 0 if active > now else line.points,
            "pending": line.points if active > now else 0,
            "active_at": active,
            "activated": 0 if active > now else 1,
            "expires_at": line.expires_at,
        }
        for line, active in lines
    ]
    connection.execute(insert(_LINES), staged)
    if postgres:  # a temporary table has no statistics until asked: without them every join below loops
        connection.exec_driver_sql("ANALYZE loyalty_accruing")
    last_before = connection.execute(select(func.coalesce(func.max(loyalty_entries.c.id), 0))).scalar_one()
    entries = loyalty_entries.c
    new_entries = (
        select(
            literal(programme, String),
            _LINES.c.customer_id,
            literal(EntryKind.ACCRUAL.value, String),
            _LINES.c.source,
            _LINES.c.available,
            _LINES.c.pending,
            literal(0),
            literal(0),
            literal(now, UtcDateTime),
            literal(actor, String),
            literal(reason, String),
        )
        .where(true())  # SQLite reads ``SELECT … ON CONFLICT`` only after a WHERE
        .order_by(_LINES.c.customer_id, _LINES.c.source)
    )
    columns = [
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
    connection.execute(
        dialect_insert(connection, loyalty_entries)
        .from_select(columns, new_entries)
        .on_conflict_do_nothing(index_elements=["programme", "customer_id", "kind", "source"])
    )
    # Each line's new entry (none for a source credited before): later than any entry before the
    # batch, and of these customers, whose balances this transaction holds, so no other change adds
    # accruals for them meanwhile. Everything after reads the lines alone, which the planner knows.
    entries = loyalty_entries.c
    connection.execute(
        update(_LINES).values(
            entry_id=select(entries.id)
            .where(
                entries.programme == programme,
                entries.customer_id == _LINES.c.customer_id,
                entries.kind == EntryKind.ACCRUAL.value,
                entries.source == _LINES.c.source,
                entries.id > last_before,
            )
            .scalar_subquery()
        )
    )
    credited_lines = _LINES.c.entry_id.is_not(None)
    connection.execute(
        insert(loyalty_lots).from_select(
            ["id", "programme", "customer_id", "amount", "remaining", "active_at", "activated", "expires_at"],
            select(
                _LINES.c.entry_id,
                literal(programme, String),
                _LINES.c.customer_id,
                _LINES.c.points,
                _LINES.c.points,
                _LINES.c.active_at,
                _LINES.c.activated,
                _LINES.c.expires_at,
            ).where(credited_lines),
        )
    )
    credited, points = connection.execute(
        select(func.count(), func.coalesce(func.sum(_LINES.c.points), 0)).where(credited_lines)
    ).one()
    connection.execute(
        text(
            "UPDATE loyalty_balances SET available = loyalty_balances.available + s.available, "
            "pending = loyalty_balances.pending + s.pending, updated_at = :now "
            "FROM (SELECT customer_id, SUM(available) AS available, SUM(pending) AS pending "
            "      FROM loyalty_accruing WHERE entry_id IS NOT NULL GROUP BY customer_id) s "
            "WHERE loyalty_balances.programme = :programme AND loyalty_balances.customer_id = s.customer_id"
        ).bindparams(bindparam("now", now, type_=UtcDateTime), programme=programme),
    )
    pending: ColumnElement[Any] = _LINES.c.pending > 0
    if connection.dialect.name != "postgresql":  # SQLite's json_object writes a comparison as 0 or 1
        pending = func.json(case((pending, "true"), else_="false"))
    event_rows: Select[Any] = select(
        literal(f"loy:{EARNED}:", String) + cast(_LINES.c.entry_id, String),
        literal(EARNED, String),
        _LINES.c.customer_id,
        literal(now, UtcDateTime),
        literal(now, UtcDateTime),
        json_object(
            connection,
            programme=literal(programme, String),
            points=_LINES.c.points,
            source=_LINES.c.source,
            pending=pending,
        ),
    ).where(credited_lines)
    append_selected_events(connection, event_rows)
    connection.exec_driver_sql("DROP TABLE loyalty_accruing")
    return int(credited), int(points)
