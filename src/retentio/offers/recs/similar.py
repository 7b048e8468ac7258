""" "Customers like you": item-kNN and ALS over a customer × item matrix (purchases, and views at a
lower weight if the caller adds them), trained with ``implicit`` and served per customer from the
customer's own row, so serving needs only the stored model, not the training matrix.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
from implicit.utils import ParameterWarning
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

Ranked = tuple[NDArray[np.int32], NDArray[np.float32]]


@dataclass(frozen=True)
class ItemKnnModel:
    """Item × item similarity, each item's ``neighbours`` most similar items (CSR)."""

    similarity: sp.csr_matrix

    def to_arrays(self) -> dict[str, NDArray[np.generic]]:
        matrix = self.similarity
        return {
            "indptr": matrix.indptr.astype(np.int64),
            "indices": matrix.indices.astype(np.int32),
            "data": matrix.data.astype(np.float32),
            "shape": np.asarray(matrix.shape, dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[np.generic]]) -> ItemKnnModel:
        rows, columns = (int(size) for size in arrays["shape"])
        matrix = sp.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=(rows, columns), dtype=np.float32
        )
        return cls(similarity=matrix)


@dataclass(frozen=True)
class AlsModel:
    """ALS factors; a customer's factors are solved from their row when asked."""

    item_factors: NDArray[np.float32]
    regularization: float
    alpha: float

    def to_arrays(self) -> dict[str, NDArray[np.generic]]:
        return {
            "item_factors": self.item_factors,
            "regularization": np.asarray([self.regularization], dtype=np.float64),
            "alpha": np.asarray([self.alpha], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[np.generic]]) -> AlsModel:
        return cls(
            item_factors=np.asarray(arrays["item_factors"], dtype=np.float32),
            regularization=float(arrays["regularization"][0]),
            alpha=float(arrays["alpha"][0]),
        )


def fit_item_knn(matrix: sp.csr_matrix, neighbours: int = 100, weighting: str = "cosine") -> ItemKnnModel:
    """Item-kNN on a customer × item matrix; ``weighting`` is "cosine" or "bm25"."""
    if weighting not in ("cosine", "bm25"):
        raise ValueError(f"weighting must be 'cosine' or 'bm25', not {weighting!r}")
    if neighbours < 1:
        raise ValueError(f"neighbours must be at least 1, not {neighbours}")
    recommender = CosineRecommender(K=neighbours) if weighting == "cosine" else BM25Recommender(K=neighbours)
    # implicit transposes the matrix to weight it and then warns that it is no longer CSR.
    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ParameterWarning)
        recommender.fit(sp.csr_matrix(matrix, dtype=np.float32), show_progress=False)
    similarity = sp.csr_matrix(recommender.similarity, dtype=np.float32)
    similarity.setdiag(0.0)
    similarity.eliminate_zeros()
    return ItemKnnModel(similarity=similarity)


def fit_als(
    matrix: sp.csr_matrix,
    factors: int = 64,
    regularization: float = 0.05,
    alpha: float = 10.0,
    iterations: int = 15,
    seed: int = 7,
) -> AlsModel:
    """Implicit-feedback ALS (Hu, Koren, Volinsky) on a customer × item matrix of confidences."""
    # implicit checks the BLAS thread pool when the model is made and warns unless it is 1 thread
    # (training is much slower otherwise): one thread for the whole fit.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularization,
            alpha=alpha,
            iterations=iterations,
            random_state=seed,
            num_threads=1,
        )
        model.fit(sp.csr_matrix(matrix, dtype=np.float32), show_progress=False)
    return AlsModel(
        item_factors=np.asarray(model.item_factors, dtype=np.float32),
        regularization=regularization,
        alpha=alpha,
    )


def item_knn_scores(model: ItemKnnModel, row: sp.csr_matrix) -> NDArray[np.float32]:
    """Every item's score for a customer with this (1 × items) row."""
    return np.asarray((sp.csr_matrix(row) @ model.similarity).toarray()).ravel().astype(np.float32)


def als_customer_factors(model: AlsModel, row: sp.csr_matrix) -> NDArray[np.float32]:
    """The customer's factors solved from their row (the least-squares step of ALS for one user)."""
    row = sp.csr_matrix(row)
    factors = model.item_factors.astype(np.float64)
    items = row.indices
    confidence = model.alpha * row.data.astype(np.float64)
    gram = factors.T @ factors + model.regularization * np.eye(factors.shape[1])
    chosen = factors[items]
    gram += chosen.T @ (chosen * confidence[:, None])
    target = chosen.T @ (1.0 + confidence)
    return np.linalg.solve(gram, target).astype(np.float32)


def als_scores(model: AlsModel, row: sp.csr_matrix) -> NDArray[np.float32]:
    return (model.item_factors @ als_customer_factors(model, row)).astype(np.float32)


def recommend_from_scores(
    scores: NDArray[np.float32], row: sp.csr_matrix, k: int, skip_bought: bool
) -> Ranked:
    """The ``k`` best items by score, optionally without what the customer already has."""
    scores = scores.astype(np.float32, copy=True)
    if skip_bought:
        scores[sp.csr_matrix(row).indices] = -np.inf
    k = min(k, scores.shape[0])
    best = np.argpartition(-scores, k - 1)[:k] if k else np.empty(0, dtype=np.int64)
    best = best[np.argsort(-scores[best], kind="stable")]
    best = best[np.isfinite(scores[best])]
    return best.astype(np.int32), scores[best]


def recommend_item_knn(model: ItemKnnModel, row: sp.csr_matrix, k: int, skip_bought: bool = True) -> Ranked:
    return recommend_from_scores(item_knn_scores(model, row), row, k, skip_bought)


def recommend_als(model: AlsModel, row: sp.csr_matrix, k: int, skip_bought: bool = True) -> Ranked:
    return recommend_from_scores(als_scores(model, row), row, k, skip_bought)


def because_of(model: ItemKnnModel, row: sp.csr_matrix, item: int, top: int = 3) -> Ranked:
    """The customer's items that contributed most to ``item``'s score ("because you bought X")."""
    row = sp.csr_matrix(row)
    column = model.similarity[:, item].toarray().ravel()
    contributions = column[row.indices] * row.data
    order = np.argsort(-contributions, kind="stable")[:top]
    order = order[contributions[order] > 0]
    return row.indices[order].astype(np.int32), contributions[order].astype(np.float32)
