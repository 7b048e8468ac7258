"""The catalogue: products with their category, brand, price, margin, premium variant, complements
and consumption period (CDP-2); their typed input and output, and the write and read paths.

This package is the area's facade: other areas import these names from ``retentio.catalog``, never
its modules (``lint-imports`` checks it). ``products`` is its table, for set-based SQL reads. Each
name loads its module on first use (``retentio.facade``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retentio.facade import load_on_use

if TYPE_CHECKING:
    from retentio.catalog.models import ProductRecord, ProductUpsert
    from retentio.catalog.service import do_upsert_products, get_product
    from retentio.catalog.store import categories_of
    from retentio.catalog.tables import products

__all__ = [
    "ProductRecord",
    "ProductUpsert",
    "categories_of",
    "do_upsert_products",
    "get_product",
    "products",
]

_EXPORTS = {
    "retentio.catalog.models": ["ProductRecord", "ProductUpsert"],
    "retentio.catalog.service": ["do_upsert_products", "get_product"],
    "retentio.catalog.store": ["categories_of"],
    "retentio.catalog.tables": ["products"],
}
__getattr__ = load_on_use(__name__, _EXPORTS)
