"""Reading the ledger: a balance, the entries newest first, and the balances rebuilt from the
entries (which must equal the cached ones: the entries are the truth, the cache only a sum)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, String, and_, bindparam, case, func, literal, or_, select

from retentio.customers import customers
from retentio.db.types import UtcDateTime
from retentio.loyalty.ledger import store
from retentio.loyalty.ledger.checks import check_account, check_times
from retentio.loyalty.ledger.errors import LedgerError, UnknownCustomer
from retentio.loyalty.ledger.model import ZERO, Balance, Entry
from retentio.loyalty.ledger.tables import loyalty_balances, loyalty_entries, loyalty_lots

MOST_ENTRIES = 1_000


def get_balance(
    connection: Connection, programme: str, customer_id: str, now: datetime | None = None
) -> Balance:
    """The balance at ``now``: the cached one, with the points whose return window closed since the
    last write shown as available and the points past their expiry gone, as the next change or the
    nightly run will write them (computed here, not written: a read takes no lock). Without ``now``,
    the balance as the last write left it. A known customer who never had points has a zero one."""
    check_account(programme, customer_id)
    if now is not None:
        check_times(now, None, None)
    account = store.Account(programme, customer_id)
    found = store.read_balance(connection, account) if now is None else _balance_at(connection, account, now)
    if found is not None:
        return found
    _known(connection, customer_id)
    return ZERO


def _balance_at_statement() -> Select[Any]:
    """One statement: the cached balance and, from the account's lots, what became available and
    what expired by ``now`` (a lot whose window closed after its expiry does both, as ``due_at``).
    Built once: building it costs more than running it (every checkout and profile read runs it)."""
    lots = loyalty_lots.c
    at = bindparam("now", type_=UtcDateTime)
    customer_id, programme = bindparam("customer_id", type_=String), bindparam("programme", type_=String)
    activating = (lots.activated == 0) & (lots.active_at <= at)
    expiring = (
        (lots.remaining > 0)
        & lots.expires_at.is_not(None)
        & (lots.expires_at <= at)
        & ((lots.activated == 1) | (lots.active_at <= at))
    )
    due = (
        select(
            func.coalesce(func.sum(case((activating, lots.remaining), else_=0)), 0).label("activated"),
            func.coalesce(func.sum(case((expiring, lots.remaining), else_=0)), 0).label("expired"),
        )
        .where(
            lots.customer_id == customer_id,
            lots.programme == programme,
            or_(lots.activated == 0, and_(lots.remaining > 0, lots.expires_at <= at)),
        )
        .subquery()
    )
    balances = loyalty_balances.c
    return (
        select(balances.available, balances.pending, balances.debt, due.c.activated, due.c.expired)
        .select_from(loyalty_balances.join(due, literal(True)))
        .where(balances.programme == programme, balances.customer_id == customer_id)
    )


_BALANCE_AT = _balance_at_statement()


def _balance_at(connection: Connection, account: store.Account, now: datetime) -> Balance | None:
    row = connection.execute(
        _BALANCE_AT, {"now": now, "customer_id": account.customer_id, "programme": account.programme}
    ).first()
    if row is None:
        return None
    available, pending, debt, activated, expired = (int(value) for value in row)
    return Balance(available + activated - expired, pending - activated, debt)


def list_entries(
    connection: Connection, programme: str, customer_id: str, limit: int = 100, before: int | None = None
) -> list[Entry]:
    """The customer's entries in ``programme``, newest first; ``before`` (an entry id) pages on."""
    check_account(programme, customer_id)
    if not 1 <= limit <= MOST_ENTRIES:
        raise LedgerError("limit", f"must be between 1 and {MOST_ENTRIES}, not {limit}")
    query = select(loyalty_entries).where(
        loyalty_entries.c.customer_id == customer_id, loyalty_entries.c.programme == programme
    )
    if before is not None:
        query = query.where(loyalty_entries.c.id < before)
    rows = connection.execute(query.order_by(loyalty_entries.c.id.desc()).limit(limit)).all()
    if not rows:
        _known(connection, customer_id)
    return [store.entry_of(row) for row in rows]


def _known(connection: Connection, customer_id: str) -> None:
    if (
        connection.execute(
            select(customers.c.customer_id).where(customers.c.customer_id == customer_id)
        ).first()
        is None
    ):
        raise UnknownCustomer(customer_id)


def balances_from_entries(connection: Connection) -> dict[tuple[str, str], Balance]:
    """Every balance other than zero as the sum of its entries."""
    rows = connection.execute(
        select(
            loyalty_entries.c.programme,
            loyalty_entries.c.customer_id,
            func.sum(loyalty_entries.c.available),
            func.sum(loyalty_entries.c.pending),
            func.sum(loyalty_entries.c.debt),
        ).group_by(loyalty_entries.c.programme, loyalty_entries.c.customer_id)
    )
    sums = {(row[0], row[1]): Balance(int(row[2]), int(row[3]), int(row[4])) for row in rows}
    return {key: balance for key, balance in sums.items() if balance != ZERO}


def cached_balances(connection: Connection) -> dict[tuple[str, str], Balance]:
    """Every cached balance other than zero."""
    rows = connection.execute(select(loyalty_balances))
    cached = {(row.programme, row.customer_id): Balance(row.available, row.pending, row.debt) for row in rows}
    return {key: balance for key, balance in cached.items() if balance != ZERO}
