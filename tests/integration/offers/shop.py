"""A small shop for the recommenders' tests: a catalogue and customers' orders, views and carts
sent in as events through ingestion, as a shop would."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from retentio.catalog import ProductUpsert, do_upsert_products
from retentio.ingest import IngestOptions, ingest_events

OPTIONS = IngestOptions(future_tolerance=timedelta(days=1))

# sku: (name, category, price, extra fields)
PRODUCTS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "TEA": ("Black tea", "tea", "300", {"complements": ["MUG"], "consumption_days": 30}),
    "TEA-GOLD": ("Gold tea", "tea", "900", {"premium_variant_of": "TEA"}),
    "LEMON": ("Lemon", "fruit", "50", {}),
    "HONEY": ("Honey", "sweets", "400", {}),
    "MUG": ("Mug", "kitchen", "500", {}),
    "COFFEE": ("Coffee", "coffee", "600", {}),
    "MILK": ("Milk", "dairy", "80", {"consumption_days": 20}),
    "SUGAR": ("Sugar", "sweets", "60", {}),
    "CAKE": ("Cake", "sweets", "700", {"margin": Decimal("0.05")}),
}


def add_products(engine: Engine, now: datetime, **attributes: dict[str, Any]) -> None:
    items = []
    for sku, (name, category, price, extra) in PRODUCTS.items():
        fields = {"name": name, "category": category, "price": Decimal(price), **extra}
        fields["attributes"] = attributes.get(sku, {})
        items.append((sku, ProductUpsert(**fields)))
    with engine.begin() as connection:
        do_upsert_products(connection, items, now, "RUB")


def order(
    customer: str, order_id: str, at: datetime, skus: list[str], paid: bool = True
) -> list[dict[str, Any]]:
    items = [{"sku": sku, "quantity": 1, "price": PRODUCTS[sku][2]} for sku in skus]
    total = str(sum(int(PRODUCTS[sku][2]) for sku in skus))
    sent = [
        _event(
            f"{order_id}-placed",
            "order_placed",
            customer,
            at,
            order_id=order_id,
            items=items,
            total=total,
            currency="RUB",
        )
    ]
    if paid:
        sent.append(
            _event(f"{order_id}-paid", "order_paid", customer, at + timedelta(minutes=5), order_id=order_id)
        )
    return sent


def viewed(customer: str, at: datetime, sku: str, n: int) -> dict[str, Any]:
    return _event(f"{customer}-view-{sku}-{n}", "product_viewed", customer, at, sku=sku)


def cart(customer: str, at: datetime, skus: list[str]) -> dict[str, Any]:
    items = [{"sku": sku, "quantity": 1, "price": PRODUCTS[sku][2]} for sku in skus]
    return _event(
        f"{customer}-cart-{at.isoformat()}",
        "cart_updated",
        customer,
        at,
        cart_id=f"c-{customer}",
        items=items,
    )


def returned(customer: str, order_id: str, at: datetime, sku: str) -> dict[str, Any]:
    items = [{"sku": sku, "quantity": 1, "price": PRODUCTS[sku][2]}]
    return _event(
        f"{order_id}-returned-{sku}", "order_returned", customer, at, order_id=order_id, items=items
    )


def send(engine: Engine, sent: list[dict[str, Any]], now: datetime) -> None:
    result = ingest_events(engine, sent, now, OPTIONS)
    assert not result.rejected, result.rejected


def tea_shop(engine: Engine, now: datetime, customers: int = 30) -> None:
    """Tea goes with lemon and honey; coffee with milk and sugar; after tea, customers move up to the
    gold tea; a few buy a cake (whose margin is low)."""
    add_products(engine, now)
    start = now - timedelta(days=200)
    sent: list[dict[str, Any]] = []
    for c in range(customers):
        customer = f"c{c:03d}"
        at = start + timedelta(days=c)
        if c % 2 == 0:
            sent += order(customer, f"{customer}-1", at, ["TEA", "LEMON", "HONEY"])
            sent += order(customer, f"{customer}-2", at + timedelta(days=20), ["TEA-GOLD", "LEMON"])
            sent.append(viewed(customer, at + timedelta(days=3), "MUG", 1))
        else:
            sent += order(customer, f"{customer}-1", at, ["COFFEE", "MILK", "SUGAR"])
            sent += order(customer, f"{customer}-2", at + timedelta(days=15), ["COFFEE", "MILK"])
        if c % 5 == 0:
            sent += order(customer, f"{customer}-3", at + timedelta(days=40), ["CAKE", "SUGAR"])
    sent += order("unpaid", "unpaid-1", start, ["MUG", "CAKE"], paid=False)
    send(engine, sent, now)


def _event(event_id: str, type_: str, customer: str, at: datetime, **properties: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": type_,
        "customer_id": customer,
        "timestamp": at.isoformat(),
        "properties": properties,
    }
