"""The policy's plain data: what is known about a customer, how much of the budget is spent, and the
offer decided with the reasons that drove it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

Kind = Literal["nothing", "percent", "free_delivery", "points", "gift"]
Propensity = Literal["discount_seeker", "novelty_seeker", "neutral"]


@dataclass(frozen=True, slots=True)
class CustomerOfferFacts:
    customer_id: str
    orders: int  # counted orders so far: the first purchase is not the tenth
    revenue: Decimal  # what the customer brought, net of returns
    average_check: Decimal | None  # None: no order yet
    usual_interval_days: float | None
    expected_value: Decimal | None  # the CLV models' 12 months; None: not fitted for them
    p_alive: float | None
    reward_propensity: Propensity
    margin: Decimal | None  # share of the price kept on what they buy; None: unknown
    bad_customer: bool = False
    do_not_incentivize: bool = False
    active_on: tuple[str, ...] = ()  # where they were seen (web, app, email…)
    days_since_last_order: float | None = None


@dataclass(frozen=True, slots=True)
class BudgetState:
    """Money the period's offers have cost so far (issued, not redeemed)."""

    occasion_spent: Decimal
    overall_spent: Decimal
    period: str  # e.g. "2026-12" for a month, for the reasons


@dataclass(frozen=True, slots=True)
class Offer:
    kind: Kind
    size: Decimal  # percent off, points; 1 for a free delivery or a gift; 0 for nothing
    cost: Decimal  # its value in money, what the budget counts
    valid_until: datetime | None  # the last instant a code works; None for nothing and points

    @property
    def is_nothing(self) -> bool:
        return self.kind == "nothing"


NOTHING = Offer("nothing", Decimal(0), Decimal(0), None)


@dataclass(frozen=True, slots=True)
class Decision:
    offer: Offer
    reasons: tuple[str, ...]  # each with the figure that drove it
