"""Reading stored events back as ``Event`` objects, for rebuilds and for claimed visitor history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select

from retentio.events.envelope import Event
from retentio.events.properties import ORDER_EVENT_TYPES, PROPERTY_MODELS
from retentio.events.tables import events

# What reads stored events back uses the typed properties of these only: orders fold from them, and
# reviews and NPS answers count as negative feedback by their typed score.
_TYPED_ON_READ = ORDER_EVENT_TYPES | {"review_submitted", "nps_answered"}


def event_from_row(row: Any) -> Event:
    """Stored events were validated on the way in; only a few types need their typed form back."""
    typed = None
    if row.type in _TYPED_ON_READ:
        typed = PROPERTY_MODELS[row.type].model_validate(row.properties)
    return Event(
        event_id=row.event_id,
        type=row.type,
        customer_id=row.customer_id,
        anonymous_id=row.anonymous_id,
        occurred_at=row.occurred_at,
        properties=row.properties,
        typed=typed,
        derived=row.derived,
        historical=row.historical,
    )


def stream_events(connection: Connection, query: Select[Any], size: int) -> Iterator[list[Event]]:
    """Events of ``query`` in chunks of ``size``, keyset-paged on (occurred_at, id)."""
    last: tuple[Any, int] | None = None
    while True:
        page = query.order_by(events.c.occurred_at, events.c.id).limit(size)
        if last is not None:
            page = page.where(
                (events.c.occurred_at > last[0])
                | ((events.c.occurred_at == last[0]) & (events.c.id > last[1]))
            )
        rows = list(connection.execute(page))
        if not rows:
            return
        last = (rows[-1].occurred_at, rows[-1].id)
        yield [event_from_row(row) for row in rows]
