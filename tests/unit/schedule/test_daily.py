"""When the daily upkeep is due, decided from an injected "now" alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from retentio.clock import FixedClock
from retentio.schedule.daily import due_date, next_run_at, scheduled_date

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3, no DST
BERLIN = ZoneInfo("Europe/Berlin")
AT_THREE = time(3, 0)


def test_before_the_run_time_the_scheduled_date_is_yesterday() -> None:
    # given: 02:59 in Moscow on 1 June
    clock = FixedClock(datetime(2026, 5, 31, 23, 59, tzinfo=UTC))
    # then
    assert scheduled_date(clock.now(), AT_THREE, MOSCOW) == date(2026, 5, 31)
    clock.advance(datetime(2026, 6, 1, 0, 0, tzinfo=UTC) - clock.now())
    assert scheduled_date(clock.now(), AT_THREE, MOSCOW) == date(2026, 6, 1)


def test_a_run_is_due_once_per_local_date() -> None:
    now = datetime(2026, 6, 1, 0, 30, tzinfo=UTC)  # 03:30 in Moscow
    assert due_date(now, AT_THREE, MOSCOW, last_run=None) == date(2026, 6, 1)
    assert due_date(now, AT_THREE, MOSCOW, last_run=date(2026, 5, 31)) == date(2026, 6, 1)
    assert due_date(now, AT_THREE, MOSCOW, last_run=date(2026, 6, 1)) is None


def test_a_day_missed_while_the_worker_was_down_runs_at_once() -> None:
    # given: last ran on 28 May; back at 01:00 on 1 June, before the run time
    now = datetime(2026, 5, 31, 22, 0, tzinfo=UTC)
    # then: 31 May's run is due now, and 1 June's comes at 03:00
    assert due_date(now, AT_THREE, MOSCOW, last_run=date(2026, 5, 28)) == date(2026, 5, 31)
    assert next_run_at(now, AT_THREE, MOSCOW) == datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


def test_the_run_time_follows_daylight_saving() -> None:
    # 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer
    winter = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    summer = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    assert next_run_at(winter, AT_THREE, BERLIN) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert next_run_at(summer, AT_THREE, BERLIN) == datetime(2026, 3, 30, 1, 0, tzinfo=UTC)


def test_a_run_time_skipped_by_the_clock_change_runs_after_the_jump() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026 (02:00 jumps to 03:00)
    before = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)  # 01:59 local, winter time
    assert due_date(before, time(2, 30), BERLIN, last_run=date(2026, 3, 28)) is None
    after = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 local, summer time
    assert due_date(after, time(2, 30), BERLIN, last_run=date(2026, 3, 28)) == date(2026, 3, 29)
