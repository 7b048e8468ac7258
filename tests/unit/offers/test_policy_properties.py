"""Properties of the offer policy over any customer and budget: no offer above its caps, none over
the budget left, never an incentive for a customer flagged do_not_incentivize."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from retentio.offers import BudgetState, CustomerOfferFacts, decide, load_offer_policy
from retentio.offers.policy.settings import OCCASIONS

POLICY = load_offer_policy(None)
NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)

money = st.decimals(min_value=0, max_value=500_000, places=2)
facts = st.builds(
    CustomerOfferFacts,
    customer_id=st.just("c"),
    orders=st.integers(0, 200),
    revenue=st.decimals(min_value=-10_000, max_value=500_000, places=2),
    average_check=st.none() | st.decimals(min_value=1, max_value=100_000, places=2),
    usual_interval_days=st.none() | st.floats(1, 365),
    expected_value=st.none() | money,
    p_alive=st.none() | st.floats(0, 1),
    reward_propensity=st.sampled_from(["discount_seeker", "novelty_seeker", "neutral"]),
    margin=st.none() | st.decimals(min_value=0, max_value=1, places=4),
    bad_customer=st.booleans(),
    do_not_incentivize=st.booleans(),
    active_on=st.just(()),
    days_since_last_order=st.none() | st.floats(0, 1000),
)
budgets = st.builds(BudgetState, money, money, st.just("2026-12"))


@settings(max_examples=400, deadline=None)
@given(facts, st.sampled_from(OCCASIONS), budgets)
def test_an_offer_stays_within_every_cap(
    customer: CustomerOfferFacts, occasion: str, budget: BudgetState
) -> None:
    decision = decide(POLICY, customer, occasion, budget, NOW)
    offer, rule = decision.offer, POLICY.rule(occasion)
    assert rule is not None and decision.reasons
    if customer.do_not_incentivize or customer.bad_customer:
        assert offer.kind == "nothing"
    if offer.kind == "nothing":
        return
    assert offer.kind in rule.kinds
    value = customer.expected_value if customer.expected_value is not None else customer.revenue
    assert offer.cost <= max(value, 0) * POLICY.value_share
    left = (rule.budget or Decimal("1e18")) - budget.occasion_spent
    assert offer.cost <= min(left, (POLICY.budget.overall or Decimal("1e18")) - budget.overall_spent)
    if offer.kind == "percent":
        assert POLICY.min_percent <= offer.size <= rule.max_percent
        assert offer.size <= POLICY.value_cap(value)
        if customer.margin is not None:
            assert offer.size <= (customer.margin - POLICY.margin_floor) * 100
        assert offer.valid_until is not None and offer.valid_until > NOW
    if offer.kind == "points":
        assert 1 <= offer.size <= rule.points
