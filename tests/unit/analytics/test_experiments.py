"""Experiments: the arms' split and its stability, and the intervals against independent
computations (scipy.stats and hand-worked figures from Newcombe 1998)."""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from retentio.analytics import (
    HOLDOUT,
    ExperimentOutcome,
    anytime_difference,
    assign_arm,
    compare_arms,
    mean_interval,
    newcombe_difference,
    welch_difference,
    wilson,
)

ARMS = [("policy", Decimal(1)), ("flat_10", Decimal(3))]
CUSTOMERS = [f"customer-{n}" for n in range(20_000)]


def test_the_split_matches_the_weights_and_holdout_by_a_chi_square_test() -> None:
    counts = Counter(assign_arm("exp-1", customer, ARMS, Decimal("0.1")) for customer in CUSTOMERS)
    expected = [0.1 * 20_000, 0.9 * 0.25 * 20_000, 0.9 * 0.75 * 20_000]
    observed = [counts[HOLDOUT], counts["policy"], counts["flat_10"]]
    assert sum(observed) == 20_000
    assert stats.chisquare(observed, expected).pvalue > 0.001


def test_a_customer_always_lands_in_the_same_arm_and_experiments_are_independent() -> None:
    first = [assign_arm("exp-1", customer, ARMS, Decimal("0.5")) for customer in CUSTOMERS]
    again = [assign_arm("exp-1", customer, ARMS, Decimal("0.5")) for customer in CUSTOMERS]
    other = [assign_arm("exp-2", customer, ARMS, Decimal("0.5")) for customer in CUSTOMERS]
    assert first == again
    table = np.array(
        [
            [
                sum(1 for a, b in zip(first, other, strict=True) if a == x and b == y)
                for y in (HOLDOUT, "policy", "flat_10")
            ]
            for x in (HOLDOUT, "policy", "flat_10")
        ]
    )
    assert stats.chi2_contingency(table).pvalue > 0.001  # being in one arm says nothing of the other


def test_wilson_matches_scipy() -> None:
    for successes, trials in [(0, 10), (3, 10), (81, 263), (10, 10), (1, 1000)]:
        mine = wilson(successes, trials)
        theirs = stats.binomtest(successes, trials).proportion_ci(0.95, method="wilson")
        assert mine.low == pytest.approx(theirs.low, abs=1e-12)
        assert mine.high == pytest.approx(theirs.high, abs=1e-12)


def test_newcombe_matches_the_worked_examples_of_newcombe_1998() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10
    assert _rounded(newcombe_difference(56, 70, 48, 80)) == (0.0524, 0.3339)
    assert _rounded(newcombe_difference(9, 10, 3, 10)) == (0.1705, 0.8090)
    assert _rounded(newcombe_difference(6, 7, 2, 7)) == (0.0582, 0.8062)
    assert _rounded(newcombe_difference(5, 56, 0, 29)) == (-0.0381, 0.1926)
    assert _rounded(newcombe_difference(0, 10, 0, 20)) == (-0.1611, 0.2775)
    assert _rounded(newcombe_difference(10, 10, 0, 20)) == (0.6791, 1.0)


def test_welch_matches_scipy_and_the_mean_interval_matches_student() -> None:
    rng = np.random.default_rng(7)
    a = list(rng.gamma(2.0, 500.0, size=80))
    b = list(rng.gamma(2.0, 400.0, size=120))
    mine = welch_difference(a, b)
    theirs = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (mine.low, mine.high) == pytest.approx((theirs.low, theirs.high), rel=1e-9)
    one = mean_interval(a)
    student = stats.t.interval(0.95, len(a) - 1, loc=np.mean(a), scale=stats.sem(a))
    assert (one.low, one.high) == pytest.approx(student, rel=1e-9)


def test_arms_are_compared_with_the_holdout() -> None:
    holdout = [
        ExperimentOutcome(n < 10, 1000.0 if n < 10 else 0.0, 300.0 if n < 10 else 0.0) for n in range(100)
    ]
    offered = [
        ExperimentOutcome(n < 25, 900.0 if n < 25 else 0.0, 200.0 if n < 25 else 0.0) for n in range(100)
    ]
    results = compare_arms({HOLDOUT: holdout, "flat_10": offered}, HOLDOUT)
    control, arm = results
    assert control.conversion_uplift is None and control.exposed == 100 and control.conversions == 10
    assert arm.conversion_uplift is not None and arm.conversion_uplift.estimate == pytest.approx(0.15)
    assert arm.conversion_uplift.excludes_zero()
    assert arm.revenue == 22500.0 and arm.margin == 5000.0
    assert arm.revenue_uplift is not None and arm.revenue_uplift.estimate == pytest.approx(125.0)
    assert math.isnan(compare_arms({"a": []}, None)[0].conversion.estimate)


def _rounded(interval: object) -> tuple[float, float]:
    return (round(interval.low, 4), round(interval.high, 4))  # type: ignore[attr-defined]


def test_the_anytime_interval_holds_its_level_when_looked_at_every_day() -> None:
    # 400 experiments with no real difference (both arms convert at 10 %), each read after every
    # 100 customers per arm up to 5,000: how many ever show a "significant" difference?
    rng = np.random.default_rng(11)
    looks = np.arange(100, 5001, 100)
    anytime_false, one_look_false = 0, 0
    for _ in range(400):
        a = np.cumsum(rng.random(5000) < 0.1)[looks - 1]
        b = np.cumsum(rng.random(5000) < 0.1)[looks - 1]
        seen_anytime, seen_one_look = False, False
        for n, hits_a, hits_b in zip(looks, a, b, strict=True):
            pa, pb = hits_a / n, hits_b / n
            seen_anytime |= anytime_difference(pa, pa * (1 - pa), n, pb, pb * (1 - pb), n).excludes_zero()
            seen_one_look |= newcombe_difference(int(hits_a), int(n), int(hits_b), int(n)).excludes_zero()
        anytime_false += seen_anytime
        one_look_false += seen_one_look
    assert anytime_false / 400 <= 0.05  # the sequence keeps its promise at every look
    assert one_look_false / 400 > 0.15  # the one-look interval read 50 times does not


def test_the_anytime_interval_is_wider_than_one_look_and_narrows_with_customers() -> None:
    one_look = welch_difference([1.0] * 30 + [0.0] * 170, [1.0] * 20 + [0.0] * 180)
    anytime = anytime_difference(0.15, 0.15 * 0.85, 200, 0.10, 0.10 * 0.90, 200)
    assert anytime.estimate == pytest.approx(one_look.estimate)
    assert anytime.low < one_look.low and anytime.high > one_look.high
    later = anytime_difference(0.15, 0.15 * 0.85, 5000, 0.10, 0.10 * 0.90, 5000)
    assert later.high - later.low < anytime.high - anytime.low
    assert later.excludes_zero()
