"""A use counted exactly once under concurrency (Saleor's voucher over-use): 1,000 redemptions of one
single-use code, from threads and from processes, and exactly one wins; refunds racing with new
reservations never leave the count off the uses it counts."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from tests.integration.loyalty.coupon_fixture import ANNA, CART, first_code, make_pool
from tests.integration.loyalty.race_worker import Attempts, in_process

from retentio.loyalty import CouponCustomer, CouponRefused, do_commit, do_release, do_reserve
from retentio.loyalty.coupons.tables import coupon_uses, coupons

ATTEMPTS = 1_000


def _committed(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).where(coupon_uses.c.state == "committed")).scalar_one()
        )


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.slow
def test_a_thousand_threads_one_single_use_code_exactly_one_wins(engine: Engine, now: datetime) -> None:
    # given one single-use code and 40 threads holding 25 carts each, started together
    code = first_code(engine, make_pool(engine, now))
    threads_count = 40
    start = threading.Barrier(threads_count)
    carts = [f"cart-{n}" for n in range(ATTEMPTS)]
    threads = [
        Attempts(_url(engine), code, carts[n::threads_count], now, start) for n in range(threads_count)
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
    with engine.connect() as connection:
        assert connection.execute(select(coupons.c.uses)).scalar_one() == 1


@pytest.mark.slow
def test_a_thousand_redemptions_from_eight_processes_exactly_one_wins(engine: Engine, now: datetime) -> None:
    code = first_code(engine, make_pool(engine, now))
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes_count = 8
    carts = [f"cart-{n}" for n in range(ATTEMPTS)]
    processes = [
        context.Process(
            target=in_process, args=(_url(engine), code, carts[n::processes_count], now, start, results)
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
def test_refunds_racing_with_reservations_keep_the_count_exact(engine: Engine, now: datetime) -> None:
    # given a code usable five times, used five times
    code = first_code(engine, make_pool(engine, now, uses_per_code=5))
    held = []
    with engine.begin() as connection:
        for n in range(5):
            use = do_reserve(connection, code, f"first-{n}", CART, CouponCustomer(f"c{n}"), now)
            held.append(do_commit(connection, use.id, f"order-{n}", now).id)
    # when every use is refunded twice, from two threads each, while 10 threads reserve new carts
    released: list[bool] = []
    won: list[int] = []
    start = threading.Barrier(20)

    def refund(use_id: int) -> None:
        start.wait()
        with engine.begin() as connection:
            released.append(do_release(connection, use_id, "refunded", now))

    def reserve(n: int) -> None:
        start.wait()
        for attempt in range(5):
            try:
                with engine.begin() as connection:
                    do_reserve(connection, code, f"new-{n}-{attempt}", CART, ANNA, now)
                won.append(1)
            except CouponRefused:
                pass

    threads = [threading.Thread(target=refund, args=(use_id,)) for use_id in held * 2]
    threads += [threading.Thread(target=reserve, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then each use was given back once, and the count is exactly the uses it counts
    assert released.count(True) == 5 and released.count(False) == 5
    with engine.connect() as connection:
        count = connection.execute(select(coupons.c.uses)).scalar_one()
        active = connection.execute(
            select(func.count()).where(coupon_uses.c.state.in_(("reserved", "committed")))
        ).scalar_one()
    assert count == active == len(won) <= 5
    # and no use was lost: new carts take exactly the uses left, and the sixth is refused
    with engine.begin() as connection:
        for n in range(5 - len(won)):
            do_reserve(connection, code, f"after-{n}", CART, ANNA, now)
        with pytest.raises(CouponRefused):
            do_reserve(connection, code, "one-too-many", CART, ANNA, now)
