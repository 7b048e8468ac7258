"""What the decisions read about one customer: the profile's aggregates plus the segment signals.

Times are whole seconds since the epoch (UTC): the set-based SQL compares the same integers, so the
per-customer path and the full refresh agree to the second, including on thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import NamedTuple

Instant = int  # whole seconds since 1970-01-01 UTC
DAY = 86_400


def instant(at: datetime | None) -> Instant | None:
    """The whole second ``at`` falls in (times before 1970 do not occur in the store)."""
    return None if at is None else int(at.timestamp())


def to_datetime(at: Instant | None) -> datetime | None:
    return None if at is None else datetime.fromtimestamp(at, UTC)


class Signals(NamedTuple):
    """Facts segments keep beside the profile (table ``customer_signals``, columns in this order).

    A named tuple rather than a frozen dataclass: every batch builds one per touched customer two or
    three times (read, folded, compared), and a tuple is built several times faster."""

    complaints: int = 0  # spam complaints about messages
    negative_feedback: int = 0  # reviews rated 1-2 and NPS answers 0-6
    discounted_orders: int = 0  # counted orders with a discount or a coupon
    coupon_codes: int = 0  # distinct coupon codes over placed orders
    margin_minor: int | None = None  # margin over counted orders whose products have one
    late_payments: int = 0  # orders paid later than the configured payment days
    unpaid_orders: int = 0  # counted orders with no payment yet
    unpaid_oldest_at: Instant | None = None
    unpaid_newest_at: Instant | None = None


class CustomerInputs(NamedTuple):
    """Everything the decisions read about one customer (a named tuple for the reason ``Signals``
    is one: the reaction builds one per touched customer per batch)."""

    customer_id: str
    orders: int = 0
    revenue_minor: int = 0
    first_order_at: Instant | None = None
    last_order_at: Instant | None = None
    previous_order_at: Instant | None = None
    cancellations: int = 0
    returns: int = 0  # orders with anything returned
    coupon_orders: int = 0
    last_event_at: Instant | None = None
    last_content_at: Instant | None = None  # content or a category viewed
    last_browse_at: Instant | None = None  # a product viewed or a search
    last_cart_at: Instant | None = None  # a cart updated or a checkout started
    channel_activity: Mapping[str, str] = MappingProxyType({})
    hour_histogram: tuple[int, ...] = (0,) * 24
    category_counts: Mapping[str, int] = MappingProxyType({})
    timezone: str | None = None
    signals: Signals = Signals()

    @property
    def order_span(self) -> int:
        """Seconds between the first and the last counted order (0 with fewer than two)."""
        if self.orders < 2 or self.first_order_at is None or self.last_order_at is None:
            return 0
        return self.last_order_at - self.first_order_at


def earliest_after(now: Instant, *moments: Instant | None) -> Instant | None:
    """The first of ``moments`` strictly after ``now``: when a decision may next change by itself."""
    future = [moment for moment in moments if moment is not None and moment > now]
    return min(future) if future else None
