"""Folding newly stored events into order states and customer profiles, one batch at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from retentio.catalog import categories_of
from retentio.customers import (
    ProfileDraft,
    add_activity,
    add_contribution,
    load_profiles,
    save_profiles,
    set_order_dates,
)
from retentio.events import ORDER_EVENT_TYPES, Event
from retentio.orders import (
    OrderState,
    apply_event,
    contribution,
    counted_order_dates,
    load_orders,
    lock_orders,
    save_orders,
)


def apply_events(
    connection: Connection, new_events: Sequence[Event], now: datetime, default_currency: str
) -> dict[str, ProfileDraft]:
    """Update orders and profiles for events that were just appended to the log (never repeats);
    returns the profiles as saved, of every customer whose events or orders changed."""
    order_events = [event for event in new_events if event.type in ORDER_EVENT_TYPES]
    before, after = _fold_orders(connection, order_events, now, default_currency)
    touched = {event.customer_id for event in new_events if event.customer_id}
    touched.update(_customers_of(before.values()))
    touched.update(_customers_of(after.values()))
    if not touched and not after:
        return {}
    drafts = load_profiles(connection, sorted(touched), now, lock=True)
    for event in new_events:
        if event.customer_id:
            add_activity(drafts[event.customer_id], event)
    apply_order_changes(connection, drafts, before, after)
    save_orders(connection, after.values(), now, before)
    refresh_order_dates(connection, drafts.values())
    save_profiles(connection, drafts.values(), now)
    return drafts


def apply_order_changes(
    connection: Connection,
    drafts: dict[str, ProfileDraft],
    before: dict[str, OrderState],
    after: dict[str, OrderState],
) -> None:
    """Move each changed order's contribution: take the old one away, add the new one."""
    skus = {line.sku for state in (*before.values(), *after.values()) for line in state.lines}
    categories = categories_of(connection, skus) if skus else {}
    for order_id, new_state in after.items():
        old_state = before[order_id]
        old = contribution(old_state, categories)
        new = contribution(new_state, categories)
        if old_state.customer_id == new_state.customer_id and old.placed_at == new.placed_at:
            old = replace(old, placed_at=None)  # dates unchanged: no need to re-read them
            new = replace(new, placed_at=None)
        if old_state.customer_id:
            add_contribution(drafts[old_state.customer_id], old, -1, old_state.currency)
        if new_state.customer_id:
            add_contribution(drafts[new_state.customer_id], new, +1, new_state.currency)


def refresh_order_dates(connection: Connection, drafts: Iterable[ProfileDraft]) -> None:
    """Re-read first/last order dates for the few customers whose boundary order went away."""
    flagged = {draft.customer_id: draft for draft in drafts if draft.needs_order_dates}
    if not flagged:
        return
    for customer_id, (first, newest) in counted_order_dates(connection, sorted(flagged)).items():
        set_order_dates(flagged[customer_id], newest, first)


def _fold_orders(
    connection: Connection, order_events: Sequence[Event], now: datetime, default_currency: str
) -> tuple[dict[str, OrderState], dict[str, OrderState]]:
    order_ids = sorted({_order_id(event) for event in order_events})
    if not order_ids:
        return {}, {}
    lock_orders(connection, order_ids, now)
    before = load_orders(connection, order_ids)
    for order_id in order_ids:
        before.setdefault(order_id, OrderState(order_id))
    after = dict(before)
    for event in order_events:
        order_id = _order_id(event)
        after[order_id] = apply_event(after[order_id], event, default_currency)
    return before, after


def _order_id(event: Event) -> str:
    order_id = event.properties["order_id"]
    assert isinstance(order_id, str)
    return order_id


def _customers_of(states: Iterable[OrderState]) -> set[str]:
    return {state.customer_id for state in states if state.customer_id}
