"""The CDNOW purchase files as order_placed events, ingested through the store's one write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from retentio.ingest.pipeline import IngestOptions, ingest_events

BATCH = 10_000
# CDNOW is from 1997-98 while tests run "now" in 2026: no event of the file is in the future anyway,
# the tolerance only keeps the ingest independent of the fixed clock.
_OPTIONS = IngestOptions(default_currency="USD", future_tolerance=timedelta(days=365 * 100))


def cdnow_sample_events(path: Path) -> list[dict[str, Any]]:
    """One order per row of the 1/10 sample: customer = master id, the day at 00:00 UTC, $ as is."""
    events = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        master_id, _sample_id, day, _cds, dollars = line.split()
        order_id = f"cdnow-sample:{number}"
        events.append(
            {
                "event_id": order_id,
                "type": "order_placed",
                "customer_id": str(int(master_id)),
                "timestamp": datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC).isoformat(),
                "properties": {
                    "order_id": order_id,
                    "items": [{"sku": "CD", "quantity": 1, "price": dollars}],
                    "total": dollars,
                    "currency": "USD",
                },
            }
        )
    return events


def ingest_in_batches(engine: Engine, events: list[dict[str, Any]], now: datetime) -> int:
    """Ingest ``events`` in batches of 10,000; returns how many were accepted."""
    accepted = 0
    for start in range(0, len(events), BATCH):
        result = ingest_events(engine, events[start : start + BATCH], now, _OPTIONS)
        assert not result.rejected, result.rejected[:3]
        accepted += result.accepted
    return accepted
