"""What the checkout decides from and what it answers: the shop's request, the facts read once at
the edge, and the calculation. Money is ``Decimal`` in the cart's currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from retentio.loyalty.coupons.rules import Coupon, CouponRules
from retentio.loyalty.programmes.settings import Programme
from retentio.loyalty.tiers.definition import Level


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    sku: str
    quantity: int
    price: Decimal  # one unit's price
    category: str | None = None


@dataclass(frozen=True, slots=True)
class GiftCardOffer:
    code: str  # as typed
    amount: Decimal | None = None  # None: as much as the card holds and the order still costs


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """What the shop sends from its cart."""

    customer_id: str | None
    currency: str
    lines: tuple[CheckoutLine, ...]
    codes: tuple[str, ...] = ()  # coupon codes as the customer typed them
    gift_cards: tuple[GiftCardOffer, ...] = ()
    points: int = 0  # points the customer wants to pay with
    segments: frozenset[str] = frozenset()  # the customer's segments, as plain data
    programme: str | None = None  # None: the only programme, or the one in the cart's currency
    address: str | None = None  # the caller's address: wrong codes from it count against guessing


@dataclass(frozen=True, slots=True)
class OfferedCoupon:
    """An offered code as read: the coupon (None when unknown or malformed, ``problem`` says
    which) and the customer's uses of its pool."""

    typed: str
    coupon: Coupon | None
    uses_of_pool: int = 0
    problem: Literal["unknown_code", "invalid_code", "too_many_attempts"] | None = None
    problem_message: str = ""


@dataclass(frozen=True, slots=True)
class Promotion:
    """An automatic promotion: a pool flagged ``automatic``, applied without a code."""

    pool_id: int
    name: str
    rules: CouponRules


@dataclass(frozen=True, slots=True)
class GiftCardFacts:
    code: str  # as printed
    currency: str
    available: Decimal  # the balance less what other checkouts hold
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class OfferedGiftCard:
    typed: str
    amount: Decimal | None
    card: GiftCardFacts | None  # None: no such card
    problem_message: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the decision needs, read in one place (``facts.read_facts``)."""

    programme: Programme | None
    tier: Level | None
    balance: int  # the customer's available points (0 for an anonymous cart)
    coupons: tuple[OfferedCoupon, ...] = ()
    promotions: tuple[Promotion, ...] = ()
    gift_cards: tuple[OfferedGiftCard, ...] = ()
    # Segments Retentio knows the customer is in besides the request's: ``club`` while their
    # membership of the programme's club runs (a pool restricted to it is the club's own offer).
    memberships: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class LineAnswer:
    sku: str
    category: str | None
    quantity: int
    price: Decimal
    total: Decimal  # quantity × price
    discount: Decimal  # from coupons and promotions
    points_value: Decimal  # the share of the order the points pay
    to_pay: Decimal  # total − discount − points_value (gift cards pay from the order's total)


@dataclass(frozen=True, slots=True)
class Applied:
    """A coupon or promotion on the cart, and what it takes off each line."""

    kind: Literal["coupon", "promotion"]
    pool_id: int
    code: str | None  # the code as offered; None for a promotion
    name: str | None  # the promotion's pool name; None for a coupon
    discount: Decimal
    free_shipping: bool
    line_discounts: tuple[Decimal, ...]


@dataclass(frozen=True, slots=True)
class Refused:
    """An offered code that does not apply, and why (a coupon ``Reason`` value, or one of
    ``unknown_code``, ``invalid_code``, ``duplicate``, ``unknown_gift_card``, ``wrong_currency``,
    ``expired``, ``no_balance``, ``insufficient_balance``, ``too_many_attempts``)."""

    kind: Literal["coupon", "gift_card"]
    index: int  # its place in the request's ``codes`` or ``gift_cards``
    code: str  # as typed
    reason: str
    message: str

    @property
    def field(self) -> str:
        return f"{'codes' if self.kind == 'coupon' else 'gift_cards'}[{self.index}]"


@dataclass(frozen=True, slots=True)
class PointsAnswer:
    balance: int
    most: int  # the most points that may pay this cart (share, balance, minimums)
    refused: str | None  # why none may (``no_points``, ``order_below_minimum``…)
    used: int
    value: Decimal
    earned: int  # what the order earns, after discounts and points, with the tier's multiplier


@dataclass(frozen=True, slots=True)
class GiftCardUse:
    code: str  # as printed
    available: Decimal
    amount: Decimal  # what it pays of this order


@dataclass(frozen=True, slots=True)
class TierAnswer:
    id: str
    name: str
    multiplier: Decimal
    max_redeem_share_percent: Decimal | None
    privileges: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Calculation:
    programme: str | None
    currency: str
    lines: tuple[LineAnswer, ...]
    applied: tuple[Applied, ...]
    refused: tuple[Refused, ...]
    subtotal: Decimal
    discount: Decimal
    points: PointsAnswer
    gift_cards: tuple[GiftCardUse, ...]
    to_pay: Decimal  # what is left for the shop's own payment
    free_shipping: bool
    tier: TierAnswer | None
