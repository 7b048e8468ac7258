"""A daily kind on the in-memory queue: each run enqueues the next local date's run, and dates
missed while no worker ran collapse into one run."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from retentio.clock import FixedClock
from retentio.schedule.job import Job
from retentio.schedule.kinds import Delivery, Registry
from retentio.schedule.memory import MemoryQueue
from retentio.schedule.recurring import Daily, daily_kind, day_of, on_date
from retentio.schedule.runner import Runner

MOSCOW_THREE = Daily(time(3, 0), ZoneInfo("Europe/Moscow"))
JUNE_1_RUN = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 03:00 in Moscow


def _setup(clock: FixedClock) -> tuple[MemoryQueue, Runner, list[date]]:
    queue, days = MemoryQueue(), []

    def nightly(job: Job) -> None:
        days.append(day_of(job))

    kind = daily_kind("nightly", MOSCOW_THREE, nightly, Delivery.EXACTLY_ONCE)
    queue.enqueue([on_date("nightly", date(2026, 6, 1), MOSCOW_THREE)], clock.now())
    return queue, Runner(queue, Registry([kind]), clock, draw=lambda: 0.5), days


def test_each_run_enqueues_the_next_local_date() -> None:
    # given
    clock = FixedClock(JUNE_1_RUN)
    queue, runner, days = _setup(clock)
    # when: at the run time, then a day later
    runner.run_due()
    clock.advance(timedelta(days=1))
    runner.run_due()
    # then
    assert days == [date(2026, 6, 1), date(2026, 6, 2)]
    assert [(row.key, row.state, row.due_at) for row in queue.rows.values()] == [
        ("2026-06-01", "done", JUNE_1_RUN),
        ("2026-06-02", "done", JUNE_1_RUN + timedelta(days=1)),
        ("2026-06-03", "waiting", JUNE_1_RUN + timedelta(days=2)),
    ]


def test_dates_missed_while_no_worker_ran_collapse_into_one_run() -> None:
    # given: the worker comes back on 4 June at 15:00 Moscow time
    clock = FixedClock(JUNE_1_RUN + timedelta(days=3, hours=12))
    queue, runner, days = _setup(clock)
    # when
    runner.run_all_due()
    # then: 1 June's run, then the next is 5 June's
    assert days == [date(2026, 6, 1)]
    assert [row.key for row in queue.rows.values() if row.state == "waiting"] == ["2026-06-05"]


def test_a_failing_daily_run_is_retried_and_never_dead() -> None:
    # given: a nightly job that fails twelve times, then succeeds
    clock = FixedClock(JUNE_1_RUN)
    queue, failures = MemoryQueue(), []

    def flaky(job: Job) -> None:
        if len(failures) < 12:
            failures.append(job.now)
            raise TimeoutError("database busy")

    kind = daily_kind("nightly", MOSCOW_THREE, flaky, Delivery.EXACTLY_ONCE)
    queue.enqueue([on_date("nightly", date(2026, 6, 1), MOSCOW_THREE)], clock.now())
    runner = Runner(queue, Registry([kind]), clock, draw=lambda: 1.0)
    # when
    for _ in range(13):
        clock.set(max(clock.now(), queue.rows[1].due_at))
        runner.run_due()
    # then: waits of 1, 2, 4 ... 32 minutes, then an hour; done on the 13th try; the next date waits
    waits = [round((later - earlier).total_seconds() / 60) for earlier, later in pairwise(failures)]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    assert [(row.key, row.state) for row in queue.rows.values()] == [
        ("2026-06-01", "done"),
        ("2026-06-02", "waiting"),
    ]
