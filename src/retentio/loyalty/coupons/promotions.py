"""Automatic promotions: pools flagged ``automatic``, which have no codes and apply at checkout to
every cart their rules allow (stacking as for codes). Read here for the checkout."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, or_, select

from retentio.loyalty.coupons.pools import Pool, pool_of
from retentio.loyalty.coupons.tables import coupon_pools


def automatic_promotions(connection: Connection, currency: str, now: datetime) -> list[Pool]:
    """The automatic promotions in ``currency`` valid at ``now``, by id."""
    rows = connection.execute(
        select(coupon_pools)
        .where(
            coupon_pools.c.automatic.is_(True),
            coupon_pools.c.currency == currency,
            or_(coupon_pools.c.valid_from.is_(None), coupon_pools.c.valid_from <= now),
            or_(coupon_pools.c.valid_until.is_(None), coupon_pools.c.valid_until > now),
        )
        .order_by(coupon_pools.c.id)
    ).mappings()
    return [pool_of(row) for row in rows]
