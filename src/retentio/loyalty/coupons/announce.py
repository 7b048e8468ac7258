"""The coupons' derived events, appended through the log's one append function so every consumer
sees them: ``coupon_issued``, ``coupon_reserved``, ``coupon_redeemed``, ``coupon_released`` and the
alert ``coupon_guessing_refused``. Ids come from what happened, so a retried action appends once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from retentio.events import Event, append_new_events

COUPON_ISSUED = "coupon_issued"
COUPON_RESERVED = "coupon_reserved"
COUPON_REDEEMED = "coupon_redeemed"
COUPON_RELEASED = "coupon_released"
COUPON_GUESSING_REFUSED = "coupon_guessing_refused"
EVENT_ID_LENGTH = 128


def event_id(type_name: str, key: str) -> str:
    """``type:key``, or its digest when that is longer than an event id may be (a long source key
    cut short could meet another one)."""
    plain = f"{type_name}:{key}"
    if len(plain) <= EVENT_ID_LENGTH:
        return plain
    return f"{type_name}:sha256:{hashlib.sha256(plain.encode()).hexdigest()}"


def announce(
    connection: Connection,
    type_name: str,
    key: str,
    customer_id: str | None,
    at: datetime,
    properties: dict[str, Any],
) -> None:
    event = Event(
        event_id=event_id(type_name, key),
        type=type_name,
        customer_id=customer_id,
        anonymous_id=None,
        occurred_at=at.astimezone(UTC),
        properties=properties,
        typed=None,
        derived=True,
    )
    append_new_events(connection, [event], at)
