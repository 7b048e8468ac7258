"""A provider's rate limit: a token bucket shared by every send of one adapter in one process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

# A send waits at most this long for its turn: a provider that asked for a long pause (a 429 with
# Retry-After) must not keep a batch — and the worker's lease on it — waiting with it.
LONGEST_WAIT = 5.0


class RateLimited(Exception):
    """No turn within ``LONGEST_WAIT``: the send should be tried again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the provider's rate limit has no room for {retry_after:.0f} s")
        self.retry_after = retry_after


class RateLimit:
    """At most ``per_second`` sends a second on average, ``burst`` at once."""

    def __init__(
        self,
        per_second: float,
        burst: int = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError(f"a rate limit needs per_second > 0 and burst >= 1, not {per_second}/{burst}")
        self._rate = per_second
        self._burst = float(burst)
        self._tokens = float(burst)
        self._monotonic = monotonic
        self._updated = monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def wait_needed(self) -> float:
        """Seconds until a token is free (0: one is free now); takes nothing."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate

    async def acquire(self) -> None:
        """Wait for a turn; ``RateLimited`` when it is further away than ``LONGEST_WAIT``."""
        async with self._lock:
            while (wait := self.wait_needed()) > 0:
                if wait > LONGEST_WAIT:
                    raise RateLimited(wait)
                await asyncio.sleep(wait)
            self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """The provider said to slow down (a 429 with Retry-After): no token for ``seconds``."""
        self._refill()
        self._tokens = min(self._tokens, 1 - seconds * self._rate)
