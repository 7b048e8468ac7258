"""What the referral and club tests share: a programme with both, customers with contacts, events
sent through the real ingestion path, and the consumers caught up with the log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text
from tests.helpers import event, item

from retentio.clock import FixedClock
from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.events import drain
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.loyalty import ClubConsumer, LoyaltyConfig, ReferralsConsumer, get_balance

PROGRAMME = "club"
CONFIG = LoyaltyConfig.model_validate(
    {
        "programmes": {
            PROGRAMME: {
                "name": "Club",
                "currency": "RUB",
                "point_value_minor": 100,
                "pending_days": 14,
                "earning": {"points_per_unit": "0.05"},
                "actions": {"referral": {"points": 300, "once": "each"}},
                "referral": {
                    "link": "https://shop.example/r/{code}",
                    "friend_points": 200,
                    "max_friends": 2,
                    "period_days": 30,
                },
                "membership": {
                    "sku": "CLUB-12M",
                    "term_months": 12,
                    "reminder_days": 14,
                    "grace_days": 7,
                    "earned_orders": 3,
                    "earned_window_days": 90,
                },
            }
        }
    }
)


def add_customer(engine: Engine, customer_id: str, now: datetime, **contacts: str) -> None:
    with engine.begin() as connection:
        do_upsert_customers(connection, [(customer_id, CustomerUpsert(**contacts))], now)


def send(engine: Engine, events: list[dict[str, Any]], now: datetime, *, historical: bool = False) -> None:
    """Ingest ``events`` as the API would, then let the referral and club consumers catch up."""
    result = ingest_events(engine, events, now, IngestOptions(historical=historical))
    assert not result.rejected, result.rejected
    drain(engine, [ReferralsConsumer(CONFIG), ClubConsumer(CONFIG)], FixedClock(now))


def referral(event_id: str, friend: str, code: str, at: datetime) -> dict[str, Any]:
    return event(event_id, "referral", at, friend, referral_code=code)


def placed(order_id: str, customer: str, at: datetime, sku: str = "TEA", **extra: Any) -> dict[str, Any]:
    return event(
        f"{order_id}-placed",
        "order_placed",
        at,
        customer,
        order_id=order_id,
        items=[item(sku, 1, "1000.00")],
        total="1000.00",
        currency="RUB",
        **extra,
    )


def paid(order_id: str, customer: str, at: datetime) -> dict[str, Any]:
    return event(f"{order_id}-paid", "order_paid", at, customer, order_id=order_id)


def cancelled(order_id: str, customer: str, at: datetime) -> dict[str, Any]:
    return event(f"{order_id}-cancelled", "order_cancelled", at, customer, order_id=order_id)


def returned(order_id: str, customer: str, at: datetime, sku: str = "TEA") -> dict[str, Any]:
    return event(
        f"{order_id}-returned",
        "order_returned",
        at,
        customer,
        order_id=order_id,
        items=[item(sku, 1, "1000.00")],
    )


def points(engine: Engine, customer_id: str) -> int:
    with engine.connect() as connection:
        return get_balance(connection, PROGRAMME, customer_id).available


def derived(engine: Engine, type_name: str) -> list[tuple[str, str | None]]:
    """(event_id, customer_id) of the derived events of a type, by id."""
    with engine.connect() as connection:
        query = text("SELECT event_id, customer_id FROM events WHERE type = :t ORDER BY event_id")
        return [(row.event_id, row.customer_id) for row in connection.execute(query, {"t": type_name})]


def days(count: float) -> timedelta:
    return timedelta(days=count)
