"""What every metric is computed over: a period ``[from, to)``, the settings of the definitions, and the
few whole-number facts of the base that all the figures are ratios of.

Times are whole UTC seconds (the period is truncated to the second when built), so orders can be read
as integer epoch seconds and compared exactly. Days are 24-hour slots counted from ``from``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open interval ``[start, end)`` of UTC time, at whole seconds."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, start: datetime, end: datetime) -> Period:
        start, end = _whole_second(start), _whole_second(end)
        if end <= start:
            raise ValueError(f"the period is empty: {start.isoformat()} is not before {end.isoformat()}")
        return cls(start, end)

    @classmethod
    def days_up_to(cls, end: datetime, days: int = 365) -> Period:
        """The ``days`` days up to ``end`` — the report's default period (up to "now")."""
        return cls.of(end - timedelta(days=days), end)

    @property
    def start_second(self) -> int:
        return int(self.start.timestamp())

    @property
    def end_second(self) -> int:
        return int(self.end.timestamp())

    @property
    def days(self) -> int:
        """Days in the period; a part of a day at the end counts as a day."""
        return -(-(self.end_second - self.start_second) // SECONDS_PER_DAY)


@dataclass(frozen=True, slots=True)
class MetricSettings:
    """The configurable parts of the definitions (see docs/metrics.md)."""

    # A customer is in the base at t with a non-cancelled order placed in [t - window, t).
    base_window_days: int = 365
    # MAU for a day counts the customers active in this many days up to and including it.
    mau_window_days: int = 30
    # Discount rate per period for the margin CLV (0.10 = 10 % over the period's length).
    discount_rate: Decimal = Decimal("0.10")
    # Share of revenue kept as margin; None: the revenue-weighted margin of the catalogue's products.
    margin_share: Decimal | None = None
    # Money figures use the orders in this currency; None: the most frequent one in the period.
    currency: str | None = None
    # The currency named when the period has no orders to choose one from.
    fallback_currency: str = "RUB"

    def __post_init__(self) -> None:
        if self.base_window_days < 1 or self.mau_window_days < 1:
            raise ValueError("the base and MAU windows are at least one day")
        if self.discount_rate < 0:
            raise ValueError(f"the discount rate must not be negative, got {self.discount_rate}")
        if self.margin_share is not None and not Decimal(0) <= self.margin_share <= Decimal(1):
            raise ValueError(f"the margin share is between 0 and 1, got {self.margin_share}")

    @property
    def lookback_seconds(self) -> int:
        """How far before ``from`` orders must be read: the base window or the MAU window."""
        return max(self.base_window_days, self.mau_window_days) * SECONDS_PER_DAY


@dataclass(frozen=True, slots=True)
class BaseFacts:
    """Whole-number facts of the base over one period (and segment): every metric is a ratio of these."""

    days: int
    customers_at_start: int  # S: in the base at ``from``
    customers_at_end: int  # E: in the base at ``to``
    new_customers: int  # N: first-ever non-cancelled order in the period
    lost_customers: int  # in S but not in E
    active_customers: int  # with at least one order in the period
    repeat_customers: int  # with at least two orders in the period
    orders: int
    currency: str
    money_orders: int  # orders in ``currency``
    money_customers: int  # customers with an order in ``currency``
    revenue_minor: int  # net of returns, orders in ``currency``
    active_customer_days: int  # distinct (customer, day) pairs with an order = the sum of daily DAU
    monthly_active_customer_days: int  # the sum over the period's days of MAU
    margin_share: Decimal | None
    discount_rate: Decimal


def _whole_second(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"time {at.isoformat()} has no UTC offset")
    return at.astimezone(UTC).replace(microsecond=0)
