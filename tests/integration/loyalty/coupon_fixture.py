"""A pool, a cart and a customer the coupon tests share."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine

from retentio.loyalty import (
    Cart,
    CartLine,
    CouponCustomer,
    CouponRules,
    Discount,
    Pool,
    PoolDefinition,
    display,
    do_create_pool,
    do_generate_codes,
    pool_codes,
)

RULES = CouponRules(currency="RUB", discount=Discount(percent=Decimal(10)))
CART = Cart("RUB", (CartLine("MUG", 2, Decimal("450.00"), "kitchen"),))
ANNA = CouponCustomer("anna")


def make_pool(engine: Engine, now: datetime, name: str = "spring", codes: int = 1, **rules: object) -> Pool:
    with engine.begin() as connection:
        pool = do_create_pool(connection, PoolDefinition(name, replace(RULES, **rules), prefix="SPR"), now)  # type: ignore[arg-type]
        do_generate_codes(connection, pool, codes)
    return pool


def first_code(engine: Engine, pool: Pool) -> str:
    with engine.connect() as connection:
        code, _, _ = next(pool_codes(connection, pool))
    return code


__all__ = ["ANNA", "CART", "display", "first_code", "make_pool"]
