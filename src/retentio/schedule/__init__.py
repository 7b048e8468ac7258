"""Due work: one queue of things that must happen at a time (journey steps, message sends, cascade
fallbacks, expiries, nightly jobs), claimed by workers with leases, retried with backoff, and kept
as dead letters when they keep failing.

This package is the area's facade: other areas import these names from ``retentio.schedule``, never
its modules (``lint-imports`` checks it); each loads its module on first use (``retentio.facade``).
Areas add work with ``enqueue`` (or ``start_daily`` for work that recurs daily) in their own
transaction and declare ``Kind``s; the worker (``retentio worker``) fills a ``Registry`` and runs a
``Runner`` through ``serve_due_work``; an operator's reads and repairs (``retentio queue``) are
``list_work``, ``count_work``, ``do_retry_dead`` and ``do_purge_done``. Inside the area,
``memory.MemoryQueue`` stands in for the database in unit tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.schedule.admin import NotRetryable, count_work, do_purge_done, do_retry_dead, list_work
    from retentio.schedule.job import Job
    from retentio.schedule.kinds import Backoff, Delivery, Kind, Registry
    from retentio.schedule.recurring import Daily, daily_kind, day_of, start_daily
    from retentio.schedule.runner import Outcome, Runner
    from retentio.schedule.serve import serve as serve_due_work
    from retentio.schedule.sql import SqlQueue, enqueue
    from retentio.schedule.wake import waker_for
    from retentio.schedule.work import STATES, DueWork, NewWork, State

__all__ = [
    "STATES",
    "Backoff",
    "Daily",
    "Delivery",
    "DueWork",
    "Job",
    "Kind",
    "NewWork",
    "NotRetryable",
    "Outcome",
    "Registry",
    "Runner",
    "SqlQueue",
    "State",
    "count_work",
    "daily_kind",
    "day_of",
    "do_purge_done",
    "do_retry_dead",
    "enqueue",
    "list_work",
    "serve_due_work",
    "start_daily",
    "waker_for",
]

_EXPORTS = {
    "retentio.schedule.admin": ["NotRetryable", "count_work", "do_purge_done", "do_retry_dead", "list_work"],
    "retentio.schedule.job": ["Job"],
    "retentio.schedule.kinds": ["Backoff", "Delivery", "Kind", "Registry"],
    "retentio.schedule.recurring": ["Daily", "daily_kind", "day_of", "start_daily"],
    "retentio.schedule.runner": ["Outcome", "Runner"],
    # Renamed: the package attribute ``serve`` is the ``serve`` module once it is imported.
    "retentio.schedule.serve": ["serve as serve_due_work"],
    "retentio.schedule.sql": ["SqlQueue", "enqueue"],
    "retentio.schedule.wake": ["waker_for"],
    "retentio.schedule.work": ["STATES", "DueWork", "NewWork", "State"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
