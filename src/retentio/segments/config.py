"""The settings of the built-in families: defaults in code, overridable from a TOML file.

Every threshold a marketer may want to move lives here; the decisions take these objects and nothing
else, so a test or a shop changes behaviour by passing a different value, never by patching code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Bounds = tuple[int, int]


@dataclass(frozen=True, slots=True)
class RfmRule:
    """A named RFM segment: the score ranges (inclusive) it covers."""

    name: str
    recency: Bounds = (1, 5)
    frequency: Bounds = (1, 5)
    monetary: Bounds = (1, 5)

    def matches(self, recency: int, frequency: int, monetary: int) -> bool:
        return (
            self.recency[0] <= recency <= self.recency[1]
            and self.frequency[0] <= frequency <= self.frequency[1]
            and self.monetary[0] <= monetary <= self.monetary[1]
        )


# Ordered: the first rule that matches names the segment. With these defaults every cell of the
# 5×5×5 cube is covered, so "Other" appears only with a custom table.
DEFAULT_RFM_RULES: tuple[RfmRule, ...] = (
    RfmRule("Champions", recency=(5, 5), frequency=(4, 5)),
    RfmRule("Loyal", recency=(3, 4), frequency=(4, 5)),
    RfmRule("Potential Loyalist", recency=(4, 5), frequency=(2, 3)),
    RfmRule("New", recency=(5, 5), frequency=(1, 1)),
    RfmRule("Promising", recency=(4, 4), frequency=(1, 1)),
    RfmRule("Need Attention", recency=(3, 3), frequency=(3, 3)),
    RfmRule("About to Sleep", recency=(3, 3), frequency=(1, 2)),
    RfmRule("Can't Lose Them", recency=(1, 2), frequency=(4, 5), monetary=(4, 5)),
    RfmRule("At Risk", recency=(1, 2), frequency=(3, 5)),
    RfmRule("Hibernating", recency=(2, 2), frequency=(1, 2)),
    RfmRule("Lost", recency=(1, 1), frequency=(1, 2)),
)
UNMATCHED_SEGMENT = "Other"


@dataclass(frozen=True, slots=True)
class RfmConfig:
    rules: tuple[RfmRule, ...] = DEFAULT_RFM_RULES


@dataclass(frozen=True, slots=True)
class LifecycleConfig:
    new_max_orders: int = 2  # 1..this many orders: "new"
    churn_days: int = 180  # no purchase for this long: "churned"
    at_risk_factor: float = 2.0  # gap > usual interval × factor: "at risk"
    at_risk_min_days: int = 30  # ...but never sooner than this
    at_risk_days_without_interval: int = 60  # one order only: "at risk" after this many days
    loyal_min_orders: int = 3
    loyal_max_interval_days: int = 35  # ordering about monthly or more often
    engaged_days: int = 45  # loyal customers were active (any event) this recently


@dataclass(frozen=True, slots=True)
class LadderConfig:
    loyal_min_orders: int = 2  # repeat buyers whose last order is recent are "loyal"
    loyal_days: int = 180
    ready_days: int = 14  # a cart or checkout not followed by an order
    solution_days: int = 30  # product views and searches
    problem_days: int = 60  # content and category views


@dataclass(frozen=True, slots=True)
class BadCustomerConfig:
    threshold: int = 40  # flagged at this score or more
    min_orders: int = 2  # share-based checks judge customers with at least this many orders
    returns_weight: int = 30
    returns_share: float = 0.5
    cancellations_weight: int = 20
    cancellations_share: float = 0.5
    unpaid_weight: int = 30
    unpaid_orders: int = 1  # orders not paid within payment_days
    complaints_weight: int = 25
    complaints: int = 2  # spam complaints plus negative reviews and NPS answers
    negative_margin_weight: int = 25
    discount_only_weight: int = 15
    discount_only_share: float = 0.9
    discount_only_min_orders: int = 3
    coupon_abuse_weight: int = 20
    coupon_abuse_codes: int = 5  # distinct coupon codes used


@dataclass(frozen=True, slots=True)
class SignalsConfig:
    """How facts are read from orders when they are folded into signals."""

    payment_days: int = 14  # an order not paid this long after it was placed is late


@dataclass(frozen=True, slots=True)
class FactsConfig:
    discount_seeker_share: float = 0.5  # share of orders with a discount or coupon
    novelty_min_categories: int = 3
    novelty_category_share: float = 0.6  # distinct categories / orders
    min_orders: int = 2  # reward propensity needs at least this many orders


FAMILIES = ("rfm", "lifecycle", "ladder", "bad_customer")


@dataclass(frozen=True, slots=True)
class SegmentsConfig:
    rfm: RfmConfig = field(default_factory=RfmConfig)
    lifecycle: LifecycleConfig = field(default_factory=LifecycleConfig)
    ladder: LadderConfig = field(default_factory=LadderConfig)
    bad_customers: BadCustomerConfig = field(default_factory=BadCustomerConfig)
    signals: SignalsConfig = field(default_factory=SignalsConfig)
    facts: FactsConfig = field(default_factory=FactsConfig)
    move_events: tuple[str, ...] = FAMILIES  # families whose moves are written as events


DEFAULT_CONFIG = SegmentsConfig()
