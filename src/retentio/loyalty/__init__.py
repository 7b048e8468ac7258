"""Loyalty: coupons and gift cards (this part), the points ledger, programmes and tiers (their own
folders). Each folder owns its tables, pure decisions and write paths (``do_*``).

This package is the area's facade: other areas import these names from ``retentio.loyalty``, never
its modules (``lint-imports`` checks it). Each name loads its module on first use (``retentio.facade``).
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
        CustomerFacts,
        Discount,
        Reason,
        Stacking,
        why_not,
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
        Change,
        Entry,
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

__all__ = [
    "Cart",
    "CartLine",
    "Change",
    "Coupon",
    "CouponError",
    "CouponRefused",
    "CouponRules",
    "CustomerFacts",
    "Discount",
    "Entry",
    "GiftCard",
    "GiftCardError",
    "GiftCardExpired",
    "GiftCardNotFound",
    "GuessingLimit",
    "InsufficientBalance",
    "InvalidCode",
    "InvalidPool",
    "IssuedCode",
    "NotToIncentivize",
    "Pool",
    "PoolDefinition",
    "PoolNotFound",
    "PoolStats",
    "Reason",
    "Reservation",
    "ReservationEnded",
    "ReservationNotFound",
    "Stacking",
    "UnknownCode",
    "Validation",
    "WrongCurrency",
    "coupon_upkeep_kinds",
    "display",
    "do_commit",
    "do_create_pool",
    "do_expire",
    "do_generate_codes",
    "do_issue",
    "do_issue_code",
    "do_refund",
    "do_release",
    "do_reserve",
    "do_spend",
    "do_top_up",
    "do_validate",
    "export_csv",
    "get_gift_card",
    "get_pool",
    "get_reservation",
    "gift_card_entries",
    "normalise",
    "pool_codes",
    "pool_stats",
    "rebuilt_balance",
    "release_expired",
    "start_coupon_upkeep",
    "why_not",
]

_EXPORTS = {
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
        "CustomerFacts",
        "Discount",
        "Reason",
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
        "Change",
        "Entry",
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
}
__getattr__ = load_on_use(__name__, _EXPORTS)
