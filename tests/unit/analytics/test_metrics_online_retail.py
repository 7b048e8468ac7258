"""The metrics on the real UCI Online Retail file, imported through ``retentio import orders``, against
an independent Polars computation straight from the CSV.

The independent side rebuilds the orders from the file's lines (an invoice of digits with a customer is
an order at its earliest line, its total Σ quantity × price rounded half-even to pence) and derives every
fact from them. Which sale a ``C`` invoice takes back is the importer's rule (``uci_returns``), so the
returned amounts are read back from the store: the revenue check is gross-from-the-CSV minus those.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import orjson
import polars as pl
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from retentio.analytics.metrics import BaseFacts, MetricSettings, Period, build_report, measure
from retentio.cli import app
from retentio.cli.context import runtime
from retentio.orders.tables import orders as orders_table

pytestmark = [pytest.mark.datasets, pytest.mark.slow]

PERIOD = Period.of(datetime(2011, 3, 1, tzinfo=UTC), datetime(2011, 12, 10, tzinfo=UTC))
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


def csv_orders(path: Path) -> pl.DataFrame:
    """customer, at (epoch seconds), gross_minor: one row per sale invoice with a customer."""
    text_columns = ("InvoiceNo", "StockCode", "UnitPrice", "CustomerID")
    lines = pl.read_csv(path, schema_overrides=dict.fromkeys(text_columns, pl.String))
    price = pl.col("UnitPrice").cast(pl.Decimal(18, 3)).mul(1000).cast(pl.Int64)
    sales = lines.filter(pl.col("CustomerID").is_not_null(), pl.col("InvoiceNo").str.contains(r"^\d+$"))
    invoices = sales.group_by("InvoiceNo").agg(
        customer=pl.col("CustomerID").first().str.replace(r"\.0$", ""),
        at=pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC").min().dt.epoch("s"),
        milli=(pl.col("Quantity") * price).sum(),
    )
    pence, rest = pl.col("milli") // 10, pl.col("milli") % 10
    up = (rest > 5) | ((rest == 5) & (pence % 2 == 1))
    return invoices.select("customer", "at", gross_minor=pence + up.cast(pl.Int64))


def independent_facts(orders: pl.DataFrame, period: Period, returned_minor: int) -> BaseFacts:
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
        revenue_minor=int(in_period["gross_minor"].sum()) - returned_minor,
        active_customer_days=active.filter(pl.col("day") >= 0).height,
        monthly_active_customer_days=monthly,
        margin_share=None,
        discount_rate=Decimal("0.10"),
    )


def returned_in(engine: Engine, period: Period) -> int:
    query = select(func.coalesce(func.sum(orders_table.c.returned_minor), 0)).where(
        orders_table.c.placed_at >= period.start, orders_table.c.placed_at < period.end
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


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
    expected = independent_facts(orders, PERIOD, returned_in(imported, PERIOD))
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
