"""What the recommenders learn from, read from the store in column batches: the lines of paid orders
that were not cancelled (less what came back), product views, and the catalogue."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Connection, Integer, Select, cast, extract, func, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.catalog import products
from retentio.events import events
from retentio.orders import order_lines, orders

_CHUNK = 200_000
LINE_SCHEMA = {"customer_id": pl.String, "order_id": pl.String, "placed_at": pl.Int64, "sku": pl.String}
VIEW_SCHEMA = {"customer_id": pl.String, "viewed_at": pl.Int64, "sku": pl.String}
CATALOGUE_SCHEMA = {
    "sku": pl.String,
    "category": pl.String,
    "price_minor": pl.Int64,
    "premium_variant_of": pl.String,
}


def read_lines(connection: Connection) -> pl.DataFrame:
    """One row per kept order line, sorted by customer, time and order."""
    kept = order_lines.c.quantity - order_lines.c.returned_quantity
    query = (
        select(
            orders.c.customer_id, orders.c.order_id, _epoch(connection, orders.c.placed_at), order_lines.c.sku
        )
        .join(order_lines, order_lines.c.order_id == orders.c.order_id)
        .where(
            orders.c.customer_id.is_not(None),
            orders.c.placed_at.is_not(None),
            orders.c.paid_at.is_not(None),
            orders.c.cancelled_at.is_(None),
            kept > 0,
        )
    )
    frame = _read(connection, query, LINE_SCHEMA)
    return frame.sort("customer_id", "placed_at", "order_id")


def read_views(connection: Connection) -> pl.DataFrame:
    """Known customers' product views."""
    query = select(
        events.c.customer_id, _epoch(connection, events.c.occurred_at), events.c.properties["sku"].as_string()
    ).where(events.c.type == "product_viewed", events.c.customer_id.is_not(None))
    return _read(connection, query, VIEW_SCHEMA).drop_nulls()


def read_catalogue(connection: Connection) -> pl.DataFrame:
    query = select(products.c.sku, products.c.category, products.c.price_minor, products.c.premium_variant_of)
    return _read(connection, query, CATALOGUE_SCHEMA)


def _epoch(connection: Connection, column: ColumnElement[Any]) -> ColumnElement[int]:
    """Whole UTC seconds since 1970 (SQLite keeps naive UTC text, PostgreSQL ``timestamptz``)."""
    if connection.dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(extract("epoch", column)), BigInteger)


def _read(connection: Connection, query: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows straight from the DBAPI cursor, skipping SQLAlchemy's row objects (every column is a
    plain string or integer)."""
    result = connection.execute(query)
    chunks: list[pl.DataFrame] = []
    try:
        while rows := result.cursor.fetchmany(_CHUNK):
            chunks.append(pl.DataFrame(rows, schema=schema, orient="row"))
    finally:
        result.close()
    return pl.concat(chunks, rechunk=True) if chunks else pl.DataFrame(schema=schema)
