"""The runner of the log's consumers: effects and checkpoint commit together or not at all, one runner
at a time holds a consumer, ``drain`` stops when nobody has anything left, derived events reach the
other consumers, and the lag says how far behind each one is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from tests.conftest import postgres_url
from tests.helpers import event
from tests.integration.events.recording import (
    Echo,
    Holds,
    Recorder,
    StopsHalfway,
    consumed_ids,
    consumed_rows,
    consumed_table,
)

from retentio.clock import FixedClock
from retentio.db.engine import make_engine
from retentio.events.consumers import checkpoint, consume_next, consumer_lags, drain
from retentio.events.log import START, Position
from retentio.events.tables import events
from retentio.ingest.pipeline import IngestOptions, ingest_events

OPTIONS = IngestOptions()
sqlite_only = pytest.mark.skipif(postgres_url() is not None, reason="SQLite's single writer")


@pytest.fixture(autouse=True)
def _consumed(engine: Engine) -> Iterator[None]:
    with consumed_table(engine):
        yield


def _opened_the_app(engine: Engine, numbers: range, now: datetime) -> None:
    batch = [event(f"e{n}", "app_opened", now - timedelta(hours=1), f"c{n}") for n in numbers]
    result = ingest_events(engine, batch, now, OPTIONS)
    assert result.accepted == len(numbers), result


def _position(engine: Engine, event_id: str) -> Position:
    with engine.connect() as connection:
        row = connection.execute(select(events.c.tx, events.c.id).where(events.c.event_id == event_id)).one()
    return Position(row.tx, row.id)


def _checkpoint(engine: Engine, name: str) -> Position:
    with engine.connect() as connection:
        return checkpoint(connection, name)


def test_a_consumer_failing_halfway_leaves_checkpoint_and_effects_and_reads_the_batch_again(
    engine: Engine, now: datetime
) -> None:
    # given
    _opened_the_app(engine, range(4), now)
    # when the consumer fails after writing down half of its batch
    with pytest.raises(RuntimeError, match="stopped halfway"):
        consume_next(engine, StopsHalfway(), now, limit=3)
    # then neither its effects nor its checkpoint were kept
    assert consumed_ids(engine, "recorder") == []
    assert _checkpoint(engine, "recorder") == START
    # and the next run reads the same batch, and keeps both
    assert consume_next(engine, Recorder(), now, limit=3) == 3
    assert consumed_ids(engine, "recorder") == ["e0", "e1", "e2"]
    assert _checkpoint(engine, "recorder") == _position(engine, "e2")


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_on_postgres_a_second_runner_skips_a_consumer_another_one_holds(
    engine: Engine, now: datetime
) -> None:
    # given a runner holding the consumer's first batch, its transaction open
    _opened_the_app(engine, range(4), now)
    first = Holds()
    done: list[int] = []
    runner = threading.Thread(target=lambda: done.append(consume_next(engine, first, now, limit=2)))
    runner.start()
    try:
        assert first.holding.wait(30)
        # when a second runner (another connection) asks for the same consumer's next batch
        second = consume_next(engine, Recorder(), now, limit=2)
        # then it gets nothing and leaves the checkpoint alone
        assert second == 0
        assert _checkpoint(engine, "recorder") == START
        # while another consumer is not held up
        assert consume_next(engine, Recorder("other"), now) == 4
    finally:
        first.release.set()
        runner.join(30)
    # and once the first commits, the next run starts after its batch: every event is read once
    assert done == [2]
    assert consume_next(engine, Recorder(), now, limit=2) == 2
    assert consumed_ids(engine, "recorder") == ["e0", "e1", "e2", "e3"]


@sqlite_only
def test_on_sqlite_a_second_runner_waits_for_the_first_and_takes_the_next_batch(
    engine: Engine, now: datetime
) -> None:
    # given a runner holding the consumer's first batch, its write transaction open
    _opened_the_app(engine, range(4), now)
    first = Holds()
    done: list[int] = []
    runner = threading.Thread(target=lambda: done.append(consume_next(engine, first, now, limit=2)))
    runner.start()
    assert first.holding.wait(30)
    release = threading.Timer(0.5, first.release.set)
    release.start()
    # when a second runner asks for the same consumer's next batch (it waits for the write lock)
    second = consume_next(engine, Recorder(), now, limit=2)
    runner.join(30)
    # then it took the batch after the first one's: every event was read once
    assert (done, second) == ([2], 2)
    assert consumed_ids(engine, "recorder") == ["e0", "e1", "e2", "e3"]


def test_drain_runs_every_consumer_until_none_has_anything_left(engine: Engine, now: datetime) -> None:
    # given three events, a consumer answering each with a derived event and one writing all down
    _opened_the_app(engine, range(3), now)
    consumers = [Echo(), Recorder()]
    # when
    total = drain(engine, consumers, FixedClock(now))
    # then: the echo read 3 sent events then its 3 echoes, the recorder all 6 at once
    assert total == 3 + 6 + 3
    with engine.connect() as connection:
        lags = consumer_lags(connection, ["echo", "recorder"])
    assert [(lag.behind, lag.oldest_waiting) for lag in lags] == [(0, None), (0, None)]
    assert drain(engine, consumers, FixedClock(now)) == 0


def test_derived_events_are_read_by_the_other_consumers_marked_derived(engine: Engine, now: datetime) -> None:
    # given
    _opened_the_app(engine, range(3), now)
    # when
    drain(engine, [Echo(), Recorder()], FixedClock(now))
    # then the recorder read the echoes after the events they answer, marked derived
    assert consumed_rows(engine, "recorder") == [
        ("e0", False),
        ("e1", False),
        ("e2", False),
        ("echo:e0", True),
        ("echo:e1", True),
        ("echo:e2", True),
    ]
    with engine.connect() as connection:
        marked = connection.execute(select(events.c.event_id).where(events.c.derived).order_by(events.c.id))
        assert list(marked.scalars()) == ["echo:e0", "echo:e1", "echo:e2"]


def test_lags_count_the_events_behind_and_date_the_oldest_of_them(engine: Engine, now: datetime) -> None:
    # given three events received ten minutes ago and two a minute ago
    _opened_the_app(engine, range(3), now - timedelta(minutes=10))
    _opened_the_app(engine, range(3, 5), now - timedelta(minutes=1))

    def lag() -> tuple[Position, int, datetime | None, float]:
        with engine.connect() as connection:
            [found] = consumer_lags(connection, ["recorder"])
        return found.position, found.behind, found.oldest_waiting, found.seconds_behind(now)

    # then before the consumer ever ran
    assert lag() == (START, 5, now - timedelta(minutes=10), 600.0)
    # and after its first batch of three
    assert consume_next(engine, Recorder(), now, limit=3) == 3
    assert lag() == (_position(engine, "e2"), 2, now - timedelta(minutes=1), 60.0)
    # and once it caught up
    drain(engine, [Recorder()], FixedClock(now))
    assert lag() == (_position(engine, "e4"), 0, None, 0.0)


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_a_transaction_open_in_another_database_does_not_hold_consumers_back(
    engine: Engine, now: datetime
) -> None:
    # given a transaction with an id, left open in another database of the same server (another
    # application, another test session), older than the events
    other = make_engine(postgres_url() or "")
    with other.connect() as elsewhere:
        elsewhere.execute(text("SELECT pg_current_xact_id()"))
        _opened_the_app(engine, range(2), now)
        # when
        consumed = consume_next(engine, Recorder(), now)
        with engine.connect() as connection:
            [lag] = consumer_lags(connection, ["recorder"])
        elsewhere.rollback()
    other.dispose()
    # then it could not have written to this log: the events are read at once
    assert consumed == 2
    assert consumed_ids(engine, "recorder") == ["e0", "e1"]
    assert lag.behind == 0


def test_a_consumer_naming_its_types_reads_only_those_and_its_checkpoint_passes_the_rest(
    engine: Engine, now: datetime
) -> None:
    # given app openings with two page views among them
    _opened_the_app(engine, range(5), now)
    viewed = [event(f"v{n}", "custom.page_viewed", now - timedelta(minutes=30), f"c{n}") for n in range(2)]
    assert ingest_events(engine, viewed, now, OPTIONS).accepted == 2
    _opened_the_app(engine, range(5, 8), now)
    reads_views = Recorder("views", event_types=frozenset({"custom.page_viewed"}))
    # when it runs over a window of six events that holds one of the views
    assert consume_next(engine, reads_views, now, limit=6) == 6
    # then it read that view only, and stands after the sixth event
    assert consumed_ids(engine, "views") == ["v0"]
    assert _checkpoint(engine, "views") == _position(engine, "v0")
    # and a window without any of its types still moves it on
    assert consume_next(engine, reads_views, now, limit=1) == 1
    assert consumed_ids(engine, "views") == ["v0", "v1"]
    assert consume_next(engine, reads_views, now, limit=2) == 2
    assert consumed_ids(engine, "views") == ["v0", "v1"]
    assert _checkpoint(engine, "views") == _position(engine, "e6")
    assert consume_next(engine, reads_views, now) == 1
    assert consume_next(engine, reads_views, now) == 0
    assert _checkpoint(engine, "views") == _position(engine, "e7")
