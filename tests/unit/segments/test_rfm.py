"""RFM: quintile edges of the base, scores against stored edges, the ordered segment table."""

from itertools import product

import numpy as np
import pytest

from retentio.segments.config import DEFAULT_RFM_RULES, UNMATCHED_SEGMENT, RfmRule
from retentio.segments.inputs import CustomerInputs
from retentio.segments.rfm import (
    RfmEdges,
    RfmScores,
    quintile_edges,
    rfm_scores,
    score,
    segment_cells,
    segment_of,
)


def test_quintile_edges_are_values_of_the_base_and_keep_ties_together() -> None:
    # given 60 one-order buyers, 20 with two, 10 with three, 10 with four
    orders = np.array([1] * 60 + [2] * 20 + [3] * 10 + [4] * 10, dtype=np.int64)
    # when
    edges = quintile_edges(orders)
    # then
    assert edges == (1, 1, 1, 2)
    assert [score(value, edges) for value in (1, 2, 3, 4)] == [1, 4, 5, 5]


def test_quintiles_of_distinct_values_split_the_base_in_fifths() -> None:
    edges = quintile_edges(np.arange(1, 101, dtype=np.int64))
    scores = [score(value, edges) for value in range(1, 101)]
    assert [scores.count(s) for s in range(1, 6)] == [20, 20, 20, 20, 20]


def test_more_recent_last_order_scores_higher() -> None:
    edges = RfmEdges(
        recency=(100, 200, 300, 400), frequency=(1, 1, 2, 3), monetary=(10, 20, 30, 40), buyers=5
    )
    old = CustomerInputs("a", orders=1, revenue_minor=5, last_order_at=50)
    recent = CustomerInputs("b", orders=5, revenue_minor=50, last_order_at=450)
    assert rfm_scores(old, edges) == RfmScores(1, 1, 1)
    assert rfm_scores(recent, edges) == RfmScores(5, 5, 5)


def test_no_scores_without_an_order_or_before_the_first_refresh() -> None:
    edges = RfmEdges((0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), 0)
    assert rfm_scores(CustomerInputs("a"), edges) is None
    assert rfm_scores(CustomerInputs("a", orders=1, last_order_at=5), None) is None


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ((5, 5, 5), "Champions"),
        ((4, 5, 1), "Loyal"),
        ((5, 2, 3), "Potential Loyalist"),
        ((5, 1, 5), "New"),
        ((4, 1, 1), "Promising"),
        ((3, 3, 3), "Need Attention"),
        ((3, 2, 1), "About to Sleep"),
        ((1, 5, 5), "Can't Lose Them"),
        ((2, 5, 1), "At Risk"),
        ((2, 1, 4), "Hibernating"),
        ((1, 2, 2), "Lost"),
    ],
)
def test_default_table_names_the_eleven_segments(cell: tuple[int, int, int], name: str) -> None:
    assert segment_of(RfmScores(*cell), DEFAULT_RFM_RULES) == name


def test_first_matching_rule_wins_and_unmatched_is_other() -> None:
    rules = (RfmRule("Best", recency=(4, 5)), RfmRule("Also best", recency=(5, 5)))
    assert segment_of(RfmScores(5, 1, 1), rules) == "Best"
    assert segment_of(RfmScores(1, 1, 1), rules) == UNMATCHED_SEGMENT


def test_the_default_table_covers_every_cell() -> None:
    names = {segment_of(RfmScores(*cell), DEFAULT_RFM_RULES) for cell in product(range(1, 6), repeat=3)}
    assert UNMATCHED_SEGMENT not in names
    assert len(names) == 11


def test_segment_cells_follow_the_rules() -> None:
    cells = segment_cells(DEFAULT_RFM_RULES)
    assert sum(len(numbers) for numbers in cells.values()) == 125
    assert 555 in cells["Champions"]
    assert 155 in cells["Can't Lose Them"]
