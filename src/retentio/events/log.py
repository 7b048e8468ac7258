"""Reading the log by position, for its consumers.

A position is ``(tx, row)``: the writing transaction (PostgreSQL's 64-bit transaction id; 0 on SQLite)
and the row's id. On SQLite one writer at a time commits, so ids grow in commit order. On PostgreSQL
they do not: a transaction that took id 41 may commit after the one that took 42, and a reader that
had moved past 42 would never see 41 (the classic outbox bug). So reads stop below the oldest
transaction of this database still running (``_SETTLED_BELOW``): every row before that bound is
committed or gone for good, and nothing can appear behind a position once it has been read. The cost
is a lag as long as the longest-running writing transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, Connection, and_, func, literal_column, or_, select

from retentio.events.envelope import Event
from retentio.events.replay import event_from_row
from retentio.events.tables import events


@dataclass(frozen=True, slots=True, order=True)
class Position:
    tx: int
    row: int


START = Position(0, 0)


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    position: Position
    received_at: datetime
    event: Event


def read_after(connection: Connection, after: Position, limit: int) -> list[LoggedEvent]:
    """Up to ``limit`` events past ``after``, in log order, never past a gap that may still fill."""
    query = (
        select(events)
        .where(_past(after), *_settled(connection))
        .order_by(events.c.tx, events.c.id)
        .limit(limit)
    )
    return [
        LoggedEvent(Position(row.tx, row.id), row.received_at, event_from_row(row))
        for row in connection.execute(query)
    ]


def count_after(connection: Connection, after: Position) -> int:
    """How many settled events a consumer at ``after`` has still to read."""
    query = select(func.count()).select_from(events).where(_past(after), *_settled(connection))
    return int(connection.execute(query).scalar_one())


def oldest_after(connection: Connection, after: Position) -> datetime | None:
    """When the first event a consumer at ``after`` has still to read was received."""
    query = (
        select(events.c.received_at)
        .where(_past(after), *_settled(connection))
        .order_by(events.c.tx, events.c.id)
        .limit(1)
    )
    found: datetime | None = connection.execute(query).scalar_one_or_none()
    return found


def _past(after: Position) -> ColumnElement[bool]:
    return or_(events.c.tx > after.tx, and_(events.c.tx == after.tx, events.c.id > after.row))


# The oldest transaction still running that may write to this log, as of the statement's snapshot.
# Not the snapshot's xmin: transaction ids are shared by every database of the server, and waiting
# for a transaction left open in another database (another application, a stuck session) would stop
# every consumer for as long. A running transaction is skipped only when pg_stat_activity shows it
# in another database (a backend never changes database, and every column read here is shown to
# every role); one not shown there (it just ended, or is prepared) is waited for. Activity lists the
# 32-bit id, the snapshot the 64-bit one: their low 32 bits are the same.
_SETTLED_BELOW = """(
SELECT least(
    pg_snapshot_xmax(snapshot)::text::bigint,
    (SELECT min(running::text::bigint) FROM pg_snapshot_xip(snapshot) AS running
     WHERE running::text::bigint % 4294967296 NOT IN (
         SELECT backend_xid::text::bigint FROM pg_stat_activity
         WHERE backend_xid IS NOT NULL
           AND datid <> (SELECT oid FROM pg_database WHERE datname = current_database()))))
FROM pg_current_snapshot() AS snapshot)"""


def _settled(connection: Connection) -> Sequence[ColumnElement[bool]]:
    if connection.dialect.name != "postgresql":
        return ()
    return (events.c.tx < literal_column(_SETTLED_BELOW, BigInteger),)
