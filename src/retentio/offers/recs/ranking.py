"""Turning score rows into ranked item lists, the same way for every method so ties and empty slots
never favour one of them."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def top_rows(scores: NDArray[np.float64], k: int) -> NDArray[np.int32]:
    """Top ``k`` columns a row by score, ties by item index; items scoring zero or less become -1
    (an empty slot: the method has nothing to say)."""
    k = min(k, scores.shape[1])
    best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    best_scores = np.take_along_axis(scores, best, axis=1)
    order = np.lexsort((best, -best_scores), axis=1)
    ranked = np.take_along_axis(best, order, axis=1)
    ranked_scores = np.take_along_axis(best_scores, order, axis=1)
    return np.where(ranked_scores > 0, ranked, -1).astype(np.int32)
