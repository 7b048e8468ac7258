"""The cohort retention matrix (ANA-7): customers grouped by the UTC calendar month of their first-ever
order (first orders in the period only), and for each later month of the period how many of them
ordered in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from retentio.analytics.metrics.orders_frame import OrdersFrame


@dataclass(frozen=True, slots=True)
class CohortRow:
    month: str  # "2025-07": the month of the first order
    customers: int
    active: tuple[int, ...]  # active[k]: cohort customers with an order in month + k (k = 0 is all of them)

    @property
    def retention(self) -> tuple[Decimal, ...]:
        """``active[k]`` per 100 customers of the cohort."""
        return tuple(Decimal(count) * 100 / Decimal(self.customers) for count in self.active)


@dataclass(frozen=True, slots=True)
class CohortMatrix:
    rows: tuple[CohortRow, ...]


def cohort_matrix(frame: OrdersFrame) -> CohortMatrix:
    new_orders = frame.orders.filter(
        pl.col("at") >= frame.period.start_second, pl.col("customer_id").is_in(frame.new_customers.implode())
    ).select(pl.col("customer_id"), _month_number(pl.col("at")).alias("month"))
    if new_orders.is_empty():
        return CohortMatrix(())
    first = new_orders.group_by("customer_id").agg(pl.col("month").min().alias("cohort"))
    activity = (
        new_orders.unique()
        .join(first, on="customer_id")
        .group_by("cohort", (pl.col("month") - pl.col("cohort")).alias("offset"))
        .agg(pl.len().alias("active"))
    )
    last = _last_month(frame.period.end_second)
    return CohortMatrix(tuple(_row(cohort, activity, last) for cohort in sorted(first["cohort"].unique())))


def _row(cohort: int, activity: pl.DataFrame, last_month: int) -> CohortRow:
    counts = dict(activity.filter(pl.col("cohort") == cohort).select("offset", "active").iter_rows())
    active = tuple(int(counts.get(offset, 0)) for offset in range(last_month - cohort + 1))
    return CohortRow(month=f"{cohort // 12:04d}-{cohort % 12 + 1:02d}", customers=active[0], active=active)


def _month_number(seconds: pl.Expr) -> pl.Expr:
    """Months since year 0 (year × 12 + month − 1) of an epoch second, UTC."""
    moment = pl.from_epoch(seconds, time_unit="s")
    return moment.dt.year().cast(pl.Int64) * 12 + moment.dt.month().cast(pl.Int64) - 1


def _last_month(end_second: int) -> int:
    return int(pl.select(_month_number(pl.lit(end_second - 1))).item())
