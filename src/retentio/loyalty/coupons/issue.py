"""Personal codes: a new code of a pool bound to one customer, issued once per ``issue_key`` (a
journey step, a referral, an operator's action), refused for customers flagged
``do_not_incentivize`` (the refusal is logged and the caller told why)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from retentio.db.batches import chunks
from retentio.loyalty.coupons.announce import COUPON_ISSUED, announce
from retentio.loyalty.coupons.codes import display, random_part
from retentio.loyalty.coupons.errors import CouponError
from retentio.loyalty.coupons.pools import Pool
from retentio.loyalty.coupons.tables import coupon_pools, coupons
from retentio.segments import may_incentivize

log = logging.getLogger(__name__)


class NotToIncentivize(CouponError):
    def __init__(self, customer_id: str) -> None:
        super().__init__("customer_id", f"customer {customer_id!r} is flagged do_not_incentivize: no codes")


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str  # as printed
    customer_id: str
    pool_id: int


def do_issue_code(
    connection: Connection, pool: Pool, customer_id: str, issue_key: str, now: datetime
) -> IssuedCode:
    if not customer_id or len(customer_id) > 128:
        raise CouponError("customer_id", "a customer id has 1 to 128 characters")
    if not issue_key or len(issue_key) > 200:
        raise CouponError("issue_key", "an issue key has 1 to 200 characters")
    issued = connection.execute(
        select(coupons.c.code, coupons.c.customer_id, coupons.c.pool_id).where(
            coupons.c.issue_key == issue_key
        )
    ).one_or_none()
    if issued is not None:
        return IssuedCode(display(issued.code, len(pool.prefix)), issued.customer_id, issued.pool_id)
    if not may_incentivize(connection, customer_id):
        log.info("no code of pool %r for customer %r: flagged do_not_incentivize", pool.name, customer_id)
        raise NotToIncentivize(customer_id)
    code = pool.prefix + random_part(pool.code_length)
    connection.execute(
        insert(coupons).values(pool_id=pool.id, code=code, customer_id=customer_id, issue_key=issue_key)
    )
    printed = display(code, len(pool.prefix))
    announce(connection, COUPON_ISSUED, issue_key, customer_id, now, {"code": printed, "pool": pool.name})
    return IssuedCode(printed, customer_id, pool.id)


def used_up(connection: Connection, issue_keys: Iterable[str]) -> set[str]:
    """The issue keys whose personal code has been used as often as its pool allows: a code the
    customer can no longer use, though its pool's dates still run."""
    found: set[str] = set()
    for part in chunks(sorted(set(issue_keys))):
        query = (
            select(coupons.c.issue_key)
            .join(coupon_pools, coupon_pools.c.id == coupons.c.pool_id)
            .where(
                coupons.c.issue_key.in_(part),
                coupon_pools.c.uses_per_code.is_not(None),
                coupons.c.uses >= coupon_pools.c.uses_per_code,
            )
        )
        found.update(connection.execute(query).scalars())
    return found
