"""Customers' histories as decayed customer × item matrices, the building block of the next-basket
recommenders: a basket's weight falls with the number of baskets the customer placed after it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from retentio.offers.recs.baskets import Baskets


def basket_positions(baskets: Baskets) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For every basket: its position in its customer's history (0 = first) and the history's length."""
    starts = baskets.customer_starts()
    counts = np.diff(starts)
    length = counts[baskets.customer]
    position = np.arange(baskets.basket_count, dtype=np.int64) - starts[baskets.customer]
    return position, length


def weighted_matrix(baskets: Baskets, basket_weight: NDArray[np.float64]) -> sp.csr_matrix:
    """Customer × item matrix summing ``basket_weight`` over the baskets holding each item."""
    line_basket = baskets.line_basket()
    matrix = sp.csr_matrix(
        (basket_weight[line_basket], (baskets.customer[line_basket], baskets.items)),
        shape=(baskets.customer_count, baskets.item_count),
        dtype=np.float64,
    )
    matrix.sum_duplicates()
    return matrix


def purchase_matrix(baskets: Baskets) -> sp.csr_matrix:
    """Customer × item: how many baskets of the customer held the item."""
    return weighted_matrix(baskets, np.ones(baskets.basket_count))


def decayed_frequency(baskets: Baskets, decay: float) -> sp.csr_matrix:
    """Customer × item: the share of the customer's baskets holding the item, each basket weighted
    ``decay ** (baskets placed after it)``, so 1.0 means "in every basket"."""
    position, length = basket_positions(baskets)
    weight = np.power(decay, (length - 1 - position).astype(np.float64))
    # astype: with no baskets at all bincount answers in integers.
    totals = np.bincount(baskets.customer, weights=weight, minlength=baskets.customer_count).astype(
        np.float64
    )
    matrix = weighted_matrix(baskets, weight)
    scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return sp.csr_matrix(sp.diags(scale) @ matrix)


def repeat_ratio(baskets: Baskets) -> NDArray[np.float64]:
    """Per customer: the share of items in their second and later baskets they had bought before
    (0.5 where there is no second basket: nothing is known either way)."""
    line_basket = baskets.line_basket()
    customer = baskets.customer[line_basket].astype(np.int64)
    keys = customer * baskets.item_count + baskets.items
    order = np.lexsort((line_basket, keys))
    first = np.ones(keys.shape[0], dtype=bool)
    first[order[1:]] = keys[order[1:]] != keys[order[:-1]]
    position, _ = basket_positions(baskets)
    later = position[line_basket] > 0
    repeats = np.bincount(customer[later & ~first], minlength=baskets.customer_count)
    lines = np.bincount(customer[later], minlength=baskets.customer_count)
    ratio: NDArray[np.float64] = np.divide(
        repeats, lines, out=np.full(baskets.customer_count, 0.5), where=lines > 0
    )
    return ratio


def recent_popularity(baskets: Baskets, half_life_days: float) -> NDArray[np.float32]:
    """Per item: baskets holding it, each weighted by its age before the latest basket (halving every
    ``half_life_days``), scaled so the most popular item has 1: what sells now, not last season."""
    if baskets.basket_count == 0:
        return np.zeros(baskets.item_count, dtype=np.float32)
    age_days = (baskets.placed_at.max() - baskets.placed_at) / 86_400.0
    weight = np.power(0.5, age_days / half_life_days)
    counts = np.bincount(baskets.items, weights=weight[baskets.line_basket()], minlength=baskets.item_count)
    return (counts / max(float(counts.max()), 1e-12)).astype(np.float32)
