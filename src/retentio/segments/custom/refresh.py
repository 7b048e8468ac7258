"""A full refresh of one segment, atomic and set-based: the rule's query fills a staging area, and
the difference with the current members is recorded (a change row and an event per move) and
applied, all in the caller's transaction. A new segment's first fill keeps counts only: nobody
moved, the segment appeared.

Readers see the old membership until the transaction commits; a process killed halfway leaves
nothing behind (the database rolls the transaction back), so the previous membership stays intact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Exists,
    Integer,
    Select,
    String,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)

from retentio.db.types import UtcDateTime
from retentio.segments.custom.announce import announce_set
from retentio.segments.custom.moves import REFRESH, Moves, record_size
from retentio.segments.custom.store import set_size
from retentio.segments.custom.tables import custom_segment_changes as changes
from retentio.segments.custom.tables import custom_segment_members as members
from retentio.segments.custom.tables import custom_segment_staging as staging


def refresh_membership(
    connection: Connection,
    segment_id: int,
    name: str,
    matching: Select[Any],
    now: datetime,
    record_moves: bool = True,
) -> Moves:
    """Make the members of segment ``name`` exactly the customers ``matching`` selects.

    Without ``record_moves`` (a new segment's first fill: nobody moved, the segment appeared) only
    the counts are kept, not a change row and an event per customer."""
    _clear_staging(connection, segment_id)
    _stage(connection, segment_id, matching)
    entered = _moved(connection, segment_id, name, True, now, record_moves)
    exited = _moved(connection, segment_id, name, False, now, record_moves)
    _apply(connection, segment_id, now)
    size = _staged_count(connection, segment_id)
    _clear_staging(connection, segment_id)
    moves = Moves(size=size, entered=entered, exited=exited)
    set_size(connection, segment_id, size, refreshed_at=now)
    record_size(connection, segment_id, REFRESH, moves, now)
    return moves


def _moved(
    connection: Connection, segment_id: int, name: str, entered: bool, now: datetime, record: bool
) -> int:
    """How many customers enter (or leave); with ``record``, a change row and an event for each."""
    who = _newcomers(segment_id) if entered else _leavers(segment_id)
    if not record:
        counted = select(func.count()).select_from(who.subquery("moving"))
        return int(connection.execute(counted).scalar_one())
    count = _record(connection, segment_id, who, entered, now)
    if count:
        announce_set(connection, name, who, entered, now)
    return count


def _stage(connection: Connection, segment_id: int, matching: Select[Any]) -> None:
    found = matching.subquery("matching")
    rows = select(literal(segment_id, Integer), found.c.customer_id)
    connection.execute(insert(staging).from_select(["segment_id", "customer_id"], rows))


def _newcomers(segment_id: int) -> Select[Any]:
    already = exists().where(
        members.c.segment_id == segment_id, members.c.customer_id == staging.c.customer_id
    )
    return select(staging.c.customer_id).where(staging.c.segment_id == segment_id, ~already)


def _leavers(segment_id: int) -> Select[Any]:
    return select(members.c.customer_id).where(members.c.segment_id == segment_id, ~_staying(segment_id))


def _staying(segment_id: int) -> Exists:
    return exists().where(staging.c.segment_id == segment_id, staging.c.customer_id == members.c.customer_id)


def _record(connection: Connection, segment_id: int, who: Select[Any], entered: bool, now: datetime) -> int:
    moved = who.subquery("moved")
    rows = select(
        literal(segment_id, Integer),
        moved.c.customer_id,
        literal(entered, Boolean),
        literal(now, UtcDateTime),
        literal(REFRESH, String),
    )
    columns = ["segment_id", "customer_id", "entered", "changed_at", "source"]
    statement = insert(changes).from_select(columns, rows).execution_options(preserve_rowcount=True)
    result = connection.execute(statement)
    return int(result.rowcount)


def _apply(connection: Connection, segment_id: int, now: datetime) -> None:
    """Members out, then members in (their changes are already recorded)."""
    connection.execute(delete(members).where(members.c.segment_id == segment_id, ~_staying(segment_id)))
    coming = _newcomers(segment_id).subquery("coming")
    rows = select(literal(segment_id, Integer), coming.c.customer_id, literal(now, UtcDateTime))
    connection.execute(insert(members).from_select(["segment_id", "customer_id", "entered_at"], rows))


def _staged_count(connection: Connection, segment_id: int) -> int:
    statement = select(func.count()).select_from(staging).where(staging.c.segment_id == segment_id)
    return int(connection.execute(statement).scalar_one())


def _clear_staging(connection: Connection, segment_id: int) -> None:
    connection.execute(delete(staging).where(staging.c.segment_id == segment_id))
