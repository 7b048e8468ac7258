"""The customer's best hour: the start of the hour they are most often active in, from the profile's
histogram of events by UTC hour, or the shop's fallback hour (local) while there is too little history.

The histogram counts UTC hours, so the slot is found in UTC ("the next time it is 17:00 UTC") and
the customer's clock says what that is locally (19:00 in Berlin in summer, 18:00 in winter).
Converting the histogram to local hours first would tie the answer to the offset at the moment of
asking, and a message told to wait for 19:00 could be told to wait again after a DST change.
Among equally busy hours the next to come wins; a busiest hour inside quiet hours gives way to the
next busiest, and a fallback hour inside quiet hours to no best hour at all."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from retentio.messaging.decide.quiet import is_quiet
from retentio.messaging.decide.rules import QuietHours
from retentio.messaging.decide.zones import wall_instant

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_DAY_SECONDS = 86_400


class Slot(NamedTuple):
    at: datetime  # at or after the asked instant; the instant itself when it is inside the best hour
    fallback: bool  # the shop's fallback hour, for want of history


def best_slot(
    earliest: datetime,
    zone: ZoneInfo,
    histogram: tuple[int, ...],
    quiet: QuietHours | None,
    fallback_hour: time,
    min_events: int,
) -> Slot | None:
    """None when no best hour can be kept: every busy hour, or the fallback hour, is quiet."""
    if len(histogram) == 24 and sum(histogram) >= max(min_events, 1):
        busiest = _busiest_hour(earliest, zone, histogram, quiet)
        return None if busiest is None else Slot(busiest, fallback=False)
    start = _next_local_hour(earliest, zone, fallback_hour)
    if quiet is not None and is_quiet(start.astimezone(zone), quiet):
        return None  # waiting for it would only wait for the end of quiet hours, a day later
    return Slot(start, fallback=True)


def _busiest_hour(
    earliest: datetime, zone: ZoneInfo, histogram: tuple[int, ...], quiet: QuietHours | None
) -> datetime | None:
    """The start of the next busiest UTC hour outside quiet hours (``earliest`` itself inside it)."""
    now_hour = earliest.hour
    ahead = histogram[now_hour:] + histogram[:now_hour]  # ahead[i]: the hour that starts in i hours
    busiest = ahead.index(max(ahead))
    if quiet is None:
        return _hour_ahead(earliest, busiest)
    clock = _Clock(earliest, zone)
    if not is_quiet(clock.reads(busiest), quiet):
        return _hour_ahead(earliest, busiest)  # the usual case: one busiest hour, outside quiet hours
    for hours in sorted(range(24), key=ahead.__getitem__, reverse=True):  # stable: sooner first
        if not ahead[hours]:
            return None
        if not is_quiet(clock.reads(hours), quiet):
            return _hour_ahead(earliest, hours)
    return None


class _Clock:
    """What the customer's clock reads at ``earliest`` and at the start of each of the next 23 UTC
    hours. Without an offset change in the next day, that is the current reading moved on by whole
    hours (two conversions instead of one per hour looked at)."""

    __slots__ = ("_earliest", "_hour_start", "_now", "_steady", "_zone")

    def __init__(self, earliest: datetime, zone: ZoneInfo) -> None:
        self._earliest = earliest
        self._zone = zone
        self._now = earliest.astimezone(zone)
        self._hour_start = earliest.replace(minute=0, second=0, microsecond=0).astimezone(zone)
        self._steady = (self._hour_start + _DAY).utcoffset() == self._hour_start.utcoffset()

    def reads(self, hours: int) -> datetime:
        if hours == 0:
            return self._now
        if self._steady:
            return self._hour_start + hours * _HOUR
        return _hour_ahead(self._earliest, hours).astimezone(self._zone)


def _hour_ahead(earliest: datetime, hours: int) -> datetime:
    if hours == 0:
        return earliest
    return earliest.replace(minute=0, second=0, microsecond=0) + hours * _HOUR


def _next_local_hour(earliest: datetime, zone: ZoneInfo, hour: time) -> datetime:
    """The start of the next local hour that begins at ``hour`` (``earliest`` itself inside it)."""
    local = earliest.astimezone(zone)
    reading = local.hour * 3600 + local.minute * 60 + local.second
    since_start = (reading - (hour.hour * 3600 + hour.minute * 60 + hour.second)) % _DAY_SECONDS
    if since_start < 3600:
        return earliest
    day = local.date()
    if local.time() >= hour:
        day += _DAY
    start = wall_instant(zone, day, hour, not_before=earliest)
    while start is None:
        day += _DAY
        start = wall_instant(zone, day, hour, not_before=earliest)
    return start
