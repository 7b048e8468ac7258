"""Holds: part of a card's balance kept for a checkout until the order captures it (a ``spent``
entry) or the checkout is released.

A card's row carries ``held``, the sum of its live holds; a spend or a new hold takes only
``balance - held``, by one conditional UPDATE on the locked row (``held = held + x WHERE balance -
held >= x``), so any number of concurrent holds and spends never promise more than the card holds;
the CHECK ``held <= balance`` is the last guard. A hold's state flips by a conditional UPDATE too,
so a capture or a release delivered twice counts once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from retentio.loyalty.coupons.codes import display
from retentio.loyalty.gift_cards.errors import (
    GiftCardError,
    GiftCardExpired,
    InsufficientBalance,
    WrongCurrency,
)
from retentio.loyalty.gift_cards.service import (
    PREFIX,
    Entry,
    _announce,
    _card_id,
    _entry,
    _entry_for,
    _find,
    _held,
    _locked_balance,
    _minor,
    _money,
)
from retentio.loyalty.gift_cards.tables import gift_card_holds as holds
from retentio.loyalty.gift_cards.tables import gift_cards as cards
from retentio.types.money import from_minor


@dataclass(frozen=True, slots=True)
class Hold:
    id: int
    code: str  # the card's code, as printed
    amount: Decimal
    currency: str
    state: str  # held, captured, released
    hold_key: str
    expires_at: datetime


def do_hold(
    connection: Connection,
    typed_code: str,
    amount: Decimal,
    currency: str,
    hold_key: str,
    now: datetime,
    expires_at: datetime,
) -> Hold:
    """Keep ``amount`` of the card for ``hold_key`` until ``expires_at``; the same key again returns
    its hold. ``InsufficientBalance`` when the card's balance less its holds is short."""
    if not hold_key or len(hold_key) > 200:
        raise GiftCardError("hold_key", "a hold key has 1 to 200 characters")
    card = _find(connection, typed_code)
    if currency != card.currency:
        raise WrongCurrency(card.currency, currency)
    minor = _minor(amount, currency)
    if expires_at <= now:
        raise GiftCardError("expires_at", "a hold ends in the future")
    card_id = _card_id(connection, typed_code)
    balance = _locked_balance(connection, card_id)
    existing = _hold_by_key(connection, hold_key)
    if existing is not None:
        if existing.code != card.code or existing.amount != from_minor(minor, currency):
            raise GiftCardError("hold_key", f"{hold_key!r} holds another amount or card")
        return existing
    if card.expires_at is not None and now >= card.expires_at:
        raise GiftCardExpired()
    taken = connection.execute(
        update(cards)
        .where(cards.c.id == card_id, cards.c.balance - cards.c.held >= minor)
        .values(held=cards.c.held + minor)
    ).rowcount
    if taken != 1:
        available = balance - _held(connection, card_id)
        raise InsufficientBalance(_money(available, currency), _money(minor, currency))
    connection.execute(
        insert(holds).values(
            gift_card_id=card_id,
            amount=minor,
            hold_key=hold_key,
            state="held",
            expires_at=expires_at,
            created_at=now,
        )
    )
    found = _hold_by_key(connection, hold_key)
    assert found is not None
    return found


def do_capture(connection: Connection, hold_id: int, order_id: str | None, now: datetime) -> Entry:
    """The order is placed: the held amount is spent (a ``spent`` entry, source ``hold:<id>``).
    Capturing again returns that entry; a released hold cannot be captured."""
    row = _locked_hold(connection, hold_id)
    source = f"hold:{hold_id}"
    if row.state == "captured":
        done = _entry_for(connection, row.gift_card_id, source)
        assert done is not None
        return done
    if row.state != "held":
        raise GiftCardError("hold", "the hold was released; hold the amount again")
    connection.execute(
        update(holds)
        .where(holds.c.id == hold_id, holds.c.state == "held")
        .values(state="captured", ended_at=now, end_reason="captured")
    )
    card = connection.execute(select(cards).where(cards.c.id == row.gift_card_id)).one()
    connection.execute(
        update(cards)
        .where(cards.c.id == row.gift_card_id)
        .values(balance=cards.c.balance - row.amount, held=cards.c.held - row.amount)
    )
    _entry(
        connection, row.gift_card_id, "spent", -row.amount, card.balance - row.amount, source, order_id, now
    )
    _announce(
        connection,
        "gift_card_spent",
        row.gift_card_id,
        source,
        card.customer_id,
        now,
        from_minor(row.amount, card.currency),
        card.currency,
    )
    entry = _entry_for(connection, row.gift_card_id, source)
    assert entry is not None
    return entry


def do_release_hold(connection: Connection, hold_id: int, reason: str, now: datetime) -> bool:
    """Give the held amount back to what may be spent. True if this call released it; False if it
    was released already. A captured hold is not released (refund the spend instead)."""
    row = _locked_hold(connection, hold_id)
    if row.state == "captured":
        raise GiftCardError("hold", "the hold was captured by an order; refund the spend instead")
    flipped = connection.execute(
        update(holds)
        .where(holds.c.id == hold_id, holds.c.state == "held")
        .values(state="released", ended_at=now, end_reason=reason)
    ).rowcount
    if flipped != 1:
        return False
    connection.execute(
        update(cards).where(cards.c.id == row.gift_card_id).values(held=cards.c.held - row.amount)
    )
    return True


def get_hold(connection: Connection, hold_id: int) -> Hold:
    row = connection.execute(
        select(holds, cards.c.code, cards.c.currency)
        .join(cards, cards.c.id == holds.c.gift_card_id)
        .where(holds.c.id == hold_id)
    ).one_or_none()
    if row is None:
        raise GiftCardError("hold", f"no gift card hold {hold_id}")
    return _hold_of(row)


def _locked_hold(connection: Connection, hold_id: int) -> Row[Any]:
    row = connection.execute(select(holds.c.gift_card_id).where(holds.c.id == hold_id)).one_or_none()
    if row is None:
        raise GiftCardError("hold", f"no gift card hold {hold_id}")
    _locked_balance(connection, row.gift_card_id)  # the card's row first, as every path locks it
    return connection.execute(select(holds).where(holds.c.id == hold_id)).one()


def _hold_by_key(connection: Connection, hold_key: str) -> Hold | None:
    row = connection.execute(
        select(holds, cards.c.code, cards.c.currency)
        .join(cards, cards.c.id == holds.c.gift_card_id)
        .where(holds.c.hold_key == hold_key)
    ).one_or_none()
    return None if row is None else _hold_of(row)


def _hold_of(row: object) -> Hold:
    currency = row.currency  # type: ignore[attr-defined]
    return Hold(
        id=row.id,  # type: ignore[attr-defined]
        code=display(row.code, len(PREFIX)),  # type: ignore[attr-defined]
        amount=from_minor(row.amount, currency),  # type: ignore[attr-defined]
        currency=currency,
        state=row.state,  # type: ignore[attr-defined]
        hold_key=row.hold_key,  # type: ignore[attr-defined]
        expires_at=row.expires_at,  # type: ignore[attr-defined]
    )
