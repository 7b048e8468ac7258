"""Repurchase intervals learned on Online Retail (UCI; 2010-2011, a UK gift wholesaler) agree with
an independent computation in pandas: per customer and product, the days between consecutive
invoices over the quantity of the first, the median per product over at least ``min_repeats``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from retentio.offers.occasions.intervals import CATALOGUE_SCHEMA, learn_intervals
from retentio.offers.occasions.settings import Replenishment

pytestmark = [pytest.mark.datasets, pytest.mark.slow]
SETTINGS = Replenishment(min_repeats=20, min_gap_days=1, max_interval_days=365)


def purchases(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(
        path, schema_overrides={"InvoiceNo": pl.String, "StockCode": pl.String, "CustomerID": pl.Float64}
    )
    return raw.filter(pl.col("CustomerID").is_not_null(), pl.col("Quantity") > 0).select(
        customer_id=pl.col("CustomerID").cast(pl.Int64).cast(pl.String),
        sku=pl.col("StockCode"),
        order_id=pl.col("InvoiceNo"),
        placed_at=pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S").dt.replace_time_zone("UTC"),
        quantity=pl.col("Quantity").cast(pl.Int64),
    )


def independent_medians(path: Path) -> dict[str, tuple[float, int]]:
    """The same figures from the file read again, by pandas."""
    raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str})
    raw = raw[raw["CustomerID"].notna() & (raw["Quantity"] > 0)]
    lines = pd.DataFrame(
        {
            "customer_id": raw["CustomerID"].astype("int64").astype(str),
            "sku": raw["StockCode"],
            "order_id": raw["InvoiceNo"],
            "placed_at": pd.to_datetime(raw["InvoiceDate"], format="%Y-%m-%d %H:%M:%S"),
            "quantity": raw["Quantity"].astype("int64"),
        }
    )
    invoices = (
        lines.groupby(["customer_id", "sku", "order_id"], as_index=False)
        .agg(placed_at=("placed_at", "min"), quantity=("quantity", "sum"))
        .sort_values(["customer_id", "sku", "placed_at"], kind="stable")
    )
    following = invoices.groupby(["customer_id", "sku"])["placed_at"].shift(-1)
    invoices["gap"] = (following - invoices["placed_at"]).dt.total_seconds() / 86_400
    repeats = invoices[invoices["gap"] >= SETTINGS.min_gap_days].copy()
    repeats["per_unit"] = repeats["gap"] / repeats["quantity"]
    summary = repeats.groupby("sku")["per_unit"].agg(["median", "count"])
    kept = summary[
        (summary["count"] >= SETTINGS.min_repeats) & (summary["median"] <= SETTINGS.max_interval_days)
    ]
    return {str(sku): (float(row["median"]), int(row["count"])) for sku, row in kept.iterrows()}


def test_learned_intervals_match_pandas_and_are_positive(datasets_dir: Path) -> None:
    path = datasets_dir / "online_retail.csv.gz"
    learned = learn_intervals(purchases(path), pl.DataFrame(schema=CATALOGUE_SCHEMA), SETTINGS)
    expected = independent_medians(path)
    assert learned.height > 100  # a wholesaler's regulars reorder hundreds of products
    assert learned.get_column("interval_days").min() > 0  # type: ignore[operator]
    assert set(learned.get_column("sku")) == set(expected)
    for sku, interval, _source, observations in learned.iter_rows():
        want, count = expected[sku]
        assert observations == count, sku
        assert interval == pytest.approx(want, rel=1e-9), sku
