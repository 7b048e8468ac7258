"""Uses of a code, counted exactly once: reserve one for a cart (with a timeout), commit it with the
order, release it on cancellation, refund or timeout.

Saleor's single-use voucher was used twice by concurrent checkouts (a read, then a write), and a
refund that gave a use back raced with the counting. Here the count on the code's row moves only by
conditional UPDATEs: ``uses = uses + 1 WHERE uses < limit`` takes the row lock and re-checks the
condition under it (PostgreSQL re-evaluates the WHERE on the row it waited for; SQLite writers take
the database lock in turn), so of any number of concurrent reservations exactly the free uses
succeed. A release flips the use's own state first (``WHERE state IN ('reserved', 'committed')``)
and gives the use back only if that flip happened, so a refund delivered twice gives back once. Rows
are locked parent first (pool, then code, then use), the same order on every path, so two paths
never wait for each other in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, and_, select, update

from retentio.loyalty.coupons.announce import COUPON_REDEEMED, COUPON_RELEASED, COUPON_RESERVED, announce
from retentio.loyalty.coupons.codes import normalise
from retentio.loyalty.coupons.errors import (
    CouponError,
    CouponRefused,
    ReservationEnded,
    ReservationNotFound,
    UnknownCode,
)
from retentio.loyalty.coupons.lookup import ACTIVE_STATES, customer_uses, find_coupon
from retentio.loyalty.coupons.rules import MESSAGES, Cart, CustomerFacts, Reason, why_not
from retentio.loyalty.coupons.tables import coupon_pools, coupon_uses, coupons

DEFAULT_HOLD = timedelta(minutes=15)
MAX_HOLD = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Reservation:
    id: int
    code: str
    cart_id: str
    customer_id: str | None
    state: str  # reserved, committed, released
    expires_at: datetime
    order_id: str | None = None


def do_reserve(
    connection: Connection,
    typed_code: str,
    cart_id: str,
    cart: Cart,
    customer: CustomerFacts,
    now: datetime,
    hold: timedelta = DEFAULT_HOLD,
) -> Reservation:
    """Hold one use of the code for ``cart_id`` until ``now + hold``. The same cart reserving again
    gets its reservation back. ``CouponRefused`` (with the rule) when the code does not apply."""
    if not timedelta(0) < hold <= MAX_HOLD:
        raise CouponError("hold", f"a reservation is held for over 0 and at most {MAX_HOLD}")
    if not cart_id or len(cart_id) > 128:
        raise CouponError("cart_id", "a cart id has 1 to 128 characters")
    code = normalise(typed_code)
    found = find_coupon(connection, code)
    if found is None:
        raise UnknownCode()
    coupon_id, coupon = found
    if coupon.rules.uses_per_customer is not None:
        # The customer's count spans the pool's codes, so the pool row serialises their reservations.
        _lock(connection, coupon_pools, coupon.pool_id)
    existing = _use_for_cart(connection, coupon_id, cart_id)
    if existing is not None and existing.state in ACTIVE_STATES:
        return existing
    facts = CustomerFacts(
        customer.customer_id,
        customer.segments,
        customer_uses(connection, coupon.pool_id, customer.customer_id),
    )
    # Every rule but the count, checked on what was read; the count is the conditional UPDATE's.
    reason = why_not(replace(coupon, uses=0), cart, facts, now)
    if reason is not None:
        raise CouponRefused(reason, MESSAGES[reason])
    limit = coupon.rules.uses_per_code
    if not _take_use(connection, coupon_id, limit) and (
        release_expired(connection, now, coupon_id) == 0 or not _take_use(connection, coupon_id, limit)
    ):
        raise CouponRefused(Reason.USED_UP, MESSAGES[Reason.USED_UP])
    values = {
        "customer_id": customer.customer_id,
        "state": "reserved",
        "reserved_at": now,
        "expires_at": now + hold,
        "ended_at": None,
        "end_reason": None,
        "order_id": None,
    }
    if existing is None:
        use_id = connection.execute(
            coupon_uses.insert()
            .values(coupon_id=coupon_id, pool_id=coupon.pool_id, cart_id=cart_id, **values)
            .returning(coupon_uses.c.id)
        ).scalar_one()
    else:  # released before: the same cart takes it up again
        use_id = existing.id
        connection.execute(update(coupon_uses).where(coupon_uses.c.id == use_id).values(**values))
    announce(
        connection,
        COUPON_RESERVED,
        f"{use_id}@{now.isoformat()}",
        customer.customer_id,
        now,
        {"code": code, "pool_id": coupon.pool_id, "cart_id": cart_id},
    )
    return get_reservation(connection, int(use_id))


def do_commit(connection: Connection, reservation_id: int, order_id: str, now: datetime) -> Reservation:
    """The order is placed: the reserved use becomes a committed one. Committing again with the same
    order is a no-op; a released or timed-out reservation cannot be committed."""
    use = _locked_use(connection, reservation_id)
    if use.state == "committed":
        if use.order_id != order_id:
            raise ReservationEnded("reservation", f"committed already, with order {use.order_id!r}")
        return use
    if use.state != "reserved" or now >= use.expires_at:
        # A hold past its time is released by the next reservation that needs the use, or by
        # ``release_expired``: releasing it here would be rolled back with this refusal.
        raise ReservationEnded("reservation", "the reservation was released or timed out; reserve again")
    connection.execute(
        update(coupon_uses)
        .where(coupon_uses.c.id == reservation_id, coupon_uses.c.state == "reserved")
        .values(state="committed", order_id=order_id, ended_at=now, end_reason="committed")
    )
    announce(
        connection,
        COUPON_REDEEMED,
        str(reservation_id),
        use.customer_id,
        now,
        {"code": use.code, "order_id": order_id, "cart_id": use.cart_id},
    )
    return get_reservation(connection, reservation_id)


def do_release(connection: Connection, reservation_id: int, reason: str, now: datetime) -> bool:
    """Give the use back (the order was cancelled or refunded, the cart abandoned). True if this call
    released it; False if it was released already — a refund delivered twice gives back once."""
    coupon_id = _coupon_id(connection, reservation_id)
    _lock(connection, coupons, coupon_id)
    return _release(connection, reservation_id, coupon_id, reason, now)


def release_expired(connection: Connection, now: datetime, coupon_id: int | None = None) -> int:
    """Release reservations whose hold has passed (all of them, or one code's); returns how many."""
    query = select(coupon_uses.c.id, coupon_uses.c.coupon_id).where(
        coupon_uses.c.state == "reserved", coupon_uses.c.expires_at <= now
    )
    if coupon_id is not None:
        query = query.where(coupon_uses.c.coupon_id == coupon_id)
    released = 0
    for use_id, owner in connection.execute(query.order_by(coupon_uses.c.coupon_id, coupon_uses.c.id)).all():
        _lock(connection, coupons, owner)  # code before use, as on every path
        released += _release(connection, use_id, owner, "timed_out", now, only_reserved=True)
    return released


def _release(
    connection: Connection,
    use_id: int,
    coupon_id: int,
    reason: str,
    now: datetime,
    only_reserved: bool = False,
) -> bool:
    states = ("reserved",) if only_reserved else ACTIVE_STATES
    flipped = connection.execute(
        update(coupon_uses)
        .where(coupon_uses.c.id == use_id, coupon_uses.c.state.in_(states))
        .values(state="released", ended_at=now, end_reason=reason)
        .returning(coupon_uses.c.customer_id, coupon_uses.c.cart_id)
    ).one_or_none()
    if flipped is None:
        return False
    connection.execute(update(coupons).where(coupons.c.id == coupon_id).values(uses=coupons.c.uses - 1))
    announce(
        connection,
        COUPON_RELEASED,
        f"{use_id}@{now.isoformat()}",
        flipped.customer_id,
        now,
        {"reservation_id": use_id, "reason": reason, "cart_id": flipped.cart_id},
    )
    return True


def _take_use(connection: Connection, coupon_id: int, limit: int | None) -> bool:
    condition = coupons.c.id == coupon_id
    if limit is not None:
        condition = and_(condition, coupons.c.uses < limit)
    taken = connection.execute(update(coupons).where(condition).values(uses=coupons.c.uses + 1)).rowcount
    return bool(taken == 1)


def _lock(connection: Connection, table: Table, row_id: int) -> None:
    """Lock a row for the rest of the transaction (SQLite: the writer already holds the database)."""
    query = select(table.c.id).where(table.c.id == row_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    connection.execute(query)


def _coupon_id(connection: Connection, reservation_id: int) -> int:
    coupon_id = connection.execute(
        select(coupon_uses.c.coupon_id).where(coupon_uses.c.id == reservation_id)
    ).scalar_one_or_none()
    if coupon_id is None:
        raise ReservationNotFound(reservation_id)
    return int(coupon_id)


def _locked_use(connection: Connection, reservation_id: int) -> Reservation:
    _lock(connection, coupons, _coupon_id(connection, reservation_id))
    return get_reservation(connection, reservation_id)


def _use_for_cart(connection: Connection, coupon_id: int, cart_id: str) -> Reservation | None:
    use_id = connection.execute(
        select(coupon_uses.c.id).where(coupon_uses.c.coupon_id == coupon_id, coupon_uses.c.cart_id == cart_id)
    ).scalar_one_or_none()
    return None if use_id is None else get_reservation(connection, int(use_id))


def get_reservation(connection: Connection, reservation_id: int) -> Reservation:
    row = connection.execute(
        select(coupon_uses, coupons.c.code)
        .join(coupons, coupons.c.id == coupon_uses.c.coupon_id)
        .where(coupon_uses.c.id == reservation_id)
    ).one_or_none()
    if row is None:
        raise ReservationNotFound(reservation_id)
    return Reservation(
        id=row.id,
        code=row.code,
        cart_id=row.cart_id,
        customer_id=row.customer_id,
        state=row.state,
        expires_at=row.expires_at,
        order_id=row.order_id,
    )
