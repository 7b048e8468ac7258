"""Rebuilding the cached balances from the entries, for an operator who doubts them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, update

from retentio.loyalty.ledger.reads import balances_from_entries, cached_balances
from retentio.loyalty.ledger.tables import loyalty_balances


def do_rebuild_balances(connection: Connection, now: datetime) -> list[tuple[str, str]]:
    """Set every cached balance to the sum of its entries; the accounts that differed (none, unless
    the cache was changed behind the ledger's back)."""
    truth = balances_from_entries(connection)
    cached = cached_balances(connection)
    differing = sorted(key for key in truth.keys() | cached.keys() if truth.get(key) != cached.get(key))
    for programme, customer_id in differing:
        balance = truth.get((programme, customer_id))
        connection.execute(
            update(loyalty_balances)
            .where(
                and_(loyalty_balances.c.programme == programme, loyalty_balances.c.customer_id == customer_id)
            )
            .values(
                available=balance.available if balance else 0,
                pending=balance.pending if balance else 0,
                debt=balance.debt if balance else 0,
                updated_at=now,
            )
        )
    return differing
