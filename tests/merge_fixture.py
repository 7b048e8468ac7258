"""Two records of one person, kept by the real ingest path with the segments consumer caught up after
each batch, and the rows a merge of them must leave (shared by the action's tests and the command
line's)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from retentio.clock import FixedClock
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.ingest.merge import MergeOptions
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment
from retentio.segments.custom.tables import custom_segment_members, custom_segments
from tests.helpers import event, item

SURVIVOR, MERGED = "anna", "anna-shop"
DAY = timedelta(days=1)
OPTIONS = IngestOptions()
CONSUMERS = (SegmentsConsumer(DEFAULT_CONFIG, "RUB"),)
MERGE_OPTIONS = MergeOptions("RUB", DEFAULT_CONFIG)
SEGMENTS = {
    "buyers": {"field": "profile.orders", "op": ">=", "value": 1},
    "repeat_buyers": {"field": "profile.orders", "op": ">=", "value": 2},
    "big_spenders": {"field": "profile.revenue", "op": ">=", "value": "120.00"},
}


def order(event_id: str, customer: str, at: datetime, total: str) -> dict[str, Any]:
    return event(
        event_id,
        "order_placed",
        at,
        customer,
        order_id=event_id,
        items=[item("COFFEE-1", 1, total)],
        total=total,
        currency="RUB",
    )


def build_pair(engine: Engine, now: datetime) -> None:
    """anna bought once for 100 ₽ twenty days ago, anna-shop once for 50 ₽ ten days ago: each is a
    new customer ready to buy, and a member of ``buyers`` only."""
    with engine.begin() as connection:
        for name, rule in SEGMENTS.items():
            do_create_segment(connection, name, Definition(parse_rule(rule)), now - 30 * DAY)
        do_upsert_customer(connection, SURVIVOR, CustomerUpsert(email="anna@example.ru"), now - 30 * DAY)
        do_upsert_customer(connection, MERGED, CustomerUpsert(phone="+79990000000"), now - 30 * DAY)
    for batch in (
        [order("o1", SURVIVOR, now - 20 * DAY, "100.00")],
        [order("o2", MERGED, now - 10 * DAY, "50.00")],
    ):
        result = ingest_events(engine, batch, now, OPTIONS)
        assert result.accepted == 1, result
        drain(engine, CONSUMERS, FixedClock(now))


def moves(engine: Engine) -> list[tuple[str | None, str, str | None, str | None]]:
    """Every move in the log: (customer, family, from, to), in customer, family and time order."""
    query = select(events.c.customer_id, events.c.properties).where(
        events.c.type.in_(["segment_entered", "segment_exited"])
    )
    with engine.connect() as connection:
        found = connection.execute(query.order_by(events.c.customer_id, events.c.occurred_at, events.c.id))
        listed = [(cid, props["family"], props["from"], props["to"]) for cid, props in found]
    return sorted(listed, key=lambda move: (move[0] or "", move[1]))


def activity_owners(engine: Engine) -> dict[str, str | None]:
    """Who owns each event the customers sent (not the moves and merges Retentio wrote about them)."""
    query = select(events.c.event_id, events.c.customer_id).where(events.c.derived.is_(False))
    with engine.connect() as connection:
        return dict(connection.execute(query.order_by(events.c.event_id)).all())


def merges(engine: Engine) -> list[tuple[str, str | None, str]]:
    """The ``customer_merged`` events: (id, survivor, merged record)."""
    query = select(events.c.event_id, events.c.customer_id, events.c.properties).where(
        events.c.type == "customer_merged"
    )
    with engine.connect() as connection:
        found = connection.execute(query.order_by(events.c.id)).all()
    return [(event_id, customer_id, properties["merged_id"]) for event_id, customer_id, properties in found]


def members(engine: Engine) -> dict[str, list[str]]:
    query = (
        select(custom_segments.c.name, custom_segment_members.c.customer_id)
        .join(custom_segments, custom_segments.c.id == custom_segment_members.c.segment_id)
        .order_by(custom_segments.c.name, custom_segment_members.c.customer_id)
    )
    found: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for name, customer_id in connection.execute(query):
            found.setdefault(name, []).append(customer_id)
    return found


# What the merge of anna-shop into anna must leave: anna's own moves, one more for the ladder (two
# orders within 180 days make her loyal) and her entries into the segments two orders and 150 ₽ reach;
# anna-shop's moves stay hers, plus one exit from ``buyers``. Nobody enters lifecycle "new" twice.
MOVES_AFTER_MERGE = [
    (SURVIVOR, "custom:big_spenders", None, "big_spenders"),
    (SURVIVOR, "custom:buyers", None, "buyers"),
    (SURVIVOR, "custom:repeat_buyers", None, "repeat_buyers"),
    (SURVIVOR, "ladder", "unaware", "ready_to_buy"),
    (SURVIVOR, "ladder", "ready_to_buy", "loyal"),
    (SURVIVOR, "lifecycle", "prospect", "new"),
    (MERGED, "custom:buyers", None, "buyers"),
    (MERGED, "custom:buyers", "buyers", None),
    (MERGED, "ladder", "unaware", "ready_to_buy"),
    (MERGED, "lifecycle", "prospect", "new"),
]
MEMBERS_AFTER_MERGE = {"big_spenders": [SURVIVOR], "buyers": [SURVIVOR], "repeat_buyers": [SURVIVOR]}
