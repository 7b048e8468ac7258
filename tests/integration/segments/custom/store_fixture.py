"""A small, hand-made store for the condition tests: five customers whose facts are easy to read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from tests.helpers import event, item
from tests.merge_fixture import CONSUMERS, MERGE_OPTIONS

from retentio.clock import FixedClock
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.events.consumers import drain
from retentio.ingest.merge import do_merge_customers
from retentio.ingest.pipeline import IngestOptions, ingest_events

DAY = timedelta(days=1)
EVERYONE = {"anna", "boris", "vera", "dina"}  # "gleb" is merged into "boris"


def build_store(engine: Engine, now: datetime) -> None:
    with engine.begin() as connection:
        for customer_id, data in _customers().items():
            do_upsert_customer(connection, customer_id, data, now - 200 * DAY)
    result = ingest_events(engine, _events(now), now, IngestOptions())
    assert not result.rejected, result.rejected
    drain(engine, CONSUMERS, FixedClock(now))
    do_merge_customers(engine, "boris", "gleb", now, MERGE_OPTIONS)


def _customers() -> dict[str, CustomerUpsert]:
    return {
        "anna": CustomerUpsert(
            email="anna@example.ru",
            locale="ru",
            birthday="1990-04-05",  # type: ignore[arg-type]
            push_tokens=["token-1"],
            attributes={"tier": "gold", "kids": 2, "vip": True, "score": "7.5"},
        ),
        "boris": CustomerUpsert(
            phone="+79990000001", locale="en", telegram_id="boris", attributes={"tier": "silver", "kids": "2"}
        ),
        "vera": CustomerUpsert(email="vera@example.com", birthday="1995-12-31"),  # type: ignore[arg-type]
        "dina": CustomerUpsert(locale="ru-RU", attributes={"vip": False}),
        "gleb": CustomerUpsert(email="gleb@example.ru", locale="ru"),
    }


def _order(number: int, customer: str, at: datetime, total: str, **extra: Any) -> dict[str, Any]:
    return event(
        f"o{number}",
        "order_placed",
        at,
        customer,
        order_id=f"order-{number}",
        items=[item("COFFEE-1", 1, total)],
        total=total,
        currency="RUB",
        **extra,
    )


def _view(number: int, customer: str, at: datetime, category: str) -> dict[str, Any]:
    return event(f"v{number}", "product_viewed", at, customer, sku="COFFEE-1", category=category)


def _events(now: datetime) -> list[dict[str, Any]]:
    return [
        _order(1, "anna", now - 40 * DAY, "1000.00"),
        _order(2, "anna", now - 20 * DAY, "2000.00", coupon="SPRING"),
        _order(3, "anna", now - 5 * DAY, "3000.50"),
        _view(1, "anna", now - 1 * DAY, "coffee"),
        _view(2, "anna", now - 2 * DAY, "coffee"),
        _view(3, "anna", now - 3 * DAY, "coffee"),
        _order(4, "boris", now - 100 * DAY, "500.00"),
        _view(4, "boris", now - 1 * DAY, "tea"),
        event("m1", "message_opened", now - 10 * DAY, "boris", message_id="msg-1", channel="email"),
        _view(5, "vera", now - 1 * DAY, "coffee"),
        _view(6, "vera", now - 6 * DAY, "coffee"),
        _view(7, "vera", now - 8 * DAY, "coffee"),
        event("a1", "app_opened", now - 2 * DAY, "vera", platform="ios"),
        _order(5, "dina", now - 3 * DAY, "800.00"),
        event("c5", "order_cancelled", now - 2 * DAY, "dina", order_id="order-5"),
        event("r1", "review_submitted", now - 4 * DAY, "dina", rating=2, sku="COFFEE-1"),
        _order(6, "gleb", now - 10 * DAY, "700.00"),
        event("x1", "custom.webinar_attended", now - 1 * DAY, "gleb", topic="coffee", minutes=42),
    ]
