"""Back-of-the-envelope CLV formulas from the product seed, exact in ``Decimal``.

These need no model fitting: a marketer types in averages and gets a figure to compare offers
against. Inputs and results are ``Decimal`` (money and rates alike) so that the figures shown in
the UI are exactly what was typed in and multiplied; results are not rounded — quantise them
where they are displayed. Integers are accepted; floats are refused because their binary noise
would leak into money.

For per-customer predictions from purchase histories use the BG/NBD and Gamma-Gamma models
(``retentio.analytics.bgnbd``, ``retentio.analytics.gamma_gamma``).
"""

from __future__ import annotations

from decimal import Decimal

_ZERO = Decimal(0)
_ONE = Decimal(1)


def clv_from_revenue_and_lifetime(
    average_revenue_per_period: Decimal, average_lifetime_periods: Decimal
) -> Decimal:
    """CLV = average revenue per period × average lifetime in periods (undiscounted).

    The simplest estimate: it ignores margin and the time value of money, so it overstates
    value for long lifetimes. Both inputs must be non-negative.
    """
    revenue = _non_negative("average_revenue_per_period", average_revenue_per_period)
    lifetime = _non_negative("average_lifetime_periods", average_lifetime_periods)
    return revenue * lifetime


def clv_from_purchase_pattern(
    average_purchase_value: Decimal, purchases_per_period: Decimal, lifetime_periods: Decimal
) -> Decimal:
    """CLV = average purchase value × purchase frequency × lifetime (seed ANA-4).

    ``purchases_per_period`` and ``lifetime_periods`` must use the same period (e.g. purchases
    per year and lifetime in years). Undiscounted, revenue-based; all inputs non-negative.
    """
    purchase = _non_negative("average_purchase_value", average_purchase_value)
    frequency = _non_negative("purchases_per_period", purchases_per_period)
    lifetime = _non_negative("lifetime_periods", lifetime_periods)
    return purchase * frequency * lifetime


def clv_retention_textbook(
    margin_per_period: Decimal, retention_rate: Decimal, discount_rate: Decimal
) -> Decimal:
    """CLV = m · r / (1 + d − r): the standard infinite-horizon retention formula.

    Gupta & Lehmann (2003): margin ``m`` per period, a constant share ``r`` of customers
    retained each period, discount rate ``d`` per period, margins received at the end of each
    period the customer is still there, summed over an infinite horizon. Use this one. The
    margin may be negative (a loss-making customer); ``r`` is in [0, 1], ``d`` ≥ 0, and r = 1
    with d = 0 (an infinite value) raises ``ValueError``.
    """
    margin = _finite("margin_per_period", margin_per_period)
    retention = _rate("retention_rate", retention_rate)
    discount = _non_negative("discount_rate", discount_rate)
    denominator = _ONE + discount - retention
    if denominator == _ZERO:
        raise ValueError("retention_rate 1 with discount_rate 0 gives an infinite lifetime value")
    return margin * retention / denominator


def clv_seed_margin_over_churn_form(
    margin_per_period: Decimal, churn_rate: Decimal, discount_rate: Decimal
) -> Decimal:
    """CLV = m / (1 + d − c), exactly as the seed writes it ("margin / (1 + discount − churn)").

    Kept so the seed's figures can be reproduced, but it is not the textbook formula: with churn
    ``c`` where the textbook has retention, value *rises* with churn (c = 0.9, d = 0.1 gives
    m / 0.2 = 5 m, while c = 0.1 gives m / 1.0 = 1 m). Prefer :func:`clv_retention_textbook`
    with retention = 1 − churn. ``c`` is in [0, 1], ``d`` ≥ 0; the denominator is then ≥ d
    and is zero only for c = 1, d = 0, which raises ``ValueError``.
    """
    margin = _finite("margin_per_period", margin_per_period)
    churn = _rate("churn_rate", churn_rate)
    discount = _non_negative("discount_rate", discount_rate)
    denominator = _ONE + discount - churn
    if denominator == _ZERO:
        raise ValueError("churn_rate 1 with discount_rate 0 makes the seed formula divide by 0")
    return margin / denominator


def _finite(name: str, value: Decimal) -> Decimal:
    """``value`` as a finite Decimal; ints are fine, floats and NaN/infinity are not."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal (or int), not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def _non_negative(name: str, value: Decimal) -> Decimal:
    """A finite Decimal that is not below zero."""
    number = _finite(name, value)
    if number < _ZERO:
        raise ValueError(f"{name} must not be negative, got {number}")
    return number


def _rate(name: str, value: Decimal) -> Decimal:
    """A finite Decimal share between 0 and 1 inclusive."""
    number = _finite(name, value)
    if not _ZERO <= number <= _ONE:
        raise ValueError(f"{name} must be between 0 and 1, got {number}")
    return number
