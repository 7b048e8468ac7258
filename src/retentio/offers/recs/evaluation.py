"""The next-basket evaluation protocol of Li et al., "A Next Basket Recommendation Reality Check"
(TOIS 2023): for customers with at least three baskets the last basket is the test target and the one
before it the validation target; a method learns from everything before its target.

Metrics at k: recall, NDCG and PHR (the share of customers with at least one hit), each also over the
target's repeat part (items the customer bought before) and explore part (items new to them). As in
the paper's scripts, the repeat figures average over customers whose target has repeat items and the
explore figures over those whose target has new items; NDCG's ideal ranks min(|target|, k) hits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from retentio.offers.recs.baskets import Baskets


@dataclass(frozen=True)
class NextBasketTask:
    """Targets to predict, one basket per customer, and the baskets a method may learn from."""

    history: Baskets
    customers: NDArray[np.int32]
    target_offsets: NDArray[np.int64]
    target_items: NDArray[np.int32]

    def target_sizes(self) -> NDArray[np.int64]:
        return np.diff(self.target_offsets)


@dataclass(frozen=True)
class NextBasketSplit:
    validation: NextBasketTask
    test: NextBasketTask


def split_next_baskets(baskets: Baskets, min_baskets: int = 3) -> NextBasketSplit:
    """The validation and test tasks: customers with ``min_baskets`` or more baskets are evaluated."""
    if min_baskets < 3:
        raise ValueError(f"min_baskets must be at least 3 (history, validation, test), not {min_baskets}")
    starts = baskets.customer_starts()
    counts = np.diff(starts)
    evaluated = np.flatnonzero(counts >= min_baskets).astype(np.int32)
    test_baskets = starts[evaluated + 1] - 1
    validation_baskets = test_baskets - 1
    everything = np.ones(baskets.basket_count, dtype=bool)
    before_test = everything.copy()
    before_test[test_baskets] = False
    before_validation = before_test.copy()
    before_validation[validation_baskets] = False
    return NextBasketSplit(
        validation=_task(baskets, evaluated, validation_baskets, before_validation),
        test=_task(baskets, evaluated, test_baskets, before_test),
    )


def _task(
    baskets: Baskets, customers: NDArray[np.int32], targets: NDArray[np.int64], keep: NDArray[np.bool_]
) -> NextBasketTask:
    sizes = np.diff(baskets.offsets)[targets]
    starts = baskets.offsets[targets]
    line_of = np.repeat(starts - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes)
    lines = line_of + np.arange(int(sizes.sum()))
    return NextBasketTask(
        history=baskets.select(keep),
        customers=customers,
        target_offsets=np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        target_items=baskets.items[lines].astype(np.int32),
    )


def history_keys(task: NextBasketTask) -> NDArray[np.int64]:
    """Sorted (customer × items + item) keys of what each customer bought in the task's history."""
    history = task.history
    keys = history.customer[history.line_basket()].astype(np.int64) * history.item_count + history.items
    return np.unique(keys)


def evaluate(predictions: NDArray[np.int32], task: NextBasketTask, k: int = 10) -> dict[str, float]:
    """The metrics of ``predictions`` (one row per task customer, ranked items, -1 = empty slot).

    Keys: recall, ndcg, phr, and each with ``_repeat`` and ``_explore``, plus ``repeat_share``
    (the share of recommended slots taken by items the customer bought before).
    """
    if predictions.shape[0] != task.customers.shape[0]:
        raise ValueError(f"{predictions.shape[0]} prediction rows for {task.customers.shape[0]} customers")
    top = predictions[:, :k]
    item_count = task.history.item_count
    row = np.repeat(np.arange(top.shape[0]), top.shape[1]).reshape(top.shape)
    customer_keys = task.customers.astype(np.int64)[:, None] * item_count
    known = history_keys(task)
    target_rows = np.repeat(np.arange(task.customers.shape[0]), task.target_sizes())
    target_keys = np.int64(item_count) * target_rows + task.target_items
    predicted_keys = np.where(top >= 0, np.int64(item_count) * row + top, -1)
    hit = np.isin(predicted_keys, target_keys) & (top >= 0)
    is_repeat = np.isin(np.where(top >= 0, customer_keys + top, -1), known) & (top >= 0)
    target_repeat = np.isin(
        task.customers.astype(np.int64)[target_rows] * item_count + task.target_items, known
    )
    rows = top.shape[0]
    sizes = np.bincount(target_rows, minlength=rows)
    repeat_sizes = np.bincount(target_rows, weights=target_repeat, minlength=rows).astype(np.int64)
    explore_sizes = sizes - repeat_sizes
    figures = _metrics("", hit, sizes, k)
    figures |= _metrics("_repeat", hit & is_repeat, repeat_sizes, k)
    figures |= _metrics("_explore", hit & ~is_repeat, explore_sizes, k)
    figures["repeat_share"] = float(is_repeat.sum() / (rows * k)) if rows else 0.0
    return figures


def _metrics(suffix: str, hit: NDArray[np.bool_], sizes: NDArray[np.int64], k: int) -> dict[str, float]:
    counted = sizes > 0
    if not counted.any():
        return {f"recall{suffix}": 0.0, f"ndcg{suffix}": 0.0, f"phr{suffix}": 0.0}
    hits = hit[counted]
    discounts = 1.0 / np.log2(np.arange(hits.shape[1]) + 2.0)
    ideal_cumulative = np.concatenate(([0.0], np.cumsum(1.0 / np.log2(np.arange(k) + 2.0))))
    ideal = ideal_cumulative[np.minimum(sizes[counted], k)]
    return {
        f"recall{suffix}": float(np.mean(hits.sum(axis=1) / sizes[counted])),
        f"ndcg{suffix}": float(np.mean((hits * discounts).sum(axis=1) / ideal)),
        f"phr{suffix}": float(np.mean(hits.any(axis=1))),
    }
