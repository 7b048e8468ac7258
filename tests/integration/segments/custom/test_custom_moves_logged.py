"""Every move in or out of a custom segment is in the log, also when a customer comes back within the
same second of the consumer's clock (a fixed ``--as-of`` clock, the demo's day-long clock, or a
worker catching up with a backlog many batches a second)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from tests.helpers import event, item

from retentio.clock import FixedClock
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment, refresh_segments

REPEAT_BUYERS = {"field": "profile.orders", "op": ">=", "value": 2}


def _order(number: int, at: datetime) -> dict[str, object]:
    return event(
        f"o{number}",
        "order_placed",
        at,
        "c1",
        order_id=f"o{number}",
        items=[item("S1", 1, "10.00")],
        total="10.00",
        currency="RUB",
    )


def test_a_customer_coming_back_within_the_same_second_is_logged_each_time(
    engine: Engine, now: datetime
) -> None:
    # given a segment of customers with two orders or more
    with engine.begin() as connection:
        do_create_segment(connection, "repeat_buyers", Definition(parse_rule(REPEAT_BUYERS)), now)
    refresh_segments(engine, None, now, "RUB")
    cancel = event("c2", "order_cancelled", now - timedelta(days=1), "c1", order_id="o2")
    # when a customer enters, leaves (an order cancelled) and enters again, one batch after the other
    for batch in ([_order(1, now - timedelta(days=3))], [_order(2, now - timedelta(days=2))], [cancel]):
        ingest_events(engine, batch, now, IngestOptions())
        drain(engine, [SegmentsConsumer(DEFAULT_CONFIG, "RUB")], FixedClock(now))
    ingest_events(engine, [_order(3, now - timedelta(hours=1))], now, IngestOptions())
    drain(engine, [SegmentsConsumer(DEFAULT_CONFIG, "RUB")], FixedClock(now))
    # then the log holds the three moves
    with engine.connect() as connection:
        rows = connection.execute(
            select(events.c.properties)
            .where(events.c.type.in_(["segment_entered", "segment_exited"]))
            .order_by(events.c.tx, events.c.id)
        )
        moves = [
            (found["from"], found["to"]) for (found,) in rows if found["family"] == "custom:repeat_buyers"
        ]
    assert moves == [(None, "repeat_buyers"), ("repeat_buyers", None), (None, "repeat_buyers")]
