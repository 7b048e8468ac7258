from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.messaging.decide.builders import at, instants, local, minutes_of_day, quiet_at, zones

from retentio.messaging.decide import QuietHours
from retentio.messaging.decide.quiet import leave_quiet

NIGHT = QuietHours(time(21), time(9))
MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")


def test_outside_quiet_hours_nothing_waits() -> None:
    noon = local("2026-06-01T12:00", "Europe/Moscow")
    assert leave_quiet(noon, MOSCOW, NIGHT) == noon


def test_late_evening_waits_for_the_next_morning() -> None:
    evening = local("2026-06-01T22:30", "Europe/Moscow")
    assert leave_quiet(evening, MOSCOW, NIGHT) == local("2026-06-02T09:00", "Europe/Moscow")


def test_early_morning_waits_for_the_same_morning() -> None:
    early = local("2026-06-02T03:10", "Europe/Moscow")
    assert leave_quiet(early, MOSCOW, NIGHT) == local("2026-06-02T09:00", "Europe/Moscow")


def test_the_end_itself_is_not_quiet_and_the_start_is() -> None:
    assert leave_quiet(local("2026-06-02T09:00", "Europe/Moscow"), MOSCOW, NIGHT) == local(
        "2026-06-02T09:00", "Europe/Moscow"
    )
    assert leave_quiet(local("2026-06-01T21:00", "Europe/Moscow"), MOSCOW, NIGHT) == local(
        "2026-06-02T09:00", "Europe/Moscow"
    )


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours(time(13), time(14))
    assert leave_quiet(local("2026-06-01T13:20", "Europe/Moscow"), MOSCOW, lunch) == local(
        "2026-06-01T14:00", "Europe/Moscow"
    )
    assert leave_quiet(local("2026-06-01T23:20", "Europe/Moscow"), MOSCOW, lunch) == local(
        "2026-06-01T23:20", "Europe/Moscow"
    )


def test_the_night_the_clocks_go_forward_is_an_hour_shorter() -> None:
    # Berlin, 31 March 2024: 22:00 CET (21:00 UTC) to 09:00 CEST (07:00 UTC).
    assert leave_quiet(at("2024-03-30T21:00"), BERLIN, NIGHT) == at("2024-03-31T07:00")


def test_the_night_the_clocks_go_back_is_an_hour_longer() -> None:
    # Berlin, 27 October 2024: 22:00 CEST (20:00 UTC) to 09:00 CET (08:00 UTC).
    assert leave_quiet(at("2024-10-26T20:00"), BERLIN, NIGHT) == at("2024-10-27T08:00")


def test_moscow_in_2014_when_its_clock_went_back_for_good() -> None:
    # 26 October 2014: +4 until 02:00, then +3. 22:00 (+4) on the 25th is 18:00 UTC; 09:00 (+3) is 06:00.
    assert leave_quiet(at("2014-10-25T18:00"), MOSCOW, NIGHT) == at("2014-10-26T06:00")


def test_an_end_inside_the_hour_that_happens_twice_is_kept_the_second_time_round() -> None:
    # Moscow, 26 October 2014, quiet 00:00–01:30: 01:30 (+4) ends them; then the clock goes back to
    # 01:00 and it is quiet again until 01:30 (+3).
    short = QuietHours(time(0), time(1, 30))
    assert leave_quiet(at("2014-10-25T20:30"), MOSCOW, short) == at("2014-10-25T21:30")
    assert leave_quiet(at("2014-10-25T22:10"), MOSCOW, short) == at("2014-10-25T22:30")


def test_an_end_the_clock_skips_is_the_moment_it_jumps() -> None:
    # Berlin, 31 March 2024: quiet until 02:30, which never happened; the clock read 03:00 at 01:00 UTC.
    early = QuietHours(time(0), time(2, 30))
    assert leave_quiet(at("2024-03-30T23:30"), BERLIN, early) == at("2024-03-31T01:00")


@settings(max_examples=300, deadline=None)
@given(instant=instants, zone=zones, start=minutes_of_day, end=minutes_of_day)
def test_leaving_quiet_hours_gives_the_first_moment_that_is_not_quiet(
    instant: datetime, zone: str, start: time, end: time
) -> None:
    if start == end:
        return
    quiet = QuietHours(start, end)
    # when
    allowed = leave_quiet(instant, ZoneInfo(zone), quiet)
    # then: not quiet, not before, and every moment in between is quiet
    assert allowed >= instant
    assert not quiet_at(allowed, zone, quiet)
    if allowed > instant:
        assert quiet_at(instant, zone, quiet)
        assert quiet_at(allowed - timedelta(microseconds=1), zone, quiet)
        minute = instant.replace(second=0, microsecond=0) + timedelta(minutes=1)
        while minute < allowed:
            assert quiet_at(minute, zone, quiet), minute
            minute += timedelta(minutes=1)


@given(instant=instants, zone=zones)
def test_without_quiet_hours_nothing_waits(instant: datetime, zone: str) -> None:
    assert leave_quiet(instant, ZoneInfo(zone), None) == instant


@given(st.data())
def test_leaving_quiet_hours_keeps_the_order_of_moments(data: st.DataObject) -> None:
    zone = data.draw(zones)
    first = data.draw(instants)
    second = first + timedelta(minutes=data.draw(st.integers(0, 3000)))
    assert leave_quiet(first, ZoneInfo(zone), NIGHT) <= leave_quiet(second, ZoneInfo(zone), NIGHT)
