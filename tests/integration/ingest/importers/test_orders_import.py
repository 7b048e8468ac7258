"""``import orders``: order lines grouped into orders and sent as order events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, select

from retentio.customers.service import get_profile
from retentio.events.tables import events
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.orders import import_orders
from retentio.ingest.importers.report import Problem
from retentio.ingest.importers.tabular import TableOptions
from retentio.ingest.stats import StoreCounts
from retentio.orders.tables import orders

WriteCsv = Callable[..., Path]
HEADER = ["order_id", "customer_id", "date", "sku", "qty", "price", "currency", "coupon", "status"]


def _orders(engine: Engine) -> dict[str, tuple[str, int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(orders.c.order_id, orders.c.customer_id, orders.c.total_minor, orders.c.status)
        )
        return {row.order_id: (row.customer_id, row.total_minor, row.status) for row in rows}


def _event_ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(events.c.event_id)).scalars())


def test_lines_are_grouped_into_orders_with_their_statuses(
    context: ImportContext, engine: Engine, write_csv: WriteCsv, now: datetime
) -> None:
    # given
    path = write_csv(
        "shop-orders.csv",
        [
            HEADER,
            ["1001", "c-1", "2026-05-01 10:00", "A", "2", "100.50", "RUB", "SPRING", ""],
            ["1001", "c-1", "2026-05-01 10:00", "B", "1", "50", "RUB", "", "paid"],
            ["1002", "c-1", "05.05.2026 12:30", "A", "1", "100,50", "", "", "cancelled"],
            ["1003", "c-2", "2026-05-07T09:00:00+03:00", "A", "3", "100", "RUB", "", "returned"],
            ["1003", "c-2", "2026-05-07T09:00:00+03:00", "C", "1", "10", "RUB", "", ""],
        ],
    )
    # when
    report = import_orders(context, path, TableOptions())
    # then
    assert (report.rows_read, report.accepted, report.rejected, report.tallies["orders"]) == (5, 6, 0, 3)
    assert _orders(engine) == {
        "1001": ("c-1", 25100, "paid"),
        "1002": ("c-1", 10050, "cancelled"),
        "1003": ("c-2", 31000, "partially_returned"),
    }
    assert _event_ids(engine) == [
        "csv:shop-orders:1001",
        "csv:shop-orders:1001:paid",
        "csv:shop-orders:1002",
        "csv:shop-orders:1002:cancelled",
        "csv:shop-orders:1003",
        "csv:shop-orders:1003:returned",
    ]
    with engine.connect() as connection:
        profile = get_profile(connection, "c-2", "RUB", now)
        placed_at = connection.execute(
            select(orders.c.placed_at).where(orders.c.order_id == "1003")
        ).scalar_one()
    assert (profile.orders, profile.revenue) == (1, Decimal("10.00"))
    assert placed_at == datetime(2026, 5, 7, 6, 0, tzinfo=UTC)


def test_a_returned_line_is_taken_back_at_its_own_price_when_its_sku_is_on_other_lines(
    context: ImportContext, engine: Engine, write_csv: WriteCsv, now: datetime
) -> None:
    # given: of three lines of A, the middle one (at 80.00) is returned
    path = write_csv(
        "shop-orders.csv",
        [
            HEADER,
            ["1004", "c-3", "2026-05-07 09:00", "A", "1", "100", "RUB", "", ""],
            ["1004", "c-3", "2026-05-07 09:00", "A", "1", "80", "RUB", "", "returned"],
            ["1004", "c-3", "2026-05-07 09:00", "A", "1", "60", "RUB", "", ""],
        ],
    )
    # when
    import_orders(context, path, TableOptions())
    # then
    with engine.connect() as connection:
        profile = get_profile(connection, "c-3", "RUB", now)
    assert (profile.revenue, profile.returned) == (Decimal("160.00"), Decimal("80.00"))


def test_an_order_with_a_bad_line_is_skipped_whole_and_every_line_reported(
    context: ImportContext, engine: Engine, write_csv: WriteCsv
) -> None:
    # given
    path = write_csv(
        "orders.csv",
        [
            HEADER,
            ["2001", "c-1", "2026-05-01", "A", "1", "10", "RUB", "", ""],
            ["2001", "c-1", "2026-05-01", "B", "-1", "10", "RUB", "", ""],
            ["2002", "c-1", "2026-05-02", "A", "1", "10", "RUB", "", ""],
            ["2002", "c-9", "2026-05-02", "B", "1", "10", "RUB", "", ""],
            ["2003", "c-1", "yesterday", "A", "1", "10", "RUB", "", ""],
            ["2004", "c-1", "2026-05-03", "A", "1", "10", "ZZZ", "", ""],
            ["2005", "c-1", "2026-05-03", "A", "1", "10", "RUB", "", "lost"],
            ["2006", "c-1", "2026-05-04", "A", "1", "10", "RUB", "", ""],
        ],
    )
    # when
    report = import_orders(context, path, TableOptions())
    # then
    reasons = {problem.line: problem.reason for problem in report.problems}
    assert reasons == {
        2: "order '2001' not imported: line 3 is bad",
        3: "quantity: must be positive (mark a returned line with status=returned)",
        4: "order '2002' not imported: line 5 is bad",
        5: "customer_id: order '2002' belongs to 'c-1' (line 4), this line names 'c-9'",
        6: "timestamp: 'yesterday' is not a date (use --date-format)",
        7: "properties.currency: Value error, unknown currency 'ZZZ':"
        " use an ISO 4217 code such as RUB, EUR, USD",
        8: "status: 'lost' is not one of placed, paid, cancelled, returned",
    }
    assert list(_orders(engine)) == ["2006"]


def test_importing_again_is_a_no_op_and_source_names_the_event_ids(
    context: ImportContext, engine: Engine, write_csv: WriteCsv, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    path = write_csv("o.csv", [HEADER, ["3001", "c-1", "2026-05-01", "A", "1", "10", "RUB", "", ""]])
    options = TableOptions(source="shop")
    first = import_orders(context, path, options)
    before = store_counts()
    # when
    second = import_orders(context, path, options)
    # then
    assert (first.accepted, second.accepted, second.duplicates) == (1, 0, 1)
    assert store_counts() == before
    assert _event_ids(engine) == ["csv:shop:3001"]


def test_xlsx_order_lines_with_a_local_time_zone_and_date_format(
    context: ImportContext, engine: Engine, tmp_path: Path
) -> None:
    # given
    workbook = Workbook()
    sheet = workbook.create_sheet("Заказы")
    sheet.append(["Номер", "Клиент", "Дата", "Артикул", "Кол-во", "Цена"])
    sheet.append([4001, 77, "01/05/2026 10:00", "A", 2, 99.9])
    sheet.append([4002, 78, datetime(2026, 5, 2, 15, 0), "B", 1, 10])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    mapping = (
        "Номер=order_id",
        "Клиент=customer_id",
        "Дата=timestamp",
        "Артикул=sku",
        "Кол-во=quantity",
        "Цена=price",
    )
    options = TableOptions(mapping, sheet="Заказы", date_format="%d/%m/%Y %H:%M", timezone="Europe/Moscow")
    # when
    report = import_orders(context, path, options)
    # then
    assert report.problems == [Problem(3, "timestamp: '2026-05-02T15:00:00' does not match '%d/%m/%Y %H:%M'")]
    with engine.connect() as connection:
        row = connection.execute(select(orders.c.placed_at, orders.c.total_minor, orders.c.currency)).one()
    assert tuple(row) == (datetime(2026, 5, 1, 7, 0, tzinfo=UTC), 19980, "RUB")
