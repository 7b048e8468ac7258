"""Work that recurs daily at a local time: each run enqueues the next, keyed by its local date, so
a date runs once however many workers there are, and dates missed while no worker ran collapse
into one run as soon as one is back. A failing run is retried (at most an hour apart) and never
given up as dead: the next date is enqueued by the run that succeeds, so the chain never breaks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from retentio.schedule.daily import run_time, scheduled_date
from retentio.schedule.job import Job
from retentio.schedule.kinds import Backoff, Delivery, Kind
from retentio.schedule.queries import pending_of
from retentio.schedule.sql import enqueue
from retentio.schedule.work import NewWork

# Retries an hour apart for over a century: "never" for a job that runs daily.
NEVER_DEAD = 1_000_000
DAILY_BACKOFF = Backoff(first=timedelta(minutes=1), longest=timedelta(hours=1))


@dataclass(frozen=True, slots=True)
class Daily:
    at: time
    zone: ZoneInfo


def on_date(kind: str, day: date, daily: Daily) -> NewWork:
    """The run of ``kind`` for local date ``day``."""
    return NewWork(kind, day.isoformat(), run_time(day, daily.at, daily.zone), {"day": day.isoformat()})


def day_of(job: Job) -> date:
    return date.fromisoformat(job.payload["day"])


def daily_kind(
    name: str,
    daily: Daily,
    run: Callable[[Job], str | None],
    delivery: Delivery,
    lease: timedelta | None = None,
) -> Kind:
    """A kind whose every run also enqueues the run of the first local date after it."""

    def handler(job: Job) -> str | None:
        summary = run(job)
        job.enqueue(on_date(name, scheduled_date(job.now, daily.at, daily.zone) + timedelta(days=1), daily))
        return summary

    return Kind(name, handler, delivery, max_attempts=NEVER_DEAD, backoff=DAILY_BACKOFF, lease=lease)


def start_daily(connection: Connection, kind: str, daily: Daily, now: datetime) -> bool:
    """Put the latest scheduled date's run in the queue unless a run of ``kind`` is already waiting
    (or running); a date already done is not run again. Whether a run was added."""
    if connection.execute(pending_of(kind)).scalar_one():
        return False
    return enqueue(connection, [on_date(kind, scheduled_date(now, daily.at, daily.zone), daily)], now) == 1
