"""Custom segments at scale: a full refresh of typical rules over a large base, and the cost of the
incremental re-evaluation per ingested batch — each against a floor measured in the same run.

Since issue 9 the incremental re-evaluation is part of the segments consumer, after the built-in
families. Each batch is ingested, then the consumer drained in the same process; the custom rules'
share is the consumer's time with three custom segments less its time with none.

    python benchmarks/custom_segments.py [--customers 1000000] [--events 10000000]
        [--ingest-events 300000] [--database-url URL]

The base is generated set-based (customers and profiles as in the built-in segments benchmark, events
by one INSERT … SELECT over a number series), not through the event path. A PostgreSQL URL is
emptied first (DROP SCHEMA public). Prints one figure a line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from retentio.clock import FixedClock
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.events.consumers import drain
from retentio.events.tables import events as events_table
from retentio.ingest.pipeline import IngestOptions, IngestResult, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer
from retentio.segments.custom.evaluate import matching_customers
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment, refresh_segments

try:
    from benchmarks._segments_base import generate_base
    from benchmarks._synthetic import store_events
except ImportError:  # run as a script from the benchmarks folder
    from _segments_base import generate_base  # type: ignore[no-redef]
    from _synthetic import store_events  # type: ignore[no-redef]

NOW = datetime(2027, 1, 1, tzinfo=UTC)
DAY = 86_400
EVENT_DAYS = 60
BATCH = 10_000
COFFEE_LAPSING = {
    "all": [
        {
            "event": {
                "type": "product_viewed",
                "where": [{"property": "category", "op": "=", "value": "coffee"}],
                "window": {"days": 7},
                "count": {">=": 2},
            }
        },
        {"event": {"type": "order_placed", "window": {"days": 30}, "count": {"=": 0}}},
        {"field": "profile.orders", "op": ">=", "value": 1},
    ]
}
BUYERS = {"field": "profile.orders", "op": ">=", "value": 1}
WEEKLY_BUYERS = {"event": {"type": "order_placed", "window": {"days": 7}}}
BIG_SPENDERS_LATELY = {
    "all": [
        {"segment": "buyers"},
        {"event": {"type": "order_placed", "sum": "total", "window": {"days": 30}, "value": {">=": 3000}}},
    ]
}
SEGMENTS = {"coffee_lapsing": COFFEE_LAPSING, "buyers": BUYERS, "big_spenders_lately": BIG_SPENDERS_LATELY}
# The ingest stream has no categories: the same shapes, filtered on SKUs instead.
BROWSING_NOT_BUYING = {
    "all": [
        {
            "event": {
                "type": "product_viewed",
                "where": [{"property": "sku", "op": "in", "value": [f"S{n}" for n in range(100)]}],
                "window": {"days": 7},
                "count": {">=": 2},
            }
        },
        {"event": {"type": "order_placed", "window": {"days": 30}, "count": {"=": 0}}},
    ]
}
INGEST_SEGMENTS = {
    "browsing_not_buying": BROWSING_NOT_BUYING,
    "buyers": BUYERS,
    "big_spenders_lately": BIG_SPENDERS_LATELY,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--ingest-events", type=int, default=300_000)
    parser.add_argument("--database-url", default=None, help="default: fresh SQLite files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'refresh.db'}"
        print(f"dialect {url.split(':')[0]}")
        _refresh_figures(_fresh(url), args.customers, args.events)
        _incremental_figures(
            lambda label: args.database_url or f"sqlite:///{Path(folder) / f'ingest-{label}.db'}",
            args.ingest_events,
        )


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


# ---- refresh over a large base --------------------------------------------------------------


def _refresh_figures(engine: Engine, customers: int, events: int) -> None:
    print(f"customers {customers}")
    print(f"events {events}")
    _generate(engine, customers, events)
    with engine.begin() as connection:
        for name, rule in SEGMENTS.items():
            do_create_segment(connection, name, Definition(parse_rule(rule)), NOW)
    for name in ("coffee_lapsing", "buyers"):
        with engine.connect() as connection:
            rule = parse_rule(SEGMENTS[name])
            seconds, found = _timed(partial(matching_customers, connection, rule, NOW, "RUB"))
        print(f"{name}_matching {len(found)}")
        print(f"{name}_evaluate_seconds {seconds:.2f}")
        for label, at in (("first", NOW), ("again", NOW), ("next_day", NOW + timedelta(days=1))):
            seconds, results = _timed(partial(refresh_segments, engine, [name], at, "RUB"))
            moved = results[0]
            print(f"{name}_refresh_{label}_seconds {seconds:.2f}")
            print(f"{name}_refresh_{label}_moves +{moved.entered}/-{moved.exited}")
    _turnover(engine)
    _floors(engine)
    engine.dispose()


def _turnover(engine: Engine) -> None:
    """A refresh where many customers move, each move recorded (a change row and an event): the
    segment of this week's buyers, filled three weeks ago, refreshed now."""
    with engine.begin() as connection:
        do_create_segment(connection, "weekly_buyers", Definition(parse_rule(WEEKLY_BUYERS)), NOW)
    refresh_segments(engine, ["weekly_buyers"], NOW - timedelta(days=21), "RUB")
    seconds, results = _timed(lambda: refresh_segments(engine, ["weekly_buyers"], NOW, "RUB"))
    moved = results[0]
    print(f"weekly_buyers_turnover_refresh_seconds {seconds:.2f}")
    print(f"weekly_buyers_turnover_moves +{moved.entered}/-{moved.exited}")


def _floors(engine: Engine) -> None:
    """What the database alone costs: scanning a 7-day window of events, and writing a million ids."""
    since = NOW - timedelta(days=7)
    window = text("SELECT count(*) FROM events WHERE type = 'product_viewed' AND occurred_at > :since")
    with engine.connect() as connection:
        seconds, _ = _timed(lambda: connection.execute(window, {"since": since}).scalar_one())
    print(f"floor_window_count_seconds {seconds:.2f}")
    copy = text(
        "INSERT INTO custom_segment_staging (segment_id, customer_id) SELECT -1, customer_id FROM customers"
    )
    with engine.begin() as connection:
        seconds, _ = _timed(lambda: connection.execute(copy))
        connection.execute(text("DELETE FROM custom_segment_staging WHERE segment_id = -1"))
    print(f"floor_write_all_customer_ids_seconds {seconds:.2f}")


def _generate(engine: Engine, customers: int, events: int) -> None:
    now = int(NOW.timestamp())
    seconds, _ = _timed(partial(_in_transaction, engine, partial(_base, customers=customers, now=now)))
    print(f"generate_customers_seconds {seconds:.1f}")
    indexes = sorted(events_table.indexes, key=lambda index: str(index.name))
    _in_transaction(engine, partial(_drop, indexes=indexes))  # built once at the end
    started = time.perf_counter()
    chunk = 1_000_000
    for start in range(0, events, chunk):
        last = min(events, start + chunk) - 1
        sql = _events_sql(engine.dialect.name, start, last, events, customers)
        _in_transaction(engine, partial(_run_sql, sql=sql))
    print(f"generate_events_seconds {time.perf_counter() - started:.1f}")
    seconds, _ = _timed(partial(_in_transaction, engine, partial(_index, indexes=indexes)))
    print(f"generate_indexes_seconds {seconds:.1f}")


def _base(connection: Any, customers: int, now: int) -> None:
    generate_base(connection, customers, now)


def _drop(connection: Any, indexes: list[Any]) -> None:
    for index in indexes:
        index.drop(connection)


def _run_sql(connection: Any, sql: str) -> None:
    _RawSql(connection).exec_driver_sql(sql)


class _RawSql:
    """Plain SQL text straight to the driver, without parameters: psycopg would read the modulo
    operator ``%`` of the generating SQL as a placeholder otherwise."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.dialect = connection.dialect

    def exec_driver_sql(self, sql: str) -> None:
        cursor = self.connection.connection.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()


def _in_transaction(engine: Engine, action: Callable[[Any], Any]) -> Any:
    with engine.begin() as connection:
        return action(connection)


def _index(connection: Any, indexes: list[Any]) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size=-1048576")  # sort in memory
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    for index in indexes:
        index.create(connection)
    connection.exec_driver_sql("ANALYZE")
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size=-65536")


def _events_sql(dialect: str, first: int, last: int, total: int, customers: int) -> str:
    """Events ``first..last`` of ``total``: 90 % product views over six categories, 10 % orders of
    100–5,000 ₽, in time order over the last 60 days (as an append-only log holds them: the rows of a
    time window sit together). Customers come from a non-linear hash of the row number (a linear one
    spreads any time window too evenly over the base), half of the events from a tenth of the base."""
    now = int(NOW.timestamp())
    if dialect == "sqlite":
        series = f"WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last}) "
        moment = "strftime('%Y-%m-%d %H:%M:%S', t, 'unixepoch') || '.000000'"
        customer, json = "'c' || printf('%07d', c)", ""
    else:
        series = f"WITH n(i) AS (SELECT generate_series({first}::bigint, {last})) "
        moment = "to_timestamp(t)"
        customer, json = "'c' || lpad(c::text, 7, '0')", "::jsonb"
    categories = (
        "CASE g % 6 WHEN 0 THEN 'coffee' WHEN 1 THEN 'tea' WHEN 2 THEN 'cocoa' WHEN 3 THEN 'cups'"
        " WHEN 4 THEN 'beans' ELSE 'gifts' END"
    )
    view = f"""'{{"sku":"S' || (h % 500) || '","category":"' || {categories} || '"}}'"""
    order = """'{"order_id":"g' || i || '","total":"' || (100 + h % 4901) || '.00","currency":"RUB"}'"""
    received = (
        "strftime('%Y-%m-%d %H:%M:%S', " + str(now) + ", 'unixepoch') || '.000000'"
        if dialect == "sqlite"
        else f"to_timestamp({now})"
    )
    return (
        series + "INSERT INTO events (event_id, type, customer_id, occurred_at, received_at, properties) "
        f"SELECT 'g' || i, CASE WHEN h % 10 = 0 THEN 'order_placed' ELSE 'product_viewed' END, {customer},"
        f" {moment}, {received}, (CASE WHEN h % 10 = 0 THEN {order} ELSE {view} END){json}"
        f" FROM (SELECT i, h, g, CASE WHEN (h / 11) % 2 = 0 THEN g % {customers}"
        f" ELSE g % {customers // 10 + 1} END AS c,"  # half of the activity from a tenth of the base
        f" {now} - {EVENT_DAYS * DAY} + i * {EVENT_DAYS * DAY} / {total} AS t"
        " FROM (SELECT i, h, ((h / 3) * ((h / 5) % 997 + 1)) % 2147483648 AS g"
        " FROM (SELECT i, (i * 2654435761) % 4294967296 AS h FROM n) a) b) x"
    )


# ---- incremental evaluation during ingest -------------------------------------------------


def _incremental_figures(url_for: Callable[[str], str], count: int) -> None:
    stream = store_events(count, max(count // 5, 1))
    plain = _ingest_all(url_for("plain"), stream, consumer=False, custom=False)
    builtin = _ingest_all(url_for("builtin"), stream, consumer=True, custom=False)
    kept = _ingest_all(url_for("kept"), stream, consumer=True, custom=True)
    batches = (len(stream) + BATCH - 1) // BATCH
    print(f"ingest_events {len(stream)}")
    print(f"ingest_ms_per_10k_batch_without_segments {plain / batches * 1000:.0f}")
    print(f"ingest_then_consumer_ms_per_10k_batch_no_custom_segments {builtin / batches * 1000:.0f}")
    print(f"ingest_then_consumer_ms_per_10k_batch_3_custom_segments {kept / batches * 1000:.0f}")
    print(f"incremental_custom_ms_per_10k_batch {(kept - builtin) / batches * 1000:.0f}")
    print(f"throughput_kept_with_custom_segments_vs_builtin_only {builtin / kept:.3f}")


def _ingest_all(url: str, stream: list[dict[str, Any]], consumer: bool, custom: bool) -> float:
    """Seconds to ingest ``stream`` batch by batch, with the segments consumer (built-in families,
    and the custom rules if any are defined) drained after each batch when ``consumer``."""
    engine = _fresh(url)
    options = IngestOptions(future_tolerance=timedelta(days=3650))
    consumers = (SegmentsConsumer(DEFAULT_CONFIG, "RUB"),) if consumer else ()
    if custom:
        with engine.begin() as connection:
            for name, rule in INGEST_SEGMENTS.items():
                do_create_segment(connection, name, Definition(parse_rule(rule)), NOW)
    elapsed = 0.0
    for start in range(0, len(stream), BATCH):
        batch = stream[start : start + BATCH]
        now = datetime.fromisoformat(batch[-1]["timestamp"])
        seconds, result = _timed(partial(_ingest_and_drain, engine, batch, now, options, consumers))
        assert not result.rejected, result.rejected[:3]
        elapsed += seconds
    if custom:
        with engine.connect() as connection:
            sizes = connection.execute(text("SELECT name, size FROM custom_segments ORDER BY name")).all()
        print("incremental_segment_sizes " + " ".join(f"{name}={size}" for name, size in sizes))
    engine.dispose()
    return elapsed


def _ingest_and_drain(
    engine: Engine,
    batch: list[dict[str, Any]],
    now: datetime,
    options: IngestOptions,
    consumers: tuple[SegmentsConsumer, ...],
) -> IngestResult:
    result = ingest_events(engine, batch, now, options)
    if consumers:
        drain(engine, consumers, FixedClock(now))
    return result


if __name__ == "__main__":
    main()
