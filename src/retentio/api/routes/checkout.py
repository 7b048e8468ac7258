"""``/v1/checkout``: the one call a shop makes from its cart (``calculate``), and reservations that
hold what the cart uses until the order commits them (docs/checkout.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import HTTPException, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field

from retentio.api.deps import ClockDep, EngineDep, LoyaltyDep, ReaderDep
from retentio.api.schemas import NO_NUL
from retentio.loyalty import (
    CheckoutConflict,
    CheckoutError,
    CheckoutLine,
    CheckoutNotFound,
    CheckoutRequest,
    CheckoutReservation,
    CodesRefused,
    GiftCardOffer,
    ReserveRequest,
    calculate_checkout,
    checkout_document,
    do_commit_checkout,
    do_note_checkout_guessing,
    do_release_checkout,
    do_reserve_checkout,
    get_checkout_reservation,
    needs_guessing_note,
)

ReservationId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The reservation's id.")]
Text = Annotated[str, Field(min_length=1, max_length=128, pattern=NO_NUL)]
Money = Annotated[
    Decimal, Field(ge=0, le=Decimal("1e12"), allow_inf_nan=False, max_digits=16, decimal_places=4)
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["RUB"])]


class LineBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Text
    quantity: int = Field(ge=1, le=1_000_000)
    price: Money = Field(description="One unit's price.")
    category: Text | None = None


class CartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: Currency
    lines: list[LineBody] = Field(min_length=1, max_length=1_000)


class GiftCardBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=100)
    amount: Money | None = Field(
        None, description="What to pay with it; null: as much as it and the order allow."
    )


class CalculateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: Text | None = Field(None, description="Null for an anonymous cart (no points).")
    cart: CartBody
    codes: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field([], max_length=20)
    gift_cards: list[GiftCardBody] = Field([], max_length=20)
    points: int = Field(0, ge=0, le=10**12, description="Points the customer wants to pay with.")
    segments: list[Text] = Field([], max_length=1_000, description="The customer's segments, as plain data.")
    programme: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    def request(self, address: str | None) -> CheckoutRequest:
        return CheckoutRequest(
            customer_id=self.customer_id,
            currency=self.cart.currency,
            lines=tuple(CheckoutLine(li.sku, li.quantity, li.price, li.category) for li in self.cart.lines),
            codes=tuple(self.codes),
            gift_cards=tuple(GiftCardOffer(card.code, card.amount) for card in self.gift_cards),
            points=self.points,
            segments=frozenset(self.segments),
            programme=self.programme,
            address=address,
        )


class ReserveBody(CalculateBody):
    request_key: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)] = Field(
        description="Your key for this attempt: sent again, it returns the same reservation."
    )
    cart_id: Text
    hold_seconds: int = Field(900, ge=1, le=86_400, description="How long the reservation holds (15 min).")
    order_id: Text | None = Field(
        None, description="The order's id, if known now: its order_placed event then commits the reservation."
    )


class CommitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: Text


class LinePublic(BaseModel):
    sku: str
    category: str | None
    quantity: int
    price: Decimal
    total: Decimal
    discount: Decimal
    points_value: Decimal
    to_pay: Decimal


class AppliedPublic(BaseModel):
    kind: str = Field(description="`coupon` (an offered code) or `promotion` (automatic).")
    pool_id: int
    code: str | None
    name: str | None
    discount: Decimal
    free_shipping: bool
    line_discounts: list[Decimal]


class RefusedPublic(BaseModel):
    kind: str = Field(description="`coupon` or `gift_card`.")
    index: int
    field: str = Field(description="`codes[i]` or `gift_cards[i]`.")
    code: str
    reason: str = Field(description="The rule: `expired`, `used_up`, `not_stackable`, `unknown_code`, …")
    message: str


class PointsPublic(BaseModel):
    balance: int
    most: int = Field(description="The most points that may pay this cart.")
    refused: str | None
    used: int
    value: Decimal
    earned: int


class GiftCardUsePublic(BaseModel):
    code: str
    available: Decimal
    amount: Decimal


class TierPublic(BaseModel):
    id: str
    name: str
    multiplier: Decimal
    max_redeem_share_percent: Decimal | None
    privileges: list[str]


class CalculationPublic(BaseModel):
    programme: str | None
    currency: str
    lines: list[LinePublic]
    applied: list[AppliedPublic]
    refused: list[RefusedPublic]
    subtotal: Decimal
    discount: Decimal
    points: PointsPublic
    gift_cards: list[GiftCardUsePublic]
    to_pay: Decimal
    free_shipping: bool
    tier: TierPublic | None


class ReservationPublic(BaseModel):
    id: int
    request_key: str
    cart_id: str
    customer_id: str | None
    state: str = Field(description="`reserved`, `committed`, `released` or `refunded`.")
    order_id: str | None
    points: int
    reserved_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    calculation: CalculationPublic

    @classmethod
    def of(cls, reservation: CheckoutReservation) -> ReservationPublic:
        fields: dict[str, Any] = {name: getattr(reservation, name) for name in cls.model_fields}
        fields["calculation"] = CalculationPublic.model_validate(reservation.calculation)
        return cls(**fields)


def post_calculate(
    body: CalculateBody,
    request: Request,
    engine: EngineDep,
    reader: ReaderDep,
    clock: ClockDep,
    loyalty: LoyaltyDep,
) -> CalculationPublic:
    """Everything the cart gets, in one answer; holds nothing. Each offered code that does not apply
    is in `refused` with its rule; input that cannot be answered is a 422 naming the field and rule.
    Unknown codes count against guessing, as on `/v1/coupons/validate`."""
    checkout = body.request(_address(request))
    now = clock.now()
    try:
        with reader.connect() as connection:
            calculation = calculate_checkout(connection, checkout, loyalty, now)
    except CheckoutError as error:
        raise _error(error) from None
    if needs_guessing_note(calculation.refused):
        with engine.begin() as connection:
            do_note_checkout_guessing(connection, checkout, calculation.refused, now)
    return CalculationPublic.model_validate(checkout_document(calculation))


def post_reservation(
    body: ReserveBody, request: Request, engine: EngineDep, clock: ClockDep, loyalty: LoyaltyDep
) -> ReservationPublic:
    """Hold the coupon uses, points and gift card amounts of the cart's calculation, all or nothing.
    Any offered code that does not apply is a 422 naming it and its rule, and nothing is held."""
    checkout = body.request(_address(request))
    hold = timedelta(seconds=body.hold_seconds)
    reserve = ReserveRequest(checkout, body.request_key, body.cart_id, hold, body.order_id)
    now = clock.now()
    try:
        with engine.begin() as connection:
            reservation = do_reserve_checkout(connection, reserve, loyalty, now)
    except CodesRefused as refused:
        if needs_guessing_note(refused.refused):  # the refusal rolled back: noted on its own
            with engine.begin() as connection:
                do_note_checkout_guessing(connection, checkout, refused.refused, now)
        raise _error(refused) from None
    except CheckoutError as error:
        raise _error(error) from None
    return ReservationPublic.of(reservation)


def get_reservation(reservation_id: ReservationId, reader: ReaderDep) -> ReservationPublic:
    try:
        with reader.connect() as connection:
            return ReservationPublic.of(get_checkout_reservation(connection, reservation_id))
    except CheckoutError as error:
        raise _error(error) from None


def post_commit(
    reservation_id: ReservationId, body: CommitBody, engine: EngineDep, clock: ClockDep
) -> ReservationPublic:
    """The order is placed: the holds become spends. Again with the same order: the same answer;
    after a release or the timeout, or with another order: 409."""
    try:
        with engine.begin() as connection:
            reservation = do_commit_checkout(connection, reservation_id, body.order_id, clock.now())
    except CheckoutError as error:
        raise _error(error) from None
    return ReservationPublic.of(reservation)


def post_release(reservation_id: ReservationId, engine: EngineDep, clock: ClockDep) -> ReservationPublic:
    """Give back what the reservation holds (the cart was abandoned). Again: the same answer. A
    committed reservation: 409 — cancel the order (`order_cancelled`), which refunds it."""
    try:
        with engine.begin() as connection:
            do_release_checkout(connection, reservation_id, "released", clock.now())
            reservation = get_checkout_reservation(connection, reservation_id)
    except CheckoutError as error:
        raise _error(error) from None
    return ReservationPublic.of(reservation)


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _error(error: CheckoutError) -> HTTPException:
    if isinstance(error, CheckoutNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, error.message)
    if isinstance(error, CheckoutConflict):
        return HTTPException(
            status.HTTP_409_CONFLICT, [{"field": error.field, "rule": error.rule, "message": error.message}]
        )
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        [{"field": error.field, "rule": error.rule, "message": error.message}],
    )
