"""A worker process for the crash test: runs ``crash.record`` rows, each of which writes its run into
``crash_runs`` in the transaction that completes it, until SIGTERM.

    python crash_worker.py DATABASE_URL LEASE_SECONDS
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from datetime import timedelta

from sqlalchemy import text

from retentio.clock import SystemClock
from retentio.db.engine import make_engine
from retentio.schedule.job import Job
from retentio.schedule.kinds import Delivery, Kind, Registry
from retentio.schedule.runner import Runner
from retentio.schedule.serve import serve
from retentio.schedule.sql import SqlQueue
from retentio.schedule.wake import waker_for

KIND = "crash.record"
BATCH = 20
WORK_SECONDS = 0.001  # each run takes a little while, so kills land inside transactions


def record(job: Job) -> None:
    job.connection.execute(
        text("INSERT INTO crash_runs (work_id, worker) VALUES (:id, :worker)"),
        {"id": job.work.id, "worker": job.work.lease_owner},
    )
    time.sleep(WORK_SECONDS)


def main() -> None:
    url, lease_seconds = sys.argv[1], float(sys.argv[2])
    engine = make_engine(url)
    registry = Registry([Kind(KIND, record, Delivery.EXACTLY_ONCE, max_attempts=1_000)])
    runner = Runner(
        SqlQueue(engine), registry, SystemClock(), batch=BATCH, lease=timedelta(seconds=lease_seconds)
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _number, _frame: stop.set())
    waker = waker_for(engine)
    try:
        serve(runner, waker, stop)
    finally:
        waker.close()
        engine.dispose()


if __name__ == "__main__":
    main()
