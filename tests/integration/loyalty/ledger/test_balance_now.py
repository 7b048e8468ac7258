"""A balance read shows the truth at ``now`` (an injected clock), not the last write: points whose
return window closed since count as available, points past their expiry are gone — the same balance
the nightly run will then write — and the read writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from tests.integration.loyalty.ledger.support import PROGRAMME, add_customers, count

from retentio.loyalty import Balance, LedgerError, do_accrue, do_nightly, do_redeem, get_balance

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def read(engine: Engine, at: datetime | None, customer_id: str = "ann") -> Balance:
    with engine.connect() as connection:
        return get_balance(connection, PROGRAMME, customer_id, at)


@pytest.fixture
def ledger(engine: Engine) -> Engine:
    add_customers(engine, ["ann", "bob"], T0)
    with engine.begin() as connection:
        # an order: pending 14 days, then valid until day 20 (a lot that activates and expires
        # between two reads does both); a review: 30 points for 30 days, 10 spent
        do_accrue(
            connection,
            PROGRAMME,
            "ann",
            100,
            "order:1:base",
            T0,
            active_at=T0 + 14 * DAY,
            expires_at=T0 + 20 * DAY,
        )
        do_accrue(connection, PROGRAMME, "ann", 30, "action:review", T0, expires_at=T0 + 30 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 5, "action:signup", T0)
        do_redeem(connection, PROGRAMME, "ann", 10, "checkout:1", T0)
    return engine


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, Balance(25, 100, 0)),
        (14, Balance(125, 0, 0)),  # the window closed at day 14 exactly
        (20, Balance(25, 0, 0)),  # the order's points expired
        (30, Balance(5, 0, 0)),  # and the review's 20 left
        (40, Balance(5, 0, 0)),  # a lot that activated and expired unseen, read late
    ],
)
def test_a_read_shows_what_the_nightly_run_will_write(ledger: Engine, days: int, expected: Balance) -> None:
    at = T0 + days * DAY
    with ledger.connect() as connection:
        entries = count(connection, "SELECT COUNT(*) FROM loyalty_entries")
    # when the balance is read at ``at`` before any nightly run
    shown = read(ledger, at)
    # then it is the truth at ``at``, and nothing was written
    assert shown == expected
    with ledger.connect() as connection:
        assert count(connection, "SELECT COUNT(*) FROM loyalty_entries") == entries
    # and the last write's balance is still there for who asks without a time
    assert read(ledger, None) == Balance(25, 100, 0)
    # and it is what the nightly run writes
    do_nightly(ledger, at)
    assert read(ledger, None) == expected
    assert read(ledger, at) == expected


def test_a_customer_without_points_reads_zero_and_a_naive_time_is_refused(ledger: Engine) -> None:
    assert read(ledger, T0, "bob") == Balance(0, 0, 0)
    with pytest.raises(LedgerError, match="now: "):
        read(ledger, datetime(2026, 6, 1))
