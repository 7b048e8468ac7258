"""A lot's dates: pending for the return window, then expiring after a period or at a quarter's end;
and everything after a stretch without purchases."""

from __future__ import annotations

from datetime import UTC, datetime

from retentio.loyalty import Programme, expired_by_inactivity, inactivity_expiry, lot_dates
from retentio.loyalty.programmes.settings import Expiry


def test_a_fixed_period_counts_from_when_points_become_available(club: Programme) -> None:
    fixed = club.model_copy(update={"expiry": Expiry(after_days=365)})
    dates = lot_dates(fixed, datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert (dates.activates_at, dates.expires_at) == (
        datetime(2026, 3, 15, 12, 0, tzinfo=UTC),
        datetime(2027, 3, 15, 12, 0, tzinfo=UTC),
    )


def test_quarters_after_zero_is_the_end_of_the_same_quarter_in_the_programme_s_zone(club: Programme) -> None:
    quarterly = club.model_copy(update={"expiry": Expiry(quarters_after=0), "pending_days": 0})
    # 30 September 22:00 UTC is 1 October in Moscow: the fourth quarter there
    assert lot_dates(quarterly, datetime(2026, 9, 30, 22, 0, tzinfo=UTC)).expires_at == datetime(
        2026, 12, 31, 21, 0, tzinfo=UTC
    )
    assert lot_dates(quarterly, datetime(2026, 9, 30, 20, 0, tzinfo=UTC)).expires_at == datetime(
        2026, 9, 30, 21, 0, tzinfo=UTC
    )


def test_without_a_rule_a_lot_does_not_expire(club: Programme) -> None:
    never = club.model_copy(update={"expiry": Expiry()})
    assert lot_dates(never, datetime(2026, 1, 1, tzinfo=UTC)).expires_at is None


def test_inactivity_takes_every_point_n_days_after_the_last_purchase(club: Programme) -> None:
    idle = club.model_copy(update={"expiry": Expiry(inactive_days=180)})
    last = datetime(2026, 1, 1, tzinfo=UTC)
    assert inactivity_expiry(idle, last) == datetime(2026, 6, 30, tzinfo=UTC)
    assert not expired_by_inactivity(idle, last, datetime(2026, 6, 29, 23, 59, tzinfo=UTC))
    assert expired_by_inactivity(idle, last, datetime(2026, 6, 30, tzinfo=UTC))
    assert inactivity_expiry(club, last) is None  # the worked example has no inactivity rule
    assert inactivity_expiry(idle, None) is None
