"""The next-basket baselines of Li et al. (TOIS 2023), batch over many customers: global popularity
(G-TopFreq), personal top frequency (P-TopFreq), the two blended (GP-TopFreq: personal first, filled
up with the globally popular), and item-kNN and ALS from ``similar`` scoring every item, bought or not.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from retentio.offers.recs.baskets import Baskets
from retentio.offers.recs.history import purchase_matrix
from retentio.offers.recs.ranking import top_rows
from retentio.offers.recs.similar import AlsModel, ItemKnnModel

CHUNK = 1000


def basket_popularity(baskets: Baskets) -> NDArray[np.float64]:
    """How many baskets hold each item."""
    return np.bincount(baskets.items, minlength=baskets.item_count).astype(np.float64)


def g_topfreq_top(baskets: Baskets, customers: NDArray[np.int32], k: int) -> NDArray[np.int32]:
    ranked = np.lexsort((np.arange(baskets.item_count), -basket_popularity(baskets)))[:k]
    return np.tile(ranked.astype(np.int32), (customers.size, 1))


def p_topfreq_top(baskets: Baskets, customers: NDArray[np.int32], k: int) -> NDArray[np.int32]:
    """Each customer's most frequently bought items (fewer than ``k`` leaves -1 slots)."""
    counts = purchase_matrix(baskets)
    return _scored_top(lambda chunk: counts[chunk].toarray(), customers, k)


def gp_topfreq_top(baskets: Baskets, customers: NDArray[np.int32], k: int) -> NDArray[np.int32]:
    """P-TopFreq, the empty slots filled with the most popular items the customer has not bought."""
    counts = purchase_matrix(baskets)
    popularity = basket_popularity(baskets)
    # Below one basket, so any personal count outranks every popular item.
    tie_break = 0.5 * popularity / max(float(popularity.max()), 1.0)
    return _scored_top(lambda chunk: counts[chunk].toarray() + tie_break[None, :], customers, k)


def item_knn_top(
    model: ItemKnnModel, matrix: sp.csr_matrix, customers: NDArray[np.int32], k: int
) -> NDArray[np.int32]:
    # The item's similarity to itself (1 under cosine) is put back: as a next-basket baseline item-kNN
    # may recommend what the customer already buys.
    return _scored_top(
        lambda chunk: (matrix[chunk] @ model.similarity + matrix[chunk]).toarray(), customers, k
    )


def als_top(
    model: AlsModel, matrix: sp.csr_matrix, customers: NDArray[np.int32], k: int
) -> NDArray[np.int32]:
    factors = model.item_factors.astype(np.float64)
    base_gram = factors.T @ factors + model.regularization * np.eye(factors.shape[1])

    def scores(chunk: NDArray[np.int32]) -> NDArray[np.float64]:
        rows = matrix[chunk]
        customer_factors = np.zeros((chunk.size, factors.shape[1]))
        for position in range(chunk.size):
            items = rows.indices[rows.indptr[position] : rows.indptr[position + 1]]
            confidence = model.alpha * rows.data[rows.indptr[position] : rows.indptr[position + 1]]
            chosen = factors[items]
            gram = base_gram + chosen.T @ (chosen * confidence[:, None])
            customer_factors[position] = np.linalg.solve(gram, chosen.T @ (1.0 + confidence))
        # Shifted so every item scores above zero: ALS scores may be negative, yet still ranked.
        raw: NDArray[np.float64] = customer_factors @ factors.T
        shifted: NDArray[np.float64] = raw - raw.min(axis=1, keepdims=True) + 1e-9
        return shifted

    return _scored_top(scores, customers, k)


def _scored_top(
    scores_of: Callable[[NDArray[np.int32]], NDArray[np.float64]], customers: NDArray[np.int32], k: int
) -> NDArray[np.int32]:
    rows = [
        top_rows(scores_of(customers[start : start + CHUNK]), k) for start in range(0, customers.size, CHUNK)
    ]
    return np.concatenate(rows) if rows else np.empty((0, k), dtype=np.int32)
