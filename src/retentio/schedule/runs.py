"""Claiming a day's run of a job: the claim is a conditional update, so two workers (or a restart
mid-day) run a job once per local date; in the job's own transaction, a crash un-claims it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, select, update

from retentio.db.batches import insert_ignoring_duplicates
from retentio.schedule.tables import scheduled_runs


def last_run(connection: Connection, job: str) -> date | None:
    query = select(scheduled_runs.c.last_date).where(scheduled_runs.c.job == job)
    found: date | None = connection.execute(query).scalar_one_or_none()
    return found


def claim_run(connection: Connection, job: str, day: date, now: datetime) -> bool:
    """Mark ``day`` as run for ``job``; ``False`` when it already was (by another worker too)."""
    connection.execute(
        insert_ignoring_duplicates(connection, scheduled_runs).values(
            job=job, last_date=date.min, last_run_at=now
        )
    )
    claimed = connection.execute(
        update(scheduled_runs)
        .where(scheduled_runs.c.job == job, scheduled_runs.c.last_date < day)
        .values(last_date=day, last_run_at=now)
    )
    return claimed.rowcount == 1
