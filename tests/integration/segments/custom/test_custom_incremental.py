"""The ingest reaction: the customers a batch touches move in and out within the batch's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from tests.helpers import event, item

from retentio.clock import FixedClock
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment, get_segment, segment_members, segment_sizes
from retentio.segments.custom.tables import custom_segment_changes

DAY = timedelta(days=1)
OPTIONS = IngestOptions(future_tolerance=timedelta(days=1))
CONSUMERS = (SegmentsConsumer(DEFAULT_CONFIG, "RUB"),)
COFFEE_VIEWERS = {
    "event": {
        "type": "product_viewed",
        "where": [{"property": "category", "op": "=", "value": "coffee"}],
        "window": {"days": 7},
        "count": {">=": 2},
    }
}


def _create(engine: Engine, name: str, rule: object, now: datetime) -> None:
    with engine.begin() as connection:
        do_create_segment(connection, name, Definition(parse_rule(rule)), now)


def _ingest(engine: Engine, events: list[dict[str, Any]], now: datetime) -> None:
    result = ingest_events(engine, events, now, OPTIONS)
    assert not result.rejected, result.rejected
    drain(engine, CONSUMERS, FixedClock(now))


def _members(engine: Engine, name: str) -> set[str]:
    with engine.connect() as connection:
        return {member.customer_id for member in segment_members(connection, name, None, 100)}


def _view(number: int, customer: str | None, at: datetime, anonymous: str | None = None) -> dict[str, Any]:
    return event(f"v{number}", "product_viewed", at, customer, anonymous, sku="S1", category="coffee")


def _order(number: int, customer: str, at: datetime) -> dict[str, Any]:
    items = [item("S1", 1, "100.00")]
    return event(
        f"o{number}",
        "order_placed",
        at,
        customer,
        order_id=f"order-{number}",
        items=items,
        total="100.00",
        currency="RUB",
    )


def test_a_batch_moves_the_customer_it_touches_into_the_segment(engine: Engine, now: datetime) -> None:
    # given
    _create(engine, "coffee_viewers", COFFEE_VIEWERS, now)
    _ingest(engine, [_view(1, "anna", now - DAY)], now)
    assert _members(engine, "coffee_viewers") == set()
    # when the second view arrives
    _ingest(engine, [_view(2, "anna", now)], now)
    # then
    assert _members(engine, "coffee_viewers") == {"anna"}
    with engine.connect() as connection:
        view = get_segment(connection, "coffee_viewers")
        points = segment_sizes(connection, "coffee_viewers")
        changes = connection.execute(
            select(custom_segment_changes.c.customer_id, custom_segment_changes.c.source)
        ).all()
    assert view is not None
    assert view.size == 1
    assert [(p.source, p.size, p.entered, p.exited) for p in points] == [("ingest", 1, 1, 0)]
    assert [tuple(change) for change in changes] == [("anna", "ingest")]
    with engine.connect() as connection:
        moves = connection.execute(
            select(events.c.event_id, events.c.properties).where(
                events.c.type == "segment_entered", events.c.event_id.like("seg:custom:%")
            )
        )
        # the id names the move and, after "@", the log position of the batch that caused it
        assert [(row.event_id.partition("@")[0], row.properties) for row in moves] == [
            (
                f"seg:custom:coffee_viewers:in:coffee_viewers:{int(now.timestamp())}:anna",
                {
                    "family": "custom:coffee_viewers",
                    "from": None,
                    "to": "coffee_viewers",
                    "reason": "matches the segment's rule",
                },
            )
        ]


def test_customers_the_batch_does_not_touch_stay_until_a_refresh(engine: Engine, now: datetime) -> None:
    # given anna qualifies as of now
    _create(engine, "coffee_viewers", COFFEE_VIEWERS, now)
    _ingest(engine, [_view(1, "anna", now - DAY), _view(2, "anna", now)], now)
    # when ten days later only boris sends events
    later = now + 10 * DAY
    _ingest(engine, [_view(3, "boris", later), _view(4, "boris", later)], later)
    # then boris is in, and anna (whose views are now too old) is left to the refresh
    assert _members(engine, "coffee_viewers") == {"anna", "boris"}


def test_an_order_moves_the_customer_out(engine: Engine, now: datetime) -> None:
    # given
    rule = {"all": [COFFEE_VIEWERS, {"field": "profile.orders", "op": "=", "value": 0}]}
    _create(engine, "browsing_not_buying", rule, now)
    _ingest(engine, [_view(1, "anna", now - DAY), _view(2, "anna", now)], now)
    assert _members(engine, "browsing_not_buying") == {"anna"}
    # when
    _ingest(engine, [_order(1, "anna", now)], now)
    # then
    assert _members(engine, "browsing_not_buying") == set()
    with engine.connect() as connection:
        points = segment_sizes(connection, "browsing_not_buying")
    assert [(p.size, p.entered, p.exited) for p in points] == [(0, 1, 1)]


def test_anonymous_views_count_once_the_visitor_identifies(engine: Engine, now: datetime) -> None:
    # given two views by an anonymous visitor
    _create(engine, "coffee_viewers", COFFEE_VIEWERS, now)
    _ingest(engine, [_view(1, None, now - DAY, "visitor-1"), _view(2, None, now, "visitor-1")], now)
    # when the visitor identifies
    _ingest(engine, [event("id1", "identify", now, "vera", "visitor-1")], now)
    # then
    assert _members(engine, "coffee_viewers") == {"vera"}


def test_a_segment_built_on_another_sees_its_moves_in_the_same_batch(engine: Engine, now: datetime) -> None:
    # given "buyers_who_browse" (first by name) depends on "coffee_viewers"
    _create(engine, "coffee_viewers", COFFEE_VIEWERS, now)
    both = {"all": [{"segment": "coffee_viewers"}, {"field": "profile.orders", "op": ">=", "value": 1}]}
    _create(engine, "buyers_who_browse", both, now)
    _ingest(engine, [_order(1, "anna", now - DAY)], now)
    # when one batch makes anna a coffee viewer
    _ingest(engine, [_view(1, "anna", now - DAY), _view(2, "anna", now)], now)
    # then
    assert _members(engine, "buyers_who_browse") == {"anna"}
