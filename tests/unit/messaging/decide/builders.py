"""Small builders for the decisions' inputs, and hypothesis strategies that generate them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import (
    CalendarDays,
    Cap,
    Channels,
    Consent,
    ConsentState,
    Contacts,
    Customer,
    Message,
    QuietHours,
    Rolling,
    SendingRules,
    Sent,
    Step,
    Suppression,
)
from retentio.messaging.decide.quiet import is_quiet

EMAIL = ChannelName.EMAIL
SMS = ChannelName.SMS
PUSH = ChannelName.PUSH
TELEGRAM = ChannelName.TELEGRAM
VIBER = ChannelName.VIBER
WEB_PUSH = ChannelName.WEB_PUSH
ONSITE = ChannelName.ONSITE
MARKETING = Kind.MARKETING
TRIGGER = Kind.TRIGGER
TRANSACTIONAL = Kind.TRANSACTIONAL

REACHABLE = Contacts(
    email="anna@example.com",
    phone="+79990000000",
    telegram_id="1001",
    viber_id="v-1001",
    push_tokens=("token-1",),
    web_push_subscriptions=("https://push.example/1",),
)
SENDING_CHANNELS = (EMAIL, SMS, PUSH, TELEGRAM, VIBER, WEB_PUSH)


def at(text: str) -> datetime:
    """An instant from ISO text; without an offset it is UTC."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local(text: str, zone: str) -> datetime:
    """A local reading in ``zone`` (first occurrence), as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def granted(*channels: ChannelName) -> dict[ChannelName, Consent]:
    return {channel: Consent(ConsentState.GRANTED, 100 + index) for index, channel in enumerate(channels)}


def customer(
    *,
    consents: dict[ChannelName, Consent] | None = None,
    contacts: Contacts = REACHABLE,
    timezone: str | None = "Europe/Moscow",
    suppressions: dict[ChannelName, Suppression] | None = None,
    activity: dict[str, str] | None = None,
    histogram: tuple[int, ...] = (0,) * 24,
    flagged_bad: bool = False,
    opted_out: frozenset[tuple[ChannelName, Kind]] = frozenset(),
) -> Customer:
    return Customer(
        id="c-1",
        contacts=contacts,
        consents=granted(*SENDING_CHANNELS) if consents is None else consents,
        suppressions=suppressions or {},
        timezone=timezone,
        channel_activity=activity or {},
        hour_histogram=histogram,
        flagged_bad=flagged_bad,
        opted_out=opted_out,
    )


def message(
    *channels: ChannelName,
    kind: Kind = MARKETING,
    due: datetime,
    valid_until: datetime | None = None,
    auto: bool = False,
    message_id: str = "m-1",
    priority: int = 0,
    incentive: bool = False,
) -> Message:
    steps = tuple(Step(channel) for channel in (channels or (EMAIL,)))
    return Message(
        id=message_id,
        kind=kind,
        channels=Channels(steps, auto=auto),
        due_at=due,
        valid_until=valid_until,
        priority=priority,
        incentive=incentive,
    )


def rules(
    *,
    timezone: str = "Europe/Moscow",
    quiet: QuietHours | None = QuietHours(time(21), time(9)),
    caps: tuple[Cap, ...] = (),
    best_hour: bool = False,
    min_events: int = 10,
    fallback_hour: time = time(11),
) -> SendingRules:
    return SendingRules(
        timezone=timezone,
        quiet_hours=quiet,
        caps=caps,
        best_hour=best_hour,
        best_hour_min_events=min_events,
        fallback_hour=fallback_hour,
    )


def sent(when: datetime, channel: ChannelName = EMAIL, kind: Kind = MARKETING, message_id: str = "") -> Sent:
    return Sent(when, channel, kind, message_id or f"old-{when.isoformat()}-{channel}")


def quiet_at(instant: datetime, zone: str, quiet: QuietHours | None) -> bool:
    """The oracle: does the customer's own clock read a quiet time at this instant?"""
    if quiet is None:
        return False
    return is_quiet(instant.astimezone(ZoneInfo(zone)), quiet)


def count_in_window(cap: Cap, sends: list[Sent], end: datetime, zone: ZoneInfo) -> int:
    """The oracle: the counted sends in the window ending at ``end``, by each send's own local date."""
    mine = [item for item in sends if cap.applies_to(item.channel, item.kind)]
    window = cap.window
    if isinstance(window, CalendarDays):
        last_day = end.astimezone(zone).date()
        first_day = last_day - timedelta(days=window.days - 1)
        return sum(1 for item in mine if first_day <= item.at.astimezone(zone).date() <= last_day)
    return sum(1 for item in mine if end - window.length < item.at <= end)


# -- strategies ---------------------------------------------------------------------------------

# Zones with DST, with odd offsets, across the date line, and Moscow with its history (DST until
# 2011, +4 all year until 2014, +3 since).
ZONES = (
    "UTC",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Vladivostok",
    "America/Santiago",
)
zones = st.sampled_from(ZONES)
instants = st.datetimes(
    min_value=datetime(2009, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
minutes_of_day = st.builds(time, st.integers(0, 23), st.sampled_from((0, 15, 30, 45)))


@st.composite
def quiet_hours(draw: st.DrawFn) -> QuietHours | None:
    start = draw(minutes_of_day)
    end = draw(minutes_of_day.filter(lambda value: value != start))
    return draw(st.one_of(st.just(QuietHours(start, end)), st.none()))


windows = st.one_of(
    st.builds(CalendarDays, st.integers(1, 7)),
    st.builds(Rolling, st.sampled_from([timedelta(hours=hours) for hours in (1, 6, 24, 48, 168)])),
)
caps = st.builds(
    Cap,
    limit=st.integers(1, 3),
    window=windows,
    channel=st.one_of(st.none(), st.sampled_from(SENDING_CHANNELS)),
    kinds=st.sampled_from([frozenset({MARKETING}), frozenset({MARKETING, TRIGGER})]),
)


@st.composite
def sending_rules(draw: st.DrawFn) -> SendingRules:
    return SendingRules(
        timezone=draw(zones),
        quiet_hours=draw(quiet_hours()),
        caps=tuple(draw(st.lists(caps, max_size=3))),
        best_hour=draw(st.booleans()),
        best_hour_min_events=draw(st.integers(0, 20)),
        fallback_hour=draw(minutes_of_day),
    )


@st.composite
def customers(draw: st.DrawFn) -> Customer:
    consents = {
        channel: Consent(draw(st.sampled_from(ConsentState)), draw(st.integers(1, 10_000)))
        for channel in draw(st.sets(st.sampled_from(SENDING_CHANNELS)))
    }
    contacts = Contacts(
        email=draw(st.sampled_from([None, "a@example.com"])),
        phone=draw(st.sampled_from([None, "+79990000001"])),
        telegram_id=draw(st.sampled_from([None, "42"])),
        viber_id=draw(st.sampled_from([None, "v42"])),
        push_tokens=draw(st.sampled_from([(), ("t1",)])),
        web_push_subscriptions=draw(st.sampled_from([(), ("s1",)])),
    )
    suppressions = {
        channel: draw(st.sampled_from(Suppression))
        for channel in draw(st.sets(st.sampled_from(SENDING_CHANNELS), max_size=2))
    }
    activity = {
        place: stamp.isoformat()
        for place, stamp in draw(
            st.dictionaries(st.sampled_from(["email", "sms", "telegram", "app", "web", "viber"]), instants)
        ).items()
    }
    return Customer(
        id="c-gen",
        contacts=contacts,
        consents=consents,
        suppressions=suppressions,
        timezone=draw(st.one_of(st.none(), zones, st.just("Mars/Olympus_Mons"))),
        channel_activity=activity,
        hour_histogram=tuple(draw(st.lists(st.integers(0, 30), min_size=24, max_size=24))),
        flagged_bad=draw(st.booleans()),
    )


@st.composite
def messages(draw: st.DrawFn, now: datetime, kinds: st.SearchStrategy[Kind] | None = None) -> Message:
    channels = draw(
        st.lists(st.sampled_from((*SENDING_CHANNELS, ONSITE)), min_size=1, max_size=4, unique=True)
    )
    due = now + timedelta(minutes=draw(st.integers(-600, 3 * 24 * 60)))
    validity = draw(st.one_of(st.none(), st.integers(-60, 5 * 24 * 60)))
    return Message(
        id=draw(st.text("abcdef", min_size=1, max_size=6)),
        kind=draw(kinds if kinds is not None else st.sampled_from(Kind)),
        channels=Channels(tuple(Step(channel) for channel in channels), auto=draw(st.booleans())),
        due_at=due,
        valid_until=None if validity is None else due + timedelta(minutes=validity),
        priority=draw(st.integers(0, 3)),
        incentive=draw(st.booleans()),
    )


@st.composite
def histories(draw: st.DrawFn, now: datetime) -> list[Sent]:
    count = draw(st.integers(0, 8))
    return [
        Sent(
            now - timedelta(minutes=draw(st.integers(0, 10 * 24 * 60))),
            draw(st.sampled_from(SENDING_CHANNELS)),
            draw(st.sampled_from(Kind)),
            draw(st.sampled_from(["h1", "h2", "h3", "h4", "h5", "h6"])),
        )
        for _ in range(count)
    ]
