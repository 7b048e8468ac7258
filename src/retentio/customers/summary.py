"""A quick read of the whole base: how many customers, buyers, orders, revenue, repeat rate.

Cancelled orders do not count; returns are deducted from revenue. All figures are computed in SQL
over the orders table, so the summary costs one pass whatever the size of the base.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, func, select

from retentio.catalog import products
from retentio.customers.tables import customers
from retentio.orders import order_lines, orders
from retentio.types.money import from_minor


@dataclass(frozen=True, slots=True)
class BaseSummary:
    customers: int
    buyers: int
    repeat_buyers: int
    orders: int
    revenue: Decimal
    currency: str
    average_order_value: Decimal | None
    repeat_purchase_rate: float | None
    purchase_frequency: float | None
    cancelled_orders: int
    returned_orders: int
    top_categories: list[tuple[str, Decimal]]

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        for key in ("revenue", "average_order_value"):
            document[key] = None if document[key] is None else float(document[key])
        document["top_categories"] = [
            {"category": name, "revenue": float(value)} for name, value in self.top_categories
        ]
        return document


def base_summary(connection: Connection, currency: str, top: int = 5) -> BaseSummary:
    counted = orders.c.placed_at.is_not(None) & orders.c.cancelled_at.is_(None)
    per_customer = (
        select(
            orders.c.customer_id,
            func.count().label("orders"),
            func.sum(orders.c.total_minor - orders.c.returned_minor).label("revenue"),
        )
        .where(counted, orders.c.customer_id.is_not(None))
        .group_by(orders.c.customer_id)
        .subquery()
    )
    buyers, repeaters, order_count, revenue = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((per_customer.c.orders >= 2, 1), else_=0)), 0),
            func.coalesce(func.sum(per_customer.c.orders), 0),
            func.coalesce(func.sum(per_customer.c.revenue), 0),
        )
    ).one()
    customer_count = connection.execute(
        select(func.count()).select_from(customers).where(customers.c.merged_into.is_(None))
    ).scalar_one()
    cancelled = connection.execute(
        select(func.count()).select_from(orders).where(orders.c.cancelled_at.is_not(None))
    ).scalar_one()
    returned = connection.execute(
        select(func.count()).select_from(orders).where(counted, orders.c.returned_minor > 0)
    ).scalar_one()
    revenue_money = from_minor(int(revenue), currency)
    return BaseSummary(
        customers=customer_count,
        buyers=buyers,
        repeat_buyers=int(repeaters),
        orders=int(order_count),
        revenue=revenue_money,
        currency=currency,
        average_order_value=(revenue_money / order_count).quantize(Decimal("0.01")) if order_count else None,
        repeat_purchase_rate=round(int(repeaters) / buyers, 4) if buyers else None,
        purchase_frequency=round(int(order_count) / buyers, 3) if buyers else None,
        cancelled_orders=cancelled,
        returned_orders=returned,
        top_categories=_top_categories(connection, currency, top),
    )


def _top_categories(connection: Connection, currency: str, top: int) -> list[tuple[str, Decimal]]:
    counted = orders.c.placed_at.is_not(None) & orders.c.cancelled_at.is_(None)
    line_revenue = func.sum(
        (order_lines.c.quantity - order_lines.c.returned_quantity) * order_lines.c.price_minor
    )
    rows = connection.execute(
        select(products.c.category, line_revenue.label("revenue"))
        .select_from(order_lines.join(orders).join(products, products.c.sku == order_lines.c.sku))
        .where(counted, products.c.category.is_not(None))
        .group_by(products.c.category)
        .order_by(line_revenue.desc())
        .limit(top)
    )
    return [(category, from_minor(int(value), currency)) for category, value in rows]
