"""A ranked list per item, kept as CSR arrays: the related items of ``a`` are
``item[indptr[a]:indptr[a+1]]`` with their ``score``, best first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp


@dataclass(frozen=True, slots=True)
class Ranked:
    indptr: npt.NDArray[np.int64]
    item: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]

    def of(self, item: int) -> slice:
        if not 0 <= item < len(self.indptr) - 1:
            return slice(0, 0)
        return slice(int(self.indptr[item]), int(self.indptr[item + 1]))


def top_per_row(matrix: sp.spmatrix, keep: int, drop_diagonal: bool = True) -> Ranked:
    """The ``keep`` largest positive entries of each row, largest first (ties by column)."""
    coo = sp.coo_matrix(matrix)
    rows, cols, values = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)
    mask = values > 0
    if drop_diagonal:
        mask &= rows != cols
    rows, cols, values = rows[mask], cols[mask], values[mask]
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    chosen = rank < keep
    rows, cols, values = rows[chosen], cols[chosen], values[chosen]
    indptr = np.zeros(coo.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=coo.shape[0]), out=indptr[1:])
    return Ranked(indptr, cols, values)
