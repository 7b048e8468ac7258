"""What points may pay: a share of the order at most, from a minimum balance, on orders from a minimum
amount; and the conversion between points and money at the point's value."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from retentio.loyalty.programmes.settings import Programme
from retentio.loyalty.tiers.definition import Level
from retentio.types.money import from_minor, to_minor

Refusal = Literal["no_points", "order_below_minimum", "balance_below_minimum", "order_too_small_for_a_point"]


@dataclass(frozen=True, slots=True)
class Redeemable:
    points: int
    value: Decimal  # what those points pay, in the programme's currency
    # The share cap in points (what the order would allow with an unlimited balance).
    cap: int
    limited_by: Literal["balance", "share"] | None
    refused: Refusal | None = None  # why nothing may be paid


def max_redeemable(programme: Programme, balance: int, cart_total: Decimal, tier: Level | None) -> Redeemable:
    """The most points a customer with ``balance`` available points may spend on a cart of
    ``cart_total`` (in the programme's currency)."""
    if balance < 0:
        raise ValueError(f"balance must not be negative, not {balance}")
    if cart_total < 0:
        raise ValueError(f"cart_total must not be negative, not {cart_total}")
    rules = programme.redemption
    share = tier.max_redeem_share_percent if tier is not None and tier.max_redeem_share_percent else None
    share = share or rules.max_share_percent
    cap = math.floor(
        Fraction(to_minor(cart_total, programme.currency))
        * Fraction(share)
        / 100
        / programme.point_value_minor
    )
    refused: Refusal | None = None
    if balance == 0:
        refused = "no_points"
    elif cart_total < rules.min_order:
        refused = "order_below_minimum"
    elif balance < rules.min_balance:
        refused = "balance_below_minimum"
    elif cap == 0:
        refused = "order_too_small_for_a_point"
    if refused is not None:
        return Redeemable(0, from_minor(0, programme.currency), cap, None, refused)
    points = min(balance, cap)
    return Redeemable(
        points, points_to_money(programme, points), cap, "balance" if balance <= cap else "share"
    )


def points_to_money(programme: Programme, points: int) -> Decimal:
    if points < 0:
        raise ValueError(f"points must not be negative, not {points}")
    return from_minor(points * programme.point_value_minor, programme.currency)


def money_to_points(programme: Programme, amount: Decimal) -> int:
    """The whole points ``amount`` is worth, rounded down: points never pay more than the money."""
    if amount < 0:
        raise ValueError(f"amount must not be negative, not {amount}")
    return to_minor(amount, programme.currency) // programme.point_value_minor
