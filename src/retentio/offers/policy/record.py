"""A decision as logged: the row of ``offer_decisions`` read back as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from retentio.types.money import from_minor


@dataclass(frozen=True, slots=True)
class OfferDecision:
    id: int | None  # None for a preview, which is not logged
    customer_id: str
    occasion: str
    occasion_key: str | None
    offer: str  # nothing, percent, free_delivery, points, gift
    size: Decimal
    currency: str
    cost: Decimal
    code: str | None
    valid_until: datetime | None
    reasons: tuple[str, ...]
    experiment: str | None
    variant: str | None
    decided_at: datetime

    @property
    def size_text(self) -> str:
        """The size as people write it: "10", "12.5" (never "1E+1" nor "10.00")."""
        return f"{self.size.normalize():f}"

    @property
    def offer_text(self) -> str:
        """What is offered, as a marketer reads it: "10 % off", "300 points", "nothing"."""
        return {
            "percent": f"{self.size_text} % off",
            "points": f"{self.size_text} points",
            "free_delivery": "free delivery",
            "gift": "a gift",
        }.get(self.offer, "nothing")


def decision_of(row: Any) -> OfferDecision:
    return OfferDecision(
        id=row.id,
        customer_id=row.customer_id,
        occasion=row.occasion,
        occasion_key=row.occasion_key,
        offer=row.offer,
        size=Decimal(row.size),
        currency=row.currency,
        cost=from_minor(row.cost_minor, row.currency),
        code=row.code,
        valid_until=row.valid_until,
        reasons=tuple(row.reasons),
        experiment=row.experiment,
        variant=row.variant,
        decided_at=row.decided_at,
    )
