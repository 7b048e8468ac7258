from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.messaging.decide.builders import (
    EMAIL,
    MARKETING,
    SENDING_CHANNELS,
    SMS,
    TRANSACTIONAL,
    TRIGGER,
    at,
    caps,
    count_in_window,
    instants,
    local,
    sent,
    zones,
)

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import CalendarDays, Cap, Rolling, Sent, allowed_from, counted_sends, room_left

MOSCOW = ZoneInfo("Europe/Moscow")
ONE_EMAIL_A_DAY = Cap(1, CalendarDays(1), EMAIL, frozenset({MARKETING}))
TWO_IN_24_HOURS = Cap(2, Rolling(timedelta(hours=24)))
THREE_A_WEEK = Cap(3, CalendarDays(7))


def free_from(
    caps: tuple[Cap, ...], history: list[Sent], when: datetime, channel: ChannelName = EMAIL
) -> datetime:
    sends = counted_sends(history, "new")
    assert sends is not None
    return allowed_from(caps, sends, channel, MARKETING, MOSCOW, when)


def test_calendar_days_are_the_customers_own() -> None:
    # given an email at 23:30 in Moscow — 20:30 UTC, the same UTC day as the next try
    history = [sent(local("2026-06-01T23:30", "Europe/Moscow"))]
    # when the next one is due half an hour into the customer's next day
    just_after_midnight = local("2026-06-02T00:30", "Europe/Moscow")
    # then it is a new day for the cap
    assert free_from((ONE_EMAIL_A_DAY,), history, just_after_midnight) == just_after_midnight


def test_a_full_day_frees_at_the_customers_next_midnight() -> None:
    history = [sent(local("2026-06-02T00:10", "Europe/Moscow"))]
    evening = local("2026-06-02T23:00", "Europe/Moscow")
    assert free_from((ONE_EMAIL_A_DAY,), history, evening) == local("2026-06-03T00:00", "Europe/Moscow")


def test_a_rolling_window_frees_when_its_oldest_message_leaves_it() -> None:
    history = [sent(at("2026-06-01T10:00")), sent(at("2026-06-01T14:00"), SMS)]
    assert free_from((TWO_IN_24_HOURS,), history, at("2026-06-01T20:00")) == at("2026-06-02T10:00")
    assert free_from((TWO_IN_24_HOURS,), history, at("2026-06-02T10:00")) == at("2026-06-02T10:00")


def test_a_week_counts_seven_calendar_days_today_included() -> None:
    history = [
        sent(local("2026-06-01T12:00", "Europe/Moscow"), SMS),
        sent(local("2026-06-03T12:00", "Europe/Moscow")),
        sent(local("2026-06-05T12:00", "Europe/Moscow"), SMS),
    ]
    # the 1 June message counts until the end of 7 June
    assert free_from((THREE_A_WEEK,), history, local("2026-06-07T10:00", "Europe/Moscow")) == local(
        "2026-06-08T00:00", "Europe/Moscow"
    )


def test_a_channel_cap_counts_only_its_channel() -> None:
    history = [sent(local("2026-06-02T08:00", "Europe/Moscow"), SMS)]
    noon = local("2026-06-02T12:00", "Europe/Moscow")
    assert free_from((ONE_EMAIL_A_DAY,), history, noon) == noon
    assert free_from((Cap(1, CalendarDays(1), SMS),), history, noon, channel=SMS) > noon


def test_a_cap_counts_only_the_kinds_it_names() -> None:
    history = [
        sent(local("2026-06-02T08:00", "Europe/Moscow"), kind=TRIGGER),
        sent(local("2026-06-02T09:00", "Europe/Moscow"), kind=TRANSACTIONAL),
    ]
    noon = local("2026-06-02T12:00", "Europe/Moscow")
    assert free_from((ONE_EMAIL_A_DAY,), history, noon) == noon


def test_a_cascade_counts_once_at_its_first_step() -> None:
    # given one message that went out by email, then by SMS
    history = [
        sent(at("2026-06-01T10:00"), EMAIL, message_id="cascade"),
        sent(at("2026-06-01T11:00"), SMS, message_id="cascade"),
        sent(at("2026-06-01T12:00"), EMAIL, message_id="other"),
    ]
    sends = counted_sends(history, "new")
    # then
    assert sends is not None
    assert [(item.message_id, item.channel) for item in sends] == [("cascade", EMAIL), ("other", EMAIL)]
    assert room_left((TWO_IN_24_HOURS,), sends, EMAIL, MARKETING, MOSCOW, at("2026-06-01T13:00")) == 0
    assert (
        room_left(
            (Cap(2, Rolling(timedelta(hours=24)), SMS),),
            sends,
            SMS,
            MARKETING,
            MOSCOW,
            at("2026-06-01T13:00"),
        )
        == 2
    )


def test_a_message_that_went_out_already_is_not_counted_again() -> None:
    history = [sent(at("2026-06-01T10:00"), EMAIL, message_id="cascade")]
    assert counted_sends(history, "cascade") is None


def test_sends_dated_after_the_moment_asked_count_too() -> None:
    # a worker whose clock runs a minute behind another's still sees the other's send
    history = [sent(at("2026-06-01T10:01"))]
    assert free_from(
        (TWO_IN_24_HOURS, Cap(1, Rolling(timedelta(hours=1)))), history, at("2026-06-01T10:00")
    ) == at("2026-06-01T11:01")


def test_transactional_messages_have_unlimited_room() -> None:
    assert room_left((ONE_EMAIL_A_DAY,), [], EMAIL, TRANSACTIONAL, MOSCOW, at("2026-06-01T10:00")) is None
    assert room_left((), [], EMAIL, MARKETING, MOSCOW, at("2026-06-01T10:00")) is None


# -- properties ---------------------------------------------------------------------------------


requests = st.lists(
    st.tuples(
        st.integers(0, 14 * 24 * 60),
        st.sampled_from(SENDING_CHANNELS),
        st.sampled_from([MARKETING, TRIGGER]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(the_caps=st.lists(caps, min_size=1, max_size=3), zone=zones, start=instants, wanted=requests)
def test_sending_when_the_caps_allow_never_exceeds_any_cap_in_any_window(
    the_caps: list[Cap], zone: str, start: datetime, wanted: list[tuple[int, ChannelName, Kind]]
) -> None:
    the_zone = ZoneInfo(zone)
    history: list[Sent] = []
    for number, (minutes, channel, kind) in enumerate(sorted(wanted, key=lambda request: request[0])):
        sends = counted_sends(history, f"m{number}")
        assert sends is not None
        when = allowed_from(
            tuple(the_caps), sends, channel, kind, the_zone, start + timedelta(minutes=minutes)
        )
        history.append(Sent(when, channel, kind, f"m{number}"))
    # then every window, of every cap, ending at any send, holds no more than the cap's limit
    for cap in the_caps:
        for item in history:
            assert count_in_window(cap, history, item.at, the_zone) <= cap.limit
            if isinstance(cap.window, CalendarDays):  # and the later calendar windows that hold its day
                for days in range(1, cap.window.days):
                    later = item.at + timedelta(days=days)
                    assert count_in_window(cap, history, later, the_zone) <= cap.limit


histories = st.lists(
    st.tuples(st.integers(-10 * 24 * 60, 0), st.sampled_from(SENDING_CHANNELS), st.sampled_from(Kind)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    the_caps=st.lists(caps, min_size=1, max_size=3),
    zone=zones,
    now=instants,
    past=histories,
    channel=st.sampled_from(SENDING_CHANNELS),
    kind=st.sampled_from([MARKETING, TRIGGER]),
)
def test_the_deferral_is_to_the_earliest_moment_with_room(
    the_caps: list[Cap], zone: str, now: datetime, past, channel: ChannelName, kind: Kind
) -> None:
    the_zone = ZoneInfo(zone)
    history = [
        Sent(now + timedelta(minutes=minutes), ch, k, f"h{index}")
        for index, (minutes, ch, k) in enumerate(past)
    ]
    sends = counted_sends(history, "new")
    assert sends is not None
    caps_tuple = tuple(the_caps)
    applies = any(cap.applies_to(channel, kind) for cap in caps_tuple)
    # when
    free = allowed_from(caps_tuple, sends, channel, kind, the_zone, now)
    # then there is room at that moment and none just before it
    room_then = room_left(caps_tuple, sends, channel, kind, the_zone, free)
    assert room_then is None or room_then > 0
    assert all(
        count_in_window(cap, history, free, the_zone) < cap.limit
        for cap in caps_tuple
        if cap.applies_to(channel, kind)
    )
    if free > now:
        assert applies
        assert room_left(caps_tuple, sends, channel, kind, the_zone, free - timedelta(microseconds=1)) == 0
