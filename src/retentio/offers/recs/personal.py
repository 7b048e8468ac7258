"""The personal recommenders in a trained set: the next basket (``next_basket``) and "customers like
you" by item-kNN and ALS (``similar``) over purchases and, at a lower weight, views. Training turns
the store's lines into their inputs; serving asks them for one customer, whose row is the customer's
purchases as read live, so a purchase made since training already counts."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from retentio.offers.recs.baskets import Baskets, baskets_from_lines
from retentio.offers.recs.business_rules import Candidate, History
from retentio.offers.recs.history import purchase_matrix
from retentio.offers.recs.next_basket import NextBasketModel, fit_next_basket, next_basket_for
from retentio.offers.recs.reasons import next_basket_reason
from retentio.offers.recs.similar import (
    AlsModel,
    ItemKnnModel,
    fit_als,
    fit_item_knn,
    recommend_from_scores,
    recommend_item_knn,
)
from retentio.offers.recs.stopwatch import Stopwatch
from retentio.offers.recs.trained import Arrays

ASKED = 60  # candidates asked of each personal model per request
EXPLAINED = 12  # the best next-basket items get the model's own reason; the rest a general one


@dataclass(frozen=True, slots=True)
class PersonalSettings:
    view_weight: float = 0.3
    neighbours: int = 100
    als_factors: int = 32
    als_iterations: int = 10


@dataclass(frozen=True, slots=True)
class Personal:
    skus: tuple[str, ...]
    next_basket: NextBasketModel | None
    knn: ItemKnnModel | None
    als: AlsModel | None
    # ALS's Yᵀ·Y + λI, the same for every customer: computed once per load, not per request
    als_gram: np.ndarray | None = None

    @classmethod
    def of(cls, extra: Arrays) -> Personal:
        if "nb.skus" not in extra:
            return cls((), None, None, None)
        nb = NextBasketModel.from_arrays(_under(extra, "nb."))
        als = AlsModel.from_arrays(_under(extra, "als."))
        factors = als.item_factors.astype(np.float64)
        gram = factors.T @ factors + als.regularization * np.eye(factors.shape[1])
        return cls(nb.skus, nb, ItemKnnModel.from_arrays(_under(extra, "knn.")), als, gram)


def fit_personal(
    lines: pl.DataFrame,
    views: pl.DataFrame,
    settings: PersonalSettings,
    seconds: dict[str, float] | None = None,
) -> Arrays:
    """The personal models' arrays (prefixed) from the lines (customer_id, order_id, placed_at, sku)."""
    if lines.is_empty():
        return {}
    clock = Stopwatch(seconds)
    baskets = baskets_from_lines(lines["customer_id"], lines["order_id"], lines["placed_at"], lines["sku"])
    signals = purchase_matrix(baskets) + settings.view_weight * _views(baskets, views)
    clock.lap("personal_baskets")
    # implicit warns about a multi-threaded BLAS when the ALS model is made, before its fit limits it
    with threadpool_limits(1, "blas"):
        parts = (
            ("nb.", clock.timed("next_basket", fit_next_basket, baskets).to_arrays()),
            ("knn.", clock.timed("similar_item_knn", fit_item_knn, signals, settings.neighbours).to_arrays()),
            (
                "als.",
                clock.timed(
                    "similar_als",
                    fit_als,
                    signals,
                    factors=settings.als_factors,
                    iterations=settings.als_iterations,
                ).to_arrays(),
            ),
        )
    arrays: Arrays = {}
    for prefix, part in parts:
        arrays.update({prefix + name: array for name, array in part.items()})
    return arrays


def personal_candidates(personal: Personal, customer_id: str, history: History) -> list[Candidate]:
    if personal.next_basket is None or personal.knn is None or personal.als is None:
        return []
    found: list[Candidate] = []
    customer = _index(personal.next_basket.customer_ids, customer_id)
    items, scores, repeat = next_basket_for(personal.next_basket, customer, ASKED)
    top = float(scores.max()) if len(scores) and customer >= 0 else 0.0
    for rank, (item, score, again) in enumerate(zip(items, scores, repeat, strict=True)):
        if top <= 0:
            break
        if rank < EXPLAINED:
            reason = _next_basket_reason(personal, customer, int(item))
        else:
            reason = "you buy it again" if again else "customers whose baskets are like yours buy it"
        found.append(Candidate(personal.skus[item], 0.9 * float(score) / top, "next_basket", reason))
    row = _row(personal.skus, history)
    if row.nnz:
        found += _similar(personal, row)
    return found


def _next_basket_reason(personal: Personal, customer: int, item: int) -> str:
    assert personal.next_basket is not None
    why = next_basket_reason(personal.next_basket, customer, item)
    if why.bought_before:
        return f"you buy it again: a {why.repeat_chance:.0%} chance it is in your next order"
    if why.because_of:
        return f"goes with {personal.skus[why.because_of[0]]}, which you buy"
    return "selling well now"


def _similar(personal: Personal, row: sp.csr_matrix) -> list[Candidate]:
    assert personal.knn is not None and personal.als is not None
    found: list[Candidate] = []
    items, scores = recommend_item_knn(personal.knn, row, ASKED)
    keep = scores > 0
    items, scores = items[keep], scores[keep]
    if len(items):
        # which bought item gave each its score: the similarity rows of the few bought items
        contribution = personal.knn.similarity[row.indices][:, items].toarray() * row.data[:, None]
        sources = row.indices[np.argmax(contribution, axis=0)]
        top = float(scores.max())
        for item, score, source in zip(items, scores, sources, strict=True):
            reason = f"customers who bought {personal.skus[source]} also bought it"
            found.append(Candidate(personal.skus[item], 0.6 * float(score) / top, "similar", reason))
    items, scores = recommend_from_scores(_als_scores(personal, row), row, ASKED, skip_bought=True)
    top = float(scores.max()) if len(scores) else 0.0
    for item, score in zip(items, scores, strict=True):
        if score > 0 and top > 0:
            reason = "customers with tastes like yours buy it (ALS)"
            found.append(Candidate(personal.skus[item], 0.5 * float(score) / top, "similar", reason))
    return found


def _als_scores(personal: Personal, row: sp.csr_matrix) -> np.ndarray:
    """``similar.als_scores`` with the shared part of the solve computed once per load: the
    customer's factors from their row, then every item's score."""
    assert personal.als is not None and personal.als_gram is not None
    factors = personal.als.item_factors
    chosen = factors[row.indices].astype(np.float64)
    confidence = personal.als.alpha * row.data.astype(np.float64)
    gram = personal.als_gram + chosen.T @ (chosen * confidence[:, None])
    customer = np.linalg.solve(gram, chosen.T @ (1.0 + confidence)).astype(np.float32)
    scores: np.ndarray = factors @ customer
    return scores


def _row(skus: tuple[str, ...], history: History) -> sp.csr_matrix:
    columns = sorted({i for i in (_index(skus, sku) for sku in history.last_bought) if i >= 0})
    data = np.ones(len(columns), dtype=np.float32)
    return sp.csr_matrix((data, (np.zeros(len(columns), dtype=np.int64), columns)), shape=(1, len(skus)))


def _views(baskets: Baskets, views: pl.DataFrame) -> sp.csr_matrix:
    customers = pl.DataFrame({"customer_id": list(baskets.customer_ids)}).with_row_index("customer")
    items = pl.DataFrame({"sku": list(baskets.skus)}).with_row_index("item")
    pairs = views.join(customers, on="customer_id").join(items, on="sku").select("customer", "item")
    matrix = sp.csr_matrix(
        (np.ones(pairs.height), (pairs["customer"].to_numpy(), pairs["item"].to_numpy())),
        shape=(baskets.customer_count, baskets.item_count),
    )
    matrix.sum_duplicates()
    matrix.data = np.minimum(matrix.data, 1.0)  # a product viewed many times counts as seen once
    return matrix


def _under(arrays: Arrays, prefix: str) -> Arrays:
    return {name[len(prefix) :]: array for name, array in arrays.items() if name.startswith(prefix)}


def _index(values: tuple[str, ...], value: str) -> int:
    at = bisect.bisect_left(values, value)
    return at if at < len(values) and values[at] == value else -1
