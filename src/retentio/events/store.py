"""Appending events to the log exactly once per client ``event_id``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retentio.db.batches import chunks, dialect_insert
from retentio.events.envelope import Event
from retentio.events.tables import events


def append_new_events(connection: Connection, batch: Sequence[Event], received_at: datetime) -> list[Event]:
    """Store the events of ``batch`` not stored before and return exactly those.

    On PostgreSQL ``ON CONFLICT DO NOTHING RETURNING`` tells which rows this transaction inserted,
    even with another process inserting the same ids at the same moment; rows go in ``event_id``
    order so two such processes take the unique-index locks in the same order. On SQLite the write
    lock is already exclusive (``BEGIN IMMEDIATE``), so a lookup followed by a plain insert is exact
    and faster.
    """
    ordered = sorted(batch, key=lambda event: event.event_id)
    if connection.dialect.name == "postgresql":
        inserted = _insert_returning(connection, ordered, received_at)
        return [event for event in ordered if event.event_id in inserted]
    existing: set[str] = set()
    for part in chunks([event.event_id for event in ordered]):
        existing.update(
            connection.execute(select(events.c.event_id).where(events.c.event_id.in_(part))).scalars()
        )
    fresh = [event for event in ordered if event.event_id not in existing]
    if fresh:
        connection.execute(events.insert(), [_row(event, received_at) for event in fresh])
    return fresh


def _insert_returning(connection: Connection, ordered: Sequence[Event], received_at: datetime) -> set[str]:
    inserted: set[str] = set()
    statement = (
        dialect_insert(connection, events)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(events.c.event_id, sort_by_parameter_order=True)
    )
    for part in chunks(ordered, 2_000):
        result = connection.execute(statement, [_row(event, received_at) for event in part])
        inserted.update(result.scalars())
    return inserted


def _row(event: Event, received_at: datetime) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "type": event.type,
        "customer_id": event.customer_id,
        "anonymous_id": event.anonymous_id,
        "occurred_at": event.occurred_at,
        "received_at": received_at,
        "properties": event.properties,
    }
