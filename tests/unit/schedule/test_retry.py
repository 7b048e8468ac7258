"""Backoff after a failure: exponential, capped, with a random half; dead once attempts are spent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from retentio.schedule.kinds import Backoff, Delivery, Kind
from retentio.schedule.retry import retry_at, retry_delay
from retentio.schedule.work import DueWork

BACKOFF = Backoff(first=timedelta(seconds=5), longest=timedelta(hours=1))
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_the_delay_doubles_per_attempt_up_to_the_cap() -> None:
    # with the draw at its top the delay is the whole ceiling
    delays = [retry_delay(attempt, BACKOFF, lambda: 1.0) for attempt in (1, 2, 3, 10, 11, 500)]
    assert [delay.total_seconds() for delay in delays] == [5, 10, 20, 2560, 3600, 3600]


def test_the_random_part_is_the_upper_half() -> None:
    assert retry_delay(3, BACKOFF, lambda: 0.0) == timedelta(seconds=10)
    assert retry_delay(3, BACKOFF, lambda: 0.5) == timedelta(seconds=15)


@given(attempt=st.integers(min_value=1, max_value=10_000), draw=st.floats(min_value=0, max_value=1))
def test_every_delay_is_between_half_the_first_and_the_cap(attempt: int, draw: float) -> None:
    delay = retry_delay(attempt, BACKOFF, lambda: draw)
    assert BACKOFF.first / 2 <= delay <= BACKOFF.longest


def test_a_row_with_attempts_left_retries_and_one_without_is_dead() -> None:
    kind = Kind("send", lambda job: None, Delivery.AT_LEAST_ONCE, max_attempts=3, backoff=BACKOFF)
    work = DueWork(1, "send", "m1", "running", NOW, {}, attempts=2)
    assert retry_at(work, kind, NOW, lambda: 0.0) == NOW + timedelta(seconds=5)
    assert retry_at(DueWork(1, "send", "m1", "running", NOW, {}, attempts=3), kind, NOW, lambda: 0.0) is None
