"""Lifecycle (SEG-2, seed 004): prospect → new → active → loyal → at risk → churned → reactivated.

The stage is a function of the profile and the clock alone, so the same answer comes from an event,
from a sweep when time passes, and from a full refresh. "Reactivated" needs no memory either: a last
order that came a churn-length gap after the one before it is a return from churn.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

from retentio.segments.config import LifecycleConfig
from retentio.segments.inputs import DAY, CustomerInputs, Instant, earliest_after

LifecycleStage = Literal["prospect", "new", "active", "loyal", "at_risk", "churned", "reactivated"]
LIFECYCLE_STAGES: tuple[LifecycleStage, ...] = (
    "prospect",
    "new",
    "active",
    "loyal",
    "at_risk",
    "churned",
    "reactivated",
)


class LifecycleDecision(NamedTuple):  # a named tuple: one per customer per batch
    stage: LifecycleStage
    next_change_at: Instant | None  # when the stage may change with no new event


def risk_delay(inputs: CustomerInputs, config: LifecycleConfig) -> int:
    """Seconds after the last order when the customer counts as at risk."""
    if inputs.orders < 2:
        return config.at_risk_days_without_interval * DAY
    usual = math.ceil(inputs.order_span * config.at_risk_factor / (inputs.orders - 1))
    return max(config.at_risk_min_days * DAY, usual)


def has_loyal_rhythm(inputs: CustomerInputs, config: LifecycleConfig) -> bool:
    """Enough orders, about monthly or more often."""
    return (
        inputs.orders >= config.loyal_min_orders
        and inputs.order_span <= config.loyal_max_interval_days * DAY * (inputs.orders - 1)
    )


def decide_lifecycle(inputs: CustomerInputs, now: Instant, config: LifecycleConfig) -> LifecycleDecision:
    last = inputs.last_order_at
    if inputs.orders < 1 or last is None:
        return LifecycleDecision("prospect", None)
    churn_at = last + config.churn_days * DAY
    risk_at = last + risk_delay(inputs, config)
    engaged_until = _engaged_until(inputs, config)
    next_change = earliest_after(now, risk_at, churn_at, engaged_until)
    return LifecycleDecision(_stage(inputs, now, config, risk_at, churn_at, engaged_until), next_change)


def _engaged_until(inputs: CustomerInputs, config: LifecycleConfig) -> Instant | None:
    if inputs.last_event_at is None or not has_loyal_rhythm(inputs, config):
        return None
    return inputs.last_event_at + config.engaged_days * DAY


def _stage(
    inputs: CustomerInputs,
    now: Instant,
    config: LifecycleConfig,
    risk_at: Instant,
    churn_at: Instant,
    engaged_until: Instant | None,
) -> LifecycleStage:
    if now >= churn_at:
        return "churned"
    if now >= risk_at:
        return "at_risk"
    last, previous = inputs.last_order_at, inputs.previous_order_at
    if last is not None and previous is not None and last - previous >= config.churn_days * DAY:
        return "reactivated"
    if inputs.orders <= config.new_max_orders:
        return "new"
    if engaged_until is not None and now < engaged_until:
        return "loyal"
    return "active"
