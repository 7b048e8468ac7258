"""A real server (``retentio serve`` in its own process) over real HTTP: batches stored once, even when
the server is killed mid-batch and the client resends, and when two servers take overlapping batches."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import postgres_url
from tests.helpers import event, item

from retentio.customers.tables import customer_profiles

Counter = Callable[[], tuple[int, int]]
Batch = list[dict[str, Any]]


def store_events(first: int, count: int, now: datetime) -> Batch:
    """Views and orders of 150 customers, one event a second back from ``now``."""
    events = []
    for number in range(first, first + count):
        at, customer = now - timedelta(seconds=number), f"c{number % 150}"
        if number % 10 == 9:
            order = {
                "order_id": f"o{number}",
                "items": [item(f"s{number % 40}", 2, "99.90")],
                "total": "199.80",
            }
            events.append(event(f"e{number}", "order_placed", at, customer, **order, currency="RUB"))
        else:
            events.append(event(f"e{number}", "product_viewed", at, customer, sku=f"s{number % 40}"))
    return events


def batches_of(events: Batch, size: int) -> list[Batch]:
    return [events[start : start + size] for start in range(0, len(events), size)]


def profile_event_total(engine: Engine) -> int:
    """How many events the profiles have counted: equal to the stored events when none was applied twice."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.sum(customer_profiles.c.events))).scalar_one())


def test_a_served_batch_is_stored_once(
    start_server: Callable[[], Any], make_key: Callable[[str], str], now: datetime, count_events: Counter
) -> None:
    # given
    server = start_server()
    headers = {"Authorization": f"Bearer {make_key('ingest')}"}
    batches = batches_of(store_events(0, 3_000, now), 1_000)
    # when
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        answers = [client.post("/v1/events", json=batch).json() for batch in [*batches, batches[0]]]
    # then
    assert answers == [{"accepted": 1_000, "duplicates": 0, "rejected": []}] * 3 + [
        {"accepted": 0, "duplicates": 1_000, "rejected": []}
    ]
    assert count_events() == (3_000, 3_000)


class Poster(threading.Thread):
    """A client that posts every batch not yet answered, in order, and stops when the server dies."""

    def __init__(self, url: str, headers: dict[str, str], batches: list[Batch], answered: set[int]) -> None:
        super().__init__(daemon=True)
        self.url, self.headers, self.batches, self.answered = url, headers, batches, answered
        self.durations: list[float] = []
        self.in_flight = threading.Event()
        self.lost_answer = False
        self.refused: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=60) as client:
            for index in [i for i in range(len(self.batches)) if i not in self.answered]:
                started = time.monotonic()
                self.in_flight.set()
                try:
                    response = client.post("/v1/events", json=self.batches[index])
                except httpx.TransportError:
                    self.lost_answer = True
                    return
                self.in_flight.clear()
                if response.status_code != 200:
                    self.refused.append(response.text)
                    return
                self.answered.add(index)
                self.durations.append(time.monotonic() - started)

    def wait_until_mid_batch(self) -> None:
        """Once two batches have been answered, wait for the next to be sent and for about half the
        time a batch takes: the server is then most likely inside that batch's transaction."""
        while len(self.durations) < 2 and self.is_alive():
            time.sleep(0.01)
        self.in_flight.wait(timeout=30)
        time.sleep(sum(self.durations) / len(self.durations) / 2)


@pytest.mark.slow
def test_a_killed_server_loses_no_event_and_stores_none_twice(
    start_server: Callable[[], Any],
    make_key: Callable[[str], str],
    now: datetime,
    count_events: Counter,
    engine: Engine,
) -> None:
    # given
    headers = {"Authorization": f"Bearer {make_key('ingest')}"}
    events = store_events(0, 16_000, now)
    batches = batches_of(events, 1_000)
    answered: set[int] = set()
    # when: killed twice in the middle of a batch, restarted, and the client resends what was not answered
    for kill in (True, True, False):
        server = start_server()
        poster = Poster(server.url, headers, batches, answered)
        poster.start()
        if kill:
            poster.wait_until_mid_batch()
            server.kill()
        poster.join(timeout=300)
        assert (poster.lost_answer, poster.refused) == (kill, [])
    # then
    assert answered == set(range(len(batches)))
    assert count_events() == (len(events), len(events))
    assert profile_event_total(engine) == len(events)


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_two_servers_taking_overlapping_batches_store_each_event_once(
    start_server: Callable[[], Any],
    make_key: Callable[[str], str],
    now: datetime,
    count_events: Counter,
    engine: Engine,
) -> None:
    # given: the second half of A's events is the first half of B's, batched differently
    headers = {"Authorization": f"Bearer {make_key('ingest')}"}
    servers = [start_server(), start_server()]
    first, second = store_events(0, 8_000, now), store_events(4_000, 8_000, now)
    work = [(servers[0], batches_of(first, 1_000)), (servers[1], batches_of(second[::-1], 700))]
    answers: list[tuple[int, Any]] = []

    def post_all(url: str, batches: list[Batch]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            for batch in batches:
                response = client.post("/v1/events", json=batch)
                answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=post_all, args=(server.url, batches)) for server, batches in work]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    # then
    assert [status for status, _ in answers] == [200] * (8 + 12)
    assert sum(answer["accepted"] for _, answer in answers) == 12_000
    assert sum(answer["duplicates"] for _, answer in answers) == 4_000
    assert count_events() == (12_000, 12_000)
    assert profile_event_total(engine) == 12_000
