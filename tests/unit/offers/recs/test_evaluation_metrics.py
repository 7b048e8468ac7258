import math

import numpy as np
import pytest

from retentio.offers.recs.baskets import Baskets, baskets_from_lines
from retentio.offers.recs.evaluation import NextBasketTask, evaluate, split_next_baskets


def two_customer_task() -> NextBasketTask:
    """Customer 0 bought {0, 1} before and now buys {0, 2}; customer 1 bought {1}, now buys {3}."""
    history = Baskets(
        customer=np.array([0, 1], dtype=np.int32),
        placed_at=np.array([1, 1], dtype=np.int64),
        offsets=np.array([0, 2, 3], dtype=np.int64),
        items=np.array([0, 1, 1], dtype=np.int32),
        customer_ids=("c0", "c1"),
        skus=("s0", "s1", "s2", "s3", "s4"),
    )
    return NextBasketTask(
        history=history,
        customers=np.array([0, 1], dtype=np.int32),
        target_offsets=np.array([0, 2, 3], dtype=np.int64),
        target_items=np.array([0, 2, 3], dtype=np.int32),
    )


def test_metrics_and_their_repeat_explore_split_match_a_hand_computation() -> None:
    # given customer 0 gets [2, 0, 1] (both target items), customer 1 gets [1, 4, nothing] (no hit)
    predictions = np.array([[2, 0, 1], [1, 4, -1]], dtype=np.int32)

    # when
    figures = evaluate(predictions, two_customer_task(), k=3)

    # then overall: customer 0 is perfect, customer 1 has nothing
    assert figures["recall"] == pytest.approx(0.5)
    assert figures["ndcg"] == pytest.approx(0.5)
    assert figures["phr"] == pytest.approx(0.5)
    # repeat part: only customer 0 has one (item 0), found at rank 2
    assert figures["recall_repeat"] == pytest.approx(1.0)
    assert figures["ndcg_repeat"] == pytest.approx(1 / math.log2(3))
    assert figures["phr_repeat"] == pytest.approx(1.0)
    # explore part: customer 0's item 2 at rank 1, customer 1's item 3 missed
    assert figures["recall_explore"] == pytest.approx(0.5)
    assert figures["ndcg_explore"] == pytest.approx(0.5)
    assert figures["phr_explore"] == pytest.approx(0.5)
    # items 0, 1 for customer 0 and 1 for customer 1 were bought before: 3 of 6 slots
    assert figures["repeat_share"] == pytest.approx(0.5)


def test_ndcg_ideal_ranks_no_more_hits_than_k() -> None:
    task = two_customer_task()
    figures = evaluate(np.array([[0, -1], [4, -1]], dtype=np.int32), task, k=1)
    assert figures["ndcg"] == pytest.approx(0.5)  # one hit of an ideal one at k = 1
    assert figures["recall"] == pytest.approx(0.25)  # but half of customer 0's target


def test_prediction_rows_must_match_the_customers() -> None:
    with pytest.raises(ValueError, match="1 prediction rows for 2 customers"):
        evaluate(np.array([[0]], dtype=np.int32), two_customer_task(), k=1)


def test_split_takes_the_last_basket_as_test_and_the_one_before_as_validation() -> None:
    # given a customer with four baskets and one with two (never evaluated)
    baskets = baskets_from_lines(
        ["a", "a", "a", "a", "b", "b"],
        ["1", "2", "3", "4", "5", "6"],
        [1, 2, 3, 4, 1, 2],
        ["x", "y", "z", "w", "x", "y"],
    )

    # when
    split = split_next_baskets(baskets)

    # then (skus sorted: w=0, x=1, y=2, z=3)
    assert split.test.customers.tolist() == [0]
    assert split.test.target_items.tolist() == [0]
    assert split.validation.target_items.tolist() == [3]
    assert split.test.history.basket_count == 5  # all but a's last
    assert split.validation.history.basket_count == 4  # all but a's last two
    history = split.validation.history
    assert history.items[history.customer[history.line_basket()] == 0].tolist() == [1, 2]
