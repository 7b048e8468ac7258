"""A shop the checkout tests share: the shipped programme (``club``: 1 point = 1 ₽, points pay at
most 30 % from 100 points and 500 ₽), a customer with points in two lots, a single-use coupon code
(10 % off), a gift card, and a cart of 2,200 ₽."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, text

from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.loyalty import (
    CheckoutLine,
    CheckoutRequest,
    CouponRules,
    Discount,
    GiftCardOffer,
    PoolDefinition,
    ReserveRequest,
    do_accrue,
    do_create_pool,
    do_generate_codes,
    do_issue,
    get_gift_card,
    load_loyalty_config,
    pool_codes,
)

CONFIG = load_loyalty_config(None)
PROGRAMME = "club"
LINES = (
    CheckoutLine("MUG", 2, Decimal("450.00"), "kitchen"),
    CheckoutLine("TEA", 1, Decimal("300.00"), "tea"),
    CheckoutLine("BOOK", 1, Decimal("1000.00"), "books"),
)


@dataclass(frozen=True, slots=True)
class Shop:
    code: str  # a single-use 10 % code
    gift_card: str  # 2,000 ₽
    customer: str  # 1,000 points: 400 expiring in 30 days, 600 in a year


def open_shop(engine: Engine, now: datetime, codes: int = 1, gift_card: Decimal = Decimal(2000)) -> Shop:
    with engine.begin() as connection:
        do_upsert_customers(connection, [("anna", CustomerUpsert())], now)
        do_accrue(connection, PROGRAMME, "anna", 400, "order:1", now, expires_at=now + timedelta(days=30))
        do_accrue(connection, PROGRAMME, "anna", 600, "order:2", now, expires_at=now + timedelta(days=365))
        pool = do_create_pool(
            connection,
            PoolDefinition("spring", CouponRules("RUB", Discount(percent=Decimal(10))), prefix="SPR"),
            now,
        )
        do_generate_codes(connection, pool, codes)
        code = next(pool_codes(connection, pool))[0]
        card = do_issue(connection, gift_card, "RUB", "paid:1", now)
    return Shop(code, card.code, "anna")


def checkout(shop: Shop, **changes: object) -> CheckoutRequest:
    request = CheckoutRequest(
        "anna", "RUB", LINES, codes=(shop.code,), gift_cards=(GiftCardOffer(shop.gift_card),), points=500
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def reserve_request(shop: Shop, key: str = "cart-1:1", **changes: object) -> ReserveRequest:
    return ReserveRequest(checkout(shop, **changes), key, key.split(":")[0])


def state_of(engine: Engine, shop: Shop) -> dict[str, object]:
    """What the holds touch: coupon uses by state, the points, the card's balance and what it holds."""
    with engine.connect() as connection:
        uses = dict(connection.execute(text("SELECT state, count(*) FROM coupon_uses GROUP BY state")).all())
        code_uses = connection.execute(text("SELECT uses FROM coupons")).scalar_one()
        lots = [
            tuple(row)
            for row in connection.execute(text("SELECT amount, remaining FROM loyalty_lots ORDER BY id"))
        ]
        available = connection.execute(
            text("SELECT available FROM loyalty_balances WHERE customer_id = 'anna'")
        ).scalar_one()
        card = get_gift_card(connection, shop.gift_card)
    return {
        "uses": uses,
        "code_uses": code_uses,
        "lots": lots,
        "points": available,
        "card": (card.balance, card.held),
    }
