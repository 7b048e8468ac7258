"""Customers' baskets as flat arrays: every recommender trains on this one shape.

A basket is one order (an invoice); its items are the distinct products in it. Baskets are grouped
by customer and ordered by time within a customer, so "a customer's history" is a contiguous slice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray


@dataclass(frozen=True)
class Baskets:
    """Baskets in CSR form: basket ``b`` holds ``items[offsets[b]:offsets[b + 1]]``.

    ``customer[b]`` indexes ``customer_ids`` and ``items`` index ``skus``; a customer's baskets
    are adjacent and ordered by ``placed_at`` (epoch seconds).
    """

    customer: NDArray[np.int32]
    placed_at: NDArray[np.int64]
    offsets: NDArray[np.int64]
    items: NDArray[np.int32]
    customer_ids: tuple[str, ...]
    skus: tuple[str, ...]

    @property
    def basket_count(self) -> int:
        return int(self.customer.shape[0])

    @property
    def customer_count(self) -> int:
        return len(self.customer_ids)

    @property
    def item_count(self) -> int:
        return len(self.skus)

    def basket_items(self, basket: int) -> NDArray[np.int32]:
        return self.items[self.offsets[basket] : self.offsets[basket + 1]]

    def customer_starts(self) -> NDArray[np.int64]:
        """First basket of each customer, and the basket count at the end (len = customers + 1)."""
        counts = np.bincount(self.customer, minlength=self.customer_count)
        return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

    def line_basket(self) -> NDArray[np.int64]:
        """The basket of every line in ``items``."""
        return np.repeat(np.arange(self.basket_count, dtype=np.int64), np.diff(self.offsets))

    def select(self, keep: NDArray[np.bool_]) -> Baskets:
        """Only the baskets where ``keep`` is true; customers and items keep their indices."""
        sizes = np.diff(self.offsets)
        line_keep = np.repeat(keep, sizes)
        kept_sizes = sizes[keep]
        return Baskets(
            customer=self.customer[keep],
            placed_at=self.placed_at[keep],
            offsets=np.concatenate(([0], np.cumsum(kept_sizes))).astype(np.int64),
            items=self.items[line_keep],
            customer_ids=self.customer_ids,
            skus=self.skus,
        )


def baskets_from_lines(
    customer_ids: Sequence[Any] | NDArray[Any] | pl.Series,
    basket_keys: Sequence[Any] | NDArray[Any] | pl.Series,
    placed_at: Sequence[int] | NDArray[Any] | pl.Series,
    skus: Sequence[Any] | NDArray[Any] | pl.Series,
) -> Baskets:
    """Baskets from order lines given as columns (one entry per line).

    A basket is a (customer, basket key) pair placed at its earliest line's time (epoch seconds,
    or datetimes); a product bought twice in one basket counts once. Customers and products are
    indexed in sorted order of their ids.
    """
    lines = _lines_frame(customer_ids, basket_keys, placed_at, skus)
    customers = lines["customer_id"].unique().sort()
    products = lines["sku"].unique().sort()
    # A join to the sorted distinct ids: ranking the string column itself is several times slower.
    lines = lines.join(
        pl.DataFrame({"customer_id": customers, "customer": pl.int_range(customers.len(), eager=True)}),
        on="customer_id",
    ).join(pl.DataFrame({"sku": products, "item": pl.int_range(products.len(), eager=True)}), on="sku")
    baskets = (
        lines.group_by("customer", "basket_key")
        .agg(pl.col("placed_at").min())
        .sort("customer", "placed_at", "basket_key")
        .with_row_index("basket")
    )
    basket_lines = (
        lines.join(baskets.select("customer", "basket_key", "basket"), on=["customer", "basket_key"])
        .select("basket", "item")
        .unique()
        .sort("basket", "item")
    )
    sizes = np.bincount(basket_lines["basket"].to_numpy(), minlength=baskets.height)
    return Baskets(
        customer=baskets["customer"].to_numpy().astype(np.int32),
        placed_at=baskets["placed_at"].to_numpy().astype(np.int64),
        offsets=np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        items=basket_lines["item"].to_numpy().astype(np.int32),
        customer_ids=tuple(customers.to_list()),
        skus=tuple(products.to_list()),
    )


def _lines_frame(
    customer_ids: Sequence[Any] | NDArray[Any] | pl.Series,
    basket_keys: Sequence[Any] | NDArray[Any] | pl.Series,
    placed_at: Sequence[int] | NDArray[Any] | pl.Series,
    skus: Sequence[Any] | NDArray[Any] | pl.Series,
) -> pl.DataFrame:
    columns = {
        "customer_id": pl.Series(customer_ids),
        "basket_key": pl.Series(basket_keys),
        "placed_at": pl.Series(placed_at),
        "sku": pl.Series(skus),
    }
    lengths = {name: column.len() for name, column in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"order line columns differ in length: {lengths}")
    for name, column in columns.items():
        if column.null_count():
            raise ValueError(f"{name} has {column.null_count()} missing values")
    when = columns["placed_at"]
    if when.dtype.is_temporal():
        when = when.cast(pl.Datetime("us")).dt.epoch("s")
    elif not when.dtype.is_integer():
        raise ValueError(f"placed_at must be epoch seconds (integers) or datetimes, not {when.dtype}")
    columns["placed_at"] = when.cast(pl.Int64)
    for name in ("customer_id", "basket_key", "sku"):
        columns[name] = columns[name].cast(pl.String)
    for name in ("customer_id", "sku"):
        blank = int((columns[name].str.strip_chars() == "").sum())
        if blank:
            raise ValueError(f"{name} is blank on {blank} lines")
    return pl.DataFrame(columns)
