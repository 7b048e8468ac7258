"""``retentio import orders --format cdnow``: the CDNOW purchase files (Fader & Hardie).

Both layouts are read, told apart by their first data row:

- the master file: a header ``customer_id date number_of_cds dollar_value``, then 4 columns;
- the 1/10 sample: no header, 5 columns — master id, sample id, ``YYYYMMDD``, CDs, dollars.

Each row is one order of one line: sku ``CD``, quantity = the number of CDs, the line price = the
dollar value ÷ CDs rounded to the cent, and the order total = the dollar value exactly (the profile's
revenue comes from the total, so revenue is exact). Currency USD, time the date at 00:00 UTC; rows of
$0 are valid orders. Customers are the master ids without leading zeros, so the sample's customers are
the master's. The n-th purchase of a customer on a day is the event and order
``cdnow:{customer}:{YYYYMMDD}:{n}`` (the master has same-day repeats): the sample's events are the
master's, and importing either again stores nothing new.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from retentio.ingest.importers.feed import ImportContext, SourcedEvent, feed_events
from retentio.ingest.importers.order_events import Line, order_placed
from retentio.ingest.importers.report import ImportReport, SourceError
from retentio.ingest.importers.tabular import decode_text, read_bytes

HEADER = ("customer_id", "date", "number_of_cds", "dollar_value")
SKU = "CD"
CURRENCY = "USD"
_CENT = Decimal("0.01")


class BadRow(ValueError):
    pass


def import_cdnow(context: ImportContext, path: Path) -> ImportReport:
    report = ImportReport()
    events = cdnow_events(decode_text(read_bytes(path), path), report)
    context.progress.start("importing CDNOW purchases", len(events))
    feed_events(context, events, report)
    return report


def cdnow_events(text: str, report: ImportReport) -> list[SourcedEvent]:
    rows = [(number, line.split()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if rows and tuple(rows[0][1]) == HEADER:
        rows = rows[1:]
    elif rows and not rows[0][1][0].isdigit():
        raise SourceError(f"line {rows[0][0]}: not a CDNOW file (expected the header {' '.join(HEADER)})")
    if not rows:
        return []
    width = len(rows[0][1])
    if width not in (4, 5):
        raise SourceError(f"line {rows[0][0]}: {width} columns; CDNOW files have 4 (master) or 5 (sample)")
    seen: Counter[tuple[str, str]] = Counter()
    events = []
    for number, cells in rows:
        report.rows_read += 1
        try:
            events.append(SourcedEvent(number, _event(cells, width, seen)))
        except BadRow as error:
            report.reject(number, str(error))
    report.count("orders", len(events))
    return events


def _event(cells: list[str], width: int, seen: Counter[tuple[str, str]]) -> dict[str, Any]:
    if len(cells) != width:
        raise BadRow(f"{len(cells)} columns, expected {width} like the first row")
    customer_text, day, cds_text, dollars_text = (cells[0], *cells[-3:])
    customer, at = _customer(customer_text), _date(day)
    seen[customer, day] += 1  # counted before the amounts, so fixing a bad row renumbers nothing
    cds, dollars = _count(cds_text), _dollars(dollars_text)
    order_id = f"cdnow:{customer}:{day}:{seen[customer, day]}"
    price = (dollars / cds).quantize(_CENT, rounding=ROUND_HALF_EVEN)
    return order_placed(order_id, customer, at, order_id, [Line(SKU, cds, price)], CURRENCY, total=dollars)


def _customer(text: str) -> str:
    if not text.isdigit():
        raise BadRow(f"customer id {text!r} is not a number")
    return str(int(text))


@cache  # a few hundred distinct days in 70,000 rows
def _date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        raise BadRow(f"date {text!r} is not YYYYMMDD") from None


def _count(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise BadRow(f"number of CDs {text!r} is not a positive whole number")
    return int(text)


def _dollars(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadRow(f"dollar value {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise BadRow(f"dollar value {text!r} is not a non-negative amount")
    return value
