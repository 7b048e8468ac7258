"""``why_not``: every rule named when it is the one broken; a coupon that fits applies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.loyalty.coupons.rules import (
    Cart,
    CartLine,
    Coupon,
    CouponRules,
    CustomerFacts,
    Discount,
    Reason,
    Stacking,
    why_not,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
RULES = CouponRules(currency="RUB", discount=Discount(percent=Decimal(10)))
COUPON = Coupon(code="ABCDEFGHJKLM", pool_id=1, rules=RULES)
CART = Cart(
    "RUB", (CartLine("MUG", 2, Decimal("450.00"), "kitchen"), CartLine("TEA", 1, Decimal("300.00"), "food"))
)
ANNA = CustomerFacts("anna", frozenset({"loyal"}))


def test_a_coupon_without_restrictions_applies() -> None:
    assert why_not(COUPON, CART, ANNA, NOW) is None


@pytest.mark.parametrize(
    ("coupon", "cart", "customer", "reason"),
    [
        (
            replace(COUPON, rules=replace(RULES, valid_from=NOW + timedelta(seconds=1))),
            CART,
            ANNA,
            Reason.NOT_YET_VALID,
        ),
        (replace(COUPON, rules=replace(RULES, valid_until=NOW)), CART, ANNA, Reason.EXPIRED),
        (replace(COUPON, uses=1), CART, ANNA, Reason.USED_UP),
        (replace(COUPON, customer_id="boris"), CART, ANNA, Reason.NOT_THIS_CUSTOMERS_CODE),
        (replace(COUPON, customer_id="anna"), CART, CustomerFacts(None), Reason.CUSTOMER_REQUIRED),
        (
            replace(COUPON, rules=replace(RULES, uses_per_customer=1)),
            CART,
            replace(ANNA, uses_of_pool=1),
            Reason.CUSTOMER_LIMIT_REACHED,
        ),
        (
            replace(COUPON, rules=replace(RULES, segments=frozenset({"vip"}))),
            CART,
            ANNA,
            Reason.SEGMENT_NOT_ELIGIBLE,
        ),
        (COUPON, replace(CART, currency="EUR"), ANNA, Reason.WRONG_CURRENCY),
        (
            replace(COUPON, rules=replace(RULES, skus=frozenset({"PEN"}))),
            CART,
            ANNA,
            Reason.NO_ELIGIBLE_ITEMS,
        ),
        (
            replace(
                COUPON, rules=replace(RULES, categories=frozenset({"food"}), minimum_order=Decimal("300.01"))
            ),
            CART,
            ANNA,
            Reason.BELOW_MINIMUM_ORDER,
        ),
        (COUPON, replace(CART, applied=(Stacking(exclusive=True),)), ANNA, Reason.NOT_STACKABLE),
        (COUPON, replace(CART, applied=(Stacking(group="shipping"),)), ANNA, Reason.NOT_STACKABLE),
        (
            replace(COUPON, rules=replace(RULES, stacking=Stacking(exclusive=True))),
            replace(CART, applied=(Stacking(),)),
            ANNA,
            Reason.NOT_STACKABLE,
        ),
    ],
)
def test_each_rule_is_named_when_broken(
    coupon: Coupon, cart: Cart, customer: CustomerFacts, reason: Reason
) -> None:
    assert why_not(coupon, cart, customer, NOW) == reason


def test_limits_just_short_of_the_edge_apply() -> None:
    rules = replace(
        RULES,
        valid_from=NOW,
        valid_until=NOW + timedelta(microseconds=1),
        uses_per_code=3,
        uses_per_customer=2,
        minimum_order=Decimal("300.00"),
        categories=frozenset({"food"}),
    )
    coupon = replace(COUPON, rules=rules, uses=2, customer_id="anna")
    assert why_not(coupon, CART, replace(ANNA, uses_of_pool=1), NOW) is None
    assert why_not(COUPON, replace(CART, applied=(Stacking(), Stacking())), ANNA, NOW) is None


lines = st.lists(
    st.builds(
        CartLine,
        sku=st.sampled_from(["MUG", "TEA", "PEN"]),
        quantity=st.integers(1, 5),
        unit_price=st.decimals(min_value=0, max_value=1000, places=2),
        category=st.sampled_from([None, "food", "kitchen"]),
    ),
    max_size=4,
)
rules_strategy = st.builds(
    CouponRules,
    currency=st.sampled_from(["RUB", "EUR"]),
    discount=st.just(Discount(percent=Decimal(5))),
    uses_per_code=st.none() | st.integers(1, 3),
    uses_per_customer=st.none() | st.integers(1, 3),
    valid_from=st.none() | st.sampled_from([NOW - timedelta(days=1), NOW + timedelta(days=1)]),
    valid_until=st.none() | st.sampled_from([NOW, NOW + timedelta(days=1)]),
    minimum_order=st.none() | st.decimals(min_value=0, max_value=3000, places=2),
    skus=st.frozensets(st.sampled_from(["MUG", "TEA", "PEN"])),
    categories=st.frozensets(st.sampled_from(["food", "kitchen"])),
    segments=st.frozensets(st.sampled_from(["loyal", "vip"])),
    stacking=st.builds(Stacking, exclusive=st.booleans(), group=st.sampled_from(["a", "b"])),
)


@given(
    rules_strategy,
    st.none() | st.sampled_from(["anna", "boris"]),
    st.integers(0, 4),
    st.sampled_from(["RUB", "EUR"]),
    lines,
    st.lists(st.builds(Stacking, exclusive=st.booleans(), group=st.sampled_from(["a", "b"])), max_size=2),
    st.none() | st.sampled_from(["anna", "boris"]),
    st.frozensets(st.sampled_from(["loyal", "vip"])),
    st.integers(0, 4),
)
def test_a_coupon_applies_exactly_when_every_rule_holds(
    rules: CouponRules,
    owner: str | None,
    uses: int,
    currency: str,
    cart_lines: list[CartLine],
    applied: list[Stacking],
    customer_id: str | None,
    segments: frozenset[str],
    uses_of_pool: int,
) -> None:
    coupon = Coupon("ABCDEFGHJKLM", 1, rules, owner, uses)
    cart = Cart(currency, tuple(cart_lines), tuple(applied))
    customer = CustomerFacts(customer_id, segments, uses_of_pool)
    reason = why_not(coupon, cart, customer, NOW)
    eligible = [
        line
        for line in cart_lines
        if (not rules.skus and not rules.categories)
        or line.sku in rules.skus
        or line.category in rules.categories
    ]
    holds = {
        Reason.NOT_YET_VALID: rules.valid_from is None or rules.valid_from <= NOW,
        Reason.EXPIRED: rules.valid_until is None or rules.valid_until > NOW,
        Reason.USED_UP: rules.uses_per_code is None or uses < rules.uses_per_code,
        Reason.CUSTOMER_REQUIRED: customer_id is not None or (owner is None and not rules.uses_per_customer),
        Reason.NOT_THIS_CUSTOMERS_CODE: owner is None or owner == customer_id,
        Reason.CUSTOMER_LIMIT_REACHED: rules.uses_per_customer is None
        or uses_of_pool < rules.uses_per_customer,
        Reason.SEGMENT_NOT_ELIGIBLE: not rules.segments or bool(rules.segments & segments),
        Reason.WRONG_CURRENCY: currency == rules.currency,
        Reason.NO_ELIGIBLE_ITEMS: bool(eligible),
        Reason.BELOW_MINIMUM_ORDER: rules.minimum_order is None
        or sum(line.total for line in eligible) >= rules.minimum_order,
        Reason.NOT_STACKABLE: not applied
        or (
            not rules.stacking.exclusive
            and all(not a.exclusive and a.group == rules.stacking.group for a in applied)
        ),
    }
    if reason is None:
        assert all(holds.values())
    else:
        # the reason named is a rule that is broken, and every rule checked before it holds
        assert not holds[reason]
        order = list(Reason)
        assert all(holds[earlier] for earlier in order[: order.index(reason)] if earlier in holds)
