"""Benchmark: next-basket recommendation on Online Retail, the protocol of Li et al. (TOIS 2023).

Customers with at least three baskets (invoices); the last basket is the test target, the one before it
the validation target. Every method is tuned on the validation basket over a small grid (learning from
the baskets before it) and then trained on everything before the test basket and reported on it.
Prints one figure a line: ``<method> <metric>@10 <value>`` (recall, ndcg, phr, each also ``_repeat``
and ``_explore``), ``<method> train_seconds``, the chosen settings, and the relative gains of
Retentio's recommender over TIFU-KNN and over P-TopFreq (recall's also with a 95 % paired bootstrap
interval over the evaluated customers: how much of a difference this data set can tell).

    python benchmarks/recs.py

The data set folder is ``$RETENTIO_DATASETS``, by default ``../shared/datasets`` beside the repo.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from tests.online_retail_baskets import FILE_NAME, load_online_retail

from retentio.offers.recs.baselines import (
    als_top,
    g_topfreq_top,
    gp_topfreq_top,
    item_knn_top,
    p_topfreq_top,
)
from retentio.offers.recs.evaluation import NextBasketTask, evaluate, split_next_baskets
from retentio.offers.recs.history import purchase_matrix
from retentio.offers.recs.next_basket import (
    NextBasketSettings,
    fit_next_basket,
    next_basket_for,
    next_basket_top,
)
from retentio.offers.recs.similar import fit_als, fit_item_knn
from retentio.offers.recs.tifu_knn import TifuSettings, tifu_top

REPO_ROOT = Path(__file__).resolve().parents[1]
K = 10
Predict = Callable[[NextBasketTask, Any], NDArray[np.int32]]
METRICS = [f"{name}{part}" for name in ("recall", "ndcg", "phr") for part in ("", "_repeat", "_explore")]


def dataset_path() -> Path:
    folder = Path(os.environ.get("RETENTIO_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    return folder / FILE_NAME


def ours(task: NextBasketTask, settings: NextBasketSettings) -> NDArray[np.int32]:
    return next_basket_top(fit_next_basket(task.history, settings), task.customers, K)


def tifu(task: NextBasketTask, settings: TifuSettings) -> NDArray[np.int32]:
    return tifu_top(task.history, task.customers, K, settings)


def item_knn(task: NextBasketTask, neighbours: int) -> NDArray[np.int32]:
    matrix = purchase_matrix(task.history)
    return item_knn_top(fit_item_knn(matrix, neighbours), matrix, task.customers, K)


def als(task: NextBasketTask, factors: int) -> NDArray[np.int32]:
    matrix = purchase_matrix(task.history)
    return als_top(fit_als(matrix, factors=factors), matrix, task.customers, K)


def no_settings(top: Callable[..., NDArray[np.int32]]) -> Predict:
    return lambda task, _settings: top(task.history, task.customers, K)


def tuned(predict: Predict, grid: Iterable[Any], validation: NextBasketTask) -> Any:
    """The settings with the best validation recall@10."""
    scored = [
        (evaluate(predict(validation, settings), validation, K)["recall"], settings) for settings in grid
    ]
    return max(scored, key=lambda pair: pair[0])[1]


def report(
    name: str, predict: Predict, grid: list[Any], validation: NextBasketTask, test: NextBasketTask
) -> tuple[dict[str, float], NDArray[np.int32]]:
    started = time.perf_counter()
    settings = tuned(predict, grid, validation) if len(grid) > 1 else grid[0]
    tuning = time.perf_counter() - started
    started = time.perf_counter()
    predictions = predict(test, settings)
    seconds = time.perf_counter() - started
    figures = evaluate(predictions, test, K)
    for metric in METRICS:
        print(f"{name} {metric}@{K} {figures[metric]:.4f}", flush=True)
    print(f"{name} repeat_share@{K} {figures['repeat_share']:.3f}")
    print(f"{name} train_and_predict_seconds {seconds:.2f}")
    print(f"{name} tuning_seconds {tuning:.1f} ({len(grid)} settings)")
    if settings is not None:
        print(f"{name} settings {settings}")
    return figures, predictions


def customer_recalls(predictions: NDArray[np.int32], task: NextBasketTask) -> NDArray[np.float64]:
    """Each evaluated customer's recall@K (the mean of these is ``evaluate``'s recall)."""
    rows = np.repeat(np.arange(task.customers.size), task.target_sizes())
    keys = np.unique(rows.astype(np.int64) * task.history.item_count + task.target_items)
    sizes = np.bincount(keys // task.history.item_count, minlength=task.customers.size)
    top = predictions[:, :K].astype(np.int64)
    predicted = np.arange(task.customers.size)[:, None] * task.history.item_count + top
    hits = (np.isin(predicted, keys) & (top >= 0)).sum(axis=1)
    recalls: NDArray[np.float64] = hits / np.maximum(sizes, 1)
    return recalls


def gain_interval(ours: NDArray[np.float64], base: NDArray[np.float64]) -> tuple[float, float]:
    """95 % paired bootstrap interval (2,000 resamples of the customers) of the relative gain in %."""
    rng = np.random.default_rng(12)
    picks = rng.integers(0, ours.size, size=(2000, ours.size))
    gains = (ours[picks].mean(axis=1) / base[picks].mean(axis=1) - 1.0) * 100.0
    low, high = np.percentile(gains, [2.5, 97.5])
    return float(low), float(high)


def main() -> None:
    started = time.perf_counter()
    baskets = load_online_retail(dataset_path())
    split = split_next_baskets(baskets)
    print(f"load_seconds {time.perf_counter() - started:.2f}")
    print(f"baskets {baskets.basket_count}")
    print(f"customers {baskets.customer_count}")
    print(f"items {baskets.item_count}")
    print(f"evaluated_customers {split.test.customers.size}")
    print(f"mean_target_basket_size {split.test.target_sizes().mean():.1f}")
    validation, test = split.validation, split.test
    runs = {
        "g_topfreq": report("g_topfreq", no_settings(g_topfreq_top), [None], validation, test),
        "p_topfreq": report("p_topfreq", no_settings(p_topfreq_top), [None], validation, test),
        "gp_topfreq": report("gp_topfreq", no_settings(gp_topfreq_top), [None], validation, test),
        "item_knn": report("item_knn", item_knn, [20, 100, 300], validation, test),
        "als": report("als", als, [32, 64, 128], validation, test),
    }
    tifu_grid = [
        TifuSettings(groups, within, across, neighbours, alpha)
        for groups, within, across, neighbours, alpha in itertools.product(
            (3, 7), (0.9, 1.0), (0.6, 0.7, 0.9), (300, 900), (0.7, 0.9)
        )
    ]
    runs["tifu_knn"] = report("tifu_knn", tifu, tifu_grid, validation, test)
    ours_grid = [
        NextBasketSettings(explore_weight=explore, popularity_weight=popular)
        for explore, popular in itertools.product((0.0, 0.05, 0.1), (0.01, 0.05))
    ]
    runs["retentio"] = report("retentio", ours, ours_grid, validation, test)
    results = {name: figures for name, (figures, _) in runs.items()}
    for baseline in ("tifu_knn", "p_topfreq"):
        for metric in METRICS:
            base = results[baseline][metric]
            if base:
                gain = (results["retentio"][metric] / base - 1.0) * 100.0
                print(f"retentio_vs_{baseline} {metric}@{K}_gain_percent {gain:+.1f}")
            else:
                print(f"retentio_vs_{baseline} {metric}@{K}_gain_percent n/a ({baseline} is 0)")
    ours_recalls = customer_recalls(runs["retentio"][1], test)
    for baseline in ("tifu_knn", "p_topfreq"):
        low, high = gain_interval(ours_recalls, customer_recalls(runs[baseline][1], test))
        print(f"retentio_vs_{baseline} recall@{K}_gain_percent_95ci {low:+.1f} {high:+.1f}")
    time_one_customer(test)
    print(f"total_seconds {time.perf_counter() - started:.1f}")


def time_one_customer(test: NextBasketTask) -> None:
    """Milliseconds ``next_basket_for`` takes per customer (the serving path), over every test customer."""
    model = fit_next_basket(test.history)
    timings = []
    for customer in test.customers:
        started = time.perf_counter()
        next_basket_for(model, int(customer), K)
        timings.append((time.perf_counter() - started) * 1000.0)
    print(f"retentio next_basket_for_p50_ms {np.percentile(timings, 50):.3f}")
    print(f"retentio next_basket_for_p99_ms {np.percentile(timings, 99):.3f}")


if __name__ == "__main__":
    main()
