"""The orders the metrics read, loaded once per report as columns (named queries, set-based).

An order counts when it has been placed, is not cancelled and belongs to a known customer. Its time is
read as whole epoch seconds and its value as the total net of returns, in integer minor units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Connection, Integer, Select, and_, cast, extract, func, select
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op

from retentio.analytics.metrics.base import MetricSettings, Period
from retentio.orders import orders

ORDER_SCHEMA = {"customer_id": pl.String, "at": pl.Int64, "net_minor": pl.Int64, "currency": pl.String}
# SQLite reads a range through the time index row by row; past this share of the table's time span a
# plain scan is several times faster (PostgreSQL's planner makes that choice itself).
SCAN_SHARE = 0.2
_CHUNK = 200_000


@dataclass(frozen=True, slots=True)
class OrdersFrame:
    """Counted orders placed in ``[from - lookback, to)`` and the customers new in the period."""

    period: Period
    settings: MetricSettings
    orders: pl.DataFrame  # ORDER_SCHEMA and ``customer``, a dense integer code of the customer id
    new_customers: pl.Series  # customer ids whose first-ever counted order is in the period

    def in_period(self) -> pl.DataFrame:
        return self.orders.filter(pl.col("at") >= self.period.start_second)

    def restricted_to(self, customer_ids: Iterable[str] | None) -> OrdersFrame:
        """The same frame for a segment's customers only."""
        if customer_ids is None:
            return self
        members = pl.Series("customer_id", list(customer_ids), dtype=pl.String).implode()
        return OrdersFrame(
            self.period,
            self.settings,
            self.orders.filter(pl.col("customer_id").is_in(members)).pipe(_coded),
            self.new_customers.filter(self.new_customers.is_in(members)),
        )

    def excluding(self, customer_ids: Iterable[str]) -> OrdersFrame:
        """The same frame for every customer but these."""
        others = pl.Series("customer_id", list(customer_ids), dtype=pl.String).implode()
        return OrdersFrame(
            self.period,
            self.settings,
            self.orders.filter(~pl.col("customer_id").is_in(others)).pipe(_coded),
            self.new_customers.filter(~self.new_customers.is_in(others)),
        )


def load_orders_frame(
    connection: Connection,
    period: Period,
    settings: MetricSettings,
    customer_ids: Iterable[str] | None = None,
) -> OrdersFrame:
    lookback_start = datetime.fromtimestamp(period.start_second - settings.lookback_seconds, UTC)
    frame = _read_frame(connection, counted_orders_query(connection, lookback_start, period.end))
    earlier = connection.execute(customers_before_query(connection, lookback_start)).scalars().all()
    firsts = frame.group_by("customer_id").agg(pl.col("at").min())
    new = firsts.filter(
        pl.col("at") >= period.start_second,
        ~pl.col("customer_id").is_in(pl.Series(earlier, dtype=pl.String).implode()),
    ).get_column("customer_id")
    return OrdersFrame(period, settings, _coded(frame), new).restricted_to(customer_ids)


def counted_orders_query(connection: Connection, start: datetime, end: datetime) -> Select[Any]:
    """Customer, epoch second, net value and currency of the counted orders placed in ``[start, end)``."""
    return select(
        orders.c.customer_id,
        epoch_seconds(connection, orders.c.placed_at).label("at"),
        (orders.c.total_minor - orders.c.returned_minor).label("net_minor"),
        orders.c.currency,
    ).where(counted_between(connection, start, end))


def customers_before_query(connection: Connection, end: datetime) -> Select[tuple[str]]:
    """Customers with a counted order placed before ``end``: not new in any period after it."""
    return select(orders.c.customer_id).where(counted_between(connection, None, end)).distinct()


def counted_between(connection: Connection, start: datetime | None, end: datetime) -> ColumnElement[bool]:
    """Counted orders placed in ``[start, end)`` (``start`` None: any time before ``end``)."""
    placed: ColumnElement[Any] = orders.c.placed_at
    customer: ColumnElement[Any] = orders.c.customer_id
    if connection.dialect.name == "sqlite" and _covers_much(connection, start, end):
        placed, customer = _unindexed(placed), _unindexed(customer)
    conditions = [placed.is_not(None), orders.c.cancelled_at.is_(None), customer.is_not(None), placed < end]
    if start is not None:
        conditions.append(placed >= start)
    return and_(*conditions)


def epoch_seconds(connection: Connection, column: ColumnElement[Any]) -> ColumnElement[int]:
    """Whole UTC seconds since 1970 (SQLite keeps naive UTC text, PostgreSQL ``timestamptz``)."""
    if connection.dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(extract("epoch", column)), BigInteger)


def _covers_much(connection: Connection, start: datetime | None, end: datetime) -> bool:
    """Whether ``[start, end)`` spans at least ``SCAN_SHARE`` of the orders' time span (each bound of
    that span is one step down the time index)."""
    first = connection.execute(select(func.min(orders.c.placed_at))).scalar_one_or_none()
    last = connection.execute(select(func.max(orders.c.placed_at))).scalar_one_or_none()
    if first is None or last is None or last <= first:
        return True
    low, high = max(start or first, first), min(end, last)
    share: float = (high - low) / (last - first)
    return share >= SCAN_SHARE


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``+column``: SQLite's documented way to keep a term from choosing an index."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _coded(frame: pl.DataFrame) -> pl.DataFrame:
    """With ``customer``: integers group and sort several times faster than the id strings."""
    return frame.with_columns(customer=pl.col("customer_id").rank("dense").cast(pl.Int64))


def _read_frame(connection: Connection, query: Select[Any]) -> pl.DataFrame:
    """Rows straight from the DBAPI cursor: every column is a plain string or integer, so there is
    nothing for SQLAlchemy to convert, and skipping its row objects halves the read."""
    result = connection.execute(query)
    chunks: list[pl.DataFrame] = []
    try:
        while rows := result.cursor.fetchmany(_CHUNK):
            chunks.append(pl.DataFrame(rows, schema=ORDER_SCHEMA, orient="row"))
    finally:
        result.close()
    if not chunks:
        return pl.DataFrame(schema=ORDER_SCHEMA)
    return pl.concat(chunks, rechunk=True)
