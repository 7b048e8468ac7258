"""Writing a parsed Online Retail file: its customers, its products, then its invoices as order events
(the rules are in ``online_retail``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from retentio.customers import CustomerUpsert
from retentio.ingest.importers.customer_upserts import CustomerRow, upsert_customers
from retentio.ingest.importers.feed import ImportContext, SourcedEvent, feed_events
from retentio.ingest.importers.order_events import Line, order_placed, order_returned
from retentio.ingest.importers.product_upserts import ProductRow, upsert_products
from retentio.ingest.importers.report import ImportReport
from retentio.ingest.importers.uci_returns import Cancelled, Sold, Taken, allocate_returns

if TYPE_CHECKING:
    from retentio.ingest.importers.online_retail import RetailFile, RetailLine

CURRENCY = "GBP"
# Postage, carriage, fees, discounts, manual and bad-debt adjustments, samples: charges, not products.
SERVICE_CODES = frozenset({"POST", "DOT", "C2", "M", "m", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK"})


def write_online_retail(context: ImportContext, parsed: RetailFile, report: ImportReport) -> None:
    customers = customer_rows(parsed.lines)
    context.progress.start("customers", len(customers))
    counts = upsert_customers(context, customers, report)
    report.count("customers", len(customers))
    report.count("customers_unchanged", counts.unchanged)
    products = product_rows(parsed)
    context.progress.start("products", len(products))
    counts = upsert_products(context, products, report)
    report.count("products", len(products))
    report.count("products_unchanged", counts.unchanged)
    sales = sale_events(parsed, report)
    events = [event for event, _ in sales] + return_events(
        parsed.lines, [lines for _, lines in sales], report
    )
    context.progress.start("invoices", len(events))
    feed_events(context, events, report)


def customer_rows(lines: Sequence[RetailLine]) -> list[CustomerRow]:
    """One row per customer, at its first line, with the last country the file gives it."""
    first_line: dict[str, int] = {}
    country: dict[str, str] = {}
    for line in lines:
        first_line.setdefault(line.customer, line.line)
        if line.country:
            country[line.customer] = line.country
    return [
        CustomerRow(number, customer, _with_country(country.get(customer)))
        for customer, number in first_line.items()
    ]


def product_rows(parsed: RetailFile) -> list[ProductRow]:
    rows = []
    for sku, (number, name) in parsed.names.items():
        if sku in SERVICE_CODES:
            continue
        fields: dict[str, Any] = {"name": name, "currency": CURRENCY}
        if sku in parsed.prices:
            fields["price"] = parsed.prices[sku]
        rows.append(ProductRow(number, sku, fields))
    return rows


def sale_events(parsed: RetailFile, report: ImportReport) -> list[tuple[SourcedEvent, list[RetailLine]]]:
    invoices: dict[str, list[RetailLine]] = {}
    for line in parsed.lines:
        if not line.is_cancellation:
            invoices.setdefault(line.invoice, []).append(line)
    sales = []
    for invoice, lines in invoices.items():
        if _skipped(invoice, lines, parsed.broken, report):
            continue
        first, order_id = lines[0], f"uci:{invoice}"
        at = min(line.at for line in lines)
        items = [Line(line.sku, line.quantity, line.price) for line in lines]
        event = order_placed(order_id, first.customer, at, order_id, items, CURRENCY)
        sales.append((SourcedEvent(first.line, event), lines))
    report.count("orders", len(sales))
    return sales


def return_events(
    lines: Sequence[RetailLine], invoices: Sequence[Sequence[RetailLine]], report: ImportReport
) -> list[SourcedEvent]:
    """``invoices``: the lines of each imported sale, in the order of its ``order_placed`` items."""
    cancelled = [
        Cancelled(line.line, line.invoice, line.customer, line.at, line.sku, -line.quantity, line.price)
        for line in lines
        if line.is_cancellation
    ]
    allocation = allocate_returns(_sales_of(invoices, cancelled), cancelled)
    groups: dict[tuple[str, str], list[Taken]] = {}
    for taken in allocation.taken:
        groups.setdefault((taken.cancelled.invoice, taken.invoice), []).append(taken)
    events = [_returned(c_invoice, invoice, parts) for (c_invoice, invoice), parts in groups.items()]
    _report_returns(cancelled, allocation.unmatched, report)
    report.count("return_events", len(events))
    return events


def _sales_of(invoices: Sequence[Sequence[RetailLine]], cancelled: Sequence[Cancelled]) -> list[Sold]:
    """The sale lines a cancellation could take from: same customer and StockCode, at the invoice's
    time, each with its place among the invoice's items."""
    wanted = {(line.customer, line.sku) for line in cancelled}
    sold = []
    for lines in invoices:
        placed = min(line.at for line in lines)
        sold += [
            Sold(line.invoice, line.customer, placed, line.sku, line.quantity, line.price, number)
            for number, line in enumerate(lines, start=1)
            if (line.customer, line.sku) in wanted
        ]
    return sold


def _returned(c_invoice: str, invoice: str, parts: list[Taken]) -> SourcedEvent:
    """One item per order line taken back, at the price the cancellation gave it."""
    items: dict[tuple[str, int], Line] = {}
    for part in parts:
        key = (part.cancelled.sku, part.line_no)
        before = items.get(key)
        units = part.quantity + (before.quantity if before else 0)
        price = before.price if before else part.cancelled.price
        items[key] = Line(part.cancelled.sku, units, price, part.line_no)
    first = min(parts, key=lambda part: part.cancelled.line).cancelled
    at = min(part.cancelled.at for part in parts)
    event = order_returned(
        f"uci:{c_invoice}:{invoice}", first.customer, at, f"uci:{invoice}", list(items.values())
    )
    return SourcedEvent(first.line, event)


def _report_returns(
    cancelled: Sequence[Cancelled], unmatched: Sequence[tuple[Cancelled, int]], report: ImportReport
) -> None:
    report.count("cancellation_invoices", len({line.invoice for line in cancelled}))
    report.count("cancellation_lines", len(cancelled))
    for line, units in unmatched:
        partly = units < line.quantity
        report.count("cancellation_lines_partly_matched" if partly else "cancellation_lines_unmatched")
        report.reject(
            line.line,
            f"cancellation {line.invoice}: {units} of {line.quantity} × {line.sku} match no earlier"
            f" sale to customer {line.customer} in the file",
        )


def _skipped(invoice: str, lines: list[RetailLine], broken: dict[str, int], report: ImportReport) -> bool:
    first = lines[0]
    bad_line = broken.get(invoice)
    stray = next((line for line in lines if line.customer != first.customer), None)
    if stray is not None and bad_line is None:
        bad_line = stray.line
        report.reject(
            stray.line,
            f"invoice {invoice} belongs to customer {first.customer} (line {first.line}),"
            f" this line names {stray.customer}",
        )
    if bad_line is None:
        return False
    for line in lines:
        if line.line != bad_line:
            report.reject(line.line, f"invoice {invoice} not imported: line {bad_line} is bad")
    return True


def _with_country(country: str | None) -> CustomerUpsert:
    return CustomerUpsert(attributes={"country": country}) if country else CustomerUpsert()
