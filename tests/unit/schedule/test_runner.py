"""The runner on the in-memory queue with a fixed clock: claims by due time, completion with
follow-ups, retries with backoff, dead letters, lease takeover."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from retentio.clock import FixedClock
from retentio.schedule.job import Job
from retentio.schedule.kinds import Backoff, Delivery, Kind, Registry
from retentio.schedule.memory import MemoryQueue
from retentio.schedule.runner import Runner
from retentio.schedule.work import NewWork

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BACKOFF = Backoff(first=timedelta(seconds=10), longest=timedelta(minutes=5))


def _runner(queue: MemoryQueue, clock: FixedClock, *kinds: Kind, owner: str = "worker-a") -> Runner:
    return Runner(
        queue, Registry(kinds), clock, owner=owner, batch=10, lease=timedelta(seconds=60), draw=lambda: 0.5
    )


def _record(ran: list[str], summary: str | None = None) -> Kind:
    def handler(job: Job) -> str | None:
        ran.append(job.work.key)
        return summary

    return Kind("record", handler, Delivery.EXACTLY_ONCE)


def _failing(kind: str = "flaky", max_attempts: int = 3) -> Kind:
    def handler(job: Job) -> None:
        raise ConnectionError(f"provider down for {job.work.key}")

    return Kind(kind, handler, Delivery.AT_LEAST_ONCE, max_attempts=max_attempts, backoff=BACKOFF)


def test_the_same_key_twice_is_one_row() -> None:
    # given
    queue = MemoryQueue()
    # when
    added = queue.enqueue(
        [NewWork("record", "a", NOW), NewWork("record", "a", NOW + timedelta(hours=1))], NOW
    )
    # then
    assert added == 1
    assert [(row.key, row.due_at) for row in queue.rows.values()] == [("a", NOW)]


def test_due_rows_run_earliest_first_and_later_ones_wait() -> None:
    # given
    queue, clock, ran = MemoryQueue(), FixedClock(NOW), []
    queue.enqueue(
        [
            NewWork("record", "second", NOW - timedelta(minutes=1)),
            NewWork("record", "later", NOW + timedelta(seconds=1)),
            NewWork("record", "first", NOW - timedelta(minutes=2)),
        ],
        NOW,
    )
    runner = _runner(queue, clock, _record(ran))
    # when
    claimed = runner.run_due()
    # then
    assert (claimed, ran) == (2, ["first", "second"])
    assert {row.key: row.state for row in queue.rows.values()} == {
        "second": "done",
        "later": "waiting",
        "first": "done",
    }
    assert runner.seconds_until_next() == 1.0


def test_a_worker_claims_only_the_kinds_it_runs() -> None:
    # given
    queue, ran = MemoryQueue(), []
    queue.enqueue([NewWork("messages.send", "m1", NOW), NewWork("record", "r1", NOW)], NOW)
    # when
    _runner(queue, FixedClock(NOW), _record(ran)).run_due()
    # then
    assert ran == ["r1"]
    assert queue.rows[1].state == "waiting"
    assert queue.rows[1].attempts == 0


def test_follow_ups_commit_with_the_completion_and_the_summary_is_reported() -> None:
    # given
    queue, clock, outcomes = MemoryQueue(), FixedClock(NOW), []

    def step(job: Job) -> str:
        job.enqueue(NewWork("record", f"next-{job.work.key}", job.now + timedelta(days=1)))
        return "stepped"

    queue.enqueue([NewWork("step", "s1", NOW)], NOW)
    runner = _runner(queue, clock, Kind("step", step, Delivery.EXACTLY_ONCE))
    runner.report = outcomes.append
    # when
    runner.run_due()
    # then
    assert [(row.key, row.state, row.due_at) for row in queue.rows.values()] == [
        ("s1", "done", NOW),
        ("next-s1", "waiting", NOW + timedelta(days=1)),
    ]
    assert [(outcome.work.key, outcome.summary, outcome.failure) for outcome in outcomes] == [
        ("s1", "stepped", None)
    ]


def test_a_failure_waits_a_backed_off_time_and_keeps_the_error() -> None:
    # given
    queue, clock, outcomes = MemoryQueue(), FixedClock(NOW), []
    queue.enqueue([NewWork("flaky", "f1", NOW)], NOW)
    runner = _runner(queue, clock, _failing())
    runner.report = outcomes.append
    # when: the first and second attempts fail; the draw is 0.5, so 3/4 of 10 s, then of 20 s
    runner.run_due()
    first = queue.rows[1]
    clock.set(first.due_at)
    runner.run_due()
    second = queue.rows[1]
    # then
    assert (first.state, first.due_at, first.attempts) == ("waiting", NOW + timedelta(seconds=7.5), 1)
    assert (first.last_error_type, first.last_error) == ("ConnectionError", "provider down for f1")
    assert (second.state, second.due_at, second.attempts) == (
        "waiting",
        clock.now() + timedelta(seconds=15),
        2,
    )
    assert [outcome.retry_at for outcome in outcomes] == [first.due_at, second.due_at]


def test_after_its_last_attempt_a_row_is_dead_with_the_last_error() -> None:
    # given
    queue, clock, outcomes = MemoryQueue(), FixedClock(NOW), []
    queue.enqueue([NewWork("flaky", "f1", NOW)], NOW)
    runner = _runner(queue, clock, _failing(max_attempts=3))
    runner.report = outcomes.append
    # when
    for _ in range(3):
        runner.run_due()
        clock.set(max(clock.now(), queue.rows[1].due_at))
    clock.advance(timedelta(days=1))
    again = runner.run_due()
    # then
    dead = queue.rows[1]
    assert (dead.state, dead.attempts, dead.finished_at) == ("dead", 3, NOW + timedelta(seconds=7.5 + 15))
    assert (dead.last_error_type, dead.last_error) == ("ConnectionError", "provider down for f1")
    assert (outcomes[-1].failure is not None, outcomes[-1].retry_at) == (True, None)
    assert again == 0


def test_one_failing_row_does_not_cost_the_rest_of_its_batch_their_run() -> None:
    # given: three rows of one exactly-once kind; the middle one fails
    queue, clock = MemoryQueue(), FixedClock(NOW)
    runs: list[str] = []

    def step(job: Job) -> None:
        runs.append(job.work.key)
        job.enqueue(NewWork("record", f"after-{job.work.key}", NOW + timedelta(days=1)))
        if job.work.key == "b":
            raise ValueError("bad payload")

    queue.enqueue([NewWork("step", key, NOW + timedelta(seconds=n)) for n, key in enumerate("abc")], NOW)
    clock.advance(timedelta(seconds=5))
    runner = _runner(queue, clock, Kind("step", step, Delivery.EXACTLY_ONCE, backoff=BACKOFF))
    # when
    runner.run_due()
    # then: the batch ran together up to the failure (rolled back), then each row alone
    assert runs == ["a", "b", "a", "b", "c"]
    states = {row.key: row.state for row in queue.rows.values()}
    assert states == {"a": "done", "b": "waiting", "c": "done", "after-a": "waiting", "after-c": "waiting"}
    assert queue.rows[2].last_error == "bad payload"


def test_an_at_least_once_handler_has_no_connection() -> None:
    # given
    queue, clock, outcomes = MemoryQueue(), FixedClock(NOW), []
    queue.enqueue([NewWork("send", "m1", NOW)], NOW)

    def send(job: Job) -> None:
        job.connection.exec_driver_sql("SELECT 1")

    runner = _runner(queue, clock, Kind("send", send, Delivery.AT_LEAST_ONCE, backoff=BACKOFF))
    runner.report = outcomes.append
    # when
    runner.run_due()
    # then
    assert queue.rows[1].last_error_type == "RuntimeError"
    assert "send runs outside a database transaction" in (queue.rows[1].last_error or "")


def test_an_expired_lease_is_taken_over_by_another_worker() -> None:
    # given: worker A claimed a row and died
    queue, clock, ran = MemoryQueue(), FixedClock(NOW), []
    queue.enqueue([NewWork("record", "r1", NOW)], NOW)
    queue.claim(["record"], "worker-a", NOW, NOW + timedelta(seconds=60), 10)
    runner_b = _runner(queue, clock, _record(ran), owner="worker-b")
    # when: B looks before and after the lease ends
    clock.advance(timedelta(seconds=59))
    before = runner_b.run_due()
    next_in = runner_b.seconds_until_next()
    clock.advance(timedelta(seconds=1))
    after = runner_b.run_due()
    # then
    assert (before, next_in, after, ran) == (0, 1.0, 1, ["r1"])
    row = queue.rows[1]
    assert (row.state, row.attempts, row.lease_owner) == ("done", 2, "worker-b")
    assert row.last_error_type == "LeaseExpired"


def test_a_worker_whose_lease_was_taken_over_commits_nothing() -> None:
    # given: A's handler runs past its lease, and B takes the row over meanwhile
    queue, clock = MemoryQueue(), FixedClock(NOW)
    queue.enqueue([NewWork("step", "s1", NOW)], NOW)

    def slow_step(job: Job) -> None:
        job.enqueue(NewWork("record", "follow-up", NOW))
        clock.advance(timedelta(seconds=61))
        queue.claim(["step"], "worker-b", clock.now(), clock.now() + timedelta(seconds=60), 10)

    runner_a = _runner(queue, clock, Kind("step", slow_step, Delivery.EXACTLY_ONCE))
    # when
    runner_a.run_due()
    # then: B holds the row, and A's follow-up rolled back with A's completion
    assert [(row.key, row.state, row.lease_owner) for row in queue.rows.values()] == [
        ("s1", "running", "worker-b")
    ]


def test_a_row_that_keeps_killing_its_worker_ends_dead() -> None:
    # given: a kind allowing two attempts; two workers died holding the row
    queue, clock, ran = MemoryQueue(), FixedClock(NOW), []
    queue.enqueue([NewWork("record", "poison", NOW)], NOW)
    for _ in range(2):
        queue.claim(["record"], "dying", clock.now(), clock.now() + timedelta(seconds=60), 10)
        clock.advance(timedelta(seconds=60))
    kind = Kind("record", lambda job: ran.append(job.work.key), Delivery.EXACTLY_ONCE, max_attempts=2)
    # when
    _runner(queue, clock, kind).run_due()
    # then: not run a third time
    row = queue.rows[1]
    assert ran == []
    assert (row.state, row.attempts, row.last_error_type) == ("dead", 3, "LeaseExpired")


def test_a_long_kind_asks_for_its_own_lease() -> None:
    # given
    queue, clock = MemoryQueue(), FixedClock(NOW)
    leases: list[datetime | None] = []
    queue.enqueue([NewWork("nightly", "2026-06-01", NOW)], NOW)

    def nightly(job: Job) -> None:
        leases.append(queue.rows[job.work.id].leased_until)

    kind = Kind("nightly", nightly, Delivery.EXACTLY_ONCE, lease=timedelta(hours=1))
    # when
    _runner(queue, clock, kind).run_due()
    # then
    assert leases == [NOW + timedelta(hours=1)]


def test_run_all_due_runs_follow_ups_due_now_and_stops() -> None:
    # given: a chain of three steps, each enqueuing the next due at once
    queue, clock, outcomes = MemoryQueue(), FixedClock(NOW), []

    def chain(job: Job) -> None:
        step = int(job.work.key)
        if step < 3:
            job.enqueue(NewWork("chain", str(step + 1), job.now))

    queue.enqueue([NewWork("chain", "1", NOW)], NOW)
    runner = _runner(queue, clock, Kind("chain", chain, Delivery.EXACTLY_ONCE))
    runner.report = outcomes.append
    # when
    total = runner.run_all_due()
    # then
    assert total == 3
    assert [outcome.work.key for outcome in outcomes] == ["1", "2", "3"]


def test_registering_a_kind_twice_is_refused() -> None:
    kind = Kind("record", lambda job: None, Delivery.EXACTLY_ONCE)
    with pytest.raises(ValueError, match="work kind 'record' is registered twice"):
        Registry([kind, kind])


def test_bad_new_work_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="key '' of record must have 1 to 255 characters"):
        NewWork("record", "", NOW)
    with pytest.raises(ValueError, match="has no UTC offset"):
        NewWork("record", "k", datetime(2026, 6, 1))


def _batched(calls: list[list[str]], fail_batches: bool = False) -> Kind:
    def one(job: Job) -> str | None:
        return batch([job])[0]

    def batch(jobs: Sequence[Job]) -> list[str | None]:
        keys = [job.work.key for job in jobs]
        calls.append(keys)
        if fail_batches and len(jobs) > 1:
            raise ConnectionError("the batch's provider round failed")
        if "bad" in keys:
            raise ValueError("bad row")
        for job in jobs:
            job.enqueue(NewWork("check", f"{job.work.key}:check", NOW + timedelta(hours=1)))
        return [f"sent {key}" for key in keys]

    return Kind("send", one, Delivery.AT_LEAST_ONCE, backoff=BACKOFF, batch_handler=batch)


def test_a_batch_kind_takes_its_rows_together_and_completes_them_with_their_follow_ups() -> None:
    # given
    queue, clock, calls, outcomes = MemoryQueue(), FixedClock(NOW), [], []
    queue.enqueue([NewWork("send", key, NOW) for key in ("m1", "m2", "m3")], NOW)
    runner = _runner(queue, clock, _batched(calls))
    runner.report = outcomes.append
    # when
    runner.run_due()
    # then
    assert calls == [["m1", "m2", "m3"]]
    assert [outcome.summary for outcome in outcomes] == ["sent m1", "sent m2", "sent m3"]
    states = {row.key: row.state for row in queue.rows.values()}
    assert states == {"m1": "done", "m2": "done", "m3": "done"} | {
        f"{key}:check": "waiting" for key in ("m1", "m2", "m3")
    }


def test_when_a_batch_raises_each_row_runs_alone_and_only_the_bad_one_fails() -> None:
    # given
    queue, clock, calls = MemoryQueue(), FixedClock(NOW), []
    queue.enqueue([NewWork("send", key, NOW) for key in ("m1", "bad", "m3")], NOW)
    runner = _runner(queue, clock, _batched(calls))
    # when
    runner.run_due()
    # then
    assert calls == [["m1", "bad", "m3"], ["m1"], ["bad"], ["m3"]]
    states = {row.key: (row.state, row.last_error_type) for row in queue.rows.values() if ":" not in row.key}
    assert states == {"m1": ("done", None), "bad": ("waiting", "ValueError"), "m3": ("done", None)}


def test_a_batch_handler_is_for_at_least_once_kinds_only() -> None:
    with pytest.raises(ValueError, match="only at-least-once kinds"):
        Kind("step", lambda job: None, Delivery.EXACTLY_ONCE, batch_handler=lambda jobs: [])
