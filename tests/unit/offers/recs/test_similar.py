import numpy as np
import pytest
import scipy.sparse as sp

from retentio.offers.recs.similar import (
    AlsModel,
    ItemKnnModel,
    because_of,
    fit_als,
    fit_item_knn,
    recommend_als,
    recommend_item_knn,
)

# Customers 0-2 buy items 0 and 1 together; customers 3-5 buy 2 and 3 together; item 4 alone.
PURCHASES = sp.csr_matrix(
    np.array(
        [
            [1, 1, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [1, 1, 0, 0, 1],
            [0, 0, 1, 1, 0],
            [0, 0, 1, 1, 0],
            [0, 0, 1, 1, 0],
        ],
        dtype=np.float32,
    )
)


def row(*items: int) -> sp.csr_matrix:
    values = np.zeros((1, 5), dtype=np.float32)
    values[0, list(items)] = 1.0
    return sp.csr_matrix(values)


def test_item_knn_recommends_what_is_bought_with_the_customers_items() -> None:
    model = fit_item_knn(PURCHASES, neighbours=3)
    items, scores = recommend_item_knn(model, row(2), 1)
    assert items.tolist() == [3]
    assert scores[0] == pytest.approx(1.0)


def test_because_of_names_the_customers_item_that_contributed_most() -> None:
    model = fit_item_knn(PURCHASES, neighbours=3)
    items, contributions = because_of(model, row(0, 2), 3)
    assert items.tolist() == [2]
    assert contributions[0] == pytest.approx(1.0)


def test_item_knn_round_trips_through_arrays() -> None:
    model = fit_item_knn(PURCHASES, neighbours=3, weighting="bm25")
    loaded = ItemKnnModel.from_arrays(model.to_arrays())
    assert (loaded.similarity != model.similarity).nnz == 0


def test_als_serves_a_customer_from_their_row_alone() -> None:
    model = fit_als(PURCHASES, factors=4, iterations=20, regularization=0.01)
    loaded = AlsModel.from_arrays(model.to_arrays())
    items, _scores = recommend_als(loaded, row(0), 1)
    assert items.tolist() == [1]


def test_unknown_weighting_is_refused() -> None:
    with pytest.raises(ValueError, match="weighting must be"):
        fit_item_knn(PURCHASES, weighting="jaccard")
