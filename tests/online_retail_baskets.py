"""Online Retail (UCI) as baskets: a customer's invoices, without cancellations ("C…" invoices),
lines without a customer id, and lines with a non-positive quantity. Shared by the data-set tests
and ``benchmarks/recs.py``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from retentio.offers.recs.baskets import Baskets, baskets_from_lines

FILE_NAME = "online_retail.csv.gz"


def load_online_retail(path: Path) -> Baskets:
    lines = (
        pl.read_csv(
            path,
            columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "CustomerID"],
            schema_overrides={"InvoiceNo": pl.String, "StockCode": pl.String, "CustomerID": pl.Float64},
        )
        .filter(
            pl.col("CustomerID").is_not_null()
            & ~pl.col("InvoiceNo").str.starts_with("C")
            & (pl.col("Quantity") > 0)
        )
        .with_columns(
            pl.col("InvoiceDate").str.to_datetime("%Y-%m-%d %H:%M:%S").dt.epoch("s"),
            pl.col("CustomerID").cast(pl.Int64).cast(pl.String),
        )
    )
    return baskets_from_lines(
        lines["CustomerID"], lines["InvoiceNo"], lines["InvoiceDate"], lines["StockCode"]
    )
