"""Tiers: upgrades at once, downgrades only after a review and its grace period, the same answer however
often the evaluation runs, and (reviews on fixed dates) never a lower tier for spending more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retentio.loyalty import (
    Purchase,
    TierDefinition,
    TierStatus,
    evaluate_tier,
    initial_status,
)
from retentio.loyalty.tiers.evaluation import review_after
from retentio.loyalty.tiers.measure import Qualification

START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def tiers(review_from: str = "tier_start", grace_days: int = 30, window: str = "rolling") -> TierDefinition:
    return TierDefinition.model_validate(
        {
            "window": window,
            "review_from": review_from,
            "grace_days": grace_days,
            "levels": [
                {"id": "base", "threshold": 0},
                {"id": "silver", "threshold": 30000, "multiplier": "1.5"},
                {"id": "gold", "threshold": 100000, "multiplier": 2},
            ],
        }
    )


def bought(day: str, amount: int) -> Purchase:
    return Purchase(datetime.fromisoformat(day).replace(tzinfo=UTC), Decimal(amount))


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_a_purchase_over_the_threshold_upgrades_at_its_instant() -> None:
    # given a member at base with 12,000 in the window
    history = [bought("2026-02-01", 12000), bought("2026-03-15T12:00", 20000)]
    # when the order that brings the window to 32,000 is evaluated a week later
    evaluation = evaluate_tier(tiers(), history, initial_status(tiers(), START), at("2026-03-22"))
    # then the member became silver at the order's instant, not at the evaluation
    assert evaluation.status == TierStatus(
        "silver", at("2026-03-15T12:00"), at("2026-03-15T12:00"), at("2026-03-15T12:00")
    )
    assert [(change.at, change.to_level, change.direction) for change in evaluation.changes] == [
        (at("2026-03-15T12:00"), "silver", "upgrade")
    ]
    assert evaluation.next_review == at("2027-03-15T12:00")


def test_short_at_the_review_keeps_the_tier_through_the_grace_period_then_moves_down() -> None:
    history = [bought("2026-03-15T12:00", 32000), bought("2026-09-01", 8000), bought("2027-04-01", 10000)]
    silver = TierStatus("silver", at("2026-03-15T12:00"), at("2026-03-15T12:00"), at("2026-03-15T12:00"))
    # at the review the window holds 8,000: short, but still silver during the grace period
    during = evaluate_tier(tiers(), history, silver, at("2027-04-10"))
    assert (during.status, during.changes, during.grace_until) == (silver, (), at("2027-04-14T12:00"))
    # 18,000 when the grace period ends: base from that instant
    after = evaluate_tier(tiers(), history, silver, at("2027-04-20"))
    assert [(change.at, change.from_level, change.to_level) for change in after.changes] == [
        (at("2027-04-14T12:00"), "silver", "base")
    ]
    assert after.status.level == "base"


def test_a_purchase_in_the_grace_period_that_reaches_the_tier_renews_it_from_the_review() -> None:
    history = [bought("2026-03-15T12:00", 32000), bought("2026-09-01", 8000), bought("2027-04-01", 25000)]
    silver = TierStatus("silver", at("2026-03-15T12:00"), at("2026-03-15T12:00"), at("2026-03-15T12:00"))
    evaluation = evaluate_tier(tiers(), history, silver, at("2027-06-01"))
    assert evaluation.changes == ()
    assert evaluation.status.confirmed_at == at("2027-03-15T12:00")
    assert evaluation.next_review == at("2028-03-15T12:00")


def test_qualifying_at_the_review_keeps_the_tier_for_another_period() -> None:
    history = [bought("2026-03-15T12:00", 32000), bought("2027-01-20", 31000)]
    silver = TierStatus("silver", at("2026-03-15T12:00"), at("2026-03-15T12:00"), at("2026-03-15T12:00"))
    evaluation = evaluate_tier(tiers(), history, silver, at("2027-12-31"))
    assert (evaluation.status.level, evaluation.changes) == ("silver", ())
    assert evaluation.next_review == at("2028-03-15T12:00")


def test_the_downgrade_goes_to_the_best_level_reached_at_the_review_not_lower() -> None:
    # given gold, with 40,000 in the window at the review and nothing left when grace ends
    history = [bought("2026-02-01", 100000), bought("2026-04-01", 40000)]
    gold = TierStatus("gold", at("2026-02-01"), at("2026-02-01"), at("2026-02-01"))
    # when the grace period is long over
    evaluation = evaluate_tier(tiers(), history, gold, at("2027-06-01"))
    # then silver, what the review found, though the window is empty at the end of grace
    assert [(change.at, change.to_level) for change in evaluation.changes] == [(at("2027-03-03"), "silver")]


def test_a_calendar_year_window_starts_again_on_the_first_of_january() -> None:
    definition = tiers(window="calendar_year")
    qualification = Qualification(definition, [bought("2026-12-31T23:00", 50000), bought("2027-01-01", 7)])
    assert qualification.measure(at("2026-12-31T23:30")) == 50000
    assert qualification.measure(at("2027-01-02")) == 7


def test_an_unknown_stored_tier_is_an_error() -> None:
    with pytest.raises(KeyError, match="no tier 'platinum'"):
        evaluate_tier(tiers(), [], TierStatus("platinum", START, START, START), START)


def test_a_negative_purchase_is_refused() -> None:
    with pytest.raises(ValueError, match=r"purchase at 2026-02-01T00:00:00\+00:00 has a negative amount -5"):
        evaluate_tier(tiers(), [bought("2026-02-01", -5)], initial_status(tiers(), START), START)


def test_levels_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="level 'silver' must need more than 'gold'"):
        TierDefinition.model_validate(
            {
                "levels": [
                    {"id": "base", "threshold": 0},
                    {"id": "gold", "threshold": 9},
                    {"id": "silver", "threshold": 5},
                ]
            }
        )


# --- properties --------------------------------------------------------------------------------------

purchases = st.lists(
    st.tuples(st.integers(1, 1500 * 24), st.integers(0, 60000)).map(
        lambda pair: Purchase(START + timedelta(hours=pair[0]), Decimal(pair[1]))
    ),
    max_size=25,
)
definitions = st.builds(
    tiers,
    review_from=st.sampled_from(["tier_start", "enrolment"]),
    grace_days=st.integers(0, 90),
    window=st.sampled_from(["rolling", "calendar_year"]),
)
moments = st.integers(0, 1600 * 24).map(lambda hours: START + timedelta(hours=hours))


@settings(max_examples=300, deadline=None)
@given(definitions, purchases, moments)
def test_upgrades_never_wait(definition: TierDefinition, history: list[Purchase], now: datetime) -> None:
    evaluation = evaluate_tier(definition, history, initial_status(definition, START), now)
    earned = definition.qualifying(Qualification(definition, history).measure(now))
    assert definition.rank(evaluation.status.level) >= definition.rank(earned.id)
    times = {purchase.at for purchase in history}
    assert all(change.at in times for change in evaluation.changes if change.direction == "upgrade")


@settings(max_examples=300, deadline=None)
@given(definitions, purchases, moments)
def test_downgrades_never_come_before_a_review_and_its_grace(
    definition: TierDefinition, history: list[Purchase], now: datetime
) -> None:
    status = initial_status(definition, START)
    for change in evaluate_tier(definition, history, status, now).changes:
        if change.direction == "downgrade":
            held = TierStatus(status.level, status.since, status.anchor, status.since)
            assert change.at >= review_after(definition, held) + timedelta(days=definition.grace_days)
        anchor = change.at if definition.review_from == "tier_start" else status.anchor
        status = TierStatus(change.to_level, change.at, anchor, change.at)


@settings(max_examples=300, deadline=None)
@given(definitions, purchases, moments, moments)
def test_evaluating_in_two_steps_equals_evaluating_once(
    definition: TierDefinition, history: list[Purchase], first: datetime, second: datetime
) -> None:
    early, late = sorted([first, second])
    start = initial_status(definition, START)
    halfway = evaluate_tier(definition, history, start, early)
    stepped = evaluate_tier(definition, history, halfway.status, late)
    direct = evaluate_tier(definition, history, start, late)
    assert stepped.status == direct.status
    assert halfway.changes + stepped.changes == direct.changes


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 90),
    st.sampled_from(["rolling", "calendar_year"]),
    purchases,
    st.lists(st.integers(0, 60000), max_size=25),
    purchases,
    moments,
)
def test_with_reviews_on_fixed_dates_more_spend_never_gives_a_lower_tier(
    grace_days: int,
    window: str,
    history: list[Purchase],
    extra: list[int],
    more: list[Purchase],
    now: datetime,
) -> None:
    definition = tiers("enrolment", grace_days, window)
    richer = [
        Purchase(purchase.at, purchase.amount + (extra[index] if index < len(extra) else 0))
        for index, purchase in enumerate(history)
    ] + more
    start = initial_status(definition, START)
    lower = evaluate_tier(definition, history, start, now).status.level
    higher = evaluate_tier(definition, richer, start, now).status.level
    assert definition.rank(higher) >= definition.rank(lower)
