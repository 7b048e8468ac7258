"""The coupons' and gift cards' daily upkeep, as due work at the segment upkeep's local time: holds
past their time are released (a reservation needing the use releases them too; this catches the
rest), gift cards past their expiry are zeroed with an ``expired`` entry, and failed code checks
older than 30 days are forgotten. Each local date runs
once: its key in the queue is the date, and the work commits with the job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from retentio.loyalty.coupons.redeem import release_expired
from retentio.loyalty.coupons.validate import FAILURES_KEPT, purge_failures
from retentio.loyalty.gift_cards.service import do_expire
from retentio.schedule import Daily, Delivery, Job, Kind, daily_kind, start_daily

UPKEEP_JOB = "loyalty.coupons"


def coupon_upkeep_kinds(daily: Daily) -> list[Kind]:
    def upkeep(job: Job) -> str:
        released = release_expired(job.connection, job.now)
        expired = do_expire(job.connection, job.now)
        forgotten = purge_failures(job.connection, job.now - FAILURES_KEPT)
        return (
            f"{released} coupon holds released, {expired} gift cards expired,"
            f" {forgotten} old failed checks forgotten"
        )

    return [daily_kind(UPKEEP_JOB, daily, upkeep, Delivery.EXACTLY_ONCE)]


def start_coupon_upkeep(engine: Engine, daily: Daily, now: datetime) -> bool:
    """Put the latest scheduled date's run in the queue unless one is pending."""
    with engine.begin() as connection:
        return start_daily(connection, UPKEEP_JOB, daily, now)
