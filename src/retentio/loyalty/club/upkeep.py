"""The club's daily run as due work: a ``club_renewal_due`` reminder for each membership ending within
``reminder_days`` (once per end date: a renewal moves the date and earns a new one), and
``club_lapsed`` for each whose grace period is over. Exactly once: it commits with the run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, or_, select, update

from retentio.loyalty.club.announce import CLUB_LAPSED, CLUB_RENEWAL_DUE, announce
from retentio.loyalty.club.tables import club_memberships
from retentio.loyalty.programmes.settings import LoyaltyConfig
from retentio.schedule import Daily, Delivery, Job, Kind, daily_kind, start_daily

CLUB_JOB = "loyalty.club"


@dataclass(frozen=True, slots=True)
class ClubRun:
    reminded: int
    lapsed: int


def do_club_upkeep(connection: Connection, config: LoyaltyConfig, now: datetime) -> ClubRun:
    reminded = lapsed = 0
    m = club_memberships.c
    for programme in config.programmes.values():
        if programme.membership is None:
            continue
        soon = now + timedelta(days=programme.membership.reminder_days)
        ending = connection.execute(
            select(m.customer_id, m.ends_at)
            .where(
                m.programme == programme.id,
                m.status == "active",
                m.ends_at <= soon,
                m.ends_at > now,
                or_(m.reminded_for.is_(None), m.reminded_for != m.ends_at),
            )
            .order_by(m.customer_id)
        ).all()
        for customer_id, ends_at in ending:
            properties = {"programme": programme.id, "ends_at": ends_at.isoformat()}
            key = f"{programme.id}:{customer_id}:{ends_at.isoformat()}"
            announce(connection, CLUB_RENEWAL_DUE, key, customer_id, properties, now)
            connection.execute(
                update(club_memberships)
                .where(m.programme == programme.id, m.customer_id == customer_id)
                .values(reminded_for=ends_at, updated_at=now)
            )
        over = connection.execute(
            select(m.customer_id, m.ends_at)
            .where(m.programme == programme.id, m.status == "active", m.lapses_at <= now)
            .order_by(m.customer_id)
        ).all()
        for customer_id, ends_at in over:
            properties = {"programme": programme.id, "reason": "term_ended", "ends_at": ends_at.isoformat()}
            key = f"{programme.id}:{customer_id}:{ends_at.isoformat()}"
            announce(connection, CLUB_LAPSED, key, customer_id, properties, now)
            connection.execute(
                update(club_memberships)
                .where(m.programme == programme.id, m.customer_id == customer_id)
                .values(status="lapsed", updated_at=now)
            )
        reminded += len(ending)
        lapsed += len(over)
    return ClubRun(reminded, lapsed)


def club_kinds(config: LoyaltyConfig, daily: Daily) -> list[Kind]:
    def run(job: Job) -> str:
        result = do_club_upkeep(job.connection, config, job.now)
        return f"{result.reminded} club renewals due, {result.lapsed} memberships lapsed"

    return [daily_kind(CLUB_JOB, daily, run, Delivery.EXACTLY_ONCE)]


def start_club_upkeep(engine: Engine, daily: Daily, now: datetime) -> bool:
    with engine.begin() as connection:
        return start_daily(connection, CLUB_JOB, daily, now)
