"""The checkout's derived events, appended through the log like the coupons' (stable ids from what
happened, so a retried action appends once): ``checkout_reserved``, ``checkout_committed``,
``checkout_released``, ``checkout_refunded``, ``checkout_commit_refused`` and ``checkout_refund_refused``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from retentio.loyalty.coupons.announce import announce

CHECKOUT_RESERVED = "checkout_reserved"
CHECKOUT_COMMITTED = "checkout_committed"
CHECKOUT_RELEASED = "checkout_released"
CHECKOUT_REFUNDED = "checkout_refunded"
CHECKOUT_COMMIT_REFUSED = "checkout_commit_refused"
CHECKOUT_REFUND_REFUSED = "checkout_refund_refused"


def announce_checkout(
    connection: Connection,
    type_name: str,
    reservation_id: int,
    customer_id: str | None,
    at: datetime,
    properties: dict[str, Any],
    key: str = "",
) -> None:
    announce(
        connection,
        type_name,
        f"{reservation_id}{key}",
        customer_id,
        at,
        {"checkout_id": reservation_id, **properties},
    )
