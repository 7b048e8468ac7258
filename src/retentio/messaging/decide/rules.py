"""The shop's sending rules: quiet hours, caps, best hour, the channels' default order, consent exceptions.

Transactional messages bypass caps, quiet hours and the best hour whatever these say (COM-4: they are
owed to the customer); they still need a contact and an unsuppressed address."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide.zones import zone_named

OPTIONAL_KINDS = frozenset({Kind.TRIGGER, Kind.MARKETING})


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local times in the customer's zone; ``start`` after ``end`` wraps midnight (21:00–09:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError(f"quiet hours {self.start}–{self.end} are empty: leave them out instead")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours are local times of day, without a zone")


@dataclass(frozen=True, slots=True)
class CalendarDays:
    """The customer's local calendar day of the send and the ``days - 1`` days before it: ``days=1``
    is "per day", ``days=7`` "per week" (the last seven calendar days, today included)."""

    days: int

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"a calendar window holds at least one day, not {self.days}")


@dataclass(frozen=True, slots=True)
class Rolling:
    """Any window of this length ending at the send (``Rolling(timedelta(hours=24))``)."""

    length: timedelta

    def __post_init__(self) -> None:
        if self.length <= timedelta(0):
            raise ValueError(f"a rolling window must have a length, not {self.length}")


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``limit`` messages of ``kinds`` in ``window``, on ``channel`` (None: all channels)."""

    limit: int
    window: CalendarDays | Rolling
    channel: ChannelName | None = None
    kinds: frozenset[Kind] = OPTIONAL_KINDS

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"a cap lets at least one message through, not {self.limit}")
        if not self.kinds or Kind.TRANSACTIONAL in self.kinds:
            raise ValueError("a cap counts trigger and/or marketing messages; transactional ones bypass caps")

    def applies_to(self, channel: ChannelName, kind: Kind) -> bool:
        return kind in self.kinds and (self.channel is None or self.channel == channel)


DEFAULT_CHANNEL_ORDER = (
    ChannelName.PUSH,
    ChannelName.WEB_PUSH,
    ChannelName.TELEGRAM,
    ChannelName.VIBER,
    ChannelName.EMAIL,
    ChannelName.SMS,
    ChannelName.ONSITE,
    ChannelName.OUTBOX,
)


@dataclass(frozen=True, slots=True)
class SendingRules:
    """``timezone``: the shop's zone, for customers without a valid one of their own.
    ``channel_order``: cheapest first; it ranks channels the customer was never active on, and breaks
    ties. ``best_hour_kinds``: the kinds that wait for the customer's best hour (a trigger such as an
    abandoned cart goes as soon as it may); below ``best_hour_min_events`` events the best hour is
    ``fallback_hour`` (local). ``consent_free_channels``: channels that send nothing to the customer's
    devices (the on-site inbox is read on the shop's own site), where no channel consent is asked."""

    timezone: str = "UTC"
    quiet_hours: QuietHours | None = QuietHours(time(21, 0), time(9, 0))
    caps: tuple[Cap, ...] = ()
    best_hour: bool = True
    best_hour_kinds: frozenset[Kind] = frozenset({Kind.MARKETING})
    best_hour_min_events: int = 10
    fallback_hour: time = time(11, 0)
    channel_order: tuple[ChannelName, ...] = DEFAULT_CHANNEL_ORDER
    consent_free_channels: frozenset[ChannelName] = frozenset({ChannelName.ONSITE})

    zone: ZoneInfo = field(init=False, repr=False, compare=False)  # ``timezone``, looked up once

    def __post_init__(self) -> None:
        zone = zone_named(self.timezone)
        if zone is None:
            raise ValueError(f"the shop's time zone {self.timezone!r} is not an IANA zone")
        object.__setattr__(self, "zone", zone)
        if self.best_hour_min_events < 0:
            raise ValueError("best_hour_min_events cannot be negative")
        if self.fallback_hour.tzinfo is not None:
            raise ValueError("the fallback hour is a local time of day, without a zone")
        if Kind.TRANSACTIONAL in self.best_hour_kinds:
            raise ValueError("transactional messages go at once: they never wait for a best hour")
