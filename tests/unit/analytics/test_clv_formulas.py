"""Tests for the seed's simple CLV formulas, computed exactly in Decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.analytics.clv_formulas import (
    clv_from_purchase_pattern,
    clv_from_revenue_and_lifetime,
    clv_retention_textbook,
    clv_seed_margin_over_churn_form,
)


def test_revenue_times_lifetime() -> None:
    assert clv_from_revenue_and_lifetime(Decimal("1250.50"), Decimal(3)) == Decimal("3751.50")


def test_purchase_value_times_frequency_times_lifetime() -> None:
    clv = clv_from_purchase_pattern(Decimal("2400.00"), Decimal("4.5"), Decimal(2))

    assert clv == Decimal("21600.000")


def test_textbook_retention_formula() -> None:
    # m = 100, r = 0.8, d = 0.1: 100 · 0.8 / 0.3
    clv = clv_retention_textbook(Decimal(100), Decimal("0.8"), Decimal("0.1"))

    assert clv == Decimal(80) / Decimal("0.3")


def test_seed_formula_is_reproduced_literally() -> None:
    # m = 100, churn 0.2, d = 0.1: 100 / (1 + 0.1 - 0.2) = 100 / 0.9
    clv = clv_seed_margin_over_churn_form(Decimal(100), Decimal("0.2"), Decimal("0.1"))

    assert clv == Decimal(100) / Decimal("0.9")


def test_seed_formula_rises_with_churn_where_the_textbook_falls() -> None:
    margin, discount = Decimal(100), Decimal("0.1")

    seed_low, seed_high = (
        clv_seed_margin_over_churn_form(margin, Decimal(churn), discount) for churn in ("0.1", "0.9")
    )
    textbook_low, textbook_high = (
        clv_retention_textbook(margin, 1 - Decimal(churn), discount) for churn in ("0.1", "0.9")
    )

    assert seed_high > seed_low
    assert textbook_high < textbook_low


@given(
    st.decimals("0", "10000", places=2),
    st.decimals("0", "0.95", places=2),
    st.decimals("0.01", "0.5", places=2),
)
def test_textbook_formula_is_the_sum_of_discounted_retained_margins(
    margin: Decimal, retention: Decimal, discount: Decimal
) -> None:
    # Σ_{t≥1} m · r^t / (1 + d)^t, summed until the terms no longer matter
    ratio = retention / (1 + discount)
    series = sum((margin * ratio**t for t in range(1, 2000)), Decimal(0))

    clv = clv_retention_textbook(margin, retention, discount)

    assert abs(clv - series) <= Decimal("1e-6") * max(clv, Decimal(1))


def test_integers_are_accepted_and_results_stay_decimal() -> None:
    clv = clv_retention_textbook(100, 1, Decimal("0.25"))  # type: ignore[arg-type]

    assert clv == Decimal(400)
    assert isinstance(clv, Decimal)


def test_negative_margin_gives_negative_value() -> None:
    assert clv_retention_textbook(Decimal(-10), Decimal("0.5"), Decimal("0.5")) == Decimal(-5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: clv_from_revenue_and_lifetime(Decimal(-1), Decimal(2)), "must not be negative"),
        (lambda: clv_from_purchase_pattern(Decimal(1), Decimal(-2), Decimal(1)), "purchases_per"),
        (lambda: clv_retention_textbook(Decimal(1), Decimal("1.5"), Decimal(0)), "between 0 and 1"),
        (lambda: clv_retention_textbook(Decimal(1), Decimal(1), Decimal(0)), "infinite"),
        (lambda: clv_retention_textbook(Decimal(1), Decimal("0.5"), Decimal(-1)), "discount_rate"),
        (lambda: clv_seed_margin_over_churn_form(Decimal(1), Decimal(1), Decimal(0)), "divide"),
        (lambda: clv_seed_margin_over_churn_form(Decimal(1), Decimal(-1), Decimal(0)), "churn"),
        (lambda: clv_from_revenue_and_lifetime(Decimal("NaN"), Decimal(1)), "finite"),
    ],
)
def test_out_of_range_inputs_are_rejected_with_the_reason(call: object, message: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=message):
        call()


def test_floats_are_refused_because_they_cannot_hold_money_exactly() -> None:
    with pytest.raises(TypeError, match="average_revenue_per_period must be a Decimal"):
        clv_from_revenue_and_lifetime(0.1, Decimal(3))  # type: ignore[arg-type]
