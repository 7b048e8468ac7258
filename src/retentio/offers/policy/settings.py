"""The offer policy as its settings file states it, validated: what an offer may cost (caps by a
customer's expected value, a margin floor, budgets per period), and per occasion which kinds of
offer fit, their sizes and how long a code stays valid. ``loading.py`` reads the file; ``decide``
takes one ``PolicySettings``."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from retentio.types.money import is_currency

Occasion = Literal[
    "win_back",
    "cart",
    "viewed",
    "birthday",
    "anniversary",
    "replenishment",
    "post_purchase",
    "subscription_renewal",
]
OCCASIONS: tuple[str, ...] = get_args(Occasion)
OfferKind = Literal["percent", "free_delivery", "points", "gift"]
Percent = Annotated[Decimal, Field(gt=0, le=100)]
Share = Annotated[Decimal, Field(ge=0, le=1)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))]
Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueCap(_Settings):
    """From this expected value (12 months) up, a discount is at most ``max_percent``."""

    from_value: Money
    max_percent: Percent


class Budget(_Settings):
    """Money the offers of a period may cost (the value of offers issued, not redeemed)."""

    period: Literal["day", "week", "month"] = "month"
    overall: Money | None = None  # None: no overall limit


class OccasionRule(_Settings):
    kinds: tuple[OfferKind, ...] = Field(min_length=1)  # in order of preference for a neutral customer
    percent: Percent = Decimal(10)  # the usual discount
    max_percent: Percent = Decimal(15)  # what a discount-seeker may get at most
    points: Annotated[int, Field(ge=1, le=1_000_000)] = 200
    validity_days: Annotated[int, Field(ge=1, le=365)] = 7  # FOMO: the code's life
    budget: Money | None = None  # per period; None: only the overall budget applies

    @model_validator(mode="after")
    def _sizes(self) -> OccasionRule:
        if self.percent > self.max_percent:
            raise ValueError("percent is above max_percent")
        return self


class Variant(_Settings):
    weight: Annotated[Decimal, Field(gt=0, le=1000)] = Decimal(1)
    # A fixed offer for the arm; without it the policy decides as for everyone.
    kind: OfferKind | None = None
    size: Annotated[Decimal, Field(gt=0, le=1_000_000)] | None = None

    @model_validator(mode="after")
    def _both(self) -> Variant:
        if (self.kind is None) != (self.size is None):
            raise ValueError("give kind and size together, or neither (the policy decides)")
        if self.kind == "percent" and self.size is not None and self.size > 100:
            raise ValueError("a percent is at most 100")
        return self


class Experiment(_Settings):
    """Variants of an occasion's offer and a holdout that gets nothing (OFF-10)."""

    id: Name
    holdout: Annotated[Decimal, Field(ge=0, lt=1)] = Decimal("0.1")
    variants: dict[Name, Variant] = Field(min_length=1)
    window_days: Annotated[int, Field(ge=1, le=365)] = 14  # an order this soon after converts


class PolicySettings(_Settings):
    currency: str = "RUB"
    min_p_alive: Share = Decimal("0.1")  # below: the customer is taken as gone
    win_back_max_percent_when_gone: Percent = Decimal(5)  # win-back is the last try even so
    # A win-back waits until the customer is this many of their usual intervals late.
    win_back_min_lapse: Annotated[Decimal, Field(ge=0, le=100)] = Decimal("1.5")
    value_share: Share = Decimal("0.1")  # an offer costs at most this share of expected value
    value_caps: tuple[ValueCap, ...] = Field(min_length=1)
    margin_floor: Share = Decimal("0.15")  # margin kept after the discount, a share of the price
    min_percent: Percent = Decimal(3)  # smaller discounts are not offered
    free_delivery_cost: Money = Decimal(300)
    point_value: Annotated[Decimal, Field(gt=0)] = Decimal(1)  # money per point, for costs
    points_programme: Name = "club"
    gift_sku: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    gift_cost: Money = Decimal(0)
    default_check: Money = Decimal(2000)  # for a customer without orders yet
    budget: Budget = Budget()
    occasions: dict[Occasion, OccasionRule]
    experiments: dict[Occasion, Experiment] = {}

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError(f"unknown currency {value!r}: give an ISO 4217 code such as RUB")
        return value

    @field_validator("value_caps")
    @classmethod
    def _ascending(cls, caps: tuple[ValueCap, ...]) -> tuple[ValueCap, ...]:
        if caps[0].from_value != 0:
            raise ValueError("the first cap starts at from_value = 0")
        if any(a.from_value >= b.from_value for a, b in pairwise(caps)):
            raise ValueError("caps are listed by rising from_value")
        return caps

    @model_validator(mode="after")
    def _gift(self) -> PolicySettings:
        for name, rule in self.occasions.items():
            if "gift" in rule.kinds and self.gift_sku is None:
                raise ValueError(f"occasions.{name} offers a gift: set gift_sku")
        for name in self.experiments:
            if name not in self.occasions:
                raise ValueError(f"experiments.{name}: no such occasion under [occasions]")
        return self

    def rule(self, occasion: str) -> OccasionRule | None:
        return next((rule for name, rule in self.occasions.items() if name == occasion), None)

    def experiment(self, occasion: str) -> Experiment | None:
        return next((found for name, found in self.experiments.items() if name == occasion), None)

    def value_cap(self, expected_value: Decimal) -> Decimal:
        """The band's cap; a value below 0 (more returned than bought) is in the first band."""
        reached = (cap.max_percent for cap in reversed(self.value_caps) if expected_value >= cap.from_value)
        return next(reached, self.value_caps[0].max_percent)
