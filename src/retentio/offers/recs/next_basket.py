"""The next-basket recommender: what a customer will buy again (a learned chance for each of their
past items), items like the ones they buy (what they may try), and a small prior for what sells now.

An item's score for a customer is

    repeat + explore_weight(customer) * explore + popularity_weight * popularity

where ``repeat`` is the chance, learned from customers' own last baskets (``repeat_model``), that a
past item is in the next basket (it weighs how often and how recently the customer bought it, their
usual interval for it, and how the item sells and is re-bought lately); ``explore`` is the
repeat-weighted average similarity of an item to the customer's items (item-kNN over purchases);
``popularity`` is what sells now (baskets decayed by age, ``popularity_half_life_days``). The explore
weight shrinks for customers who mostly re-buy (their own repeat ratio), so a habitual buyer's list
stays their staples while an explorer's list leans to new items. Everything per customer is
precomputed at fit; a request touches only the customer's items and their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from retentio.offers.recs.baskets import Baskets
from retentio.offers.recs.history import decayed_frequency, purchase_matrix, recent_popularity, repeat_ratio
from retentio.offers.recs.ranking import top_rows
from retentio.offers.recs.repeat_model import learn_repeat_model, learned_repeat_scores
from retentio.offers.recs.similar import fit_item_knn

Recommendation = tuple[NDArray[np.int32], NDArray[np.float32], NDArray[np.bool_]]
POPULAR_KEPT = 1000


@dataclass(frozen=True)
class NextBasketSettings:
    """Defaults are the values tuned on Online Retail's validation baskets (benchmarks/recs.py)."""

    decay: float = 0.9
    neighbours: int = 100
    explore_weight: float = 0.1
    popularity_weight: float = 0.01
    popularity_half_life_days: float = 30.0
    label_rounds: int = 3

    def __post_init__(self) -> None:
        if not 0.0 < self.decay <= 1.0:
            raise ValueError(f"decay must be in (0, 1], not {self.decay}")
        if self.label_rounds < 0:
            raise ValueError(f"label_rounds must not be negative, not {self.label_rounds}")
        if self.neighbours < 1:
            raise ValueError(f"neighbours must be at least 1, not {self.neighbours}")
        if self.explore_weight < 0.0 or self.popularity_weight < 0.0:
            raise ValueError("explore_weight and popularity_weight must not be negative")


@dataclass(frozen=True)
class NextBasketModel:
    repeat: sp.csr_matrix  # customer × item, decayed frequency
    similarity: sp.csr_matrix  # item × item, each item's nearest items
    popularity: NDArray[np.float32]  # per item, recent baskets holding it, the top item 1
    popular_items: NDArray[np.int32]  # the most popular items, best first
    explore_weight: NDArray[np.float32]  # per customer
    popularity_weight: float
    customer_ids: tuple[str, ...]
    skus: tuple[str, ...]

    def to_arrays(self) -> dict[str, NDArray[np.generic]]:
        return {
            "repeat_indptr": self.repeat.indptr.astype(np.int64),
            "repeat_indices": self.repeat.indices.astype(np.int32),
            "repeat_data": self.repeat.data.astype(np.float32),
            "similarity_indptr": self.similarity.indptr.astype(np.int64),
            "similarity_indices": self.similarity.indices.astype(np.int32),
            "similarity_data": self.similarity.data.astype(np.float32),
            "popularity": self.popularity,
            "popular_items": self.popular_items,
            "explore_weight": self.explore_weight,
            "popularity_weight": np.asarray([self.popularity_weight], dtype=np.float64),
            "customer_ids": np.asarray(self.customer_ids, dtype=np.str_),
            "skus": np.asarray(self.skus, dtype=np.str_),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[np.generic]]) -> NextBasketModel:
        customer_ids = tuple(str(value) for value in arrays["customer_ids"])
        skus = tuple(str(value) for value in arrays["skus"])
        customers, items = len(customer_ids), len(skus)
        return cls(
            repeat=sp.csr_matrix(
                (arrays["repeat_data"], arrays["repeat_indices"], arrays["repeat_indptr"]),
                shape=(customers, items),
            ),
            similarity=sp.csr_matrix(
                (arrays["similarity_data"], arrays["similarity_indices"], arrays["similarity_indptr"]),
                shape=(items, items),
            ),
            popularity=np.asarray(arrays["popularity"], dtype=np.float32),
            popular_items=np.asarray(arrays["popular_items"], dtype=np.int32),
            explore_weight=np.asarray(arrays["explore_weight"], dtype=np.float32),
            popularity_weight=float(arrays["popularity_weight"][0]),
            customer_ids=customer_ids,
            skus=skus,
        )


def fit_next_basket(baskets: Baskets, settings: NextBasketSettings | None = None) -> NextBasketModel:
    settings = settings or NextBasketSettings()
    purchases = purchase_matrix(baskets)
    popularity = recent_popularity(baskets, settings.popularity_half_life_days)
    popular_items = np.argsort(-popularity, kind="stable")[:POPULAR_KEPT].astype(np.int32)
    similarity = fit_item_knn(purchases, neighbours=settings.neighbours).similarity
    explore_weight = settings.explore_weight * (1.0 - repeat_ratio(baskets))
    return NextBasketModel(
        repeat=sp.csr_matrix(_repeat_scores(baskets, settings), dtype=np.float32),
        similarity=similarity,
        popularity=popularity,
        popular_items=popular_items,
        explore_weight=explore_weight.astype(np.float32),
        popularity_weight=settings.popularity_weight,
        customer_ids=baskets.customer_ids,
        skus=baskets.skus,
    )


def _repeat_scores(baskets: Baskets, settings: NextBasketSettings) -> sp.csr_matrix:
    """The learned chance of each past item being re-bought next; with nothing to learn from (no
    customer with two baskets, or ``label_rounds`` 0) the decayed frequency, TIFU-KNN's vector."""
    model = learn_repeat_model(
        baskets, settings.decay, settings.popularity_half_life_days, settings.label_rounds
    )
    if model is None:
        return decayed_frequency(baskets, settings.decay)
    return learned_repeat_scores(baskets, settings.decay, settings.popularity_half_life_days, model)


def next_basket_for(
    model: NextBasketModel, customer_index: int, k: int, exclude: NDArray[np.int32] | None = None
) -> Recommendation:
    """The ``k`` best items for one customer (index -1 or unknown: no history, the popular items),
    their scores, and whether each is one the customer bought before."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    history, shares = customer_history(model, customer_index)
    weight = float(model.explore_weight[customer_index]) if history.size else 0.0
    neighbours, similarities, sources = item_neighbours(model.similarity, history)
    explore = similarities * shares[sources] / max(float(shares.sum()), 1e-12)
    popular = model.popular_items[: k + history.size + (0 if exclude is None else exclude.size)]
    candidates = np.concatenate((history, neighbours, popular))
    weights = np.concatenate((shares, weight * explore, np.zeros(popular.size, dtype=np.float32))).astype(
        np.float64
    )
    items, inverse = np.unique(candidates, return_inverse=True)
    scores = np.bincount(inverse, weights=weights, minlength=items.size).astype(np.float64)
    scores += model.popularity_weight * model.popularity[items]
    if exclude is not None and exclude.size:
        keep = ~np.isin(items, exclude)
        items, scores = items[keep], scores[keep]
    best = np.lexsort((items, -scores))[:k]
    return (
        items[best].astype(np.int32),
        scores[best].astype(np.float32),
        np.isin(items[best], history),
    )


def next_basket_top(model: NextBasketModel, customer_indices: NDArray[np.int32], k: int) -> NDArray[np.int32]:
    """The ``k`` best items for many customers at once (rows of item indices), for evaluation."""
    rows = []
    for start in range(0, customer_indices.shape[0], 1000):
        chunk = customer_indices[start : start + 1000]
        repeat = model.repeat[chunk]
        totals = np.asarray(repeat.sum(axis=1)).ravel()
        scale = np.divide(model.explore_weight[chunk], totals, out=np.zeros(chunk.size), where=totals > 0)
        explore = sp.diags(scale) @ (repeat @ model.similarity)
        scores = (repeat + explore).toarray() + model.popularity_weight * model.popularity[None, :]
        rows.append(top_rows(scores, k))
    return np.concatenate(rows) if rows else np.empty((0, k), dtype=np.int32)


def customer_history(
    model: NextBasketModel, customer_index: int
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """The customer's past items and the learned chance of each being re-bought (empty if unknown)."""
    if not 0 <= customer_index < model.repeat.shape[0]:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    start, end = model.repeat.indptr[customer_index], model.repeat.indptr[customer_index + 1]
    return model.repeat.indices[start:end], model.repeat.data[start:end]


def item_neighbours(
    similarity: sp.csr_matrix, items: NDArray[np.int32]
) -> tuple[NDArray[np.int32], NDArray[np.float32], NDArray[np.int64]]:
    """All (neighbour, similarity, position of the source item) pairs of ``items``, without a loop."""
    starts = similarity.indptr[items]
    lengths = similarity.indptr[items + 1] - starts
    sources = np.repeat(np.arange(items.size), lengths)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    lines = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
    return similarity.indices[lines], similarity.data[lines], sources
