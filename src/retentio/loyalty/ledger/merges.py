"""The ledger's part of a merge of two customers (consumer ``loyalty.merges``): when the log says a
record was merged into another (``customer_merged``, written by the customers area's merge), every
programme's points of the merged customer — available and pending lots with their dates, and debt —
move to the survivor as transfers (``transfer.absorb``). Loyalty sits above customers, so it reacts
to the merge instead of being called by it.

Nothing is lost or counted twice: the move is a pair of entries per lot under both balance locks,
and an emptied account moves nothing when read again. A return that arrives before this consumer
has run makes the same move first (``service.do_reverse``); the order's entries stay on the merged
customer, and a later reversal naming them finds them there and the lots their points moved to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from retentio.events import LoggedEvent
from retentio.loyalty.ledger import store
from retentio.loyalty.ledger.store import Account
from retentio.loyalty.ledger.tables import loyalty_balances
from retentio.loyalty.ledger.transfer import absorb

MERGES_CONSUMER = "loyalty.merges"
CUSTOMER_MERGED = "customer_merged"


@dataclass(frozen=True, slots=True)
class LoyaltyMergesConsumer:
    name: str = MERGES_CONSUMER

    @property
    def event_types(self) -> frozenset[str] | None:
        return frozenset({CUSTOMER_MERGED})

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        for logged in batch:
            event = logged.event
            merged_id = event.properties.get("merged_id") if event.type == CUSTOMER_MERGED else None
            if isinstance(merged_id, str) and event.customer_id is not None:
                move_points_of_merged(connection, merged_id, event.customer_id, now)


def move_points_of_merged(connection: Connection, merged_id: str, survivor_id: str, now: datetime) -> int:
    """Move every programme's points of ``merged_id`` to ``survivor_id``; the programmes moved."""
    programmes = connection.execute(
        select(loyalty_balances.c.programme)
        .where(loyalty_balances.c.customer_id == merged_id)
        .order_by(loyalty_balances.c.programme)
    ).scalars()
    moved = 0
    for programme in list(programmes):
        # Both balance rows in primary-key order, as every change takes them.
        for who in sorted([merged_id, survivor_id]):
            if who == survivor_id:
                store.lock_balance(connection, Account(programme, who), now)
            else:
                store.lock_balance_if_any(connection, Account(programme, who))
        moved += absorb(connection, programme, merged_id, survivor_id, now)
    return moved
