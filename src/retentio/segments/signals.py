"""Folding events and orders into ``Signals`` — pure; loading and saving live in ``signals_store``.

Event-derived signals are counts of feedback (complaints, negative reviews and NPS answers), so they do
not depend on arrival order; order-derived ones are recomputed from the customer's orders whenever
one of them changes. When the customer last viewed content, products or a cart is kept on the profile
(``customers.profile``), which every event is folded into anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from retentio.events import Event, NpsAnswered, ReviewSubmitted
from retentio.segments.inputs import DAY, Signals, instant

FEEDBACK_TYPES = frozenset({"message_complained", "review_submitted", "nps_answered"})
SIGNAL_EVENT_TYPES = FEEDBACK_TYPES  # the events folded here; views and carts go into the profile
LOW_RATING = 2  # reviews rated this or lower are negative
DETRACTOR_SCORE = 6  # NPS answers this or lower are negative (the usual detractor band)


class EventDelta:
    """What one batch adds to one customer's event-derived signals."""

    __slots__ = ("complaints", "negative_feedback")

    def __init__(self) -> None:
        self.complaints = 0
        self.negative_feedback = 0


def is_negative_feedback(event: Event) -> bool:
    """A review rated 1-2 or an NPS answer 0-6 (read from the validated properties)."""
    typed = event.typed
    if isinstance(typed, ReviewSubmitted):
        return typed.rating <= LOW_RATING
    if isinstance(typed, NpsAnswered):
        return typed.score <= DETRACTOR_SCORE
    return False


def event_deltas(events: Iterable[Event]) -> dict[str, EventDelta]:
    deltas: dict[str, EventDelta] = {}
    for event in events:
        if event.type not in FEEDBACK_TYPES or event.customer_id is None:
            continue
        delta = deltas.get(event.customer_id)
        if delta is None:
            delta = deltas[event.customer_id] = EventDelta()
        if event.type == "message_complained":
            delta.complaints += 1
        elif is_negative_feedback(event):
            delta.negative_feedback += 1
    return deltas


def apply_delta(signals: Signals, delta: EventDelta) -> Signals:
    return signals._replace(
        complaints=signals.complaints + delta.complaints,
        negative_feedback=signals.negative_feedback + delta.negative_feedback,
    )


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """The parts of one order the signals read."""

    placed_at: datetime | None
    paid_at: datetime | None
    cancelled_at: datetime | None
    discount_minor: int
    coupon: str | None
    margin_minor: int | None  # None when none of its products has a margin


def with_orders(signals: Signals, orders: Sequence[OrderFacts], payment_days: int) -> Signals:
    """Replace the order-derived signals by those of ``orders`` (all the customer's orders)."""
    counted = [order for order in orders if order.placed_at is not None and order.cancelled_at is None]
    margins = [order.margin_minor for order in counted if order.margin_minor is not None]
    unpaid = sorted(instant(order.placed_at) or 0 for order in counted if order.paid_at is None)
    return signals._replace(
        discounted_orders=sum(1 for order in counted if order.discount_minor > 0 or order.coupon),
        coupon_codes=len({order.coupon for order in orders if order.placed_at and order.coupon}),
        margin_minor=sum(margins) if margins else None,
        late_payments=sum(1 for order in counted if _paid_late(order, payment_days)),
        unpaid_orders=len(unpaid),
        unpaid_oldest_at=unpaid[0] if unpaid else None,
        unpaid_newest_at=unpaid[-1] if unpaid else None,
    )


def _paid_late(order: OrderFacts, payment_days: int) -> bool:
    placed, paid = instant(order.placed_at), instant(order.paid_at)
    return placed is not None and paid is not None and paid - placed > payment_days * DAY
