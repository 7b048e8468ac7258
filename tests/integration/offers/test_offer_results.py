"""The A/B results of an offer experiment read from the store, against figures computed here from
what the test itself did (who ordered, when and for how much) and scipy's intervals."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from scipy import stats
from sqlalchemy import Engine
from tests.helpers import event, ingest, item
from tests.integration.offers.offer_fixture import DEFAULT, customer, shop

from retentio.offers import do_offer, offer_results


def test_results_per_arm_count_orders_within_the_window_only(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    names = [f"c{n:02d}" for n in range(60)]
    for name in names:
        customer(engine, now, name, orders=1)
    with engine.begin() as connection:
        arms = {
            name: do_offer(connection, DEFAULT, name, "win_back", "2026-06", now).variant for name in names
        }
    # every third customer orders 3 days later (within the 14-day window), 2 × 1,000 ₽ less a 100 ₽
    # discount; every fifth orders 20 days later (too late to count)
    buyers = names[::3]
    late = [name for name in names[::5] if name not in buyers]
    orders = [_order(name, now + timedelta(days=3), discount="100") for name in buyers]
    orders += [_order(name, now + timedelta(days=20)) for name in late]
    ingest(engine, orders, now)
    with engine.connect() as connection:
        (report,) = offer_results(connection, DEFAULT, now + timedelta(days=30))
    expected: dict[str, list[bool]] = defaultdict(list)
    for name in names:
        expected[arms[name] or ""].append(name in buyers)
    assert [arm.arm for arm in report.arms] == ["holdout", "policy", "flat_10"]
    for arm in report.arms:
        converted = expected[arm.arm]
        assert (arm.exposed, arm.conversions) == (len(converted), sum(converted))
        assert arm.revenue == pytest.approx(1900.0 * sum(converted))  # 2,000 ₽ less the 100 ₽ discount
        assert arm.margin == pytest.approx((800.0 - 100.0) * sum(converted))  # 40 % of 2,000 ₽, less 100 ₽
        if converted:
            ci = stats.binomtest(sum(converted), len(converted)).proportion_ci(0.95, method="wilson")
            assert (arm.conversion.low, arm.conversion.high) == pytest.approx((ci.low, ci.high))
    holdout, policy = report.arms[0], report.arms[1]
    assert holdout.conversion_uplift is None
    assert policy.conversion_uplift is not None
    assert policy.conversion_uplift.estimate == pytest.approx(
        policy.conversions / policy.exposed - holdout.conversions / holdout.exposed
    )


def test_decisions_still_in_their_window_are_not_counted_yet(engine: Engine, now: datetime) -> None:
    shop(engine, now)
    customer(engine, now, "anna", orders=1)
    with engine.begin() as connection:
        do_offer(connection, DEFAULT, "anna", "win_back", "2026-06", now)
    with engine.connect() as connection:
        (report,) = offer_results(connection, DEFAULT, now + timedelta(days=5))
        assert offer_results(connection, DEFAULT, now, occasion="cart") == []
    assert sum(arm.exposed for arm in report.arms) == 0


def _order(name: str, at: datetime, discount: str = "0") -> dict[str, object]:
    total = str(2000 - int(discount))
    return event(
        f"{name}-{at:%d}",
        "order_placed",
        at,
        name,
        order_id=f"{name}-{at:%d}",
        items=[item("SKU-1", 2, "1000")],
        total=total,
        discount=discount,
        currency="RUB",
    )
