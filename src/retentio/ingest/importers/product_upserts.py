"""Writing imported products through ``do_upsert_products``, one transaction per chunk.

The catalogue stores a product whole; an import changes only the fields its file has, so each row
is laid over the stored product (free attributes merged) before it is written, and a row that
changes nothing is not written at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from retentio.catalog import ProductUpsert, do_upsert_products, get_product
from retentio.db.batches import chunks
from retentio.ingest.importers.customer_upserts import UpsertCounts
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.report import ImportReport, describe_error
from retentio.types.money import from_minor, to_minor

CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class ProductRow:
    line: int
    sku: str
    fields: dict[str, Any]  # typed values of the fields the row gives


def upsert_products(context: ImportContext, rows: Sequence[ProductRow], report: ImportReport) -> UpsertCounts:
    counts = UpsertCounts()
    currency = context.ingest.default_currency
    for part in chunks(rows, CHUNK):
        with context.engine.begin() as connection:
            pending = _changed_products(connection, part, currency, report, counts)
            do_upsert_products(connection, list(pending.items()), context.now, currency)
        context.progress.advance(len(part))
    return counts


def _changed_products(
    connection: Connection,
    rows: Sequence[ProductRow],
    default_currency: str,
    report: ImportReport,
    counts: UpsertCounts,
) -> dict[str, ProductUpsert]:
    """The products of ``rows`` that differ from what is stored (a later row of a SKU wins)."""
    pending: dict[str, ProductUpsert] = {}
    for row in rows:
        base = pending.get(row.sku) or _stored(connection, row.sku)
        try:
            product = overlay(base, row.fields, default_currency)
        except ValidationError as error:
            report.reject(row.line, describe_error(error))
            continue
        if product == base:
            counts.unchanged += 1
            continue
        pending[row.sku] = product
        counts.changed += 1
    return pending


def overlay(base: ProductUpsert | None, fields: dict[str, Any], default_currency: str) -> ProductUpsert:
    """``fields`` laid over ``base``; the price rounded to the currency's minor unit as it is stored."""
    document = base.model_dump() if base is not None else {}
    attributes = {**document.get("attributes", {}), **fields.get("attributes", {})}
    document.update(fields, attributes=attributes)
    product = ProductUpsert.model_validate(document)
    if product.price is None:
        return product
    currency = product.currency or default_currency
    return product.model_copy(update={"price": from_minor(to_minor(product.price, currency), currency)})


def _stored(connection: Connection, sku: str) -> ProductUpsert | None:
    record = get_product(connection, sku)
    if record is None:
        return None
    return ProductUpsert.model_validate(record.model_dump(exclude={"sku"}))
