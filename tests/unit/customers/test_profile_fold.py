"""Folding events into a profile: when the customer last viewed content, products and a cart."""

from datetime import UTC, datetime, timedelta

from retentio.customers.profile import ProfileDraft, add_activity
from retentio.events.envelope import Event

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _event(type_: str, at: datetime) -> Event:
    return Event(f"{type_}-{at.isoformat()}", type_, "c1", None, at, {}, None)


def test_each_interest_time_is_the_latest_of_its_events_whatever_the_arrival_order() -> None:
    # given
    draft = ProfileDraft("c1")
    events = [
        _event("category_viewed", AT + timedelta(hours=2)),
        _event("content_viewed", AT),  # earlier, arriving later: must not win
        _event("search", AT + timedelta(days=1)),
        _event("product_viewed", AT),
        _event("checkout_started", AT + timedelta(minutes=5)),
        _event("cart_updated", AT),
        _event("order_placed", AT + timedelta(days=9)),  # not a view: only the last activity moves
    ]

    # when
    for event in events:
        add_activity(draft, event)

    # then
    assert draft.last_content_at == AT + timedelta(hours=2)
    assert draft.last_browse_at == AT + timedelta(days=1)
    assert draft.last_cart_at == AT + timedelta(minutes=5)
    assert draft.last_event_at == AT + timedelta(days=9)


def test_segment_moves_are_not_interest() -> None:
    # given
    draft = ProfileDraft("c1")

    # when
    add_activity(draft, _event("segment_entered", AT))

    # then
    interest = (draft.last_content_at, draft.last_browse_at, draft.last_cart_at)
    assert (interest, draft.events) == ((None, None, None), 0)
