"""Identity (CDP-4): anonymous visitors become customers, and duplicate customers become one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection, select, update

from retentio.customers.tables import identities
from retentio.db.batches import insert_ignoring_duplicates
from retentio.events.envelope import Event
from retentio.events.tables import events
from retentio.orders.tables import orders


def resolve_subjects(
    event_batch: Sequence[Event], merged: dict[str, str], identified: dict[str, str]
) -> list[Event]:
    """Route each event to its surviving customer: merged ids to the survivor, known visitors to
    the customer they identified as."""
    resolved = []
    for event in event_batch:
        customer_id = event.customer_id
        if customer_id is None and event.anonymous_id is not None:
            customer_id = identified.get(event.anonymous_id)
        if customer_id is not None:
            customer_id = merged.get(customer_id, customer_id)
        resolved.append(
            event if customer_id == event.customer_id else replace(event, customer_id=customer_id)
        )
    return resolved


def link_visitors(connection: Connection, identify_events: Sequence[Event]) -> dict[str, str]:
    """Record anonymous id → customer links; the first identification of a visitor wins.

    Returns the links that are new, i.e. whose anonymous history still has to be attached.
    """
    candidates: dict[str, Event] = {}
    for event in sorted(identify_events, key=lambda e: (e.occurred_at, e.event_id)):
        assert event.anonymous_id is not None and event.customer_id is not None
        candidates.setdefault(event.anonymous_id, event)
    if not candidates:
        return {}
    existing = set(
        connection.execute(
            select(identities.c.anonymous_id).where(identities.c.anonymous_id.in_(sorted(candidates)))
        ).scalars()
    )
    fresh = {aid: event for aid, event in candidates.items() if aid not in existing}
    if fresh:
        connection.execute(
            insert_ignoring_duplicates(connection, identities),
            [
                {
                    "anonymous_id": aid,
                    "customer_id": event.customer_id,
                    "identified_at": event.occurred_at,
                }
                for aid, event in sorted(fresh.items())
            ],
        )
    return {aid: event.customer_id for aid, event in fresh.items() if event.customer_id}


def claim_anonymous_history(
    connection: Connection, anonymous_id: str, customer_id: str
) -> tuple[list[int], list[str]]:
    """Give the visitor's unowned events and orders to the customer; returns their row ids."""
    event_ids = list(
        connection.execute(
            update(events)
            .where(events.c.anonymous_id == anonymous_id, events.c.customer_id.is_(None))
            .values(customer_id=customer_id)
            .returning(events.c.id)
        ).scalars()
    )
    order_ids = list(
        connection.execute(
            select(orders.c.order_id).where(
                orders.c.anonymous_id == anonymous_id, orders.c.customer_id.is_(None)
            )
        ).scalars()
    )
    return event_ids, order_ids
