"""Which customers' moves a batch of the log makes as history: only those whose own events in it all
were history."""

from datetime import UTC, datetime

from retentio.events.envelope import Event
from retentio.segments.consumer import history_only

AT = datetime(2026, 6, 1, tzinfo=UTC)


def _event(customer: str | None, historical: bool, derived: bool = False) -> Event:
    return Event(
        event_id=f"{customer}-{historical}-{derived}",
        type="segment_entered" if derived else "product_viewed",
        customer_id=customer,
        anonymous_id=None if customer else "visitor",
        occurred_at=AT,
        properties={},
        typed=None,
        derived=derived,
        historical=historical,
    )


def test_a_customer_with_one_current_event_is_not_history() -> None:
    batch = [_event("anna", True), _event("anna", False), _event("boris", True), _event("boris", True)]
    assert history_only(batch) == frozenset({"boris"})


def test_derived_events_do_not_decide() -> None:
    # a move derived earlier (not history) says nothing about what this batch's events were
    batch = [_event("anna", True), _event("anna", False, derived=True), _event("vera", False, derived=True)]
    assert history_only(batch) == frozenset({"anna"})


def test_visitors_are_nobody_s_history() -> None:
    assert history_only([_event(None, True)]) == frozenset()
