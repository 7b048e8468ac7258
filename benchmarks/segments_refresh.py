"""The built-in segment families at scale: full refresh, time-driven moves, and what keeping segments
up to date costs ingest. A baseline runs in the same process: a plain SELECT of the profile columns
the refresh reads, and the same ingest without segments.

Since issue 9 segments follow the log as a consumer: "with segments" is each batch ingested, then the
segments consumer (built-in families; no custom segments are defined) drained in the same process,
one after the other — not the consumer running beside ingest (``benchmarks/consumers.py``).

    python benchmarks/segments_refresh.py [--customers 1000000] [--events 200000] [--database-url URL]

The base is written straight into the tables (``_segments_base``), not through the event path.
Prints one figure a line.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from retentio.clock import FixedClock
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.events.consumers import Consumer, drain
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.refresh import do_refresh_standing, do_sweep

try:
    from benchmarks._segments_base import generate_base
    from benchmarks._synthetic import store_events
except ImportError:  # run as a script from the benchmarks folder
    from _segments_base import generate_base  # type: ignore[no-redef]
    from _synthetic import store_events  # type: ignore[no-redef]

NOW = datetime(2027, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
BATCH = 10_000
_PROFILE_COLUMNS = (
    "SELECT customer_id, orders, revenue_minor, first_order_at, last_order_at, previous_order_at,"
    " cancellations, returns, last_event_at, last_content_at, last_browse_at, last_cart_at"
    " FROM customer_profiles"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=200_000, help="for the ingest comparison; 0 skips it")
    parser.add_argument("--database-url", default=None, help="default: fresh SQLite files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'base.db'}"
        print(f"dialect {url.split(':')[0].split('+')[0]}")
        print(f"customers {args.customers}")
        _refresh(_fresh(url), args.customers)
        crossing = args.database_url or f"sqlite:///{Path(folder) / 'crossing.db'}"
        _sweep(_fresh(crossing), args.customers)
        if args.events:
            _ingest(args.database_url, Path(folder), args.events)


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _refresh(engine: Engine, customers: int) -> None:
    with engine.begin() as connection:
        generate_base(connection, customers, int(NOW.timestamp()))
    _analyze(engine)
    with engine.connect() as connection:
        baseline = _timed(lambda: connection.exec_driver_sql(_PROFILE_COLUMNS).all())
    print(f"baseline_select_profiles_seconds {baseline:.2f}")
    started = time.perf_counter()
    with engine.begin() as connection:
        seconds = _timed(
            lambda: do_refresh_standing(
                connection, NOW, DEFAULT_CONFIG, record=False, rebuild_new_signals=False
            )
        )
    print(f"initial_backfill_seconds {seconds:.2f}")
    # The commit too: on SQLite it checkpoints the write-ahead log, a real part of a big write.
    print(f"initial_backfill_committed_seconds {time.perf_counter() - started:.2f}")
    for day, name, everyone in ((1, "refresh", False), (2, "refresh_everyone", True)):
        with engine.begin() as connection:
            started = time.perf_counter()
            result = do_refresh_standing(connection, NOW + day * DAY, DEFAULT_CONFIG, everyone=everyone)
            seconds = time.perf_counter() - started
        print(f"{name}_seconds {seconds:.2f}")
        print(f"{name}_changed {result.changed}")
        print(f"{name}_ratio_to_baseline {seconds / baseline:.2f}")
    engine.dispose()


def _sweep(engine: Engine, customers: int) -> None:
    """Everyone bought once at the same moment: 60 days later all of them are at risk at once."""
    with engine.begin() as connection:
        generate_base(connection, customers, int(NOW.timestamp()), same_day=True)
    _analyze(engine)
    with engine.begin() as connection:
        do_refresh_standing(connection, NOW + DAY, DEFAULT_CONFIG, record=False, rebuild_new_signals=False)
    with engine.begin() as connection:
        started = time.perf_counter()
        result = do_sweep(connection, NOW + 60 * DAY, DEFAULT_CONFIG)
        seconds = time.perf_counter() - started
    committed = time.perf_counter() - started
    with engine.connect() as connection:
        moves = connection.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
    print(f"sweep_crossing_customers {result.changed}")
    print(f"sweep_move_events {moves}")
    print(f"sweep_seconds {seconds:.2f}")
    print(f"sweep_committed_seconds {committed:.2f}")
    engine.dispose()


def _ingest(database_url: str | None, folder: Path, count: int) -> None:
    """The foundation's ingest without segments, and with the segments consumer drained after every
    batch, alternated three times."""
    events = store_events(count, max(count // 5, 1))
    rates: dict[bool, list[float]] = {False: [], True: []}
    for attempt in range(3):
        for with_segments in (False, True):
            url = database_url or f"sqlite:///{folder / f'ingest-{attempt}-{with_segments}.db'}"
            engine = _fresh(url)
            consumers = (SegmentsConsumer(DEFAULT_CONFIG, "RUB"),) if with_segments else ()
            seconds = _timed(lambda: _ingest_all(engine, events, consumers))  # noqa: B023
            rates[with_segments].append(count / seconds)
            engine.dispose()
    without, drained = statistics.median(rates[False]), statistics.median(rates[True])
    print(f"ingest_events_per_second_without_segments {without:.0f}")
    print(f"ingest_then_segments_drained_events_per_second {drained:.0f}")
    print(f"ingest_ratio_with_segments_drained {drained / without:.3f}")


def _ingest_all(engine: Engine, events: list[dict[str, object]], consumers: tuple[Consumer, ...]) -> None:
    options = IngestOptions(future_tolerance=timedelta(days=3650))
    for start in range(0, len(events), BATCH):
        result = ingest_events(engine, events[start : start + BATCH], NOW, options)
        assert not result.rejected, result.rejected[:3]
        if consumers:
            drain(engine, consumers, FixedClock(NOW))


def _analyze(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


if __name__ == "__main__":
    main()
