from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import TypeAdapter, ValidationError

from retentio.clock import FixedClock, Instant, ensure_utc, parse_instant
from retentio.config import Settings, clock_from


def test_parse_instant_reads_offsets_z_and_bare_dates() -> None:
    assert parse_instant("2026-03-01T10:00:00+03:00") == datetime(2026, 3, 1, 7, tzinfo=UTC)
    assert parse_instant("2026-03-01T10:00:00Z") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_instant("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday", "not an ISO 8601"),
        ("2026-03-01T10:00", "no UTC offset"),
        ("9999-12-31T23:00:00-02:00", "out of range"),
        ("0001-01-01T00:00:00+23:59", "out of range"),
        ("1899-12-31", "out of range"),
        ("3000-01-01T00:00:00Z", "out of range"),
    ],
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


@pytest.mark.parametrize("value", [12345, 1.5, "1700000000", "1700000000.5", "-1700000000"])
def test_an_instant_is_iso_text_not_unix_seconds(value: object) -> None:
    with pytest.raises(ValidationError, match="ISO 8601"):
        TypeAdapter(Instant).validate_python(value)


def test_an_instant_is_turned_to_utc() -> None:
    at = TypeAdapter(Instant).validate_python("2026-03-01T10:00:00+03:00")
    assert (at, at.tzinfo) == (datetime(2026, 3, 1, 7, tzinfo=UTC), UTC)
