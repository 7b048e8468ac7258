"""Benchmark: the occasions' daily sweep, its Polars parts at size (no store).

Prints one figure a line. Timings are the best of ``--repeat`` runs.

- ``intervals_*``: learning every product's repurchase interval from Online Retail's purchases
  (customers' repeat invoices of the same stock code); the floor is one ``group_by`` of the same
  lines by customer and product, counting them.
- ``runouts_*``: each customer's latest purchase of each product with an interval, when it runs out,
  and the reminders due in a two-day window; the same floor.
- ``birthdays_*``: which of ``--people`` customers (birthdays spread over the year, 20 timezones, a
  tenth without one) have their birthday three days after today, locally; the floor is a filter of
  the same frame on one month and day.

    python benchmarks/occasions.py [--people 1000000] [--repeat 3]

The data set folder is ``$RETENTIO_DATASETS``, by default ``../shared/datasets`` beside the repo.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from retentio.offers.occasions.intervals import CATALOGUE_SCHEMA, learn_intervals
from retentio.offers.occasions.runout import due_between, ends, latest_purchases
from retentio.offers.occasions.settings import Replenishment
from retentio.offers.occasions.yearly import yearly_due

ZONES = [
    None, "Europe/Moscow", "Europe/London", "Europe/Berlin", "Asia/Vladivostok", "Asia/Yekaterinburg",
    "Asia/Novosibirsk", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney",
    "Europe/Kaliningrad", "Asia/Almaty", "Asia/Tbilisi", "Europe/Samara", "Asia/Omsk", "Asia/Irkutsk",
    "Asia/Magadan", "Pacific/Auckland", "America/Sao_Paulo",
]  # fmt: skip


def best(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def online_retail(folder: Path) -> pl.DataFrame:
    raw = pl.read_csv(
        folder / "online_retail.csv.gz",
        schema_overrides={"InvoiceNo": pl.String, "StockCode": pl.String, "CustomerID": pl.Float64},
    )
    placed = pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S").dt.replace_time_zone("UTC")
    return raw.filter(pl.col("CustomerID").is_not_null(), pl.col("Quantity") > 0).select(
        customer_id=pl.col("CustomerID").cast(pl.Int64).cast(pl.String),
        sku=pl.col("StockCode"),
        order_id=pl.col("InvoiceNo"),
        placed_at=placed,
        quantity=pl.col("Quantity").cast(pl.Int64),
        known_at=placed,
    )


def people(count: int) -> pl.DataFrame:
    """Customers born 1950-2004 across ``ZONES``; a tenth without a birthday (left out by the store's
    query, as here)."""
    rng = np.random.default_rng(7)
    since_epoch = (date(1950, 1, 1) - date(1970, 1, 1)).days + rng.integers(0, 365 * 55, count)
    frame = pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(count)],
            "date": pl.Series(since_epoch, dtype=pl.Int32).cast(pl.Date),
            "timezone": [ZONES[int(i)] for i in rng.integers(0, len(ZONES), count)],
        },
        schema={"customer_id": pl.String, "date": pl.Date, "timezone": pl.String},
    )
    return frame.filter(pl.Series(rng.random(count) >= 0.1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(
        os.environ.get(
            "RETENTIO_DATASETS", Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
        )
    )
    lines = online_retail(folder)
    settings = Replenishment(min_repeats=5)
    catalogue = pl.DataFrame(schema=CATALOGUE_SCHEMA)
    floor, _ = best(args.repeat, lambda: lines.group_by("customer_id", "sku").agg(pl.len()))
    learning, intervals = best(args.repeat, lambda: learn_intervals(lines, catalogue, settings))
    print(f"purchase_lines {lines.height}")
    print(f"intervals_learned {intervals.height}")
    print(f"intervals_floor_seconds {floor:.3f}")
    print(f"intervals_seconds {learning:.3f}")
    print(f"intervals_ratio_to_floor {learning / floor:.1f}")
    now = datetime(2011, 12, 9, 12, 0, tzinfo=UTC)

    def runouts() -> pl.DataFrame:
        return due_between(ends(latest_purchases(lines), intervals, 3), now - timedelta(days=2), now)

    seconds, due = best(args.repeat, runouts)
    print(f"runouts_due {due.height}")
    print(f"runouts_seconds {seconds:.3f}")
    print(f"runouts_ratio_to_floor {seconds / floor:.1f}")
    base = people(args.people)
    shop = ZoneInfo("Europe/Moscow")
    on = (now + timedelta(days=3)).date()
    filtered, _ = best(
        args.repeat,
        lambda: base.filter(pl.col("date").dt.month() == on.month, pl.col("date").dt.day() == on.day),
    )
    seconds, born = best(args.repeat, lambda: yearly_due(base, now, shop, range(-1, 1), 3))
    print(f"birthdays_people {base.height}")
    print(f"birthdays_due {born.height}")
    print(f"birthdays_floor_seconds {filtered:.3f}")
    print(f"birthdays_seconds {seconds:.3f}")
    print(f"birthdays_ratio_to_floor {seconds / filtered:.1f}")


if __name__ == "__main__":
    main()
