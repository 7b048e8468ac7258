"""Checkout attempts run in threads or in other processes: each reserves and commits the one code
for carts of its own and reports how many it won (imported by spawned processes: module level)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from tests.integration.loyalty.checkout_fixture import CONFIG, LINES

from retentio.db.engine import make_engine
from retentio.loyalty import (
    CheckoutError,
    CheckoutRequest,
    ReserveRequest,
    do_commit_checkout,
    do_reserve_checkout,
)


def attempt_all(url: str, code: str, carts: list[str], now: datetime, start: Any) -> int:
    engine = make_engine(url)
    won = 0
    try:
        start.wait()
        for cart_id in carts:
            request = ReserveRequest(
                CheckoutRequest(f"c-{cart_id}", "RUB", LINES, codes=(code,)), cart_id, cart_id
            )
            try:
                with engine.begin() as connection:
                    held = do_reserve_checkout(connection, request, CONFIG, now)
                    do_commit_checkout(connection, held.id, f"order-{cart_id}", now)
                won += 1
            except CheckoutError as refused:
                if (refused.field, refused.rule) != ("codes[0]", "used_up"):
                    raise
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
