"""What points may pay: the share cap, the minimum balance and order, a tier's own cap, and why not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retentio.loyalty import Level, Programme, Redeemable, max_redeemable, money_to_points, points_to_money

GOLD = Level(id="gold", threshold=Decimal(100000), max_redeem_share_percent=Decimal(50))


def test_points_pay_at_most_the_share_of_the_order(club: Programme) -> None:
    # 30 % of 3,128.00 ₽ is 938.40 ₽: 938 whole points of 1 ₽
    assert max_redeemable(club, 2000, Decimal("3128.00"), None) == Redeemable(
        938, Decimal("938.00"), 938, "share"
    )


def test_a_small_balance_pays_all_it_holds(club: Programme) -> None:
    assert max_redeemable(club, 150, Decimal("3128.00"), None) == Redeemable(
        150, Decimal("150.00"), 938, "balance"
    )


def test_a_tier_privilege_raises_the_share(club: Programme) -> None:
    assert max_redeemable(club, 2000, Decimal("3128.00"), GOLD).points == 1564


@pytest.mark.parametrize(
    ("balance", "cart", "refused"),
    [
        (0, Decimal(3000), "no_points"),
        (2000, Decimal("499.99"), "order_below_minimum"),
        (99, Decimal(3000), "balance_below_minimum"),
    ],
)
def test_why_nothing_may_be_paid(club: Programme, balance: int, cart: Decimal, refused: str) -> None:
    result = max_redeemable(club, balance, cart, None)
    assert (result.points, result.value, result.refused) == (0, Decimal("0.00"), refused)


def test_an_order_too_small_for_one_point(club: Programme) -> None:
    cheap = club.model_copy(
        update={
            "point_value_minor": 100_000,
            "redemption": club.redemption.model_copy(update={"min_order": 0}),
        }
    )
    assert max_redeemable(cheap, 500, Decimal(100), None).refused == "order_too_small_for_a_point"


def test_negative_inputs_are_refused_by_name(club: Programme) -> None:
    with pytest.raises(ValueError, match="balance must not be negative"):
        max_redeemable(club, -1, Decimal(100), None)
    with pytest.raises(ValueError, match="cart_total must not be negative"):
        max_redeemable(club, 1, Decimal(-100), None)


def test_money_and_points_convert_at_the_point_s_value(club: Programme) -> None:
    half = club.model_copy(update={"point_value_minor": 50})
    assert points_to_money(half, 3) == Decimal("1.50")
    assert money_to_points(half, Decimal("1.99")) == 3  # rounded down: 1.50 ₽ of points


@given(st.integers(0, 10**7), st.integers(0, 10**9), st.sampled_from([None, GOLD]))
def test_redeemable_points_never_exceed_the_balance_nor_the_share(
    club: Programme, balance: int, cart_kopecks: int, tier: Level | None
) -> None:
    cart = Decimal(cart_kopecks).scaleb(-2)
    result = max_redeemable(club, balance, cart, tier)
    share = Decimal(50) if tier else Decimal(30)
    assert 0 <= result.points <= balance
    assert result.value <= cart * share / 100
    assert result.value == points_to_money(club, result.points)
    assert (result.points == 0) == (result.refused is not None)
