"""Budget periods: the start of the day, ISO week or month holding an instant, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from retentio.offers.policy.budget import period_start


def test_periods_start_at_midnight_utc() -> None:
    at = datetime(2026, 12, 7, 2, 30, tzinfo=timezone(timedelta(hours=3)))  # 6 Dec 23:30 UTC
    assert period_start("day", at) == (datetime(2026, 12, 6, tzinfo=UTC), "2026-12-06")
    assert period_start("week", at) == (datetime(2026, 11, 30, tzinfo=UTC), "2026-W49")
    assert period_start("month", at) == (datetime(2026, 12, 1, tzinfo=UTC), "2026-12")
    with pytest.raises(ValueError, match="unknown budget period 'year'"):
        period_start("year", at)
