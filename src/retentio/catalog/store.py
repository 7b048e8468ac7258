"""Reading and writing the catalogue."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from retentio.catalog.tables import products
from retentio.db.batches import chunks


def categories_of(connection: Connection, skus: Iterable[str]) -> dict[str, str]:
    """Category per SKU for the SKUs that have one (unknown SKUs are simply absent)."""
    found: dict[str, str] = {}
    for part in chunks(sorted(set(skus))):
        found.update(
            connection.execute(
                select(products.c.sku, products.c.category).where(
                    products.c.sku.in_(part), products.c.category.is_not(None)
                )
            ).all()
        )
    return found
