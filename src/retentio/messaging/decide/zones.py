"""The customer's clock: zones by name (cached), and the instant a local wall time is reached.

Local times are the customer's; instants are UTC. A wall time may not exist (the clock jumps from
02:00 to 03:00 in spring) or exist twice (it goes back in autumn); ``wall_instant`` answers "when does
the customer's clock next read this?" for both."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MIDNIGHT = time(0, 0)
_EARLIEST = datetime.min.replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def zone_named(name: str) -> ZoneInfo | None:
    """The zone, or None when the name is no IANA zone (``ZoneInfo`` is cached by name already;
    this also caches the refusal, which ``ZoneInfo`` would look for on disk every time)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def wall_instant(zone: ZoneInfo, day: date, at: time, not_before: datetime = _EARLIEST) -> datetime | None:
    """The first instant at or after ``not_before`` when the clock in ``zone`` reads ``day at``; when
    the clock skips that reading, the instant it jumps past it. None when the clock read it only
    before ``not_before``."""
    first, second = _readings(zone, day, at)
    if first >= not_before:
        return first
    return second if second is not None and second >= not_before else None


@lru_cache(maxsize=65536)
def _readings(zone: ZoneInfo, day: date, at: time) -> tuple[datetime, datetime | None]:
    """When the clock reads ``day at``: once, twice (the clock went back), or never (the instant it
    jumps past it, once). Cached: a worker asks about the same few zones, days and hours all day."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) != wall:
        return _jump_over(zone, wall), None
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return first, (second if second != first else None)


def _jump_over(zone: ZoneInfo, wall: datetime) -> datetime:
    """The transition that skips ``wall``: the first instant on the new offset. ``fold=1`` puts a
    skipped reading on the old side of the jump and ``fold=0`` on the new side (PEP 495), so the
    transition lies between them; transitions fall on whole seconds, so whole seconds are searched."""
    old_side = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp())
    new_side = math.ceil(wall.replace(tzinfo=zone).timestamp())
    new_offset = _offset_at(zone, new_side)
    while new_side - old_side > 1:
        middle = (old_side + new_side) // 2
        if _offset_at(zone, middle) == new_offset:
            new_side = middle
        else:
            old_side = middle
    return datetime.fromtimestamp(new_side, UTC)


def _offset_at(zone: ZoneInfo, seconds: int) -> timedelta | None:
    return datetime.fromtimestamp(seconds, zone).utcoffset()


@lru_cache(maxsize=65536)
def day_start(zone: ZoneInfo, day: date) -> datetime:
    """The first instant of the customer's local ``day`` (cached: caps look up the same days again)."""
    start = wall_instant(zone, day, _MIDNIGHT)
    assert start is not None  # from the earliest instant on, every reading is reached
    return start


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()
