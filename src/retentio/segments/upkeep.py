"""The daily segment upkeep as due work: at the configured local time the standing refresh
(time-driven moves first, then the RFM quintiles of the base), and after it every custom segment's
refresh for the same date. Each local date runs once: its key in the queue is the date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from retentio.schedule import Daily, Delivery, Job, Kind, NewWork, daily_kind, day_of, start_daily
from retentio.segments.config import SegmentsConfig
from retentio.segments.custom.service import refresh_segments
from retentio.segments.refresh import do_refresh_standing

STANDING_JOB = "segments.standing"
CUSTOM_JOB = "segments.custom"
# A refresh of a large base takes minutes; no other worker should take it over meanwhile.
UPKEEP_LEASE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Schedule:
    at: time
    zone: ZoneInfo
    currency: str
    segments: SegmentsConfig

    @property
    def daily(self) -> Daily:
        return Daily(self.at, self.zone)


def upkeep_kinds(engine: Engine, schedule: Schedule) -> list[Kind]:
    """Standing: exactly once per date (the refresh writes in the completing transaction, with the
    custom refresh it enqueues). Custom: at least once (one transaction per segment, so a crash
    in between refreshes again, which recomputes the same membership)."""

    def standing(job: Job) -> str:
        result = do_refresh_standing(job.connection, job.now, schedule.segments)
        day = day_of(job).isoformat()
        job.enqueue(NewWork(CUSTOM_JOB, day, job.now, {"day": day}))
        return f"{result.changed} customers changed, {result.new} new"

    def custom(job: Job) -> str:
        results = refresh_segments(engine, None, job.now, schedule.currency)
        moved = sum(result.entered + result.exited for result in results)
        return f"{len(results)} custom segments refreshed, {moved} moves"

    return [
        daily_kind(STANDING_JOB, schedule.daily, standing, Delivery.EXACTLY_ONCE, lease=UPKEEP_LEASE),
        Kind(CUSTOM_JOB, custom, Delivery.AT_LEAST_ONCE, lease=UPKEEP_LEASE),
    ]


def start_upkeep(engine: Engine, schedule: Schedule, now: datetime) -> bool:
    """Put the standing refresh of the latest scheduled date in the queue unless one is pending."""
    with engine.begin() as connection:
        return start_daily(connection, STANDING_JOB, schedule.daily, now)
