"""The blocking loop of a worker: run what is due, then sleep until the next due time (bounded),
woken early on PostgreSQL when new work is enqueued, and stopped by an event between batches."""

from __future__ import annotations

import logging
import threading

from retentio.schedule.runner import Runner
from retentio.schedule.wake import Waker

log = logging.getLogger(__name__)

# After the database failed (gone, restarting, locked out), the next try waits this long.
ERROR_PAUSE_SECONDS = 5.0


def serve(runner: Runner, waker: Waker, stop: threading.Event) -> None:
    """Run due work until ``stop`` is set; a batch in progress finishes first."""
    while not stop.is_set():
        try:
            waker.listen()
            if runner.run_due() >= runner.batch:
                continue  # a full batch: more may be due already
            wait = runner.seconds_until_next()
        except Exception:
            # Leases keep claimed rows safe meanwhile: they are taken over when they end.
            log.exception("due work: the database failed; trying again in %s s", ERROR_PAUSE_SECONDS)
            wait = ERROR_PAUSE_SECONDS
        waker.wait(waker.longest_sleep if wait is None else min(max(wait, 0.0), waker.longest_sleep), stop)
