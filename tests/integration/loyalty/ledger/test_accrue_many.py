"""Many accruals in one transaction (``do_accrue_many``), on SQLite and PostgreSQL: the same
entries, lots, balances and events as one ``do_accrue`` per line; a repeated batch writes nothing;
a customer in debt pays it first; a bad line refuses the whole batch, naming it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from tests.integration.loyalty.ledger.support import (
    PROGRAMME,
    add_customers,
    assert_ledger_holds,
    balance,
    count,
)

from retentio.events import events
from retentio.loyalty import (
    Accrual,
    AccruedMany,
    Balance,
    DebtPolicy,
    EntryKind,
    LedgerError,
    UnknownCustomer,
    do_accrue,
    do_accrue_many,
    do_redeem,
    do_reverse,
)

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LINES = [
    Accrual("ann", 100, "order:1:base", active_at=T0 + 14 * DAY, expires_at=T0 + 365 * DAY),
    Accrual("ann", 30, "action:review:9", expires_at=T0 + 30 * DAY),
    Accrual("bob", 20, "action:signup"),
    Accrual("cat", 5, "action:signup"),
]


def stored(engine: Engine) -> list[tuple[object, ...]]:
    """Entries, lots and events, without their ids."""
    with engine.connect() as connection:
        entries = connection.execute(
            text(
                "SELECT e.customer_id, e.kind, e.source, e.available, e.pending, e.debt, "
                "l.amount, l.remaining, l.activated, l.active_at, l.expires_at "
                "FROM loyalty_entries e LEFT JOIN loyalty_lots l ON l.id = e.id "
                "ORDER BY e.customer_id, e.source, e.kind"
            )
        ).all()
        earned = connection.execute(
            select(events.c.customer_id, events.c.properties, events.c.occurred_at).where(
                events.c.type == "points_earned"
            )
        ).all()
    return [tuple(row) for row in entries] + sorted(
        (row[0], str(row[2]), tuple(sorted(row[1].items()))) for row in earned
    )


@pytest.fixture
def customers(engine: Engine) -> Engine:
    add_customers(engine, ["ann", "bob", "cat"], T0)
    return engine


def test_a_batch_writes_what_one_accrual_per_line_would(customers: Engine) -> None:
    # when the batch is credited at once
    with customers.begin() as connection:
        done = do_accrue_many(connection, PROGRAMME, LINES, T0)
    assert done == AccruedMany(credited=4, repeated=0, points=155)
    batch = stored(customers)
    assert balance(customers, "ann") == Balance(30, 100, 0)
    assert_ledger_holds(customers, PROGRAMME)
    # then it is what crediting each line on its own writes
    with customers.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE type = 'points_earned'"))
        for table in ("loyalty_lots", "loyalty_entries", "loyalty_balances"):
            connection.execute(text(f"DELETE FROM {table}"))
        for line in LINES:
            do_accrue(
                connection,
                PROGRAMME,
                line.customer_id,
                line.points,
                line.source,
                T0,
                active_at=line.active_at,
                expires_at=line.expires_at,
            )
    assert stored(customers) == batch


def test_a_repeated_batch_writes_nothing_and_a_new_line_in_it_counts(customers: Engine) -> None:
    with customers.begin() as connection:
        do_accrue_many(connection, PROGRAMME, LINES, T0)
    with customers.begin() as connection:
        again = do_accrue_many(
            connection, PROGRAMME, [*LINES, Accrual("bob", 7, "action:birthday")], T0 + DAY
        )
    assert again == AccruedMany(credited=1, repeated=4, points=7)
    assert balance(customers, "bob") == Balance(27, 0, 0)
    assert_ledger_holds(customers, PROGRAMME)


def test_a_customer_in_debt_pays_it_first(customers: Engine) -> None:
    # given bob owes 15 (a returned order whose points he had spent)
    with customers.begin() as connection:
        do_accrue(connection, PROGRAMME, "bob", 15, "order:7:base", T0)
        do_redeem(connection, PROGRAMME, "bob", 15, "checkout:7", T0)
        do_reverse(
            connection,
            PROGRAMME,
            "bob",
            (EntryKind.ACCRUAL, "order:7:base"),
            "return:7",
            T0,
            policy=DebtPolicy.DEBT,
        )
    assert balance(customers, "bob") == Balance(0, 0, 15)
    with customers.begin() as connection:
        done = do_accrue_many(connection, PROGRAMME, LINES, T0 + DAY)
    assert done.credited == 4
    assert balance(customers, "bob") == Balance(5, 0, 0)
    assert_ledger_holds(customers, PROGRAMME)


@pytest.mark.parametrize(
    ("bad", "error", "field"),
    [
        (Accrual("cat", 0, "x"), LedgerError, "accruals[4].points"),
        (Accrual("cat", 5, ""), LedgerError, "accruals[4].source"),
        (Accrual("cat", 5, "x", expires_at=T0 - DAY), LedgerError, "accruals[4].expires_at"),
        (Accrual("ann", 1, "order:1:base"), LedgerError, "accruals[4].source"),
        (Accrual("nobody", 5, "x"), UnknownCustomer, "customer_id"),
    ],
)
def test_a_bad_line_refuses_the_whole_batch(
    customers: Engine, bad: Accrual, error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as raised, customers.begin() as connection:
        do_accrue_many(connection, PROGRAMME, [*LINES, bad], T0)
    assert getattr(raised.value, "field", None) == field
    with customers.connect() as connection:
        assert count(connection, "SELECT COUNT(*) FROM loyalty_entries") == 0
