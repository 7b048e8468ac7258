"""Reading a code as the check sees it: the code's row, its pool's rules, the customer's uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select

from retentio.loyalty.coupons.pools import rules_of
from retentio.loyalty.coupons.rules import Coupon
from retentio.loyalty.coupons.tables import coupon_pools, coupon_uses, coupons

ACTIVE_STATES = ("reserved", "committed")


# Built once: every checkout and code check runs these, and building a statement costs more than
# SQLite takes to run it.
_FIND = (
    select(
        coupons.c.id.label("coupon_id"), coupons.c.code, coupons.c.customer_id, coupons.c.uses, coupon_pools
    )
    .join(coupon_pools, coupon_pools.c.id == coupons.c.pool_id)
    .where(coupons.c.code == bindparam("code"))
)
_CUSTOMER_USES = select(func.count()).where(
    coupon_uses.c.pool_id == bindparam("pool_id"),
    coupon_uses.c.customer_id == bindparam("customer_id"),
    coupon_uses.c.state.in_(ACTIVE_STATES),
)


def find_coupon(connection: Connection, code: str) -> tuple[int, Coupon] | None:
    """(the code's row id, the coupon) for a normalised code, or None."""
    row = connection.execute(_FIND, {"code": code}).mappings().one_or_none()
    if row is None:
        return None
    coupon = Coupon(
        code=row["code"],
        pool_id=row["id"],
        rules=rules_of(row),
        customer_id=row["customer_id"],
        uses=row["uses"],
    )
    return int(row["coupon_id"]), coupon


def customer_uses(connection: Connection, pool_id: int, customer_id: str | None) -> int:
    """The customer's reserved and committed uses of any code of the pool."""
    if customer_id is None:
        return 0
    return int(
        connection.execute(_CUSTOMER_USES, {"pool_id": pool_id, "customer_id": customer_id}).scalar_one()
    )


def lapsed_holds(connection: Connection, coupon_id: int, now: datetime) -> int:
    """Reservations of the code past their hold but not released yet: a new reservation releases
    them before it counts, so a check that counts uses must not count them."""
    return int(
        connection.execute(
            select(func.count()).where(
                coupon_uses.c.coupon_id == coupon_id,
                coupon_uses.c.state == "reserved",
                coupon_uses.c.expires_at <= now,
            )
        ).scalar_one()
    )
