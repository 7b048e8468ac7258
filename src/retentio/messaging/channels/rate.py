"""A provider's rate limit: a token bucket shared by every send of one adapter in one process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


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
        async with self._lock:
            while (wait := self.wait_needed()) > 0:
                await asyncio.sleep(wait)
            self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """The provider said to slow down (a 429 with Retry-After): no token for ``seconds``."""
        self._refill()
        self._tokens = min(self._tokens, 1 - seconds * self._rate)
