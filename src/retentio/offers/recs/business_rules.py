"""The business rules every recommendation list passes through, whatever produced it: only products
the catalogue still has, active and in stock (the catalogue's ``attributes.active`` and
``attributes.in_stock``; absent means yes), at or above the margin floor, not what the customer
returned, not what the customer bought lately unless it is a consumable that is due again, not the
items the list is about, and at most a few per category."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # products whose margin (share of the price) is below this are not recommended; unknown margins pass
    margin_floor: Annotated[Decimal, Field(ge=0, le=1)] = Decimal(0)
    max_per_category: Annotated[int, Field(ge=1, le=1000)] = 3
    # a consumable bought before comes back this many days before its consumption period ends
    consumable_lead_days: Annotated[int, Field(ge=0, le=365)] = 7
    # what counts as "just bought": purchases in these last days are not recommended again
    recent_days: Annotated[int, Field(ge=0, le=3650)] = 365


@dataclass(frozen=True, slots=True)
class Candidate:
    sku: str
    score: float
    kind: str  # bought_together, complement, upsell, next, similar, next_basket, popular
    reason: str


@dataclass(frozen=True, slots=True)
class ProductFacts:
    name: str
    category: str | None
    margin: Decimal | None
    consumption_days: int | None
    active: bool = True
    in_stock: bool = True


@dataclass(frozen=True, slots=True)
class History:
    """What the customer bought (last time per SKU) and returned."""

    last_bought: dict[str, datetime] = field(default_factory=dict)
    returned: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Recommendation:
    sku: str
    name: str
    score: float
    kind: str
    reason: str


def apply_rules(
    candidates: list[Candidate],
    catalogue: dict[str, ProductFacts],
    history: History,
    exclude: set[str],
    rules: Rules,
    now: datetime,
    limit: int,
) -> list[Recommendation]:
    """The best-scored candidates that pass, each SKU once, in score order."""
    chosen: list[Recommendation] = []
    per_category: dict[str | None, int] = {}
    seen: set[str] = set()
    for candidate in sorted(candidates, key=lambda c: (-c.score, c.sku)):
        if len(chosen) >= limit:
            break
        facts = catalogue.get(candidate.sku)
        if candidate.sku in seen or candidate.sku in exclude or facts is None:
            continue
        if not _sellable(facts, rules) or candidate.sku in history.returned:
            continue
        if not _may_buy_again(candidate.sku, facts, history, rules, now):
            continue
        if facts.category is not None and per_category.get(facts.category, 0) >= rules.max_per_category:
            continue
        seen.add(candidate.sku)
        per_category[facts.category] = per_category.get(facts.category, 0) + 1
        chosen.append(
            Recommendation(candidate.sku, facts.name, candidate.score, candidate.kind, candidate.reason)
        )
    return chosen


def _sellable(facts: ProductFacts, rules: Rules) -> bool:
    margin_ok = facts.margin is None or facts.margin >= rules.margin_floor
    return facts.active and facts.in_stock and margin_ok


def _may_buy_again(sku: str, facts: ProductFacts, history: History, rules: Rules, now: datetime) -> bool:
    bought = history.last_bought.get(sku)
    if bought is None or bought < now - timedelta(days=rules.recent_days):
        return True
    if facts.consumption_days is None:
        return False
    return bought + timedelta(days=facts.consumption_days - rules.consumable_lead_days) <= now
