"""Bulk ingest through the whole path, against the floors SQLite itself sets, in the same run.

The whole path is ``retentio import events FILE.jsonl``: read and parse each line, validate,
deduplicate, store, update orders and profiles — one transaction per 10,000 events. A second
figure feeds the same events as parsed dicts one batch per call (what one HTTP request does).
Two floors: a plain ``executemany`` of the same rows, already shaped, into a bare table with one
unique key, and the same into Retentio's own ``events`` table with the indexes the product reads
(no parsing, validation, deduplication or profiles).

The CPU time the process spends per event (all threads) bounds what any parallel version of this
path could reach on this machine's cores: ``cpu_ceiling_events_per_second`` is that bound, the most
it could do with every core busy and nothing waiting or repeated.

With ``--pairs N`` the import runs N times without and N times with the segments consumer drained
after every batch (what ``retentio import events`` does: each batch is committed, then the consumer
catches up in transactions of its own, in the same process), alternated, and the figures are medians:
the kept share is a ratio of two noisy timings. Since issue 9 segments are no longer part of the
ingest transaction; ``benchmarks/consumers.py`` measures the consumer running in another process.

    python benchmarks/ingest.py [--events 500000] [--customers 100000] [--pairs 3] [--database-url URL]

Prints one figure a line.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine, text

from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.events.consumers import Consumer
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.jsonl import import_jsonl
from retentio.ingest.importers.progress import NoProgress
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer

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
    parser.add_argument(
        "--pairs", type=int, default=3, help="imports without/with the segments consumer drained, alternated"
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    events = store_events(args.events, args.customers)
    plain: list[Timing] = []
    segmented: list[Timing] = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "events.jsonl"
        source.write_bytes(b"".join(orjson.dumps(event) + b"\n" for event in events))

        def url(name: str) -> str:  # a fresh database per run (PostgreSQL: the schema is dropped)
            return args.database_url or f"sqlite:///{Path(folder) / name}.db"

        for pair in range(args.pairs):
            plain.append(_import_file(url(f"import-{pair}"), source, ()))
            segments = (SegmentsConsumer(DEFAULT_CONFIG, "RUB"),)
            segmented.append(_import_file(url(f"segments-{pair}"), source, segments))
        batched = _batch_calls(url("batches"), events)
        floor = _executemany_floor(Path(folder) / "floor.db", events)
        table_floor = _events_table_floor(Path(folder) / "table-floor.db", events)
    count = len(events)
    imported = statistics.median(timing.wall for timing in plain)
    cpu = statistics.median(timing.cpu for timing in plain)
    with_segments = statistics.median(timing.wall for timing in segmented)
    kept = [p.wall / s.wall for p, s in zip(plain, segmented, strict=True)]
    cores = os.cpu_count() or 1
    print(f"dialect {url('import').split(':')[0]}")
    print(f"events {count}")
    print(f"pairs {args.pairs}")
    print(f"import_seconds {imported:.2f}")
    print(f"import_events_per_second {count / imported:.0f}")
    print(f"batch_calls_events_per_second {count / batched:.0f}")
    print(f"executemany_floor_events_per_second {count / floor:.0f}")
    print(f"ratio_to_floor {floor / imported:.3f}")
    print(f"events_table_floor_events_per_second {count / table_floor:.0f}")
    print(f"ratio_to_events_table_floor {table_floor / imported:.3f}")
    print(f"cpu_microseconds_per_event {cpu / count * 1e6:.1f}")
    print(f"cores {cores}")
    print(f"cpu_ceiling_events_per_second {count * cores / cpu:.0f}")
    print(f"import_then_segments_drained_events_per_second {count / with_segments:.0f}")
    print(f"throughput_kept_with_segments_drained {imported / with_segments:.3f}")
    print(f"throughput_kept_with_segments_drained_min {min(kept):.3f}")
    print(f"throughput_kept_with_segments_drained_max {max(kept):.3f}")


class Timing(NamedTuple):
    wall: float
    cpu: float  # seconds of CPU, every thread of this process


def _fresh_engine(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def _options() -> IngestOptions:
    return IngestOptions(future_tolerance=timedelta(days=3650))


def _import_file(url: str, source: Path, consumers: tuple[Consumer, ...]) -> Timing:
    """The import, with ``consumers`` drained after every batch as ``retentio import`` does."""
    engine = _fresh_engine(url)
    context = ImportContext(engine, NOW, _options(), NoProgress(), BATCH, consumers)
    started, cpu_started = time.perf_counter(), time.process_time()
    report = import_jsonl(context, source)
    engine.dispose()  # the background checkpoint is part of the write
    timing = Timing(time.perf_counter() - started, time.process_time() - cpu_started)
    assert not report.problems, report.problems[:3]
    return timing


def _batch_calls(url: str, events: list[dict[str, Any]]) -> float:
    engine = _fresh_engine(url)
    options = _options()
    started = time.perf_counter()
    for start in range(0, len(events), BATCH):
        result = ingest_events(engine, events[start : start + BATCH], NOW, options)
        assert not result.rejected, result.rejected[:3]
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def _executemany_floor(path: Path, events: list[dict[str, Any]]) -> float:
    """What SQLite alone costs: no parsing, validation or profiles, one unique key."""
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
    sql = "INSERT INTO events (event_id, type, customer_id, occurred_at, properties) VALUES (?, ?, ?, ?, ?)"
    return _timed_inserts(connection, sql, rows)


def _events_table_floor(path: Path, events: list[dict[str, Any]]) -> float:
    """SQLite alone writing the same rows into Retentio's ``events`` table, made by the migrations,
    with its unique key and the indexes segments and journeys read; the writer's own settings."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA cache_size=-65536")
    received = _stored_time(NOW)
    rows = [
        (
            e["event_id"], e["type"], e["customer_id"], None,
            _stored_time(datetime.fromisoformat(e["timestamp"])), received,
            orjson.dumps(e["properties"]).decode(),
        )
        for e in events
    ]  # fmt: skip
    sql = (
        "INSERT INTO events (event_id, type, customer_id, anonymous_id, occurred_at, received_at,"
        " properties) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    return _timed_inserts(connection, sql, rows)


def _timed_inserts(connection: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert ``rows`` one transaction per batch, as the ingest path commits; closes."""
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, rows[start : start + BATCH])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def _stored_time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")[:26]


if __name__ == "__main__":
    main()
