"""Folding a batch's events into the signals: feedback counts added, and the order-derived part left
as it was."""

from datetime import UTC, datetime, timedelta

from retentio.events.envelope import Event
from retentio.events.properties import NpsAnswered
from retentio.segments.inputs import Signals
from retentio.segments.signals import apply_delta, event_deltas

AT = datetime(2026, 3, 1, 12, 0, 0, 500_000, tzinfo=UTC)


def _event(type_: str, at: datetime, customer_id: str = "c1", typed: NpsAnswered | None = None) -> Event:
    return Event(f"{type_}-{at.isoformat()}", type_, customer_id, None, at, {}, typed)


def test_a_batch_adds_its_complaints_and_negative_answers_and_ignores_views() -> None:
    # given
    stored = Signals(complaints=1, negative_feedback=2)
    batch = [
        _event("content_viewed", AT),
        _event("product_viewed", AT),
        _event("message_complained", AT),
        _event("nps_answered", AT, typed=NpsAnswered(score=3)),
        _event("nps_answered", AT, typed=NpsAnswered(score=9)),
        _event("order_placed", AT + timedelta(days=9)),
        _event("product_viewed", AT + timedelta(days=9), customer_id="c2"),
        _event("message_complained", AT, customer_id="c3"),
    ]

    # when
    deltas = event_deltas(batch)
    folded = apply_delta(stored, deltas["c1"])

    # then
    assert folded == Signals(complaints=2, negative_feedback=3)
    # views live on the profile: a customer who only viewed has nothing to fold here
    assert set(deltas) == {"c1", "c3"}


def test_folding_events_keeps_the_order_derived_signals() -> None:
    # given
    stored = Signals(
        discounted_orders=3,
        coupon_codes=2,
        margin_minor=-150,
        late_payments=1,
        unpaid_orders=2,
        unpaid_oldest_at=1_700_000_000,
        unpaid_newest_at=1_700_100_000,
    )

    # when
    folded = apply_delta(stored, event_deltas([_event("message_complained", AT)])["c1"])

    # then
    assert folded == stored._replace(complaints=1)
