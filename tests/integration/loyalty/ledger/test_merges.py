"""Merged customers' points, end to end on SQLite and PostgreSQL: two records of one person, each
with an order ingested and points on the ledger, merged by the real merge action; the
``loyalty.merges`` consumer moves the absorbed customer's lots (available and pending, with their
dates) and debt to the survivor without losing or doubling a point, and later reversals of the
absorbed customer's order and checkout find their points on the survivor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import Engine
from tests.integration.loyalty.ledger.support import PROGRAMME, assert_ledger_holds, balance, count
from tests.merge_fixture import MERGE_OPTIONS, OPTIONS, order

from retentio.clock import FixedClock
from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.events import drain
from retentio.ingest import do_merge_customers, ingest_events
from retentio.loyalty import (
    MERGES_CONSUMER,
    Balance,
    DebtPolicy,
    EntryKind,
    LoyaltyMergesConsumer,
    do_accrue,
    do_nightly,
    do_redeem,
    do_reverse,
)
from retentio.loyalty.ledger.merges import move_points_of_merged

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SURVIVOR, MERGED = "anna", "anna-shop"


@pytest.fixture
def pair(engine: Engine) -> Engine:
    """anna has 50 points; anna-shop ordered (o2: 100 points pending for 14 days, for a year) and
    did a review (30 points for 30 days), 10 of which she spent."""
    with engine.begin() as connection:
        do_upsert_customers(connection, [(SURVIVOR, CustomerUpsert()), (MERGED, CustomerUpsert())], T0)
    result = ingest_events(engine, [order("o2", MERGED, T0, "50.00")], T0, OPTIONS)
    assert result.accepted == 1
    with engine.begin() as connection:
        do_accrue(connection, PROGRAMME, SURVIVOR, 50, "action:signup", T0)
        do_accrue(
            connection,
            PROGRAMME,
            MERGED,
            100,
            "order:o2:base",
            T0,
            active_at=T0 + 14 * DAY,
            expires_at=T0 + 365 * DAY,
        )
        do_accrue(connection, PROGRAMME, MERGED, 30, "action:review", T0, expires_at=T0 + 30 * DAY)
        do_redeem(connection, PROGRAMME, MERGED, 10, "checkout:s1", T0)
    return engine


def merge(engine: Engine, at: datetime) -> None:
    do_merge_customers(engine, SURVIVOR, MERGED, at, MERGE_OPTIONS)


def read_merges(engine: Engine, at: datetime) -> int:
    return drain(engine, [LoyaltyMergesConsumer()], FixedClock(at))


def test_a_merge_moves_every_point_to_the_survivor_with_its_dates(pair: Engine) -> None:
    # when the two records are merged and the consumer reads the merge
    merge(pair, T0 + DAY)
    assert read_merges(pair, T0 + DAY) >= 1
    # then anna has both balances, and anna-shop nothing
    assert balance(pair, SURVIVOR) == Balance(70, 100, 0)
    assert balance(pair, MERGED) == Balance(0, 0, 0)
    assert_ledger_holds(pair, PROGRAMME)
    # and reading the log again moves nothing more
    with pair.connect() as connection:
        transfers = count(connection, "SELECT COUNT(*) FROM loyalty_entries WHERE kind = 'transfer'")
        assert count(connection, "SELECT COUNT(*) FROM events WHERE type = 'customer_merged'") == 1
    with pair.begin() as connection:
        assert move_points_of_merged(connection, MERGED, SURVIVOR, T0 + DAY) == 0
    with pair.connect() as connection:
        assert count(connection, "SELECT COUNT(*) FROM loyalty_entries WHERE kind = 'transfer'") == transfers
    # and the moved lots keep their dates: the order's points become available after its window,
    # the review's expire after 30 days
    do_nightly(pair, T0 + 15 * DAY)
    assert balance(pair, SURVIVOR) == Balance(170, 0, 0)
    do_nightly(pair, T0 + 31 * DAY)
    assert balance(pair, SURVIVOR) == Balance(150, 0, 0)
    assert_ledger_holds(pair, PROGRAMME)


def test_a_return_of_the_absorbed_customers_order_takes_its_points_back_from_the_survivor(
    pair: Engine,
) -> None:
    merge(pair, T0 + DAY)
    read_merges(pair, T0 + DAY)
    # when half of anna-shop's order is returned (its events now name anna)
    with pair.begin() as connection:
        posted = do_reverse(
            connection,
            PROGRAMME,
            SURVIVOR,
            (EntryKind.ACCRUAL, "order:o2:base"),
            "return:o2",
            T0 + 2 * DAY,
            share=Fraction(1, 2),
        )
    # then 50 of the pending points the merge moved are taken back, from anna
    assert posted.balance == Balance(70, 50, 0)
    assert posted.entry.customer_id == SURVIVOR
    # and the same return again, naming either record, takes nothing more
    for who in (SURVIVOR, MERGED):
        with pair.begin() as connection:
            again = do_reverse(
                connection, PROGRAMME, who, (EntryKind.ACCRUAL, "order:o2:base"), "return:o2", T0 + 2 * DAY
            )
        assert again.repeated
    # and the rest of the order returned later takes the other 50
    with pair.begin() as connection:
        rest = do_reverse(
            connection,
            PROGRAMME,
            SURVIVOR,
            (EntryKind.ACCRUAL, "order:o2:base"),
            "return:o2:rest",
            T0 + 3 * DAY,
            share=Fraction(1, 2),
        )
    assert rest.balance == Balance(70, 0, 0)
    assert_ledger_holds(pair, PROGRAMME)


def test_a_cancelled_checkout_of_the_absorbed_customer_gives_the_points_to_the_survivor(pair: Engine) -> None:
    merge(pair, T0 + DAY)
    read_merges(pair, T0 + DAY)
    with pair.begin() as connection:
        posted = do_reverse(
            connection, PROGRAMME, SURVIVOR, (EntryKind.REDEMPTION, "checkout:s1"), "cancel:s1", T0 + 2 * DAY
        )
    assert posted.balance == Balance(80, 100, 0)
    assert balance(pair, MERGED) == Balance(0, 0, 0)
    # the 10 came back to the review's lot: they expire with it
    do_nightly(pair, T0 + 31 * DAY)
    assert balance(pair, SURVIVOR) == Balance(150, 0, 0)
    assert_ledger_holds(pair, PROGRAMME)


def test_a_return_before_the_consumer_reads_the_merge_moves_the_points_first(pair: Engine) -> None:
    # given the merge is done but the consumer is behind
    merge(pair, T0 + DAY)
    # when the whole order is returned
    with pair.begin() as connection:
        posted = do_reverse(
            connection, PROGRAMME, SURVIVOR, (EntryKind.ACCRUAL, "order:o2:base"), "return:o2", T0 + 2 * DAY
        )
    # then the points moved first and the return took the order's from the survivor
    assert posted.balance == Balance(70, 0, 0)
    assert balance(pair, MERGED) == Balance(0, 0, 0)
    # and the consumer, reading the merge late, moves nothing twice
    read_merges(pair, T0 + 2 * DAY)
    assert balance(pair, SURVIVOR) == Balance(70, 0, 0)
    assert_ledger_holds(pair, PROGRAMME)


def test_a_debt_moves_to_the_survivor_and_her_next_order_pays_it(pair: Engine) -> None:
    # given anna-shop's review was returned after she spent 10 of it: a debt of 10
    with pair.begin() as connection:
        do_reverse(
            connection,
            PROGRAMME,
            MERGED,
            (EntryKind.ACCRUAL, "action:review"),
            "revoked:review",
            T0,
            policy=DebtPolicy.DEBT,
        )
    assert balance(pair, MERGED) == Balance(0, 100, 10)
    merge(pair, T0 + DAY)
    read_merges(pair, T0 + DAY)
    assert balance(pair, SURVIVOR) == Balance(50, 100, 10)
    with pair.begin() as connection:
        paid = do_accrue(connection, PROGRAMME, SURVIVOR, 25, "order:o3:base", T0 + 2 * DAY)
    assert paid.balance == Balance(65, 100, 0)
    assert_ledger_holds(pair, PROGRAMME)


def test_the_consumer_is_named_for_the_wiring() -> None:
    assert LoyaltyMergesConsumer().name == MERGES_CONSUMER == "loyalty.merges"


def test_a_return_follows_the_points_through_two_merges(pair: Engine) -> None:
    # given anna-shop merged into anna, then anna into a third record of her
    merge(pair, T0 + DAY)
    read_merges(pair, T0 + DAY)
    with pair.begin() as connection:
        do_upsert_customers(connection, [("anna-app", CustomerUpsert())], T0 + DAY)
    do_merge_customers(pair, "anna-app", SURVIVOR, T0 + 2 * DAY, MERGE_OPTIONS)
    read_merges(pair, T0 + 2 * DAY)
    assert balance(pair, "anna-app") == Balance(70, 100, 0)
    # when anna-shop's order is returned, named by the last survivor
    with pair.begin() as connection:
        posted = do_reverse(
            connection, PROGRAMME, "anna-app", (EntryKind.ACCRUAL, "order:o2:base"), "return:o2", T0 + 3 * DAY
        )
    # then its points are taken back from the lot they moved to twice
    assert posted.balance == Balance(70, 0, 0)
    assert balance(pair, SURVIVOR) == balance(pair, MERGED) == Balance(0, 0, 0)
    assert_ledger_holds(pair, PROGRAMME)
