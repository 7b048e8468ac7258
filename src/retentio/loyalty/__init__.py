"""Loyalty: the points ledger (lots, redemptions, reversals, the nightly activation and expiry),
programmes and their settings, tiers, earning from the shop's events (the log's consumer
``LoyaltyConsumer``, members, tier history, refusals), coupons and gift cards, referrals and the
membership club, the checkout that uses them, and the programme's figures. Each folder owns its
tables, pure decisions and write paths (``do_*``).

This package is the area's facade: other areas import these names from ``retentio.loyalty``, never its
modules (``lint-imports`` checks it); each loads its module on first use (``retentio.facade``). Names
that would mean different things side by side carry their folder's word (``CouponReason``,
``GiftCardEntry``, ``LedgerEntry``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.loyalty.checkout.answer import calculate_checkout
    from retentio.loyalty.checkout.consumer import CHECKOUT_CONSUMER, CheckoutConsumer
    from retentio.loyalty.checkout.decide import calculate as decide_checkout
    from retentio.loyalty.checkout.document import as_document as checkout_document
    from retentio.loyalty.checkout.errors import (
        CheckoutConflict,
        CheckoutError,
        CheckoutNotFound,
        CodesRefused,
    )
    from retentio.loyalty.checkout.facts import read_facts as read_checkout_facts
    from retentio.loyalty.checkout.guessing import do_note_checkout_guessing, needs_guessing_note
    from retentio.loyalty.checkout.lifecycle import (
        do_commit_checkout,
        do_refund_checkout,
        do_release_checkout,
    )
    from retentio.loyalty.checkout.model import (
        Calculation,
        CheckoutLine,
        CheckoutRequest,
        GiftCardOffer,
    )
    from retentio.loyalty.checkout.reserve import (
        CheckoutReservation,
        ReserveRequest,
        do_reserve_checkout,
        get_checkout_reservation,
    )
    from retentio.loyalty.checkout.upkeep import checkout_kinds
    from retentio.loyalty.club.consumer import ClubConsumer
    from retentio.loyalty.club.reads import ClubView, club_members, get_club, is_club_member
    from retentio.loyalty.club.service import ClubError, do_end_club_term, do_join_club
    from retentio.loyalty.club.service import Membership as ClubMembership
    from retentio.loyalty.club.terms import Term as ClubTerm
    from retentio.loyalty.club.upkeep import ClubRun, club_kinds, do_club_upkeep, start_club_upkeep
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
    from retentio.loyalty.coupons.issue import used_up as used_up_codes
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
    from retentio.loyalty.coupons.promotions import automatic_promotions
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
    from retentio.loyalty.earning.actions import Refusal as RewardRefusal
    from retentio.loyalty.earning.actions import list_refusals
    from retentio.loyalty.earning.consumer import LoyaltyConsumer
    from retentio.loyalty.earning.daily import (
        DailyResult as DailyEarning,
    )
    from retentio.loyalty.earning.daily import (
        do_daily_earning,
        earning_kinds,
        start_earning_upkeep,
    )
    from retentio.loyalty.earning.standing import MemberStanding, member_standing, member_tiers
    from retentio.loyalty.gift_cards.errors import (
        GiftCardError,
        GiftCardExpired,
        GiftCardNotFound,
        InsufficientBalance,
        WrongCurrency,
    )
    from retentio.loyalty.gift_cards.holds import Hold as GiftCardHold
    from retentio.loyalty.gift_cards.holds import do_capture, do_hold, do_release_hold
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
    from retentio.loyalty.ledger.summaries import ZERO_POINTS, PointsSummary, points_summaries
    from retentio.loyalty.ledger.transfer import do_transfer
    from retentio.loyalty.ledger.upkeep import ledger_kinds, nightly_hook, start_ledger_upkeep
    from retentio.loyalty.metrics.catalogue import LOYALTY_CATALOGUE
    from retentio.loyalty.metrics.facts import LoyaltyFacts, loyalty_facts
    from retentio.loyalty.metrics.report import (
        LoyaltyReport,
        build_loyalty_report,
        build_loyalty_reports,
        loyalty_report_document,
    )
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
    from retentio.loyalty.referrals.consumer import ReferralsConsumer
    from retentio.loyalty.referrals.errors import ReferralError, ReferralsOff
    from retentio.loyalty.referrals.issue import ReferralCode, do_issue_referral_code
    from retentio.loyalty.referrals.reads import Friend as ReferralFriend
    from retentio.loyalty.referrals.reads import ReferralView, get_referral
    from retentio.loyalty.referrals.reads import RefusalRecord as ReferralRefusal
    from retentio.loyalty.referrals.reads import list_refusals as list_referral_refusals
    from retentio.loyalty.referrals.reward import RewardRun as ReferralRewardRun
    from retentio.loyalty.referrals.reward import do_reward_referrals
    from retentio.loyalty.referrals.rules import RefusalReason as ReferralRefusalReason
    from retentio.loyalty.referrals.upkeep import referral_kinds, start_referral_upkeep
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
    "CHECKOUT_CONSUMER",
    "LOYALTY_CATALOGUE",
    "MERGES_CONSUMER",
    "ZERO_POINTS",
    "Accrual",
    "AccruedMany",
    "ActionDone",
    "ActionPoints",
    "Balance",
    "Calculation",
    "Cart",
    "CartLine",
    "CheckoutConflict",
    "CheckoutConsumer",
    "CheckoutError",
    "CheckoutLine",
    "CheckoutNotFound",
    "CheckoutRequest",
    "CheckoutReservation",
    "ClubConsumer",
    "ClubError",
    "ClubMembership",
    "ClubRun",
    "ClubTerm",
    "ClubView",
    "CodesRefused",
    "Coupon",
    "CouponCustomer",
    "CouponError",
    "CouponReason",
    "CouponRefused",
    "CouponRules",
    "DailyEarning",
    "DebtPolicy",
    "Discount",
    "EarningLine",
    "EntryKind",
    "GiftCard",
    "GiftCardChange",
    "GiftCardEntry",
    "GiftCardError",
    "GiftCardExpired",
    "GiftCardHold",
    "GiftCardNotFound",
    "GiftCardOffer",
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
    "LoyaltyConsumer",
    "LoyaltyFacts",
    "LoyaltyMergesConsumer",
    "LoyaltyReport",
    "MemberStanding",
    "NextTier",
    "NightlyResult",
    "NotEnoughPoints",
    "NotToIncentivize",
    "OrderPoints",
    "PointsSummary",
    "Pool",
    "PoolDefinition",
    "PoolNotFound",
    "PoolStats",
    "Posted",
    "Programme",
    "Purchase",
    "Redeemable",
    "ReferralCode",
    "ReferralError",
    "ReferralFriend",
    "ReferralRefusal",
    "ReferralRefusalReason",
    "ReferralRewardRun",
    "ReferralView",
    "ReferralsConsumer",
    "ReferralsOff",
    "Reservation",
    "ReservationEnded",
    "ReservationNotFound",
    "ReserveRequest",
    "RewardRefusal",
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
    "automatic_promotions",
    "build_loyalty_report",
    "build_loyalty_reports",
    "calculate_checkout",
    "checkout_document",
    "checkout_kinds",
    "club_kinds",
    "club_members",
    "coupon_upkeep_kinds",
    "decide_checkout",
    "display",
    "do_accrue",
    "do_accrue_many",
    "do_adjust",
    "do_capture",
    "do_club_upkeep",
    "do_commit",
    "do_commit_checkout",
    "do_create_pool",
    "do_daily_earning",
    "do_end_club_term",
    "do_expire",
    "do_generate_codes",
    "do_hold",
    "do_issue",
    "do_issue_code",
    "do_issue_referral_code",
    "do_join_club",
    "do_nightly",
    "do_note_checkout_guessing",
    "do_rebuild_balances",
    "do_redeem",
    "do_refund",
    "do_refund_checkout",
    "do_release",
    "do_release_checkout",
    "do_release_hold",
    "do_reserve",
    "do_reserve_checkout",
    "do_reverse",
    "do_reward_referrals",
    "do_spend",
    "do_top_up",
    "do_transfer",
    "do_validate",
    "earning_kinds",
    "evaluate_tier",
    "expired_by_inactivity",
    "export_csv",
    "get_balance",
    "get_checkout_reservation",
    "get_club",
    "get_gift_card",
    "get_pool",
    "get_referral",
    "get_reservation",
    "gift_card_entries",
    "inactivity_expiry",
    "initial_status",
    "is_club_member",
    "ledger_kinds",
    "list_entries",
    "list_referral_refusals",
    "list_refusals",
    "load_loyalty_config",
    "lot_dates",
    "loyalty_facts",
    "loyalty_report_document",
    "max_redeemable",
    "member_standing",
    "member_tiers",
    "money_to_points",
    "move_points_of_merged",
    "needs_guessing_note",
    "next_tier",
    "nightly_hook",
    "normalise",
    "points_for_action",
    "points_for_order",
    "points_summaries",
    "points_to_money",
    "pool_codes",
    "pool_stats",
    "read_checkout_facts",
    "rebuilt_balance",
    "referral_kinds",
    "release_expired",
    "spread_order_discount",
    "start_club_upkeep",
    "start_coupon_upkeep",
    "start_earning_upkeep",
    "start_ledger_upkeep",
    "start_referral_upkeep",
    "used_up_codes",
    "why_not",
]

_EXPORTS = {
    "retentio.loyalty.checkout.answer": ["calculate_checkout"],
    "retentio.loyalty.checkout.consumer": ["CHECKOUT_CONSUMER", "CheckoutConsumer"],
    "retentio.loyalty.checkout.decide": ["calculate as decide_checkout"],
    "retentio.loyalty.checkout.document": ["as_document as checkout_document"],
    "retentio.loyalty.checkout.errors": [
        "CheckoutConflict",
        "CheckoutError",
        "CheckoutNotFound",
        "CodesRefused",
    ],
    "retentio.loyalty.checkout.facts": ["read_facts as read_checkout_facts"],
    "retentio.loyalty.checkout.guessing": ["do_note_checkout_guessing", "needs_guessing_note"],
    "retentio.loyalty.checkout.lifecycle": [
        "do_commit_checkout",
        "do_refund_checkout",
        "do_release_checkout",
    ],
    "retentio.loyalty.checkout.model": ["Calculation", "CheckoutLine", "CheckoutRequest", "GiftCardOffer"],
    "retentio.loyalty.checkout.reserve": [
        "CheckoutReservation",
        "ReserveRequest",
        "do_reserve_checkout",
        "get_checkout_reservation",
    ],
    "retentio.loyalty.checkout.upkeep": ["checkout_kinds"],
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
    "retentio.loyalty.coupons.issue": [
        "IssuedCode",
        "NotToIncentivize",
        "do_issue_code",
        "used_up as used_up_codes",
    ],
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
    "retentio.loyalty.coupons.promotions": ["automatic_promotions"],
    "retentio.loyalty.coupons.upkeep": ["coupon_upkeep_kinds", "start_coupon_upkeep"],
    "retentio.loyalty.coupons.validate": ["GuessingLimit", "Validation", "do_validate"],
    "retentio.loyalty.earning.actions": ["Refusal as RewardRefusal", "list_refusals"],
    "retentio.loyalty.earning.consumer": ["LoyaltyConsumer"],
    "retentio.loyalty.earning.daily": [
        "DailyResult as DailyEarning",
        "do_daily_earning",
        "earning_kinds",
        "start_earning_upkeep",
    ],
    "retentio.loyalty.earning.standing": ["MemberStanding", "member_standing", "member_tiers"],
    "retentio.loyalty.gift_cards.errors": [
        "GiftCardError",
        "GiftCardExpired",
        "GiftCardNotFound",
        "InsufficientBalance",
        "WrongCurrency",
    ],
    "retentio.loyalty.gift_cards.holds": ["Hold as GiftCardHold", "do_capture", "do_hold", "do_release_hold"],
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
    "retentio.loyalty.ledger.summaries": ["ZERO_POINTS", "PointsSummary", "points_summaries"],
    "retentio.loyalty.ledger.upkeep": ["ledger_kinds", "nightly_hook", "start_ledger_upkeep"],
    "retentio.loyalty.metrics.catalogue": ["LOYALTY_CATALOGUE"],
    "retentio.loyalty.metrics.facts": ["LoyaltyFacts", "loyalty_facts"],
    "retentio.loyalty.metrics.report": [
        "LoyaltyReport",
        "build_loyalty_report",
        "build_loyalty_reports",
        "loyalty_report_document",
    ],
    "retentio.loyalty.club.consumer": ["ClubConsumer"],
    "retentio.loyalty.club.reads": ["ClubView", "club_members", "get_club", "is_club_member"],
    "retentio.loyalty.club.service": [
        "ClubError",
        "Membership as ClubMembership",
        "do_end_club_term",
        "do_join_club",
    ],
    "retentio.loyalty.club.terms": ["Term as ClubTerm"],
    "retentio.loyalty.club.upkeep": ["ClubRun", "club_kinds", "do_club_upkeep", "start_club_upkeep"],
    "retentio.loyalty.referrals.consumer": ["ReferralsConsumer"],
    "retentio.loyalty.referrals.errors": ["ReferralError", "ReferralsOff"],
    "retentio.loyalty.referrals.issue": ["ReferralCode", "do_issue_referral_code"],
    "retentio.loyalty.referrals.reads": [
        "Friend as ReferralFriend",
        "ReferralView",
        "RefusalRecord as ReferralRefusal",
        "get_referral",
        "list_refusals as list_referral_refusals",
    ],
    "retentio.loyalty.referrals.reward": ["RewardRun as ReferralRewardRun", "do_reward_referrals"],
    "retentio.loyalty.referrals.rules": ["RefusalReason as ReferralRefusalReason"],
    "retentio.loyalty.referrals.upkeep": ["referral_kinds", "start_referral_upkeep"],
    "retentio.loyalty.ledger.transfer": ["do_transfer"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
