"""The fixed properties of each built-in event type (CDP-3) — the contract integrations rely on.

Known properties are validated; extra properties are kept as sent, so a shop can attach its own
context without asking. Types outside this table must start with ``custom.``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from babel.numbers import list_currencies
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]
ShortText = Annotated[str, StringConstraints(max_length=1000)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), max_digits=16, decimal_places=4)]
Channel = Literal["email", "sms", "push", "web_push", "viber", "telegram", "onsite", "outbox", "web", "app"]
_CURRENCIES = frozenset(code for code in list_currencies() if len(code) == 3)


def _known_currency(code: str) -> str:
    upper = code.upper()
    if upper not in _CURRENCIES:
        raise ValueError(f"unknown currency {code!r}: use an ISO 4217 code such as RUB, EUR, USD")
    return upper


Currency = Annotated[str, AfterValidator(_known_currency)]


class Properties(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Item(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    sku: Id
    quantity: Annotated[int, Field(gt=0, le=1_000_000)]
    price: Money


class ProductViewed(Properties):
    sku: Id


class CategoryViewed(Properties):
    category: ShortText


class ContentViewed(Properties):
    url: ShortText | None = None
    title: ShortText | None = None


class Search(Properties):
    query: ShortText


class CartUpdated(Properties):
    cart_id: Id
    items: Annotated[list[Item], Field(max_length=1000)]


class CheckoutStarted(Properties):
    cart_id: Id


class OrderPlaced(Properties):
    order_id: Id
    items: Annotated[list[Item], Field(min_length=1, max_length=1000)]
    total: Money
    currency: Currency
    coupon: Id | None = None
    discount: Money = Decimal(0)
    # Referrals (docs/referrals-and-club.md): the code the buyer came with, and the shop's hashes of
    # the shipping address and the means of payment, which the fraud rules compare.
    referral_code: Id | None = None
    shipping_address_hash: Id | None = None
    payment_fingerprint: Id | None = None


class OrderRef(Properties):
    order_id: Id


class ReturnedItem(Item):
    """A returned line; ``line_no`` names the order line it takes back (1 = the order's first item)."""

    line_no: Annotated[int, Field(ge=1, le=1000)] | None = None


class OrderReturned(Properties):
    order_id: Id
    items: Annotated[list[ReturnedItem], Field(min_length=1, max_length=1000)]


class ChannelChange(Properties):
    """``kind``: only that kind of message on the channel (the preference page); none: the channel."""

    channel: Channel
    source: ShortText | None = None
    kind: Literal["marketing", "trigger"] | None = None


class AppOpened(Properties):
    platform: ShortText | None = None


class MessageEvent(Properties):
    message_id: Id
    channel: Channel
    url: ShortText | None = None
    reason: ShortText | None = None  # why not sent, failed or bounced
    provider_id: ShortText | None = None
    # An open made by a mail privacy proxy or a link scanner, not by the customer: not "seen".
    machine: bool = False


class ReviewSubmitted(Properties):
    rating: Annotated[int, Field(ge=1, le=5)]
    sku: Id | None = None
    text: Annotated[str, StringConstraints(max_length=10_000)] | None = None


class NpsAnswered(Properties):
    score: Annotated[int, Field(ge=0, le=10)]
    comment: Annotated[str, StringConstraints(max_length=10_000)] | None = None


class Referral(Properties):
    referral_code: Id
    referred_customer_id: Id | None = None


class LoyaltyJoined(Properties):
    """The customer joined a loyalty programme (the shop's sign-up form, a checkbox at checkout);
    without ``programme``, every programme that enrols on joining."""

    programme: Id | None = None


class SegmentMove(Properties):
    """A customer moved within a built-in family (lifecycle, ladder, rfm, bad_customer)."""

    family: ShortText
    from_: ShortText | None = Field(default=None, alias="from")
    to: ShortText | None = None
    reason: ShortText = ""


PROPERTY_MODELS: dict[str, type[Properties]] = {
    "product_viewed": ProductViewed,
    "category_viewed": CategoryViewed,
    "content_viewed": ContentViewed,
    "search": Search,
    "cart_updated": CartUpdated,
    "checkout_started": CheckoutStarted,
    "order_placed": OrderPlaced,
    "order_paid": OrderRef,
    "order_cancelled": OrderRef,
    "order_returned": OrderReturned,
    "subscribed": ChannelChange,
    "unsubscribed": ChannelChange,
    "app_opened": AppOpened,
    "session_started": AppOpened,
    "message_sent": MessageEvent,
    "message_failed": MessageEvent,
    "message_not_sent": MessageEvent,
    "message_delivered": MessageEvent,
    "message_undelivered": MessageEvent,
    "message_opened": MessageEvent,
    "message_clicked": MessageEvent,
    "message_bounced": MessageEvent,
    "message_complained": MessageEvent,
    "message_unsubscribed": MessageEvent,
    "review_submitted": ReviewSubmitted,
    "nps_answered": NpsAnswered,
    "referral": Referral,
    "loyalty_joined": LoyaltyJoined,
    "identify": Properties,
    "segment_entered": SegmentMove,
    "segment_exited": SegmentMove,
}

ORDER_EVENT_TYPES = frozenset({"order_placed", "order_paid", "order_cancelled", "order_returned"})
CUSTOM_PREFIX = "custom."
# Written by Retentio about a customer, not done by them: they never count as the customer's activity.
SYSTEM_EVENT_TYPES = frozenset(
    {
        "segment_entered",
        "segment_exited",
        "customer_merged",  # written by a merge (customers), about the survivor
        "message_sent",
        "message_failed",
        "message_not_sent",
        # coupons and gift cards (loyalty): the order that used them is the customer's activity
        "coupon_issued",
        "coupon_reserved",
        "coupon_redeemed",
        "coupon_released",
        "coupon_guessing_refused",
        "gift_card_issued",
        "gift_card_spent",
        "gift_card_topped_up",
        "gift_card_refunded",
        "gift_card_expired",
        "points_earned",
        "points_redeemed",
        "points_expired",
        "points_expiring",
        "tier_changed",
        # referrals and the membership club
        "referral_rewarded",
        "club_joined",
        "club_renewal_due",
        "club_lapsed",
        # the checkout (loyalty): the order is the customer's activity, not its reservation
        "checkout_reserved",
        "checkout_committed",
        "checkout_released",
        "checkout_refunded",
        "checkout_commit_refused",
        "checkout_refund_refused",
        # offers: the moments an offer is due (journeys act on them)
        "offer_due",
        "replenishment_due",
    }
)
