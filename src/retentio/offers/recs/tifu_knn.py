"""TIFU-KNN (Hu et al., "Modeling Personalized Item Frequency Information for Next-basket
Recommendation", SIGIR 2020), the baseline the next-basket recommender is measured against.

As in the authors' code: a customer's baskets (binary vectors) are weighted ``r_b ** (baskets after
it)``, split in order into ``groups`` groups (the earlier groups one basket shorter when it does not
divide; a customer with fewer baskets than groups has one basket a group), each group averaged,
group ``g`` weighted ``r_g ** (groups - 1 - g)``, and the sum divided by the number of groups. The
prediction is ``alpha * own vector + (1 - alpha) * mean of the k nearest customers' vectors``
(Euclidean distance, the customer themself left out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from retentio.offers.recs.baskets import Baskets
from retentio.offers.recs.history import basket_positions, weighted_matrix
from retentio.offers.recs.ranking import top_rows

CHUNK = 500


@dataclass(frozen=True)
class TifuSettings:
    groups: int = 7
    within_decay: float = 0.9
    group_decay: float = 0.7
    neighbours: int = 300
    alpha: float = 0.7


def tifu_vectors(baskets: Baskets, settings: TifuSettings) -> sp.csr_matrix:
    """Every customer's time-decayed frequency vector (customer × item)."""
    position, length = basket_positions(baskets)
    groups = settings.groups
    grouped = length >= groups
    base = np.maximum(length // groups, 1)
    longer = np.where(grouped, length - base * groups, 0)
    shorter = groups - longer
    in_short = position < shorter * base
    group = np.where(in_short, position // base, shorter + (position - shorter * base) // (base + 1))
    group_length = np.where(in_short, base, base + 1)
    group = np.where(grouped, group, position)
    group_length = np.where(grouped, group_length, 1)
    real_groups = np.where(grouped, groups, length)
    weight = (
        np.power(settings.within_decay, (length - 1 - position).astype(np.float64))
        * np.power(settings.group_decay, (groups - 1 - group).astype(np.float64))
        / group_length
        / real_groups
    )
    return weighted_matrix(baskets, weight)


def tifu_top(
    baskets: Baskets, customers: NDArray[np.int32], k: int, settings: TifuSettings
) -> NDArray[np.int32]:
    """TIFU-KNN's ``k`` items for each of ``customers`` (neighbours among all customers with history)."""
    vectors = tifu_vectors(baskets, settings)
    with_history = np.flatnonzero(np.diff(vectors.indptr) > 0)
    pool = vectors[with_history]
    pool_norms = np.asarray(pool.multiply(pool).sum(axis=1)).ravel()
    neighbours = min(settings.neighbours, max(with_history.size - 1, 1))
    rows = []
    for start in range(0, customers.size, CHUNK):
        chunk = customers[start : start + CHUNK]
        own = vectors[chunk]
        own_norms = np.asarray(own.multiply(own).sum(axis=1)).ravel()
        distance = own_norms[:, None] + pool_norms[None, :] - 2.0 * (own @ pool.T).toarray()
        distance[with_history[None, :] == chunk[:, None]] = np.inf
        nearest = np.argpartition(distance, neighbours - 1, axis=1)[:, :neighbours]
        mixing = sp.csr_matrix(
            (
                np.full(nearest.size, 1.0 / neighbours),
                nearest.ravel(),
                np.arange(0, nearest.size + 1, neighbours),
            ),
            shape=(chunk.size, with_history.size),
        )
        scores = settings.alpha * own.toarray() + (1.0 - settings.alpha) * (mixing @ pool).toarray()
        rows.append(top_rows(scores, k))
    return np.concatenate(rows) if rows else np.empty((0, k), dtype=np.int32)
