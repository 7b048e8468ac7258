"""Loyalty: programmes and their settings, tiers, and (with the ledger, coupons and gift cards) the
points and codes customers earn and spend.

This package is the area's facade: other areas import these names from ``retentio.loyalty``, never its
modules (``lint-imports`` checks it); each loads its module on first use (``retentio.facade``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.loyalty.programmes.actions import ActionDone, ActionPoints, points_for_action
    from retentio.loyalty.programmes.earning import (
        EarningLine,
        LinePoints,
        OrderPoints,
        points_for_order,
        spread_order_discount,
    )
    from retentio.loyalty.programmes.expiry import (
        LotDates,
        expired_by_inactivity,
        inactivity_expiry,
        lot_dates,
    )
    from retentio.loyalty.programmes.loading import LoyaltyConfigError, load_loyalty_config
    from retentio.loyalty.programmes.redemption import (
        Redeemable,
        max_redeemable,
        money_to_points,
        points_to_money,
    )
    from retentio.loyalty.programmes.settings import LoyaltyConfig, Programme
    from retentio.loyalty.tiers.definition import Level, TierDefinition
    from retentio.loyalty.tiers.evaluation import (
        TierChange,
        TierEvaluation,
        TierStatus,
        evaluate_tier,
        initial_status,
    )
    from retentio.loyalty.tiers.measure import Purchase
    from retentio.loyalty.tiers.progress import NextTier, next_tier

__all__ = [
    "ActionDone",
    "ActionPoints",
    "EarningLine",
    "Level",
    "LinePoints",
    "LotDates",
    "LoyaltyConfig",
    "LoyaltyConfigError",
    "NextTier",
    "OrderPoints",
    "Programme",
    "Purchase",
    "Redeemable",
    "TierChange",
    "TierDefinition",
    "TierEvaluation",
    "TierStatus",
    "evaluate_tier",
    "expired_by_inactivity",
    "inactivity_expiry",
    "initial_status",
    "load_loyalty_config",
    "lot_dates",
    "max_redeemable",
    "money_to_points",
    "next_tier",
    "points_for_action",
    "points_for_order",
    "points_to_money",
    "spread_order_discount",
]

_EXPORTS = {
    "retentio.loyalty.programmes.actions": ["ActionDone", "ActionPoints", "points_for_action"],
    "retentio.loyalty.programmes.earning": [
        "EarningLine",
        "LinePoints",
        "OrderPoints",
        "points_for_order",
        "spread_order_discount",
    ],
    "retentio.loyalty.programmes.expiry": [
        "LotDates",
        "expired_by_inactivity",
        "inactivity_expiry",
        "lot_dates",
    ],
    "retentio.loyalty.programmes.loading": ["LoyaltyConfigError", "load_loyalty_config"],
    "retentio.loyalty.programmes.redemption": [
        "Redeemable",
        "max_redeemable",
        "money_to_points",
        "points_to_money",
    ],
    "retentio.loyalty.programmes.settings": ["LoyaltyConfig", "Programme"],
    "retentio.loyalty.tiers.definition": ["Level", "TierDefinition"],
    "retentio.loyalty.tiers.evaluation": [
        "TierChange",
        "TierEvaluation",
        "TierStatus",
        "evaluate_tier",
        "initial_status",
    ],
    "retentio.loyalty.tiers.measure": ["Purchase"],
    "retentio.loyalty.tiers.progress": ["NextTier", "next_tier"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
