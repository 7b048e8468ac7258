"""Frequently bought together (OFF-1): association rules item → item over baskets, computed with one
sparse product (items × baskets) · (baskets × items) instead of an apriori candidate walk. For pairs
the two give the same rules: a pair is frequent exactly when its co-occurrence count reaches the
minimum support, and both its items are then frequent too.

support(a → b) = baskets with a and b / baskets; confidence = support / share of baskets with a;
lift = confidence / share of baskets with b. Each item keeps its best ``max_rules_per_item`` rules by
lift (then confidence)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RuleSettings:
    min_support: float = 0.001
    min_confidence: float = 0.05
    max_rules_per_item: int = 50

    def __post_init__(self) -> None:
        if not 0 < self.min_support <= 1:
            raise ValueError(f"min_support must be in (0, 1], not {self.min_support}")
        if not 0 <= self.min_confidence <= 1:
            raise ValueError(f"min_confidence must be in [0, 1], not {self.min_confidence}")
        if self.max_rules_per_item < 1:
            raise ValueError(f"max_rules_per_item must be at least 1, not {self.max_rules_per_item}")


@dataclass(frozen=True, slots=True)
class Rules:
    """Rules in CSR form: the rules of antecedent ``a`` are ``indptr[a]:indptr[a+1]``, best first."""

    indptr: Ints
    consequent: Ints
    support: Floats
    confidence: Floats
    lift: Floats
    baskets: int

    def of(self, item: int) -> slice:
        return slice(int(self.indptr[item]), int(self.indptr[item + 1]))


def basket_matrix(basket: Ints, item: Ints, baskets: int, items: int) -> sp.csr_matrix:
    """Baskets × items, 1 where the basket holds the item (a repeated line counts once)."""
    ones = np.ones(len(basket), dtype=np.float32)
    matrix = sp.csr_matrix((ones, (basket, item)), shape=(baskets, items))
    matrix.data[:] = 1.0  # duplicates were summed
    return matrix


def fit_rules(matrix: sp.csr_matrix, settings: RuleSettings) -> Rules:
    baskets, items = matrix.shape
    if baskets == 0:
        return _empty(items, 0)
    min_count = settings.min_support * baskets
    item_counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.float64)
    frequent = np.flatnonzero(item_counts >= min_count - 1e-9)
    kept = matrix[:, frequent].tocsc().astype(np.float32)
    together = (kept.T @ kept).tocoo()
    # float32 sums of 0/1 are exact up to 2**24 baskets per pair; count again in float64 above that
    counts = together.data.astype(np.float64)
    rows, cols = frequent[together.row], frequent[together.col]
    keep = (rows != cols) & (counts >= min_count - 1e-9)
    rows, cols, counts = rows[keep], cols[keep], counts[keep]
    confidence = counts / item_counts[rows]
    keep = confidence >= settings.min_confidence - 1e-12
    rows, cols, counts, confidence = rows[keep], cols[keep], counts[keep], confidence[keep]
    support = counts / baskets
    lift = confidence / (item_counts[cols] / baskets)
    order = np.lexsort((cols, -confidence, -lift, rows))
    rows, cols, support, confidence, lift = (a[order] for a in (rows, cols, support, confidence, lift))
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    keep = rank < settings.max_rules_per_item
    rows = rows[keep]
    indptr = np.zeros(items + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=items), out=indptr[1:])
    return Rules(
        indptr=indptr,
        consequent=cols[keep].astype(np.int64),
        support=support[keep],
        confidence=confidence[keep],
        lift=lift[keep],
        baskets=baskets,
    )


def _empty(items: int, baskets: int) -> Rules:
    none_i = np.zeros(0, dtype=np.int64)
    none_f = np.zeros(0, dtype=np.float64)
    return Rules(np.zeros(items + 1, dtype=np.int64), none_i, none_f, none_f, none_f, baskets)
