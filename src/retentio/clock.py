"""The injected clock: nothing in Retentio reads the wall clock except ``SystemClock``.

Simulations, backfills and reproducible reports fix or move "now" through the same interface.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: tests, ``--as-of`` and the simulator use it."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def advance(self, by: timedelta) -> None:
        self._at += by


def ensure_utc(at: datetime) -> datetime:
    """Refuse naive datetimes: a time without an offset is ambiguous for a store used across zones."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"time {at.isoformat()} has no UTC offset")
    return at.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a bare date means its midnight UTC (handy for ``--as-of``)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{text!r} is not an ISO 8601 time (e.g. 2026-01-31T12:00:00+03:00)") from error
    if parsed.tzinfo is None:
        if len(value) == 10:
            return parsed.replace(tzinfo=UTC)
        raise ValueError(f"{text!r} has no UTC offset (add +00:00 or Z)")
    return parsed.astimezone(UTC)
