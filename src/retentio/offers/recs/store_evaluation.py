"""``retentio recs evaluate``: the next-basket protocol (``evaluation``) on the store's own baskets —
each customer with three or more baskets has the last one hidden; the next-basket model learns from
the rest and is scored against it, beside the global popular items."""

from __future__ import annotations

import numpy as np
import polars as pl
from sqlalchemy import Connection

from retentio.offers.recs.baskets import baskets_from_lines
from retentio.offers.recs.evaluation import evaluate, split_next_baskets
from retentio.offers.recs.next_basket import fit_next_basket, next_basket_for, next_basket_top
from retentio.offers.recs.store_input import read_lines

METRICS = ("recall", "ndcg", "phr", "recall_repeat", "recall_explore")


def evaluate_store(lines: pl.DataFrame, k: int = 10) -> tuple[int, dict[str, dict[str, float]]]:
    """The number of customers evaluated and, per method, its figures at ``k``."""
    if lines.is_empty():
        return 0, {}
    baskets = baskets_from_lines(lines["customer_id"], lines["order_id"], lines["placed_at"], lines["sku"])
    task = split_next_baskets(baskets).test
    if not len(task.customers):
        return 0, {}
    model = fit_next_basket(task.history)
    # next_basket_top cannot rank more items than there are: a small shop's list is shorter
    k = min(k, baskets.item_count)
    popular, _, _ = next_basket_for(model, -1, k)
    padded = np.full(k, -1, dtype=np.int32)
    padded[: len(popular)] = popular
    figures = {
        "next basket": evaluate(next_basket_top(model, task.customers, k), task, k),
        "popular (G-TopFreq)": evaluate(np.tile(padded, (len(task.customers), 1)), task, k),
    }
    return len(task.customers), figures


def evaluate_store_baskets(connection: Connection, k: int = 10) -> tuple[int, dict[str, dict[str, float]]]:
    return evaluate_store(read_lines(connection), k)
