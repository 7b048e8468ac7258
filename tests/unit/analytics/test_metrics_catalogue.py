"""The catalogue's formulas on the base's facts alone (no store): exact values and undefined cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from retentio.analytics.metrics import CATALOGUE, METRICS, BaseFacts, MetricSettings, Period, Unit

FACTS = BaseFacts(
    days=30,
    customers_at_start=200,
    customers_at_end=230,
    new_customers=50,
    lost_customers=20,
    active_customers=100,
    repeat_customers=25,
    orders=160,
    currency="RUB",
    money_orders=160,
    money_customers=100,
    revenue_minor=2_000_000,  # 20,000.00
    active_customer_days=150,
    monthly_active_customer_days=1_500,
    margin_share=Decimal("0.3"),
    discount_rate=Decimal("0.1"),
)
NOBODY = BaseFacts(0, 0, 0, 0, 0, 0, 0, 0, "RUB", 0, 0, 0, 0, 0, None, Decimal("0.1"))


def value(key: str, facts: BaseFacts = FACTS) -> Decimal | None:
    return METRICS[key].compute(facts)


def test_the_rates() -> None:
    assert value("retention_rate") == Decimal(90)  # (230 − 50) / 200 × 100
    assert value("churn_rate") == Decimal(10)  # 20 / 200 × 100
    assert value("repeat_purchase_rate") == Decimal(25)
    assert value("purchase_frequency") == Decimal("1.6")
    assert value("average_order_value") == Decimal("125")
    assert value("customer_activity_coefficient") == Decimal("0.05")  # 150 / (100 × 30)
    assert value("dau_mau") == Decimal(10)  # 150 / 1500 × 100


def test_the_two_clv_formulas() -> None:
    # revenue per customer 200.00; lifetime 1 / 0.1 = 10 periods
    assert value("clv_simple") == Decimal(2000)
    # m = 60, r = 0.9, d = 0.1: 60 × 0.9 / (1 + 0.1 − 0.9) = 270
    assert value("clv_margin") == Decimal(270)


def test_nothing_to_divide_by_is_none() -> None:
    undefined = {metric.key for metric in CATALOGUE if metric.compute(NOBODY) is None}
    assert undefined == {
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


def test_clv_without_churn_or_margin() -> None:
    nobody_left = replace(FACTS, lost_customers=0)
    assert value("clv_simple", nobody_left) is None  # an endless lifetime
    # r = 1, d = 0.1: 60 × 1 / 0.1 = 600 — the discount keeps it finite
    assert value("clv_margin", nobody_left) == Decimal(600)
    assert value("clv_margin", replace(nobody_left, discount_rate=Decimal(0))) is None
    assert value("clv_margin", replace(FACTS, margin_share=None)) is None


def test_retention_counts_returning_customers_as_the_seed_does() -> None:
    # E − N also holds customers back after a lapse, so it can exceed 100 while churn is 10 %.
    back = replace(FACTS, customers_at_end=300)
    assert value("retention_rate", back) == Decimal(125)
    assert value("churn_rate", back) == Decimal(10)


def test_money_uses_the_currency_digits() -> None:
    yen = replace(FACTS, currency="JPY", revenue_minor=20_000)
    assert value("average_order_value", yen) == Decimal(125)
    assert value("revenue", yen) == Decimal(20_000)


def test_every_metric_is_described() -> None:
    keys = [metric.key for metric in CATALOGUE]
    assert len(keys) == len(set(keys))
    for metric in CATALOGUE:
        assert metric.name and metric.name_ru and metric.formula
        assert metric.definition.endswith(".")
        assert isinstance(metric.unit, Unit)


def test_a_period_is_whole_seconds_and_not_empty() -> None:
    start = datetime(2026, 1, 1, 0, 0, 0, 700_000, tzinfo=UTC)
    period = Period.of(start, datetime(2026, 1, 2, 12, tzinfo=UTC))
    assert period.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert period.days == 2  # a day and a half: the part day counts
    assert Period.days_up_to(datetime(2026, 1, 1, tzinfo=UTC)).days == 365
    with pytest.raises(ValueError, match="empty"):
        Period.of(start, start)
    with pytest.raises(ValueError, match="offset"):
        Period.of(datetime(2026, 1, 1), datetime(2026, 2, 1))


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="margin"):
        MetricSettings(margin_share=Decimal("1.5"))
    with pytest.raises(ValueError, match="discount"):
        MetricSettings(discount_rate=Decimal("-0.1"))
    with pytest.raises(ValueError, match="window"):
        MetricSettings(base_window_days=0)
