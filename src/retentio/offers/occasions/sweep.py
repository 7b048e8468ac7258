"""The occasions' daily sweep as due work (``offers.occasions``): relearn every product's repurchase
interval and store it, then announce what became due since the last days — products running out
(``replenishment_due``), subscription periods ending, birthdays and first-order anniversaries
(``offer_due``). Set-based: the purchases are read once into Polars; the events' ids make a rerun
append nothing new, and the work commits with the run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, insert

from retentio.offers.occasions.announce import Occasion, announce
from retentio.offers.occasions.intervals import learn_intervals
from retentio.offers.occasions.reads import (
    read_birthdays,
    read_catalogue,
    read_first_orders,
    read_intervals,
    read_purchases,
)
from retentio.offers.occasions.runout import (
    due_between,
    ends,
    latest_purchases,
    renewal_occasions,
    replenishment_occasions,
)
from retentio.offers.occasions.settings import OccasionSettings
from retentio.offers.occasions.tables import replenishment_intervals
from retentio.offers.occasions.yearly import anniversary_occasions, birthday_occasions, targets, yearly_due
from retentio.schedule import Daily, Delivery, Job, Kind, daily_kind, start_daily

SWEEP_JOB = "offers.occasions"


@dataclass(frozen=True, slots=True)
class SweepRun:
    intervals: int
    replenishments: int
    renewals: int
    birthdays: int
    anniversaries: int

    def summary(self) -> str:
        return (
            f"{self.intervals} product intervals; due: {self.replenishments} replenishments, "
            f"{self.renewals} renewals, {self.birthdays} birthdays, {self.anniversaries} anniversaries"
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """What is due in a window: the occasions, and the product intervals they came from."""

    intervals: int
    replenishments: list[Occasion]
    renewals: list[Occasion]
    birthdays: list[Occasion]
    anniversaries: list[Occasion]

    @property
    def occasions(self) -> list[Occasion]:
        return [*self.replenishments, *self.renewals, *self.birthdays, *self.anniversaries]


def plan_occasions(
    connection: Connection,
    settings: OccasionSettings,
    zone: ZoneInfo,
    after: datetime,
    until: datetime,
    *,
    learn: bool,
    now: datetime,
    customer_id: str | None = None,
) -> Plan:
    """The occasions whose moment is in (after, until]; with ``learn``, the intervals are relearned
    and stored first (the sweep), else the stored ones are used (a look from the command line)."""
    catalogue, periods = read_catalogue(connection, settings.subscription.period_attribute)
    if learn:
        purchases = read_purchases(connection)
        learned = learn_intervals(purchases, catalogue, settings.replenishment)
        intervals = learned.join(periods, on="sku", how="anti")
        _store_intervals(connection, intervals.to_dicts(), now)
        if customer_id is not None:
            purchases = purchases.filter(customer_id=customer_id)
    else:
        purchases = read_purchases(connection, customer_id)
        intervals = read_intervals(connection).join(periods, on="sku", how="anti")
    latest = latest_purchases(purchases)
    running_out = due_between(ends(latest, intervals, settings.replenishment.days_before), after, until)
    renewing = due_between(ends(latest, periods, settings.subscription.days_before), after, until)
    days = _local_days(after, until, zone)
    birthday, anniversary = settings.birthday.days_before, settings.anniversary.days_before
    born = read_birthdays(connection, _month_days(until, zone, days, birthday), customer_id)
    first = read_first_orders(connection, zone, customer_id)
    return Plan(
        intervals=intervals.height,
        replenishments=replenishment_occasions(running_out),
        renewals=renewal_occasions(renewing),
        birthdays=birthday_occasions(yearly_due(born, until, zone, days, birthday), birthday),
        anniversaries=anniversary_occasions(yearly_due(first, until, zone, days, anniversary), anniversary),
    )


def do_occasion_sweep(
    connection: Connection, settings: OccasionSettings, zone: ZoneInfo, now: datetime
) -> SweepRun:
    after = now - timedelta(days=settings.sweep.catch_up_days)
    plan = plan_occasions(connection, settings, zone, after, now, learn=True, now=now)
    announce(connection, plan.occasions, now)
    return SweepRun(
        plan.intervals,
        len(plan.replenishments),
        len(plan.renewals),
        len(plan.birthdays),
        len(plan.anniversaries),
    )


def _local_days(after: datetime, until: datetime, zone: ZoneInfo) -> range:
    """The local days of the window, as offsets from ``until``'s day (0 and the days before it)."""
    span = (until.astimezone(zone).date() - after.astimezone(zone).date()).days
    return range(-max(span - 1, 0), 1)


def _month_days(until: datetime, zone: ZoneInfo, days: range, days_before: int) -> list[tuple[int, int]]:
    """The (month, day) pairs any timezone can have its birthday on in the window (local dates are
    at most two days from the shop's), so the database hands over only those customers."""
    wide = range(days.start - 2, days.stop + 2)
    found = targets([None], until, zone, wide, days_before)
    return sorted({(int(m), int(d)) for m, d in found.select("month", "day").iter_rows()})


def _store_intervals(connection: Connection, rows: list[dict[str, object]], now: datetime) -> None:
    connection.execute(delete(replenishment_intervals))
    if rows:
        connection.execute(insert(replenishment_intervals), [{**row, "computed_at": now} for row in rows])


def occasion_kinds(settings: OccasionSettings, daily: Daily) -> list[Kind]:
    def run(job: Job) -> str:
        return do_occasion_sweep(job.connection, settings, daily.zone, job.now).summary()

    return [daily_kind(SWEEP_JOB, daily, run, Delivery.EXACTLY_ONCE)]


def start_occasion_sweep(engine: Engine, daily: Daily, now: datetime) -> bool:
    with engine.begin() as connection:
        return start_daily(connection, SWEEP_JOB, daily, now)
