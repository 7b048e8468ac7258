"""The daily work of earning, as due work at the upkeep's local time: tiers whose review or grace
period has come are replayed (downgrades happen only there); members whose birthday it is in the
programme's zone get the birthday reward (once a year by its source key); members whose profile was
completed (profiles change through the API, not the log) get that reward. Rewards are refused, and
the refusal recorded, for customers not to incentivise. Exactly once per local date: the work
commits with the job."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, exists, extract, select

from retentio.customers import customers
from retentio.loyalty.earning.actions import Done, do_reward_actions
from retentio.loyalty.earning.consumer import PROFILE_FIELDS
from retentio.loyalty.earning.members import load_members
from retentio.loyalty.earning.start import programme_start
from retentio.loyalty.earning.tables import loyalty_members, loyalty_refusals
from retentio.loyalty.earning.tiers import do_update_tiers, purchases_of
from retentio.loyalty.ledger.tables import loyalty_entries
from retentio.loyalty.programmes.settings import LoyaltyConfig, Programme
from retentio.schedule import Daily, Delivery, Job, Kind, daily_kind, start_daily
from retentio.segments import not_to_incentivize

EARNING_JOB = "loyalty.earning"
CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class DailyResult:
    tiers_reviewed: int
    birthdays: int
    profiles_completed: int


def do_daily_earning(connection: Connection, config: LoyaltyConfig, now: datetime) -> DailyResult:
    reviewed = birthdays = completed = 0
    for programme in config.programmes.values():
        reviewed += _review_tiers(connection, programme, now)
        birthdays += _birthdays(connection, programme, now)
        completed += _completed_profiles(connection, programme, now)
    return DailyResult(reviewed, birthdays, completed)


def _review_tiers(connection: Connection, programme: Programme, now: datetime) -> int:
    if programme.tiers is None:
        return 0
    due = [
        row.customer_id
        for row in connection.execute(
            select(loyalty_members.c.customer_id)
            .where(loyalty_members.c.programme == programme.id, loyalty_members.c.tier_due_at <= now)
            .order_by(loyalty_members.c.customer_id)
        )
    ]
    for start in range(0, len(due), CHUNK):
        part = due[start : start + CHUNK]
        members = load_members(connection, programme.id, part)
        purchases = purchases_of(connection, programme, part)
        do_update_tiers(connection, programme, [members[i] for i in part], purchases, now)
    return len(due)


def _birthdays(connection: Connection, programme: Programme, now: datetime) -> int:
    """Members born on today's local date (29 February counts on 28 February in other years)."""
    rule = programme.actions.get("birthday")
    if rule is None or rule.points == 0 or now < programme_start(connection, programme, now):
        return 0
    today = now.astimezone(programme.zone).date()
    days = [today.day]
    if today.month == 2 and today.day == 28 and not calendar.isleap(today.year):
        days.append(29)
    query = (
        select(customers.c.customer_id)
        .join(
            loyalty_members,
            (loyalty_members.c.customer_id == customers.c.customer_id)
            & (loyalty_members.c.programme == programme.id),
        )
        .where(
            extract("month", customers.c.birthday) == today.month,
            extract("day", customers.c.birthday).in_(days),
        )
        .order_by(customers.c.customer_id)
    )
    born = [row.customer_id for row in connection.execute(query)]
    for start in range(0, len(born), CHUNK):
        part = born[start : start + CHUNK]
        refused = not_to_incentivize(connection, part)
        do_reward_actions(connection, programme, [Done(i, "birthday", now) for i in part], refused, now)
    return len(born)


def _completed_profiles(connection: Connection, programme: Programme, now: datetime) -> int:
    """Members with every profile field given and no profile reward (given or refused) yet."""
    rule = programme.actions.get("profile_completion")
    if rule is None or rule.points == 0 or now < programme_start(connection, programme, now):
        return 0
    source = f"action:{programme.id}:profile_completion"
    rewarded = exists().where(
        loyalty_entries.c.programme == programme.id,
        loyalty_entries.c.customer_id == customers.c.customer_id,
        loyalty_entries.c.source == source,
    )
    refused = exists().where(
        loyalty_refusals.c.programme == programme.id,
        loyalty_refusals.c.customer_id == customers.c.customer_id,
        loyalty_refusals.c.source == source,
    )
    query = (
        select(customers.c.customer_id)
        .join(
            loyalty_members,
            and_(
                loyalty_members.c.customer_id == customers.c.customer_id,
                loyalty_members.c.programme == programme.id,
            ),
        )
        .where(*(customers.c[field].is_not(None) for field in PROFILE_FIELDS), ~rewarded, ~refused)
        .order_by(customers.c.customer_id)
    )
    complete = [row.customer_id for row in connection.execute(query)]
    for start in range(0, len(complete), CHUNK):
        part = complete[start : start + CHUNK]
        refused_ids = not_to_incentivize(connection, part)
        done = [Done(i, "profile_completion", now) for i in part]
        do_reward_actions(connection, programme, done, refused_ids, now)
    return len(complete)


def earning_kinds(daily: Daily, config: LoyaltyConfig) -> list[Kind]:
    # The job's own connection does the work, so it commits with the job.
    def run(job: Job) -> str:
        result = do_daily_earning(job.connection, config, job.now)
        return (
            f"{result.tiers_reviewed} tiers reviewed, {result.birthdays} birthdays rewarded, "
            f"{result.profiles_completed} completed profiles rewarded"
        )

    return [daily_kind(EARNING_JOB, daily, run, Delivery.EXACTLY_ONCE)]


def start_earning_upkeep(engine: Engine, daily: Daily, now: datetime) -> bool:
    """Put the latest scheduled date's run in the queue unless one is waiting."""
    with engine.begin() as connection:
        return start_daily(connection, EARNING_JOB, daily, now)
