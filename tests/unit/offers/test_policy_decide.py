"""The offer policy's decision, one bound at a time, on the default settings file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from retentio.offers import BudgetState, CustomerOfferFacts, UnknownOccasion, decide, load_offer_policy
from retentio.offers.policy.settings import Variant

NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
POLICY = load_offer_policy(None)
FRESH = BudgetState(Decimal(0), Decimal(0), "2026-12")
LOYAL = CustomerOfferFacts(
    customer_id="anna",
    orders=10,
    revenue=Decimal(42000),
    average_check=Decimal(4200),
    usual_interval_days=30.0,
    expected_value=Decimal(42100),
    p_alive=0.8,
    reward_propensity="neutral",
    margin=Decimal("0.40"),
)


def test_a_bad_customer_gets_nothing_whatever_they_are_worth() -> None:
    for flags in ({"bad_customer": True}, {"do_not_incentivize": True}):
        decision = decide(POLICY, replace(LOYAL, **flags), "win_back", FRESH, NOW)
        assert decision.offer.kind == "nothing"
        assert "never an incentive" in decision.reasons[0]


def test_a_spent_occasion_budget_gives_nothing_and_says_how_much_was_spent() -> None:
    spent = BudgetState(Decimal(200000), Decimal(200000), "2026-12")
    decision = decide(POLICY, LOYAL, "win_back", spent, NOW)
    assert decision.offer.kind == "nothing"
    assert decision.reasons == (
        "the win_back budget for 2026-12 is spent (200,000 ₽ of 200,000 ₽) → nothing",
    )


def test_a_spent_overall_budget_stops_every_occasion() -> None:
    spent = BudgetState(Decimal(0), Decimal(500000), "2026-12")
    decision = decide(POLICY, LOYAL, "replenishment", spent, NOW)
    assert decision.offer.kind == "nothing"
    assert "overall budget for 2026-12 is spent" in decision.reasons[0]


def test_what_is_left_of_the_budget_shrinks_the_discount() -> None:
    # 200 ₽ left: 4 % of a 4,200 ₽ check is 168 ₽, 5 % would be 210 ₽
    nearly = BudgetState(Decimal(199800), Decimal(199800), "2026-12")
    decision = decide(POLICY, replace(LOYAL, reward_propensity="discount_seeker"), "win_back", nearly, NOW)
    assert (decision.offer.kind, decision.offer.size, decision.offer.cost) == (
        "percent",
        4,
        Decimal("168.00"),
    )


def test_a_high_value_discount_seeker_gets_the_value_band_cap() -> None:
    seeker = replace(LOYAL, reward_propensity="discount_seeker")
    decision = decide(POLICY, seeker, "win_back", FRESH, NOW)
    assert (decision.offer.kind, decision.offer.size) == ("percent", 15)
    assert decision.reasons[0] == "expected value 42,100 ₽ over 12 months → discount capped at 15 %"
    assert decision.offer.valid_until == datetime(2026, 12, 15, tzinfo=UTC)  # 7 days, to the end of the day


def test_a_novelty_seeker_of_the_same_value_gets_points_not_a_discount() -> None:
    novelty = replace(LOYAL, reward_propensity="novelty_seeker")
    decision = decide(POLICY, novelty, "win_back", FRESH, NOW)
    assert (decision.offer.kind, decision.offer.size, decision.offer.valid_until) == ("points", 300, None)
    assert "a novelty-seeker → a gift or points first" in decision.reasons
    birthday = decide(POLICY, novelty, "birthday", FRESH, NOW)
    assert (birthday.offer.kind, birthday.offer.cost) == ("gift", Decimal(250))


def test_a_customer_taken_as_gone_gets_only_a_small_win_back() -> None:
    gone = replace(LOYAL, p_alive=0.04, reward_propensity="discount_seeker")
    win_back = decide(POLICY, gone, "win_back", FRESH, NOW)
    assert (win_back.offer.kind, win_back.offer.size) == ("percent", 5)
    assert win_back.reasons[0] == "P(alive) 0.04 below 0.1 → a last try, discount capped at 5 %"
    cart = decide(POLICY, gone, "cart", FRESH, NOW)
    assert cart.offer.kind == "nothing"
    assert cart.reasons == ("P(alive) 0.04 below 0.1 → taken as gone, nothing",)


def test_the_margin_floor_caps_the_discount_and_a_thin_margin_turns_it_into_something_else() -> None:
    seeker = replace(LOYAL, reward_propensity="discount_seeker", margin=Decimal("0.27"))
    capped = decide(POLICY, seeker, "win_back", FRESH, NOW)
    assert (capped.offer.kind, capped.offer.size) == ("percent", 12)
    assert "margin 27 % with a floor of 15 % → discount capped at 12 %" in capped.reasons
    thin = decide(POLICY, replace(seeker, margin=Decimal("0.16")), "win_back", FRESH, NOW)
    assert thin.offer.kind == "points"  # the next kind win_back allows
    assert any("below the 3 % worth offering" in reason for reason in thin.reasons)


def test_a_low_value_customer_gets_a_small_offer_within_a_share_of_their_value() -> None:
    small = replace(
        LOYAL, orders=2, revenue=Decimal(1800), average_check=Decimal(900), expected_value=Decimal(1200)
    )
    decision = decide(POLICY, small, "win_back", FRESH, NOW)
    # 10 % of 1,200 ₽ is 120 ₽: 5 % of 900 ₽ (45 ₽) is within it, the band's cap is 5 %
    assert (decision.offer.kind, decision.offer.size, decision.offer.cost) == ("percent", 5, Decimal("45.00"))
    assert "expected value 1,200 ₽ over 12 months → an offer may cost up to 120 ₽" in decision.reasons


def test_without_a_prediction_the_revenue_brought_stands_for_the_value() -> None:
    unfitted = replace(LOYAL, expected_value=None, p_alive=None, revenue=Decimal(5000))
    decision = decide(POLICY, unfitted, "win_back", FRESH, NOW)
    assert decision.reasons[0] == "no CLV prediction; revenue brought 5,000 ₽ → an offer may cost up to 500 ₽"
    assert (decision.offer.kind, decision.offer.size) == ("percent", 10)


def test_a_first_time_buyer_is_offered_a_discount_to_come_back() -> None:
    newcomer = replace(
        LOYAL, orders=1, revenue=Decimal(3000), average_check=Decimal(3000), expected_value=None
    )
    decision = decide(POLICY, newcomer, "replenishment", FRESH, NOW)
    assert decision.offer.kind == "percent"
    assert "1 order so far → the next order is the one to win, a discount first" in decision.reasons


def test_an_arm_fixes_the_offer_but_not_the_bounds() -> None:
    flat = Variant(kind="percent", size=Decimal(10))
    assert decide(POLICY, LOYAL, "win_back", FRESH, NOW, flat).offer.size == 10
    narrow = replace(LOYAL, margin=Decimal("0.20"))
    assert decide(POLICY, narrow, "win_back", FRESH, NOW, flat).offer.size == 5
    thin = replace(LOYAL, margin=Decimal("0.17"))
    assert decide(POLICY, thin, "win_back", FRESH, NOW, flat).offer.kind == "nothing"
    flagged = replace(LOYAL, do_not_incentivize=True)
    assert decide(POLICY, flagged, "win_back", FRESH, NOW, flat).offer.kind == "nothing"


def test_an_unknown_occasion_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(UnknownOccasion, match="unknown occasion 'easter': the policy knows win_back, cart"):
        decide(POLICY, LOYAL, "easter", FRESH, NOW)


def test_a_win_back_waits_until_the_customer_is_late_by_their_own_rhythm() -> None:
    early = replace(LOYAL, usual_interval_days=30.0, days_since_last_order=40.0)
    decision = decide(POLICY, early, "win_back", FRESH, NOW)
    assert decision.offer.kind == "nothing"
    assert decision.reasons == ("40 days since the last order, usually 30: not lapsed before 45 → nothing",)
    late = replace(early, days_since_last_order=46.0)
    assert decide(POLICY, late, "win_back", FRESH, NOW).offer.kind == "percent"
    assert decide(POLICY, early, "replenishment", FRESH, NOW).offer.kind != "nothing"
