"""Recording moves: members in and out for a set of customers, every move as a change row, and the
size history point of a refresh or of a day of ingest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import Connection, delete, insert

from retentio.db.batches import chunks, dialect_insert
from retentio.segments.custom.tables import custom_segment_changes as changes
from retentio.segments.custom.tables import custom_segment_members as members
from retentio.segments.custom.tables import custom_segment_sizes as sizes

REFRESH = "refresh"
INGEST = "ingest"


@dataclass(frozen=True, slots=True)
class Moves:
    """What one evaluation did to a segment."""

    size: int
    entered: int
    exited: int


def move_customers(
    connection: Connection,
    segment_id: int,
    entered: Sequence[str],
    exited: Sequence[str],
    now: datetime,
) -> None:
    """Apply the moves of a few customers (incremental evaluation), in customer id order."""
    for part in chunks(sorted(exited)):
        connection.execute(
            delete(members).where(members.c.segment_id == segment_id, members.c.customer_id.in_(part))
        )
    rows = [{"segment_id": segment_id, "customer_id": cid, "entered_at": now} for cid in sorted(entered)]
    if rows:
        connection.execute(insert(members), rows)
    record_changes(connection, segment_id, entered, exited, now, INGEST)


def record_changes(
    connection: Connection,
    segment_id: int,
    entered: Sequence[str],
    exited: Sequence[str],
    now: datetime,
    source: str,
) -> None:
    rows = [
        {"segment_id": segment_id, "customer_id": cid, "entered": flag, "changed_at": now, "source": source}
        for flag, ids in ((True, sorted(entered)), (False, sorted(exited)))
        for cid in ids
    ]
    if rows:
        connection.execute(insert(changes), rows)


def record_size(connection: Connection, segment_id: int, source: str, moves: Moves, now: datetime) -> None:
    """One point per refresh; moves made by ingest add up into one point per UTC day."""
    period_start = now if source == REFRESH else datetime.combine(now.date(), time(), now.tzinfo)
    statement = dialect_insert(connection, sizes).values(
        segment_id=segment_id,
        source=source,
        period_start=period_start,
        measured_at=now,
        size=moves.size,
        entered=moves.entered,
        exited=moves.exited,
    )
    excluded = statement.excluded
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["segment_id", "source", "period_start"],
            set_={
                "measured_at": excluded.measured_at,
                "size": excluded.size,
                "entered": sizes.c.entered + excluded.entered,
                "exited": sizes.c.exited + excluded.exited,
            },
        )
    )
