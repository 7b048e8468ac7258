"""Properties of the decision over many carts: the line figures add up to the totals, nothing is
taken below zero, points never pay more than allowed, and the same facts give the same answer."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from retentio.loyalty import (
    CheckoutLine,
    CheckoutRequest,
    Coupon,
    CouponRules,
    Discount,
    Stacking,
    decide_checkout,
    load_loyalty_config,
)
from retentio.loyalty.checkout.model import Facts, OfferedCoupon, Promotion
from retentio.loyalty.checkout.shares import share_out

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CLUB = load_loyalty_config(None).programme("club")
CATEGORIES = ("kitchen", "tea", "books")

lines = st.lists(
    st.builds(
        CheckoutLine,
        st.sampled_from(["A", "B", "C", "D"]),
        st.integers(1, 5),
        st.integers(0, 500_000).map(lambda kopecks: Decimal(kopecks).scaleb(-2)),
        st.sampled_from(CATEGORIES),
    ),
    min_size=1,
    max_size=10,
)
discounts = st.one_of(
    st.integers(1, 100).map(lambda p: Discount(percent=Decimal(p))),
    st.integers(1, 200_000).map(lambda k: Discount(amount=Decimal(k).scaleb(-2))),
    st.just(Discount(free_shipping=True)),
)
rules = st.builds(
    lambda discount, group, exclusive, categories: CouponRules(
        "RUB",
        discount,
        uses_per_code=None,
        categories=categories,
        stacking=Stacking(exclusive=exclusive, group=group),
    ),
    discounts,
    st.sampled_from(["a", "b"]),
    st.booleans(),
    st.frozensets(st.sampled_from(CATEGORIES), max_size=2),
)


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=20))
def test_shares_add_up_and_follow_the_weights(amount: int, weights: list[int]) -> None:
    amount = min(amount, sum(weights))
    parts = share_out(amount, weights)
    assert sum(parts) == amount
    assert all(0 <= part <= weight for part, weight in zip(parts, weights, strict=True))


@settings(max_examples=200, deadline=None)
@given(lines, st.lists(rules, max_size=4), st.lists(rules, max_size=3), st.integers(0, 5_000), st.data())
def test_the_figures_add_up_and_stay_within_the_rules(
    cart: list[CheckoutLine],
    coupon_rules: list[CouponRules],
    promotion_rules: list[CouponRules],
    balance: int,
    data: st.DataObject,
) -> None:
    coupons = tuple(
        OfferedCoupon(f"CODE{n}", Coupon(f"CODE{n}", n + 1, rule)) for n, rule in enumerate(coupon_rules)
    )
    promotions = tuple(Promotion(100 + n, f"p{n}", rule) for n, rule in enumerate(promotion_rules))
    facts = Facts(CLUB, CLUB.tiers.levels[0] if CLUB.tiers else None, balance, coupons, promotions)
    probe = CheckoutRequest("anna", "RUB", tuple(cart), codes=tuple(c.typed for c in coupons))
    most = decide_checkout(probe, facts, NOW).points.most
    points = data.draw(st.integers(0, most))
    request = CheckoutRequest("anna", "RUB", tuple(cart), codes=probe.codes, points=points)
    answer = decide_checkout(request, facts, NOW)
    assert answer == decide_checkout(request, facts, NOW)
    assert answer.discount == sum((line.discount for line in answer.lines), Decimal(0))
    assert answer.discount == sum((applied.discount for applied in answer.applied), Decimal(0))
    assert answer.points.value == sum((line.points_value for line in answer.lines), Decimal(0))
    assert all(line.to_pay >= 0 for line in answer.lines)
    assert answer.to_pay == sum((line.to_pay for line in answer.lines), Decimal(0))
    assert answer.points.used == points <= min(balance, answer.points.most)
    # every offered code is either applied or refused with a reason, never both
    applied = {a.code for a in answer.applied if a.code}
    refused = {r.code for r in answer.refused}
    assert applied | refused == set(request.codes) and not applied & refused
    # the stacking rules hold: an exclusive offer alone, otherwise one group
    applied_pools = {a.pool_id for a in answer.applied}
    exclusive = [
        o for o in (*coupons, *promotions) if _rules(o).stacking.exclusive and _id(o) in applied_pools
    ]
    assert not exclusive or len(answer.applied) == 1
    assert len({_rules(o).stacking.group for o in (*coupons, *promotions) if _id(o) in applied_pools}) <= 1


def _rules(offer: OfferedCoupon | Promotion) -> CouponRules:
    if isinstance(offer, Promotion):
        return offer.rules
    assert offer.coupon is not None
    return offer.coupon.rules


def _id(offer: OfferedCoupon | Promotion) -> int:
    if isinstance(offer, Promotion):
        return offer.pool_id
    assert offer.coupon is not None
    return offer.coupon.pool_id
