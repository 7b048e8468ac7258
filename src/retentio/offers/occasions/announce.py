"""The occasions' derived events, each with an id made of what it is about, so a rerun or a second
worker appends nothing new: ``offer_due`` (with its ``occasion``: cart, viewed, birthday,
anniversary, subscription_renewal) and ``replenishment_due``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from retentio.events import Event, append_new_events

OFFER_DUE, REPLENISHMENT_DUE = "offer_due", "replenishment_due"
CART, VIEWED, BIRTHDAY, ANNIVERSARY, SUBSCRIPTION_RENEWAL = (
    "cart",
    "viewed",
    "birthday",
    "anniversary",
    "subscription_renewal",
)


@dataclass(frozen=True, slots=True)
class Occasion:
    """An offer that is due for a customer: ``key`` names the occasion once (the event id's tail)."""

    type: str  # offer_due, replenishment_due
    key: str
    customer_id: str
    properties: dict[str, Any]

    @property
    def event_id(self) -> str:
        return f"occ:{self.type}:{self.key}"


def announce(connection: Connection, occasions: Sequence[Occasion], now: datetime) -> int:
    """Append the occasions not announced before; the number appended."""
    at = now.astimezone(UTC)
    fresh = [
        Event(
            event_id=occasion.event_id,
            type=occasion.type,
            customer_id=occasion.customer_id,
            anonymous_id=None,
            occurred_at=at,
            properties=occasion.properties,
            typed=None,
            derived=True,
        )
        for occasion in occasions
    ]
    return len(append_new_events(connection, fresh, now)) if fresh else 0
