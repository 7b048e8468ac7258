"""The margin share the margin CLV uses when none is given: the catalogue's margins weighted by what was
sold at them in the period (lines of counted orders in the report currency, returned units left out)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, func, select

from retentio.analytics.metrics.base import Period
from retentio.analytics.metrics.orders_frame import counted_between
from retentio.catalog import products
from retentio.orders import order_lines, orders


def catalogue_margin_share(connection: Connection, period: Period, currency: str) -> Decimal | None:
    """Σ line revenue × product margin / Σ line revenue, over lines whose product has a margin."""
    line_revenue = order_lines.c.price_minor * (order_lines.c.quantity - order_lines.c.returned_quantity)
    query = (
        select(products.c.margin, func.sum(line_revenue))
        .select_from(
            orders.join(order_lines, order_lines.c.order_id == orders.c.order_id).join(
                products, products.c.sku == order_lines.c.sku
            )
        )
        .where(
            counted_between(connection, period.start, period.end),
            orders.c.currency == currency,
            products.c.margin.is_not(None),
        )
        .group_by(products.c.margin)
    )
    weighted, sold = Decimal(0), 0
    for margin, revenue in connection.execute(query):
        weighted += Decimal(margin) * int(revenue)
        sold += int(revenue)
    return weighted / sold if sold > 0 else None
