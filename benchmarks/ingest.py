"""Bulk ingest through the whole path, against the floor SQLite itself sets, in the same run.

The whole path is ``retentio import events FILE.jsonl``: read and parse each line, validate,
deduplicate, store, update orders and profiles — one transaction per 10,000 events, the next batch
validated while the last one is written. A second figure feeds the same events as parsed dicts one
batch per call (what one HTTP request does). The floor is a plain ``executemany`` of the same rows,
already shaped, into a bare table with the same unique key.

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
from typing import Any

import orjson
from sqlalchemy import Engine, text

from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.events.importers.feed import ImportContext
from retentio.events.importers.jsonl import import_jsonl
from retentio.events.importers.progress import NoProgress
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
        source = Path(folder) / "events.jsonl"
        source.write_bytes(b"".join(orjson.dumps(event) + b"\n" for event in events))
        url = args.database_url or f"sqlite:///{Path(folder) / 'import.db'}"
        imported = _import_file(url, source, ())
        batches_url = args.database_url or f"sqlite:///{Path(folder) / 'batches.db'}"
        batched = _batch_calls(batches_url, events)
        floor = _executemany_floor(Path(folder) / "floor.db", events)
        segmented_url = args.database_url or f"sqlite:///{Path(folder) / 'segments.db'}"
        with_segments = _import_file(segmented_url, source, segment_reactions("RUB"))
    count = len(events)
    print(f"dialect {url.split(':')[0]}")
    print(f"events {count}")
    print(f"import_seconds {imported:.2f}")
    print(f"import_events_per_second {count / imported:.0f}")
    print(f"batch_calls_events_per_second {count / batched:.0f}")
    print(f"executemany_floor_events_per_second {count / floor:.0f}")
    print(f"ratio_to_floor {floor / imported:.3f}")
    print(f"import_with_segments_events_per_second {count / with_segments:.0f}")
    print(f"throughput_kept_with_segments {imported / with_segments:.3f}")


def _fresh_engine(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def _options(reactions: tuple[Reaction, ...] = ()) -> IngestOptions:
    return IngestOptions(future_tolerance=timedelta(days=3650), reactions=reactions)


def _import_file(url: str, source: Path, reactions: tuple[Reaction, ...]) -> float:
    engine = _fresh_engine(url)
    context = ImportContext(engine, NOW, _options(reactions), NoProgress(), BATCH)
    started = time.perf_counter()
    report = import_jsonl(context, source)
    elapsed = time.perf_counter() - started
    assert not report.problems, report.problems[:3]
    engine.dispose()
    return elapsed


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
