"""What a customer's purchases add up to over a tier's qualification window, at a given instant."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from retentio.loyalty.tiers.definition import TierDefinition


@dataclass(frozen=True, slots=True)
class Purchase:
    """A qualifying purchase: a paid order, at its net amount (what returns left of it)."""

    at: datetime
    amount: Decimal


class Qualification:
    """A history sorted once, so each look at an instant costs two binary searches."""

    def __init__(self, definition: TierDefinition, history: Iterable[Purchase]) -> None:
        self.definition = definition
        ordered = sorted(history, key=lambda purchase: purchase.at)
        for purchase in ordered:
            if purchase.amount < 0:
                raise ValueError(
                    f"a purchase at {purchase.at.isoformat()} has a negative amount {purchase.amount}"
                )
        self.times = [purchase.at for purchase in ordered]
        counted = (
            (purchase.amount for purchase in ordered)
            if definition.measure == "spend"
            else (Decimal(1) for _ in ordered)
        )
        self._running = [Decimal(0), *accumulate(counted)]

    def window_start(self, at: datetime) -> datetime:
        """Purchases after this instant (and not after ``at``) count at ``at``."""
        if self.definition.window == "rolling":
            return at - timedelta(days=self.definition.window_days)
        local = at.astimezone(self.definition.zone)
        new_year = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        # The instant before the local new year, so a purchase at 00:00 on 1 January counts.
        return new_year - timedelta(microseconds=1)

    def window_end(self, at: datetime) -> datetime | None:
        """When the measure at ``at`` starts to shrink without new purchases: the oldest counted
        purchase leaves a rolling window, or a calendar year ends (None: nothing counts yet)."""
        if self.definition.window == "calendar_year":
            local = at.astimezone(self.definition.zone)
            next_year = local.replace(
                year=local.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
            )
            return next_year.astimezone(at.tzinfo)
        first = bisect_right(self.times, self.window_start(at))
        if first >= bisect_right(self.times, at):
            return None
        return self.times[first] + timedelta(days=self.definition.window_days)

    def measure(self, at: datetime) -> Decimal:
        first = bisect_right(self.times, self.window_start(at))
        last = bisect_right(self.times, at)
        return self._running[max(last, first)] - self._running[first]

    def purchase_times(self, after: datetime, until: datetime) -> list[datetime]:
        """Distinct purchase instants in (after, until], earliest first."""
        start = bisect_right(self.times, after)
        end = bisect_right(self.times, until)
        return sorted(set(self.times[start:end]))
