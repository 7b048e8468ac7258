"""The write and read paths for products."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from retentio.catalog.models import ProductRecord, ProductUpsert
from retentio.catalog.tables import products
from retentio.db.batches import chunks, upsert
from retentio.types.money import from_minor, to_minor


def do_upsert_products(
    connection: Connection, items: Sequence[tuple[str, ProductUpsert]], now: datetime, default_currency: str
) -> int:
    """Create or replace products by SKU (a product is sent whole, as shops export them)."""
    # The same SKU twice in one call: the later one wins (PostgreSQL refuses to upsert a row twice
    # in one statement).
    latest = dict(items)
    rows = [_row(sku, latest[sku], now, default_currency) for sku in sorted(latest)]
    for part in chunks(rows, 2_000):
        upsert(connection, products, list(part))
    return len(rows)


def get_product(connection: Connection, sku: str) -> ProductRecord | None:
    row = connection.execute(select(products).where(products.c.sku == sku)).first()
    if row is None:
        return None
    currency = row.currency
    price = from_minor(row.price_minor, currency) if row.price_minor is not None and currency else None
    return ProductRecord(
        sku=row.sku,
        name=row.name,
        category=row.category,
        brand=row.brand,
        price=price,
        currency=currency,
        margin=row.margin,
        premium_variant_of=row.premium_variant_of,
        complements=row.complements,
        consumption_days=row.consumption_days,
        attributes=row.attributes,
    )


def _row(sku: str, product: ProductUpsert, now: datetime, default_currency: str) -> dict[str, Any]:
    currency = product.currency or default_currency
    return {
        "sku": sku,
        "name": product.name,
        "category": product.category,
        "brand": product.brand,
        "price_minor": to_minor(product.price, currency) if product.price is not None else None,
        "currency": currency,
        "margin": product.margin,
        "premium_variant_of": product.premium_variant_of,
        "complements": list(product.complements),
        "consumption_days": product.consumption_days,
        "attributes": product.attributes,
        "updated_at": now,
    }
