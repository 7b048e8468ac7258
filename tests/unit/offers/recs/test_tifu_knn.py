import numpy as np
import pytest

from retentio.offers.recs.baskets import Baskets, baskets_from_lines
from retentio.offers.recs.tifu_knn import TifuSettings, tifu_top, tifu_vectors

SETTINGS = TifuSettings(groups=2, within_decay=0.5, group_decay=0.5, neighbours=1, alpha=0.5)


def baskets() -> Baskets:
    """Customer a: {p0}, {p0, p1}, {p1}; customer b: one basket {p2}."""
    return baskets_from_lines(
        ["a", "a", "a", "a", "b"],
        ["1", "2", "2", "3", "4"],
        [1, 2, 2, 3, 1],
        ["p0", "p0", "p1", "p1", "p2"],
    )


def test_vectors_follow_the_grouping_and_both_decays_by_hand() -> None:
    # a: 3 baskets in 2 groups -> {b1}, {b2, b3}; basket weights 0.25, 0.5, 1 (within decay)
    # group 1: 0.25*{p0}; group 2: (0.5*{p0,p1} + 1*{p1}) / 2 = {p0: .25, p1: .75}
    # group decay 0.5 on group 1: {p0: .125 + .25, p1: .75}, over 2 groups: {p0: .1875, p1: .375}
    # b: 1 basket < 2 groups -> its own group, weighted 0.5 ** (2 - 1 - 0), over 1 group: {p2: .5}
    vectors = tifu_vectors(baskets(), SETTINGS).toarray()
    assert vectors == pytest.approx(np.array([[0.1875, 0.375, 0.0], [0.0, 0.0, 0.5]]))


def test_prediction_blends_own_vector_with_the_nearest_neighbour() -> None:
    # a's only other customer is b: 0.5 * a + 0.5 * b = {p0: .09375, p1: .1875, p2: .25}
    top = tifu_top(baskets(), np.array([0], dtype=np.int32), 3, SETTINGS)
    assert top.tolist() == [[2, 1, 0]]


def test_alpha_one_keeps_only_the_customers_own_items() -> None:
    settings = TifuSettings(groups=2, within_decay=0.5, group_decay=0.5, neighbours=1, alpha=1.0)
    top = tifu_top(baskets(), np.array([0], dtype=np.int32), 3, settings)
    assert top.tolist() == [[1, 0, -1]]
