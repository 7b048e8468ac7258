"""What the earning tests share: a programme, events in the public envelope, ingesting them through
the real path and letting the loyalty consumer catch up, and reading the results back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from retentio.clock import FixedClock
from retentio.db.metadata import METADATA
from retentio.events import drain, events
from retentio.ingest import IngestOptions, ingest_events
from retentio.loyalty import LoyaltyConfig, LoyaltyConsumer, get_balance
from retentio.loyalty.programmes.loading import parse_loyalty_config

START = datetime(2026, 1, 1, tzinfo=UTC)
OPTIONS = IngestOptions(future_tolerance=timedelta(days=1))
HISTORY = IngestOptions(future_tolerance=timedelta(days=1), historical=True)

# One point per 10 ₽, 14 days' return window, Silver (×2) at 30,000 ₽ over a rolling year.
PROGRAMME = """
[programmes.club]
name = "Club"
currency = "RUB"
point_value_minor = 100
pending_days = 14
{starts_at}
{extra}

[programmes.club.earning]
points_per_unit = "0.1"

[programmes.club.actions]
registration = {{ points = 100 }}
subscription = {{ points = 50 }}
review = {{ points = 20, once = "each" }}
birthday = {{ points = 200, once = "yearly" }}
profile_completion = {{ points = 30 }}

[programmes.club.expiry]
after_days = 365

[programmes.club.tiers]
measure = "spend"
window = "rolling"
window_days = 365
review_every_months = 12
grace_days = 30

[[programmes.club.tiers.levels]]
id = "base"
threshold = 0

[[programmes.club.tiers.levels]]
id = "silver"
threshold = 30000
multiplier = 2
"""


def programme_config(
    extra: str = "", starts_at: str = "starts_at = 2026-01-01T00:00:00Z", programme: str = "club"
) -> LoyaltyConfig:
    text = PROGRAMME.format(extra=extra, starts_at=starts_at).replace(
        "programmes.club", f"programmes.{programme}"
    )
    return parse_loyalty_config(text, Path("loyalty.toml"))


CONFIG = programme_config()


def send(
    engine: Engine,
    batch: list[dict[str, Any]],
    now: datetime,
    config: LoyaltyConfig = CONFIG,
    options: IngestOptions = OPTIONS,
) -> None:
    """Ingest ``batch`` through the real path and let the loyalty consumer read it."""
    result = ingest_events(engine, batch, now, options)
    assert not result.rejected, result.rejected
    consume(engine, now, config)


def consume(engine: Engine, now: datetime, config: LoyaltyConfig = CONFIG) -> int:
    return drain(engine, [LoyaltyConsumer(config)], FixedClock(now))


def envelope(event_id: str, type_: str, customer: str, at: datetime, **properties: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": type_,
        "customer_id": customer,
        "timestamp": at.isoformat(),
        "properties": properties,
    }


def placed(
    event_id: str, customer: str, at: datetime, order_id: str, quantity: int, price: str
) -> dict[str, Any]:
    total = str(int(price) * quantity)
    items = [{"sku": "SKU-1", "quantity": quantity, "price": price}]
    return envelope(
        event_id, "order_placed", customer, at, order_id=order_id, items=items, total=total, currency="RUB"
    )


def returned(
    event_id: str, customer: str, at: datetime, order_id: str, quantity: int, price: str
) -> dict[str, Any]:
    items = [{"sku": "SKU-1", "quantity": quantity, "price": price}]
    return envelope(event_id, "order_returned", customer, at, order_id=order_id, items=items)


def cancelled(event_id: str, customer: str, at: datetime, order_id: str) -> dict[str, Any]:
    return envelope(event_id, "order_cancelled", customer, at, order_id=order_id)


def balance(engine: Engine, customer: str) -> tuple[int, int, int]:
    with engine.connect() as connection:
        found = get_balance(connection, "club", customer)
    return (found.available, found.pending, found.debt)


def entries(engine: Engine, customer: str) -> list[tuple[str, str, int, int, int]]:
    """(kind, source, available, pending, debt), oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT kind, source, available, pending, debt FROM loyalty_entries "
                "WHERE programme = 'club' AND customer_id = :c ORDER BY id"
            ),
            {"c": customer},
        )
        return [(row[0], row[1], int(row[2]), int(row[3]), int(row[4])) for row in rows]


def tier_events(engine: Engine, customer: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(events.c.occurred_at, events.c.properties, events.c.derived)
            .where(events.c.type == "tier_changed", events.c.customer_id == customer)
            .order_by(events.c.occurred_at)
        )
        found = []
        for row in rows:
            properties = row.properties if isinstance(row.properties, dict) else json.loads(row.properties)
            found.append({"at": row.occurred_at, "derived": row.derived, **properties})
        return found


def member(engine: Engine, customer: str) -> dict[str, Any]:
    members = METADATA.tables["loyalty_members"]
    with engine.connect() as connection:
        row = connection.execute(
            select(members).where(members.c.programme == "club", members.c.customer_id == customer)
        ).first()
    assert row is not None, f"{customer} is not a member"
    return dict(row._mapping)
