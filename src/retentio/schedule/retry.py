"""After a failed attempt: when to try again, or that the row is dead. Pure, with the random draw
injected so tests see exact times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from retentio.schedule.kinds import Backoff, Kind
from retentio.schedule.work import DueWork

# 2^40 times any sensible first delay is beyond every cap; the exponent stops there.
MAX_DOUBLINGS = 40


def retry_delay(attempt: int, backoff: Backoff, draw: Callable[[], float]) -> timedelta:
    """The wait after failed attempt ``attempt`` (1-based): half the capped exponential delay plus a
    random part of the other half, so rows failing together do not retry together."""
    doublings = min(max(attempt - 1, 0), MAX_DOUBLINGS)
    ceiling = min(backoff.first.total_seconds() * 2.0**doublings, backoff.longest.total_seconds())
    return timedelta(seconds=ceiling / 2 + ceiling / 2 * draw())


def retry_at(work: DueWork, kind: Kind, now: datetime, draw: Callable[[], float]) -> datetime | None:
    """When ``work`` runs again after failing at ``now``; ``None`` when its attempts are spent."""
    if work.attempts >= kind.max_attempts:
        return None
    return now + retry_delay(work.attempts, kind.backoff, draw)
