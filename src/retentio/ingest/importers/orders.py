"""``retentio import orders``: order lines from CSV or Excel, grouped by ``order_id`` into orders.

Each order becomes an ``order_placed`` event (``csv:{source}:{order_id}``) with all its lines and a
total of quantity × price; a ``status`` of ``paid`` or ``cancelled`` on any line adds an
``order_paid`` / ``order_cancelled`` event, and lines marked ``returned`` make one
``order_returned`` event — all at the order's time. An order is imported whole or not at all: when
one of its lines is bad, every line of it is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retentio.ingest.importers.cells import (
    MAX_ID,
    derived_id,
    parse_as,
    parse_decimal,
    parse_quantity,
    parse_timestamp,
)
from retentio.ingest.importers.feed import ImportContext, SourcedEvent, feed_events
from retentio.ingest.importers.mapping import Fields, resolve
from retentio.ingest.importers.order_events import Line, order_changed, order_placed, order_returned
from retentio.ingest.importers.report import ImportReport, SourceError
from retentio.ingest.importers.tabular import TableOptions, read_table

FIELDS = Fields(
    known=(
        "order_id",
        "customer_id",
        "timestamp",
        "sku",
        "quantity",
        "price",
        "currency",
        "coupon",
        "status",
    ),
    required=("order_id", "customer_id", "timestamp", "sku", "price"),
    aliases={
        "date": "timestamp",
        "datetime": "timestamp",
        "order_date": "timestamp",
        "created_at": "timestamp",
        "product_id": "sku",
        "qty": "quantity",
        "unit_price": "price",
    },
)
STATUSES = {
    "placed": (
        "placed",
        "new",
        "created",
        "completed",
        "complete",
        "shipped",
        "delivered",
        "оформлен",
        "новый",
        "выполнен",
        "доставлен",
    ),
    "paid": ("paid", "оплачен"),
    "cancelled": ("cancelled", "canceled", "отменен", "отменён", "скасовано"),
    "returned": ("returned", "refunded", "возврат", "возвращен", "возвращён", "повернуто"),
}
T = TypeVar("T")
_STATUS_OF = {spelling: status for status, spellings in STATUSES.items() for spelling in spellings}


@dataclass(frozen=True, slots=True)
class OrderLine:
    line: int
    order_id: str
    customer_id: str
    at: datetime
    item: Line
    currency: str
    coupon: str | None
    status: str


def import_orders(context: ImportContext, path: Path, options: TableOptions) -> ImportReport:
    zone = _zone(options.timezone)
    context.progress.start(f"reading {path.name}", None)
    table = read_table(path, options.delimiter, options.sheet)
    columns = resolve(table.columns, options.mapping, FIELDS)
    report = ImportReport(rows_read=len(table.rows))
    report.note_unused_columns(columns.unused)
    currency = (options.currency or context.ingest.default_currency).upper()
    orders: dict[str, list[OrderLine]] = {}
    broken: dict[str, int] = {}  # order id → its first bad line
    for row in table.rows:
        values = columns.values(row)
        try:
            line = parse_line(row.line, values, zone, options.date_format, currency)
        except ValueError as error:
            report.reject(row.line, str(error))
            broken.setdefault(values.get("order_id", ""), row.line)
            continue
        orders.setdefault(line.order_id, []).append(line)
    source = options.source or path.stem
    events = [event for lines in orders.values() for event in order_events(source, lines, broken, report)]
    context.progress.start("importing orders", len(events))
    feed_events(context, events, report)
    return report


def parse_line(
    number: int, values: dict[str, str], zone: tzinfo, date_format: str | None, default_currency: str
) -> OrderLine:
    at = _parsed(values, "timestamp", lambda text: parse_timestamp(text, zone, date_format))
    quantity = _parsed(values, "quantity", parse_quantity) if "quantity" in values else 1
    price = _parsed(values, "price", parse_decimal)
    if quantity <= 0:
        raise ValueError("quantity: must be positive (mark a returned line with status=returned)")
    if price < 0:
        raise ValueError(f"price: {values['price']!r} is negative")
    status = _STATUS_OF.get(values.get("status", "placed").strip().lower())
    if status is None:
        raise ValueError(f"status: {values['status']!r} is not one of {', '.join(STATUSES)}")
    return OrderLine(
        line=number,
        order_id=_parsed(values, "order_id", _identifier),
        customer_id=_parsed(values, "customer_id", _identifier),
        at=at,
        item=Line(_parsed(values, "sku", _identifier), quantity, price),
        currency=values.get("currency", default_currency).upper(),
        coupon=values.get("coupon"),
        status=status,
    )


def order_events(
    source: str, lines: list[OrderLine], broken: dict[str, int], report: ImportReport
) -> list[SourcedEvent]:
    """The events of one order, or none (its lines reported) when one of its lines is bad."""
    first = lines[0]
    bad_line = broken.get(first.order_id)
    conflict = _conflict(lines) if bad_line is None else None
    if conflict is not None:
        bad_line = conflict.line
        report.reject(conflict.line, _conflict_reason(first, conflict))
    if bad_line is not None:
        for line in lines:
            if line.line != bad_line:
                report.reject(line.line, f"order {first.order_id!r} not imported: line {bad_line} is bad")
        return []
    report.count("orders")
    return [SourcedEvent(first.line, event) for event in _events(source, first, lines)]


def _events(source: str, first: OrderLine, lines: list[OrderLine]) -> list[dict[str, Any]]:
    order_id, customer_id = first.order_id, first.customer_id
    at = min(line.at for line in lines)
    coupon = next((line.coupon for line in lines if line.coupon), None)
    items = [line.item for line in lines]
    events = [
        order_placed(
            derived_id("csv", source, order_id),
            customer_id,
            at,
            order_id,
            items,
            first.currency,
            coupon=coupon,
        )
    ]
    statuses = {line.status for line in lines}
    for status in ("paid", "cancelled"):
        if status in statuses:
            key = derived_id("csv", source, order_id, status)
            events.append(order_changed(key, f"order_{status}", customer_id, at, order_id))
    returned = [
        replace(line.item, line_no=number)
        for number, line in enumerate(lines, start=1)
        if line.status == "returned"
    ]
    if returned:
        key = derived_id("csv", source, order_id, "returned")
        events.append(order_returned(key, customer_id, at, order_id, returned))
    return events


def _conflict(lines: list[OrderLine]) -> OrderLine | None:
    first = lines[0]
    for line in lines[1:]:
        if line.customer_id != first.customer_id or line.currency != first.currency:
            return line
    return None


def _conflict_reason(first: OrderLine, line: OrderLine) -> str:
    if line.customer_id != first.customer_id:
        return (
            f"customer_id: order {first.order_id!r} belongs to {first.customer_id!r} (line {first.line}),"
            f" this line names {line.customer_id!r}"
        )
    return (
        f"currency: order {first.order_id!r} is in {first.currency} (line {first.line}),"
        f" this line in {line.currency}"
    )


def _parsed(values: dict[str, str], name: str, parse: Callable[[str], T]) -> T:
    return parse_as(name, values.get(name), parse)


def _identifier(text: str) -> str:
    if len(text) > MAX_ID:
        raise ValueError(f"longer than {MAX_ID} characters")
    return text


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SourceError(f"--timezone {name!r}: not an IANA time zone such as Europe/Moscow") from None
