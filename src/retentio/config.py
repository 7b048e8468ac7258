"""Settings from the environment (``RETENTIO_*``), with defaults that run the embedded demo."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, field_validator
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
    # Events that happened more than this many hours before they arrive are history: they update
    # profiles and segments but trigger nothing that acts on the outside (0: no cut-off).
    history_cutoff_hours: int = 72
    # The segment thresholds file (TOML, docs/segments.md); the defaults without one.
    segments_config: Path | None = None
    # `retentio worker` runs the daily segment upkeep at this local time (HH:MM) in this IANA zone.
    sweep_at: time = time(3, 0)
    timezone: str = "UTC"
    # Where customers' mail clients and browsers reach the API: open pixels, click and unsubscribe
    # links in messages point here.
    public_url: str = "http://127.0.0.1:8000"
    # Signs those links; without it one is made on first use and kept in the database, which every
    # process using that database then shares.
    secret_key: SecretStr | None = None
    # The channels' providers and messaging's rules (TOML, docs/messaging.md).
    messaging_config: Path | None = None
    # The loyalty programmes (TOML or YAML, docs/loyalty-programmes.md); without one, the default
    # programme shipped in retentio/loyalty/programmes/loyalty.toml.
    loyalty_config: Path | None = None
    # When offers become due (TOML, docs/offer-occasions.md); without one, the defaults shipped in
    # retentio/offers/occasions/occasions.toml.
    occasions_config: Path | None = None
    # The offer policy (TOML, docs/offer-policy.md); without one, the default shipped in
    # retentio/offers/policy/policy.toml.
    offer_policy: Path | None = None
    # The recommenders' training and business-rule settings (TOML, docs/recommendations.md).
    recs_config: Path | None = None

    @field_validator("sweep_at", mode="before")
    @classmethod
    def _hours_and_minutes(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return time.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"RETENTIO_SWEEP_AT={value!r} is not a time of day such as 03:00") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"RETENTIO_TIMEZONE={value!r} is not an IANA time zone such as Europe/Moscow"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def history_cutoff(self) -> timedelta | None:
        return timedelta(hours=self.history_cutoff_hours) if self.history_cutoff_hours > 0 else None


def clock_from(as_of: str | None, settings: Settings) -> Clock:
    """``--as-of`` wins over ``RETENTIO_NOW``; without either, the wall clock."""
    fixed = as_of or settings.now
    if fixed:
        return FixedClock(parse_instant(fixed))
    return SystemClock()
