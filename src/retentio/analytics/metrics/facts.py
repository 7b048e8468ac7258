"""The base's whole-number facts for a period, from the loaded orders (Polars, no per-customer loop)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from retentio.analytics.metrics.base import SECONDS_PER_DAY, BaseFacts
from retentio.analytics.metrics.orders_frame import OrdersFrame

# (customer, day) pairs travel as one integer: customer × 2³² + day + 2³¹ (days are far inside ±2³¹).
_SHIFT = 1 << 32
_OFFSET = 1 << 31


def base_facts(frame: OrdersFrame, catalogue_margin: Decimal | None = None) -> BaseFacts:
    """``catalogue_margin`` is used when the settings give no margin share of their own."""
    period, settings = frame.period, frame.settings
    start, end = period.start_second, period.end_second
    window = settings.base_window_days * SECONDS_PER_DAY
    orders = frame.orders
    at_start = _customers(orders.filter(pl.col("at") >= start - window, pl.col("at") < start))
    at_end = _customers(orders.filter(pl.col("at") >= end - window))
    in_period = frame.in_period()
    per_customer = in_period.group_by("customer").len()
    currency = report_currency(frame)
    money = in_period.filter(pl.col("currency") == currency)
    active_days = customer_days(orders, start)
    return BaseFacts(
        days=period.days,
        customers_at_start=at_start.len(),
        customers_at_end=at_end.len(),
        new_customers=frame.new_customers.len(),
        lost_customers=at_start.filter(~at_start.is_in(at_end.implode())).len(),
        active_customers=per_customer.height,
        repeat_customers=per_customer.filter(pl.col("len") >= 2).height,
        orders=in_period.height,
        currency=currency,
        money_orders=money.height,
        money_customers=money.get_column("customer").n_unique(),
        revenue_minor=int(money.get_column("net_minor").sum()),
        active_customer_days=active_days.filter(pl.col("day") >= 0).height,
        monthly_active_customer_days=monthly_active_days(active_days, period.days, settings.mau_window_days),
        margin_share=settings.margin_share if settings.margin_share is not None else catalogue_margin,
        discount_rate=settings.discount_rate,
    )


def report_currency(frame: OrdersFrame) -> str:
    """The chosen currency, else the one most of the period's orders are in (ties: alphabetical)."""
    if frame.settings.currency is not None:
        return frame.settings.currency
    in_period = frame.in_period()
    if in_period.is_empty():
        return frame.settings.fallback_currency
    counts = in_period.group_by("currency").len().sort(["len", "currency"], descending=[True, False])
    return str(counts.item(0, "currency"))


def customer_days(orders: pl.DataFrame, start: int) -> pl.DataFrame:
    """Distinct (customer, day) pairs sorted by customer then day; day 0 is the period's first 24 hours,
    earlier days are negative."""
    day = (pl.col("at") - start).floordiv(SECONDS_PER_DAY)
    keys = orders.select(key=pl.col("customer") * _SHIFT + day + _OFFSET).get_column("key").unique().sort()
    return keys.to_frame().select(customer=pl.col("key") // _SHIFT, day=pl.col("key") % _SHIFT - _OFFSET)


def monthly_active_days(active_days: pl.DataFrame, days: int, window_days: int) -> int:
    """Σ over the period's days d of MAU(d), the customers with an order in days [d - window + 1, d].

    A customer active on day a counts in MAU for days [a, a + window); over their sorted active days
    the pieces [a_i, min(a_i + window, a_i+1)) cover that union without overlap, so the sum is the
    total length of the pieces, clipped to the period's days [0, days). ``active_days`` is sorted by
    customer and day (``customer_days``).
    """
    same_customer = pl.col("customer").shift(-1) == pl.col("customer")
    following = pl.when(same_customer).then(pl.col("day").shift(-1))
    pieces = active_days.select(
        first=pl.col("day").clip(lower_bound=0),
        last=pl.min_horizontal(pl.col("day") + window_days, following, pl.lit(days)),
    )
    return int(pieces.select((pl.col("last") - pl.col("first")).clip(lower_bound=0).sum()).item())


def _customers(orders: pl.DataFrame) -> pl.Series:
    return orders.get_column("customer").unique()
