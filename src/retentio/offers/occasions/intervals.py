"""Repurchase intervals (OFF-5), as pure Polars over purchases: how many days one unit of a product
lasts. The catalogue's ``consumption_days`` wins where it is set; otherwise the interval is learned
from customers' repeat purchases of the same SKU: for each customer, the gap from one purchase to
the next divided by the quantity of the first (two packs last twice as long), and the product's
interval is the median of those gaps (robust to the customer who forgot it for a year) once at
least ``min_repeats`` were seen.

Pack sizes: each pack size is its own SKU, so it gets its own interval; a bigger pack bought once
shows up as a longer gap, and a quantity of several packs as proportionally more days."""

from __future__ import annotations

import polars as pl

from retentio.offers.occasions.settings import Replenishment

PURCHASE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "customer_id": pl.String,
    "sku": pl.String,
    "order_id": pl.String,
    "placed_at": pl.Datetime("us", "UTC"),
    "quantity": pl.Int64,
}
CATALOGUE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {"sku": pl.String, "days": pl.Float64}
INTERVAL_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "sku": pl.String,
    "interval_days": pl.Float64,
    "source": pl.String,
    "observations": pl.Int64,
}
_DAY_US = 86_400 * 1_000_000


def repeat_gaps(purchases: pl.DataFrame, settings: Replenishment) -> pl.DataFrame:
    """Per repeat purchase: the customer, the SKU and the days one unit lasted (the gap to the next
    purchase of that SKU by that customer, over the quantity bought). Lines of one order are one
    purchase; a gap shorter than ``min_gap_days`` (a second order for a forgotten item) is none."""
    per_order = purchases.group_by("customer_id", "sku", "order_id").agg(
        pl.col("placed_at").min(), pl.col("quantity").sum()
    )
    # Sorted once, the next row is the next purchase when it has the same customer and SKU: cheaper
    # than a shift over each group.
    ordered = per_order.sort("customer_id", "sku", "placed_at")
    same = (pl.col("customer_id").shift(-1) == pl.col("customer_id")) & (
        pl.col("sku").shift(-1) == pl.col("sku")
    )
    gap = (pl.col("placed_at").shift(-1) - pl.col("placed_at")).dt.total_microseconds() / _DAY_US
    return (
        ordered.with_columns(gap_days=pl.when(same).then(gap))
        .filter(pl.col("gap_days") >= max(settings.min_gap_days, 1e-9), pl.col("quantity") > 0)
        .select("customer_id", "sku", per_unit_days=pl.col("gap_days") / pl.col("quantity"))
    )


def learn_intervals(
    purchases: pl.DataFrame, catalogue: pl.DataFrame, settings: Replenishment
) -> pl.DataFrame:
    """Every product with an interval: ``catalogue`` (sku, days) first, learned ones for the rest."""
    learned = (
        repeat_gaps(purchases, settings)
        .group_by("sku")
        .agg(interval_days=pl.col("per_unit_days").median(), observations=pl.len().cast(pl.Int64))
        .filter(
            pl.col("observations") >= settings.min_repeats,
            pl.col("interval_days") > 0,
            pl.col("interval_days") <= settings.max_interval_days,
        )
        .with_columns(source=pl.lit("learned"))
    )
    given = catalogue.filter(pl.col("days") > 0).select(
        "sku", interval_days=pl.col("days"), source=pl.lit("catalogue"), observations=pl.lit(0, pl.Int64)
    )
    learned = learned.join(given, on="sku", how="anti")
    columns = list(INTERVAL_SCHEMA)
    return pl.concat([given.select(columns), learned.select(columns)]).sort("sku")
