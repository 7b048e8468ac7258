"""Intervals for comparing arms: Wilson's score interval for a proportion, Newcombe's hybrid score
interval for the difference of two (method 10 of Newcombe 1998), Welch's interval for a difference
of means with unequal variances (revenue or margin per customer) — each valid for one look — and a
confidence sequence for a difference, valid at every look."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, variance

from scipy.stats import t as student_t


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("the confidence is between 0 and 1, e.g. 0.95")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError("successes are between 0 and the number of trials")
    if trials == 0:
        return Interval(math.nan, 0.0, 1.0)
    z = _z(confidence)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def newcombe_difference(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, confidence: float = 0.95
) -> Interval:
    """The interval of p_a − p_b from the two Wilson intervals (no continuity correction)."""
    if trials_a == 0 or trials_b == 0:
        return Interval(math.nan, -1.0, 1.0)
    a = wilson(successes_a, trials_a, confidence)
    b = wilson(successes_b, trials_b, confidence)
    difference = a.estimate - b.estimate
    low = difference - math.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2)
    high = difference + math.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2)
    return Interval(difference, low, high)


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """Student's interval of a mean; a single value gives a point, none gives NaN."""
    if not values:
        return Interval(math.nan, math.nan, math.nan)
    mean = fmean(values)
    if len(values) < 2:
        return Interval(mean, mean, mean)
    _z(confidence)
    half = float(student_t.ppf(0.5 + confidence / 2, len(values) - 1)) * math.sqrt(
        variance(values) / len(values)
    )
    return Interval(mean, mean - half, mean + half)


def welch_difference(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> Interval:
    """The interval of mean(a) − mean(b) with Welch–Satterthwaite degrees of freedom."""
    if len(a) < 2 or len(b) < 2:
        estimate = fmean(a) - fmean(b) if a and b else math.nan
        return Interval(estimate, math.nan, math.nan)
    _z(confidence)
    share_a, share_b = variance(a) / len(a), variance(b) / len(b)
    error = math.sqrt(share_a + share_b)
    estimate = fmean(a) - fmean(b)
    if error == 0:
        return Interval(estimate, estimate, estimate)
    freedom = (share_a + share_b) ** 2 / (share_a**2 / (len(a) - 1) + share_b**2 / (len(b) - 1))
    half = float(student_t.ppf(0.5 + confidence / 2, freedom)) * error
    return Interval(estimate, estimate - half, estimate + half)


def anytime_difference(
    mean_a: float,
    variance_a: float,
    count_a: int,
    mean_b: float,
    variance_b: float,
    count_b: int,
    confidence: float = 0.95,
    planned: int = 10_000,
) -> Interval:
    """An asymptotic confidence sequence for mean_a − mean_b (Waudby-Smith et al., "Time-uniform
    central limit theory", 2023; as GrowthBook computes it): valid however often it is looked at,
    so a marketer may check daily and stop when it excludes zero. ``planned`` is the total number of
    customers the interval is tightest at; it is wider than the one-look interval everywhere."""
    if count_a < 2 or count_b < 2:
        return Interval(mean_a - mean_b, -math.inf, math.inf)
    alpha = 1 - confidence
    _z(confidence)
    total = count_a + count_b
    rho_squared = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / planned
    spread = math.sqrt((variance_a / count_a + variance_b / count_b) * total)
    half = spread * math.sqrt(
        2
        * (total * rho_squared + 1)
        / (total**2 * rho_squared)
        * math.log(math.sqrt(total * rho_squared + 1) / alpha)
    )
    estimate = mean_a - mean_b
    return Interval(estimate, estimate - half, estimate + half)
