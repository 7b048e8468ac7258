"""The checkout under concurrency: 1,000 checkouts of one single-use code (threads; processes on
PostgreSQL) and exactly one wins; 200 concurrent holds and spends of one gift card never promise
more than it holds; a commit delivered ten times at once commits once; and on PostgreSQL, a gift
card emptied at the worst moment — after the reservation held the code and the points — leaves no
hold behind."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, text
from tests.conftest import postgres_url
from tests.integration.loyalty.checkout_fixture import (
    CONFIG,
    LINES,
    open_shop,
    reserve_request,
    state_of,
)
from tests.integration.loyalty.checkout_race_worker import Attempts, in_process

from retentio.loyalty import (
    CheckoutError,
    CheckoutRequest,
    GiftCardChange,
    GiftCardOffer,
    InsufficientBalance,
    ReserveRequest,
    do_commit_checkout,
    do_reserve_checkout,
    do_spend,
    get_gift_card,
    rebuilt_balance,
)
from retentio.loyalty.checkout.tables import checkout_reservations

ATTEMPTS = 1_000


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _committed(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(checkout_reservations.c.state == "committed")
        return int(connection.execute(query).scalar_one())


@pytest.mark.slow
def test_a_thousand_checkouts_of_one_single_use_code_from_threads_exactly_one_wins(
    engine: Engine, now: datetime
) -> None:
    # given one single-use code and 40 threads holding 25 carts each, started together
    shop = open_shop(engine, now)
    threads_count = 40
    start = threading.Barrier(threads_count)
    carts = [f"cart-{n}" for n in range(ATTEMPTS)]
    threads = [
        Attempts(_url(engine), shop.code, carts[n::threads_count], now, start) for n in range(threads_count)
    ]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert [t.error for t in threads if t.error is not None] == []
    assert sum(t.won for t in threads) == 1
    assert _committed(engine) == 1
    assert state_of(engine, shop)["code_uses"] == 1


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(
    postgres_url() is None, reason="processes race on PostgreSQL (RETENTIO_TEST_DATABASE_URL)"
)
def test_a_thousand_checkouts_from_eight_processes_exactly_one_wins(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes_count = 8
    carts = [f"cart-{n}" for n in range(ATTEMPTS)]
    processes = [
        context.Process(
            target=in_process, args=(_url(engine), shop.code, carts[n::processes_count], now, start, results)
        )
        for n in range(processes_count)
    ]
    for process in processes:
        process.start()
    start.set()
    won = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    results.close()
    results.join_thread()
    assert [p.exitcode for p in processes] == [0] * processes_count
    assert sum(won) == 1
    assert _committed(engine) == 1


@pytest.mark.slow
def test_two_hundred_concurrent_holds_and_spends_never_exceed_the_card(engine: Engine, now: datetime) -> None:
    # given a 1,000 ₽ card, and 200 attempts to take 7 ₽ of it: half as checkout holds, half as spends
    shop = open_shop(engine, now, gift_card=Decimal(1000))
    threads_count = 40
    start = threading.Barrier(threads_count)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(thread: int) -> None:
        start.wait()
        for n in range(5):
            number = thread * 5 + n
            try:
                with engine.begin() as connection:
                    if number % 2:
                        change = GiftCardChange(Decimal(7), "RUB", f"spend-{number}")
                        do_spend(connection, shop.gift_card, change, now)
                    else:
                        offer = GiftCardOffer(shop.gift_card, Decimal(7))
                        request = CheckoutRequest(None, "RUB", LINES, gift_cards=(offer,))
                        reserve = ReserveRequest(request, f"hold-{number}", f"cart-{number}")
                        do_reserve_checkout(connection, reserve, CONFIG, now)
                outcomes.append("taken")
            except (InsufficientBalance, CheckoutError):
                outcomes.append("refused")
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly the 142 takes of 7 ₽ that fit in 1,000 ₽ happened, and the card adds up
    assert errors == []
    assert outcomes.count("taken") == 142 and outcomes.count("refused") == 58
    with engine.connect() as connection:
        card = get_gift_card(connection, shop.gift_card)
        spent = (
            7
            * connection.execute(
                text("SELECT count(*) FROM gift_card_entries WHERE kind = 'spent'")
            ).scalar_one()
        )
        held = (
            7
            * connection.execute(
                text("SELECT count(*) FROM gift_card_holds WHERE state = 'held'")
            ).scalar_one()
        )
        assert rebuilt_balance(connection, shop.gift_card) == card.balance == Decimal(1000) - spent
    assert card.held == held and spent + held == 994


@pytest.mark.slow
def test_a_commit_delivered_ten_times_at_once_commits_once(engine: Engine, now: datetime) -> None:
    shop = open_shop(engine, now)
    with engine.begin() as connection:
        held = do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
    start = threading.Barrier(10)
    states: list[str] = []

    def commit() -> None:
        start.wait()
        with engine.begin() as connection:
            states.append(do_commit_checkout(connection, held.id, "order-1", now).state)

    threads = [threading.Thread(target=commit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert states == ["committed"] * 10
    with engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM gift_card_entries WHERE kind = 'spent'")
            ).scalar_one()
            == 1
        )
    assert state_of(engine, shop)["uses"] == {"committed": 1}
    assert state_of(engine, shop)["card"] == (Decimal("520.00"), Decimal("0.00"))


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_a_card_emptied_at_the_worst_moment_leaves_no_coupon_or_points_hold(
    engine: Engine, now: datetime
) -> None:
    # given a spend of the whole card, uncommitted, holding the card's row
    shop = open_shop(engine, now)
    outcome: list[BaseException] = []
    with engine.connect() as spender:
        transaction = spender.begin()
        do_spend(spender, shop.gift_card, GiftCardChange(Decimal(2000), "RUB", "elsewhere"), now)

        # when a checkout reads the card as full, holds the code and the points, then waits on the card
        def reserve() -> None:
            try:
                with engine.begin() as connection:
                    do_reserve_checkout(connection, reserve_request(shop), CONFIG, now)
            except CheckoutError as refused:
                outcome.append(refused)

        racer = threading.Thread(target=reserve)
        racer.start()
        _wait_until_a_query_waits_on_a_lock(engine)
        transaction.commit()
        racer.join()
    # then the card's refusal undid the whole reservation
    assert len(outcome) == 1 and isinstance(outcome[0], CheckoutError)
    assert (outcome[0].field, outcome[0].rule) == ("gift_cards[0]", "insufficient_balance")
    assert state_of(engine, shop) == {
        "uses": {},
        "code_uses": 0,
        "lots": [(400, 400), (600, 600)],
        "points": 1000,
        "card": (Decimal("0.00"), Decimal("0.00")),
    }


def _wait_until_a_query_waits_on_a_lock(engine: Engine) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND query LIKE '%gift_cards%'"
    )
    for _ in range(600):
        with engine.connect() as connection:
            if connection.execute(waiting).scalar_one() > 0:
                return
        threading.Event().wait(0.05)
    raise AssertionError("the checkout never waited on the card's row")
