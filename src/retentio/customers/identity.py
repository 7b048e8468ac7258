"""Identity (CDP-4): anonymous visitors become customers, and duplicate customers become one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import BindParameter, Connection, bindparam, select, update

from retentio.customers.tables import identities
from retentio.db.batches import chunks, insert_ignoring_duplicates
from retentio.events import Event, event_from_row, events
from retentio.orders import orders


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


def claim_anonymous_histories(
    connection: Connection, links: dict[str, str]
) -> tuple[list[Event], dict[str, str]]:
    """Give the visitors' unowned events and orders to their customers.

    Returns the claimed events (now carrying their customer) and order id → customer id. Set-based:
    one read and one write per kind, whatever the number of visitors identified in the batch.
    """
    claimed: list[Event] = []
    orders_claimed: dict[str, str] = {}
    for part in chunks(sorted(links)):
        rows = connection.execute(
            select(events)
            .where(events.c.anonymous_id.in_(part), events.c.customer_id.is_(None))
            .order_by(events.c.id)
        )
        claimed.extend(replace(event_from_row(row), customer_id=links[row.anonymous_id]) for row in rows)
        for order_id, anonymous_id in connection.execute(
            select(orders.c.order_id, orders.c.anonymous_id).where(
                orders.c.anonymous_id.in_(part), orders.c.customer_id.is_(None)
            )
        ):
            orders_claimed[order_id] = links[anonymous_id]
    owner: BindParameter[str] = bindparam("owner")
    visitor: BindParameter[str] = bindparam("visitor")
    pairs = [{"owner": customer, "visitor": anonymous} for anonymous, customer in sorted(links.items())]
    if pairs:
        connection.execute(
            update(events)
            .where(events.c.anonymous_id == visitor, events.c.customer_id.is_(None))
            .values(customer_id=owner),
            pairs,
        )
    return claimed, orders_claimed
