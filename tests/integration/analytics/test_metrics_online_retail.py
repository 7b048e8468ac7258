"""The metrics on the real UCI Online Retail file, imported through ``retentio import orders``, against
an independent Polars computation straight from the CSV.

The independent side rebuilds the orders from the file's lines (an invoice of digits with a customer is
an order at its earliest line, its total Σ quantity × price rounded half-even to pence) and derives every
fact from them. The returns too: each ``C`` line is matched to sale lines by the documented rule
(docs/importing.md) and priced at those lines' own prices, without reading anything back from the store.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from retentio.analytics.metrics import BaseFacts, MetricSettings, Period, build_report, measure
from retentio.cli import app
from retentio.cli.context import runtime
from retentio.orders.tables import orders as orders_table

pytestmark = [pytest.mark.datasets, pytest.mark.slow]

PERIOD = Period.of(datetime(2011, 3, 1, tzinfo=UTC), datetime(2011, 12, 10, tzinfo=UTC))
YEAR = Period.days_up_to(datetime(2011, 12, 10, tzinfo=UTC))  # the report's default period
WINDOW = timedelta(days=365)
DAY = 86_400


@pytest.fixture
def retail_file(datasets_dir: Path) -> Path:
    path = datasets_dir / "online_retail.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return path


@pytest.fixture
def imported(engine: Engine, database_url: str, retail_file: Path) -> Engine:
    command = ["--as-of", "2012-01-01", "import", "orders", "--format", "online-retail", str(retail_file)]
    env = {"RETENTIO_DATABASE_URL": database_url}
    result = CliRunner().invoke(app, [*command, "--quiet", "--json"], env=env)
    runtime().engine.dispose()
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["tallies"]["orders"] == 18_536
    return engine


def csv_lines(path: Path) -> pl.DataFrame:
    """The lines with a customer, in file order: invoice, customer, sku, quantity, price (text), at."""
    text_columns = ("InvoiceNo", "StockCode", "UnitPrice", "CustomerID")
    lines = pl.read_csv(path, schema_overrides=dict.fromkeys(text_columns, pl.String))
    return lines.filter(pl.col("CustomerID").is_not_null()).select(
        invoice=pl.col("InvoiceNo"),
        customer=pl.col("CustomerID").str.replace(r"\.0$", ""),
        sku=pl.col("StockCode"),
        quantity=pl.col("Quantity"),
        price=pl.col("UnitPrice"),
        at=pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC").dt.epoch("s"),
    )


def csv_orders(path: Path) -> pl.DataFrame:
    """customer, at (epoch seconds), gross_minor, returned_minor: one row per sale invoice."""
    lines = csv_lines(path)
    sales = lines.filter(pl.col("invoice").str.contains(r"^\d+$"))
    price = pl.col("price").cast(pl.Decimal(18, 3)).mul(1000).cast(pl.Int64)
    invoices = sales.group_by("invoice").agg(
        customer=pl.col("customer").first(), at=pl.col("at").min(), milli=(pl.col("quantity") * price).sum()
    )
    pence, rest = pl.col("milli") // 10, pl.col("milli") % 10
    up = (rest > 5) | ((rest == 5) & (pence % 2 == 1))
    orders = invoices.select("invoice", "customer", "at", gross_minor=pence + up.cast(pl.Int64))
    returned = csv_returned(lines, dict(orders.select("invoice", "gross_minor").iter_rows()))
    taken = pl.DataFrame(
        list(returned.items()), schema={"invoice": pl.String, "returned_minor": pl.Int64}, orient="row"
    )
    return orders.join(taken, on="invoice", how="left").fill_null(0)


def csv_returned(lines: pl.DataFrame, gross: dict[str, int]) -> dict[str, int]:
    """Sale invoice → pence its cancellations took back.

    A cancelled line takes its units from the same customer's sale lines of its StockCode placed at or
    before it: the newest sale first, and within a sale the lines at the cancelled price first, then in
    file order; never more than a line sold. Each unit is worth its sale line's price in pence (half-even),
    and an order never gives back more than its total.
    """
    sales = lines.filter(pl.col("invoice").str.contains(r"^\d+$")).with_columns(
        placed=pl.col("at").min().over("invoice"), position=pl.int_range(pl.len()).over("invoice")
    )
    stock: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    for row in sales.select("customer", "sku", "placed", "invoice", "position", "price", "quantity").rows():
        customer, sku, placed, invoice, position, price, quantity = row
        stock[customer, sku].append([placed, int(invoice), position, Decimal(price), quantity])
    cancelled = lines.filter(pl.col("invoice").str.starts_with("C")).with_row_index("row")
    returned: dict[str, int] = defaultdict(int)
    for _, _, customer, sku, quantity, price, at in cancelled.sort("at", "invoice", "row").rows():
        wanted, refund = -quantity, Decimal(price)
        candidates = [entry for entry in stock[customer, sku] if entry[0] <= at]
        for entry in sorted(candidates, key=lambda e: (-e[0], -e[1], e[3] != refund, e[2])):
            units = min(wanted, entry[4])
            entry[4] -= units
            wanted -= units
            returned[str(entry[1])] += units * int((entry[3] * 100).quantize(Decimal(1), ROUND_HALF_EVEN))
    return {invoice: min(pence, gross[invoice]) for invoice, pence in returned.items() if pence}


def independent_facts(orders: pl.DataFrame, period: Period) -> BaseFacts:
    start, end, window = period.start_second, period.end_second, int(WINDOW.total_seconds())

    def customers(low: int, high: int) -> set[str]:
        return set(orders.filter(pl.col("at") >= low, pl.col("at") < high)["customer"].to_list())

    at_start, at_end = customers(start - window, start), customers(end - window, end)
    first = orders.group_by("customer").agg(pl.col("at").min())
    in_period = orders.filter(pl.col("at") >= start, pl.col("at") < end)
    per_customer = in_period.group_by("customer").len()
    days = period.days
    day_of = ((pl.col("at") - start) // DAY).alias("day")
    active = orders.filter(pl.col("at") < end).select("customer", day_of).unique()
    calendar = pl.DataFrame({"d": list(range(days))})
    monthly = (  # for every day d, the customers active in [d − 29, d]
        calendar.join(active, how="cross")
        .filter(pl.col("day") <= pl.col("d"), pl.col("day") > pl.col("d") - 30)
        .select("d", "customer").unique().height
    )  # fmt: skip
    return BaseFacts(
        days=days,
        customers_at_start=len(at_start),
        customers_at_end=len(at_end),
        new_customers=first.filter(pl.col("at") >= start, pl.col("at") < end).height,
        lost_customers=len(at_start - at_end),
        active_customers=per_customer.height,
        repeat_customers=per_customer.filter(pl.col("len") >= 2).height,
        orders=in_period.height,
        currency="GBP",
        money_orders=in_period.height,
        money_customers=per_customer.height,
        revenue_minor=int(in_period["gross_minor"].sum() - in_period["returned_minor"].sum()),
        active_customer_days=active.filter(pl.col("day") >= 0).height,
        monthly_active_customer_days=monthly,
        margin_share=None,
        discount_rate=Decimal("0.10"),
    )


def independent_cohorts(orders: pl.DataFrame, period: Period) -> dict[str, tuple[int, ...]]:
    """Month of the first order → customers of that cohort with an order in each month since."""
    moment = pl.from_epoch(pl.col("at"), time_unit="s")
    numbered = orders.with_columns(month=moment.dt.year().cast(pl.Int64) * 12 + moment.dt.month() - 1)
    first = numbered.group_by("customer").agg(first=pl.col("at").min(), cohort=pl.col("month").min())
    new = numbered.filter(pl.col("at") < period.end_second).join(first, on="customer")
    new = new.filter(pl.col("first") >= period.start_second)
    active = new.select("cohort", "month", "customer").unique().group_by("cohort", "month").len()
    last = 2011 * 12 + 11  # December 2011
    matrix = {}
    for cohort in sorted(active["cohort"].unique()):
        counts = dict(active.filter(pl.col("cohort") == cohort).select("month", "len").iter_rows())
        label = f"{cohort // 12}-{cohort % 12 + 1:02d}"
        matrix[label] = tuple(counts.get(month, 0) for month in range(cohort, last + 1))
    return matrix


def test_the_report_matches_an_independent_computation(imported: Engine, retail_file: Path) -> None:
    # given
    orders = csv_orders(retail_file)
    expected = independent_facts(orders, PERIOD)
    # when
    with imported.connect() as connection:
        facts = measure(connection, PERIOD)
        report = build_report(connection, PERIOD, PERIOD.end, MetricSettings())
    # then: every fact, hence every figure, and the whole cohort matrix
    assert facts == expected
    assert report.facts == expected
    assert {row.month: row.active for row in report.cohorts.rows} == independent_cohorts(orders, PERIOD)
    assert 0 < expected.new_customers < expected.active_customers
    assert expected.customers_at_start > expected.lost_customers > 0
    aov = report.value("average_order_value")
    assert aov == Decimal(expected.revenue_minor) / 100 / expected.orders
    assert report.currency == "GBP"


def test_returns_are_priced_at_their_own_lines_so_the_years_revenue_matches_the_file(
    imported: Engine, retail_file: Path
) -> None:
    # given
    orders = csv_orders(retail_file)
    in_year = orders.filter(pl.col("at") >= YEAR.start_second, pl.col("at") < YEAR.end_second)
    # when
    with imported.connect() as connection:
        revenue = measure(connection, YEAR).revenue_minor
        returned = connection.execute(
            select(orders_table.c.returned_minor).where(orders_table.c.order_id == "uci:548813")
        ).scalar_one()
    # then: C548830 and C548834 took back all four manual lines of 548813 (£4,037.77),
    # not 4 × the last line's £1,252.95
    assert returned == 403_777
    assert revenue == int(in_year["gross_minor"].sum() - in_year["returned_minor"].sum())
