from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from tests.helpers import event, ingest, item, rows

from retentio.customers.merge import MergeRefused, do_merge_customers
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer, get_customer, get_profile


def _order(event_id: str, customer: str, at: datetime, total: str) -> dict:
    return event(
        event_id,
        "order_placed",
        at,
        customer,
        order_id=event_id,
        items=[item("A", 1, total)],
        total=total,
        currency="RUB",
    )


def test_merge_keeps_all_history_and_routes_later_events(engine: Engine, now: datetime) -> None:
    # given two records of one person
    at = now - timedelta(days=10)
    with engine.begin() as connection:
        do_upsert_customer(connection, "web-1", CustomerUpsert(email="anna@example.ru"), now)
        do_upsert_customer(connection, "shop-7", CustomerUpsert(phone="+79991234567", first_name="Анна"), now)
    ingest(
        engine,
        [_order("o1", "web-1", at, "100.00"), _order("o2", "shop-7", at + timedelta(days=1), "50.00")],
        now,
    )
    # when
    with engine.begin() as connection:
        moved = do_merge_customers(connection, "web-1", "shop-7", now, "RUB")
    ingest(engine, [_order("o3", "shop-7", at + timedelta(days=2), "25.00")], now)
    # then
    assert moved == 1
    with engine.connect() as connection:
        survivor = get_customer(connection, "web-1", now)
        merged = get_customer(connection, "shop-7", now)
        profile = get_profile(connection, "web-1", "RUB", now)
    assert survivor is not None and merged is not None and profile is not None
    assert (survivor.email, survivor.phone, survivor.first_name) == (
        "anna@example.ru",
        "+79991234567",
        "Анна",
    )
    assert merged.merged_into == "web-1"
    assert (profile.orders, profile.revenue) == (3, Decimal("175.00"))
    assert {r["order_id"]: r["customer_id"] for r in rows(engine, "orders")} == {
        "o1": "web-1",
        "o2": "web-1",
        "o3": "web-1",
    }
    assert [r["customer_id"] for r in rows(engine, "customer_profiles")] == ["web-1"]


@pytest.mark.parametrize(
    ("survivor", "merged", "message"),
    [("a", "a", "into itself"), ("a", "ghost", "'ghost' does not exist")],
)
def test_merge_refuses_nonsense_and_changes_nothing(
    engine: Engine, now: datetime, survivor: str, merged: str, message: str
) -> None:
    with engine.begin() as connection:
        do_upsert_customer(connection, "a", CustomerUpsert(email="a@example.ru"), now)
    before = rows(engine, "customers")
    with pytest.raises(MergeRefused, match=message), engine.begin() as connection:
        do_merge_customers(connection, survivor, merged, now, "RUB")
    assert rows(engine, "customers") == before
