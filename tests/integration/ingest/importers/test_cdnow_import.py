"""``import orders --format cdnow``: both CDNOW layouts, one order per purchase row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from retentio.customers.service import get_profile
from retentio.events.tables import events
from retentio.ingest.importers.cdnow import import_cdnow
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.report import Problem, SourceError
from retentio.ingest.stats import StoreCounts
from retentio.orders.tables import order_lines, orders

MASTER = """ customer_id  date number_of_cds  dollar_value\r
 00001 19970101  1   11.77\r
 00002 19970112  1   12.00\r
 00002 19970112  5   77.00\r
 00003 19970102  3   20.00\r
 00003 19970330  1    0.00\r
 00004 1997013x  1   10.00\r
 00004 19970201  0   10.00\r
 00004 19970202  1\r
"""
SAMPLE = """ 00002 0001 19970112  1   12.00
 00002 0001 19970112  5   77.00
 00003 0002 19970102  3   20.00
"""


def test_master_file_rows_become_orders_with_exact_totals(
    context: ImportContext, engine: Engine, tmp_path: Path, now: datetime
) -> None:
    # given
    path = tmp_path / "CDNOW_master.txt"
    path.write_text(MASTER)
    # when
    report = import_cdnow(context, path)
    # then
    assert (report.rows_read, report.accepted, report.tallies["orders"]) == (8, 5, 5)
    assert report.sorted_problems() == [
        Problem(7, "date '1997013x' is not YYYYMMDD"),
        Problem(8, "number of CDs '0' is not a positive whole number"),
        Problem(9, "3 columns, expected 4 like the first row"),
    ]
    with engine.connect() as connection:
        totals = dict(connection.execute(select(orders.c.order_id, orders.c.total_minor)).all())
        line = connection.execute(
            select(order_lines.c.sku, order_lines.c.quantity, order_lines.c.price_minor).where(
                order_lines.c.order_id == "cdnow:3:19970102:1"
            )
        ).one()
        placed_at = connection.execute(
            select(orders.c.placed_at).where(orders.c.order_id == "cdnow:1:19970101:1")
        ).scalar_one()
        profile = get_profile(connection, "2", "RUB", now)
    assert totals == {
        "cdnow:1:19970101:1": 1177,
        "cdnow:2:19970112:1": 1200,
        "cdnow:2:19970112:2": 7700,
        "cdnow:3:19970102:1": 2000,
        "cdnow:3:19970330:1": 0,
    }
    assert tuple(line) == ("CD", 3, 667)  # 20.00 / 3 rounded to the cent; the total stays exact
    assert placed_at == datetime(1997, 1, 1, tzinfo=UTC)
    assert (profile.orders, profile.revenue, profile.currency) == (2, Decimal("89.00"), "USD")


def test_the_sample_layout_is_detected_and_its_events_are_the_masters(
    context: ImportContext, engine: Engine, tmp_path: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    master, sample = tmp_path / "master.txt", tmp_path / "sample.txt"
    master.write_text(MASTER)
    sample.write_text(SAMPLE)
    # when
    from_sample = import_cdnow(context, sample)
    from_master = import_cdnow(context, master)
    again = import_cdnow(context, master)
    # then
    assert (from_sample.rows_read, from_sample.accepted, from_sample.rejected) == (3, 3, 0)
    assert (from_master.accepted, from_master.duplicates) == (2, 3)
    assert (again.accepted, again.duplicates) == (0, 5)
    assert store_counts().orders == 5
    with engine.connect() as connection:
        assert "cdnow:2:19970112:2" in set(connection.execute(select(events.c.event_id)).scalars())


def test_a_file_that_is_not_cdnow_is_refused(context: ImportContext, tmp_path: Path) -> None:
    path = tmp_path / "other.txt"
    path.write_text("InvoiceNo,StockCode\n1,2\n")
    with pytest.raises(SourceError, match="not a CDNOW file"):
        import_cdnow(context, path)


@pytest.mark.datasets
@pytest.mark.slow
def test_the_full_master_file(
    context: ImportContext, datasets_dir: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # when
    report = import_cdnow(context, datasets_dir / "CDNOW_master.txt")
    # then
    assert (report.rows_read, report.accepted, report.rejected) == (69_659, 69_659, 0)
    stored = store_counts()
    assert (stored.customers, stored.orders, stored.order_lines, stored.events) == (
        23_570,
        69_659,
        69_659,
        69_659,
    )


@pytest.mark.datasets
def test_the_one_in_ten_sample(
    context: ImportContext, datasets_dir: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # when
    report = import_cdnow(context, datasets_dir / "CDNOW_sample.txt")
    # then
    assert (report.rows_read, report.accepted, report.rejected) == (6_919, 6_919, 0)
    stored = store_counts()
    assert (stored.customers, stored.orders) == (2_357, 6_919)
