"""What every command needs: settings, the clock (``--as-of``), the engine and the segment settings,
each built once and passed on; and the one place that says which consumers read the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from retentio.clock import Clock
from retentio.config import Settings, clock_from

if TYPE_CHECKING:  # the database and ingest stacks load when a command first asks for them
    from sqlalchemy import Engine

    from retentio.events import Consumer
    from retentio.ingest import IngestOptions
    from retentio.loyalty import LoyaltyConfig
    from retentio.offers import OccasionSettings
    from retentio.segments import SegmentsConfig


@dataclass
class Runtime:
    settings: Settings
    clock: Clock

    @cached_property
    def engine(self) -> Engine:
        from retentio.db.engine import make_engine

        return make_engine(self.settings.database_url)

    @property
    def reader(self) -> Engine:
        """The engine for commands that only read: on SQLite they do not wait for a running writer."""
        from retentio.db.engine import reader

        return reader(self.engine)

    @cached_property
    def segments(self) -> SegmentsConfig:
        """The segment settings (``RETENTIO_SEGMENTS_CONFIG``), read once; a wrong file ends the
        command with exit code 2 and the reason. Commands with ``--config`` call ``use_segments``."""
        from retentio.cli.segment_settings import load_segment_settings

        return load_segment_settings(self.settings.segments_config)

    @cached_property
    def loyalty(self) -> LoyaltyConfig:
        """The loyalty programmes (``RETENTIO_LOYALTY_CONFIG``, or the default programme), read
        once; a wrong file ends the command with exit code 2 and the reason."""
        import typer

        from retentio.loyalty import LoyaltyConfigError, load_loyalty_config

        try:
            return load_loyalty_config(self.settings.loyalty_config)
        except LoyaltyConfigError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None

    @cached_property
    def occasions(self) -> OccasionSettings:
        """When offers become due (``RETENTIO_OCCASIONS_CONFIG``, or the defaults), read once; a
        wrong file ends the command with exit code 2 and the reason."""
        import typer

        from retentio.offers import OccasionSettingsError, load_occasion_settings

        try:
            return load_occasion_settings(self.settings.occasions_config)
        except OccasionSettingsError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None

    def use_segments(self, config: SegmentsConfig) -> None:
        self.__dict__["segments"] = config

    def use_loyalty(self, config: LoyaltyConfig) -> None:
        self.__dict__["loyalty"] = config

    def close(self) -> None:
        """Release pooled connections when the command ends (PostgreSQL would warn otherwise)."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    def now(self) -> datetime:
        return self.clock.now()

    def consumers(self) -> tuple[Consumer, ...]:
        """Everything that follows from events, in the order it runs: the segments (built-in
        families, then custom rules), then what happened to sent messages, then the loyalty
        programmes (points earned and taken back, tiers), referrals and the membership club,
        checkouts committed or refunded by their orders, the points of merged customers, and the
        carts and views that may become offers."""
        from retentio.loyalty import (
            CheckoutConsumer,
            ClubConsumer,
            LoyaltyConsumer,
            LoyaltyMergesConsumer,
            ReferralsConsumer,
        )
        from retentio.messaging import MessagesConsumer
        from retentio.offers import OccasionsConsumer
        from retentio.segments import SegmentsConsumer

        return (
            SegmentsConsumer(self.segments, self.settings.default_currency),
            MessagesConsumer(),
            LoyaltyConsumer(self.loyalty),
            ReferralsConsumer(self.loyalty),
            ClubConsumer(self.loyalty),
            CheckoutConsumer(),
            LoyaltyMergesConsumer(),
            OccasionsConsumer(self.occasions),
        )

    def ingest_options(self, historical: bool = False) -> IngestOptions:
        from retentio.ingest import IngestOptions

        return IngestOptions(
            default_currency=self.settings.default_currency,
            future_tolerance=timedelta(seconds=self.settings.future_tolerance_seconds),
            max_batch=self.settings.max_batch_events,
            history_cutoff=self.settings.history_cutoff,
            historical=historical,
        )


_runtime: Runtime | None = None


def configure(as_of: str | None, database_url: str | None) -> Runtime:
    global _runtime
    settings = Settings()  # read afresh: one process may run several commands (tests, scripts)
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    _runtime = Runtime(settings=settings, clock=clock_from(as_of, settings))
    return _runtime


def override(as_of: str | None = None, database_url: str | None = None) -> Runtime:
    """Change the clock or the database of the runtime in force: the options given after the command
    (``retentio report --as-of D``) win over the ones before it."""
    run = runtime()
    if database_url:
        run.close()  # an engine made for the other database is not kept
        run.__dict__.pop("engine", None)
        run.settings = run.settings.model_copy(update={"database_url": database_url})
    if as_of:
        run.clock = clock_from(as_of, run.settings)
    return run


def runtime() -> Runtime:
    if _runtime is None:
        return configure(None, None)
    return _runtime
