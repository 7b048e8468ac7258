"""Referrals and the club on the log: how fast their consumers catch up with a log of orders, and
how fast the daily run rewards referrals, each against a baseline measured in the same run.

Consumers: ``--orders`` orders (placed and paid, each with an address and a payment fingerprint;
one in 20 of the club product; one customer in 10 referred by a ``referral`` event before buying) of
``--customers`` customers, ingested 10,000 events a transaction. Then, each over the whole log from
the start: the segments consumer (the baseline: the consumer every order already passes through),
``loyalty.referrals`` and ``loyalty.club``. The ratio is events a second of each over the segments
consumer's.

Rewards: every referred friend's window closed; ``do_reward_referrals`` pays them all in one
transaction (two ledger credits, two events and a status change each). The floor: the same number
of bare ``do_accrue`` calls (two per referral) in one transaction.

    python benchmarks/referrals_club.py [--orders 50000] [--customers 20000] [--postgres-url URL]

Without ``--postgres-url`` only SQLite is measured. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from retentio.clock import FixedClock
from retentio.db.engine import make_engine

try:
    from benchmarks._throwaway_database import throwaway_database
except ImportError:  # run as a script from the benchmarks folder
    from _throwaway_database import throwaway_database  # type: ignore[no-redef]
from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.db.migrate import upgrade
from retentio.events import Consumer, drain
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.loyalty import (
    ClubConsumer,
    ReferralsConsumer,
    do_accrue,
    do_issue_referral_code,
    do_reward_referrals,
    load_loyalty_config,
)
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer

CONFIG = load_loyalty_config(None, {})
PROGRAMME = CONFIG.programme("club")
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BATCH = 10_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--postgres-url", default=None, help="a server where a database may be created")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", options.orders, options.customers)
    if options.postgres_url:
        with throwaway_database(options.postgres_url, "referrals") as url:
            measure("postgresql", url, options.orders, options.customers)


def measure(dialect: str, url: str, orders: int, customers: int) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        events, friends = order_log(engine, orders, customers)
        for start in range(0, len(events), BATCH):
            ingest_events(engine, events[start : start + BATCH], START + timedelta(days=400), IngestOptions())
        print(f"{dialect} log: {len(events):,} events, {orders:,} orders, {friends:,} referred friends")
        clock = FixedClock(START + timedelta(days=1))
        base = catch_up(engine, SegmentsConsumer(DEFAULT_CONFIG, "RUB"), clock)
        print(f"{dialect} segments consumer (baseline): {base:,.0f} events/s")
        for consumer in (ReferralsConsumer(CONFIG), ClubConsumer(CONFIG)):
            rate = catch_up(engine, consumer, clock)
            print(f"{dialect} {consumer.name} consumer: {rate:,.0f} events/s, ratio {rate / base:.2f}")
        rewards(dialect, engine, friends)
    finally:
        engine.dispose()


def order_log(engine: Engine, orders: int, customers: int) -> tuple[list[dict[str, Any]], int]:
    """The events, and how many friends were referred; referrers get their codes here."""
    # One referrer per ten friends: within max_friends (10) of the default programme.
    referrers = [f"r{number}" for number in range(max(customers // 100, 1))]
    with engine.begin() as connection:
        do_upsert_customers(connection, [(name, CustomerUpsert()) for name in referrers], START)
        codes = [do_issue_referral_code(connection, PROGRAMME, name, START).code for name in referrers]
    events: list[dict[str, Any]] = []
    referred: set[int] = set()
    for number in range(orders):
        customer = number % customers
        at = START + timedelta(seconds=number)
        if customer % 10 == 0 and customer not in referred:
            referred.add(customer)
            code = codes[(customer // 10) % len(codes)]  # ten friends a referrer at most
            events.append(_event(f"ref{customer}", "referral", f"c{customer}", at, {"referral_code": code}))
        sku = "CLUB-12M" if number % 20 == 0 else f"S{number % 500}"
        order = {
            "order_id": f"o{number}",
            "items": [{"sku": sku, "quantity": 1, "price": "990.00"}],
            "total": "990.00",
            "currency": "RUB",
            "shipping_address_hash": f"addr{customer}",
            "payment_fingerprint": f"card{customer}",
        }
        events.append(_event(f"p{number}", "order_placed", f"c{customer}", at, order))
        events.append(_event(f"pd{number}", "order_paid", f"c{customer}", at, {"order_id": f"o{number}"}))
    return events, len(referred)


def _event(
    event_id: str, type_name: str, customer: str, at: datetime, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": type_name,
        "customer_id": customer,
        "timestamp": at.isoformat(),
        "properties": properties,
    }


def catch_up(engine: Engine, consumer: Consumer, clock: FixedClock) -> float:
    """Events a second of ``consumer`` reading the whole log from its start."""
    started = time.perf_counter()
    consumed = drain(engine, [consumer], clock)
    return consumed / (time.perf_counter() - started)


def rewards(dialect: str, engine: Engine, friends: int) -> None:
    at = START + timedelta(days=400)
    floor = timed(lambda: _bare_credits(engine, friends, at))
    paid = timed(lambda: _reward(engine, at, friends))
    print(f"{dialect} floor, two bare ledger credits a referral: {friends / floor:,.0f} referrals/s")
    print(f"{dialect} reward run: {friends / paid:,.0f} referrals/s, ratio to the floor {floor / paid:.2f}")


def _reward(engine: Engine, at: datetime, friends: int) -> None:
    with engine.begin() as connection:
        run = do_reward_referrals(connection, CONFIG, at)
    assert (run.rewarded, run.refused) == (friends, 0), run


def _bare_credits(engine: Engine, friends: int, at: datetime) -> None:
    with engine.begin() as connection:
        for number in range(friends):
            customer = f"c{number * 10}"
            do_accrue(connection, "floor", customer, 300, f"floor:a:{number}", at)
            do_accrue(connection, "floor", customer, 200, f"floor:b:{number}", at)


def timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
