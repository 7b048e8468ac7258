"""Reservation attempts run in threads or in other processes: each tries carts of its own against one
code and reports how many it won (imported by the spawned processes, so at module level)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from tests.integration.loyalty.coupon_fixture import CART

from retentio.db.engine import make_engine
from retentio.loyalty import CouponCustomer, CouponRefused, do_commit, do_reserve


def attempt_all(url: str, code: str, carts: list[str], now: datetime, start: Any) -> int:
    """Wait for ``start`` (a barrier or an event), then reserve and commit the code for each cart."""
    engine = make_engine(url)
    won = 0
    try:
        start.wait()
        for cart_id in carts:
            try:
                with engine.begin() as connection:
                    held = do_reserve(connection, code, cart_id, CART, CouponCustomer(f"c-{cart_id}"), now)
                    do_commit(connection, held.id, f"order-{cart_id}", now)
                won += 1
            except CouponRefused:
                pass
    finally:
        engine.dispose()
    return won


def in_process(url: str, code: str, carts: list[str], now: datetime, start: Any, results: Any) -> None:
    results.put(attempt_all(url, code, carts, now, start))


class Attempts(threading.Thread):
    def __init__(
        self, url: str, code: str, carts: list[str], now: datetime, start: threading.Barrier
    ) -> None:
        super().__init__()
        self.args = (url, code, carts, now, start)
        self.won = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.won = attempt_all(*self.args)
        except BaseException as error:  # reported by the test
            self.error = error
