"""The daily refresh as due work: ``offers.recs.train`` at the settings' local time (``[training]
train_at``, 04:00 by default). Training runs on its own connections and stores a new version only
when complete, so a retried or overlapping run costs time, never a half-written model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from retentio.offers.recs.config import RecsConfig
from retentio.offers.recs.refresh import TRAIN_JOB, do_train_recs
from retentio.schedule import Daily, Delivery, Job, Kind, daily_kind, start_daily


def recs_kinds(engine: Engine, daily: Daily, config: RecsConfig) -> list[Kind]:
    def run(job: Job) -> str:
        version = do_train_recs(engine, config, job.now)
        sizes = version.sizes
        return (
            f"version {version.version}: {sizes.get('items', 0)} items, "
            f"{sizes.get('customers', 0)} customers, {sizes.get('rules', 0)} rules"
        )

    return [
        daily_kind(TRAIN_JOB, _at(daily, config), run, Delivery.AT_LEAST_ONCE, lease=config.training.lease)
    ]


def start_recs_training(engine: Engine, daily: Daily, config: RecsConfig, now: datetime) -> bool:
    with engine.begin() as connection:
        return start_daily(connection, TRAIN_JOB, _at(daily, config), now)


def _at(daily: Daily, config: RecsConfig) -> Daily:
    return Daily(config.training.train_at, daily.zone)
