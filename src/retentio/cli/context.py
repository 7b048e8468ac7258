"""What every command needs: settings, the clock (``--as-of``) and the engine, built once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from retentio.clock import Clock
from retentio.config import Settings, clock_from

if TYPE_CHECKING:  # the database and ingest stacks load when a command first asks for them
    from sqlalchemy import Engine

    from retentio.events.ingest import IngestOptions


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

    def close(self) -> None:
        """Release pooled connections when the command ends (PostgreSQL would warn otherwise)."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    def now(self) -> datetime:
        return self.clock.now()

    def ingest_options(self) -> IngestOptions:
        """Every ingest path (API, importers, demo) re-evaluates the segments of the customers a
        batch touches, in the batch's transaction."""
        from retentio.events.ingest import IngestOptions
        from retentio.segments.reactions import segment_reactions

        return IngestOptions(
            reactions=segment_reactions(self.settings.default_currency),
            default_currency=self.settings.default_currency,
            future_tolerance=timedelta(seconds=self.settings.future_tolerance_seconds),
            max_batch=self.settings.max_batch_events,
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
