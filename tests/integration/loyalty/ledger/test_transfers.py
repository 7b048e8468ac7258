"""Transfers between two customers of one programme, on SQLite and PostgreSQL: the points leave
the sender's soonest-expiring lots and arrive as lots that keep each one's expiry; more than is
available is refused with nothing written; a source moves once; a return of an order whose points
were given away is the sender's; two opposite transfers at once never deadlock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from tests.integration.loyalty.ledger.support import (
    PROGRAMME,
    add_customers,
    assert_ledger_holds,
    balance,
    count,
)

from retentio.loyalty import (
    Balance,
    DebtPolicy,
    EntryKind,
    LedgerError,
    NotEnoughPoints,
    UnknownCustomer,
    do_accrue,
    do_redeem,
    do_reverse,
    do_transfer,
)

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def ledger(engine: Engine) -> Engine:
    add_customers(engine, ["ann", "bob"], T0)
    with engine.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "order:1:base", T0, expires_at=T0 + 365 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 30, "action:review:9", T0, expires_at=T0 + 30 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 20, "action:signup", T0)
    return engine


def received_lots(engine: Engine, customer_id: str) -> list[tuple[int, str | None, str]]:
    """(points, expiry, source of the lot they came from) of the customer's transferred-in lots."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT l.amount, l.expires_at, e.source FROM loyalty_lots l "
                "JOIN loyalty_entries e ON e.id = l.origin_id WHERE l.customer_id = :c ORDER BY l.id"
            ),
            {"c": customer_id},
        ).all()
    return [(row[0], None if row[1] is None else str(row[1])[:10], row[2]) for row in rows]


def test_a_transfer_takes_the_soonest_expiring_points_and_keeps_their_expiry(ledger: Engine) -> None:
    # when ann gives bob 110 of her 150 points
    with ledger.begin() as connection:
        done = do_transfer(
            connection, PROGRAMME, "ann", "bob", 110, "gift:1", T0 + DAY, actor="ann", reason="for my son"
        )
    # then the review's 30 (expiring first) and 80 of the order's lot moved, each with its expiry
    assert (done.sender, done.receiver, done.repeated) == (Balance(40, 0, 0), Balance(110, 0, 0), False)
    assert (done.sent.kind, done.sent.source, done.sent.available) == (EntryKind.TRANSFER, "gift:1", -110)
    assert [entry.available for entry in done.received] == [30, 80]
    assert received_lots(ledger, "bob") == [
        (30, "2026-07-01", "action:review:9"),
        (80, "2027-06-01", "order:1:base"),
    ]
    assert balance(ledger, "ann") == Balance(40, 0, 0)
    assert balance(ledger, "bob") == Balance(110, 0, 0)
    assert_ledger_holds(ledger, PROGRAMME)
    # and bob's 30 expire when the review's lot would have
    with ledger.begin() as connection:
        do_redeem(connection, PROGRAMME, "bob", 1, "checkout:b1", T0 + 31 * DAY)
    assert balance(ledger, "bob") == Balance(79, 0, 0)


def test_a_transfer_of_a_source_moves_once(ledger: Engine) -> None:
    with ledger.begin() as connection:
        first = do_transfer(connection, PROGRAMME, "ann", "bob", 50, "gift:1", T0)
    with ledger.begin() as connection:
        again = do_transfer(connection, PROGRAMME, "ann", "bob", 50, "gift:1", T0)
    assert again.repeated and again.sent == first.sent and again.received == ()
    assert (balance(ledger, "ann"), balance(ledger, "bob")) == (Balance(100, 0, 0), Balance(50, 0, 0))


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"points": 151}, NotEnoughPoints, "points"),
        ({"points": 0}, LedgerError, "points"),
        ({"to_customer": "ann"}, LedgerError, "to_customer"),
        ({"to_customer": "nobody"}, UnknownCustomer, "customer_id"),
        ({"source": "merge:bob:1"}, LedgerError, "source"),
        ({"source": "x" * 240}, LedgerError, "source"),
    ],
)
def test_a_refused_transfer_writes_nothing(
    ledger: Engine, change: dict[str, object], error: type[Exception], field: str
) -> None:
    arguments: dict[str, object] = {"points": 10, "to_customer": "bob", "source": "gift:2"} | change
    with ledger.connect() as connection:
        before = count(connection, "SELECT COUNT(*) FROM loyalty_entries")
    with pytest.raises(error) as raised, ledger.begin() as connection:
        do_transfer(
            connection,
            PROGRAMME,
            "ann",
            str(arguments["to_customer"]),
            arguments["points"],  # type: ignore[arg-type]
            str(arguments["source"]),
            T0,
        )
    assert getattr(raised.value, "field", None) == field
    with ledger.connect() as connection:
        assert count(connection, "SELECT COUNT(*) FROM loyalty_entries") == before
    assert balance(ledger, "ann") == Balance(150, 0, 0)


def test_pending_points_cannot_be_transferred(engine: Engine) -> None:
    add_customers(engine, ["ann", "bob"], T0)
    with engine.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "order:1:base", T0, active_at=T0 + 14 * DAY)
    with pytest.raises(NotEnoughPoints), engine.begin() as connection:
        do_transfer(connection, PROGRAMME, "ann", "bob", 1, "gift:1", T0 + DAY)


@pytest.mark.parametrize(
    ("policy", "ann_after"), [(DebtPolicy.DEBT, Balance(0, 0, 70)), (DebtPolicy.BLOCK, Balance(0, 0, 0))]
)
def test_a_return_of_an_order_whose_points_were_given_away_is_the_senders(
    ledger: Engine, policy: DebtPolicy, ann_after: Balance
) -> None:
    # given ann gave bob 120 of her 150 points: the review's 30 and 90 of order 1's lot
    with ledger.begin() as connection:
        do_transfer(connection, PROGRAMME, "ann", "bob", 120, "gift:1", T0)
    # when order 1 is returned whole
    with ledger.begin() as connection:
        posted = do_reverse(
            connection,
            PROGRAMME,
            "ann",
            (EntryKind.ACCRUAL, "order:1:base"),
            "return:1",
            T0 + DAY,
            policy=policy,
        )
    # then the 10 left in the lot and her signup's 20 are taken from ann; the other 70 are her debt
    # (or written off under the block policy)
    assert posted.balance == ann_after
    assert posted.entry.shortfall == (70 if policy is DebtPolicy.BLOCK else 0)
    # and bob keeps what he was given
    assert balance(ledger, "bob") == Balance(120, 0, 0)
    assert_ledger_holds(ledger, PROGRAMME)


def test_two_opposite_transfers_at_once_never_deadlock(engine: Engine) -> None:
    # given two customers with 1,000 points each
    add_customers(engine, ["ann", "bob"], T0)
    with engine.begin() as connection:
        for who in ("ann", "bob"):
            for number in range(10):
                do_accrue(connection, PROGRAMME, who, 100, f"order:{who}:{number}", T0)
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def send(sender: str, receiver: str) -> None:
        start.wait()
        for number in range(40):
            try:
                # no retry: a deadlock would surface here as an error
                with engine.begin() as connection:
                    do_transfer(connection, PROGRAMME, sender, receiver, 7, f"gift:{sender}:{number}", T0)
            except NotEnoughPoints:
                pass
            except BaseException as error:
                failures.append(error)

    # when each sends the other 40 transfers at the same time
    threads = [threading.Thread(target=send, args=pair) for pair in (("ann", "bob"), ("bob", "ann"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then none failed, nothing was lost or made, and the ledger holds
    assert failures == []
    total = balance(engine, "ann").available + balance(engine, "bob").available
    assert total == 2_000
    with engine.connect() as connection:
        assert (
            count(
                connection, "SELECT COUNT(*) FROM loyalty_entries WHERE kind = 'transfer' AND available < 0"
            )
            == 80
        )
    assert_ledger_holds(engine, PROGRAMME)
