"""One process of the duplicate-delivery race: it sends the same order ten times (five under the
shop's event id, five under ids of its own, as a retrying shop would) and drains the loyalty
consumer, after waiting for the other process (imported by the spawned processes: module level)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.integration.loyalty.earning.support import CONFIG, OPTIONS, placed

from retentio.clock import FixedClock
from retentio.db.engine import make_engine
from retentio.events import drain
from retentio.ingest import ingest_events
from retentio.loyalty import LoyaltyConsumer


def deliver(url: str, name: str, now: datetime, start: Any) -> None:
    engine = make_engine(url)
    try:
        start.wait()
        for copy in range(10):
            event_id = "e1" if copy % 2 == 0 else f"e1-{name}-{copy}"
            order = placed(event_id, "ann", now, "o1", 2, "500")
            ingest_events(engine, [order], now, OPTIONS)
            drain(engine, [LoyaltyConsumer(CONFIG)], FixedClock(now))
    finally:
        engine.dispose()
