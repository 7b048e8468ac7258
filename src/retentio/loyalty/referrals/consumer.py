"""The referrals' consumer of the log (``loyalty.referrals``): keeps the fingerprints of orders,
attributes friends (``referral`` events, ``order_placed`` with ``referral_code``) and follows their
orders, in the transaction that moves its checkpoint. Rewards wait for the daily run
(``upkeep.py``), when return windows have closed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from retentio.events import ORDER_EVENT_TYPES, LoggedEvent
from retentio.loyalty.programmes.settings import LoyaltyConfig
from retentio.loyalty.referrals.attribute import attribute
from retentio.loyalty.referrals.follow import follow_orders
from retentio.loyalty.referrals.store import record_fingerprints

REFERRALS_CONSUMER = "loyalty.referrals"
_TYPES = ORDER_EVENT_TYPES | {"referral"}


@dataclass(frozen=True, slots=True)
class ReferralsConsumer:
    config: LoyaltyConfig
    name: str = REFERRALS_CONSUMER

    @property
    def event_types(self) -> frozenset[str] | None:
        return _TYPES

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        fresh = [logged.event for logged in batch if not logged.event.derived]
        record_fingerprints(connection, fresh)
        for event in fresh:
            if event.type == "referral":
                friend = event.properties.get("referred_customer_id") or event.customer_id
                attribute(
                    connection, self.config, event, str(event.properties["referral_code"]), friend, None
                )
            elif event.type == "order_placed" and isinstance(event.properties.get("referral_code"), str):
                order_id = str(event.properties["order_id"])
                attribute(
                    connection,
                    self.config,
                    event,
                    event.properties["referral_code"],
                    event.customer_id,
                    order_id,
                )
        follow_orders(connection, self.config, fresh)
