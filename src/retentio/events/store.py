"""Appending events to the log exactly once per ``event_id``: the one way anything enters the log,
clients' events (through ingest) and Retentio's derived ones (segment moves) alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Select, literal, select, update

from retentio.db.batches import chunks, dialect_insert
from retentio.db.codec import Codec, codec_for, executemany, fetchall
from retentio.events.envelope import Event
from retentio.events.tables import events

_COLUMNS = (
    "event_id, type, customer_id, anonymous_id, occurred_at, received_at, properties, derived, historical"
)

# PostgreSQL: one statement per chunk; unnest turns parallel arrays into rows, and ON CONFLICT with
# RETURNING names exactly the rows this transaction inserted, even against a concurrent writer.
_INSERT_POSTGRES = f"""
INSERT INTO events ({_COLUMNS})
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],
                     %s::timestamptz[], %s::timestamptz[], %s::jsonb[], %s::boolean[], %s::boolean[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""
_INSERT_SQLITE = f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def append_new_events(connection: Connection, batch: Sequence[Event], received_at: datetime) -> list[Event]:
    """Store the events of ``batch`` not stored before and return exactly those.

    Rows go in ``event_id`` order, so two processes inserting overlapping batches take the
    unique-index locks in the same order and cannot deadlock. On SQLite the write lock is already
    exclusive (``BEGIN IMMEDIATE``), so a lookup followed by a plain insert is exact and faster.
    """
    ordered = sorted(batch, key=lambda event: event.event_id)
    codec = codec_for(connection)
    if codec.is_postgres:
        inserted = _insert_returning(connection, codec, ordered, received_at)
        return [event for event in ordered if event.event_id in inserted]
    existing = _stored_ids(connection, [event.event_id for event in ordered])
    fresh = [event for event in ordered if event.event_id not in existing]
    stamp = codec.timestamp(received_at)
    executemany(connection, _INSERT_SQLITE, [_row(codec, event, stamp) for event in fresh])
    return fresh


def _stored_ids(connection: Connection, event_ids: Sequence[str]) -> set[str]:
    existing: set[str] = set()
    for part in chunks(event_ids):
        sql = f"SELECT event_id FROM events WHERE event_id IN ({', '.join('?' * len(part))})"
        existing.update(row[0] for row in fetchall(connection, sql, part))
    return existing


def _insert_returning(
    connection: Connection, codec: Codec, ordered: Sequence[Event], received_at: datetime
) -> set[str]:
    inserted: set[str] = set()
    for part in chunks(ordered, 5_000):
        rows = [_row(codec, event, received_at) for event in part]
        columns = [list(column) for column in zip(*rows, strict=True)]
        inserted.update(row[0] for row in fetchall(connection, _INSERT_POSTGRES, columns))
    return inserted


def _row(codec: Codec, event: Event, received_at: Any) -> tuple[Any, ...]:
    encoded = event.encoded_properties
    return (
        event.event_id,
        event.type,
        event.customer_id,
        event.anonymous_id,
        codec.timestamp(event.occurred_at),
        received_at,
        codec.json(event.properties) if encoded is None else encoded,
        event.derived,
        event.historical,
    )


def append_selected_events(connection: Connection, rows: Select[Any], historical: bool = False) -> None:
    """Append the derived events ``rows`` selects — columns ``event_id, type, customer_id, occurred_at,
    received_at, properties`` in that order — in one statement, skipping ids already stored: set-based
    work (a refresh moving a million customers) writes its moves without building them in Python."""
    connection.execute(selected_events_insert(connection, rows, historical))


def selected_events_insert(connection: Connection, rows: Select[Any], historical: bool = False) -> Any:
    """The statement ``append_selected_events`` runs, not run: on PostgreSQL a write path may make it
    one part (a ``WITH``) of its own statement, so that its derived event costs no round trip."""
    marked = rows.add_columns(literal(True, Boolean), literal(historical, Boolean))
    names = [*_SELECTED_COLUMNS, "derived", "historical"]
    return dialect_insert(connection, events).from_select(names, marked).on_conflict_do_nothing()


_SELECTED_COLUMNS = ("event_id", "type", "customer_id", "occurred_at", "received_at", "properties")


def reassign_events(connection: Connection, from_customer: str, to_customer: str) -> int:
    """A merge: what ``from_customer`` did becomes ``to_customer``'s (derived events stay where they
    were, as the history of the record they were about); returns the events moved."""
    moved = connection.execute(
        update(events)
        .where(events.c.customer_id == from_customer, events.c.derived.is_(False))
        .values(customer_id=to_customer)
    ).rowcount
    return int(moved)


def activity_of(customer_ids: Sequence[str]) -> Select[Any]:
    """The events these customers sent or did (no derived ones), for replaying their history."""
    return select(events).where(events.c.customer_id.in_(customer_ids), events.c.derived.is_(False))


def all_activity() -> Select[Any]:
    """Every event but the derived ones, for replaying the whole history."""
    return select(events).where(events.c.derived.is_(False))
