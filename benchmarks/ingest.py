"""Bulk ingest through the whole path (validate, deduplicate, store, update orders and profiles),
against the floor: a plain ``executemany`` of the same rows into a bare table, in the same run.

    python benchmarks/ingest.py [--events 500000] [--customers 100000] [--database-url URL]

Prints one figure a line.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from sqlalchemy import text

from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.events.ingest import IngestOptions, Reaction, ingest_events
from retentio.segments.reactions import segment_reactions

try:
    from benchmarks._synthetic import store_events
except ImportError:  # run as a script from the benchmarks folder
    from _synthetic import store_events  # type: ignore[no-redef]

BATCH = 10_000
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    events = store_events(args.events, args.customers)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        seconds = _whole_path(url, events, ())
        floor = _executemany_floor(Path(folder) / "floor.db", events)
        segmented_url = args.database_url or f"sqlite:///{Path(folder) / 'bench_segments.db'}"
        with_segments = _whole_path(segmented_url, events, segment_reactions("RUB"))
    rate = len(events) / seconds
    print(f"dialect {url.split(':')[0]}")
    print(f"events {len(events)}")
    print(f"ingest_seconds {seconds:.2f}")
    print(f"ingest_events_per_second {rate:.0f}")
    print(f"executemany_floor_events_per_second {len(events) / floor:.0f}")
    print(f"ratio_to_floor {rate / (len(events) / floor):.3f}")
    print(f"ingest_with_segments_events_per_second {len(events) / with_segments:.0f}")
    print(f"throughput_kept_with_segments {seconds / with_segments:.3f}")


def _whole_path(url: str, events: list[dict[str, object]], reactions: tuple[Reaction, ...]) -> float:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    options = IngestOptions(future_tolerance=timedelta(days=3650), reactions=reactions)
    started = time.perf_counter()
    for start in range(0, len(events), BATCH):
        result = ingest_events(engine, events[start : start + BATCH], NOW, options)
        assert not result.rejected, result.rejected[:3]
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def _executemany_floor(path: Path, events: list[dict[str, object]]) -> float:
    """The same rows, already shaped, into a bare table with the same unique key: no validation,
    no profiles — what SQLite alone costs."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, type TEXT, customer_id TEXT,"
        " occurred_at TEXT, properties TEXT)"
    )
    rows = [
        (e["event_id"], e["type"], e["customer_id"], e["timestamp"], orjson.dumps(e["properties"]).decode())
        for e in events
    ]
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO events (event_id, type, customer_id, occurred_at, properties)"
            " VALUES (?, ?, ?, ?, ?)",
            rows[start : start + BATCH],
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


if __name__ == "__main__":
    main()
