"""``import orders --format online-retail``: the UCI invoice lines, by the documented rules."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.conftest import NOW

from retentio.catalog.service import get_product
from retentio.customers.service import get_customer
from retentio.events.tables import events
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.online_retail import import_online_retail
from retentio.ingest.importers.tabular import TableOptions
from retentio.ingest.stats import StoreCounts
from retentio.orders.tables import order_lines, orders
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
LINES = [
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",  # 2
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom",  # 3
    "536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2010-12-02 09:00:00,2.55,17850.0,United Kingdom",  # 4
    "536366,POST,POSTAGE,1,2010-12-02 09:00:00,18.00,17850.0,United Kingdom",  # 5
    "536367,22632,HAND WARMER RED POLKA DOT,2,12/3/2010 10:15,1.85,,United Kingdom",  # 6: no customer
    "536368,22633,HAND WARMER UNION JACK,0,2010-12-03 11:00:00,1.85,13047.0,United Kingdom",  # 7: bad qty
    "536368,22632,HAND WARMER RED POLKA DOT,1,2010-12-03 11:00:00,1.85,13047.0,United Kingdom",  # 8
    "536369,22960,JAM MAKING SET WITH JARS,1,2010-12-03 12:00:00,0,13047.0,France",  # 9: free item
    "C536370,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-8,2010-12-05 10:00:00,2.55,17850.0,United Kingdom",
    "C536370,D,Discount,-1,2010-12-05 10:00:00,5.00,17850.0,United Kingdom",  # 11: matches no sale
    "C536371,22960,JAM MAKING SET WITH JARS,-1,2010-12-06 10:00:00,4.25,12346.0,Norway",  # 12: only a return
    "A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,-11062.06,,United Kingdom",  # 13: no customer
]


def _write(path: Path, compress: bool = False) -> Path:
    data = ("\r\n".join([HEADER, *LINES]) + "\r\n").encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_invoices_cancellations_customers_and_products_follow_the_rules(
    context: ImportContext, engine: Engine, tmp_path: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    path = _write(tmp_path / "online_retail.csv")
    # when
    report = import_online_retail(context, path, TableOptions())
    # then
    assert report.rows_read == 12
    assert report.tallies == {
        "lines_without_customer": 2,
        "customers": 3,
        "customers_unchanged": 0,
        "products": 5,
        "products_unchanged": 0,
        "orders": 3,
        "cancellation_invoices": 2,
        "cancellation_lines": 3,
        "cancellation_lines_unmatched": 2,
        "return_events": 2,
    }
    assert {problem.line: problem.reason for problem in report.problems} == {
        7: "Quantity 0 on sale 536368 is not positive",
        8: "invoice 536368 not imported: line 7 is bad",
        11: "cancellation C536370: 1 of 1 × D match no earlier sale to customer 17850 in the file",
        12: "cancellation C536371: 1 of 1 × 22960 match no earlier sale to customer 12346 in the file",
    }
    with engine.connect() as connection:
        stored = {
            row.order_id: (row.total_minor, row.returned_minor, row.status)
            for row in connection.execute(select(orders))
        }
        returned = connection.execute(
            select(order_lines.c.order_id, order_lines.c.sku, order_lines.c.returned_quantity).where(
                order_lines.c.returned_quantity > 0
            )
        ).all()
        customer = get_customer(connection, "12346", NOW)
        product = get_product(connection, "85123A")
        postage = get_product(connection, "POST")
    assert stored == {
        "uci:536365": (3564, 1020, "partially_returned"),
        "uci:536366": (2820, 1020, "partially_returned"),
        "uci:536369": (0, 0, "placed"),
    }
    assert sorted(returned) == [("uci:536365", "85123A", 4), ("uci:536366", "85123A", 4)]
    assert customer is not None and customer.attributes == {"country": "Norway"}
    assert product is not None and (product.name, str(product.price), product.currency) == (
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "2.55",
        "GBP",
    )
    assert postage is None
    assert store_counts().customers == 3


def test_a_gzipped_file_imports_the_same_and_a_repeat_changes_nothing(
    context: ImportContext, tmp_path: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    path = _write(tmp_path / "online_retail.csv.gz", compress=True)
    first = import_online_retail(context, path, TableOptions())
    before = store_counts()
    # when
    second = import_online_retail(context, path, TableOptions())
    # then
    assert (first.accepted, first.duplicates) == (5, 0)
    assert (second.accepted, second.duplicates) == (0, 5)
    assert (second.tallies["customers_unchanged"], second.tallies["products_unchanged"]) == (3, 5)
    assert store_counts() == before


@pytest.mark.datasets
@pytest.mark.slow
def test_the_real_file(
    context: ImportContext, datasets_dir: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # when
    report = import_online_retail(context, datasets_dir / "online_retail.csv.gz", TableOptions())
    # then: the README's 4,372 customers; 25,900 invoices = 18,536 sales and 3,654 cancellations
    # with a customer, the rest without one (135,080 lines)
    assert report.rows_read == 541_909
    tallies = report.tallies
    assert (tallies["lines_without_customer"], tallies["customers"]) == (135_080, 4_372)
    assert (tallies["orders"], tallies["cancellation_invoices"], tallies["cancellation_lines"]) == (
        18_536,
        3_654,
        8_905,
    )
    unmatched = tallies["cancellation_lines_unmatched"] + tallies["cancellation_lines_partly_matched"]
    assert report.rejected == unmatched  # every other line with a customer is usable
    assert report.accepted == tallies["orders"] + tallies["return_events"]
    stored = store_counts()
    assert (stored.customers, stored.orders, stored.products) == (4_372, 18_536, tallies["products"])
    assert stored.order_lines == 541_909 - 135_080 - 8_905


@pytest.mark.datasets
@pytest.mark.slow
def test_importing_the_real_file_as_history_triggers_nothing(
    context: ImportContext, datasets_dir: Path, engine: Engine
) -> None:
    # given the import as `retentio import` runs it: the segments consumer catching up after every
    # batch, events older than the default cut-off (72 hours) being history
    wired = replace(
        context,
        ingest=replace(context.ingest, history_cutoff=timedelta(hours=72)),
        consumers=(SegmentsConsumer(DEFAULT_CONFIG, "GBP"),),
    )
    # when the 2010-2011 file arrives years later
    import_online_retail(wired, datasets_dir / "online_retail.csv.gz", TableOptions())
    # then every move it caused (thousands: "prospect → churned" among them) is history
    with engine.connect() as connection:
        marks = dict(
            connection.execute(
                select(events.c.historical, func.count())
                .where(events.c.derived.is_(True))
                .group_by(events.c.historical)
            ).all()
        )
    assert marks.get(False, 0) == 0
    assert marks[True] > 4_339
