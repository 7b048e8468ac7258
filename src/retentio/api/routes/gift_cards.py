"""``/v1/gift-cards``: issue a card, read it with its entries, spend part of it, top it up, refund a
returned order's spend onto it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine

from retentio.api.deps import ClockDep, EngineDep, ReaderDep
from retentio.api.schemas import NO_NUL
from retentio.clock import Instant
from retentio.loyalty import (
    GiftCard,
    GiftCardChange,
    GiftCardEntry,
    GiftCardError,
    GiftCardNotFound,
    do_issue,
    do_refund,
    do_spend,
    do_top_up,
    get_gift_card,
    gift_card_entries,
)

Code = Annotated[str, Path(min_length=1, max_length=100, description="The card's code, dashes or not.")]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1e12"), allow_inf_nan=False, max_digits=16)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["RUB"])]
Key = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]


class GiftCardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency
    source_key: Key = Field(description="What paid for the card (an order id): issued once per key.")
    customer_id: str | None = Field(None, min_length=1, max_length=128, pattern=NO_NUL)
    expires_at: Instant | None = None


class SpendBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency
    source_key: Key = Field(description="The spend's source (an order and payment id): lands once.")
    order_id: str | None = Field(None, min_length=1, max_length=128, pattern=NO_NUL)


class TopUpBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency
    source_key: Key = Field(description="What paid for the top-up (a payment id): lands once.")


class RefundBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency
    source_key: Key = Field(description="The return or cancellation: lands once.")
    order_id: str = Field(
        min_length=1, max_length=128, pattern=NO_NUL, description="The order that spent it."
    )


class EntryPublic(BaseModel):
    kind: str
    amount: Decimal
    balance_after: Decimal
    source_key: str
    order_id: str | None
    at: datetime

    @classmethod
    def of(cls, entry: GiftCardEntry) -> EntryPublic:
        return cls(**{name: getattr(entry, name) for name in cls.model_fields})


class GiftCardPublic(BaseModel):
    code: str
    currency: str
    balance: Decimal
    customer_id: str | None
    expires_at: datetime | None
    created_at: datetime
    entries: list[EntryPublic] = []

    @classmethod
    def of(cls, card: GiftCard, entries: list[GiftCardEntry]) -> GiftCardPublic:
        return cls(
            code=card.code,
            currency=card.currency,
            balance=card.balance,
            customer_id=card.customer_id,
            expires_at=card.expires_at,
            created_at=card.created_at,
            entries=[EntryPublic.of(entry) for entry in entries],
        )


def post_gift_card(body: GiftCardCreate, engine: EngineDep, clock: ClockDep) -> GiftCardPublic:
    """Issue a card with its initial balance; the code is in the answer."""
    try:
        with engine.begin() as connection:
            card = do_issue(
                connection,
                body.amount,
                body.currency,
                body.source_key,
                clock.now(),
                body.customer_id,
                body.expires_at,
            )
            entries = gift_card_entries(connection, card.code)
    except GiftCardError as error:
        raise _error(error) from None
    return GiftCardPublic.of(card, entries)


def get_gift_card_record(code: Code, reader: ReaderDep) -> GiftCardPublic:
    try:
        with reader.connect() as connection:
            return GiftCardPublic.of(get_gift_card(connection, code), gift_card_entries(connection, code))
    except GiftCardError as error:
        raise _error(error) from None


def post_spend(code: Code, body: SpendBody, engine: EngineDep, clock: ClockDep) -> EntryPublic:
    """Take an amount off the card. More than the balance, another currency, an expired card: a 422
    naming the field, and nothing changes. The same `source_key` again returns the first answer."""
    try:
        with engine.begin() as connection:
            entry = do_spend(
                connection,
                code,
                GiftCardChange(body.amount, body.currency, body.source_key, body.order_id),
                clock.now(),
            )
    except GiftCardError as error:
        raise _error(error) from None
    return EntryPublic.of(entry)


def post_top_up(code: Code, body: TopUpBody, engine: EngineDep, clock: ClockDep) -> EntryPublic:
    """Add money to the card (not once it has expired)."""
    change = GiftCardChange(body.amount, body.currency, body.source_key)
    return _change(do_top_up, code, change, engine, clock.now())


def post_refund(code: Code, body: RefundBody, engine: EngineDep, clock: ClockDep) -> EntryPublic:
    """Give back what a returned or cancelled order spent from the card, never more than it spent
    (422 naming what is left); also onto an expired card: the money was the customer's."""
    change = GiftCardChange(body.amount, body.currency, body.source_key, body.order_id)
    return _change(do_refund, code, change, engine, clock.now())


def _change(
    apply: Callable[[Connection, str, GiftCardChange, datetime], GiftCardEntry],
    code: str,
    change: GiftCardChange,
    engine: Engine,
    now: datetime,
) -> EntryPublic:
    try:
        with engine.begin() as connection:
            return EntryPublic.of(apply(connection, code, change, now))
    except GiftCardError as error:
        raise _error(error) from None


def _error(error: GiftCardError) -> HTTPException:
    if isinstance(error, GiftCardNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, error.message)
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT, [{"field": error.field, "message": error.message}]
    )
