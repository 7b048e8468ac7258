"""Builders for the segments tests: ingest and let the segments consumer catch up, and read standing
back."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text

from retentio.clock import FixedClock
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.ingest.pipeline import IngestOptions, IngestResult, ingest_events
from retentio.segments.config import DEFAULT_CONFIG, SegmentsConfig
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.tables import customer_standing

OPTIONS = IngestOptions(future_tolerance=timedelta(days=1))


def consume(engine: Engine, now: datetime, config: SegmentsConfig = DEFAULT_CONFIG) -> int:
    """Let the segments consumer catch up with the log."""
    return drain(engine, [SegmentsConsumer(config, "RUB")], FixedClock(now))


def send(
    engine: Engine, batch: list[dict[str, Any]], now: datetime, config: SegmentsConfig = DEFAULT_CONFIG
) -> IngestResult:
    """Ingest ``batch`` and let the segments consumer read it."""
    result = ingest_events(engine, batch, now, OPTIONS)
    assert not result.rejected, result.rejected
    consume(engine, now, config)
    return result


def placed(
    event_id: str, customer: str, at: datetime, order_id: str, total: str = "100.00", **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "order_placed",
        "customer_id": customer,
        "timestamp": at.isoformat(),
        "properties": {
            "order_id": order_id,
            "items": [{"sku": extra.pop("sku", "SKU-1"), "quantity": 1, "price": extra.pop("price", total)}],
            "total": total,
            "currency": "RUB",
            **extra,
        },
    }


def standing(engine: Engine, customer_id: str) -> dict[str, Any]:
    with engine.connect() as connection:
        row = connection.execute(
            select(customer_standing).where(customer_standing.c.customer_id == customer_id)
        ).first()
    assert row is not None, f"no standing for {customer_id}"
    return dict(row._mapping)


def moves(
    engine: Engine, customer_id: str | None = None
) -> list[tuple[str, str, str | None, str | None, datetime]]:
    """(type, family, from, to, occurred_at) of the segment events, in the order they were stored."""
    query = (
        select(events).where(events.c.type.in_(["segment_entered", "segment_exited"])).order_by(events.c.id)
    )
    if customer_id is not None:
        query = query.where(events.c.customer_id == customer_id)
    with engine.connect() as connection:
        return [
            (
                row.type,
                row.properties["family"],
                row.properties["from"],
                row.properties["to"],
                row.occurred_at,
            )
            for row in connection.execute(query)
        ]


def count_events(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())
