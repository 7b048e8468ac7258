"""A merge racing with ingest on PostgreSQL: events for the merged customer that arrive while the merge
runs, or after it, all end up with the survivor, each stored once, and neither side fails."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import postgres_url
from tests.helpers import event
from tests.merge_fixture import MERGE_OPTIONS, OPTIONS, SEGMENTS, order

from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer, get_profile
from retentio.events.tables import events
from retentio.ingest.merge import do_merge_customers
from retentio.ingest.pipeline import ingest_events
from retentio.orders.tables import orders
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment
from retentio.segments.tables import customer_signals, customer_standing

ROUNDS = 6
PAIRS = 15  # of an order and a visitor's view, streamed while the merge runs
MOVES = ("segment_entered", "segment_exited")


def _given_two_records(engine: Engine, survivor: str, merged: str, visitor: str, now: datetime) -> None:
    """Each has one order; the visitor is known to be the merged customer."""
    with engine.begin() as connection:
        do_upsert_customer(connection, survivor, CustomerUpsert(email=f"{survivor}@example.ru"), now)
        do_upsert_customer(connection, merged, CustomerUpsert(phone="+79990000000"), now)
    start = now - timedelta(days=30)
    first = [
        order(f"{survivor}-first", survivor, start, "100.00"),
        order(f"{merged}-first", merged, start, "50.00"),
        event(f"{merged}-identify", "identify", start, merged, visitor),
    ]
    assert ingest_events(engine, first, now, OPTIONS).accepted == 3


class Streamer(threading.Thread):
    """Sends the merged customer's orders, and their visitor's views, one small batch at a time."""

    def __init__(self, engine: Engine, merged: str, visitor: str, now: datetime) -> None:
        super().__init__()
        self.engine, self.now = engine, now
        at = now - timedelta(days=20)
        # One event a batch: a view names only the visitor, so its batch locks nothing by the
        # merged customer's id until the visitor is found to be them.
        self.batches = [
            [sent]
            for n in range(PAIRS)
            for sent in (
                order(f"{merged}-o{n}", merged, at + timedelta(minutes=n), "10.00"),
                event(f"{merged}-v{n}", "product_viewed", at + timedelta(minutes=n), None, visitor, sku="C1"),
            )
        ]
        self.under_way = threading.Event()
        self.failures: list[BaseException] = []

    def run(self) -> None:
        try:
            for batch in self.batches:
                assert ingest_events(self.engine, batch, self.now, OPTIONS).accepted == 1
                self.under_way.set()
        except BaseException as error:
            self.failures.append(error)
        finally:
            self.under_way.set()


def _owners(engine: Engine, prefix: str) -> dict[str | None, int]:
    """How many of the events sent with ids starting ``prefix`` each customer owns (moves left out)."""
    query = (
        select(events.c.customer_id, func.count())
        .where(events.c.event_id.startswith(prefix), events.c.type.not_in(MOVES))
        .group_by(events.c.customer_id)
    )
    with engine.connect() as connection:
        return dict(connection.execute(query).all())


def _count(engine: Engine, table: Any, customer_id: str) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(table).where(table.c.customer_id == customer_id)
        return int(connection.execute(query).scalar_one())


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_events_for_the_merged_customer_arriving_during_the_merge_land_on_the_survivor(
    engine: Engine, now: datetime
) -> None:
    with engine.begin() as connection:
        do_create_segment(connection, "buyers", Definition(parse_rule(SEGMENTS["buyers"])), now)
    for round_number in range(ROUNDS):
        survivor, merged, visitor = f"a{round_number}", f"b{round_number}", f"visitor-{round_number}"
        # given
        _given_two_records(engine, survivor, merged, visitor, now)
        streamer = Streamer(engine, merged, visitor, now)
        failures: list[BaseException] = []
        # when the merge starts once the stream is under way
        streamer.start()
        streamer.under_way.wait()
        try:
            do_merge_customers(engine, survivor, merged, now, MERGE_OPTIONS)
        except BaseException as error:
            failures.append(error)
        streamer.join()
        # then
        assert (failures, streamer.failures) == ([], [])
        assert _owners(engine, f"{merged}-") == {survivor: 2 + 2 * PAIRS}
        assert _count(engine, orders, merged) == 0
        assert (_count(engine, customer_standing, merged), _count(engine, customer_signals, merged)) == (0, 0)
        with engine.connect() as connection:
            profile = get_profile(connection, survivor, "RUB", now)
        assert profile is not None
        assert (profile.orders, profile.events) == (2 + PAIRS, 3 + 2 * PAIRS)
