"""Results per arm: customers exposed, conversion with its interval, and its difference against the
control arm (the holdout); revenue and margin per customer with theirs. Pure: the caller reads each
exposed customer's outcome from the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from retentio.analytics.experiments.stats import (
    Interval,
    anytime_difference,
    mean_interval,
    newcombe_difference,
    welch_difference,
    wilson,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One exposed customer: whether they ordered within the window, what they paid, and the margin
    left after the offer's discount."""

    converted: bool
    revenue: float
    margin: float


@dataclass(frozen=True, slots=True)
class ArmResult:
    arm: str
    exposed: int
    conversions: int
    conversion: Interval
    revenue: float
    margin: float
    revenue_per_customer: Interval
    margin_per_customer: Interval
    # Against the control arm; None for the control itself or when there is none.
    conversion_uplift: Interval | None
    # The same difference as a confidence sequence: valid however often the results are read.
    conversion_uplift_anytime: Interval | None
    revenue_uplift: Interval | None
    margin_uplift: Interval | None


def compare_arms(
    outcomes: Mapping[str, Sequence[Outcome]], control: str | None, confidence: float = 0.95
) -> list[ArmResult]:
    """One result per arm, in the order given; the control arm is compared with nothing."""
    base = outcomes.get(control) if control is not None else None
    return [_arm(arm, found, None if arm == control else base, confidence) for arm, found in outcomes.items()]


def _arm(arm: str, found: Sequence[Outcome], base: Sequence[Outcome] | None, confidence: float) -> ArmResult:
    conversions = sum(outcome.converted for outcome in found)
    revenue = [outcome.revenue for outcome in found]
    margin = [outcome.margin for outcome in found]
    compared = base is not None and len(base) > 0 and len(found) > 0
    return ArmResult(
        arm=arm,
        exposed=len(found),
        conversions=conversions,
        conversion=wilson(conversions, len(found), confidence),
        revenue=sum(revenue),
        margin=sum(margin),
        revenue_per_customer=mean_interval(revenue, confidence),
        margin_per_customer=mean_interval(margin, confidence),
        conversion_uplift_anytime=_anytime(conversions, len(found), base, confidence)
        if compared and base is not None
        else None,
        conversion_uplift=newcombe_difference(
            conversions, len(found), sum(outcome.converted for outcome in base), len(base), confidence
        )
        if compared and base is not None
        else None,
        revenue_uplift=welch_difference(revenue, [outcome.revenue for outcome in base], confidence)
        if compared and base is not None
        else None,
        margin_uplift=welch_difference(margin, [outcome.margin for outcome in base], confidence)
        if compared and base is not None
        else None,
    )


def _anytime(conversions: int, exposed: int, base: Sequence[Outcome], confidence: float) -> Interval:
    rate = conversions / exposed
    base_rate = sum(outcome.converted for outcome in base) / len(base)
    return anytime_difference(
        rate, rate * (1 - rate), exposed, base_rate, base_rate * (1 - base_rate), len(base), confidence
    )
