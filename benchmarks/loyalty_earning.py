"""The loyalty consumer catching up with a store's log: events a second, against the runner's floor.

``--events`` events (100,000) of ``--customers`` customers from ``_synthetic.store_events`` (sessions
of views and carts, some ending in an order and its payment) are ingested first, not timed. Then,
timed: the loyalty consumer (enrolment of everyone, an accrual per order, tiers kept for buyers)
drains the log once live (the programme started before the events) and once over the same log
imported as history (nothing earned: each order's row says why). The floor, same run and store: a
consumer that does nothing, so the figure is the runner's own reading and checkpointing.

    python benchmarks/loyalty_earning.py [--events 100000] [--customers 20000] [--postgres-url URL]

Without ``--postgres-url`` only the SQLite figures are printed. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, text

from retentio.clock import FixedClock
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.events import LoggedEvent, drain
from retentio.ingest import IngestOptions, ingest_events
from retentio.loyalty import LoyaltyConsumer
from retentio.loyalty.programmes.loading import parse_loyalty_config

try:
    from benchmarks._synthetic import START, store_events
    from benchmarks._throwaway_database import throwaway_database
except ImportError:  # run as a script from the benchmarks folder
    from _synthetic import START, store_events  # type: ignore[no-redef]
    from _throwaway_database import throwaway_database  # type: ignore[no-redef]

PROGRAMME = """
[programmes.club]
name = "Club"
currency = "RUB"
point_value_minor = 100
pending_days = 14
starts_at = 2025-01-01T00:00:00Z

[programmes.club.earning]
points_per_unit = "0.1"

[programmes.club.actions]
registration = { points = 100 }

[programmes.club.expiry]
after_days = 365

[programmes.club.tiers]
window_days = 365

[[programmes.club.tiers.levels]]
id = "base"
threshold = 0

[[programmes.club.tiers.levels]]
id = "silver"
threshold = 5000
multiplier = 2
"""


class Floor:
    """A consumer that does nothing: what the runner costs alone."""

    name = "bench_floor"
    event_types = None

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        del connection, batch, now


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--postgres-url", default=None)
    args = parser.parse_args()
    print(f"date {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"cpus {os.cpu_count()}")
    print(f"load_average_1m {os.getloadavg()[0]:.2f}")
    print(f"events {args.events}")
    print(f"customers {args.customers}")
    with tempfile.TemporaryDirectory() as folder:
        _run("sqlite", f"sqlite:///{Path(folder) / 'earning.db'}", args, historical=False)
    with tempfile.TemporaryDirectory() as folder:
        _run("sqlite_history", f"sqlite:///{Path(folder) / 'history.db'}", args, historical=True)
    if args.postgres_url:
        with throwaway_database(args.postgres_url, "earning") as url:
            _run("postgresql", url, args, historical=False)
        with throwaway_database(args.postgres_url, "earning") as url:
            _run("postgresql_history", url, args, historical=True)
    print(f"load_average_1m_after {os.getloadavg()[0]:.2f}")


def _run(label: str, url: str, args: argparse.Namespace, historical: bool) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        events = store_events(args.events, args.customers)
        now = START + timedelta(days=60)
        options = IngestOptions(future_tolerance=timedelta(days=3650), historical=historical)
        for start in range(0, len(events), 10_000):
            result = ingest_events(engine, events[start : start + 10_000], now, options)
            assert not result.rejected
        clock = FixedClock(now)
        started = time.perf_counter()
        drain(engine, [Floor()], clock)
        floor = time.perf_counter() - started
        consumer = LoyaltyConsumer(parse_loyalty_config(PROGRAMME, Path("loyalty.toml")))
        started = time.perf_counter()
        drain(engine, [consumer], clock)
        seconds = time.perf_counter() - started
        with engine.connect() as connection:
            counts = connection.execute(
                text(
                    "SELECT (SELECT COUNT(*) FROM loyalty_members),"
                    " (SELECT COUNT(*) FROM loyalty_order_points),"
                    " (SELECT COUNT(*) FROM loyalty_entries WHERE kind = 'accrual')"
                )
            ).one()
    finally:
        engine.dispose()
    print(f"{label}_members {counts[0]}")
    print(f"{label}_orders {counts[1]}")
    print(f"{label}_accruals {counts[2]}")
    print(f"{label}_loyalty_consumer_events_per_second {args.events / seconds:.0f}")
    print(f"{label}_floor_consumer_events_per_second {args.events / floor:.0f}")
    print(f"{label}_ratio_to_floor {floor / seconds:.3f}")


if __name__ == "__main__":
    main()
