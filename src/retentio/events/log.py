"""Reading the log by position, for its consumers.

A position is ``(tx, row)``: the writing transaction (PostgreSQL's 64-bit transaction id; 0 on SQLite)
and the row's id. On SQLite one writer at a time commits, so ids grow in commit order. On PostgreSQL
they do not: a transaction that took id 41 may commit after the one that took 42, and a reader that
had moved past 42 would never see 41 (the classic outbox bug). So reads stop below the oldest
transaction that may still add rows: every row before that bound is committed or gone for good, and
nothing can appear behind a position once it has been read.

The bound is the reading snapshot's oldest running transaction (``pg_snapshot_xip``), leaving out
those that ``pg_stat_activity`` shows running in another database of the same server (transaction
ids are server-wide; another database's writers can add no row here). A transaction that ended after
the snapshot was taken is not among them, so it still holds the bound: the bound errs only towards
waiting. The cost is a lag as long as the longest-running writing transaction of this database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, Connection, and_, func, literal_column, select, tuple_

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
        .where(_past(connection, after), *_settled(connection))
        .order_by(events.c.tx, events.c.id)
        .limit(limit)
    )
    return [
        LoggedEvent(Position(row.tx, row.id), row.received_at, event_from_row(row))
        for row in connection.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class Window:
    """The events of some types among the next settled events past a position: ``end`` is the last
    of all those events and ``passed`` their number, matched or not (``end`` is None: nothing new)."""

    events: list[LoggedEvent]
    end: Position | None
    passed: int


def read_window(connection: Connection, after: Position, limit: int, types: frozenset[str]) -> Window:
    """The events of ``types`` among the next ``limit`` settled events past ``after``. A consumer
    that reads a few types moves its checkpoint to the window's end whatever it matched, and
    decodes only what it reads."""
    window = (
        select(events.c.tx, events.c.id)
        .where(_past(connection, after), *_settled(connection))
        .order_by(events.c.tx, events.c.id)
        .limit(limit)
        .subquery()
    )
    end = connection.execute(
        select(window.c.tx, window.c.id, func.count().over().label("passed"))
        .order_by(window.c.tx.desc(), window.c.id.desc())
        .limit(1)
    ).first()
    if end is None:
        return Window([], None, 0)
    upto = Position(end.tx, end.id)
    query = (
        select(events)
        .where(_past(connection, after), _not_past(connection, upto), events.c.type.in_(sorted(types)))
        .order_by(events.c.tx, events.c.id)
    )
    batch = [
        LoggedEvent(Position(row.tx, row.id), row.received_at, event_from_row(row))
        for row in connection.execute(query)
    ]
    return Window(batch, upto, int(end.passed))


def count_after(connection: Connection, after: Position) -> int:
    """How many settled events a consumer at ``after`` has still to read."""
    query = select(func.count()).select_from(events).where(_past(connection, after), *_settled(connection))
    return int(connection.execute(query).scalar_one())


def oldest_after(connection: Connection, after: Position) -> datetime | None:
    """When the first event a consumer at ``after`` has still to read was received."""
    query = (
        select(events.c.received_at)
        .where(_past(connection, after), *_settled(connection))
        .order_by(events.c.tx, events.c.id)
        .limit(1)
    )
    found: datetime | None = connection.execute(query).scalar_one_or_none()
    return found


def _past(connection: Connection, after: Position) -> ColumnElement[bool]:
    """The rows after ``after`` as a range of the ``(tx, id)`` index, so a read starts at the position:
    a row comparison on PostgreSQL; on SQLite, where every row and position has tx 0, the ids past it.
    Written as ``tx > a OR (tx = a AND id > b)`` it was planned as a walk from the start of the log
    (or a scan and sort of all of it), so every look cost time in proportion to the log's size."""
    if connection.dialect.name == "postgresql":
        return tuple_(events.c.tx, events.c.id) > tuple_(after.tx, after.row)
    return and_(events.c.tx == after.tx, events.c.id > after.row)


def last_position(connection: Connection) -> Position:
    """The newest committed event's position, settled or not: where a consumer that has read every
    event committed so far stands (or beyond)."""
    row = connection.execute(
        select(events.c.tx, events.c.id).order_by(events.c.tx.desc(), events.c.id.desc()).limit(1)
    ).first()
    return START if row is None else Position(row.tx, row.id)


# The transactions of this server that were running when the statement's snapshot was taken, less
# those known to run in another database; with none, the snapshot's end (``xmax``). Transaction ids
# are 64-bit here and 32-bit in pg_stat_activity: the low 32 bits are the same.
_OLDEST_WRITER_HERE = """(
SELECT LEAST(
    pg_snapshot_xmax(snap.s)::text::bigint,
    (SELECT min(running::text::bigint) FROM pg_snapshot_xip(snap.s) AS running
     WHERE running::text::bigint % 4294967296 NOT IN (
         SELECT backend_xid::text::bigint FROM pg_stat_activity
         WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())))
FROM (SELECT pg_current_snapshot() AS s) AS snap)"""


def _not_past(connection: Connection, upto: Position) -> ColumnElement[bool]:
    """The rows up to and including ``upto``, the upper end of ``_past``'s range."""
    if connection.dialect.name == "postgresql":
        return tuple_(events.c.tx, events.c.id) <= tuple_(upto.tx, upto.row)
    return and_(events.c.tx == upto.tx, events.c.id <= upto.row)


def _settled(connection: Connection) -> Sequence[ColumnElement[bool]]:
    if connection.dialect.name != "postgresql":
        return ()
    return (events.c.tx < literal_column(_OLDEST_WRITER_HERE, BigInteger),)
