"""Small builders shared by tests: events in the public envelope, and reading rows back."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from retentio.db.metadata import METADATA
from retentio.ingest.pipeline import IngestOptions, IngestResult, ingest_events


def event(
    event_id: str,
    type_: str,
    at: datetime,
    customer_id: str | None = None,
    anonymous_id: str | None = None,
    **properties: Any,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "event_id": event_id,
        "type": type_,
        "timestamp": at.isoformat(),
        "properties": properties,
    }
    if customer_id is not None:
        document["customer_id"] = customer_id
    if anonymous_id is not None:
        document["anonymous_id"] = anonymous_id
    return document


def item(sku: str, quantity: int, price: str) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, "price": price}


def ingest(engine: Engine, events: list[dict[str, Any]], now: datetime) -> IngestResult:
    return ingest_events(engine, events, now + timedelta(days=3650), IngestOptions())


def rows(engine: Engine, table_name: str, drop: tuple[str, ...] = ("updated_at",)) -> list[dict[str, Any]]:
    table = METADATA.tables[table_name]
    key = list(table.primary_key.columns)
    with engine.connect() as connection:
        result = connection.execute(select(table).order_by(*key))
        return [{k: v for k, v in row._mapping.items() if k not in drop} for row in result]
