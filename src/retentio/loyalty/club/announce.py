"""The club's derived events, with ids made of what they are about so a rerun appends nothing new:
``club_joined`` (a join or a renewal), ``club_renewal_due`` (the reminder before the end) and
``club_lapsed`` (the grace period ran out, or the order that bought the membership was cancelled or
returned)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from retentio.events import Event, append_new_events

CLUB_JOINED, CLUB_RENEWAL_DUE, CLUB_LAPSED = "club_joined", "club_renewal_due", "club_lapsed"


def announce(
    connection: Connection,
    type_name: str,
    key: str,
    customer_id: str,
    properties: dict[str, Any],
    now: datetime,
) -> None:
    event = Event(
        event_id=f"loy:{type_name}:{key}",
        type=type_name,
        customer_id=customer_id,
        anonymous_id=None,
        occurred_at=now.astimezone(UTC),
        properties=properties,
        typed=None,
        derived=True,
    )
    append_new_events(connection, [event], now)
