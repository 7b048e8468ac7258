"""Loyalty: the points ledger (lots, redemptions, reversals, the nightly activation and expiry),
programmes and their settings, tiers, coupons and gift cards. Each folder owns its tables, pure
decisions and write paths (``do_*``).

This package is the area's facade: other areas import these names from ``retentio.loyalty``, never its
modules (``lint-imports`` checks it); each loads its module on first use (``retentio.facade``). Names
that would mean different things side by side carry their folder's word (``CouponReason``,
``GiftCardEntry``, ``LedgerEntry``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.loyalty.coupons.codes import display, normalise
    from retentio.loyalty.coupons.errors import (
        CouponError,
        CouponRefused,
        InvalidCode,
        InvalidPool,
        PoolNotFound,
        ReservationEnded,
        ReservationNotFound,
        UnknownCode,
    )
    from retentio.loyalty.coupons.issue import IssuedCode, NotToIncentivize, do_issue_code
    from retentio.loyalty.coupons.pools import (
        Pool,
        PoolDefinition,
        PoolStats,
        do_create_pool,
        do_generate_codes,
        export_csv,
        get_pool,
        pool_codes,
        pool_stats,
    )
    from retentio.loyalty.coupons.redeem import (
        Reservation,
        do_commit,
        do_release,
        do_reserve,
        get_reservation,
        release_expired,
    )
    from retentio.loyalty.coupons.rules import (
        Cart,
        CartLine,
        Coupon,
        CouponRules,
        Discount,
        Stacking,
        why_not,
    )
    from retentio.loyalty.coupons.rules import (
        CustomerFacts as CouponCustomer,
    )
    from retentio.loyalty.coupons.rules import (
        Reason as CouponReason,
    )
    from retentio.loyalty.coupons.upkeep import coupon_upkeep_kinds, start_coupon_upkeep
    from retentio.loyalty.coupons.validate import GuessingLimit, Validation, do_validate
    from retentio.loyalty.gift_cards.errors import (
        GiftCardError,
        GiftCardExpired,
        GiftCardNotFound,
        InsufficientBalance,
        WrongCurrency,
    )
    from retentio.loyalty.gift_cards.service import (
        Change as GiftCardChange,
    )
    from retentio.loyalty.gift_cards.service import (
        Entry as GiftCardEntry,
    )
    from retentio.loyalty.gift_cards.service import (
        GiftCard,
        do_expire,
        do_issue,
        do_refund,
        do_spend,
        do_top_up,
        get_gift_card,
        gift_card_entries,
        rebuilt_balance,
    )
    from retentio.loyalty.ledger.batch import Accrual, AccruedMany, do_accrue_many
    from retentio.loyalty.ledger.errors import (
        InvalidPoints,
        LedgerError,
        NotEnoughPoints,
        UnknownCustomer,
        UnknownEntry,
    )
    from retentio.loyalty.ledger.merges import MERGES_CONSUMER, LoyaltyMergesConsumer, move_points_of_merged
    from retentio.loyalty.ledger.model import Balance, DebtPolicy, EntryKind, Posted, Transfer
    from retentio.loyalty.ledger.model import Entry as LedgerEntry
    from retentio.loyalty.ledger.nightly import NightlyResult, do_nightly
    from retentio.loyalty.ledger.reads import get_balance, list_entries
    from retentio.loyalty.ledger.rebuild import do_rebuild_balances
    from retentio.loyalty.ledger.service import do_accrue, do_adjust, do_redeem, do_reverse
    from retentio.loyalty.ledger.transfer import do_transfer
    from retentio.loyalty.ledger.upkeep import ledger_kinds, start_ledger_upkeep
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
    "MERGES_CONSUMER",
    "Accrual",
    "AccruedMany",
    "ActionDone",
    "ActionPoints",
    "Balance",
    "Cart",
    "CartLine",
    "Coupon",
    "CouponCustomer",
    "CouponError",
    "CouponReason",
    "CouponRefused",
    "CouponRules",
    "DebtPolicy",
    "Discount",
    "EarningLine",
    "EntryKind",
    "GiftCard",
    "GiftCardChange",
    "GiftCardEntry",
    "GiftCardError",
    "GiftCardExpired",
    "GiftCardNotFound",
    "GuessingLimit",
    "InsufficientBalance",
    "InvalidCode",
    "InvalidPoints",
    "InvalidPool",
    "IssuedCode",
    "LedgerEntry",
    "LedgerError",
    "Level",
    "LinePoints",
    "LotDates",
    "LoyaltyConfig",
    "LoyaltyConfigError",
    "LoyaltyMergesConsumer",
    "NextTier",
    "NightlyResult",
    "NotEnoughPoints",
    "NotToIncentivize",
    "OrderPoints",
    "Pool",
    "PoolDefinition",
    "PoolNotFound",
    "PoolStats",
    "Posted",
    "Programme",
    "Purchase",
    "Redeemable",
    "Reservation",
    "ReservationEnded",
    "ReservationNotFound",
    "Stacking",
    "TierChange",
    "TierDefinition",
    "TierEvaluation",
    "TierStatus",
    "Transfer",
    "UnknownCode",
    "UnknownCustomer",
    "UnknownEntry",
    "Validation",
    "WrongCurrency",
    "coupon_upkeep_kinds",
    "display",
    "do_accrue",
    "do_accrue_many",
    "do_adjust",
    "do_commit",
    "do_create_pool",
    "do_expire",
    "do_generate_codes",
    "do_issue",
    "do_issue_code",
    "do_nightly",
    "do_rebuild_balances",
    "do_redeem",
    "do_refund",
    "do_release",
    "do_reserve",
    "do_reverse",
    "do_spend",
    "do_top_up",
    "do_transfer",
    "do_validate",
    "evaluate_tier",
    "expired_by_inactivity",
    "export_csv",
    "get_balance",
    "get_gift_card",
    "get_pool",
    "get_reservation",
    "gift_card_entries",
    "inactivity_expiry",
    "initial_status",
    "ledger_kinds",
    "list_entries",
    "load_loyalty_config",
    "lot_dates",
    "max_redeemable",
    "money_to_points",
    "move_points_of_merged",
    "next_tier",
    "normalise",
    "points_for_action",
    "points_for_order",
    "points_to_money",
    "pool_codes",
    "pool_stats",
    "rebuilt_balance",
    "release_expired",
    "spread_order_discount",
    "start_coupon_upkeep",
    "start_ledger_upkeep",
    "why_not",
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
    "retentio.loyalty.coupons.codes": ["display", "normalise"],
    "retentio.loyalty.coupons.errors": [
        "CouponError",
        "CouponRefused",
        "InvalidCode",
        "InvalidPool",
        "PoolNotFound",
        "ReservationEnded",
        "ReservationNotFound",
        "UnknownCode",
    ],
    "retentio.loyalty.coupons.issue": ["IssuedCode", "NotToIncentivize", "do_issue_code"],
    "retentio.loyalty.coupons.pools": [
        "Pool",
        "PoolDefinition",
        "PoolStats",
        "do_create_pool",
        "do_generate_codes",
        "export_csv",
        "get_pool",
        "pool_codes",
        "pool_stats",
    ],
    "retentio.loyalty.coupons.redeem": [
        "Reservation",
        "do_commit",
        "do_release",
        "do_reserve",
        "get_reservation",
        "release_expired",
    ],
    "retentio.loyalty.coupons.rules": [
        "Cart",
        "CartLine",
        "Coupon",
        "CouponRules",
        "CustomerFacts as CouponCustomer",
        "Discount",
        "Reason as CouponReason",
        "Stacking",
        "why_not",
    ],
    "retentio.loyalty.coupons.upkeep": ["coupon_upkeep_kinds", "start_coupon_upkeep"],
    "retentio.loyalty.coupons.validate": ["GuessingLimit", "Validation", "do_validate"],
    "retentio.loyalty.gift_cards.errors": [
        "GiftCardError",
        "GiftCardExpired",
        "GiftCardNotFound",
        "InsufficientBalance",
        "WrongCurrency",
    ],
    "retentio.loyalty.gift_cards.service": [
        "Change as GiftCardChange",
        "Entry as GiftCardEntry",
        "GiftCard",
        "do_expire",
        "do_issue",
        "do_refund",
        "do_spend",
        "do_top_up",
        "get_gift_card",
        "gift_card_entries",
        "rebuilt_balance",
    ],
    "retentio.loyalty.ledger.errors": [
        "InvalidPoints",
        "LedgerError",
        "NotEnoughPoints",
        "UnknownCustomer",
        "UnknownEntry",
    ],
    "retentio.loyalty.ledger.batch": ["Accrual", "AccruedMany", "do_accrue_many"],
    "retentio.loyalty.ledger.merges": ["MERGES_CONSUMER", "LoyaltyMergesConsumer", "move_points_of_merged"],
    "retentio.loyalty.ledger.model": [
        "Balance",
        "DebtPolicy",
        "Entry as LedgerEntry",
        "EntryKind",
        "Posted",
        "Transfer",
    ],
    "retentio.loyalty.ledger.nightly": ["NightlyResult", "do_nightly"],
    "retentio.loyalty.ledger.reads": ["get_balance", "list_entries"],
    "retentio.loyalty.ledger.rebuild": ["do_rebuild_balances"],
    "retentio.loyalty.ledger.service": ["do_accrue", "do_adjust", "do_redeem", "do_reverse"],
    "retentio.loyalty.ledger.transfer": ["do_transfer"],
    "retentio.loyalty.ledger.upkeep": ["ledger_kinds", "start_ledger_upkeep"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
