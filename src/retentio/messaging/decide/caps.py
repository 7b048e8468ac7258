"""Frequency caps: is a send allowed at a moment, and if not, the earliest moment it is.

What counts: each message (cascade) once, at its first send and on that send's channel, and only
the kinds a cap names. A message that already went out on one step is not counted or capped again
on the next. Sends dated after the moment asked about count as well: a worker's clock a little
ahead of another's must not let two messages through where one is allowed.

Given the sends, a window only ever loses messages as time goes on, so once a cap lets a send
through it lets every later one through: the earliest allowed moment is the latest of each cap's
own, and a message deferred to it never needs deferring again for the same sends."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide.customer import Sent
from retentio.messaging.decide.rules import CalendarDays, Cap
from retentio.messaging.decide.zones import day_start, local_day

_SENT_AT = attrgetter("at")


def counted_sends(history: Sequence[Sent], message_id: str) -> list[Sent] | None:
    """The first send of each message, oldest first; None when ``message_id`` went out already (its
    cascade was counted at its first step and is not capped again)."""
    if not history:
        return []
    firsts: dict[str, Sent] = {}
    for sent in sorted(history, key=_SENT_AT):
        if sent.message_id == message_id:
            return None
        if sent.message_id not in firsts:
            firsts[sent.message_id] = sent
    return list(firsts.values())  # in the order found: oldest first


def allowed_from(
    caps: Sequence[Cap], sends: Sequence[Sent], channel: ChannelName, kind: Kind, zone: ZoneInfo, at: datetime
) -> datetime:
    """The earliest moment at or after ``at`` when every cap on this channel and kind has room."""
    earliest = at
    for cap in caps:
        if len(sends) >= cap.limit and cap.applies_to(channel, kind):  # fewer sends than the limit: room
            free = _cap_free_from(cap, _times(cap, sends), zone, at)
            if free > earliest:
                earliest = free
    return earliest


def room_left(
    caps: Sequence[Cap], sends: Sequence[Sent], channel: ChannelName, kind: Kind, zone: ZoneInfo, at: datetime
) -> int | None:
    """How many more messages of this kind the caps let through on this channel at ``at``; None when
    no cap applies (transactional messages are never capped)."""
    if kind is Kind.TRANSACTIONAL:
        return None
    room: int | None = None
    for cap in caps:
        if cap.applies_to(channel, kind):
            left = max(cap.limit - len(_inside(cap, _times(cap, sends), zone, at)), 0)
            room = left if room is None else min(room, left)
    return room


def _times(cap: Cap, sends: Sequence[Sent]) -> list[datetime]:
    kinds, channel = cap.kinds, cap.channel  # ``cap.applies_to`` inlined: it runs for every send
    if channel is None:
        return [sent.at for sent in sends if sent.kind in kinds]
    return [sent.at for sent in sends if sent.channel == channel and sent.kind in kinds]


def _cap_free_from(cap: Cap, times: list[datetime], zone: ZoneInfo, at: datetime) -> datetime:
    if len(times) < cap.limit:
        return at
    inside = _inside(cap, times, zone, at)
    if len(inside) < cap.limit:
        return at
    # The window has room once all but limit - 1 of its messages have left it: when the oldest of
    # those that must leave does.
    leaving = inside[len(inside) - cap.limit]
    window = cap.window
    if isinstance(window, CalendarDays):
        return day_start(zone, local_day(leaving, zone) + timedelta(days=window.days))
    return leaving + window.length


def _inside(cap: Cap, times: list[datetime], zone: ZoneInfo, at: datetime) -> list[datetime]:
    """The counted times in the window that ends at ``at`` (and any dated after it)."""
    window = cap.window
    if isinstance(window, CalendarDays):
        first_day = local_day(at, zone) - timedelta(days=window.days - 1)
        return times[bisect.bisect_left(times, day_start(zone, first_day)) :]
    return times[bisect.bisect_right(times, at - window.length) :]
