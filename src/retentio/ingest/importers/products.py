"""``retentio import products``: a CSV or Excel catalogue, one product per row.

Fields: ``sku`` (required), ``name`` (required for a new product), ``category``, ``brand``,
``price``, ``currency``, ``margin`` (``0.3`` or ``30%``), ``premium_variant_of``, ``complements``
(SKUs separated by ``,`` ``;`` or ``|``), ``consumption_days`` and ``attributes.<name>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from retentio.db.json_values import NUL_MESSAGE
from retentio.ingest.importers.cells import parse_decimal, parse_quantity
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.mapping import ATTRIBUTE_PREFIX, Fields, resolve
from retentio.ingest.importers.product_upserts import ProductRow, upsert_products
from retentio.ingest.importers.report import ImportReport
from retentio.ingest.importers.tabular import TableOptions, read_table

_LIST_SEPARATORS = re.compile(r"[,;|]")
FIELDS = Fields(
    known=(
        "sku",
        "name",
        "category",
        "brand",
        "price",
        "currency",
        "margin",
        "premium_variant_of",
        "complements",
        "consumption_days",
    ),
    required=("sku",),
    aliases={"title": "name", "product_name": "name", "product_id": "sku", "unit_price": "price"},
    free_attributes=True,
)


def import_products(context: ImportContext, path: Path, options: TableOptions) -> ImportReport:
    context.progress.start(f"reading {path.name}", None)
    table = read_table(path, options.delimiter, options.sheet)
    columns = resolve(table.columns, options.mapping, FIELDS)
    report = ImportReport(rows_read=len(table.rows))
    report.note_unused_columns(columns.unused)
    rows: list[ProductRow] = []
    for row in table.rows:
        values = columns.values(row)
        sku = values.get("sku", "")
        if not sku or "\x00" in sku:
            report.reject(row.line, f"sku: {NUL_MESSAGE if sku else 'empty'}")
            continue
        try:
            rows.append(ProductRow(row.line, sku, product_fields(values)))
        except ValueError as error:
            report.reject(row.line, str(error))
    context.progress.start("importing products", len(rows))
    counts = upsert_products(context, rows, report)
    report.accepted, report.duplicates = counts.changed, counts.unchanged
    return report


def product_fields(values: dict[str, str]) -> dict[str, Any]:
    """The typed values a row gives (the model validates them further when laid over the stored)."""
    fields: dict[str, Any] = {}
    attributes: dict[str, str] = {}
    for name, text in values.items():
        if name == "sku":
            continue
        if name.startswith(ATTRIBUTE_PREFIX):
            attributes[name.removeprefix(ATTRIBUTE_PREFIX)] = text
            continue
        parse = _PARSERS.get(name, str)
        try:
            fields[name] = parse(text)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    if attributes:
        fields["attributes"] = attributes
    return fields


def _margin(text: str) -> Decimal:
    if text.strip().endswith("%"):
        return parse_decimal(text.strip()[:-1]) / 100
    return parse_decimal(text)


def _list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]


_PARSERS: dict[str, Callable[[str], Any]] = {
    "price": parse_decimal,
    "margin": _margin,
    "currency": str.upper,
    "complements": _list,
    "consumption_days": parse_quantity,
}
