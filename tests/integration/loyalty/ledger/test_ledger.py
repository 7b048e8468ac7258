"""The ledger on a real store (SQLite, or PostgreSQL with RETENTIO_TEST_DATABASE_URL): lots,
pending points, soonest-expiring-first redemptions, expiry of only what is left, exact reversals,
returns after spending under both debt policies, idempotent sources, refusals that write nothing."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import Engine, text
from tests.integration.loyalty.ledger.support import (
    PROGRAMME,
    add_customers,
    assert_ledger_holds,
    balance,
    count,
)

from retentio.events import events
from retentio.loyalty import (
    Balance,
    DebtPolicy,
    EntryKind,
    InvalidPoints,
    LedgerError,
    NotEnoughPoints,
    UnknownCustomer,
    UnknownEntry,
    do_accrue,
    do_adjust,
    do_nightly,
    do_rebuild_balances,
    do_redeem,
    do_reverse,
    list_entries,
)

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def ledger(engine: Engine) -> Engine:
    add_customers(engine, ["ann", "bob"], T0)
    return engine


def lot_remaining(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT e.source, l.remaining FROM loyalty_lots l JOIN loyalty_entries e ON e.id = l.id")
        )
        return {row[0]: row[1] for row in rows}


def test_order_points_stay_pending_until_the_return_window_closes(ledger: Engine) -> None:
    # given an order's 100 points, pending for 14 days
    with ledger.begin() as connection:
        posted = do_accrue(
            connection,
            PROGRAMME,
            "ann",
            100,
            "order:1:base",
            T0,
            active_at=T0 + 14 * DAY,
            expires_at=T0 + 365 * DAY,
        )
    assert posted.balance == Balance(available=0, pending=100, debt=0)
    # when spending them before the window closes, then it is refused and nothing is written
    with (
        pytest.raises(NotEnoughPoints, match="points: 10 asked, only 0 available"),
        ledger.begin() as connection,
    ):
        do_redeem(connection, PROGRAMME, "ann", 10, "checkout:1", T0 + DAY)
    # when the night after the window closes comes
    result = do_nightly(ledger, T0 + 15 * DAY)
    # then they are available
    assert result.activated == 1
    assert balance(ledger, "ann") == Balance(100, 0, 0)
    assert_ledger_holds(ledger, PROGRAMME)


def test_the_same_source_credits_once_however_often_it_arrives(ledger: Engine) -> None:
    # when the same order's accrual arrives ten times
    for _ in range(10):
        with ledger.begin() as connection:
            posted = do_accrue(connection, PROGRAMME, "ann", 100, "order:7:base", T0)
    # then one lot and one entry hold it; the repeats say so
    assert posted.repeated
    assert balance(ledger, "ann") == Balance(100, 0, 0)
    with ledger.connect() as connection:
        assert [entry.kind for entry in list_entries(connection, PROGRAMME, "ann")] == [EntryKind.ACCRUAL]
        assert count(connection, "SELECT COUNT(*) FROM events WHERE type = 'points_earned'") == 1


def test_a_redemption_takes_soonest_expiring_lots_and_its_reversal_restores_exactly_them(
    ledger: Engine,
) -> None:
    # given lots expiring in 300, 30 and never days
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "a:late", T0, expires_at=T0 + 300 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 100, "a:soon", T0, expires_at=T0 + 30 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 100, "a:never", T0)
    # when 150 points are redeemed
    with ledger.begin() as connection:
        do_redeem(connection, PROGRAMME, "ann", 150, "checkout:1", T0)
    # then the soonest lot is emptied, then the later one
    assert lot_remaining(ledger) == {"a:late": 50, "a:soon": 0, "a:never": 100}
    # when the checkout is cancelled
    with ledger.begin() as connection:
        posted = do_reverse(
            connection, PROGRAMME, "ann", (EntryKind.REDEMPTION, "checkout:1"), "cancel:1", T0
        )
    # then the very same lots get their points back
    assert posted.balance == Balance(300, 0, 0)
    assert lot_remaining(ledger) == {"a:late": 100, "a:soon": 100, "a:never": 100}
    # and a second reversal of it by another source is refused
    with (
        pytest.raises(
            LedgerError, match="of: the redemption 'checkout:1' was reversed already by 'cancel:1'"
        ),
        ledger.begin() as connection,
    ):
        do_reverse(connection, PROGRAMME, "ann", (EntryKind.REDEMPTION, "checkout:1"), "cancel:2", T0)
    assert_ledger_holds(ledger, PROGRAMME)


def test_an_expiry_takes_only_what_is_left_of_its_lot(ledger: Engine) -> None:
    # given 100 points expiring in 30 days, 60 of them spent
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "a:1", T0, expires_at=T0 + 30 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 50, "a:2", T0)
        do_redeem(connection, PROGRAMME, "ann", 60, "checkout:1", T0)
    # when the lot expires
    result = do_nightly(ledger, T0 + 31 * DAY)
    # then it loses its 40, not the 100 it started with: the other lot's 50 stay
    assert result.expired == 1
    assert balance(ledger, "ann") == Balance(50, 0, 0)
    with ledger.connect() as connection:
        expired = connection.execute(
            events.select().where(events.c.type == "points_expired").with_only_columns(events.c.properties)
        ).scalar_one()
    assert expired == {"programme": PROGRAMME, "points": 40, "source": "nightly"}
    # and a second run the same night changes nothing
    assert do_nightly(ledger, T0 + 31 * DAY).expired == 0
    assert_ledger_holds(ledger, PROGRAMME)


def test_points_given_back_to_an_expired_lot_expire_again(ledger: Engine) -> None:
    # given a redemption from a lot that expired since
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "a:1", T0, expires_at=T0 + 30 * DAY)
        do_redeem(connection, PROGRAMME, "ann", 70, "checkout:1", T0)
    do_nightly(ledger, T0 + 31 * DAY)
    # when the redemption is cancelled
    with ledger.begin() as connection:
        posted = do_reverse(
            connection, PROGRAMME, "ann", (EntryKind.REDEMPTION, "checkout:1"), "cancel:1", T0 + 32 * DAY
        )
    # then the 70 points come back to the lot and expire with it at once
    assert posted.balance == Balance(0, 0, 0)
    with ledger.connect() as connection:
        kinds = [entry.kind.value for entry in reversed(list_entries(connection, PROGRAMME, "ann"))]
    assert kinds == ["accrual", "redemption", "expiry", "reversal", "expiry"]
    assert_ledger_holds(ledger, PROGRAMME)


def test_a_return_after_the_points_were_spent_becomes_a_debt_the_next_accrual_pays(ledger: Engine) -> None:
    # given an order's 100 points, 80 of them spent
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "order:1:base", T0)
        do_redeem(connection, PROGRAMME, "ann", 80, "checkout:1", T0)
    # when half of the order is returned, then the whole of it
    with ledger.begin() as connection:
        half = do_reverse(
            connection,
            PROGRAMME,
            "ann",
            (EntryKind.ACCRUAL, "order:1:base"),
            "return:1",
            T0,
            share=Fraction(1, 2),
        )
    with ledger.begin() as connection:
        whole = do_reverse(
            connection,
            PROGRAMME,
            "ann",
            (EntryKind.ACCRUAL, "order:1:base"),
            "return:2",
            T0,
            share=Fraction(1, 2),
        )
    # then the first half takes the 20 left and owes 30; the second owes the other 50
    assert half.balance == Balance(0, 0, 30)
    assert whole.balance == Balance(0, 0, 80)
    # when the next order earns 100
    with ledger.begin() as connection:
        after = do_accrue(connection, PROGRAMME, "ann", 100, "order:2:base", T0)
    # then it pays the debt first
    assert after.balance == Balance(20, 0, 0)
    assert_ledger_holds(ledger, PROGRAMME)


def test_under_the_block_policy_a_return_takes_what_is_left_and_records_the_shortfall(ledger: Engine) -> None:
    # given an order's 100 points, 80 spent, and 30 more from an action
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "order:1:base", T0)
        do_redeem(connection, PROGRAMME, "ann", 80, "checkout:1", T0)
        do_accrue(connection, PROGRAMME, "ann", 30, "action:review:1", T0)
    # when the order is cancelled
    with ledger.begin() as connection:
        posted = do_reverse(
            connection,
            PROGRAMME,
            "ann",
            (EntryKind.ACCRUAL, "order:1:base"),
            "cancel:1",
            T0,
            policy=DebtPolicy.BLOCK,
        )
    # then the balance stops at zero and the 50 that could not be taken back are on the entry
    assert posted.balance == Balance(0, 0, 0)
    assert posted.entry.shortfall == 50
    assert_ledger_holds(ledger, PROGRAMME)


def test_an_adjustment_says_who_and_why_and_never_takes_more_than_there_is(ledger: Engine) -> None:
    with ledger.begin() as connection:
        do_adjust(connection, PROGRAMME, "ann", 40, "adjustment:1", T0, actor="admin:kate", reason="goodwill")
    with pytest.raises(NotEnoughPoints), ledger.begin() as connection:
        do_adjust(connection, PROGRAMME, "ann", -41, "adjustment:2", T0, actor="admin:kate", reason="fraud")
    with ledger.begin() as connection:
        posted = do_adjust(
            connection, PROGRAMME, "ann", -40, "adjustment:3", T0, actor="admin:kate", reason="fraud"
        )
    assert posted.balance == Balance(0, 0, 0)
    assert (posted.entry.actor, posted.entry.reason, posted.entry.occurred_at) == ("admin:kate", "fraud", T0)
    assert_ledger_holds(ledger, PROGRAMME)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda c: do_accrue(c, PROGRAMME, "ann", -5, "a:1", T0), InvalidPoints, "points: must be positive"),
        (
            lambda c: do_accrue(c, PROGRAMME, "ann", 1.5, "a:1", T0),
            InvalidPoints,
            "points: must be a whole number",
        ),
        (lambda c: do_accrue(c, PROGRAMME, "ann", 5, "", T0), LedgerError, "source: must not be empty"),
        (lambda c: do_accrue(c, "", "ann", 5, "a:1", T0), LedgerError, "programme: must not be empty"),
        (
            lambda c: do_accrue(c, PROGRAMME, "ann", 5, "a:1", T0, expires_at=T0 - DAY),
            LedgerError,
            "expires_at: 2026-05-31T12:00:00\\+00:00 is not after",
        ),
        (
            lambda c: do_accrue(c, PROGRAMME, "nobody", 5, "a:1", T0),
            UnknownCustomer,
            "customer_id: no customer",
        ),
        (
            lambda c: do_redeem(c, PROGRAMME, "ann", 11, "r:1", T0),
            NotEnoughPoints,
            "points: 11 asked, only 10",
        ),
        (
            lambda c: do_reverse(c, PROGRAMME, "ann", (EntryKind.ACCRUAL, "order:404"), "return:1", T0),
            UnknownEntry,
            "of: no accrual 'order:404'",
        ),
        (
            lambda c: do_adjust(c, PROGRAMME, "ann", 5, "adj:1", T0, actor="admin", reason=" "),
            LedgerError,
            "reason: an adjustment says why",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    ledger: Engine, change: object, error: type[Exception], message: str
) -> None:
    # given 10 points
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 10, "a:0", T0)
    with ledger.connect() as connection:
        before = count(connection, "SELECT COUNT(*) FROM loyalty_entries")
    # when the bad change is tried
    with pytest.raises(error, match=message), ledger.begin() as connection:
        change(connection)  # type: ignore[operator]
    # then nothing changed
    with ledger.connect() as connection:
        assert count(connection, "SELECT COUNT(*) FROM loyalty_entries") == before
    assert balance(ledger, "ann") == Balance(10, 0, 0)


def test_a_rebuild_from_the_entries_restores_a_damaged_cache(ledger: Engine) -> None:
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "a:1", T0)
        do_accrue(connection, PROGRAMME, "bob", 100, "a:1", T0, active_at=T0 + DAY)
        assert do_rebuild_balances(connection, T0) == []
        connection.execute(text("UPDATE loyalty_balances SET available = 7 WHERE customer_id = 'ann'"))
        assert do_rebuild_balances(connection, T0) == [(PROGRAMME, "ann")]
    assert balance(ledger, "ann") == Balance(100, 0, 0)
    assert balance(ledger, "bob") == Balance(0, 100, 0)


def test_customers_hear_of_points_expiring_in_seven_days_once(ledger: Engine) -> None:
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 30, "a:1", T0, expires_at=T0 + 10 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 20, "a:2", T0, expires_at=T0 + 10 * DAY + timedelta(hours=3))
        do_accrue(connection, PROGRAMME, "bob", 20, "a:1", T0, expires_at=T0 + 30 * DAY)
    assert do_nightly(ledger, T0 + 3 * DAY).expiring_customers == 1
    do_nightly(ledger, T0 + 3 * DAY + timedelta(hours=1))
    with ledger.connect() as connection:
        notices = connection.execute(
            events.select()
            .where(events.c.type == "points_expiring")
            .with_only_columns(events.c.customer_id, events.c.properties)
        ).all()
    assert [(row[0], row[1]) for row in notices] == [
        ("ann", {"programme": PROGRAMME, "points": 50, "expires_on": "2026-06-11"})
    ]


def test_the_worked_example_of_docs_loyalty(ledger: Engine) -> None:
    with ledger.begin() as c:
        do_accrue(
            c, PROGRAMME, "ann", 100, "order:1:base", T0, active_at=T0 + 14 * DAY, expires_at=T0 + 365 * DAY
        )
        do_accrue(c, PROGRAMME, "ann", 30, "action:review:9", T0, expires_at=T0 + 30 * DAY)
    assert balance(ledger, "ann") == Balance(30, 100, 0)
    do_nightly(ledger, T0 + 15 * DAY)
    assert balance(ledger, "ann") == Balance(130, 0, 0)
    with ledger.begin() as c:
        assert do_redeem(c, PROGRAMME, "ann", 110, "checkout:5", T0 + 15 * DAY).balance == Balance(20, 0, 0)
    assert lot_remaining(ledger) == {"order:1:base": 20, "action:review:9": 0}
    with ledger.begin() as c:
        returned = do_reverse(
            c,
            PROGRAMME,
            "ann",
            (EntryKind.ACCRUAL, "order:1:base"),
            "return:1",
            T0 + 20 * DAY,
            share=Fraction(1, 2),
            policy=DebtPolicy.DEBT,
        )
    assert returned.balance == Balance(0, 0, 30)
    with ledger.begin() as c:
        assert do_accrue(c, PROGRAMME, "ann", 100, "order:2:base", T0 + 21 * DAY).balance == Balance(70, 0, 0)
    assert_ledger_holds(ledger, PROGRAMME)


def test_a_cancelled_checkout_pays_the_debt_its_returned_order_left(ledger: Engine) -> None:
    # given an order's 100 points spent at a checkout, then the order returned: a debt of 100
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "order:1:base", T0)
        do_redeem(connection, PROGRAMME, "ann", 100, "checkout:1", T0)
        owing = do_reverse(connection, PROGRAMME, "ann", (EntryKind.ACCRUAL, "order:1:base"), "return:1", T0)
    assert owing.balance == Balance(0, 0, 100)
    # when the checkout is cancelled too
    with ledger.begin() as connection:
        posted = do_reverse(
            connection, PROGRAMME, "ann", (EntryKind.REDEMPTION, "checkout:1"), "cancel:1", T0
        )
    # then the points that come back pay the debt: nothing to spend, nothing owed
    assert posted.balance == Balance(0, 0, 0)
    assert_ledger_holds(ledger, PROGRAMME)


def test_under_block_a_cancelled_checkout_gives_the_return_what_it_wrote_off(ledger: Engine) -> None:
    # given an order's 100 points spent at a checkout, then the order returned under block: 100 written off
    with ledger.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 100, "order:1:base", T0)
        do_redeem(connection, PROGRAMME, "ann", 100, "checkout:1", T0)
        returned = do_reverse(
            connection,
            PROGRAMME,
            "ann",
            (EntryKind.ACCRUAL, "order:1:base"),
            "return:1",
            T0,
            policy=DebtPolicy.BLOCK,
        )
    assert (returned.balance, returned.entry.shortfall) == (Balance(0, 0, 0), 100)
    # when the checkout is cancelled too
    with ledger.begin() as connection:
        posted = do_reverse(
            connection, PROGRAMME, "ann", (EntryKind.REDEMPTION, "checkout:1"), "cancel:1", T0
        )
    # then the returned order's points do not come back to be spent
    assert posted.balance == Balance(0, 0, 0)
    assert_ledger_holds(ledger, PROGRAMME)
