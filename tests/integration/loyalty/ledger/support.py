"""What the ledger's integration tests share: customers to credit, and the ledger's invariants
checked against the stored rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, text

from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.loyalty import Balance, get_balance

PROGRAMME = "points"


def add_customers(engine: Engine, customer_ids: list[str], now: datetime) -> None:
    with engine.begin() as connection:
        do_upsert_customers(
            connection, [(customer_id, CustomerUpsert()) for customer_id in customer_ids], now
        )


def balance(engine: Engine, customer_id: str, programme: str = PROGRAMME) -> Balance:
    with engine.connect() as connection:
        return get_balance(connection, programme, customer_id)


def count(connection: Connection, sql: str, **parameters: object) -> int:
    return int(connection.execute(text(sql), parameters).scalar_one())


def assert_ledger_holds(engine: Engine, programme: str) -> None:
    """Each balance is the sum of its entries and of its lots (available: active lots' remaining;
    pending: the others'); no balance part is negative; no lot gave more than it had, and what it
    has left is its amount less what entries took from it."""
    with engine.connect() as connection:
        cached = connection.execute(
            text("SELECT customer_id, available, pending, debt FROM loyalty_balances WHERE programme = :p"),
            {"p": programme},
        ).all()
        for customer_id, available, pending, debt in cached:
            sums = connection.execute(
                text(
                    "SELECT COALESCE(SUM(available), 0), COALESCE(SUM(pending), 0), COALESCE(SUM(debt), 0) "
                    "FROM loyalty_entries WHERE programme = :p AND customer_id = :c"
                ),
                {"p": programme, "c": customer_id},
            ).one()
            assert (available, pending, debt) == tuple(sums), customer_id
            lots = connection.execute(
                text(
                    "SELECT COALESCE(SUM(CASE WHEN activated = 1 THEN remaining ELSE 0 END), 0), "
                    "COALESCE(SUM(CASE WHEN activated = 0 THEN remaining ELSE 0 END), 0) "
                    "FROM loyalty_lots WHERE programme = :p AND customer_id = :c"
                ),
                {"p": programme, "c": customer_id},
            ).one()
            assert (available, pending) == tuple(lots), customer_id
            assert min(available, pending, debt) >= 0
        wrong_lots = connection.execute(
            text(
                "SELECT l.id, l.amount, l.remaining, "
                "  COALESCE((SELECT SUM(u.points) FROM loyalty_lot_uses u WHERE u.lot_id = l.id), 0), "
                "  COALESCE((SELECT -SUM(e.available) FROM loyalty_entries e "
                "            WHERE e.lot_id = l.id AND e.kind = 'expiry'), 0) "
                "FROM loyalty_lots l WHERE l.programme = :p"
            ),
            {"p": programme},
        ).all()
        for lot_id, amount, remaining, used, expired in wrong_lots:
            assert 0 <= remaining <= amount, lot_id
            assert remaining == amount - used - expired, lot_id
