"""Gift cards: issue, spend in parts, top up, refund onto the card, expire. Each change is an entry
(append-only, with the balance after it) and the card's cached balance moves with it in the same
transaction.

The ACIDRain study found gift cards overspent in most shops it tried: two spends read the balance,
both see enough, both write. Here a spend is one conditional UPDATE (``balance = balance - x WHERE
balance >= x``) on the card row, taken after the row is locked, so concurrent spends queue on the
row and none takes more than is left; the CHECK ``balance >= 0`` is the last guard. Each entry has a
source key (an order, a refund, a payment): the same source delivered twice lands once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, bindparam, case, func, insert, select, update

from retentio.loyalty.coupons.announce import announce
from retentio.loyalty.coupons.codes import display, normalise, random_part
from retentio.loyalty.coupons.errors import InvalidCode
from retentio.loyalty.gift_cards.errors import (
    GiftCardError,
    GiftCardExpired,
    GiftCardNotFound,
    InsufficientBalance,
    WrongCurrency,
)
from retentio.loyalty.gift_cards.tables import gift_card_entries as entries
from retentio.loyalty.gift_cards.tables import gift_cards as cards
from retentio.types.money import from_minor, is_currency, minor_digits, to_minor

PREFIX = "GC"
CODE_LENGTH = 16  # 80 bits: a gift card is cash


@dataclass(frozen=True, slots=True)
class GiftCard:
    code: str  # as printed
    currency: str
    balance: Decimal
    customer_id: str | None
    expires_at: datetime | None
    created_at: datetime
    held: Decimal = Decimal(0)  # kept for checkouts not yet committed

    @property
    def available(self) -> Decimal:
        """What a spend or a new hold may take."""
        return self.balance - self.held


@dataclass(frozen=True, slots=True)
class Entry:
    kind: str
    amount: Decimal
    balance_after: Decimal
    source_key: str
    order_id: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """What to do to a card: an amount in a currency, and the source that makes it happen once."""

    amount: Decimal
    currency: str
    source_key: str
    order_id: str | None = None


def do_issue(
    connection: Connection,
    amount: Decimal,
    currency: str,
    source_key: str,
    now: datetime,
    customer_id: str | None = None,
    expires_at: datetime | None = None,
) -> GiftCard:
    minor = _minor(amount, currency)
    if expires_at is not None and expires_at <= now:
        raise GiftCardError("expires_at", "a new card expires in the future")
    code = PREFIX + random_part(CODE_LENGTH)
    card_id = connection.execute(
        insert(cards)
        .values(
            code=code,
            currency=currency,
            balance=minor,
            customer_id=customer_id,
            expires_at=expires_at,
            created_at=now,
        )
        .returning(cards.c.id)
    ).scalar_one()
    _entry(connection, int(card_id), "issued", minor, minor, source_key, None, now)
    _announce(connection, "gift_card_issued", int(card_id), source_key, customer_id, now, amount, currency)
    return get_gift_card(connection, display(code, len(PREFIX)))


def do_spend(connection: Connection, typed_code: str, change: Change, now: datetime) -> Entry:
    """Take ``change.amount`` off the card, or refuse naming why; nothing changes on a refusal."""
    return _apply(connection, typed_code, change, now, "spent", -1)


def do_top_up(connection: Connection, typed_code: str, change: Change, now: datetime) -> Entry:
    return _apply(connection, typed_code, change, now, "topped_up", +1)


def do_refund(connection: Connection, typed_code: str, change: Change, now: datetime) -> Entry:
    """Money from a returned order (``change.order_id``) goes back onto the card, never more than the
    order spent from it (even once expired: it was the customer's)."""
    return _apply(connection, typed_code, change, now, "refunded", +1)


def do_expire(connection: Connection, now: datetime) -> int:
    """Zero the cards past their expiry with an ``expired`` entry each; returns how many."""
    due = connection.execute(
        select(cards.c.id, cards.c.balance, cards.c.customer_id, cards.c.currency)
        # A card with a checkout's hold on it waits until the hold is captured or released (at most a
        # day): the customer held that money while the card was valid.
        .where(cards.c.expires_at <= now, cards.c.balance > 0, cards.c.held == 0)
        .order_by(cards.c.id)
    ).all()
    for card_id, _balance, customer_id, currency in due:
        balance = _locked_balance(connection, card_id)
        if balance <= 0 or _held(connection, card_id) > 0:
            continue
        # Named by the entry it zeroes, not by the time: money refunded onto an expired card
        # expires again, and two runs may share a time (a replayed schedule, a fixed clock).
        key = f"expiry@{now.isoformat()}#{_last_entry(connection, card_id)}"
        connection.execute(update(cards).where(cards.c.id == card_id).values(balance=0))
        _entry(connection, card_id, "expired", -balance, 0, key, None, now)
        _announce(
            connection,
            "gift_card_expired",
            card_id,
            key,
            customer_id,
            now,
            from_minor(balance, currency),
            currency,
        )
    return len(due)


def _apply(
    connection: Connection, typed_code: str, change: Change, now: datetime, kind: str, sign: int
) -> Entry:
    if not change.source_key or len(change.source_key) > 200:
        raise GiftCardError("source_key", "a source key has 1 to 200 characters")
    card = _find(connection, typed_code)
    if change.currency != card.currency:
        raise WrongCurrency(card.currency, change.currency)
    minor = _minor(change.amount, change.currency)
    card_id = _card_id(connection, typed_code)
    balance = _locked_balance(connection, card_id)
    done = _entry_for(connection, card_id, change.source_key)
    if done is not None:
        if done.kind != kind or done.amount != sign * change.amount:
            raise GiftCardError(
                "source_key", f"{change.source_key!r} was used for another change of this card"
            )
        return done
    if kind == "spent":
        if card.expires_at is not None and now >= card.expires_at:
            raise GiftCardExpired()
        # What checkouts hold is not for spending: only ``balance - held`` may be taken.
        taken = connection.execute(
            update(cards)
            .where(cards.c.id == card_id, cards.c.balance - cards.c.held >= minor)
            .values(balance=cards.c.balance - minor)
        ).rowcount
        if taken != 1:
            available = balance - _held(connection, card_id)
            raise InsufficientBalance(_money(available, card.currency), _money(minor, card.currency))
    else:
        if kind == "topped_up" and card.expires_at is not None and now >= card.expires_at:
            raise GiftCardExpired()
        if kind == "refunded":
            _check_refund(connection, card_id, change, minor, card.currency)
        connection.execute(update(cards).where(cards.c.id == card_id).values(balance=cards.c.balance + minor))
    after = balance + sign * minor
    _entry(connection, card_id, kind, sign * minor, after, change.source_key, change.order_id, now)
    _announce(
        connection,
        f"gift_card_{kind}",
        card_id,
        change.source_key,
        card.customer_id,
        now,
        change.amount,
        card.currency,
    )
    entry = _entry_for(connection, card_id, change.source_key)
    assert entry is not None
    return entry


def _check_refund(connection: Connection, card_id: int, change: Change, minor: int, currency: str) -> None:
    """A refund gives back what an order spent from this card, never more (the card's row is locked,
    so two refunds of one order cannot both pass)."""
    if change.order_id is None:
        raise GiftCardError("order_id", "a refund names the order whose spend it gives back")
    spent, refunded = connection.execute(
        select(
            func.coalesce(func.sum(case((entries.c.kind == "spent", -entries.c.amount), else_=0)), 0),
            func.coalesce(func.sum(case((entries.c.kind == "refunded", entries.c.amount), else_=0)), 0),
        ).where(entries.c.gift_card_id == card_id, entries.c.order_id == change.order_id)
    ).one()
    left = int(spent) - int(refunded)
    if minor > left:
        raise GiftCardError(
            "amount",
            f"order {change.order_id!r} has {_money(left, currency)} of its spend from this card left "
            f"to refund, not {_money(minor, currency)}",
        )


def get_gift_card(connection: Connection, typed_code: str) -> GiftCard:
    return _find(connection, typed_code)


def gift_card_entries(connection: Connection, typed_code: str) -> list[Entry]:
    card = _find(connection, typed_code)
    card_id = _card_id(connection, typed_code)
    rows = connection.execute(
        select(entries).where(entries.c.gift_card_id == card_id).order_by(entries.c.id)
    ).all()
    return [_entry_of(row, card.currency) for row in rows]


def rebuilt_balance(connection: Connection, typed_code: str) -> Decimal:
    """The balance summed from the entries: the truth the cached balance must equal."""
    card = _find(connection, typed_code)
    total = connection.execute(
        select(func.coalesce(func.sum(entries.c.amount), 0)).where(
            entries.c.gift_card_id == _card_id(connection, typed_code)
        )
    ).scalar_one()
    return from_minor(int(total), card.currency)


_BY_CODE = select(cards).where(cards.c.code == bindparam("code"))  # built once: checkouts read it


def _find(connection: Connection, typed_code: str) -> GiftCard:
    row = connection.execute(_BY_CODE, {"code": _normalised(typed_code)}).one_or_none()
    if row is None:
        raise GiftCardNotFound()
    return GiftCard(
        code=display(row.code, len(PREFIX)),
        currency=row.currency,
        balance=from_minor(row.balance, row.currency),
        customer_id=row.customer_id,
        expires_at=row.expires_at,
        created_at=row.created_at,
        held=from_minor(row.held, row.currency),
    )


def _held(connection: Connection, card_id: int) -> int:
    return int(connection.execute(select(cards.c.held).where(cards.c.id == card_id)).scalar_one())


def _normalised(typed_code: str) -> str:
    try:
        return normalise(typed_code)
    except InvalidCode as error:
        raise GiftCardError("code", error.message) from None


def _card_id(connection: Connection, typed_code: str) -> int:
    return int(
        connection.execute(select(cards.c.id).where(cards.c.code == _normalised(typed_code))).scalar_one()
    )


def _locked_balance(connection: Connection, card_id: int) -> int:
    query = select(cards.c.balance).where(cards.c.id == card_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return int(connection.execute(query).scalar_one())


def _last_entry(connection: Connection, card_id: int) -> int:
    query = select(func.max(entries.c.id)).where(entries.c.gift_card_id == card_id)
    return int(connection.execute(query).scalar_one() or 0)


def _minor(amount: Decimal, currency: str) -> int:
    if not is_currency(currency):
        raise GiftCardError("currency", f"unknown currency {currency!r}: give an ISO 4217 code such as RUB")
    try:
        if not amount.is_finite() or amount <= 0:
            raise GiftCardError("amount", f"an amount is over 0, not {amount}")
        digits = minor_digits(currency)
        if amount != amount.quantize(Decimal(1).scaleb(-digits)):
            raise GiftCardError("amount", f"{currency} amounts have at most {digits} decimal places")
    except InvalidOperation:
        raise GiftCardError("amount", f"{amount} is not an amount") from None
    minor = to_minor(amount, currency)
    if minor > 10**15:
        raise GiftCardError("amount", "the amount is too large")
    return minor


def _money(minor: int, currency: str) -> str:
    return f"{from_minor(minor, currency)} {currency}"


def _entry(
    connection: Connection,
    card_id: int,
    kind: str,
    amount: int,
    after: int,
    key: str,
    order_id: str | None,
    now: datetime,
) -> None:
    connection.execute(
        insert(entries).values(
            gift_card_id=card_id,
            kind=kind,
            amount=amount,
            balance_after=after,
            source_key=key,
            order_id=order_id,
            at=now,
        )
    )


def _entry_for(connection: Connection, card_id: int, key: str) -> Entry | None:
    row = connection.execute(
        select(entries, cards.c.currency)
        .join(cards, cards.c.id == entries.c.gift_card_id)
        .where(entries.c.gift_card_id == card_id, entries.c.source_key == key)
    ).one_or_none()
    return None if row is None else _entry_of(row, row.currency)


def _entry_of(row: object, currency: str) -> Entry:
    return Entry(
        kind=row.kind,  # type: ignore[attr-defined]
        amount=from_minor(row.amount, currency),  # type: ignore[attr-defined]
        balance_after=from_minor(row.balance_after, currency),  # type: ignore[attr-defined]
        source_key=row.source_key,  # type: ignore[attr-defined]
        order_id=row.order_id,  # type: ignore[attr-defined]
        at=row.at,  # type: ignore[attr-defined]
    )


def _announce(
    connection: Connection,
    type_name: str,
    card_id: int,
    key: str,
    customer_id: str | None,
    now: datetime,
    amount: Decimal,
    currency: str,
) -> None:
    properties = {"gift_card_id": card_id, "amount": str(amount), "currency": currency, "source": key}
    announce(connection, type_name, f"{card_id}:{key}", customer_id, now, properties)
