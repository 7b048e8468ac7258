"""Recomputing what is derived from the log — orders and profiles — by replaying the events.

Used by ``retentio profiles rebuild``, by customer merges, and by the property test that holds the
incremental path to the same answer. Derived events (segment moves) are left out: they are about a
customer, not activity of theirs, and a record merged away keeps its moves without a profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, select

from retentio.customers.tables import customer_profiles
from retentio.db.batches import chunks
from retentio.events.replay import stream_events
from retentio.events.tables import events
from retentio.ingest.fold import apply_events
from retentio.orders.tables import order_lines, orders

REPLAY_CHUNK = 20_000
_FOLDED = select(events).where(events.c.derived.is_(False))


def rebuild_all(connection: Connection, now: datetime, default_currency: str) -> int:
    """Forget every order and profile and replay the whole log; returns the events replayed."""
    connection.execute(delete(order_lines))
    connection.execute(delete(orders))
    connection.execute(delete(customer_profiles))
    replayed = 0
    for chunk in stream_events(connection, _FOLDED, REPLAY_CHUNK):
        apply_events(connection, chunk, now, default_currency)
        replayed += len(chunk)
    return replayed


def rebuild_customers(
    connection: Connection, customer_ids: Sequence[str], now: datetime, default_currency: str
) -> int:
    """The same for a few customers (after a merge): their orders and profiles only."""
    wanted = sorted(set(customer_ids))
    for part in chunks(wanted):
        order_ids = select(orders.c.order_id).where(orders.c.customer_id.in_(part))
        connection.execute(delete(order_lines).where(order_lines.c.order_id.in_(order_ids)))
        connection.execute(delete(orders).where(orders.c.customer_id.in_(part)))
        connection.execute(delete(customer_profiles).where(customer_profiles.c.customer_id.in_(part)))
    replayed = 0
    for part in chunks(wanted):
        query = _FOLDED.where(events.c.customer_id.in_(part))
        for chunk in stream_events(connection, query, REPLAY_CHUNK):
            apply_events(connection, chunk, now, default_currency)
            replayed += len(chunk)
    return replayed
