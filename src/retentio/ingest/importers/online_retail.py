"""``retentio import orders --format online-retail``: the UCI "Online Retail" file (a UK gift shop's
invoice lines, 2010-12-01 to 2011-12-09), as CSV — gzipped or plain, told by its magic bytes — or the
original ``.xlsx``.

Rules (also in ``docs/importing.md``):

- Lines without a CustomerID are counted (``lines_without_customer``) and skipped: no customer is
  invented for them.
- Every CustomerID becomes a customer, with its ``Country`` (the last one the file gives) as the
  ``country`` attribute — also the few who appear only in cancellations.
- An invoice of digits is a sale: one ``order_placed`` (event and order ``uci:{InvoiceNo}``) at its
  earliest line time, in GBP, with every line as an item — postage (``POST``, ``DOT``, ``C2``),
  manual and fee lines included, since the customer was charged them; the total is Σ quantity × price.
  Lines priced 0 are kept as free items. A sale line with a quantity ≤ 0 or a negative price is
  reported, and its invoice is skipped whole.
- An invoice ``C…`` is a cancellation; its lines are matched to earlier sales (``uci_returns``) and
  sent as ``order_returned`` events ``uci:{C-invoice}:{InvoiceNo}``; units that match no sale are
  reported line by line. Other invoices (``A…``, bad-debt adjustments) are reported.
- InvoiceDate is read as UTC, ISO (``2010-12-01 08:26:00``, this file) or US (``12/1/2010 8:26``,
  the original spreadsheet's text).
- Products are derived from StockCode and Description (name = the last description, price = the last
  positive sale price, GBP, no category); service codes (postage, fees, discounts) are not products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from retentio.clock import ensure_utc
from retentio.ingest.importers.cells import parse_as, parse_decimal, parse_quantity
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.mapping import ColumnMap, Fields, resolve
from retentio.ingest.importers.online_retail_writes import write_online_retail
from retentio.ingest.importers.report import ImportReport
from retentio.ingest.importers.tabular import Row, TableOptions, read_table

FIELDS = Fields(
    known=(
        "invoiceno",
        "stockcode",
        "description",
        "quantity",
        "invoicedate",
        "unitprice",
        "customerid",
        "country",
    ),
    required=("invoiceno", "stockcode", "quantity", "invoicedate", "unitprice", "customerid"),
    aliases={"invoice": "invoiceno", "price": "unitprice", "customer_id": "customerid"},
)


@dataclass(frozen=True, slots=True)
class RetailLine:
    line: int
    invoice: str
    sku: str
    quantity: int  # as in the file: negative on a cancellation
    at: datetime
    price: Decimal
    customer: str
    country: str | None
    is_cancellation: bool


@dataclass
class RetailFile:
    """The usable lines of the file, and the catalogue facts of every line (with a customer or not)."""

    lines: list[RetailLine]
    names: dict[str, tuple[int, str]]  # sku → (line, last description)
    prices: dict[str, Decimal]  # sku → last positive sale price
    broken: dict[str, int]  # invoice → its first bad line: the invoice is skipped whole


def import_online_retail(context: ImportContext, path: Path, options: TableOptions) -> ImportReport:
    context.progress.start(f"reading {path.name}", None)
    table = read_table(path, options.delimiter, options.sheet)
    columns = resolve(table.columns, options.mapping, FIELDS)
    report = ImportReport(rows_read=len(table.rows))
    parsed = read_lines(table.rows, columns, report)
    write_online_retail(context, parsed, report)
    return report


def read_lines(rows: Sequence[Row], columns: ColumnMap, report: ImportReport) -> RetailFile:
    parsed = RetailFile([], {}, {}, {})
    for row in rows:
        values = columns.values(row)
        sku, description = values.get("stockcode", ""), values.get("description", "")
        if sku and description:
            parsed.names[sku] = (row.line, description)
        if "customerid" not in values:
            report.count("lines_without_customer")
            continue
        try:
            line = _line(row.line, values)
        except ValueError as error:
            report.reject(row.line, str(error))
            parsed.broken.setdefault(values.get("invoiceno", ""), row.line)
            continue
        parsed.lines.append(line)
        if not line.is_cancellation and line.price > 0:
            parsed.prices[line.sku] = line.price
    return parsed


def _line(number: int, values: dict[str, str]) -> RetailLine:
    invoice = values.get("invoiceno", "")
    quantity = parse_as("Quantity", values.get("quantity"), parse_quantity)
    price = parse_as("UnitPrice", values.get("unitprice"), parse_decimal)
    at = parse_as("InvoiceDate", values.get("invoicedate"), invoice_time)
    if not (invoice.isdigit() or (invoice.startswith("C") and invoice[1:].isdigit())):
        raise ValueError(f"InvoiceNo {invoice!r} is neither a sale (digits) nor a cancellation (C…)")
    if price < 0:
        raise ValueError(f"UnitPrice {price} is negative")
    if invoice.startswith("C") and quantity >= 0:
        raise ValueError(f"Quantity {quantity} on cancellation {invoice} is not negative")
    if not invoice.startswith("C") and quantity <= 0:
        raise ValueError(f"Quantity {quantity} on sale {invoice} is not positive")
    if not values.get("stockcode"):
        raise ValueError("StockCode: empty")
    return RetailLine(
        line=number,
        invoice=invoice,
        sku=values["stockcode"],
        quantity=quantity,
        at=at,
        price=price,
        customer=customer_id(values["customerid"]),
        country=values.get("country"),
        is_cancellation=invoice.startswith("C"),
    )


def customer_id(text: str) -> str:
    """``17850.0`` (a float column in the CSV export) is customer ``17850``."""
    whole, point, fraction = text.partition(".")
    return whole if point and whole.isdigit() and fraction.strip("0") == "" else text


@lru_cache(maxsize=65_536)  # lines of an invoice share their time
def invoice_time(text: str) -> datetime:
    value = text.strip()
    us_style = "/" in value  # the spreadsheet's own text, month first
    parsed = datetime.strptime(value, "%m/%d/%Y %H:%M") if us_style else datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else ensure_utc(parsed)
