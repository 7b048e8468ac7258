"""The default demo store behaves like real customers (SIMULATOR.md): measured from its events.

One year of 5,000 customers at the default behaviour; every figure is computed from the event
stream alone, the way the analytics would see it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from statistics import mean, median
from typing import Any

import pytest

from retentio.sim import SimConfig, build_store, simulate

CONFIG = SimConfig(customers=5000, days=365, seed=1)


@dataclass(frozen=True)
class Shape:
    orders_by_customer: dict[str, list[datetime]]
    revenue_by_customer: dict[str, Decimal]
    order_values: list[Decimal]
    orders_by_day: dict[date, int]
    events_by_day: dict[date, int]
    carts: int
    orders: int


@pytest.fixture(scope="module")
def shape() -> Shape:
    orders_by_customer: dict[str, list[datetime]] = defaultdict(list)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    values: list[Decimal] = []
    orders_by_day: dict[date, int] = defaultdict(int)
    events_by_day: dict[date, int] = {}
    carts: set[str] = set()
    for batch in simulate(CONFIG, build_store(CONFIG)):
        events_by_day[datetime.fromisoformat(batch[0]["timestamp"]).date()] = len(batch)
        for event in batch:
            _count(event, orders_by_customer, revenue, values, orders_by_day, carts)
    return Shape(
        orders_by_customer=dict(orders_by_customer),
        revenue_by_customer=dict(revenue),
        order_values=values,
        orders_by_day=dict(orders_by_day),
        events_by_day=events_by_day,
        carts=len(carts),
        orders=len(values),
    )


def _count(
    event: dict[str, Any],
    orders_by_customer: dict[str, list[datetime]],
    revenue: dict[str, Decimal],
    values: list[Decimal],
    orders_by_day: dict[date, int],
    carts: set[str],
) -> None:
    if event["type"] == "cart_updated":
        carts.add(event["properties"]["cart_id"])
    elif event["type"] == "order_placed":
        when = datetime.fromisoformat(event["timestamp"])
        total = Decimal(event["properties"]["total"])
        orders_by_customer[event["customer_id"]].append(when)
        revenue[event["customer_id"]] += total
        values.append(total)
        orders_by_day[when.date()] += 1


def test_between_half_and_two_thirds_of_buyers_buy_again(shape: Shape) -> None:
    buyers = shape.orders_by_customer.values()
    repeat_share = sum(1 for orders in buyers if len(orders) > 1) / len(buyers)
    assert 0.5 <= repeat_share <= 0.67


def test_buyers_place_three_to_four_orders_a_year(shape: Shape) -> None:
    assert 2.8 <= shape.orders / len(shape.orders_by_customer) <= 4.3


def test_the_median_gap_between_purchases_is_about_a_month(shape: Shape) -> None:
    gaps = [
        (later - earlier).total_seconds() / 86_400
        for orders in shape.orders_by_customer.values()
        for earlier, later in pairwise(orders)
    ]
    assert 24 <= median(gaps) <= 36


def test_order_value_is_skewed_to_the_right(shape: Shape) -> None:
    assert mean(shape.order_values) > Decimal("1.15") * median(shape.order_values)


def test_the_top_fifth_of_buyers_bring_more_than_half_of_revenue(shape: Shape) -> None:
    revenue = sorted(shape.revenue_by_customer.values(), reverse=True)
    top = revenue[: len(revenue) // 5]
    assert sum(top) / sum(revenue) > Decimal("0.5")


def test_about_seventy_per_cent_of_carts_are_abandoned(shape: Shape) -> None:
    # Every order comes from exactly one cart, so carts without an order are the rest.
    abandonment = 1 - shape.orders / shape.carts
    assert 0.6 <= abandonment <= 0.8


def test_weekends_are_quieter_than_weekdays(shape: Shape) -> None:
    weekend = [n for day, n in shape.events_by_day.items() if day.weekday() >= 5]
    weekday = [n for day, n in shape.events_by_day.items() if day.weekday() < 5]
    assert mean(weekend) < 0.95 * mean(weekday)


def test_november_is_the_peak_of_the_year(shape: Shape) -> None:
    # given
    by_month: dict[int, list[int]] = defaultdict(list)
    for day, count in shape.orders_by_day.items():
        by_month[day.month].append(count)
    daily = {month: mean(counts) for month, counts in by_month.items()}

    # then
    assert max(daily, key=lambda month: daily[month]) == 11
    assert daily[11] > 1.3 * mean([daily[9], daily[10]])
