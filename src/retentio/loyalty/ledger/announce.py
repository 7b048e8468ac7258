"""The ledger's derived events, appended to the log in the change's transaction: ``points_earned``
and ``points_redeemed`` per entry (journeys and templates react to them); the nightly work's
``points_expired`` and ``points_expiring`` are written set-based by ``nightly``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, String, func, literal
from sqlalchemy.sql.elements import ColumnElement

from retentio.events import Event, append_new_events
from retentio.loyalty.ledger.model import Entry

EARNED, REDEEMED, EXPIRED, EXPIRING = "points_earned", "points_redeemed", "points_expired", "points_expiring"


def announce(connection: Connection, type_name: str, entry: Entry, points: int, now: datetime) -> None:
    event = Event(
        event_id=f"loy:{type_name}:{entry.id}",
        type=type_name,
        customer_id=entry.customer_id,
        anonymous_id=None,
        occurred_at=entry.occurred_at.astimezone(UTC),
        properties={
            "programme": entry.programme,
            "points": points,
            "source": entry.source,
            "pending": entry.pending > 0,
        },
        typed=None,
        derived=True,
    )
    append_new_events(connection, [event], now)


def json_object(connection: Connection, **values: ColumnElement[object]) -> ColumnElement[object]:
    """A JSON object built in SQL, for the events set-based work appends (``append_selected_events``)."""
    arguments: list[object] = []
    for key, value in values.items():
        arguments.extend([literal(key, String), value])
    if connection.dialect.name == "postgresql":
        return func.jsonb_build_object(*arguments)
    return func.json_object(*arguments)
