"""Settings from the environment (``RETENTIO_*``), with defaults that run the embedded demo."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from retentio.clock import Clock, FixedClock, SystemClock, parse_instant


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RETENTIO_", extra="ignore")

    database_url: str = "sqlite:///retentio.db"
    now: str | None = None
    datasets: str = "../shared/datasets"
    max_batch_events: int = 10_000
    future_tolerance_seconds: int = 24 * 3600
    default_currency: str = "RUB"


def clock_from(as_of: str | None, settings: Settings) -> Clock:
    """``--as-of`` wins over ``RETENTIO_NOW``; without either, the wall clock."""
    fixed = as_of or settings.now
    if fixed:
        return FixedClock(parse_instant(fixed))
    return SystemClock()
