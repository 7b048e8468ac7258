"""The injected clock: nothing in Retentio reads the wall clock except ``SystemClock``.

Simulations, backfills and reproducible reports fix or move "now" through the same interface.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Protocol

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

# The times Retentio takes from users (consents, rule values, query bounds). Outside them a time is
# a typo or a probe, and near the ends of ``datetime`` it cannot even be converted to UTC.
EARLIEST_ACCEPTED = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_ACCEPTED = datetime(3000, 1, 1, tzinfo=UTC)
_ACCEPTED_RANGE = "times run from 1900-01-01 to 2999-12-31 (UTC)"
_ISO_ONLY = "give an ISO 8601 time with a UTC offset, e.g. 2026-06-01T12:00:00+03:00 (not Unix seconds)"


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
    """Refuse naive datetimes: a time without an offset is ambiguous for a store used across zones.

    A time whose UTC value falls outside ``datetime`` (``9999-12-31T23:00-02:00``) is a ``ValueError``
    too, never an ``OverflowError``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"time {at.isoformat()} has no UTC offset")
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{at.isoformat()} is out of range: {_ACCEPTED_RANGE}") from None


def accepted_instant(at: datetime) -> datetime:
    """``at`` in UTC when it lies in the accepted range, else a ``ValueError`` saying the range."""
    utc = ensure_utc(at)
    if not EARLIEST_ACCEPTED <= utc < LATEST_ACCEPTED:
        raise ValueError(f"{at.isoformat()} is out of range: {_ACCEPTED_RANGE}")
    return utc


def iso_text_only(value: Any) -> Any:
    """Before pydantic reads a time: refuse the Unix seconds it would take (``12345``,
    ``"1700000000"``). ISO 8601 has a ``-`` after the year, so the common case costs one test;
    other text is left to pydantic, which names what is wrong with it."""
    if type(value) is str:
        if value[4:5] == "-" or not _is_number(value):
            return value
    elif not isinstance(value, int | float) or isinstance(value, bool):
        return value
    raise ValueError(_ISO_ONLY)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# A time a user sends: ISO 8601 text with an offset, in the accepted range, turned to UTC.
Instant = Annotated[AwareDatetime, BeforeValidator(iso_text_only), AfterValidator(accepted_instant)]


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant in the accepted range; a bare date means its midnight UTC (handy
    for ``--as-of``)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{text!r} is not an ISO 8601 time (e.g. 2026-01-31T12:00:00+03:00)") from error
    if parsed.tzinfo is None:
        if len(value) == 10:
            return accepted_instant(parsed.replace(tzinfo=UTC))
        raise ValueError(f"{text!r} has no UTC offset (add +00:00 or Z)")
    return accepted_instant(parsed)
