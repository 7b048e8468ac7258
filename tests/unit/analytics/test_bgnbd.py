"""Tests for the BG/NBD model: published CDNOW fit, predictions' shape and properties, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from tests.cdnow_arrays import cdnow_calibration_summary

from retentio.analytics.bgnbd import (
    BgNbdParams,
    bgnbd_log_likelihood,
    conditional_expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    probability_alive,
)

CDNOW_PARAMS = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4)


def simulate(
    params: BgNbdParams, ages: NDArray[np.float64], seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Draw (frequency, recency) from the BG/NBD process itself, for recovery tests."""
    rng = np.random.default_rng(seed)
    size, max_purchases = len(ages), 300
    rates = rng.gamma(params.r, 1.0 / params.alpha, size)
    dropout = rng.beta(params.a, params.b, size)
    last_alive_purchase = rng.geometric(dropout)  # dies right after this repeat purchase
    gaps = rng.exponential(1.0, (size, max_purchases)) / rates[:, np.newaxis]
    times = np.cumsum(gaps, axis=1)
    counted = (times <= ages[:, np.newaxis]) & (
        np.arange(1, max_purchases + 1) <= last_alive_purchase[:, np.newaxis]
    )
    frequency = counted.sum(axis=1).astype(np.float64)
    recency = np.where(counted, times, 0.0).max(axis=1)
    return frequency, recency


@pytest.mark.datasets
def test_cdnow_sample_fit_matches_fader_hardie_lee_2005() -> None:
    # given
    summary = cdnow_calibration_summary()

    # when
    params = fit_bgnbd(summary.frequency, summary.recency, summary.age)

    # then
    assert params.r == pytest.approx(CDNOW_PARAMS.r, rel=0.01)
    assert params.alpha == pytest.approx(CDNOW_PARAMS.alpha, rel=0.01)
    assert params.a == pytest.approx(CDNOW_PARAMS.a, rel=0.01)
    assert params.b == pytest.approx(CDNOW_PARAMS.b, rel=0.01)
    assert params.log_likelihood == pytest.approx(CDNOW_PARAMS.log_likelihood, abs=0.5)


@pytest.mark.datasets
def test_cdnow_fit_reports_the_likelihood_of_its_own_parameters() -> None:
    summary = cdnow_calibration_summary()

    params = fit_bgnbd(summary.frequency, summary.recency, summary.age)

    per_customer = bgnbd_log_likelihood(params, summary.frequency, summary.recency, summary.age)
    assert per_customer.sum() == pytest.approx(params.log_likelihood, abs=1e-6)


def test_fit_recovers_the_parameters_of_simulated_customers() -> None:
    # given
    truth = BgNbdParams(r=0.5, alpha=5.0, a=0.8, b=2.5, log_likelihood=float("nan"))
    ages = np.random.default_rng(1).uniform(26, 39, 6000)
    frequency, recency = simulate(truth, ages, seed=2)

    # when
    fitted = fit_bgnbd(frequency, recency, ages)

    # then: the optimum beats the truth, and lands near it
    at_truth = bgnbd_log_likelihood(truth, frequency, recency, ages).sum()
    assert fitted.log_likelihood >= at_truth
    assert fitted.r == pytest.approx(truth.r, rel=0.15)
    assert fitted.alpha == pytest.approx(truth.alpha, rel=0.25)
    assert fitted.a / (fitted.a + fitted.b) == pytest.approx(0.8 / 3.3, rel=0.25)


def test_fit_is_a_local_maximum() -> None:
    frequency, recency = simulate(CDNOW_PARAMS, np.full(2000, 39.0), seed=3)
    ages = np.full(2000, 39.0)

    fitted = fit_bgnbd(frequency, recency, ages)

    for field in ("r", "alpha", "a", "b"):
        for factor in (0.98, 1.02):
            nudged = {field: getattr(fitted, field) * factor}
            moved = BgNbdParams(**{**fitted.__dict__, **nudged})
            assert bgnbd_log_likelihood(moved, frequency, recency, ages).sum() < (fitted.log_likelihood)


def test_customers_with_no_repeat_purchase_are_certainly_alive() -> None:
    alive = probability_alive(CDNOW_PARAMS, [0, 0, 3], [0.0, 0.0, 2.0], [1.0, 38.0, 38.0])

    assert alive[:2].tolist() == [1.0, 1.0]
    assert 0 < alive[2] < 1


def test_long_silence_after_frequent_buying_means_probably_gone() -> None:
    alive = probability_alive(CDNOW_PARAMS, [10, 10], [38.0, 5.0], [39.0, 39.0])

    assert alive[0] > 0.9
    assert alive[1] < 0.01


def test_expected_purchases_grow_with_the_horizon_and_start_at_zero() -> None:
    horizons = np.linspace(0, 104, 53)[:, np.newaxis]

    table = conditional_expected_purchases(CDNOW_PARAMS, horizons, [0, 2, 7], [0, 30, 35], [39] * 3)
    new_customer = expected_purchases_new_customer(CDNOW_PARAMS, horizons[:, 0])

    assert table.shape == (53, 3)
    assert table[0].tolist() == [0.0, 0.0, 0.0]
    assert (np.diff(table, axis=0) > 0).all()
    assert new_customer[0] == 0.0
    assert (np.diff(new_customer) > 0).all()


def test_new_customer_expectation_is_the_conditional_one_with_no_history() -> None:
    horizons = np.array([1.0, 10.0, 39.0, 78.0])

    unconditional = expected_purchases_new_customer(CDNOW_PARAMS, horizons)
    no_history = conditional_expected_purchases(CDNOW_PARAMS, horizons[:, np.newaxis], [0], [0], [0])

    np.testing.assert_allclose(unconditional, no_history[:, 0], rtol=1e-10)


def test_cdnow_parameters_give_the_same_predictions_as_lifetimes() -> None:
    # reference values: lifetimes 0.11.3 BetaGeoFitter with params_ set to the published ones;
    # customer 1 of the sample (x=2, t_x=30.43, T=38.86) over the next 39 weeks, and a new
    # customer over their first 39 weeks
    conditional = conditional_expected_purchases(CDNOW_PARAMS, 39.0, [2], [30.43], [38.86])
    fresh = expected_purchases_new_customer(CDNOW_PARAMS, 39.0)

    assert conditional[0] == pytest.approx(1.226028174767135, rel=1e-9)
    assert float(fresh) == pytest.approx(1.1967231933207985, rel=1e-9)


def test_a_equal_to_one_is_handled_as_the_limit() -> None:
    at_one = BgNbdParams(r=0.3, alpha=4.0, a=1.0, b=2.0, log_likelihood=0.0)
    near_one = BgNbdParams(r=0.3, alpha=4.0, a=1.0 + 1e-4, b=2.0, log_likelihood=0.0)

    expected = expected_purchases_new_customer(at_one, 52.0)

    assert np.isfinite(expected)
    assert float(expected) == pytest.approx(float(expected_purchases_new_customer(near_one, 52.0)), rel=1e-3)


positive = st.floats(0.01, 100.0)


@st.composite
def customers(draw: st.DrawFn) -> tuple[list[int], list[float], list[float]]:
    size = draw(st.integers(1, 20))
    frequency, recency, ages = [], [], []
    for _ in range(size):
        age = draw(st.floats(0.0, 200.0))
        x = draw(st.integers(0, 60))
        frequency.append(x)
        recency.append(draw(st.floats(0.0, age)) if x > 0 else 0.0)
        ages.append(age)
    return frequency, recency, ages


@settings(max_examples=200, deadline=None)
@given(positive, positive, positive, positive, customers())
def test_probability_alive_is_a_probability_and_likelihood_is_finite(
    r: float,
    alpha: float,
    a: float,
    b: float,
    data: tuple[list[int], list[float], list[float]],
) -> None:
    params = BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=0.0)

    alive = probability_alive(params, *data)
    per_customer = bgnbd_log_likelihood(params, *data)

    assert ((alive >= 0) & (alive <= 1)).all()
    assert np.isfinite(per_customer).all()


@settings(max_examples=200, deadline=None)
@given(positive, positive, positive, positive, st.floats(0.0, 520.0), customers())
def test_expected_purchases_are_finite_and_non_negative(
    r: float,
    alpha: float,
    a: float,
    b: float,
    horizon: float,
    data: tuple[list[int], list[float], list[float]],
) -> None:
    params = BgNbdParams(r=r, alpha=alpha, a=a, b=b, log_likelihood=0.0)

    expected = conditional_expected_purchases(params, horizon, *data)
    fresh = expected_purchases_new_customer(params, horizon)

    assert np.isfinite(expected).all()
    assert (expected >= 0).all()
    assert np.isfinite(fresh)
    assert fresh >= 0


@pytest.mark.parametrize(
    ("frequency", "recency", "age", "message"),
    [
        ([], [], [], "empty"),
        ([1, 2], [1.0], [2.0, 3.0], "same length"),
        ([-1], [0.0], [2.0], "non-negative whole"),
        ([1.5], [1.0], [2.0], "non-negative whole"),
        ([1], [3.0], [2.0], "between 0 and age"),
        ([1], [-1.0], [2.0], "between 0 and age"),
        ([0], [1.0], [2.0], "recency must be 0"),
        ([1], [float("nan")], [2.0], "finite"),
        ([1], [1.0], [float("inf")], "finite"),
    ],
)
def test_bad_customer_data_is_rejected_with_the_reason(
    frequency: list[float], recency: list[float], age: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fit_bgnbd(frequency, recency, age)
    with pytest.raises(ValueError, match=message):
        probability_alive(CDNOW_PARAMS, frequency, recency, age)


def test_negative_horizon_is_rejected() -> None:
    with pytest.raises(ValueError, match="horizon must be"):
        expected_purchases_new_customer(CDNOW_PARAMS, -1.0)
    with pytest.raises(ValueError, match="horizon must be"):
        conditional_expected_purchases(CDNOW_PARAMS, -1.0, [1], [1.0], [2.0])


def paper_conditional_expectation(
    params: BgNbdParams, horizon: float, x: int, t_x: float, age: float
) -> float:
    """Eq. 10 evaluated term by term in plain floats: slow, but free of library shortcuts."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    scale = alpha + age
    z = horizon / (scale + horizon)
    upper_a, upper_b, lower = r + x, b + x, a + b + x - 1.0
    term, series, n = 1.0, 1.0, 0
    while term > series * 1e-17 or n < upper_a + upper_b:
        term *= (upper_a + n) * (upper_b + n) / ((lower + n) * (n + 1)) * z
        series += term
        n += 1
    remaining = 1.0 - (scale / (scale + horizon)) ** (r + x) * series
    odds = a / (b + x - 1.0) * ((alpha + age) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
    return float((a + b + x - 1.0) / (a - 1.0) * remaining / (1.0 + odds))


@pytest.mark.parametrize(
    ("params", "history", "horizon"),
    [
        # scipy's hyp2f1 returns -inf for 2F1(37, 46; 139; 0.90) here
        (BgNbdParams(r=5.0, alpha=9.0, a=94.0, b=14.0, log_likelihood=0.0), (32, 0.0, 0.0), 82.0),
        (CDNOW_PARAMS, (2, 30.43, 38.86), 39.0),
        (CDNOW_PARAMS, (25, 38.0, 39.0), 520.0),
    ],
)
def test_expected_purchases_agree_with_the_paper_formula_summed_by_hand(
    params: BgNbdParams, history: tuple[int, float, float], horizon: float
) -> None:
    x, t_x, age = history

    expected = conditional_expected_purchases(params, horizon, [x], [t_x], [age])

    assert expected[0] == pytest.approx(paper_conditional_expectation(params, horizon, x, t_x, age), rel=1e-8)


def test_expected_purchases_are_continuous_where_a_plus_b_is_one() -> None:
    # a + b = 1 puts a pole in the series for a customer with no repeat purchase (found by hypothesis);
    # the value there is the limit its neighbours approach.
    at_pole = BgNbdParams(r=1.0, alpha=1.0, a=0.5, b=0.5, log_likelihood=0.0)
    nearby = BgNbdParams(r=1.0, alpha=1.0, a=0.5, b=0.5 + 1e-5, log_likelihood=0.0)

    value = conditional_expected_purchases(at_pole, 1.0, [0], [0.0], [0.0])
    neighbour = conditional_expected_purchases(nearby, 1.0, [0], [0.0], [0.0])

    assert np.isfinite(value).all()
    assert value[0] == pytest.approx(neighbour[0], rel=1e-4)
