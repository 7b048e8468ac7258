"""Every base metric on a small hand-made store, with exact expected values.

The period is [2026-01-01, 2026-04-01): 90 days. The base window is 365 days, so a customer is in
the base at the start with an order in [2025-01-01, 2026-01-01) and at the end with one in
[2025-04-01, 2026-04-01).

    a  2025-06-10 100.00 · 2026-01-05 50.00 · 2026-01-20 70.00     S, E, two orders in the period
    b  2025-03-01 200.00                                          S, not E: lost
    c  2024-11-01 90.00 · 2026-02-10 30.00                        back after a lapse: E, not S, not new
    d  2026-01-10 40.00 · 2026-03-15 60.00, 10.00 of it returned  new, two orders
    e  2026-02-01 80.00 · 2026-02-20 100.00 cancelled             new, one counted order
    f  2026-01-15 55.00 cancelled (its only order)                in no figure
    g  2025-12-31 23:00 25.00                                     S and E, no order in the period
    h  2026-04-01 00:00 15.00 (at ``to``: after the period)       in no figure
    i  2026-01-01 00:00 10.00 (at ``from``: in the period)        new
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.helpers import event, ingest, item

from retentio.analytics.metrics import MetricSettings, Period, compute_metric, compute_metrics, measure
from retentio.analytics.metrics.base import BaseFacts

FROM = datetime(2026, 1, 1, tzinfo=UTC)
TO = datetime(2026, 4, 1, tzinfo=UTC)
PERIOD = Period.of(FROM, TO)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def placed(order_id: str, customer: str, when: str, *lines: tuple[str, int, str]) -> dict[str, Any]:
    total = sum(Decimal(price) * quantity for _, quantity, price in lines)
    return event(
        f"placed-{order_id}",
        "order_placed",
        at(when),
        customer,
        order_id=order_id,
        items=[item(sku, quantity, price) for sku, quantity, price in lines],
        total=str(total),
        currency="RUB",
    )


STORE = [
    placed("a1", "a", "2025-06-10T10:00", ("X", 1, "100.00")),
    placed("a2", "a", "2026-01-05T10:00", ("X", 1, "50.00")),
    placed("a3", "a", "2026-01-20T10:00", ("X", 1, "70.00")),
    placed("b1", "b", "2025-03-01T10:00", ("X", 2, "100.00")),
    placed("c1", "c", "2024-11-01T10:00", ("X", 1, "90.00")),
    placed("c2", "c", "2026-02-10T10:00", ("X", 1, "30.00")),
    placed("d1", "d", "2026-01-10T10:00", ("X", 1, "40.00")),
    placed("d2", "d", "2026-03-15T10:00", ("X", 1, "40.00"), ("Y", 2, "10.00")),
    event("returned-d2", "order_returned", at("2026-03-20T10:00"), "d", order_id="d2",
          items=[item("Y", 1, "10.00")]),
    placed("e1", "e", "2026-02-01T10:00", ("X", 1, "80.00")),
    placed("e2", "e", "2026-02-20T10:00", ("X", 1, "100.00")),
    event("cancelled-e2", "order_cancelled", at("2026-02-21T10:00"), "e", order_id="e2"),
    placed("f1", "f", "2026-01-15T10:00", ("X", 1, "55.00")),
    event("cancelled-f1", "order_cancelled", at("2026-01-15T11:00"), "f", order_id="f1"),
    placed("g1", "g", "2025-12-31T23:00", ("X", 1, "25.00")),
    placed("h1", "h", "2026-04-01T00:00", ("X", 1, "15.00")),
    placed("i1", "i", "2026-01-01T00:00", ("X", 1, "10.00")),
]  # fmt: skip


@pytest.fixture
def store(engine: Engine, now: datetime) -> Engine:
    result = ingest(engine, STORE, now)
    assert result.accepted == len(STORE), result.rejected
    return engine


def test_the_facts_of_the_base(store: Engine) -> None:
    # when
    with store.connect() as connection:
        facts = measure(connection, PERIOD)
    # then
    assert facts == BaseFacts(
        days=90,
        customers_at_start=3,  # a, b, g
        customers_at_end=6,  # a, c, d, e, g, i
        new_customers=3,  # d, e, i
        lost_customers=1,  # b
        active_customers=5,  # a, c, d, e, i
        repeat_customers=2,  # a, d
        orders=7,
        currency="RUB",
        money_orders=7,
        money_customers=5,
        revenue_minor=33_000,  # 120 + 30 + 90 + 80 + 10
        active_customer_days=7,
        # MAU pieces: g 29 (day -1), a 15 + 30, c 30, d 30 + 17, e 30, i 30
        monthly_active_customer_days=211,
        margin_share=None,
        discount_rate=Decimal("0.10"),
    )


def test_every_metric_exactly(store: Engine) -> None:
    # given
    settings = MetricSettings(margin_share=Decimal("0.25"), discount_rate=Decimal("0.10"))
    # when
    with store.connect() as connection:
        values = compute_metrics(connection, PERIOD, settings)
    # then
    assert values["retention_rate"] == Decimal(100)  # (6 - 3) / 3
    assert values["churn_rate"] == Decimal(100) / 3
    assert values["repeat_purchase_rate"] == Decimal(40)
    assert values["purchase_frequency"] == Decimal("1.4")
    assert values["average_order_value"] == Decimal("330.00") / 7  # the return deducted
    assert values["customer_activity_coefficient"] == Decimal(7) / 450
    assert values["dau_mau"] == Decimal(700) / 211
    assert values["clv_simple"] == Decimal(198)  # 66 a customer × 3 periods
    # m = 66 × 0.25 = 16.5, r = 2/3, d = 0.1: 16.5 · (2/3) / (1.1 − 2/3) = 330 / 13
    clv_margin = values["clv_margin"]
    assert clv_margin is not None
    assert abs(clv_margin - Decimal(330) / 13) < Decimal("1e-24")
    assert values["customers_at_start"] == 3
    assert values["customers_at_end"] == 6
    assert values["new_customers"] == 3
    assert values["active_customers"] == 5
    assert values["orders"] == 7
    assert values["revenue"] == Decimal("330.00")


def test_a_segment_restricts_every_figure(store: Engine) -> None:
    # when
    with store.connect() as connection:
        values = compute_metrics(connection, PERIOD, customer_ids={"a", "b", "d"})
    # then: S = {a, b}, E = {a, d}, N = {d}
    assert values["customers_at_start"] == 2
    assert values["customers_at_end"] == 2
    assert values["new_customers"] == 1
    assert values["retention_rate"] == Decimal(50)
    assert values["churn_rate"] == Decimal(50)
    assert values["repeat_purchase_rate"] == Decimal(100)
    assert values["purchase_frequency"] == Decimal(2)
    assert values["average_order_value"] == Decimal("52.5")
    assert values["customer_activity_coefficient"] == Decimal(4) / 180
    assert values["dau_mau"] == Decimal(400) / 92
    assert values["clv_simple"] == Decimal(210)  # 105 a customer × 2 periods


def test_one_metric_for_a_segment(store: Engine) -> None:
    with store.connect() as connection:
        assert compute_metric(connection, "purchase_frequency", PERIOD, customer_ids={"a", "c"}) == 1.5


def test_a_period_without_orders_has_undefined_rates_not_errors(store: Engine) -> None:
    # when
    with store.connect() as connection:
        values = compute_metrics(connection, Period.of(at("2030-01-01T00:00"), at("2030-02-01T00:00")))
    # then
    assert {key for key, value in values.items() if value is None} == {
        "retention_rate",
        "churn_rate",
        "repeat_purchase_rate",
        "purchase_frequency",
        "average_order_value",
        "customer_activity_coefficient",
        "dau_mau",
        "clv_simple",
        "clv_margin",
    }
    assert values["orders"] == 0
    assert values["revenue"] == Decimal("0.00")


def test_an_empty_store(engine: Engine) -> None:
    with engine.connect() as connection:
        values = compute_metrics(connection, PERIOD)
    assert values["retention_rate"] is None
    assert values["customers_at_end"] == 0


def test_without_customers_at_the_start_retention_is_undefined(store: Engine) -> None:
    # given: only the new customers, so S is empty
    with store.connect() as connection:
        values = compute_metrics(connection, PERIOD, customer_ids={"d", "e", "i"})
    # then
    assert values["customers_at_start"] == 0
    assert values["retention_rate"] is None
    assert values["churn_rate"] is None
    assert values["clv_simple"] is None
    assert values["average_order_value"] == Decimal("180.00") / 4


def test_a_customer_whose_only_order_is_cancelled_is_in_no_figure(store: Engine) -> None:
    with store.connect() as connection:
        facts = measure(connection, PERIOD, customer_ids={"f"})
    assert (facts.customers_at_start, facts.customers_at_end, facts.new_customers) == (0, 0, 0)
    assert (facts.active_customers, facts.orders, facts.revenue_minor) == (0, 0, 0)


def test_the_base_window_is_configurable(store: Engine) -> None:
    # given: a 30-day window, in the base at the start = an order in December 2025
    settings = MetricSettings(base_window_days=30)
    with store.connect() as connection:
        facts = measure(connection, PERIOD, settings)
    # then: S = {g}; E = an order in [2026-03-02, 2026-04-01) = {d}
    assert (facts.customers_at_start, facts.customers_at_end, facts.lost_customers) == (1, 1, 1)
