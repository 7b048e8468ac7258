"""No consumer skips an event whose transaction took a lower id but committed later.

On PostgreSQL ids come from a sequence when a row is inserted, not when it commits: a reader that
moved its checkpoint past the highest id it saw would never come back for a lower one committed
after (the naive ``id > checkpoint`` reader, run here too and expected to fail). SQLite commits one
writer at a time, so there the concurrent test only checks that nothing is read twice or lost.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select, text
from tests.conftest import postgres_url
from tests.helpers import event
from tests.integration.events.recording import Recorder, consumed_ids, consumed_table

from retentio.clock import FixedClock
from retentio.events import consumers
from retentio.events.consumers import checkpoint, consume_next, consumer_lags, drain
from retentio.events.log import START, LoggedEvent, Position
from retentio.events.replay import event_from_row
from retentio.events.tables import events
from retentio.ingest import pipeline as ingest
from retentio.ingest.pipeline import IngestOptions, ingest_events, store_batch, validate_batch

OPTIONS = IngestOptions()
needs_postgres = pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def _consumed(engine: Engine) -> Iterator[None]:
    with consumed_table(engine):
        yield


def _read_by_id_alone(connection: Connection, after: Position, limit: int) -> list[LoggedEvent]:
    """The naive reader: whatever is visible past the last id read, in id order."""
    query = select(events).where(events.c.id > after.row).order_by(events.c.id).limit(limit)
    return [
        LoggedEvent(Position(0, row.id), row.received_at, event_from_row(row))
        for row in connection.execute(query)
    ]


@pytest.fixture(
    params=[
        "by position",
        pytest.param(
            "by id alone",
            marks=pytest.mark.xfail(strict=True, reason="the naive reader skips the late commit"),
        ),
    ]
)
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "by id alone":
        monkeypatch.setattr(consumers, "read_after", _read_by_id_alone)
        # its checkpoint jumps past the late event, so a drain would wait for it forever
        monkeypatch.setattr(consumers, "STALL_SECONDS", 1.0)
    return str(request.param)


def _opened(event_id: str, now: datetime) -> dict[str, Any]:
    return event(event_id, "app_opened", now - timedelta(hours=1), f"customer-{event_id}")


def _store(connection: Connection, event_id: str, now: datetime) -> None:
    """What ``ingest_events`` does inside its transaction, in a transaction the test holds open."""
    valid, rejected = validate_batch([_opened(event_id, now)], now, OPTIONS.future_tolerance)
    assert not rejected
    assert len(store_batch(connection, valid, now, "RUB")) == 1


def _ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {row.event_id: row.id for row in connection.execute(select(events.c.event_id, events.c.id))}


def _state(engine: Engine) -> tuple[Position, int]:
    with engine.connect() as connection:
        [lag] = consumer_lags(connection, ["recorder"])
        return checkpoint(connection, "recorder"), lag.behind


@pytest.mark.postgres
@needs_postgres
def test_an_event_committed_after_a_later_one_is_consumed_once(
    engine: Engine, now: datetime, reader: str
) -> None:
    # given transaction A stores an event and stays open; B stores one after it and commits
    with engine.connect() as first:
        first.begin()
        _store(first, "a", now)
        ingest_events(engine, [_opened("b", now)], now, OPTIONS)
        assert _ids(engine) == {"b": 2}  # A's event took id 1 and is not visible yet
        # when the consumer runs while A is still open
        consume_next(engine, Recorder(), now)
        # then it reads nothing: B's event lies behind a transaction that may still add rows
        assert consumed_ids(engine, "recorder") == []
        assert _state(engine) == (START, 0)
        first.commit()
    # and once A commits, both are read, each once, A's first
    drain(engine, [Recorder()], FixedClock(now))
    assert _ids(engine) == {"a": 1, "b": 2}
    assert consumed_ids(engine, "recorder") == ["a", "b"]


@pytest.mark.postgres
@needs_postgres
def test_an_older_transaction_committing_first_is_read_before_a_younger_one_still_open(
    engine: Engine, now: datetime, reader: str
) -> None:
    # given transaction B starts first; A starts later and stores an event; B stores one after it
    with engine.connect() as older, engine.connect() as younger:
        older.begin()
        older.execute(text("SELECT pg_current_xact_id()"))
        younger.begin()
        _store(younger, "a", now)
        _store(older, "b", now)
        older.commit()
        # when the consumer runs while A is still open
        consume_next(engine, Recorder(), now)
        # then it reads B's event (the older transaction's, and committed) and stops there
        assert consumed_ids(engine, "recorder") == ["b"]
        assert _state(engine)[0].row == 2
        younger.commit()
    # and once A commits, its event is read after B's, though its id is lower
    drain(engine, [Recorder()], FixedClock(now))
    assert _ids(engine) == {"a": 1, "b": 2}
    assert consumed_ids(engine, "recorder") == ["b", "a"]


@pytest.mark.postgres
@needs_postgres
def test_a_drain_held_back_by_a_transaction_left_open_stops_with_a_clear_error(
    engine: Engine, now: datetime
) -> None:
    # given a transaction that stored an event and stays open, and one committed after it
    with engine.connect() as forgotten:
        forgotten.begin()
        _store(forgotten, "a", now)
        ingest_events(engine, [_opened("b", now)], now, OPTIONS)
        # when an importer drains its consumers
        with pytest.raises(consumers.DrainStalled, match=r"recorder at 0\.0, the log ends at .*open"):
            drain(engine, [Recorder()], FixedClock(now), stall_seconds=0.5)
        # then nothing was read past the open transaction, and nothing is lost once it commits
        assert consumed_ids(engine, "recorder") == []
        forgotten.commit()
    drain(engine, [Recorder()], FixedClock(now))
    assert consumed_ids(engine, "recorder") == ["a", "b"]


# ---- many writers, their transactions held open for random times -----------------------------

WRITERS = 4
BATCHES = 50
EVENTS_PER_BATCH = 10


def _slow_store_batch(seed: int) -> Any:
    """``store_batch`` that dawdles before and, with its rows' ids taken, after: so transactions
    commit in another order than the one they took their ids in."""
    original = store_batch
    pauses = random.Random(seed)
    lock = threading.Lock()

    def pause(longest: float) -> None:
        with lock:
            seconds = pauses.uniform(0, longest)
        threading.Event().wait(seconds)

    def slow(connection: Connection, batch: Sequence[Any], now: datetime, default_currency: str) -> Any:
        pause(0.01)
        stored = original(connection, batch, now, default_currency)
        pause(0.05)
        return stored

    return slow


def _write(engine: Engine, writer: int, now: datetime, committed: list[list[str]]) -> None:
    for number in range(BATCHES):
        batch = [_opened(f"w{writer}-{number}-{n}", now) for n in range(EVENTS_PER_BATCH)]
        result = ingest_events(engine, batch, now, OPTIONS)
        assert result.accepted == EVENTS_PER_BATCH, result
        committed.append([document["event_id"] for document in batch])  # list.append is atomic
        threading.Event().wait(0.02)  # writers mostly wait, so the consumer keeps up with the head


def _consume_until(engine: Engine, stop: threading.Event, now: datetime, seed: int) -> None:
    sizes = random.Random(seed)
    while not stop.is_set():
        if consume_next(engine, Recorder(), now, limit=sizes.randint(1, 50)) == 0:
            stop.wait(0.001)


def _late_commits(engine: Engine, committed: list[list[str]]) -> int:
    """How many batches committed after a batch holding higher ids (0 on SQLite)."""
    ids = _ids(engine)
    late, highest = 0, 0
    for batch in committed:
        lowest = min(ids[event_id] for event_id in batch)
        late += lowest < highest
        highest = max(highest, *(ids[event_id] for event_id in batch))
    return late


# Measured 2026-12-02 on PostgreSQL with ``read_after`` replaced by ``_read_by_id_alone``: 3 runs of 3
# failed, the consumer having missed 150 to 160 of the 2,000 events. With the writers busier than
# the consumer (no wait between batches) it stayed behind the gaps and missed none: this test needs
# a consumer that keeps up with the head of the log, as a worker does.
@pytest.mark.slow
def test_with_writers_committing_in_any_order_every_event_is_consumed_exactly_once(
    engine: Engine, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given writers whose transactions stay open for random times, and a consumer reading
    # batches of random sizes all along
    monkeypatch.setattr(ingest, "store_batch", _slow_store_batch(seed=1))
    committed: list[list[str]] = []
    stop = threading.Event()
    consumer = threading.Thread(target=_consume_until, args=(engine, stop, now, 2))
    writers = [threading.Thread(target=_write, args=(engine, n, now, committed)) for n in range(WRITERS)]
    # when
    consumer.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    stop.set()
    consumer.join()
    drain(engine, [Recorder()], FixedClock(now))
    # then every event was consumed, and none twice
    sent = {event_id for batch in committed for event_id in batch}
    counts = Counter(consumed_ids(engine, "recorder"))
    assert len(sent) == WRITERS * BATCHES * EVENTS_PER_BATCH
    assert set(counts) == sent
    assert set(counts.values()) == {1}
    # and on PostgreSQL the writers did commit out of id order
    if engine.dialect.name == "postgresql":
        assert _late_commits(engine, committed) > 0
