"""What ``retentio stats`` counts: the events clients sent apart from the ones Retentio derived."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from tests.helpers import event, ingest

from retentio.ingest.stats import EventOrigins, count_events_by_origin, count_store
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.refresh import do_refresh_standing


def test_events_are_counted_as_sent_or_derived(engine: Engine, now: datetime) -> None:
    # given: three views sent, then a refresh that moves both viewers up the ladder (two moves)
    views = [
        event(f"v{n}", "product_viewed", now - timedelta(days=n), who, sku="C1")
        for n, who in enumerate(["anna", "anna", "boris"])
    ]
    ingest(engine, views, now)
    with engine.begin() as connection:
        do_refresh_standing(connection, now, DEFAULT_CONFIG)
    # when
    with engine.connect() as connection:
        origins = count_events_by_origin(connection)
        counts = count_store(connection)
    # then
    assert origins == EventOrigins(sent=3, derived=2)
    assert (counts.events, counts.events_sent, counts.events_derived) == (5, 3, 2)


def test_an_empty_log_counts_nothing(engine: Engine) -> None:
    with engine.connect() as connection:
        assert count_events_by_origin(connection) == EventOrigins(sent=0, derived=0)
