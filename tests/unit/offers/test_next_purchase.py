"""Next purchase (OFF-4): what customers bought in their next basket after one holding an item, and
viewed before it; a pair with too little weight behind it is dropped."""

from __future__ import annotations

import numpy as np
import pytest

from retentio.offers.recs.sequences import next_purchase

# Items: 0 tea, 1 cups, 2 honey, 3 lemon. Customer 0: baskets 0 (tea) then 1 (cups);
# customer 1: baskets 2 (tea) then 3 (cups, honey); customer 2: basket 4 (tea), then viewed lemon.
BASKET_CUSTOMER = np.array([0, 0, 1, 1, 2], dtype=np.int64)
LINE_BASKET = np.array([0, 1, 2, 3, 3, 4], dtype=np.int64)
LINE_ITEM = np.array([0, 1, 0, 1, 2, 0], dtype=np.int64)
VIEW_BASKET = np.array([4], dtype=np.int64)
VIEW_ITEM = np.array([3], dtype=np.int64)


def _after_tea(min_weight: float) -> dict[int, float]:
    ranked = next_purchase(
        BASKET_CUSTOMER, LINE_BASKET, LINE_ITEM, VIEW_BASKET, VIEW_ITEM, 4, 0.3, 10, min_weight
    )
    span = ranked.of(0)
    return dict(zip(ranked.item[span].tolist(), ranked.score[span].tolist(), strict=True))


def test_next_baskets_and_views_are_counted_in_order_of_weight() -> None:
    assert _after_tea(0.0) == {1: 2.0, 2: 1.0, 3: pytest.approx(0.3)}


def test_a_single_view_is_not_enough_to_call_it_a_next_purchase() -> None:
    assert _after_tea(1.0) == {1: 2.0, 2: 1.0}
    assert _after_tea(2.0) == {1: 2.0}
