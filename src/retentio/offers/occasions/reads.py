"""What the occasions read from the store, as Polars frames: purchases (live orders' lines net of
returns), the catalogue's consumption days and subscription periods, birthdays, first orders, the
stored intervals and the waits for carts and views."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Connection, Select, and_, extract, or_, select

from retentio.catalog import products
from retentio.customers import customer_profiles, customers
from retentio.events import events
from retentio.offers.occasions.announce import OFFER_DUE, REPLENISHMENT_DUE, Occasion
from retentio.offers.occasions.intervals import CATALOGUE_SCHEMA, INTERVAL_SCHEMA
from retentio.offers.occasions.runout import LATEST_SCHEMA
from retentio.offers.occasions.tables import pending_occasions, replenishment_intervals
from retentio.offers.occasions.yearly import PEOPLE_SCHEMA, zone_of
from retentio.orders import order_lines, orders

_CHUNK = 100_000


def read_purchases(connection: Connection, customer_id: str | None = None) -> pl.DataFrame:
    """Each line still bought (the order not cancelled, not all of it returned) of a known customer:
    customer_id, sku, order_id, placed_at, quantity kept, known_at (when the order last changed)."""
    o, line = orders.c, order_lines.c
    query = (
        select(
            o.customer_id,
            line.sku,
            o.order_id,
            o.placed_at,
            line.quantity - line.returned_quantity,
            o.updated_at,
        )
        .join(order_lines, line.order_id == o.order_id)
        .where(
            o.customer_id.is_not(None),
            o.placed_at.is_not(None),
            o.cancelled_at.is_(None),
            line.quantity > line.returned_quantity,
        )
    )
    if customer_id is not None:
        query = query.where(o.customer_id == customer_id)
    return _frame(connection, query, LATEST_SCHEMA)


def read_catalogue(connection: Connection, period_attribute: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The catalogue's consumption days (sku, days), and its subscriptions (sku, interval_days): the
    products whose attributes give a positive number of days under ``period_attribute``."""
    p = products.c
    consumption: list[tuple[str, float]] = []
    periods: list[tuple[str, float]] = []
    for sku, days, attributes in connection.execute(select(p.sku, p.consumption_days, p.attributes)):
        period = _days(attributes.get(period_attribute) if isinstance(attributes, dict) else None)
        if period is not None:
            periods.append((sku, period))
        elif days is not None and days > 0:
            consumption.append((sku, float(days)))
    period_schema = {"sku": pl.String, "interval_days": pl.Float64}
    return (
        pl.DataFrame(consumption, schema=CATALOGUE_SCHEMA, orient="row"),
        pl.DataFrame(periods, schema=period_schema, orient="row"),
    )


def read_birthdays(
    connection: Connection, month_days: Sequence[tuple[int, int]], customer_id: str | None = None
) -> pl.DataFrame:
    """Customers (not merged into another) born on one of ``month_days``: customer_id, date, timezone."""
    c = customers.c
    born_on = or_(
        *(and_(extract("month", c.birthday) == m, extract("day", c.birthday) == d) for m, d in month_days)
    )
    query = select(c.customer_id, c.birthday, c.timezone).where(
        c.birthday.is_not(None), c.merged_into.is_(None), born_on
    )
    if customer_id is not None:
        query = query.where(c.customer_id == customer_id)
    return _frame(connection, query, PEOPLE_SCHEMA)


def read_first_orders(
    connection: Connection, default: ZoneInfo, customer_id: str | None = None
) -> pl.DataFrame:
    """Customers with a first order: customer_id, the first order's date in their timezone (else
    ``default``), timezone."""
    c, profile = customers.c, customer_profiles.c
    query = (
        select(profile.customer_id, profile.first_order_at, c.timezone)
        .join(customers, c.customer_id == profile.customer_id)
        .where(profile.first_order_at.is_not(None), c.merged_into.is_(None))
    )
    if customer_id is not None:
        query = query.where(profile.customer_id == customer_id)
    schema = {"customer_id": pl.String, "first_order_at": pl.Datetime("us", "UTC"), "timezone": pl.String}
    return _first_order_dates(_frame(connection, query, schema), default)


def read_intervals(connection: Connection) -> pl.DataFrame:
    r = replenishment_intervals.c
    query = select(r.sku, r.interval_days, r.source, r.observations)
    return _frame(connection, query, INTERVAL_SCHEMA)


def read_top_intervals(connection: Connection, limit: int) -> list[Any]:
    """The stored intervals with the most observations first (the catalogue's own after them)."""
    r = replenishment_intervals.c
    query = select(replenishment_intervals).order_by(r.observations.desc(), r.sku).limit(limit)
    return list(connection.execute(query))


def read_announced(connection: Connection, since: datetime, until: datetime) -> list[Occasion]:
    """The occasions announced from ``since`` up to and including ``until``, oldest first: what
    journeys were handed."""
    e = events.c
    query = (
        select(e.event_id, e.type, e.customer_id, e.properties)
        .where(e.type.in_((OFFER_DUE, REPLENISHMENT_DUE)), e.occurred_at >= since, e.occurred_at <= until)
        .order_by(e.occurred_at, e.id)
    )
    return [
        Occasion(row.type, row.event_id.removeprefix(f"occ:{row.type}:"), row.customer_id, row.properties)
        for row in connection.execute(query)
        if row.customer_id is not None
    ]


def read_waits(connection: Connection, customer_id: str | None, limit: int) -> list[Any]:
    p = pending_occasions.c
    query = select(pending_occasions).order_by(p.due_at, p.customer_id).limit(limit)
    if customer_id is not None:
        query = query.where(p.customer_id == customer_id)
    return list(connection.execute(query))


def _first_order_dates(frame: pl.DataFrame, default: ZoneInfo) -> pl.DataFrame:
    """The first order's local date per customer, converting per distinct timezone (there are few)."""
    parts = []
    for (name,), part in frame.group_by("timezone"):
        zone = zone_of(name if isinstance(name, str) else None, default)
        parts.append(
            part.with_columns(date=pl.col("first_order_at").dt.convert_time_zone(zone.key).dt.date())
        )
    if not parts:
        return pl.DataFrame(schema=PEOPLE_SCHEMA)
    return pl.concat(parts).select(list(PEOPLE_SCHEMA))


def _days(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        days = float(value)
    except ValueError:
        return None
    return days if 0 < days <= 3650 else None


def _frame(connection: Connection, query: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    result = connection.execute(query)
    chunks = []
    while rows := result.fetchmany(_CHUNK):
        chunks.append(pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row"))
    if not chunks:
        return pl.DataFrame(schema=schema)
    return pl.concat(chunks, rechunk=True)
