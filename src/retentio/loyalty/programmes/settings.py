"""A programme as its settings file states it, validated: how points are earned (per currency unit,
per category, or as cashback), rewarded for actions, spent, held pending and expired, and its tiers.
``loading.py`` reads the file; every decision takes one ``Programme``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from retentio.events import Currency
from retentio.loyalty.ledger.model import DebtPolicy
from retentio.loyalty.tiers.definition import Name, TierDefinition
from retentio.types.money import minor_digits

Action = Literal["registration", "subscription", "review", "referral", "birthday", "profile_completion"]
Percent = Annotated[Decimal, Field(ge=0, le=100)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"))]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rate(_Settings):
    """How much an order line earns: points per currency unit paid, or a cashback share of it
    (LOY-2) paid back in points at the point's value. Exactly one of the two."""

    points_per_unit: Annotated[Decimal, Field(ge=0, le=10_000)] | None = None
    cashback_percent: Percent | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Rate:
        if (self.points_per_unit is None) == (self.cashback_percent is None):
            raise ValueError("give either points_per_unit or cashback_percent (exactly one)")
        return self

    def per_unit(self, currency: str, point_value_minor: int) -> Fraction:
        """Points per currency unit paid: cashback 5 % with a point worth 1 ₽ is 0.05."""
        if self.points_per_unit is not None:
            return Fraction(self.points_per_unit)
        assert self.cashback_percent is not None
        units: int = 10 ** minor_digits(currency)  # minor units in one currency unit
        return Fraction(self.cashback_percent) / 100 * units / point_value_minor


class Earning(Rate):
    # "paid": a discounted line earns on what was paid for it; "none": it earns nothing.
    discounted_lines: Literal["none", "paid"] = "paid"
    excluded_categories: frozenset[Text] = frozenset()
    excluded_skus: frozenset[Text] = frozenset()
    categories: dict[Text, Rate] = {}


class ActionRule(_Settings):
    points: Annotated[int, Field(ge=0, le=10_000_000)]
    # "ever": once per customer; "yearly": once per calendar year (the programme's zone); "each": every
    # occurrence (each review, each referral), told apart by its id.
    once: Literal["ever", "yearly", "each"] = "ever"


class Redemption(_Settings):
    # Points may pay at most this share of an order (30: 30 %).
    max_share_percent: Annotated[Decimal, Field(gt=0, le=100)] = Decimal(100)
    # A customer starts spending points once the balance reaches this many.
    min_balance: Annotated[int, Field(ge=0)] = 0
    # Points pay only for orders of at least this amount (currency units).
    min_order: Amount = Decimal(0)


class Expiry(_Settings):
    """When points expire. A lot's own date: ``after_days`` after it becomes available, or the end of
    the quarter ``quarters_after`` quarters after that one (0: the same quarter). Independently,
    ``inactive_days``: every point expires after that many days without a purchase."""

    after_days: Annotated[int, Field(ge=1, le=36_500)] | None = None
    quarters_after: Annotated[int, Field(ge=0, le=400)] | None = None
    inactive_days: Annotated[int, Field(ge=1, le=36_500)] | None = None

    @model_validator(mode="after")
    def _one_lot_rule(self) -> Expiry:
        if self.after_days is not None and self.quarters_after is not None:
            raise ValueError("give after_days or quarters_after, not both: a lot has one expiry date")
        return self


class Referral(_Settings):
    """Referral codes and links (LOY-4). The referrer's reward is ``actions.referral``; the friend's
    is ``friend_points``; both are credited when the friend's first paid order outlives the return
    window (``pending_days``). See docs/referrals-and-club.md."""

    # The link a customer shares; ``{code}`` is replaced by their code.
    link: Annotated[str, StringConstraints(min_length=7, max_length=500)] = "https://shop.example/?ref={code}"
    friend_points: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    # A referrer gains at most ``max_friends`` friends within any ``period_days`` days.
    max_friends: Annotated[int, Field(ge=1, le=1_000_000)] = 10
    period_days: Annotated[int, Field(ge=1, le=3650)] = 30

    @field_validator("link")
    @classmethod
    def _has_the_code(cls, value: str) -> str:
        if value.count("{code}") != 1:
            raise ValueError(f"{value!r} must hold {{code}} exactly once, where the customer's code goes")
        if any(part in value.replace("{code}", "") for part in "{}"):
            raise ValueError(f"{value!r} may hold no braces besides {{code}}")
        return value


class Membership(_Settings):
    """The membership club (LOY-5): bought (an order of ``sku``) or earned (``earned_orders`` counted
    orders or ``earned_spend`` spent within ``earned_window_days``; ``earned_tier`` is for the tiers
    to grant). Each term lasts ``term_months``; a reminder goes ``reminder_days`` before its end and
    the membership lapses ``grace_days`` after it."""

    sku: Text | None = None
    term_months: Annotated[int, Field(ge=1, le=120)] = 12
    reminder_days: Annotated[int, Field(ge=0, le=365)] = 14
    grace_days: Annotated[int, Field(ge=0, le=365)] = 7
    earned_orders: Annotated[int, Field(ge=1, le=100_000)] | None = None
    earned_spend: Annotated[Decimal, Field(gt=0, le=Decimal("1e12"))] | None = None
    earned_window_days: Annotated[int, Field(ge=1, le=3650)] = 365
    earned_tier: Name | None = None

    @model_validator(mode="after")
    def _a_way_in(self) -> Membership:
        ways_in = (self.sku, self.earned_orders, self.earned_spend, self.earned_tier)
        if all(way is None for way in ways_in):
            raise ValueError(
                "nobody could join: give sku (a paid membership), earned_orders or earned_spend "
                "(earned by buying), or earned_tier"
            )
        return self


class Programme(_Settings):
    id: Name
    name: Text
    currency: Currency
    # Customers' dates (calendar years, quarter ends, yearly rewards) are counted in this zone.
    timezone: str = "UTC"
    # What one point pays, in minor units of the currency (100: a point is worth 1 ₽).
    point_value_minor: Annotated[int, Field(ge=1, le=10**9)]
    earning: Earning
    actions: dict[Action, ActionRule] = {}
    redemption: Redemption = Redemption()
    # Points from an order activate this many days after it (the return window).
    pending_days: Annotated[int, Field(ge=0, le=3650)] = 0
    # A return of an order whose points were spent: "debt" (later points pay it first) or "block"
    # (the shortfall is written off in plain sight); the balance never goes below zero either way.
    debt_policy: DebtPolicy = DebtPolicy.DEBT
    expiry: Expiry = Expiry()
    tiers: TierDefinition | None = None
    # Who becomes a member (the log's consumer enrols them): "first_event", anyone the shop sends an
    # event about; "first_order", a customer at their first order; "on_join", a customer the shop
    # sends a ``loyalty_joined`` event for (they signed up for the programme).
    enrolment: Literal["first_event", "first_order", "on_join"] = "first_event"
    # Orders and actions before this instant earn nothing (imported history is not rewarded). Left
    # out, the programme starts when Retentio first runs it (docs/loyalty-earning.md).
    starts_at: AwareDatetime | None = None
    referral: Referral | None = None
    membership: Membership | None = None

    @model_validator(mode="after")
    def _referral_rewards_someone(self) -> Programme:
        referrer = self.actions.get("referral")
        if (
            self.referral is not None
            and self.referral.friend_points == 0
            and not (referrer and referrer.points)
        ):
            raise ValueError(
                "referral rewards nobody: set actions.referral (the referrer's points) or "
                "referral.friend_points (the friend's)"
            )
        if self.referral is not None and referrer is not None and referrer.once != "each":
            raise ValueError('actions.referral needs once = "each": every friend is rewarded once')
        return self

    @model_validator(mode="before")
    @classmethod
    def _tiers_in_the_programme_zone(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("tiers"), dict) and "timezone" in data:
            data = {**data, "tiers": {"timezone": data["timezone"], **data["tiers"]}}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Moscow") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class LoyaltyConfig(_Settings):
    """Every programme of the file, by id; several may run side by side (one per currency, say)."""

    programmes: Annotated[dict[Name, Programme], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, data: Any) -> Any:
        # A programme's id is its key ([programmes.club]); writing it again is allowed if it agrees.
        if isinstance(data, dict) and isinstance(data.get("programmes"), dict):
            programmes = {
                key: {"id": key, **value} if isinstance(value, dict) else value
                for key, value in data["programmes"].items()
            }
            data = {**data, "programmes": programmes}
        return data

    @model_validator(mode="after")
    def _keys_are_ids(self) -> LoyaltyConfig:
        for key, programme in self.programmes.items():
            if programme.id != key:
                raise ValueError(
                    f"[programmes.{key}] says id = {programme.id!r}: leave id out or make it {key!r}"
                )
        return self

    @property
    def main(self) -> Programme:
        """The first programme of the file: the one messages show a customer's points and tier of."""
        return next(iter(self.programmes.values()))

    def programme(self, programme_id: str) -> Programme:
        try:
            return self.programmes[programme_id]
        except KeyError:
            raise KeyError(
                f"no loyalty programme {programme_id!r}: the file has {', '.join(sorted(self.programmes))}"
            ) from None
