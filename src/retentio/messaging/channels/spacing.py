"""A gap between two sends to the same recipient (Telegram asks for about one message a second per
chat), kept beside the provider's overall ``RateLimit``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

# Past this many remembered recipients, those whose gap has ended are forgotten.
_REMEMBERED = 10_000


class RecipientSpacing:
    """Each recipient's sends at least ``interval`` seconds apart; different recipients do not wait
    for each other. A send takes its slot before it sleeps, so concurrent sends to one chat queue up
    in slots instead of all waking at once."""

    def __init__(
        self,
        interval: float,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if interval < 0:
            raise ValueError(f"a spacing between sends cannot be negative, not {interval}")
        self._interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_free: dict[str, float] = {}

    async def wait_turn(self, recipient: str) -> None:
        now = self._monotonic()
        slot = max(now, self._next_free.get(recipient, now))
        self._next_free[recipient] = slot + self._interval
        if len(self._next_free) > _REMEMBERED:
            self._forget_before(now)
        if slot > now:
            await self._sleep(slot - now)

    def _forget_before(self, now: float) -> None:
        self._next_free = {key: free for key, free in self._next_free.items() if free > now}
