"""What time alone did to a customer's lots, written before any change of that customer: pending
lots whose time came become available, available lots past their expiry lose what is left of them
(the nightly work does the same for everyone, set-based). And the sum of what one change writes to
a balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from retentio.loyalty.ledger import store
from retentio.loyalty.ledger.announce import EXPIRED, announce
from retentio.loyalty.ledger.decide import Due
from retentio.loyalty.ledger.model import Balance, EntryKind
from retentio.loyalty.ledger.store import Account, NewEntry

SYSTEM_ACTOR = "retentio"


@dataclass(slots=True)
class Change:
    """The sum of what one call writes to the balance."""

    available: int = 0
    pending: int = 0
    debt: int = 0

    def add(self, change: Balance) -> None:
        self.available += change.available
        self.pending += change.pending
        self.debt += change.debt

    def on(self, balance: Balance) -> Balance:
        return Balance(
            balance.available + self.available, balance.pending + self.pending, balance.debt + self.debt
        )


def catch_up(connection: Connection, account: Account, due: Due, now: datetime) -> Change:
    """Write what time did to the lots before this change (the nightly work does the same for all)."""
    change = Change()
    for lot_id, points in due.activations:
        activation = Balance(points, -points, 0)
        store.add_entry(
            connection,
            account,
            NewEntry(
                EntryKind.ACTIVATION,
                f"lot:{lot_id}",
                activation,
                now,
                SYSTEM_ACTOR,
                "return window closed",
                lot_id=lot_id,
            ),
        )
        store.mark_activated(connection, lot_id)
        change.add(activation)
    for lot_id, points, expired_before in due.expiries:
        change.add(expire(connection, account, lot_id, points, expired_before, now))
    return change


def expire(
    connection: Connection, account: Account, lot_id: int, points: int, expired_before: int, now: datetime
) -> Balance:
    expiry = Balance(-points, 0, 0)
    entry = store.add_entry(
        connection,
        account,
        NewEntry(
            EntryKind.EXPIRY,
            f"lot:{lot_id}:{expired_before}",
            expiry,
            now,
            SYSTEM_ACTOR,
            "expired",
            lot_id=lot_id,
        ),
    )
    store.mark_expired(connection, lot_id, points)
    announce(connection, EXPIRED, entry, points, now)
    return expiry
