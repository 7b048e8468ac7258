"""The competing call injected at the worst moment (PostgreSQL, where rows are locked one by one):
a second reservation arrives while the first holds the code's row, uncommitted; a reservation
arrives while a refund of the last use holds it. The outcome is exact either way."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, select, text
from tests.conftest import postgres_url
from tests.integration.loyalty.coupon_fixture import CART, first_code, make_pool

from retentio.loyalty import CouponCustomer, CouponRefused, Reservation, do_commit, do_release, do_reserve
from retentio.loyalty.coupons.tables import coupons

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL"),
]


def _second_reservation(engine: Engine, code: str, now: datetime, outcome: list[object]) -> threading.Thread:
    def reserve() -> None:
        try:
            with engine.begin() as connection:
                outcome.append(do_reserve(connection, code, "cart-2", CART, CouponCustomer("boris"), now))
        except CouponRefused as refused:
            outcome.append(refused)

    racer = threading.Thread(target=reserve)
    racer.start()
    return racer


def _wait_until_a_query_waits_on_a_lock(engine: Engine) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE '%coupons%'"
    )
    for _ in range(600):
        with engine.connect() as connection:
            if connection.execute(waiting).scalar_one() > 0:
                return
        threading.Event().wait(0.05)
    raise AssertionError("the second reservation never waited on the first one's row")


@pytest.mark.parametrize("first_commits", [True, False])
def test_a_reservation_waiting_on_an_uncommitted_one_sees_its_outcome(
    engine: Engine, now: datetime, first_commits: bool
) -> None:
    # given a single-use code, reserved by a transaction that has not committed yet
    code = first_code(engine, make_pool(engine, now))
    outcome: list[object] = []
    with engine.connect() as first:
        transaction = first.begin()
        do_reserve(first, code, "cart-1", CART, CouponCustomer("anna"), now)
        # when a second cart asks for it at that moment, and the first then commits or rolls back
        racer = _second_reservation(engine, code, now, outcome)
        _wait_until_a_query_waits_on_a_lock(engine)
        transaction.commit() if first_commits else transaction.rollback()
    racer.join(timeout=60)
    # then the second is refused if the first committed, and gets the use if it did not
    assert len(outcome) == 1
    if first_commits:
        assert isinstance(outcome[0], CouponRefused) and outcome[0].reason == "used_up"
    else:
        assert isinstance(outcome[0], Reservation) and outcome[0].cart_id == "cart-2"
    with engine.connect() as connection:
        assert connection.execute(select(coupons.c.uses)).scalar_one() == 1


def test_a_refund_in_flight_is_not_counted_until_it_commits(engine: Engine, now: datetime) -> None:
    # given a single-use code used by an order, and its refund in flight (uncommitted)
    code = first_code(engine, make_pool(engine, now))
    with engine.begin() as connection:
        held = do_reserve(connection, code, "cart-1", CART, CouponCustomer("anna"), now)
        do_commit(connection, held.id, "order-1", now)
    outcome: list[object] = []
    with engine.connect() as refund:
        transaction = refund.begin()
        assert do_release(refund, held.id, "refunded", now)
        # when a new cart reserves at that moment: the committed count says the code is used
        racer = _second_reservation(engine, code, now, outcome)
        racer.join(timeout=60)
        assert not racer.is_alive()
        transaction.commit()
    # then it was refused, and once the refund committed the use is free again — once
    assert isinstance(outcome[0], CouponRefused) and outcome[0].reason == "used_up"
    with engine.begin() as connection:
        do_reserve(connection, code, "cart-3", CART, CouponCustomer("carl"), now)
        with pytest.raises(CouponRefused):
            do_reserve(connection, code, "cart-4", CART, CouponCustomer("dana"), now)


def test_a_refund_waiting_on_an_uncommitted_reservation_counts_after_it(
    engine: Engine, now: datetime
) -> None:
    # given a code usable twice, used once, and a second reservation in flight (uncommitted)
    code = first_code(engine, make_pool(engine, now, uses_per_code=2))
    with engine.begin() as connection:
        held = do_reserve(connection, code, "cart-1", CART, CouponCustomer("anna"), now)
        do_commit(connection, held.id, "order-1", now)
    released: list[bool] = []

    def refund() -> None:
        with engine.begin() as connection:
            released.append(do_release(connection, held.id, "refunded", now))

    with engine.connect() as second:
        transaction = second.begin()
        do_reserve(second, code, "cart-2", CART, CouponCustomer("boris"), now)
        # when the first order's refund arrives at that moment
        racer = threading.Thread(target=refund)
        racer.start()
        _wait_until_a_query_waits_on_a_lock(engine)
        transaction.commit()
    racer.join(timeout=60)
    # then the refund waited, gave its use back after the reservation counted its own: one use left
    assert released == [True]
    with engine.connect() as connection:
        assert connection.execute(select(coupons.c.uses)).scalar_one() == 1
