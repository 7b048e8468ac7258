"""Tests for the Gamma-Gamma spend model and the model-based customer lifetime value."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.cdnow_arrays import load_cdnow_sample

from retentio.analytics.bgnbd import BgNbdParams, conditional_expected_purchases
from retentio.analytics.gamma_gamma import (
    GammaGammaParams,
    conditional_expected_spend,
    customer_lifetime_value,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from retentio.analytics.rfm_summary import RfmSummary, summarise_transactions

CDNOW_SPEND = GammaGammaParams(p=6.25, q=3.74, gamma=15.44, log_likelihood=-4055.92)
CDNOW_PURCHASES = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4)


def weekly_summary(frequency: list[int], monetary_value: list[float]) -> RfmSummary:
    """A hand-made summary in weeks, every customer watched for 39 weeks."""
    size = len(frequency)
    x = np.array(frequency, dtype=np.int64)
    return RfmSummary(
        customer_ids=np.arange(size),
        frequency=x,
        recency=np.where(x > 0, 30.0, 0.0),
        age=np.full(size, 39.0),
        monetary_value=np.array(monetary_value, dtype=np.float64),
        unit_days=7.0,
    )


@pytest.mark.datasets
def test_cdnow_sample_fit_matches_fader_hardie_note_025() -> None:
    # given
    ids, dates, dollars = load_cdnow_sample()
    summary = summarise_transactions(ids, dates, dollars, until=np.datetime64("1997-10-01"), time_unit="week")

    # when
    params = fit_gamma_gamma(summary.frequency, summary.monetary_value)

    # then
    assert int((summary.frequency > 0).sum()) == 946
    assert params.p == pytest.approx(CDNOW_SPEND.p, rel=0.01)
    assert params.q == pytest.approx(CDNOW_SPEND.q, rel=0.01)
    assert params.gamma == pytest.approx(CDNOW_SPEND.gamma, rel=0.01)
    assert params.log_likelihood == pytest.approx(CDNOW_SPEND.log_likelihood, abs=0.5)


def test_fit_recovers_simulated_parameters_and_beats_the_truth() -> None:
    # given: 3000 repeat buyers whose transactions follow the model exactly
    truth = GammaGammaParams(p=6.0, q=4.0, gamma=15.0, log_likelihood=float("nan"))
    rng = np.random.default_rng(7)
    frequency = rng.integers(1, 12, 3000)
    nu = rng.gamma(truth.q, 1.0 / truth.gamma, 3000)
    monetary = rng.gamma(truth.p * frequency, 1.0 / nu) / frequency  # mean of x Gamma(p, ν)

    # when
    fitted = fit_gamma_gamma(frequency, monetary)

    # then
    at_truth = gamma_gamma_log_likelihood(truth, frequency, monetary).sum()
    assert fitted.log_likelihood >= at_truth
    assert fitted.log_likelihood == pytest.approx(
        gamma_gamma_log_likelihood(fitted, frequency, monetary).sum()
    )
    mean_spend = fitted.p * fitted.gamma / (fitted.q - 1)
    assert mean_spend == pytest.approx(truth.p * truth.gamma / (truth.q - 1), rel=0.1)


def test_one_time_buyers_are_left_out_of_the_fit() -> None:
    rng = np.random.default_rng(3)
    frequency = rng.integers(1, 6, 200)
    monetary = rng.gamma(4.0, 5.0, 200)

    only_repeat = fit_gamma_gamma(frequency, monetary)
    with_one_timers = fit_gamma_gamma(np.r_[frequency, 0, 0], np.r_[monetary, 0.0, 0.0])

    assert with_one_timers == only_repeat


def test_one_time_buyers_are_expected_to_spend_the_population_mean() -> None:
    spend = conditional_expected_spend(CDNOW_SPEND, [0], [0.0])

    assert spend[0] == pytest.approx(6.25 * 15.44 / (3.74 - 1))


def test_many_transactions_make_the_observed_average_win() -> None:
    spend = conditional_expected_spend(CDNOW_SPEND, [1, 1000], [100.0, 100.0])

    assert spend[0] < 90
    assert spend[1] == pytest.approx(100.0, rel=0.01)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0.1, 50),
    st.floats(1.01, 50),
    st.floats(0.1, 500),
    st.integers(0, 500),
    st.floats(0.0, 10_000),
)
def test_expected_spend_lies_between_observed_and_population_mean(
    p: float, q: float, gamma: float, frequency: int, monetary: float
) -> None:
    params = GammaGammaParams(p=p, q=q, gamma=gamma, log_likelihood=0.0)
    population_mean = p * gamma / (q - 1)
    observed = monetary if frequency > 0 else population_mean

    spend = conditional_expected_spend(params, [frequency], [monetary])[0]

    low, high = sorted((observed, population_mean))
    assert low * (1 - 1e-9) <= spend <= high * (1 + 1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0.01, 100),
    st.floats(0.01, 100),
    st.floats(0.01, 1000),
    st.lists(st.tuples(st.integers(1, 500), st.floats(0.01, 10_000)), min_size=1, max_size=20),
)
def test_log_likelihood_is_finite(p: float, q: float, gamma: float, buyers: list[tuple[int, float]]) -> None:
    params = GammaGammaParams(p=p, q=q, gamma=gamma, log_likelihood=0.0)
    frequency, monetary = zip(*buyers, strict=True)

    assert np.isfinite(gamma_gamma_log_likelihood(params, frequency, monetary)).all()


def test_undiscounted_clv_is_expected_purchases_times_expected_spend() -> None:
    # given
    summary = weekly_summary([0, 2, 7], [0.0, 20.0, 45.0])
    weeks_per_year = 365.25 / 7

    # when
    value = customer_lifetime_value(CDNOW_PURCHASES, CDNOW_SPEND, summary, months=12)

    # then
    purchases = conditional_expected_purchases(
        CDNOW_PURCHASES, weeks_per_year, summary.frequency, summary.recency, summary.age
    )
    spend = conditional_expected_spend(CDNOW_SPEND, summary.frequency, summary.monetary_value)
    np.testing.assert_allclose(value, purchases * spend, rtol=1e-10)


def test_discounting_lowers_value_and_longer_horizons_raise_it() -> None:
    summary = weekly_summary([0, 2, 7], [0.0, 20.0, 45.0])

    plain = customer_lifetime_value(CDNOW_PURCHASES, CDNOW_SPEND, summary, months=12)
    discounted = customer_lifetime_value(
        CDNOW_PURCHASES, CDNOW_SPEND, summary, months=12, monthly_discount_rate=0.01
    )
    longer = customer_lifetime_value(CDNOW_PURCHASES, CDNOW_SPEND, summary, months=24)

    assert (discounted < plain).all()
    assert (longer > plain).all()
    assert (discounted > 0.9 * plain).all()  # 1 % a month takes at most ~12 % off a year


def test_clv_does_not_depend_on_the_time_unit_of_the_summary() -> None:
    weekly = weekly_summary([3], [30.0])
    daily = RfmSummary(
        customer_ids=weekly.customer_ids,
        frequency=weekly.frequency,
        recency=weekly.recency * 7,
        age=weekly.age * 7,
        monetary_value=weekly.monetary_value,
        unit_days=1.0,
    )
    daily_purchases = BgNbdParams(
        r=CDNOW_PURCHASES.r,
        alpha=CDNOW_PURCHASES.alpha * 7,  # a rate per day is a seventh of the rate per week
        a=CDNOW_PURCHASES.a,
        b=CDNOW_PURCHASES.b,
        log_likelihood=0.0,
    )

    in_weeks = customer_lifetime_value(CDNOW_PURCHASES, CDNOW_SPEND, weekly, months=6)
    in_days = customer_lifetime_value(daily_purchases, CDNOW_SPEND, daily, months=6)

    np.testing.assert_allclose(in_days, in_weeks, rtol=1e-9)


@pytest.mark.parametrize(
    ("frequency", "monetary", "message"),
    [
        ([], [], "empty"),
        ([1, 2], [1.0], "same length"),
        ([1], [-5.0], "must not be negative"),
        ([-1], [5.0], "non-negative whole"),
        ([0, 0], [0.0, 0.0], "no repeat buyers"),
        ([1, 2], [0.0, 3.0], "non-positive monetary_value"),
        ([1], [float("inf")], "finite"),
    ],
)
def test_bad_spend_data_is_rejected_with_the_reason(
    frequency: list[int], monetary: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fit_gamma_gamma(frequency, monetary)


def test_population_mean_needs_q_above_one() -> None:
    heavy_tailed = GammaGammaParams(p=2.0, q=0.9, gamma=10.0, log_likelihood=0.0)

    with pytest.raises(ValueError, match="q <= 1"):
        conditional_expected_spend(heavy_tailed, [0, 3], [0.0, 10.0])
    assert conditional_expected_spend(heavy_tailed, [3], [10.0])[0] > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [({"months": 0}, "months"), ({"monthly_discount_rate": -1.0}, "monthly_discount_rate")],
)
def test_bad_clv_options_are_rejected(options: dict[str, float], message: str) -> None:
    summary = weekly_summary([1], [10.0])

    with pytest.raises(ValueError, match=message):
        customer_lifetime_value(
            CDNOW_PURCHASES,
            CDNOW_SPEND,
            summary,
            months=int(options.get("months", 12)),
            monthly_discount_rate=options.get("monthly_discount_rate", 0.0),
        )
