"""Following an attributed friend's orders: the first one paid starts the return window (the
programme's ``pending_days`` from its payment); if that order is cancelled or returned (even in
part) the referral ends unrewarded, recorded as ``first_order_returned``. Only the first paid order
counts, so ordering, returning and ordering again earns nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from retentio.events import ORDER_EVENT_TYPES, Event
from retentio.loyalty.programmes.settings import LoyaltyConfig
from retentio.loyalty.referrals import store
from retentio.loyalty.referrals.rules import Refusal, RefusalReason
from retentio.orders import OrderState, load_orders

OPEN = ("waiting", "paid")


def follow_orders(connection: Connection, config: LoyaltyConfig, fresh: Sequence[Event]) -> None:
    by_friend = _by_customer(connection, [e for e in fresh if e.type in ORDER_EVENT_TYPES])
    if not by_friend:
        return
    attributions = store.attributions_of_friends(connection, by_friend, OPEN)
    if not attributions:
        return
    order_ids = sorted({_order_of(e) for a in attributions for e in by_friend[a.friend_id]})
    states = load_orders(connection, order_ids)
    for found in attributions:
        programme = config.programmes.get(found.programme)
        events = by_friend[found.friend_id]
        if found.status == "paid":
            _watch_window(connection, found, states, events)
            continue
        paid = [
            state
            for state in (states.get(_order_of(e)) for e in events)
            if state is not None
            and state.paid_at is not None
            and state.status == "paid"
            and state.placed_at is not None
            and state.placed_at >= found.attributed_at
        ]
        if not paid or programme is None:
            continue
        first = min(paid, key=lambda state: (state.paid_at, state.order_id))
        assert first.paid_at is not None
        behind = [e for e in events if _order_of(e) == first.order_id]
        if all(e.historical for e in behind):
            # A backfilled order pays nothing, and it was the friend's first.
            store.change_attribution(
                connection,
                found,
                status="history",
                order_id=first.order_id,
                paid_at=first.paid_at,
            )
            continue
        store.change_attribution(
            connection,
            found,
            status="paid",
            order_id=first.order_id,
            paid_at=first.paid_at,
            window_closes_at=first.paid_at + timedelta(days=programme.pending_days),
        )


def _by_customer(connection: Connection, order_events: Sequence[Event]) -> dict[str, list[Event]]:
    """The order events by customer; one sent without a customer (``order_paid`` with only the order
    id, say) belongs to its order's customer."""
    unnamed = sorted({_order_of(e) for e in order_events if e.customer_id is None})
    owners = {order_id: state.customer_id for order_id, state in load_orders(connection, unnamed).items()}
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in order_events:
        customer_id = event.customer_id or owners.get(_order_of(event))
        if customer_id is not None:
            grouped[customer_id].append(event)
    return grouped


def _order_of(event: Event) -> str:
    return str(event.properties["order_id"])


def _watch_window(
    connection: Connection, found: store.Attribution, states: dict[str, OrderState], events: Sequence[Event]
) -> None:
    state = states.get(found.order_id or "")
    touched = any(_order_of(e) == found.order_id for e in events)
    if state is None or not touched or state.status == "paid":
        return
    returned_at = max(e.occurred_at for e in events if _order_of(e) == found.order_id)
    ended_unrewarded(connection, found, state.status, returned_at)


def ended_unrewarded(
    connection: Connection, found: store.Attribution, order_status: str, at: datetime
) -> None:
    if not store.change_attribution(connection, found, status="returned"):
        return
    refusal = Refusal(
        RefusalReason.FIRST_ORDER_RETURNED,
        f"the friend's first paid order {found.order_id!r} was {order_status.replace('_', ' ')} "
        "within the return window",
    )
    store.record_refusal(
        connection,
        found.programme,
        f"order:{found.order_id}",
        refusal,
        at,
        code=found.code,
        referrer_id=found.referrer_id,
        friend_id=found.friend_id,
        order_id=found.order_id,
    )
