"""The base report (``retentio report``) over a store of 1,000,000 customers' orders, against the floor:
a plain ``SELECT`` of the same order columns for the same rows, fetched through the driver, in the same run.

    python benchmarks/report.py [--customers 1000000] [--database-url URL]

Orders are bulk-inserted straight into the tables (no events: the report reads orders only), about 2.7
a customer over two years, 5 % cancelled and 8 % partly returned; one line each, with a product margin.
The report covers the 365 days up to "now" (2027-01-01): once as ``retentio report`` runs it (the margin
share read from the catalogue, a join of orders, lines and products) and once with ``--margin`` given.
Prints one figure a line.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, select, text

from retentio.analytics.metrics import MetricSettings, Period, Report, build_report
from retentio.analytics.metrics.orders_frame import counted_between
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.orders.tables import orders

NOW = datetime(2027, 1, 1, tzinfo=UTC)
HISTORY_DAYS = 730
CHUNK = 100_000
PRODUCTS = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'report.db'}"
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(engine)
        started = time.perf_counter()
        order_count = _fill(engine, args.customers)
        loaded = time.perf_counter() - started
        period = Period.days_up_to(NOW)
        floor, rows = _plain_select(engine, period)
        report_seconds, report = _report(engine, period, MetricSettings())
        given_margin_seconds, _ = _report(engine, period, MetricSettings(margin_share=Decimal("0.3")))
        engine.dispose()
    print(f"dialect {engine.dialect.name}")
    print(f"customers {args.customers}")
    print(f"orders {order_count}")
    print(f"orders_in_period_and_lookback {rows}")
    print(f"bulk_insert_seconds {loaded:.1f}")
    print(f"plain_select_seconds {floor:.2f}")
    print(f"report_seconds {report_seconds:.2f}")
    print(f"ratio_to_plain_select {report_seconds / floor:.2f}")
    print(f"report_seconds_margin_given {given_margin_seconds:.2f}")
    print(f"ratio_to_plain_select_margin_given {given_margin_seconds / floor:.2f}")
    for figure in report.figures:
        value = "null" if figure.rounded is None else str(figure.rounded)
        print(f"{figure.metric.key} {value}")
    print(f"cohorts {len(report.cohorts.rows)}")


def _report(engine: Engine, period: Period, settings: MetricSettings) -> tuple[float, Report]:
    """The whole report; with a margin share given, the catalogue's margins are not read."""
    started = time.perf_counter()
    with engine.connect() as connection:
        report = build_report(connection, period, NOW, settings)
    return time.perf_counter() - started, report


def _plain_select(engine: Engine, period: Period) -> tuple[float, int]:
    """The floor: the order columns the report reads, as stored, for the same rows (its look-back
    included) and through the same access path, fetched from the driver's cursor without conversion."""
    lookback = period.start - timedelta(days=365)
    started = time.perf_counter()
    with engine.connect() as connection:
        columns = ("customer_id", "placed_at", "total_minor", "returned_minor", "currency")
        query = select(*(orders.c[name] for name in columns))
        query = query.where(counted_between(connection, lookback, period.end))
        cursor = connection.execute(query).cursor  # the DBAPI cursor: rows as the driver gives them
        rows = 0
        while chunk := cursor.fetchmany(CHUNK):
            rows += len(chunk)
    return time.perf_counter() - started, rows


def _fill(engine: Engine, customers: int) -> int:
    rng = np.random.default_rng(11)
    per_customer = rng.geometric(1 / 2.7, customers)
    owner = np.repeat(np.arange(customers), per_customer)
    count = int(owner.size)
    seconds = (NOW.timestamp() - rng.uniform(0, HISTORY_DAYS * 86_400, count)).astype(np.int64)
    quantity = rng.integers(1, 4, count)
    price = (rng.lognormal(7.5, 0.8, count)).astype(np.int64) + 100
    cancelled = rng.random(count) < 0.05
    returned = np.where(rng.random(count) < 0.08, price, 0) * ~cancelled
    sku = rng.integers(0, PRODUCTS, count)
    stamp = _stamp(engine)
    now = stamp(NOW)
    _insert(engine, "customers", ("customer_id", "push_tokens", "attributes", "created_at", "updated_at"),
            ((f"c{n}", "[]", "{}", now, now) for n in range(customers)))  # fmt: skip
    _insert(engine, "products", ("sku", "name", "margin", "complements", "attributes", "updated_at"),
            ((f"S{n}", f"product {n}", round(0.2 + 0.3 * n / PRODUCTS, 4), "[]", "{}", now)
             for n in range(PRODUCTS)))  # fmt: skip
    order_columns = ("order_id", "customer_id", "placed_at", "currency", "total_minor", "discount_minor",
                     "cancelled_at", "returned_minor", "returns", "status", "updated_at")  # fmt: skip
    _insert(engine, "orders", order_columns, (
        (f"o{n}", f"c{owner[n]}", stamp(_at(seconds[n])), "RUB", int(quantity[n] * price[n]), 0,
         stamp(_at(seconds[n] + 3600)) if cancelled[n] else None, int(returned[n]), "[]",
         "cancelled" if cancelled[n] else "placed", now)
        for n in range(count)
    ))  # fmt: skip
    line_columns = ("order_id", "line_no", "sku", "quantity", "price_minor", "returned_quantity")
    _insert(engine, "order_lines", line_columns, (
        (f"o{n}", 1, f"S{sku[n]}", int(quantity[n]), int(price[n]), 1 if returned[n] else 0)
        for n in range(count)
    ))  # fmt: skip
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return count


def _insert(engine: Engine, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        if engine.dialect.name == "postgresql":
            names = ", ".join(columns)
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
            return
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        raw.execute("BEGIN")
        while chunk := list(islice(rows, CHUNK)):
            raw.executemany(statement, chunk)
        raw.execute("COMMIT")


def _at(second: int) -> datetime:
    return datetime.fromtimestamp(int(second), UTC)


def _stamp(engine: Engine) -> Any:
    """How a time is written: naive UTC text on SQLite (as ``UtcDateTime`` stores it), aware on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return _sqlite_time
    return lambda at: at


def _sqlite_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


if __name__ == "__main__":
    main()
