"""Bad customers (SEG-4, seed 000 "признаки плохого клиента"): a weighted checklist and a threshold.

Each check that fires adds its weight and one plain explanation ("returned 4 of 5 orders"); a customer
at or above the threshold is flagged, and a flagged customer must not be incentivised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from retentio.segments.config import BadCustomerConfig
from retentio.segments.inputs import DAY, CustomerInputs, Instant, Signals, earliest_after

MAX_SCORE = 100


class BadCustomerAssessment(NamedTuple):  # named tuples here: one of each per customer per batch
    score: int
    flagged: bool
    reasons: tuple[str, ...]
    next_change_at: Instant | None


class Context(NamedTuple):
    inputs: CustomerInputs
    now: Instant
    config: BadCustomerConfig
    payment_days: int


Check = Callable[[Context], tuple[int, str] | None]


def overdue_unpaid(signals: Signals, now: Instant, payment_days: int) -> int:
    """Unpaid orders older than the payment term: exact for up to two open orders, a lower bound
    beyond (only the oldest and newest placing times are kept)."""
    term = payment_days * DAY
    if signals.unpaid_newest_at is not None and now >= signals.unpaid_newest_at + term:
        return signals.unpaid_orders
    if signals.unpaid_oldest_at is not None and now >= signals.unpaid_oldest_at + term:
        return 1
    return 0


def _returns(context: Context) -> tuple[int, str] | None:
    inputs, config = context.inputs, context.config
    if inputs.orders >= config.min_orders and inputs.returns >= config.returns_share * inputs.orders:
        return config.returns_weight, f"returned {inputs.returns} of {inputs.orders} orders"
    return None


def _cancellations(context: Context) -> tuple[int, str] | None:
    inputs, config = context.inputs, context.config
    placed = inputs.orders + inputs.cancellations
    if placed >= config.min_orders and inputs.cancellations >= config.cancellations_share * placed:
        return config.cancellations_weight, f"cancelled {inputs.cancellations} of {placed} orders"
    return None


def _unpaid(context: Context) -> tuple[int, str] | None:
    signals, config = context.inputs.signals, context.config
    late = signals.late_payments + overdue_unpaid(signals, context.now, context.payment_days)
    if late >= config.unpaid_orders:
        return config.unpaid_weight, f"{late} order(s) not paid within {context.payment_days} days"
    return None


def _complaints(context: Context) -> tuple[int, str] | None:
    signals, config = context.inputs.signals, context.config
    if signals.complaints + signals.negative_feedback >= config.complaints:
        return config.complaints_weight, (
            f"{signals.complaints} spam complaint(s), {signals.negative_feedback} negative review(s) or NPS"
        )
    return None


def _negative_margin(context: Context) -> tuple[int, str] | None:
    margin = context.inputs.signals.margin_minor
    if margin is not None and margin < 0:
        return context.config.negative_margin_weight, (
            f"negative margin {margin / 100:.2f} over {context.inputs.orders} order(s)"
        )
    return None


def _discount_only(context: Context) -> tuple[int, str] | None:
    inputs, config = context.inputs, context.config
    discounted = inputs.signals.discounted_orders
    if (
        inputs.orders >= config.discount_only_min_orders
        and discounted >= config.discount_only_share * inputs.orders
    ):
        return config.discount_only_weight, f"bought with a discount {discounted} of {inputs.orders} times"
    return None


def _coupon_abuse(context: Context) -> tuple[int, str] | None:
    codes = context.inputs.signals.coupon_codes
    if codes >= context.config.coupon_abuse_codes:
        return context.config.coupon_abuse_weight, f"used {codes} different coupon codes"
    return None


CHECKS: tuple[Check, ...] = (
    _returns,
    _cancellations,
    _unpaid,
    _complaints,
    _negative_margin,
    _discount_only,
    _coupon_abuse,
)


def assess(
    inputs: CustomerInputs, now: Instant, config: BadCustomerConfig, payment_days: int
) -> BadCustomerAssessment:
    context = Context(inputs, now, config, payment_days)
    findings = [finding for check in CHECKS if (finding := check(context)) is not None]
    signals, term = inputs.signals, payment_days * DAY
    next_change = None
    if signals.unpaid_oldest_at is not None or signals.unpaid_newest_at is not None:
        next_change = earliest_after(
            now,
            None if signals.unpaid_oldest_at is None else signals.unpaid_oldest_at + term,
            None if signals.unpaid_newest_at is None else signals.unpaid_newest_at + term,
        )
    if not findings:  # most customers: nothing to add up
        return BadCustomerAssessment(0, config.threshold <= 0, (), next_change)
    score = min(MAX_SCORE, sum(weight for weight, _ in findings))
    return BadCustomerAssessment(
        score=score,
        flagged=score >= config.threshold,
        reasons=tuple(reason for weight, reason in findings if weight > 0),
        next_change_at=next_change,
    )
