"""Lifecycle stages and when they next change with no new event."""

import pytest

from retentio.segments.config import LifecycleConfig
from retentio.segments.inputs import DAY, CustomerInputs
from retentio.segments.lifecycle import decide_lifecycle

CONFIG = LifecycleConfig()
T0 = 1_700_000_000


def buyer(orders: int, interval_days: float, last: int = T0, **changes: object) -> CustomerInputs:
    span = int(interval_days * DAY * (orders - 1))
    previous = last - int(interval_days * DAY) if orders > 1 else None
    inputs = CustomerInputs(
        "c",
        orders=orders,
        first_order_at=last - span,
        last_order_at=last,
        previous_order_at=previous,
        last_event_at=last,
    )
    return inputs._replace(**changes)


def test_no_order_is_a_prospect_for_good() -> None:
    decision = decide_lifecycle(CustomerInputs("c", last_event_at=T0), T0 + 999 * DAY, CONFIG)
    assert (decision.stage, decision.next_change_at) == ("prospect", None)


def test_one_order_is_new_until_the_fixed_at_risk_days() -> None:
    inputs = buyer(1, 0)
    assert decide_lifecycle(inputs, T0 + DAY, CONFIG).stage == "new"
    assert decide_lifecycle(inputs, T0 + DAY, CONFIG).next_change_at == T0 + 60 * DAY
    assert decide_lifecycle(inputs, T0 + 60 * DAY, CONFIG).stage == "at_risk"
    assert decide_lifecycle(inputs, T0 + 60 * DAY, CONFIG).next_change_at == T0 + 180 * DAY
    assert decide_lifecycle(inputs, T0 + 180 * DAY, CONFIG).stage == "churned"


def test_at_risk_follows_the_customers_own_interval() -> None:
    # given a customer who buys every 36 days (four orders): at risk after 2 x 36 = 72 days
    inputs = buyer(4, 36)
    assert decide_lifecycle(inputs, T0 + 71 * DAY, CONFIG).stage == "active"
    assert decide_lifecycle(inputs, T0 + 72 * DAY, CONFIG).stage == "at_risk"


def test_at_risk_is_never_sooner_than_the_minimum() -> None:
    inputs = buyer(5, 2)  # every two days: 2 x 2 = 4 days, but the minimum is 30
    assert decide_lifecycle(inputs, T0 + 29 * DAY, CONFIG).stage != "at_risk"
    assert decide_lifecycle(inputs, T0 + 30 * DAY, CONFIG).stage == "at_risk"


def test_monthly_and_engaged_is_loyal_then_active_when_quiet() -> None:
    inputs = buyer(6, 30, last_event_at=T0 + 5 * DAY)
    assert decide_lifecycle(inputs, T0 + 10 * DAY, CONFIG).stage == "loyal"
    # engagement lapses 45 days after the last event, before the 60-day at-risk point
    assert decide_lifecycle(inputs, T0 + 10 * DAY, CONFIG).next_change_at == T0 + 50 * DAY
    assert decide_lifecycle(inputs, T0 + 50 * DAY, CONFIG).stage == "active"


def test_ordering_less_often_than_monthly_is_active_not_loyal() -> None:
    assert decide_lifecycle(buyer(6, 40), T0 + DAY, CONFIG).stage == "active"


def test_a_purchase_after_a_churn_length_gap_is_reactivated() -> None:
    inputs = buyer(3, 200)
    assert decide_lifecycle(inputs, T0 + DAY, CONFIG).stage == "reactivated"


@pytest.mark.parametrize("orders", [1, 2])
def test_one_or_two_orders_are_new(orders: int) -> None:
    assert decide_lifecycle(buyer(orders, 10), T0 + DAY, CONFIG).stage == "new"


def test_churn_days_are_configurable() -> None:
    config = LifecycleConfig(churn_days=90, at_risk_days_without_interval=30)
    assert decide_lifecycle(buyer(1, 0), T0 + 90 * DAY, config).stage == "churned"
