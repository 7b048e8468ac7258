"""When a customer's purchase runs out (OFF-5) or a paid subscription period ends (OFF-8), as pure
Polars: the customer's latest purchase of each product that has an interval (a later purchase
replaces an earlier one, so buying again in time means no reminder for the earlier one), its end
(bought at + interval × quantity) and the day to remind, some days before.

A reminder is due when its moment falls within the sweep's window — never before the store knew
of the purchase (``known_at``): an import of last year's orders reminds of nothing already past."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from retentio.offers.occasions.announce import OFFER_DUE, REPLENISHMENT_DUE, SUBSCRIPTION_RENEWAL, Occasion

LATEST_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "customer_id": pl.String,
    "sku": pl.String,
    "order_id": pl.String,
    "placed_at": pl.Datetime("us", "UTC"),
    "quantity": pl.Int64,
    "known_at": pl.Datetime("us", "UTC"),
}


def latest_purchases(purchases: pl.DataFrame) -> pl.DataFrame:
    """``purchases`` (customer_id, sku, order_id, placed_at, quantity, known_at) reduced to each
    customer's latest order of each SKU, with that order's quantity of it."""
    return (
        purchases.group_by("customer_id", "sku", "order_id")
        .agg(pl.col("placed_at").min(), pl.col("quantity").sum(), pl.col("known_at").max())
        .sort("placed_at", "order_id")
        .group_by("customer_id", "sku")
        .last()
    )


def ends(latest: pl.DataFrame, intervals: pl.DataFrame, days_before: int) -> pl.DataFrame:
    """Each latest purchase with an interval (sku, interval_days), when it ends and when to remind."""
    return (
        latest.join(intervals.select("sku", "interval_days"), on="sku")
        .with_columns(
            ends_at=pl.col("placed_at")
            + pl.duration(
                microseconds=(pl.col("interval_days") * pl.col("quantity") * 86_400e6).cast(pl.Int64)
            ),
        )
        .with_columns(remind_at=pl.col("ends_at") - pl.duration(days=days_before))
    )


def due_between(ended: pl.DataFrame, after: datetime, until: datetime) -> pl.DataFrame:
    """The reminders whose moment is in (after, until] and was not before the purchase was known."""
    return ended.filter(
        pl.col("remind_at") > after,
        pl.col("remind_at") <= until,
        pl.col("remind_at") >= pl.col("known_at"),
    ).sort("remind_at", "customer_id", "sku")


def replenishment_occasions(due: pl.DataFrame) -> list[Occasion]:
    return [
        Occasion(
            REPLENISHMENT_DUE,
            f"{row['customer_id']}:{row['sku']}:{row['order_id']}",
            row["customer_id"],
            {
                "sku": row["sku"],
                "order_id": row["order_id"],
                "quantity": row["quantity"],
                "bought_at": row["placed_at"].isoformat(),
                "runs_out_at": row["ends_at"].isoformat(),
                "interval_days": round(row["interval_days"], 2),
            },
        )
        for row in due.iter_rows(named=True)
    ]


def renewal_occasions(due: pl.DataFrame) -> list[Occasion]:
    return [
        Occasion(
            OFFER_DUE,
            f"{SUBSCRIPTION_RENEWAL}:{row['customer_id']}:{row['sku']}:{row['order_id']}",
            row["customer_id"],
            {
                "occasion": SUBSCRIPTION_RENEWAL,
                "skus": [row["sku"]],
                "order_id": row["order_id"],
                "renews_at": row["ends_at"].isoformat(),
                "period_days": round(row["interval_days"] * row["quantity"], 2),
            },
        )
        for row in due.iter_rows(named=True)
    ]


def window(now: datetime, catch_up_days: int) -> tuple[datetime, datetime]:
    """The sweep's window: what became due since ``catch_up_days`` ago, up to now."""
    return now - timedelta(days=catch_up_days), now
