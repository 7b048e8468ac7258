"""The referrals' daily run as due work: reward the referrals whose return window has closed.
Exactly once: the rewards commit with the run's completion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from retentio.loyalty.programmes.settings import LoyaltyConfig
from retentio.loyalty.referrals.reward import do_reward_referrals
from retentio.schedule import Daily, Delivery, Job, Kind, daily_kind, start_daily

REFERRALS_JOB = "loyalty.referrals"


def referral_kinds(config: LoyaltyConfig, daily: Daily) -> list[Kind]:
    def run(job: Job) -> str:
        result = do_reward_referrals(job.connection, config, job.now)
        return f"{result.rewarded} referrals rewarded, {result.refused} refused at the window's close"

    return [daily_kind(REFERRALS_JOB, daily, run, Delivery.EXACTLY_ONCE)]


def start_referral_upkeep(engine: Engine, daily: Daily, now: datetime) -> bool:
    with engine.begin() as connection:
        return start_daily(connection, REFERRALS_JOB, daily, now)
