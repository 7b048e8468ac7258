"""``retentio queue``: the operator sees rows by state and kind, counts per kind, sends dead rows
back to the queue and purges old done rows; a wrong id or state is named and changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from retentio.cli import app
from retentio.clock import FixedClock
from retentio.schedule.job import Job
from retentio.schedule.kinds import Delivery, Kind, Registry
from retentio.schedule.runner import Runner
from retentio.schedule.sql import SqlQueue, enqueue
from retentio.schedule.tables import due_work
from retentio.schedule.work import NewWork

runner = CliRunner()


def _refuse(job: Job) -> None:
    raise PermissionError(f"chat {job.payload['chat']} blocked the bot\nsecond line")


@pytest.fixture
def dead_one_waiting_one_done(engine: Engine, now: datetime) -> None:
    with engine.begin() as connection:
        enqueue(
            connection,
            [
                NewWork("telegram.send", "m1", now - timedelta(minutes=5), {"chat": 42}),
                NewWork("telegram.send", "m2", now + timedelta(hours=1), {"chat": 43}),
                NewWork("nightly", "2026-06-01", now - timedelta(hours=9)),
            ],
            now,
        )
    kinds = [
        Kind("telegram.send", _refuse, Delivery.AT_LEAST_ONCE, max_attempts=1),
        Kind("nightly", lambda job: None, Delivery.EXACTLY_ONCE),
    ]
    Runner(SqlQueue(engine), Registry(kinds), FixedClock(now)).run_all_due()


def _cli(database_url: str, now: datetime, *arguments: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["--database-url", database_url, "--as-of", now.isoformat(), "queue", *arguments]
    )
    return result.exit_code, result.output


def _states(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(select(due_work.c.key, due_work.c.state).order_by(due_work.c.id))
        ]  # type: ignore[misc]


@pytest.mark.usefixtures("dead_one_waiting_one_done")
def test_stats_count_each_kind_by_state_with_its_oldest_due_time(database_url: str, now: datetime) -> None:
    code, output = _cli(database_url, now, "stats")
    assert code == 0, output
    assert output.splitlines() == [
        "kind                           waiting   running      done      dead  oldest due",
        "nightly                              0         0         1         0  -",
        "telegram.send                        1         0         0         1  2026-06-01T13:00:00+00:00",
    ]


@pytest.mark.usefixtures("dead_one_waiting_one_done")
def test_the_dead_list_shows_the_last_error(database_url: str, now: datetime) -> None:
    code, output = _cli(database_url, now, "list", "--state", "dead")
    assert code == 0, output
    assert output.splitlines() == [
        "       1  telegram.send  m1  dead  due 2026-06-01T11:55:00+00:00  attempts 1"
        "  PermissionError: chat 42 blocked the bot"
    ]
    code, output = _cli(database_url, now, "list", "--kind", "nightly")
    assert output.splitlines() == [
        "       3  nightly  2026-06-01  done  due 2026-06-01T03:00:00+00:00  attempts 1"
    ]


@pytest.mark.usefixtures("dead_one_waiting_one_done")
def test_retry_sends_dead_rows_back_due_now(engine: Engine, database_url: str, now: datetime) -> None:
    # when
    code, output = _cli(database_url, now, "retry", "--all-dead")
    # then
    assert (code, output) == (0, "1 dead rows waiting again: 1\n")
    with engine.connect() as connection:
        row = connection.execute(select(due_work).where(due_work.c.id == 1)).one()
    assert (row.state, row.due_at, row.attempts, row.last_error_type) == (
        "waiting",
        now,
        0,
        "PermissionError",
    )


@pytest.mark.usefixtures("dead_one_waiting_one_done")
def test_retry_of_a_row_that_is_not_dead_changes_nothing(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # given
    before = _states(engine)
    # when
    missing = _cli(database_url, now, "retry", "1", "99")
    waiting = _cli(database_url, now, "retry", "1", "2")
    neither = _cli(database_url, now, "retry")
    # then
    assert missing == (1, "error: no due work with id 99\n")
    assert waiting == (1, "error: due work 2 is waiting, not dead\n")
    assert neither == (1, "error: give the ids of dead rows, or --all-dead\n")
    assert _states(engine) == before == [("m1", "dead"), ("m2", "waiting"), ("2026-06-01", "done")]


@pytest.mark.usefixtures("dead_one_waiting_one_done")
def test_a_state_that_does_not_exist_is_named(database_url: str, now: datetime) -> None:
    code, output = _cli(database_url, now, "list", "--state", "failed")
    assert code == 2
    assert "'failed' is not one of waiting, running, done, dead" in " ".join(output.replace("│", " ").split())


@pytest.mark.usefixtures("dead_one_waiting_one_done")
def test_purge_deletes_only_done_rows_older_than_the_cut_off(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # when
    too_recent = _cli(database_url, now, "purge", "--older-than-days", "1")
    old_enough = _cli(database_url, now + timedelta(days=1, seconds=1), "purge", "--older-than-days", "1")
    # then
    assert (too_recent, old_enough) == ((0, "0 done rows deleted\n"), (0, "1 done rows deleted\n"))
    assert _states(engine) == [("m1", "dead"), ("m2", "waiting")]


def test_an_empty_queue_says_so(database_url: str, now: datetime) -> None:
    code, output = _cli(database_url, now, "stats")
    assert (code, output.splitlines()[1:]) == (0, ["the queue is empty"])
    assert _cli(database_url, now, "list", "--state", "dead") == (0, "no due work in state dead\n")
