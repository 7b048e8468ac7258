"""The daily segment upkeep: the standing refresh (time-driven moves first, then the RFM quintiles of
the base) and every custom segment's refresh, each run once per local date at the configured time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from retentio.db.engine import reader
from retentio.schedule.daily import due_date, next_run_at
from retentio.schedule.runs import claim_run, last_run
from retentio.segments.config import SegmentsConfig
from retentio.segments.custom.service import refresh_segments
from retentio.segments.refresh import do_refresh_standing

STANDING_JOB = "segments.standing"
CUSTOM_JOB = "segments.custom"


@dataclass(frozen=True, slots=True)
class Schedule:
    at: time
    zone: ZoneInfo
    currency: str
    segments: SegmentsConfig


@dataclass(frozen=True, slots=True)
class JobRun:
    job: str
    day: date
    summary: str


def run_due_jobs(engine: Engine, now: datetime, schedule: Schedule) -> list[JobRun]:
    """Run each job whose local date has not run yet; nothing when all have."""
    return [run for run in (_standing(engine, now, schedule), _custom(engine, now, schedule)) if run]


def seconds_until_next(now: datetime, schedule: Schedule) -> float:
    return (next_run_at(now, schedule.at, schedule.zone) - now).total_seconds()


def _standing(engine: Engine, now: datetime, schedule: Schedule) -> JobRun | None:
    day = _due(engine, STANDING_JOB, now, schedule)
    if day is None:
        return None
    with engine.begin() as connection:  # the claim commits with the refresh, or not at all
        if not claim_run(connection, STANDING_JOB, day, now):
            return None
        result = do_refresh_standing(connection, now, schedule.segments)
    return JobRun(STANDING_JOB, day, f"{result.changed} customers changed, {result.new} new")


def _custom(engine: Engine, now: datetime, schedule: Schedule) -> JobRun | None:
    day = _due(engine, CUSTOM_JOB, now, schedule)
    if day is None:
        return None
    # One transaction per segment (in dependency order), so the claim follows them: a crash in
    # between refreshes again on restart, which recomputes the same membership.
    results = refresh_segments(engine, None, now, schedule.currency)
    with engine.begin() as connection:
        if not claim_run(connection, CUSTOM_JOB, day, now):
            return None
    moved = sum(result.entered + result.exited for result in results)
    return JobRun(CUSTOM_JOB, day, f"{len(results)} custom segments refreshed, {moved} moves")


def _due(engine: Engine, job: str, now: datetime, schedule: Schedule) -> date | None:
    with reader(engine).connect() as connection:
        return due_date(now, schedule.at, schedule.zone, last_run(connection, job))
