from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from tests.unit.messaging.decide.builders import at

from retentio.messaging.decide.zones import day_start, wall_instant, zone_named

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_reading_that_exists_once_is_that_instant() -> None:
    assert wall_instant(BERLIN, date(2024, 6, 1), time(9)) == at("2024-06-01T07:00")
    assert wall_instant(MOSCOW, date(2024, 6, 1), time(9)) == at("2024-06-01T06:00")


def test_a_reading_the_clock_skips_is_the_moment_it_jumps_past_it() -> None:
    # Berlin, 31 March 2024: 02:00 CET became 03:00 CEST at 01:00 UTC.
    assert wall_instant(BERLIN, date(2024, 3, 31), time(2, 30)) == at("2024-03-31T01:00")
    # Moscow's last spring jump, 27 March 2011 (02:00 MSK → 03:00, +4 all year from then on).
    assert wall_instant(MOSCOW, date(2011, 3, 27), time(2, 30)) == at("2011-03-26T23:00")


def test_a_reading_the_clock_shows_twice_is_the_first_unless_that_one_is_past() -> None:
    # Moscow, 26 October 2014: 02:00 (+4) went back to 01:00 (+3), so 01:30 happened twice.
    day = date(2014, 10, 26)
    assert wall_instant(MOSCOW, day, time(1, 30)) == at("2014-10-25T21:30")
    assert wall_instant(MOSCOW, day, time(1, 30), not_before=at("2014-10-25T21:45")) == at("2014-10-25T22:30")
    assert wall_instant(MOSCOW, day, time(1, 30), not_before=at("2014-10-25T22:45")) is None


def test_a_day_whose_midnight_the_clock_skips_starts_when_it_jumps() -> None:
    # São Paulo started summer time at midnight: 4 November 2018 began at 01:00 (-02).
    assert day_start(ZoneInfo("America/Sao_Paulo"), date(2018, 11, 4)) == at("2018-11-04T03:00")
    # Samoa skipped 30 December 2011 altogether.
    apia = ZoneInfo("Pacific/Apia")
    assert (
        day_start(apia, date(2011, 12, 30)) == day_start(apia, date(2011, 12, 31)) == at("2011-12-30T10:00")
    )


def test_a_name_that_is_no_zone_is_none() -> None:
    assert zone_named("Europe/Moscow") is MOSCOW
    assert zone_named("Mars/Olympus_Mons") is None
    assert zone_named("../../etc/passwd") is None
    assert zone_named("") is None
