from __future__ import annotations

import asyncio

import pytest

from retentio.messaging.channels.rate import RateLimit, RateLimited


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_free_then_tokens_come_back_at_the_rate() -> None:
    time = FakeTime()
    limit = RateLimit(per_second=10, burst=3, monotonic=time)
    for _ in range(3):
        assert limit.wait_needed() == 0
        asyncio.run(limit.acquire())
    assert limit.wait_needed() == pytest.approx(0.1)
    time.now = 0.25
    assert limit.wait_needed() == 0  # 2.5 tokens back


def test_a_pause_holds_every_token_for_that_long() -> None:
    time = FakeTime()
    limit = RateLimit(per_second=30, burst=30, monotonic=time)
    limit.pause(2.0)
    assert limit.wait_needed() == pytest.approx(2.0)
    time.now = 2.1
    assert limit.wait_needed() == 0


def test_a_limit_that_lets_nothing_through_is_refused() -> None:
    with pytest.raises(ValueError, match="per_second > 0"):
        RateLimit(per_second=0)


def test_a_turn_further_away_than_the_longest_wait_is_refused_with_when_to_try_again() -> None:
    time = FakeTime()
    limit = RateLimit(per_second=10, burst=1, monotonic=time)
    limit.pause(60)
    with pytest.raises(RateLimited) as refused:
        asyncio.run(limit.acquire())
    assert refused.value.retry_after == pytest.approx(60)
