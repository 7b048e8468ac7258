"""The segments consumer: reads the log past its checkpoint and keeps every customer's standing and
custom-segment memberships up to date with what happened, writing each move as a derived event.

Built-in families first, then custom rules (which may read the standing just decided), in one
transaction with the checkpoint. A move is marked historical when every event behind it in the batch
was: a backfill records where customers stood, and nothing that acts on the outside reacts to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from retentio.events import Event, LoggedEvent
from retentio.segments.config import SegmentsConfig
from retentio.segments.custom.evaluate import reevaluate_customers
from retentio.segments.custom.incremental import touched_customers
from retentio.segments.custom.store import any_segment
from retentio.segments.reaction import react

SEGMENTS_CONSUMER = "segments"


@dataclass(frozen=True, slots=True)
class SegmentsConsumer:
    config: SegmentsConfig
    currency: str
    name: str = SEGMENTS_CONSUMER

    @property
    def event_types(self) -> frozenset[str] | None:
        return None  # every event moves some figure: activity, orders, consent, profile

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        fresh = [logged.event for logged in batch]
        historical = history_only(fresh)
        last = batch[-1].position
        cause = f"{last.tx}.{last.row}"
        react(connection, fresh, now, self.config, historical=historical, cause=cause)
        if not any_segment(connection):
            return
        # Moves derived here were re-evaluated in the transaction that made them.
        sent = [event for event in fresh if not event.derived]
        customer_ids = touched_customers(connection, sent)
        if customer_ids:
            reevaluate_customers(connection, customer_ids, now, self.currency, historical, cause)


def history_only(fresh: Sequence[Event]) -> frozenset[str]:
    """The customers all of whose own (not derived) events in ``fresh`` are historical."""
    sent = [event for event in fresh if not event.derived and event.customer_id is not None]
    current = {event.customer_id for event in sent if not event.historical}
    return frozenset(
        event.customer_id
        for event in sent
        if event.historical and event.customer_id is not None and event.customer_id not in current
    )
