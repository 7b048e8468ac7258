"""The coupon pools the policy issues from. A pool carries the validity of its codes, not a code,
so there is one pool per occasion, kind, size and last day of validity — created on first use —
and the codes issued the same day for the same offer share it (``decide.valid_until``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection

from retentio.loyalty import (
    CouponRules,
    Discount,
    Pool,
    PoolDefinition,
    PoolNotFound,
    do_create_pool,
    get_pool,
)
from retentio.offers.policy.model import Offer
from retentio.offers.policy.settings import PolicySettings

# Printed before the random part, so a customer sees what the code is for.
PREFIXES = {
    "win_back": "BACK",
    "cart": "CART",
    "viewed": "SEEN",
    "birthday": "BDAY",
    "anniversary": "YEAR",
    "replenishment": "REFILL",
    "post_purchase": "THANKS",
    "subscription_renewal": "RENEW",
}


def pool_name(occasion: str, offer: Offer) -> str:
    assert offer.valid_until is not None  # codes are time-limited
    last_day = (offer.valid_until - timedelta(days=1)).date().isoformat()
    return f"offer:{occasion}:{offer.kind}:{offer.size.normalize():f}:{last_day}"


def occasion_pool(
    connection: Connection, settings: PolicySettings, occasion: str, offer: Offer, now: datetime
) -> Pool:
    name = pool_name(occasion, offer)
    try:
        return get_pool(connection, name)
    except PoolNotFound:
        pass
    definition = PoolDefinition(
        name=name,
        rules=CouponRules(
            currency=settings.currency,
            discount=_discount(offer),
            uses_per_code=1,
            valid_until=offer.valid_until,
            skus=frozenset({settings.gift_sku})
            if offer.kind == "gift" and settings.gift_sku
            else frozenset(),
        ),
        prefix=PREFIXES.get(occasion, "OFFER"),
    )
    return do_create_pool(connection, definition, now)


def _discount(offer: Offer) -> Discount:
    if offer.kind == "percent":
        return Discount(percent=offer.size)
    if offer.kind == "free_delivery":
        return Discount(free_shipping=True)
    # A gift: the gift product free, its SKU the only one the code covers.
    return Discount(percent=Decimal(100))
