from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.messaging.decide.builders import (
    MARKETING,
    TRANSACTIONAL,
    TRIGGER,
    at,
    instants,
    local,
    quiet_at,
    rules,
    sending_rules,
)

from retentio.messaging.content import Kind
from retentio.messaging.decide import QuietHours, WaitReason, send_time
from retentio.messaging.decide.quiet import leave_quiet

MOSCOW = ZoneInfo("Europe/Moscow")
NONE = (0,) * 24


def peak(*hours_utc: int, count: int = 20) -> tuple[int, ...]:
    histogram = [1] * 24
    for hour in hours_utc:
        histogram[hour] = count
    return tuple(histogram)


def test_marketing_waits_for_the_best_hour_later_today() -> None:
    # given a customer most active at 16 UTC, 19:00 in Moscow
    earliest = local("2026-06-01T10:00", "Europe/Moscow")
    # when
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), MARKETING, peak(16), None)
    # then
    assert timing is not None
    assert timing.at == local("2026-06-01T19:00", "Europe/Moscow")
    assert timing.held_by is WaitReason.BEST_HOUR
    assert not timing.fallback_hour


def test_inside_the_best_hour_it_goes_now() -> None:
    earliest = local("2026-06-01T19:20", "Europe/Moscow")
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), MARKETING, peak(16), None)
    assert timing is not None
    assert (timing.at, timing.held_by) == (earliest, None)


def test_after_the_best_hour_it_waits_for_the_next_days() -> None:
    earliest = local("2026-06-01T20:05", "Europe/Moscow")
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), MARKETING, peak(16), None)
    assert timing is not None
    assert timing.at == local("2026-06-02T19:00", "Europe/Moscow")


def test_the_histogram_counts_utc_hours_so_the_local_hour_follows_summer_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    summer = send_time(at("2026-07-01T06:00"), berlin, rules(best_hour=True), MARKETING, peak(17), None)
    winter = send_time(at("2026-01-10T06:00"), berlin, rules(best_hour=True), MARKETING, peak(17), None)
    assert summer is not None and winter is not None
    assert summer.at == local("2026-07-01T19:00", "Europe/Berlin")
    assert winter.at == local("2026-01-10T18:00", "Europe/Berlin")


def test_a_half_hour_zone_gets_a_half_hour_slot() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    timing = send_time(at("2026-06-01T04:00"), kolkata, rules(best_hour=True), MARKETING, peak(13), None)
    assert timing is not None
    assert timing.at == local("2026-06-01T18:30", "Asia/Kolkata")


def test_a_busiest_hour_inside_quiet_hours_gives_way_to_the_next_busiest() -> None:
    # 19 UTC is 22:00 in Moscow (quiet); 8 UTC (11:00) is the next busiest.
    histogram = list(peak(19, count=30))
    histogram[8] = 12
    earliest = local("2026-06-01T12:00", "Europe/Moscow")
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), MARKETING, tuple(histogram), None)
    assert timing is not None
    assert timing.at == local("2026-06-02T11:00", "Europe/Moscow")


def test_equally_busy_hours_the_next_to_come_wins() -> None:
    earliest = local("2026-06-01T12:00", "Europe/Moscow")
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), MARKETING, peak(7, 14), None)
    assert timing is not None
    assert timing.at == local("2026-06-01T17:00", "Europe/Moscow")  # 14 UTC, before tomorrow's 10:00


def test_with_too_little_history_the_fallback_hour_is_used() -> None:
    earliest = local("2026-06-01T09:30", "Europe/Moscow")
    few = tuple(1 if hour == 16 else 0 for hour in range(24))
    timing = send_time(earliest, MOSCOW, rules(best_hour=True, min_events=5), MARKETING, few, None)
    assert timing is not None
    assert timing.at == local("2026-06-01T11:00", "Europe/Moscow")
    assert timing.fallback_hour


def test_a_best_hour_after_the_validity_gives_way_to_the_earliest_allowed_moment() -> None:
    earliest = local("2026-06-01T10:00", "Europe/Moscow")
    valid_until = local("2026-06-01T15:00", "Europe/Moscow")
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), MARKETING, peak(16), valid_until)
    assert timing is not None
    assert (timing.at, timing.held_by) == (earliest, None)


def test_quiet_hours_past_the_validity_mean_no_time_at_all() -> None:
    earliest = local("2026-06-01T23:00", "Europe/Moscow")
    valid_until = local("2026-06-02T08:00", "Europe/Moscow")
    assert send_time(earliest, MOSCOW, rules(), TRIGGER, NONE, valid_until) is None


def test_a_trigger_goes_as_soon_as_quiet_hours_end_without_a_best_hour() -> None:
    earliest = local("2026-06-01T23:00", "Europe/Moscow")
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), TRIGGER, peak(16), None)
    assert timing is not None
    assert timing.at == local("2026-06-02T09:00", "Europe/Moscow")
    assert timing.held_by is WaitReason.QUIET_HOURS


def test_transactional_goes_in_the_middle_of_the_night() -> None:
    earliest = local("2026-06-01T03:00", "Europe/Moscow")
    timing = send_time(earliest, MOSCOW, rules(best_hour=True), TRANSACTIONAL, peak(16), None)
    assert timing is not None
    assert (timing.at, timing.held_by) == (earliest, None)


def test_a_fallback_hour_inside_quiet_hours_is_no_best_hour() -> None:
    early = rules(best_hour=True, fallback_hour=time(7), quiet=QuietHours(time(22), time(8)))
    noon = local("2026-06-01T12:00", "Europe/Moscow")
    timing = send_time(noon, MOSCOW, early, MARKETING, NONE, None)
    assert timing is not None
    assert (timing.at, timing.held_by, timing.fallback_hour) == (noon, None, False)


@settings(max_examples=400, deadline=None)
@given(
    the_rules=sending_rules(),
    earliest=instants,
    kind=st.sampled_from(Kind),
    histogram=st.lists(st.integers(0, 30), min_size=24, max_size=24).map(tuple),
    validity_minutes=st.one_of(st.none(), st.integers(0, 4 * 24 * 60)),
)
def test_the_send_time_is_never_quiet_never_early_and_never_past_validity(
    the_rules, earliest: datetime, kind: Kind, histogram: tuple[int, ...], validity_minutes: int | None
) -> None:
    zone = ZoneInfo(the_rules.timezone)
    valid_until = None if validity_minutes is None else earliest + timedelta(minutes=validity_minutes)
    # when
    timing = send_time(earliest, zone, the_rules, kind, histogram, valid_until)
    # then
    allowed = leave_quiet(earliest, zone, the_rules.quiet_hours)
    if kind is TRANSACTIONAL:
        assert timing is not None and timing.at == earliest
        return
    if valid_until is not None and allowed > valid_until:
        assert timing is None
        return
    assert timing is not None
    assert timing.at >= allowed  # never before the first moment quiet hours allow
    assert not quiet_at(timing.at, the_rules.timezone, the_rules.quiet_hours)
    assert valid_until is None or timing.at <= valid_until
    if not (the_rules.best_hour and kind in the_rules.best_hour_kinds):
        assert timing.at == allowed  # no best hour: the earliest allowed moment
    else:
        assert timing.at - earliest < timedelta(days=2)  # a best hour comes round every day


@settings(max_examples=200, deadline=None)
@given(the_rules=sending_rules(), earliest=instants)
def test_asking_again_at_the_time_given_gives_the_same_time(the_rules, earliest: datetime) -> None:
    zone = ZoneInfo(the_rules.timezone)
    first = send_time(earliest, zone, the_rules, MARKETING, peak(3, 16), None)
    assert first is not None
    again = send_time(first.at, zone, the_rules, MARKETING, peak(3, 16), None)
    assert again is not None
    assert again.at == first.at
