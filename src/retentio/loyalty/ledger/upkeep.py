"""The ledger's nightly work as due work of the schedule queue: once per local date at the
configured time, like the segments' upkeep. At least once: each chunk is its own transaction, and a
rerun after a crash finds only what is still due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from retentio.loyalty.ledger.nightly import do_nightly
from retentio.schedule import Daily, Delivery, Job, Kind, daily_kind, start_daily

NIGHTLY_JOB = "loyalty.nightly"
NIGHTLY_LEASE = timedelta(hours=1)
EXPIRING_DAYS = 7


def ledger_kinds(engine: Engine, daily: Daily, expiring_days: int = EXPIRING_DAYS) -> list[Kind]:
    def nightly(job: Job) -> str:
        result = do_nightly(engine, job.now, expiring_days)
        return (
            f"{result.activated} lots activated, {result.expired} expired, "
            f"{result.expiring_customers} told of points expiring in {expiring_days} days"
        )

    return [daily_kind(NIGHTLY_JOB, daily, nightly, Delivery.AT_LEAST_ONCE, lease=NIGHTLY_LEASE)]


def nightly_hook(expiring_days: int = EXPIRING_DAYS) -> Callable[[Engine, datetime], None]:
    """A day hook for the demo: the night's activations and expiries at the end of every simulated day."""

    def nightly(engine: Engine, now: datetime) -> None:
        do_nightly(engine, now, expiring_days)

    return nightly


def start_ledger_upkeep(engine: Engine, daily: Daily, now: datetime) -> bool:
    """Put the latest scheduled date's nightly run in the queue unless one is waiting."""
    with engine.begin() as connection:
        return start_daily(connection, NIGHTLY_JOB, daily, now)
