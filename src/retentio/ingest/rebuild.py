"""Recomputing what is derived from the log — orders and profiles — by replaying the events.

Used by ``retentio profiles rebuild``, by customer merges, and by the property test that holds the
incremental path to the same answer. Derived events (segment moves) are left out: they are about a
customer, not activity of theirs, and a record merged away keeps its moves without a profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from retentio.customers import forget_profiles
from retentio.db.batches import chunks
from retentio.events import activity_of, all_activity, stream_events
from retentio.ingest.fold import apply_events
from retentio.orders import forget_orders

REPLAY_CHUNK = 20_000


def rebuild_all(connection: Connection, now: datetime, default_currency: str) -> int:
    """Forget every order and profile and replay the whole log; returns the events replayed."""
    forget_orders(connection)
    forget_profiles(connection)
    replayed = 0
    for chunk in stream_events(connection, all_activity(), REPLAY_CHUNK):
        apply_events(connection, chunk, now, default_currency)
        replayed += len(chunk)
    return replayed


def rebuild_customers(
    connection: Connection, customer_ids: Sequence[str], now: datetime, default_currency: str
) -> int:
    """The same for a few customers (after a merge): their orders and profiles only."""
    wanted = sorted(set(customer_ids))
    forget_orders(connection, wanted)
    forget_profiles(connection, wanted)
    replayed = 0
    for part in chunks(wanted):
        for chunk in stream_events(connection, activity_of(part), REPLAY_CHUNK):
            apply_events(connection, chunk, now, default_currency)
            replayed += len(chunk)
    return replayed
