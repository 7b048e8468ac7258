"""The checkout's consumer of the log, ``checkout``: an ``order_placed`` event commits the
reservation it names, an ``order_cancelled`` one refunds (or releases) the order's reservation.

An order names its reservation by the property ``checkout_id`` (the reservation's id), or by its
``order_id`` when the reservation was made with that order id. Each event runs in a savepoint: a
commit refused (the reservation released or timed out, another order's) undoes only that event's
writes and appends a ``checkout_commit_refused`` event saying why, and the consumer moves on — a
refusal is an answer, not a failure to retry (a refund refused likewise appends
``checkout_refund_refused``). Delivered again, an event finds its work done."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retentio.events import LoggedEvent
from retentio.loyalty.checkout.announce import (
    CHECKOUT_COMMIT_REFUSED,
    CHECKOUT_REFUND_REFUSED,
    announce_checkout,
)
from retentio.loyalty.checkout.errors import CheckoutError
from retentio.loyalty.checkout.lifecycle import (
    do_commit_checkout,
    do_refund_checkout,
    orders_with_reservations,
    reservation_for_order,
)

log = logging.getLogger(__name__)
CHECKOUT_CONSUMER = "checkout"
_ORDER_TYPES = frozenset({"order_placed", "order_cancelled"})


class CheckoutConsumer:
    @property
    def name(self) -> str:
        return CHECKOUT_CONSUMER

    @property
    def event_types(self) -> frozenset[str] | None:
        return _ORDER_TYPES

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        orders = [logged.event for logged in batch if logged.event.type in _ORDER_TYPES]
        if not orders:
            return
        named = orders_with_reservations(
            connection,
            (str(e.properties.get("order_id", "")) for e in orders if "checkout_id" not in e.properties),
        )
        for event in orders:
            properties = event.properties
            if "checkout_id" not in properties and str(properties.get("order_id", "")) not in named:
                continue  # most orders: no checkout reservation behind them
            if event.type == "order_placed":
                _placed(connection, properties, event.customer_id, event.occurred_at, now)
            else:
                _cancelled(connection, properties, event.customer_id, now)


def _placed(
    connection: Connection,
    properties: dict[str, Any],
    customer_id: str | None,
    placed_at: datetime,
    now: datetime,
) -> None:
    order_id = str(properties.get("order_id", ""))
    reservation_id = _checkout_id(properties.get("checkout_id"))
    if reservation_id is None:
        found = reservation_for_order(connection, order_id) if order_id else None
        if found is None or found.state != "reserved":
            return  # an order without a checkout reservation: nothing to commit
        reservation_id = found.id
    savepoint = connection.begin_nested()
    try:
        do_commit_checkout(connection, reservation_id, order_id, now, placed_at)
    except ValueError as refused:  # the area's refusals: a checkout's, a coupon's, a card's, the ledger's
        savepoint.rollback()
        _refused(connection, CHECKOUT_COMMIT_REFUSED, reservation_id, customer_id, order_id, refused, now)
        return
    savepoint.commit()


def _cancelled(
    connection: Connection, properties: dict[str, Any], customer_id: str | None, now: datetime
) -> None:
    order_id = str(properties.get("order_id", ""))
    found = reservation_for_order(connection, order_id) if order_id else None
    if found is None:
        return
    savepoint = connection.begin_nested()
    try:
        do_refund_checkout(connection, found.id, now)
    except ValueError as refused:
        savepoint.rollback()
        _refused(connection, CHECKOUT_REFUND_REFUSED, found.id, customer_id, order_id, refused, now)
        return
    savepoint.commit()


def _refused(
    connection: Connection,
    type_name: str,
    reservation_id: int,
    customer_id: str | None,
    order_id: str,
    refused: ValueError,
    now: datetime,
) -> None:
    """A refusal is an answer, not a failure: retrying the batch would meet it again and hold the
    consumer back forever. It is logged and appended as an event for operators and journeys."""
    rule = refused.rule if isinstance(refused, CheckoutError) else getattr(refused, "field", "refused")
    message = getattr(refused, "message", str(refused))
    log.warning("checkout %s for order %r: %s (%s)", type_name, order_id, message, rule)
    properties = {"order_id": order_id, "rule": rule, "message": message}
    announce_checkout(connection, type_name, reservation_id, customer_id, now, properties, key=f":{order_id}")


def _checkout_id(value: object) -> int | None:
    """The reservation's id as sent: a number or a string of digits; anything else names none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None
