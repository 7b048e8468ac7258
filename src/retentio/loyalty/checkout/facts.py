"""The checkout's one read at the edge: the programme for the cart, the customer's points and tier,
the offered codes and gift cards, and the automatic promotions — everything ``decide.calculate``
needs, read in the caller's transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection

from retentio.loyalty.checkout.errors import CheckoutError
from retentio.loyalty.checkout.model import (
    CheckoutRequest,
    Facts,
    GiftCardFacts,
    OfferedCoupon,
    OfferedGiftCard,
    Promotion,
)
from retentio.loyalty.club.reads import is_club_member
from retentio.loyalty.coupons.codes import normalise
from retentio.loyalty.coupons.errors import InvalidCode
from retentio.loyalty.coupons.lookup import customer_uses, find_coupon, lapsed_holds
from retentio.loyalty.coupons.promotions import automatic_promotions
from retentio.loyalty.coupons.validate import blocked_subjects
from retentio.loyalty.earning.standing import member_tiers
from retentio.loyalty.gift_cards.errors import GiftCardError
from retentio.loyalty.gift_cards.service import get_gift_card
from retentio.loyalty.ledger.errors import UnknownCustomer
from retentio.loyalty.ledger.reads import get_balance
from retentio.loyalty.programmes.settings import LoyaltyConfig, Programme
from retentio.loyalty.tiers.definition import Level

CLUB_SEGMENT = "club"


def read_facts(
    connection: Connection, request: CheckoutRequest, config: LoyaltyConfig, now: datetime
) -> Facts:
    programme = choose_programme(config, request)
    customer_id = request.customer_id
    balance = 0
    tier = None
    memberships: frozenset[str] = frozenset()
    if programme is not None and customer_id is not None:
        balance = _available_points(connection, programme.id, customer_id, now)
        tier = current_tier(connection, programme, customer_id)
        if is_club_member(connection, programme.id, customer_id, now):
            memberships = frozenset({CLUB_SEGMENT})
    return Facts(
        programme=programme,
        tier=tier,
        balance=balance,
        coupons=_coupons(connection, request, now),
        promotions=tuple(
            Promotion(pool.id, pool.name, pool.rules)
            for pool in automatic_promotions(connection, request.currency, now)
        ),
        gift_cards=tuple(_gift_card(connection, offer.code, offer.amount) for offer in request.gift_cards),
        memberships=memberships,
    )


def choose_programme(config: LoyaltyConfig, request: CheckoutRequest) -> Programme | None:
    """The programme named, else the only one, else the one counting in the cart's currency."""
    if request.programme is not None:
        found = config.programmes.get(request.programme)
        if found is None:
            names = ", ".join(sorted(config.programmes))
            raise CheckoutError(
                "programme", "unknown_programme", f"no programme {request.programme!r}; there are {names}"
            )
        return found
    if len(config.programmes) == 1:
        return next(iter(config.programmes.values()))
    in_currency = [p for p in config.programmes.values() if p.currency == request.currency]
    return in_currency[0] if len(in_currency) == 1 else None


def current_tier(connection: Connection, programme: Programme, customer_id: str) -> Level | None:
    """The member's tier as the loyalty consumer keeps it; a customer who is not a member yet holds
    the programme's lowest level (what they would be enrolled with at their first order)."""
    if programme.tiers is None:
        return None
    return member_tiers(connection, programme, [customer_id]).get(customer_id, programme.tiers.levels[0])


def _available_points(connection: Connection, programme: str, customer_id: str, now: datetime) -> int:
    try:
        return get_balance(connection, programme, customer_id, now).available
    except UnknownCustomer:
        return 0  # a customer the shop has not sent yet has no points


def _coupons(connection: Connection, request: CheckoutRequest, now: datetime) -> tuple[OfferedCoupon, ...]:
    """The offered codes, unless the customer or the address is past the guessing limit (as for
    ``/v1/coupons/validate``): then none is looked up."""
    if request.codes and blocked_subjects(connection, request.customer_id, request.address, now):
        message = "too many wrong codes; try again later"
        return tuple(
            OfferedCoupon(typed, None, problem="too_many_attempts", problem_message=message)
            for typed in request.codes
        )
    return tuple(_coupon(connection, typed, request.customer_id, now) for typed in request.codes)


def _coupon(connection: Connection, typed: str, customer_id: str | None, now: datetime) -> OfferedCoupon:
    try:
        code = normalise(typed)
    except InvalidCode as error:
        return OfferedCoupon(typed, None, problem="invalid_code", problem_message=error.message)
    found = find_coupon(connection, code)
    if found is None:
        return OfferedCoupon(typed, None, problem="unknown_code", problem_message="no such code")
    coupon_id, coupon = found
    limit = coupon.rules.uses_per_code
    if limit is not None and coupon.uses >= limit:
        coupon = replace(coupon, uses=coupon.uses - lapsed_holds(connection, coupon_id, now))
    if coupon.rules.uses_per_customer is None:
        return OfferedCoupon(typed, coupon)  # no count of the customer's uses to check
    return OfferedCoupon(typed, coupon, customer_uses(connection, coupon.pool_id, customer_id))


def _gift_card(connection: Connection, typed: str, wanted: Decimal | None) -> OfferedGiftCard:
    try:
        card = get_gift_card(connection, typed)
    except GiftCardError as error:
        return OfferedGiftCard(typed, wanted, None, error.message)
    return OfferedGiftCard(
        typed, wanted, GiftCardFacts(card.code, card.currency, card.available, card.expires_at)
    )
