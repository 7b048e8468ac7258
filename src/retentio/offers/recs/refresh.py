"""A refresh: read what the recommenders learn from, train them all, store the result as a new
version and make it current (``versions``), on demand (``retentio recs train``) or as the worker's
daily ``offers.recs.train``."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Engine

from retentio.offers.recs.config import RecsConfig
from retentio.offers.recs.serving import KIND
from retentio.offers.recs.stopwatch import Stopwatch
from retentio.offers.recs.store_input import read_catalogue, read_lines, read_views
from retentio.offers.recs.training import train
from retentio.offers.recs.versions import ModelVersion, do_save_version

TRAIN_JOB = "offers.recs.train"


def do_train_recs(
    engine: Engine, config: RecsConfig, now: datetime, seconds: dict[str, float] | None = None
) -> ModelVersion:
    """Train and store a new current version; ``seconds`` (when given) gets each step's time."""
    settings = config.training.settings()
    clock = Stopwatch(seconds)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # the three reads see one moment
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            lines, views, catalogue = (
                read_lines(connection),
                read_views(connection),
                read_catalogue(connection),
            )
    clock.lap("read_store")
    trained = train(lines, views, catalogue, settings, seconds)
    clock.lap("")
    digest = hashlib.sha256(settings.digest_text().encode()).hexdigest()[:16]
    version = do_save_version(
        engine, KIND, trained.to_arrays(), now, digest, trained.sizes(), keep=config.training.keep_versions
    )
    clock.lap("store_version")
    return version
