"""Reserving a checkout: in the caller's one transaction, calculate the cart on the facts read
inside it, refuse it whole if any offered code does not apply, then hold each coupon use
(``coupons.do_reserve``), redeem the points (ledger source ``checkout:<id>``) and hold each gift
card amount (``gift_cards.do_hold``). Any of them failing raises and the transaction rolls back, so a
refused reservation leaves no hold behind. The same request key returns the first reservation.

Rows are locked in one order on every checkout path: the reservation, then coupon rows, then the
customer's ledger balance, then gift cards."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from retentio.loyalty.checkout.announce import CHECKOUT_RESERVED, announce_checkout
from retentio.loyalty.checkout.decide import calculate
from retentio.loyalty.checkout.document import as_document
from retentio.loyalty.checkout.errors import CheckoutError, CheckoutNotFound, CodesRefused
from retentio.loyalty.checkout.facts import read_facts
from retentio.loyalty.checkout.model import Calculation, CheckoutRequest
from retentio.loyalty.checkout.tables import checkout_reservations as reservations
from retentio.loyalty.coupons.errors import CouponError, CouponRefused
from retentio.loyalty.coupons.redeem import do_reserve
from retentio.loyalty.coupons.rules import Cart, CartLine, CustomerFacts
from retentio.loyalty.gift_cards.errors import GiftCardError
from retentio.loyalty.gift_cards.holds import do_hold
from retentio.loyalty.ledger.errors import LedgerError
from retentio.loyalty.ledger.service import do_redeem
from retentio.loyalty.programmes.settings import LoyaltyConfig
from retentio.schedule import NewWork, enqueue

DEFAULT_HOLD = timedelta(minutes=15)
MAX_HOLD = timedelta(days=1)
# The timeout's release runs this long after a hold ends, so an order placed just before the end
# and read from the log a little later still commits (a commit counts the order's own time).
RELEASE_GRACE = timedelta(minutes=2)
EXPIRE_KIND = "loyalty.checkout.expire"


@dataclass(frozen=True, slots=True)
class ReserveRequest:
    """A calculation request, plus what the reservation needs: the shop's key for this attempt
    (the same key reserves once), its cart id, the hold's length and, optionally, the order id."""

    checkout: CheckoutRequest
    request_key: str
    cart_id: str
    hold: timedelta = DEFAULT_HOLD
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class CheckoutReservation:
    id: int
    request_key: str
    cart_id: str
    customer_id: str | None
    programme: str | None
    currency: str
    state: str  # reserved, committed, released, refunded
    order_id: str | None
    points: int
    coupon_uses: tuple[int, ...]
    gift_card_holds: tuple[int, ...]
    calculation: dict[str, Any]
    reserved_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str | None


def do_reserve_checkout(
    connection: Connection, reserve: ReserveRequest, config: LoyaltyConfig, now: datetime
) -> CheckoutReservation:
    """Hold everything the cart's calculation uses, or nothing (``CheckoutError`` naming the field
    and the rule)."""
    _check(reserve)
    fingerprint = _fingerprint(reserve)
    existing = _by_key(connection, reserve.request_key, fingerprint)
    if existing is not None:
        return existing
    request = reserve.checkout
    facts = read_facts(connection, request, config, now)
    calculation = calculate(request, facts, now)
    if calculation.refused:
        raise CodesRefused(calculation.refused)
    reservation_id = _insert(connection, reserve, fingerprint, calculation, now)
    if reservation_id is None:  # the same key, committed by a concurrent call meanwhile
        found = _by_key(connection, reserve.request_key, fingerprint)
        assert found is not None
        return found
    expires_at = now + reserve.hold
    uses = _hold_coupons(connection, reservation_id, reserve, calculation, facts.memberships, now)
    _redeem_points(connection, reservation_id, request, calculation, now)
    holds = _hold_gift_cards(connection, reservation_id, request, calculation, now, expires_at)
    connection.execute(
        update(reservations)
        .where(reservations.c.id == reservation_id)
        .values(coupon_uses=uses, gift_card_holds=holds)
    )
    enqueue(connection, [NewWork(EXPIRE_KIND, str(reservation_id), expires_at + RELEASE_GRACE)], now)
    announce_checkout(
        connection,
        CHECKOUT_RESERVED,
        reservation_id,
        request.customer_id,
        now,
        {"cart_id": reserve.cart_id, "points": calculation.points.used, "to_pay": str(calculation.to_pay)},
    )
    return get_checkout_reservation(connection, reservation_id)


def get_checkout_reservation(connection: Connection, reservation_id: int) -> CheckoutReservation:
    row = connection.execute(select(reservations).where(reservations.c.id == reservation_id)).one_or_none()
    if row is None:
        raise CheckoutNotFound(reservation_id)
    return reservation_of(row)


def reservation_of(row: Any) -> CheckoutReservation:
    return CheckoutReservation(
        id=row.id,
        request_key=row.request_key,
        cart_id=row.cart_id,
        customer_id=row.customer_id,
        programme=row.programme,
        currency=row.currency,
        state=row.state,
        order_id=row.order_id,
        points=row.points,
        coupon_uses=tuple(row.coupon_uses),
        gift_card_holds=tuple(row.gift_card_holds),
        calculation=dict(row.calculation),
        reserved_at=row.reserved_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
    )


def _check(reserve: ReserveRequest) -> None:
    if not reserve.request_key or len(reserve.request_key) > 200:
        raise CheckoutError("request_key", "length", "a request key has 1 to 200 characters")
    if not reserve.cart_id or len(reserve.cart_id) > 128:
        raise CheckoutError("cart_id", "length", "a cart id has 1 to 128 characters")
    if not timedelta(0) < reserve.hold <= MAX_HOLD:
        raise CheckoutError(
            "hold_seconds", "hold", f"a reservation is held for over 0 and at most {MAX_HOLD}"
        )
    if reserve.order_id is not None and not 1 <= len(reserve.order_id) <= 128:
        raise CheckoutError("order_id", "length", "an order id has 1 to 128 characters")


def _fingerprint(reserve: ReserveRequest) -> str:
    # Where the request came from is not part of it: a retry from another address is the same.
    checkout = replace(reserve.checkout, address=None)
    text = json.dumps([repr(checkout), reserve.cart_id, reserve.order_id, reserve.hold.total_seconds()])
    return hashlib.sha256(text.encode()).hexdigest()


def _by_key(connection: Connection, request_key: str, fingerprint: str) -> CheckoutReservation | None:
    row = connection.execute(
        select(reservations).where(reservations.c.request_key == request_key)
    ).one_or_none()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise CheckoutError(
            "request_key", "reused", "this request key was used for another cart or request; use a new key"
        )
    return reservation_of(row)


def _insert(
    connection: Connection, reserve: ReserveRequest, fingerprint: str, calculation: Calculation, now: datetime
) -> int | None:
    """The reservation's row, or None when a concurrent call with the same key got there first."""
    savepoint = connection.begin_nested()
    try:
        reservation_id = connection.execute(
            insert(reservations)
            .values(
                request_key=reserve.request_key,
                fingerprint=fingerprint,
                cart_id=reserve.cart_id,
                customer_id=reserve.checkout.customer_id,
                programme=calculation.programme,
                currency=calculation.currency,
                state="reserved",
                order_id=reserve.order_id,
                points=calculation.points.used,
                coupon_uses=[],
                gift_card_holds=[],
                calculation=as_document(calculation),
                reserved_at=now,
                expires_at=now + reserve.hold,
            )
            .returning(reservations.c.id)
        ).scalar_one()
    except IntegrityError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return int(reservation_id)


def _hold_coupons(
    connection: Connection,
    reservation_id: int,
    reserve: ReserveRequest,
    calculation: Calculation,
    memberships: frozenset[str],
    now: datetime,
) -> list[int]:
    request = reserve.checkout
    cart = Cart(
        request.currency, tuple(CartLine(li.sku, li.quantity, li.price, li.category) for li in request.lines)
    )
    customer = CustomerFacts(request.customer_id, request.segments | memberships)
    uses = []
    for applied in calculation.applied:
        if applied.code is None:
            continue  # an automatic promotion has no use to hold
        try:
            use = do_reserve(
                connection, applied.code, f"checkout:{reservation_id}", cart, customer, now, reserve.hold
            )
        except CouponRefused as refused:
            raise CheckoutError(_code_field(request, applied.code), refused.reason, refused.message) from None
        except CouponError as error:
            raise CheckoutError(_code_field(request, applied.code), "code", error.message) from None
        uses.append(use.id)
    return uses


def _code_field(request: CheckoutRequest, code: str) -> str:
    return f"codes[{request.codes.index(code)}]" if code in request.codes else "codes"


def _redeem_points(
    connection: Connection,
    reservation_id: int,
    request: CheckoutRequest,
    calculation: Calculation,
    now: datetime,
) -> None:
    if not calculation.points.used:
        return
    assert calculation.programme is not None and request.customer_id is not None
    try:
        do_redeem(
            connection,
            calculation.programme,
            request.customer_id,
            calculation.points.used,
            f"checkout:{reservation_id}",
            now,
            reason="checkout",
        )
    except LedgerError as error:
        raise CheckoutError("points", "balance", error.message) from None


def _hold_gift_cards(
    connection: Connection,
    reservation_id: int,
    request: CheckoutRequest,
    calculation: Calculation,
    now: datetime,
    expires_at: datetime,
) -> list[int]:
    holds = []
    for number, use in enumerate(calculation.gift_cards):
        if use.amount <= 0:
            continue
        try:
            hold = do_hold(
                connection,
                use.code,
                use.amount,
                request.currency,
                f"checkout:{reservation_id}:{number}",
                now,
                expires_at,
            )
        except GiftCardError as error:
            field = f"gift_cards[{number}]"
            rule = "insufficient_balance" if error.field == "amount" else error.field
            raise CheckoutError(field, rule, error.message) from None
        holds.append(hold.id)
    return holds
