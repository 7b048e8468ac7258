"""A reservation's end: commit with the order, release (the cart abandoned, the order cancelled
before it was placed, the timeout), or refund after commit (the order cancelled).

- **Commit** twice with the same order is one commit; with another order, or after a release or
  the timeout, a ``CheckoutConflict``. The commit's instant is the order's own time, so an order
  placed before the hold ended commits even when the log is read a little later.
- **Release** gives the coupon uses back, reverses the points redemption (back into exactly the lots
  it used) and frees the gift card holds; releasing again is a no-op (False). Releasing a committed
  reservation is refused: the order exists, so cancel it (``order_cancelled``), which refunds.
- **Refund** after commit gives the coupon uses back, reverses the points and refunds each gift
  card spend onto its card; once however often it is asked.

Each runs in the caller's transaction and locks the reservation's row first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from retentio.loyalty.checkout.announce import (
    CHECKOUT_COMMITTED,
    CHECKOUT_REFUNDED,
    CHECKOUT_RELEASED,
    announce_checkout,
)
from retentio.loyalty.checkout.errors import CheckoutConflict, CheckoutNotFound
from retentio.loyalty.checkout.reserve import CheckoutReservation, get_checkout_reservation, reservation_of
from retentio.loyalty.checkout.tables import checkout_reservations as reservations
from retentio.loyalty.coupons.errors import CouponError
from retentio.loyalty.coupons.redeem import do_commit, do_release
from retentio.loyalty.gift_cards.holds import do_capture, do_release_hold, get_hold
from retentio.loyalty.gift_cards.service import Change, do_refund
from retentio.loyalty.ledger.model import EntryKind
from retentio.loyalty.ledger.service import do_reverse


def do_commit_checkout(
    connection: Connection,
    reservation_id: int,
    order_id: str,
    now: datetime,
    placed_at: datetime | None = None,
) -> CheckoutReservation:
    """The order ``order_id`` is placed (at ``placed_at``, default ``now``): the holds become spends."""
    held = _locked(connection, reservation_id)
    if held.state == "committed":
        if held.order_id != order_id:
            raise CheckoutConflict(
                "order_id", "committed", f"the reservation was committed with order {held.order_id!r} already"
            )
        return held
    if held.state != "reserved":
        raise CheckoutConflict(
            "reservation", held.state, f"the reservation was {held.state} ({held.end_reason}); reserve again"
        )
    if held.order_id is not None and held.order_id != order_id:
        raise CheckoutConflict("order_id", "other_order", f"the reservation is for order {held.order_id!r}")
    at = min(placed_at or now, now)
    if at >= held.expires_at:
        raise CheckoutConflict("reservation", "timed_out", "the reservation timed out; reserve again")
    for use_id in held.coupon_uses:
        try:
            do_commit(connection, use_id, order_id, at)
        except CouponError as error:
            raise CheckoutConflict("reservation", "coupon_released", error.message) from None
    for hold_id in held.gift_card_holds:
        do_capture(connection, hold_id, order_id, now)
    _end(connection, reservation_id, "committed", "committed", now, order_id)
    announce_checkout(
        connection, CHECKOUT_COMMITTED, reservation_id, held.customer_id, now, {"order_id": order_id}
    )
    return get_checkout_reservation(connection, reservation_id)


def do_release_checkout(connection: Connection, reservation_id: int, reason: str, now: datetime) -> bool:
    """Give back what the reservation holds. True if this call released it, False if it had ended."""
    held = _locked(connection, reservation_id)
    if held.state == "committed":
        raise CheckoutConflict(
            "reservation",
            "committed",
            f"the reservation was committed with order {held.order_id!r}; order_cancelled refunds it",
        )
    if held.state != "reserved":
        return False
    for use_id in held.coupon_uses:
        do_release(connection, use_id, reason, now)
    _reverse_points(connection, held, now)
    for hold_id in held.gift_card_holds:
        do_release_hold(connection, hold_id, reason, now)
    _end(connection, reservation_id, "released", reason, now, held.order_id)
    announce_checkout(
        connection, CHECKOUT_RELEASED, reservation_id, held.customer_id, now, {"reason": reason}
    )
    return True


def do_refund_checkout(connection: Connection, reservation_id: int, now: datetime) -> bool:
    """The order was cancelled: a committed reservation is refunded, a held one released. True if
    this call did it."""
    held = _locked(connection, reservation_id)
    if held.state == "reserved":
        return do_release_checkout(connection, reservation_id, "cancelled", now)
    if held.state != "committed":
        return False
    for use_id in held.coupon_uses:
        do_release(connection, use_id, "refunded", now)
    _reverse_points(connection, held, now)
    for hold_id in held.gift_card_holds:
        hold = get_hold(connection, hold_id)
        change = Change(
            hold.amount, hold.currency, f"checkout:{reservation_id}:refund:{hold_id}", held.order_id
        )
        do_refund(connection, hold.code, change, now)
    _end(connection, reservation_id, "refunded", "refunded", now, held.order_id)
    announce_checkout(
        connection, CHECKOUT_REFUNDED, reservation_id, held.customer_id, now, {"order_id": held.order_id}
    )
    return True


def release_if_expired(connection: Connection, reservation_id: int, now: datetime) -> bool:
    """The timeout's release (due work): only a reservation still held past its end."""
    try:
        held = _locked(connection, reservation_id)
    except CheckoutNotFound:
        return False
    if held.state != "reserved" or now < held.expires_at:
        return False
    return do_release_checkout(connection, reservation_id, "timed_out", now)


def reservation_for_order(connection: Connection, order_id: str) -> CheckoutReservation | None:
    """The live reservation (held or committed) named by ``order_id``, the newest if several."""
    row = connection.execute(
        select(reservations)
        .where(reservations.c.order_id == order_id, reservations.c.state.in_(("reserved", "committed")))
        .order_by(reservations.c.id.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else reservation_of(row)


def orders_with_reservations(connection: Connection, order_ids: Iterable[str]) -> set[str]:
    """Which of ``order_ids`` name a live reservation: one query per thousand, so the consumer reads
    an import of a million orders without a query for each."""
    wanted = sorted(set(order_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 1_000):
        chunk = wanted[start : start + 1_000]
        found.update(
            connection.execute(
                select(reservations.c.order_id).where(
                    reservations.c.order_id.in_(chunk), reservations.c.state.in_(("reserved", "committed"))
                )
            ).scalars()
        )
    return found


def _reverse_points(connection: Connection, held: CheckoutReservation, now: datetime) -> None:
    if not held.points:
        return
    assert held.programme is not None and held.customer_id is not None
    source = f"checkout:{held.id}"
    do_reverse(
        connection, held.programme, held.customer_id, (EntryKind.REDEMPTION, source), f"{source}:back", now
    )


def _locked(connection: Connection, reservation_id: int) -> CheckoutReservation:
    query = select(reservations).where(reservations.c.id == reservation_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).one_or_none()
    if row is None:
        raise CheckoutNotFound(reservation_id)
    return reservation_of(row)


def _end(
    connection: Connection, reservation_id: int, state: str, reason: str, now: datetime, order_id: str | None
) -> None:
    values: dict[str, Any] = {"state": state, "ended_at": now, "end_reason": reason, "order_id": order_id}
    connection.execute(update(reservations).where(reservations.c.id == reservation_id).values(**values))
