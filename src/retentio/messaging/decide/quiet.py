"""Quiet hours in the customer's local time: a message due inside them waits for their end."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from retentio.messaging.decide.rules import QuietHours
from retentio.messaging.decide.zones import wall_instant

_DAY = timedelta(days=1)
# Each round moves to a later end of quiet hours; only a clock that skips most of a day (Samoa
# skipped 30 December 2011) needs a second one.
_ROUNDS = 8


def is_quiet(local: datetime, quiet: QuietHours) -> bool:
    """Whether the customer's clock (``local``, in their zone) reads a quiet time."""
    reading = local.time()
    if quiet.start < quiet.end:
        return quiet.start <= reading < quiet.end
    return reading >= quiet.start or reading < quiet.end


def leave_quiet(instant: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """The earliest instant at or after ``instant`` outside quiet hours."""
    if quiet is None:
        return instant
    local = instant.astimezone(zone)
    for _ in range(_ROUNDS):
        if not is_quiet(local, quiet):
            return instant
        day = local.date()
        if local.time() >= quiet.end:  # the evening part of hours that wrap midnight
            day += _DAY
        end = wall_instant(zone, day, quiet.end, not_before=instant)
        while end is None:  # that reading passed already (the clock went back past it): the next day's
            day += _DAY
            end = wall_instant(zone, day, quiet.end, not_before=instant)
        instant = end
        local = instant.astimezone(zone)
    return instant
