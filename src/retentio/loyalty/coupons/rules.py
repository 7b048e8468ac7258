"""What a coupon asks of a cart and a customer, and ``why_not``: the one pure check, returning the
first rule a use would break (or ``None``). The checkout and the reservation both call it.

Stacking: an *exclusive* coupon goes alone; the others stack only with coupons of their own
*group* (two coupons of group ``"basket"`` combine; a ``"basket"`` and a ``"shipping"`` one do not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Reason(StrEnum):
    """Why a code does not apply: the closed list, each naming its rule, in the order they are checked."""

    NOT_YET_VALID = "not_yet_valid"  # valid_from is later
    EXPIRED = "expired"  # valid_until has passed
    USED_UP = "used_up"  # uses_per_code reached
    CUSTOMER_REQUIRED = "customer_required"  # a personal code or a per-customer limit, anonymous cart
    NOT_THIS_CUSTOMERS_CODE = "not_this_customers_code"  # a personal code bound to someone else
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"  # uses_per_customer reached
    SEGMENT_NOT_ELIGIBLE = "segment_not_eligible"  # segments: the customer is in none of them
    WRONG_CURRENCY = "wrong_currency"  # the cart's currency is not the coupon's
    NO_ELIGIBLE_ITEMS = "no_eligible_items"  # skus/categories: no line of the cart matches
    BELOW_MINIMUM_ORDER = "below_minimum_order"  # minimum_order: the eligible lines sum to less
    NOT_STACKABLE = "not_stackable"  # stacking: exclusive, or another group already applied


MESSAGES = {
    Reason.NOT_YET_VALID: "the code is not valid yet",
    Reason.EXPIRED: "the code has expired",
    Reason.USED_UP: "the code has been used up",
    Reason.CUSTOMER_LIMIT_REACHED: "the customer has used this coupon as often as allowed",
    Reason.CUSTOMER_REQUIRED: "the code needs a known customer",
    Reason.NOT_THIS_CUSTOMERS_CODE: "the code belongs to another customer",
    Reason.SEGMENT_NOT_ELIGIBLE: "the customer is in none of the coupon's segments",
    Reason.WRONG_CURRENCY: "the cart is in another currency than the coupon",
    Reason.NO_ELIGIBLE_ITEMS: "no item of the cart is one the coupon covers",
    Reason.BELOW_MINIMUM_ORDER: "the cart is below the coupon's minimum order",
    Reason.NOT_STACKABLE: "the code cannot be combined with the coupons already applied",
}


@dataclass(frozen=True, slots=True)
class Discount:
    """What the coupon gives: a percentage off the eligible lines, a fixed amount, free shipping."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    free_shipping: bool = False


@dataclass(frozen=True, slots=True)
class Stacking:
    exclusive: bool = False
    group: str = "default"


@dataclass(frozen=True, slots=True)
class CouponRules:
    """A pool's definition: every code of the pool carries it."""

    currency: str
    discount: Discount
    uses_per_code: int | None = 1  # None: unlimited; 1: single-use
    uses_per_customer: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    minimum_order: Decimal | None = None
    skus: frozenset[str] = frozenset()  # empty: every SKU
    categories: frozenset[str] = frozenset()  # empty: every category
    segments: frozenset[str] = frozenset()  # empty: every customer
    stacking: Stacking = Stacking()


@dataclass(frozen=True, slots=True)
class Coupon:
    """One code as the check sees it: its pool's rules, its owner and how often it is used."""

    code: str
    pool_id: int
    rules: CouponRules
    customer_id: str | None = None  # a personal code
    uses: int = 0  # reserved and committed uses of this code


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    quantity: int
    unit_price: Decimal
    category: str | None = None

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Cart:
    currency: str
    lines: tuple[CartLine, ...]
    applied: tuple[Stacking, ...] = ()  # the coupons already on the cart


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """The customer as plain data: who (None: anonymous), their segments, their uses of this pool."""

    customer_id: str | None
    segments: frozenset[str] = field(default_factory=frozenset)
    uses_of_pool: int = 0


def why_not(coupon: Coupon, cart: Cart, customer: CustomerFacts, now: datetime) -> Reason | None:
    """The first rule using ``coupon`` on ``cart`` would break, or None when it applies."""
    rules = coupon.rules
    if rules.valid_from is not None and now < rules.valid_from:
        return Reason.NOT_YET_VALID
    if rules.valid_until is not None and now >= rules.valid_until:
        return Reason.EXPIRED
    if rules.uses_per_code is not None and coupon.uses >= rules.uses_per_code:
        return Reason.USED_UP
    if customer.customer_id is None and (coupon.customer_id is not None or rules.uses_per_customer):
        return Reason.CUSTOMER_REQUIRED
    if coupon.customer_id is not None and coupon.customer_id != customer.customer_id:
        return Reason.NOT_THIS_CUSTOMERS_CODE
    if rules.uses_per_customer is not None and customer.uses_of_pool >= rules.uses_per_customer:
        return Reason.CUSTOMER_LIMIT_REACHED
    if rules.segments and not rules.segments & customer.segments:
        return Reason.SEGMENT_NOT_ELIGIBLE
    if cart.currency != rules.currency:
        return Reason.WRONG_CURRENCY
    eligible = eligible_lines(rules, cart.lines)
    if not eligible:
        return Reason.NO_ELIGIBLE_ITEMS
    if rules.minimum_order is not None and sum(line.total for line in eligible) < rules.minimum_order:
        return Reason.BELOW_MINIMUM_ORDER
    if not stacks_with(rules.stacking, cart.applied):
        return Reason.NOT_STACKABLE
    return None


def eligible_lines(rules: CouponRules, lines: Sequence[CartLine]) -> list[CartLine]:
    """The lines the coupon covers: all of them unless it names SKUs or categories (either matches)."""
    if not rules.skus and not rules.categories:
        return list(lines)
    return [line for line in lines if line.sku in rules.skus or line.category in rules.categories]


def stacks_with(stacking: Stacking, applied: Sequence[Stacking]) -> bool:
    if not applied:
        return True
    if stacking.exclusive or any(other.exclusive for other in applied):
        return False
    return all(other.group == stacking.group for other in applied)
