"""The queue on the real store (SQLite, or PostgreSQL with RETENTIO_TEST_DATABASE_URL): one row per
key, claims by due time and lease, takeover of ended leases, completion only by the lease's owner,
and effects that commit with the completion or not at all."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from tests.conftest import postgres_url

from retentio.clock import FixedClock
from retentio.schedule.job import Job
from retentio.schedule.kinds import Backoff, Delivery, Kind, Registry
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue, enqueue
from retentio.schedule.tables import due_work
from retentio.schedule.wake import Listener
from retentio.schedule.work import NewWork

LEASE = timedelta(seconds=60)


def _add(engine: Engine, now: datetime, *items: NewWork) -> int:
    with engine.begin() as connection:
        return enqueue(connection, items, now)


def _rows(engine: Engine) -> list[tuple[str, str, str, int]]:
    query = select(due_work.c.kind, due_work.c.key, due_work.c.state, due_work.c.attempts).order_by(
        due_work.c.id
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


def test_the_same_key_twice_is_one_row_and_the_payload_comes_back(engine: Engine, now: datetime) -> None:
    # given
    payload = {"customer": "c1", "text": "Привет", "amount": "10.50", "steps": [1, 2]}
    first = _add(engine, now, NewWork("send", "m1", now, payload), NewWork("send", "m1", now))
    # when
    again = _add(engine, now, NewWork("send", "m1", now + timedelta(days=1), {"other": True}))
    claimed = SqlQueue(engine).claim(["send"], "w1", now, now + LEASE, 10)
    # then
    assert (first, again) == (1, 0)
    assert [(work.key, work.payload, work.due_at, work.attempts) for work in claimed] == [
        ("m1", payload, now, 1)
    ]
    assert claimed[0].leased_until == now + LEASE


def test_a_claim_takes_the_earliest_due_rows_of_its_kinds_only(engine: Engine, now: datetime) -> None:
    # given
    _add(
        engine,
        now,
        NewWork("send", "late", now - timedelta(minutes=1)),
        NewWork("send", "future", now + timedelta(seconds=1)),
        NewWork("other", "o1", now - timedelta(hours=1)),
        NewWork("send", "early", now - timedelta(minutes=2)),
        NewWork("send", "earliest", now - timedelta(minutes=3)),
    )
    queue = SqlQueue(engine)
    # when
    claimed = queue.claim(["send"], "w1", now, now + LEASE, 2)
    # then
    assert [work.key for work in claimed] == ["earliest", "early"]
    assert queue.next_due(["send"]) == now - timedelta(minutes=1)
    assert queue.claim(["send"], "w2", now, now + LEASE, 10)[0].key == "late"
    assert queue.next_due(["send"]) == now + timedelta(seconds=1)


def test_an_ended_lease_is_taken_over_and_the_old_owner_completes_nothing(
    engine: Engine, now: datetime
) -> None:
    # given: w1 claimed and vanished
    _add(engine, now, NewWork("send", "m1", now))
    queue = SqlQueue(engine)
    [held] = queue.claim(["send"], "w1", now, now + LEASE, 10)
    # when
    before_end = queue.claim(["send"], "w2", now + LEASE - timedelta(microseconds=1), now + 2 * LEASE, 10)
    [taken] = queue.claim(["send"], "w2", now + LEASE, now + 2 * LEASE, 10)
    with queue.transaction() as transaction:
        by_old_owner = transaction.complete([held.id], "w1", now + LEASE)
    with queue.transaction() as transaction:
        by_new_owner = transaction.complete([taken.id], "w2", now + LEASE)
    # then
    assert before_end == []
    assert (taken.id, taken.attempts, taken.last_error_type) == (held.id, 2, "LeaseExpired")
    assert (by_old_owner, by_new_owner) == (0, 1)
    assert _rows(engine) == [("send", "m1", "done", 2)]


def test_a_failed_handler_s_effects_roll_back_and_the_row_waits_for_its_retry(
    engine: Engine, now: datetime
) -> None:
    # given: an exactly-once step that enqueues its next step, then fails
    def step(job: Job) -> None:
        job.enqueue(NewWork("step", "next", job.now))
        job.connection.execute(
            due_work.insert().values(
                kind="audit",
                key="k",
                state="done",
                due_at=job.now,
                payload={},
                attempts=1,
                created_at=job.now,
            )
        )
        raise ValueError("template missing")

    _add(engine, now, NewWork("step", "first", now))
    kind = Kind("step", step, Delivery.EXACTLY_ONCE, backoff=Backoff(timedelta(seconds=10)))
    runner = Runner(SqlQueue(engine), Registry([kind]), FixedClock(now), owner="w1", draw=lambda: 0.0)
    # when
    runner.run_due()
    # then: neither the follow-up nor the audit row exists
    with engine.connect() as connection:
        row = connection.execute(select(due_work).where(due_work.c.key == "first")).one()
    assert _rows(engine) == [("step", "first", "waiting", 1)]
    assert (row.due_at, row.last_error_type, row.last_error) == (
        now + timedelta(seconds=5),
        "ValueError",
        "template missing",
    )


def test_a_successful_step_s_effects_and_next_row_commit_with_its_completion(
    engine: Engine, now: datetime
) -> None:
    # given
    def step(job: Job) -> str:
        enqueue(job.connection, [NewWork("audit", job.work.key, job.now)], job.now)
        job.enqueue(NewWork("step", f"after-{job.work.key}", job.now + timedelta(days=1)))
        return "ok"

    _add(engine, now, NewWork("step", "a", now), NewWork("step", "b", now))
    runner = Runner(SqlQueue(engine), Registry([Kind("step", step, Delivery.EXACTLY_ONCE)]), FixedClock(now))
    # when
    claimed = runner.run_due()
    # then
    assert claimed == 2
    assert sorted(_rows(engine)) == [
        ("audit", "a", "waiting", 0),
        ("audit", "b", "waiting", 0),
        ("step", "a", "done", 1),
        ("step", "after-a", "waiting", 0),
        ("step", "after-b", "waiting", 0),
        ("step", "b", "done", 1),
    ]


def test_a_payload_that_is_not_json_is_refused_naming_the_work(engine: Engine, now: datetime) -> None:
    with pytest.raises(ValueError, match="payload of send 'm1' is not JSON"):
        _add(engine, now, NewWork("send", "m1", now, {"tags": {"a", "b"}}))
    assert _rows(engine) == []


def test_sqlite_finds_due_rows_and_ended_leases_through_the_partial_indexes(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner only")
    queries = SqlQueue(engine).queries
    parameters = {"now": "2026-06-01", "kinds": '["send"]', "limit": 10, "until": "x", "owner": "w1"}
    parameters |= {"expired_error": "", "expired_type": ""}
    with engine.connect() as connection:
        plans = {
            name: " | ".join(
                step[3] for step in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)
            )
            for name, sql in (
                ("claim", queries.claim),
                ("expire", queries.expire),
                ("next", queries.next_due),
            )
        }
    assert "USING INDEX ix_due_work_waiting_due_at (due_at<?)" in plans["claim"], plans
    assert "TEMP B-TREE" not in plans["claim"], plans
    assert "USING INDEX ix_due_work_running_leased_until (leased_until<?)" in plans["expire"], plans
    assert "ix_due_work_waiting_due_at" in plans["next"], plans
    assert "ix_due_work_running_leased_until" in plans["next"], plans


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_a_claim_skips_rows_another_worker_holds_locked(engine: Engine, now: datetime) -> None:
    # given: another transaction holds the earliest row locked (a claim in progress)
    _add(engine, now, NewWork("send", "m1", now - timedelta(seconds=2)), NewWork("send", "m2", now))
    with engine.begin() as other:
        other.execute(text("SELECT id FROM due_work WHERE key = 'm1' FOR UPDATE"))
        # when
        claimed = SqlQueue(engine).claim(["send"], "w2", now, now + LEASE, 10)
    # then
    assert [work.key for work in claimed] == ["m2"]


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs RETENTIO_TEST_DATABASE_URL")
def test_work_due_soon_wakes_a_listening_worker_and_later_work_does_not(
    engine: Engine, now: datetime
) -> None:
    # given
    listener, stop = Listener(engine), threading.Event()
    listener.listen()
    try:
        # when
        _add(engine, now, NewWork("send", "later", now + timedelta(hours=1)))
        woken_by_later = listener.wait(0.5, stop)
        _add(engine, now, NewWork("send", "soon", now + timedelta(seconds=5)), NewWork("send", "now", now))
        woken_by_soon = listener.wait(30, stop)
        woken_again = listener.wait(0.5, stop)
    finally:
        listener.close()
    # then: one transaction, one wake
    assert (woken_by_later, woken_by_soon, woken_again) == (False, True, False)
