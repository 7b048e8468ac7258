""" "What you need for the next tier": the amount or the number of orders still missing, and until when
that figure holds (after it, purchases leave the window and more is needed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from retentio.loyalty.tiers.definition import TierDefinition
from retentio.loyalty.tiers.evaluation import TierStatus
from retentio.loyalty.tiers.measure import Purchase, Qualification


@dataclass(frozen=True, slots=True)
class NextTier:
    level: str
    measure: Literal["spend", "orders"]
    # Currency units of spend, or orders, still missing.
    needed: Decimal
    # The figure holds for purchases made before this instant (None: it does not change with time).
    by: datetime | None


def next_tier(
    definition: TierDefinition, history: Iterable[Purchase], status: TierStatus, now: datetime
) -> NextTier | None:
    """What lifts ``status`` one level, or None at the top."""
    rank = definition.rank(status.level)
    if rank + 1 >= len(definition.levels):
        return None
    target = definition.levels[rank + 1]
    qualification = Qualification(definition, history)
    needed = max(target.threshold - qualification.measure(now), Decimal(0))
    return NextTier(target.id, definition.measure, needed, qualification.window_end(now))
