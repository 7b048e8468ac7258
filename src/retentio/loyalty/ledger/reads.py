"""Reading the ledger: a balance, the entries newest first, and the balances rebuilt from the
entries (which must equal the cached ones: the entries are the truth, the cache only a sum)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from retentio.customers import customers
from retentio.loyalty.ledger import store
from retentio.loyalty.ledger.checks import check_account
from retentio.loyalty.ledger.errors import LedgerError, UnknownCustomer
from retentio.loyalty.ledger.model import ZERO, Balance, Entry
from retentio.loyalty.ledger.tables import loyalty_balances, loyalty_entries

MOST_ENTRIES = 1_000


def get_balance(connection: Connection, programme: str, customer_id: str) -> Balance:
    """The cached balance; a known customer who never had points has a zero one."""
    check_account(programme, customer_id)
    found = store.read_balance(connection, store.Account(programme, customer_id))
    if found is not None:
        return found
    _known(connection, customer_id)
    return ZERO


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
