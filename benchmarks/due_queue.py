"""The due-work queue: claims and completions per second, and how late work runs.

Throughput: ``--rows`` rows of a no-op exactly-once kind, all due, drained by 4 worker processes on
PostgreSQL and by one in-process worker on SQLite (claims of ``--batch`` rows, completed together).
The floor, in the same run and on the same table: the same number of rows leased and marked done
by a bare loop of the two UPDATE statements (claim ... RETURNING id, then done), same batch, same
processes, no runner around them.

Lateness (PostgreSQL): 4 workers serve the queue (woken by LISTEN/NOTIFY, else sleeping until the
next due time) while a producer enqueues 1,000 rows a second, each due at a moment of the next
tick, for ``--lateness-seconds``; lateness is each row's ``finished_at - due_at``.

    python benchmarks/due_queue.py [--postgres-url URL] [--rows 100000] [--batch 500]

Without ``--postgres-url`` only the SQLite figures are printed. A database of its own is created on
the server and dropped afterwards. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from retentio.clock import SystemClock
from retentio.db.engine import make_engine

try:
    from benchmarks._throwaway_database import throwaway_database
except ImportError:  # run as a script from the benchmarks folder
    from _throwaway_database import throwaway_database  # type: ignore[no-redef]
from retentio.db.migrate import upgrade
from retentio.schedule.job import Job
from retentio.schedule.kinds import Delivery, Kind, Registry
from retentio.schedule.runner import Runner
from retentio.schedule.serve import serve
from retentio.schedule.sql import SqlQueue, enqueue
from retentio.schedule.wake import waker_for
from retentio.schedule.work import NewWork

KIND = "bench.noop"
FLOOR_KIND = "bench.floor"
WORKERS = 4
ENQUEUE_CHUNK = 10_000
TICK_SECONDS = 0.02
RATE_PER_SECOND = 1_000
FLOOR_CLAIM = {
    "postgresql": (
        "UPDATE due_work SET state = 'running', leased_until = %(until)s, lease_owner = %(owner)s,"
        " attempts = attempts + 1 WHERE id = ANY(ARRAY(SELECT id FROM due_work WHERE state = 'waiting'"
        " AND due_at <= %(now)s ORDER BY due_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED)) RETURNING id"
    ),
    "sqlite": (
        "UPDATE due_work SET state = 'running', leased_until = :until, lease_owner = :owner,"
        " attempts = attempts + 1 WHERE id IN (SELECT id FROM due_work WHERE state = 'waiting'"
        " AND due_at <= :now ORDER BY due_at LIMIT :limit) RETURNING id"
    ),
}
FLOOR_DONE = {
    "postgresql": "UPDATE due_work SET state = 'done', finished_at = %(now)s WHERE id = ANY(%(ids)s)",
    "sqlite": (
        "UPDATE due_work SET state = 'done', finished_at = :now"
        " WHERE id IN (SELECT value FROM json_each(:ids))"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-url", default=None, help="a server where a database may be created")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--lateness-seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(f"date {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"load_average_1m {os.getloadavg()[0]:.2f}")
    print(f"rows {args.rows}")
    print(f"batch {args.batch}")
    with tempfile.TemporaryDirectory() as folder:
        _throughput("sqlite", f"sqlite:///{Path(folder) / 'queue.db'}", 1, args)
    if args.postgres_url:
        with throwaway_database(args.postgres_url, "due") as url:
            _throughput("postgresql", url, WORKERS, args)
        with throwaway_database(args.postgres_url, "due") as url:
            _lateness(url, args.lateness_seconds, args.batch)


def _throughput(dialect: str, url: str, workers: int, args: argparse.Namespace) -> None:
    engine = _fresh(url)
    seconds = _enqueue(engine, KIND, args.rows)
    print(f"{dialect}_enqueue_rows_per_second {args.rows / seconds:.0f}")
    queue_seconds = _drain(url, workers, args.batch, _drain_with_runner)
    _assert_all_done(engine, KIND, args.rows)
    _enqueue(engine, FLOOR_KIND, args.rows)
    floor_seconds = _drain(url, workers, args.batch, _drain_with_bare_updates)
    _assert_all_done(engine, FLOOR_KIND, args.rows)
    engine.dispose()
    print(f"{dialect}_workers {workers}")
    print(f"{dialect}_claims_completions_per_second {args.rows / queue_seconds:.0f}")
    print(f"{dialect}_floor_update_returning_per_second {args.rows / floor_seconds:.0f}")
    print(f"{dialect}_ratio_to_floor {floor_seconds / queue_seconds:.3f}")


def _drain(url: str, workers: int, batch: int, target: Callable[..., None]) -> float:
    """Start ``workers`` processes (in-process for one), let them connect, then time the drain."""
    if workers == 1:
        ready, start = threading.Event(), threading.Event()
        thread = threading.Thread(target=target, args=(url, batch, ready, start))
        thread.start()
        ready.wait()
        started = time.perf_counter()
        start.set()
        thread.join()
        return time.perf_counter() - started
    context = multiprocessing.get_context("spawn")
    readies = [context.Event() for _ in range(workers)]
    start = context.Event()
    processes = [context.Process(target=target, args=(url, batch, ready, start)) for ready in readies]
    for process in processes:
        process.start()
    for ready in readies:
        ready.wait()
    started = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return time.perf_counter() - started


def _noop(job: Job) -> None:
    return None


def _drain_with_runner(url: str, batch: int, ready: Any, start: Any) -> None:
    engine = make_engine(url)
    runner = Runner(
        SqlQueue(engine), Registry([Kind(KIND, _noop, Delivery.EXACTLY_ONCE)]), SystemClock(), batch=batch
    )
    runner.seconds_until_next()  # connected before the clock starts
    ready.set()
    start.wait()
    while runner.run_due():
        pass
    engine.dispose()


def _drain_with_bare_updates(url: str, batch: int, ready: Any, start: Any) -> None:
    engine = make_engine(url)
    dialect = engine.dialect.name
    owner = f"floor-{os.getpid()}"
    raw = engine.raw_connection()
    driver: Any = raw.driver_connection
    if dialect == "postgresql":
        driver.autocommit = True
    ready.set()
    start.wait()
    while True:
        now = datetime.now(UTC)
        stamp: Any = now if dialect == "postgresql" else now.isoformat(sep=" ")[:26]
        if dialect == "sqlite":
            driver.execute("BEGIN IMMEDIATE")
        claimed = [row[0] for row in driver.execute(FLOOR_CLAIM[dialect], _floor_claim(stamp, owner, batch))]
        if dialect == "sqlite":
            driver.execute("COMMIT")
        if not claimed:
            break
        ids: Any = claimed if dialect == "postgresql" else str(claimed)
        if dialect == "sqlite":
            driver.execute("BEGIN IMMEDIATE")
        driver.execute(FLOOR_DONE[dialect], {"now": stamp, "ids": ids})
        if dialect == "sqlite":
            driver.execute("COMMIT")
    raw.close()
    engine.dispose()


def _floor_claim(now: Any, owner: str, batch: int) -> dict[str, Any]:
    return {"now": now, "until": now, "owner": owner, "limit": batch}


def _lateness(url: str, seconds: float, batch: int) -> None:
    engine = _fresh(url)
    context = multiprocessing.get_context("spawn")
    ready = [context.Event() for _ in range(WORKERS)]
    workers = [context.Process(target=_serve, args=(url, batch, event)) for event in ready]
    for process in workers:
        process.start()
    for event in ready:
        event.wait()
    produced = _produce(engine, seconds)
    _wait_for_done(engine, produced, timeout=seconds + 30)
    for process in workers:
        process.terminate()  # SIGTERM: each finishes its batch and leaves
        process.join()
    with engine.connect() as connection:
        p50, p99, worst, done = connection.execute(
            text(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lateness),"
                " percentile_cont(0.99) WITHIN GROUP (ORDER BY lateness), max(lateness), count(*)"
                " FROM (SELECT extract(epoch FROM finished_at - due_at) AS lateness FROM due_work"
                " WHERE state = 'done') AS done"
            )
        ).one()
    engine.dispose()
    print(f"postgresql_lateness_rows_per_second {RATE_PER_SECOND}")
    print(f"postgresql_lateness_seconds_of_load {seconds:.0f}")
    print(f"postgresql_lateness_rows {done} of {produced}")
    print(f"postgresql_lateness_p50_seconds {p50:.3f}")
    print(f"postgresql_lateness_p99_seconds {p99:.3f}")
    print(f"postgresql_lateness_max_seconds {worst:.3f}")


def _serve(url: str, batch: int, ready: Any) -> None:
    engine = make_engine(url)
    registry = Registry([Kind(KIND, _noop, Delivery.EXACTLY_ONCE)])
    runner = Runner(SqlQueue(engine), registry, SystemClock(), batch=batch)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _number, _frame: stop.set())
    waker = waker_for(engine)
    waker.listen()
    ready.set()
    serve(runner, waker, stop)
    waker.close()
    engine.dispose()


def _produce(engine: Engine, seconds: float) -> int:
    """Every tick, the rows falling due during the next tick, each at its own moment."""
    per_tick = round(RATE_PER_SECOND * TICK_SECONDS)
    started = time.perf_counter()
    ticks = 0
    while ticks * TICK_SECONDS < seconds:
        now = datetime.now(UTC)
        step = timedelta(seconds=TICK_SECONDS / per_tick)
        items = [NewWork(KIND, f"{ticks}-{n}", now + step * n) for n in range(per_tick)]
        with engine.begin() as connection:
            enqueue(connection, items, now)
        ticks += 1
        time.sleep(max(0.0, started + ticks * TICK_SECONDS - time.perf_counter()))
    return ticks * per_tick


def _wait_for_done(engine: Engine, rows: int, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with engine.connect() as connection:
            done = connection.execute(text("SELECT count(*) FROM due_work WHERE state = 'done'")).scalar_one()
        if done >= rows:
            return
        time.sleep(0.2)


def _enqueue(engine: Engine, kind: str, rows: int) -> float:
    now = datetime.now(UTC) - timedelta(seconds=1)
    started = time.perf_counter()
    for first in range(0, rows, ENQUEUE_CHUNK):
        items = [NewWork(kind, str(n), now) for n in range(first, min(first + ENQUEUE_CHUNK, rows))]
        with engine.begin() as connection:
            enqueue(connection, items, now)
    elapsed = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE due_work"))
    return elapsed


def _assert_all_done(engine: Engine, kind: str, rows: int) -> None:
    with engine.connect() as connection:
        done = connection.execute(
            text("SELECT count(*) FROM due_work WHERE kind = :kind AND state = 'done'"), {"kind": kind}
        ).scalar_one()
    assert done == rows, (kind, done, rows)


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


if __name__ == "__main__":
    main()
