"""Worker processes SIGKILLed at random moments while they run a few thousand exactly-once rows:
afterwards every row ran exactly once (its run is written in the transaction that completes it),
and none is lost. PostgreSQL runs four workers side by side, SQLite one at a time."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from retentio.clock import SystemClock
from retentio.db.engine import reader
from retentio.schedule.sql import enqueue
from retentio.schedule.tables import due_work
from retentio.schedule.work import NewWork

ROWS = 2_000
WORKER = Path(__file__).with_name("crash_worker.py")
LEASE_SECONDS = 1.0
GIVE_UP_SECONDS = 120


def _start(database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(WORKER), database_url, str(LEASE_SECONDS)])


def _working(engine: Engine, process: subprocess.Popen[bytes]) -> bool:
    """Whether the worker has completed a run: killed then, it dies in its work, not its start."""
    query = text("SELECT count(*) FROM crash_runs WHERE worker LIKE :owner")
    with reader(engine).connect() as connection:
        return bool(connection.execute(query, {"owner": f"%:{process.pid}:%"}).scalar_one())


def _done(engine: Engine) -> int:
    query = select(func.count()).select_from(due_work).where(due_work.c.state == "done")
    with reader(engine).connect() as connection:
        return int(connection.execute(query).scalar_one())


def _run_and_kill(engine: Engine, database_url: str, workers: int, kills: int) -> None:
    """Run ``workers`` processes and SIGKILL a working one at random moments ``kills`` times,
    starting a new one each time; then let them finish."""
    chance = random.Random(9)
    running = [_start(database_url) for _ in range(workers)]
    deadline = time.monotonic() + GIVE_UP_SECONDS
    try:
        while kills and time.monotonic() < deadline:
            time.sleep(chance.uniform(0.02, 0.2))
            index = chance.randrange(len(running))
            if not _working(engine, running[index]):
                continue
            running[index].send_signal(signal.SIGKILL)
            running[index].wait()
            running[index] = _start(database_url)
            kills -= 1
        while _done(engine) < ROWS and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        # A worker started after the last row ran may get SIGTERM before it set its handler: it
        # then dies of the signal having done nothing, which is no failure of the stop.
        started = [_working(engine, process) for process in running]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process, working in zip(running, started, strict=True):
            assert process.wait(timeout=30) in ((0,) if working else (0, -signal.SIGTERM))


def _check_each_ran_once(engine: Engine, database_url: str, workers: int, kills: int) -> None:
    # given
    now = SystemClock().now()
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS crash_runs"))
        connection.execute(text("CREATE TABLE crash_runs (work_id BIGINT NOT NULL, worker VARCHAR(128))"))
        items = [
            NewWork("crash.record", f"r{n}", now + timedelta(milliseconds=n % 500), {"n": n})
            for n in range(ROWS)
        ]
        enqueue(connection, items, now)
    try:
        # when
        _run_and_kill(engine, database_url, workers, kills)
        # then
        with engine.connect() as connection:
            runs, distinct = connection.execute(
                text("SELECT count(*), count(DISTINCT work_id) FROM crash_runs")
            ).one()
            states = dict(
                connection.execute(select(due_work.c.state, func.count()).group_by(due_work.c.state)).all()
            )
            taken_over = connection.execute(
                select(func.count()).select_from(due_work).where(due_work.c.last_error_type == "LeaseExpired")
            ).scalar_one()
        assert states == {"done": ROWS}
        assert (runs, distinct) == (ROWS, ROWS)
        assert taken_over > 0  # the kills did interrupt work, which other workers then took over
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE crash_runs"))


@pytest.mark.slow
def test_sigkilled_postgresql_workers_lose_nothing_and_run_nothing_twice(
    engine: Engine, database_url: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("four workers side by side need PostgreSQL")
    _check_each_ran_once(engine, database_url, workers=4, kills=6)


@pytest.mark.slow
def test_a_sigkilled_sqlite_worker_loses_nothing_and_runs_nothing_twice(
    engine: Engine, database_url: str
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("one in-process worker is the SQLite arrangement")
    _check_each_ran_once(engine, database_url, workers=1, kills=3)
