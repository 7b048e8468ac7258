from datetime import UTC, datetime, timedelta, timezone

import pytest

from retentio.clock import FixedClock, ensure_utc, parse_instant
from retentio.config import Settings, clock_from


def test_parse_instant_reads_offsets_z_and_bare_dates() -> None:
    assert parse_instant("2026-03-01T10:00:00+03:00") == datetime(2026, 3, 1, 7, tzinfo=UTC)
    assert parse_instant("2026-03-01T10:00:00Z") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_instant("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"), [("yesterday", "not an ISO 8601"), ("2026-03-01T10:00", "no UTC offset")]
)
def test_parse_instant_names_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_instant(text)


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 1, 1, 3, tzinfo=timezone(timedelta(hours=3))))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(days=1))
    assert clock.now() == datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="no UTC offset"):
        ensure_utc(datetime(2026, 1, 1))


def test_as_of_wins_over_the_environment() -> None:
    settings = Settings(now="2026-05-05T00:00:00Z")
    assert clock_from("2026-01-01", settings).now() == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock_from(None, settings).now() == datetime(2026, 5, 5, tzinfo=UTC)
