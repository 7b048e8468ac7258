"""Which customers a batch of the log touched, for the segments consumer to re-evaluate every custom
segment for them (one query per segment per batch).

Only event-driven changes are seen here. Conditions that change as time passes (windows, "days
since") or through other paths (customer updates, merges, model scores) are brought up to date by
``retentio segments refresh``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from retentio.db.batches import chunks
from retentio.events import ORDER_EVENT_TYPES, Event
from retentio.orders import orders


def touched_customers(connection: Connection, fresh: Sequence[Event]) -> list[str]:
    """The customers of the new events, and the owners of the orders those events changed (an order
    event may arrive under another id than the order's customer)."""
    touched = {event.customer_id for event in fresh if event.customer_id}
    order_ids = sorted(
        {
            str(event.properties["order_id"])
            for event in fresh
            if event.type in ORDER_EVENT_TYPES and "order_id" in event.properties
        }
    )
    for part in chunks(order_ids):
        statement = select(orders.c.customer_id).where(
            orders.c.order_id.in_(part), orders.c.customer_id.is_not(None)
        )
        touched.update(connection.scalars(statement))
    return sorted(touched)
