"""What customers went on to: next purchase (OFF-4) — the items bought in a customer's next basket
after a basket holding X, and the products viewed between that basket and the next — and upsell by
behaviour (OFF-2) — the pricier item of the same category a customer bought after X.

Inputs are index arrays (customer, basket, item) with baskets numbered in time order within each
customer; the counting is sparse products, no loop over customers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
import scipy.sparse as sp

from retentio.offers.recs.bought_together import basket_matrix
from retentio.offers.recs.ranked import Ranked, top_per_row

Ints = npt.NDArray[np.int64]


def next_purchase(
    basket_customer: Ints,
    line_basket: Ints,
    line_item: Ints,
    view_basket: Ints,
    view_item: Ints,
    items: int,
    view_weight: float,
    keep: int,
    min_weight: float = 0.0,
) -> Ranked:
    """Item → the items bought in the next basket (1 each) and viewed before it (``view_weight``
    each), summed over baskets, those with at least ``min_weight``; ``view_basket`` is the basket
    each view came after."""
    baskets = len(basket_customer)
    bought = basket_matrix(line_basket, line_item, baskets, items)
    following = np.flatnonzero(basket_customer[1:] == basket_customer[:-1])
    counts = bought[following].T @ bought[following + 1]
    if len(view_basket):
        viewed = basket_matrix(view_basket, view_item, baskets, items)
        counts = counts + view_weight * (bought.T @ viewed)
    counts = sp.csr_matrix(counts)
    counts.data[counts.data < min_weight] = 0.0  # top_per_row keeps positive entries only
    return top_per_row(counts, keep)


def moved_up(
    lines: pl.DataFrame, item_price: npt.NDArray[np.float64], item_category: Ints, keep: int
) -> Ranked:
    """Item → the pricier items of its category that customers bought next, by how many customers.

    ``lines`` has columns customer, basket, item (baskets in time order); an item without a price or
    category takes part in no pair."""
    items = len(item_price)
    facts = pl.DataFrame(
        {"item": np.arange(items, dtype=np.int64), "price": item_price, "category": item_category},
        schema={"item": pl.Int64, "price": pl.Float64, "category": pl.Int64},
    )
    firsts = (
        lines.group_by("customer", "item")
        .agg(pl.col("basket").min())
        .join(facts, on="item")
        .filter(pl.col("category") >= 0, pl.col("price").is_not_nan())
        .sort("customer", "category", "basket", "item")
        .with_columns(
            pl.col("item").shift(-1).over("customer", "category").alias("next_item"),
            pl.col("price").shift(-1).over("customer", "category").alias("next_price"),
        )
        .filter(pl.col("next_price") > pl.col("price"))
        .group_by("item", "next_item")
        .len()
    )
    source = firsts["item"].to_numpy().astype(np.int64)
    target = firsts["next_item"].to_numpy().astype(np.int64)
    count = firsts["len"].to_numpy().astype(np.float64)
    return top_per_row(sp.coo_matrix((count, (source, target)), shape=(items, items)), keep)
