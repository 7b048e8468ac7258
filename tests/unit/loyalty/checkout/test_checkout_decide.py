"""The checkout's decision on plain facts: discounts per line, stacking best for the customer,
points that may pay and will be earned, gift cards, and every refusal named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from retentio.loyalty import (
    CheckoutError,
    CheckoutLine,
    CheckoutRequest,
    Coupon,
    CouponRules,
    Discount,
    GiftCardOffer,
    Stacking,
    decide_checkout,
    load_loyalty_config,
)
from retentio.loyalty.checkout.model import Facts, GiftCardFacts, OfferedCoupon, OfferedGiftCard, Promotion

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CLUB = load_loyalty_config(None).programme("club")  # 1 point = 1 ₽, 30 % at most, from 100 points and 500 ₽
assert CLUB.tiers is not None
BASE, GOLD = CLUB.tiers.level("base"), CLUB.tiers.level("gold")
LINES = (
    CheckoutLine("MUG", 2, Decimal("450.00"), "kitchen"),
    CheckoutLine("TEA", 1, Decimal("300.00"), "tea"),
    CheckoutLine("BOOK", 1, Decimal("1000.00"), "books"),
)  # 2,200.00 ₽


def rules(**changes: object) -> CouponRules:
    return replace(CouponRules("RUB", Discount(percent=Decimal(10))), **changes)  # type: ignore[arg-type]


def offered(code: str, pool_id: int, **changes: object) -> OfferedCoupon:
    return OfferedCoupon(code, Coupon(code, pool_id, rules(**changes)))


def request(**changes: object) -> CheckoutRequest:
    return replace(CheckoutRequest("anna", "RUB", LINES), **changes)  # type: ignore[arg-type]


def facts(**changes: object) -> Facts:
    return replace(Facts(CLUB, BASE, balance=1_000), **changes)  # type: ignore[arg-type]


def test_a_percent_and_an_amount_of_one_group_stack_and_add_up_per_line() -> None:
    # given 10 % off everything and 100 ₽ off the kitchen line, both of the default group
    coupons = (
        offered("TENOFF", 1),
        offered("MUGS100", 2, discount=Discount(amount=Decimal(100)), categories=frozenset({"kitchen"})),
    )
    # when
    answer = decide_checkout(request(codes=("TENOFF", "MUGS100")), facts(coupons=coupons), NOW)
    # then the percentage goes first, on the whole cart, then the amount on what the mugs still cost
    assert [a.discount for a in answer.applied] == [Decimal("220.00"), Decimal("100.00")]
    assert [line.discount for line in answer.lines] == [
        Decimal("190.00"),
        Decimal("30.00"),
        Decimal("100.00"),
    ]
    assert answer.discount == Decimal("320.00") == sum(line.discount for line in answer.lines)
    assert answer.refused == ()
    assert answer.to_pay == Decimal("1880.00")


def test_stacking_picks_the_best_combination_the_rules_allow_and_names_the_rest() -> None:
    # given an exclusive 500 ₽ code and two codes of group "basket" worth 10 % + 5 % of 2,200 ₽
    coupons = (
        offered("BIG", 1, discount=Discount(amount=Decimal(500)), stacking=Stacking(exclusive=True)),
        offered("TEN", 2, stacking=Stacking(group="basket")),
        offered("FIVE", 3, discount=Discount(percent=Decimal(5)), stacking=Stacking(group="basket")),
    )
    answer = decide_checkout(request(codes=("BIG", "TEN", "FIVE")), facts(coupons=coupons), NOW)
    # then the exclusive one takes more (500 > 220 + 99) and the other two are not stackable
    assert [a.code for a in answer.applied] == ["BIG"]
    assert [(r.field, r.reason) for r in answer.refused] == [
        ("codes[1]", "not_stackable"),
        ("codes[2]", "not_stackable"),
    ]
    # and with a cart where the group wins, the group wins
    small = replace(
        coupons[0],
        coupon=Coupon(
            "BIG", 1, rules(discount=Discount(amount=Decimal(200)), stacking=Stacking(exclusive=True))
        ),
    )
    answer = decide_checkout(request(codes=("BIG", "TEN", "FIVE")), facts(coupons=(small, *coupons[1:])), NOW)
    assert [a.code for a in answer.applied] == ["TEN", "FIVE"]
    assert [(r.field, r.reason) for r in answer.refused] == [("codes[0]", "not_stackable")]


def test_an_equal_choice_goes_to_the_lowest_pool_the_same_way_every_time() -> None:
    coupons = (
        offered("SECOND", 7, stacking=Stacking(exclusive=True)),
        offered("FIRST", 4, stacking=Stacking(exclusive=True)),
    )
    answers = {
        decide_checkout(request(codes=("SECOND", "FIRST")), facts(coupons=coupons), NOW).applied[0].code
        for _ in range(5)
    }
    assert answers == {"FIRST"}


def test_an_automatic_promotion_applies_without_a_code_where_its_rules_allow() -> None:
    promotions = (
        Promotion(
            10, "tea-week", rules(discount=Discount(percent=Decimal(20)), categories=frozenset({"tea"}))
        ),
        Promotion(11, "big-orders", rules(minimum_order=Decimal(5000))),  # the cart is below it
    )
    answer = decide_checkout(request(), facts(promotions=promotions), NOW)
    assert [(a.kind, a.name, a.discount) for a in answer.applied] == [
        ("promotion", "tea-week", Decimal("60.00"))
    ]
    assert answer.lines[1].discount == Decimal("60.00")


def test_every_offered_code_that_does_not_apply_says_why() -> None:
    coupons = (
        OfferedCoupon("NOPE", None, problem="unknown_code", problem_message="no such code"),
        offered("OLD", 1, valid_until=NOW - timedelta(days=1)),
        offered("USD", 2, currency="USD"),
        offered("GONE", 3, uses_per_code=1)
        if False
        else OfferedCoupon("GONE", Coupon("GONE", 3, rules(), uses=1)),
        offered("OLD", 1, valid_until=NOW - timedelta(days=1)),
        offered("BIGCART", 4, minimum_order=Decimal(10_000)),
    )
    answer = decide_checkout(request(codes=tuple(c.typed for c in coupons)), facts(coupons=coupons), NOW)
    assert [(r.index, r.reason) for r in answer.refused] == [
        (0, "unknown_code"),
        (1, "expired"),
        (2, "wrong_currency"),
        (3, "used_up"),
        (4, "duplicate"),
        (5, "below_minimum_order"),
    ]
    assert answer.applied == () and answer.discount == Decimal("0.00")


def test_points_pay_up_to_the_share_and_earn_on_what_is_left() -> None:
    # when the customer pays 600 points (30 % of 2,200 ₽ is 660)
    answer = decide_checkout(request(points=600), facts(), NOW)
    # then they pay 600 ₽, shared over the lines, and 1,600 ₽ paid earns 5 points per 100 ₽
    assert (answer.points.used, answer.points.most, answer.points.value) == (600, 660, Decimal("600.00"))
    assert sum(line.points_value for line in answer.lines) == Decimal("600.00")
    assert answer.points.earned == 80
    assert answer.to_pay == Decimal("1600.00")


def test_a_gold_member_may_pay_half_and_earns_twice() -> None:
    answer = decide_checkout(request(points=1_000), facts(tier=GOLD, balance=2_000), NOW)
    assert answer.points.most == 1_100
    assert answer.points.earned == 2 * 60  # 1,200 ₽ paid × 0.05 × 2
    assert answer.tier is not None and answer.tier.privileges == ("free_delivery", "early_access")


@pytest.mark.parametrize(
    ("changes", "fact_changes", "field", "rule"),
    [
        ({"points": 1_001}, {}, "points", "balance"),
        ({"points": 700}, {}, "points", "max_share"),
        ({"points": 50}, {"balance": 50}, "points", "balance_below_minimum"),
        (
            {"points": 10, "lines": (CheckoutLine("TEA", 1, Decimal("300.00")),)},
            {},
            "points",
            "order_below_minimum",
        ),
        ({"points": 10, "customer_id": None}, {}, "points", "customer_required"),
        ({"points": -1}, {}, "points", "not_negative"),
        ({"currency": "EUR"}, {}, "cart.currency", "wrong_currency"),
        ({"lines": (CheckoutLine("TEA", 1, Decimal("-1")),)}, {}, "cart.lines[0].price", "not_negative"),
        ({"lines": (CheckoutLine("TEA", 0, Decimal("1")),)}, {}, "cart.lines[0].quantity", "positive"),
        ({"lines": (CheckoutLine("TEA", 1, Decimal("1.001")),)}, {}, "cart.lines[0].price", "decimal_places"),
        ({"gift_cards": (GiftCardOffer("GC", Decimal("-5")),)}, {}, "gift_cards[0].amount", "not_negative"),
        ({"lines": ()}, {}, "cart.lines", "lines"),
    ],
)
def test_input_that_cannot_be_answered_names_the_field_and_the_rule(
    changes: dict[str, object], fact_changes: dict[str, object], field: str, rule: str
) -> None:
    with pytest.raises(CheckoutError) as refused:
        decide_checkout(request(**changes), facts(**fact_changes), NOW)
    assert (refused.value.field, refused.value.rule) == (field, rule)


def test_gift_cards_pay_what_is_left_in_the_order_offered() -> None:
    card = GiftCardFacts("GC-AAAA", "RUB", Decimal("2000.00"), None)
    second = GiftCardFacts("GC-BBBB", "RUB", Decimal("500.00"), None)
    cards = (
        OfferedGiftCard("gc-aaaa", Decimal("1500.00"), card),
        OfferedGiftCard("GC-BBBB", None, second),
        OfferedGiftCard("GC-CCCC", None, None, "no such gift card"),
        OfferedGiftCard("GC-DDDD", None, replace(card, code="GC-DDDD", currency="EUR")),
        OfferedGiftCard("GC-EEEE", None, replace(card, code="GC-EEEE", expires_at=NOW)),
        OfferedGiftCard("GC-FFFF", Decimal("3000.00"), replace(card, code="GC-FFFF")),
    )
    answer = decide_checkout(
        request(gift_cards=tuple(GiftCardOffer(c.typed, c.amount) for c in cards)),
        facts(gift_cards=cards),
        NOW,
    )
    assert [(use.code, use.amount) for use in answer.gift_cards] == [
        ("GC-AAAA", Decimal("1500.00")),
        ("GC-BBBB", Decimal("500.00")),
    ]
    assert [(r.field, r.reason) for r in answer.refused] == [
        ("gift_cards[2]", "unknown_gift_card"),
        ("gift_cards[3]", "wrong_currency"),
        ("gift_cards[4]", "expired"),
        ("gift_cards[5]", "insufficient_balance"),
    ]
    assert answer.to_pay == Decimal("200.00")


def test_an_anonymous_cart_gets_discounts_and_no_points() -> None:
    answer = decide_checkout(
        request(customer_id=None, codes=("TENOFF",)), facts(balance=0, coupons=(offered("TENOFF", 1),)), NOW
    )
    assert answer.discount == Decimal("220.00")
    assert (answer.points.used, answer.points.most) == (0, 0)
