"""Two array moves the vectorised steps share: expanding counts into rows, grouping rows by key."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def expand(counts: IntArray) -> tuple[IntArray, IntArray]:
    """Repeat each position `counts` times: ([0, 0, 1], [0, 1, 0]) for counts [2, 1]."""
    owner = np.repeat(np.arange(counts.size), counts)
    index = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner.astype(np.int64), index.astype(np.int64)


def groups(keys: IntArray) -> Iterator[tuple[int, IntArray]]:
    """Each distinct key with the positions holding it, in one sort rather than a scan per key."""
    if keys.size == 0:
        return
    order = np.argsort(keys, kind="stable")
    distinct, starts = np.unique(keys[order], return_index=True)
    for key, rows in zip(distinct.tolist(), np.split(order, starts[1:]), strict=True):
        yield key, rows.astype(np.int64)
