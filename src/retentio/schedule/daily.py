"""When a daily job is due: pure functions of "now" (from the injected clock), the local run time and
the last local date the job ran. A job missed while the worker was down runs as soon as it is back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def scheduled_date(now: datetime, at: time, zone: ZoneInfo) -> date:
    """The latest local date whose run time is not after ``now``."""
    today = now.astimezone(zone).date()
    if run_time(today, at, zone) <= now:
        return today
    return today - timedelta(days=1)


def due_date(now: datetime, at: time, zone: ZoneInfo, last_run: date | None) -> date | None:
    """The local date to run for now, or ``None`` when that date has already run."""
    scheduled = scheduled_date(now, at, zone)
    if last_run is not None and last_run >= scheduled:
        return None
    return scheduled


def next_run_at(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first run time after ``now``."""
    return run_time(scheduled_date(now, at, zone) + timedelta(days=1), at, zone)


def run_time(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``; a time skipped by a DST change falls after the jump."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
