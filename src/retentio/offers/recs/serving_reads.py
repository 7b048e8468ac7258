"""What serving reads live from the store for one request: the catalogue facts of the candidates
(so a product deleted, deactivated or sold out since training is dropped at once), the customer's
purchases and returns, and the customer's latest cart."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, String, bindparam, select

from retentio.catalog import products
from retentio.events import events
from retentio.offers.recs.business_rules import History, ProductFacts
from retentio.orders import order_lines, orders

HISTORY_ORDERS = 200  # the customer's latest orders that serving looks at

# The statements of every request, built once: building one cost about as much as running it.
_FACTS = select(
    products.c.sku,
    products.c.name,
    products.c.category,
    products.c.margin,
    products.c.consumption_days,
    products.c.attributes,
).where(products.c.sku.in_(bindparam("skus", expanding=True, type_=String)))
_LATEST_ORDERS = (
    select(orders.c.order_id, orders.c.placed_at)
    .where(
        orders.c.customer_id == bindparam("customer_id", type_=String),
        orders.c.placed_at.is_not(None),
        orders.c.cancelled_at.is_(None),
    )
    .order_by(orders.c.placed_at.desc())
    .limit(HISTORY_ORDERS)
    .subquery()
)
_HISTORY = (
    select(
        _LATEST_ORDERS.c.order_id,
        _LATEST_ORDERS.c.placed_at,
        order_lines.c.sku,
        order_lines.c.quantity,
        order_lines.c.returned_quantity,
    )
    .join(order_lines, order_lines.c.order_id == _LATEST_ORDERS.c.order_id)
    .order_by(_LATEST_ORDERS.c.placed_at.desc(), _LATEST_ORDERS.c.order_id)
)


def catalogue_facts(connection: Connection, skus: Iterable[str]) -> dict[str, ProductFacts]:
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = connection.execute(_FACTS, {"skus": wanted})
    return {
        row.sku: _facts(row.name, row.category, row.margin, row.consumption_days, row.attributes)
        for row in rows
    }


def complements_and_premium(
    connection: Connection, skus: list[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each SKU's catalogue complements, and the products that are its premium variant."""
    if not skus:
        return {}, {}
    complements = {
        row.sku: [str(s) for s in row.complements or []]
        for row in connection.execute(
            select(products.c.sku, products.c.complements).where(products.c.sku.in_(skus))
        )
    }
    premium: dict[str, list[str]] = {}
    for row in connection.execute(
        select(products.c.sku, products.c.premium_variant_of)
        .where(products.c.premium_variant_of.in_(skus))
        .order_by(products.c.sku)
    ):
        premium.setdefault(row.premium_variant_of, []).append(row.sku)
    return complements, premium


def customer_history(connection: Connection, customer_id: str) -> tuple[History, list[str]]:
    """The customer's purchases and returns, and the SKUs of the latest basket (newest first)."""
    rows = connection.execute(_HISTORY, {"customer_id": customer_id}).all()
    last_bought: dict[str, datetime] = {}
    returned: set[str] = set()
    for row in rows:
        if row.returned_quantity > 0:
            returned.add(row.sku)
        if row.quantity > row.returned_quantity and row.sku not in last_bought:
            last_bought[row.sku] = row.placed_at
    first_order = rows[0].order_id if rows else None
    last_basket = [row.sku for row in rows if row.order_id == first_order]
    return History(last_bought, frozenset(returned)), last_basket


def latest_cart(connection: Connection, customer_id: str, after: datetime | None) -> list[str]:
    """The SKUs of the customer's latest ``cart_updated``, unless an order came after it."""
    row = connection.execute(
        select(events.c.properties, events.c.occurred_at)
        .where(events.c.customer_id == customer_id, events.c.type == "cart_updated")
        .order_by(events.c.occurred_at.desc())
        .limit(1)
    ).first()
    if row is None or (after is not None and row.occurred_at <= after):
        return []
    items = row.properties.get("items", []) if isinstance(row.properties, dict) else []
    return [str(item["sku"]) for item in items if isinstance(item, dict) and isinstance(item.get("sku"), str)]


def _facts(
    name: str, category: str | None, margin: Decimal | None, days: int | None, attributes: Any
) -> ProductFacts:
    attributes = attributes if isinstance(attributes, dict) else {}
    return ProductFacts(
        name=name,
        category=category,
        margin=margin,
        consumption_days=days,
        active=attributes.get("active") is not False,
        in_stock=attributes.get("in_stock") is not False,
    )
