"""The runs of ``benchmarks/consumers.py`` that are more than a call: the floors, the old design's
ingest (the segments consumer inside each batch's transaction), the paced writer and the lags."""

from __future__ import annotations

import bisect
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, text

from retentio.db.batches import collector_paused
from retentio.db.engine import make_engine
from retentio.db.retry import in_transaction
from retentio.events.envelope import Event
from retentio.events.log import LoggedEvent, Position
from retentio.ingest.pipeline import IngestOptions, ingest_events, store_batch, validate_batch
from retentio.segments.consumer import SegmentsConsumer

BATCH = 10_000
_COLUMNS = (
    "event_id, type, customer_id, anonymous_id, occurred_at, received_at, properties, derived, historical"
)
# The product's append statements (``events.store``), rows already shaped.
_APPEND = {
    "postgresql": f"""
INSERT INTO events ({_COLUMNS})
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],
                     %s::timestamptz[], %s::timestamptz[], %s::jsonb[], %s::boolean[], %s::boolean[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
""",
    "sqlite": f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
}


# ---- floors ---------------------------------------------------------------------------------


def _shaped(stream: Sequence[dict[str, Any]], received: datetime, dialect: str) -> list[tuple[Any, ...]]:
    def moment(at: datetime) -> Any:
        if dialect == "postgresql":
            return at
        return at.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")[:26]

    return [
        (
            e["event_id"], e["type"], e["customer_id"], None, moment(datetime.fromisoformat(e["timestamp"])),
            moment(received), orjson.dumps(e["properties"]).decode(), False, False,
        )
        for e in stream
    ]  # fmt: skip


def append_floor(url: str, stream: Sequence[dict[str, Any]], now: datetime) -> float:
    """Seconds for the database alone to append ``stream`` to the migrated ``events`` table with the
    product's own statement, one transaction per batch: no parsing, validation or folding."""
    engine = make_engine(url)
    dialect = engine.dialect.name
    rows = _shaped(stream, now, dialect)
    raw = engine.raw_connection()
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        cursor = raw.cursor()
        if dialect == "postgresql":
            _append_postgres(cursor, rows[start : start + BATCH])
            raw.commit()
        else:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(_APPEND["sqlite"], rows[start : start + BATCH])
            cursor.execute("COMMIT")
        cursor.close()
    elapsed = time.perf_counter() - started
    raw.close()
    engine.dispose()
    return elapsed


def _append_postgres(cursor: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    """As ``events.store`` sends them: 5,000 rows a statement, one array per column."""
    for start in range(0, len(rows), 5_000):
        columns = [list(column) for column in zip(*rows[start : start + 5_000], strict=True)]
        cursor.execute(_APPEND["postgresql"], columns)
        cursor.fetchall()


def copy_floor(url: str, stream: Sequence[dict[str, Any]], now: datetime) -> float:
    """PostgreSQL's fastest way in: ``COPY`` of the same rows into the same table, per batch."""
    engine = make_engine(url)
    rows = _shaped(stream, now, "postgresql")
    raw = engine.raw_connection()
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        cursor = raw.cursor()
        with cursor.copy(f"COPY events ({_COLUMNS}) FROM STDIN") as copy:
            for row in rows[start : start + BATCH]:
                copy.write_row(row)
        raw.commit()
        cursor.close()
    elapsed = time.perf_counter() - started
    raw.close()
    engine.dispose()
    return elapsed


def read_floor(engine: Engine) -> float:
    """Seconds to read every event by position, ``BATCH`` rows a query, as plain rows."""
    query = text(
        "SELECT * FROM events WHERE tx > :tx OR (tx = :tx AND id > :row) ORDER BY tx, id LIMIT :limit"
    )
    started = time.perf_counter()
    tx = row = 0
    with engine.connect() as connection:
        while rows := connection.execute(query, {"tx": tx, "row": row, "limit": BATCH}).all():
            tx, row = rows[-1].tx, rows[-1].id
    return time.perf_counter() - started


# ---- the old design ---------------------------------------------------------------------------


def ingest_old_design(
    engine: Engine, stream: Sequence[dict[str, Any]], now: datetime, consumer: SegmentsConsumer
) -> None:
    """Ingest as before issue 9: validation, then one transaction per batch that appends, folds
    orders and profiles (``store_batch``, as ``ingest_events`` does) and runs the segments consumer
    over the new events on the same connection before the commit."""
    options = IngestOptions(future_tolerance=timedelta(days=3650))
    for start in range(0, len(stream), BATCH):
        with collector_paused():  # as ``ingest_events``
            valid, rejected = validate_batch(stream[start : start + BATCH], now, options.future_tolerance)
            assert not rejected, rejected[:3]
            unique = list({event.event_id: event for event in valid}.values())
            in_transaction(engine, lambda connection: _store_and_react(connection, unique, now, consumer))  # noqa: B023


def _store_and_react(
    connection: Connection, batch: Sequence[Event], now: datetime, consumer: SegmentsConsumer
) -> None:
    fresh = store_batch(connection, batch, now, "RUB")
    if fresh:
        consumer.consume(connection, _as_logged(connection, fresh, now), now)


def _as_logged(connection: Connection, fresh: Sequence[Event], now: datetime) -> list[LoggedEvent]:
    """The batch as the consumer would read it: in the order it was appended. The consumer reads
    only the last event's position (its moves' ids carry it), so only that one is looked up."""
    last = connection.execute(
        text("SELECT tx, id FROM events WHERE event_id = :id"), {"id": fresh[-1].event_id}
    ).one()
    position = Position(last.tx, last.id)
    return [LoggedEvent(position, now, event) for event in fresh]


@dataclass(frozen=True, slots=True)
class Standing:
    rows: int
    stages: str  # a digest of every customer's lifecycle, ladder step, bad score and RFM segment
    since: str  # ... of since when they stand there, and when they are next due
    moves: int  # move events written


def standing_digest(engine: Engine) -> Standing:
    with engine.connect() as connection:
        stages = connection.execute(
            text(
                "SELECT customer_id, lifecycle, ladder, bad_score, bad_customer, rfm_segment"
                " FROM customer_standing ORDER BY customer_id"
            )
        ).all()
        since = connection.execute(
            text(
                "SELECT customer_id, lifecycle_since, ladder_since, next_due_at"
                " FROM customer_standing ORDER BY customer_id"
            )
        ).all()
        moves = connection.execute(text("SELECT count(*) FROM events WHERE derived")).scalar_one()
    return Standing(len(stages), _digest(stages), _digest(since), int(moves))


def _digest(rows: Sequence[Any]) -> str:
    return hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()[:16]


# ---- lag ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    seconds: float  # from the first batch's start to the last batch's commit
    most_behind: float  # how late the writer started a batch against its schedule, at worst
    committed: dict[str, tuple[float, float]]  # event id: (received, committed) wall times


def paced_writer(engine: Engine, stream: Sequence[dict[str, Any]], rate: int, batch: int) -> Written:
    """Ingest ``stream`` in batches of ``batch`` events, batch k started at ``k * batch / rate``
    seconds (at once when behind), each received at the wall time it starts."""
    options = IngestOptions()
    interval = batch / rate
    committed: dict[str, tuple[float, float]] = {}
    most_behind = 0.0
    started = time.perf_counter()
    wall_started = time.time()
    for number, first in enumerate(range(0, len(stream), batch)):
        due = started + number * interval
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        most_behind = max(most_behind, -wait)
        received = time.time()
        part = stream[first : first + batch]
        result = ingest_events(engine, part, datetime.fromtimestamp(received, UTC), options)
        assert result.accepted == len(part), result.rejected[:3]
        done = time.time()
        committed.update((event["event_id"], (received, done)) for event in part)
    return Written(time.time() - wall_started, most_behind, committed)


@dataclass(frozen=True, slots=True)
class Lags:
    from_commit: list[float]  # the consumer's commit covering the event, less the writer's commit
    from_received: list[float]  # ... less the moment the writer took the batch in hand


def lags(
    engine: Engine, committed: dict[str, tuple[float, float]], commits: Sequence[tuple[float, int, int]]
) -> Lags:
    """Match every written event to the first checkpoint the consumer committed at or past it."""
    positions = [(tx, row) for _, tx, row in commits]
    from_commit: list[float] = []
    from_received: list[float] = []
    with engine.connect() as connection:
        for event_id, tx, row in connection.execute(
            text("SELECT event_id, tx, id FROM events WHERE NOT derived")
        ):
            index = bisect.bisect_left(positions, (tx, row))
            if index == len(positions):
                raise SystemExit(f"event {event_id} at {tx}:{row} was never consumed")
            received, done = committed[event_id]
            from_commit.append(commits[index][0] - done)
            from_received.append(commits[index][0] - received)
    return Lags(from_commit, from_received)
