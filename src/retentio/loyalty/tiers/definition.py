"""A programme's tiers as its settings file states them: the levels, what qualifies for each, and when a
tier is reviewed.

    [programmes.club.tiers]
    measure = "spend"            # or "orders"
    window = "rolling"           # the last window_days days; or "calendar_year"
    window_days = 365
    review_every_months = 12
    review_from = "tier_start"   # or "enrolment": everyone on the dates of their enrolment
    grace_days = 30

    [[programmes.club.tiers.levels]]
    id = "silver"
    threshold = 30000            # currency units of spend (or a number of orders)
    multiplier = 1.5
    privileges = ["free_delivery"]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")]


class Level(BaseModel):
    """One tier: reached when the measure over the window is at least ``threshold``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Name
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    threshold: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))]
    # Points earned on an order are multiplied by this (1.5: half as many again).
    multiplier: Annotated[Decimal, Field(gt=0, le=100)] = Decimal(1)
    # A privilege that changes a decision: points may pay this share of an order instead of the
    # programme's own maximum.
    max_redeem_share_percent: Annotated[Decimal, Field(gt=0, le=100)] | None = None
    # Named privileges other parts act on (free delivery, early access) and a text for customers.
    privileges: tuple[Name, ...] = ()
    description: Annotated[str, StringConstraints(max_length=2000)] = ""

    @property
    def title(self) -> str:
        return self.name or self.id


class TierDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    measure: Literal["spend", "orders"] = "spend"
    window: Literal["rolling", "calendar_year"] = "rolling"
    window_days: Annotated[int, Field(ge=1, le=3660)] = 365
    review_every_months: Annotated[int, Field(ge=1, le=120)] = 12
    review_from: Literal["tier_start", "enrolment"] = "tier_start"
    grace_days: Annotated[int, Field(ge=0, le=365)] = 30
    # Calendar years and review dates are counted in this zone (the programme's, unless given).
    timezone: str = "UTC"
    levels: Annotated[tuple[Level, ...], Field(min_length=1, max_length=50)]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Moscow") from None
        return value

    @model_validator(mode="after")
    def _levels_in_order(self) -> TierDefinition:
        if self.levels[0].threshold != 0:
            raise ValueError("the first level's threshold must be 0: every member holds a tier")
        for lower, higher in zip(self.levels, self.levels[1:], strict=False):
            if higher.threshold <= lower.threshold:
                raise ValueError(
                    f"level {higher.id!r} must need more than {lower.id!r} "
                    f"({higher.threshold} <= {lower.threshold}): list levels from lowest to highest"
                )
        ids = [level.id for level in self.levels]
        duplicates = sorted({name for name in ids if ids.count(name) > 1})
        if duplicates:
            raise ValueError(f"level {duplicates[0]!r} is defined twice")
        if self.grace_days >= self.review_every_months * 28:
            raise ValueError("grace_days must be shorter than the review period")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def level(self, level_id: str) -> Level:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(f"no tier {level_id!r}: the levels are {', '.join(self.ids)}")

    def rank(self, level_id: str) -> int:
        return self.ids.index(self.level(level_id).id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    def qualifying(self, measure: Decimal) -> Level:
        """The highest level whose threshold ``measure`` reaches."""
        reached = self.levels[0]
        for level in self.levels:
            if measure >= level.threshold:
                reached = level
        return reached
